package queuefile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJournalRoundTripAndDamage(t *testing.T) {
	notes := []Note{
		{Part: "a.bin.part", ETag: `"1"`, Size: 10},
		{Part: "b.bin.part", LastModified: "Tue, 01 Dec 2026 10:00:00 GMT", Size: -1, ServerName: "real.iso"},
		{Part: "a.bin.part", ETag: `"2"`, Size: 20},
	}
	var whole bytes.Buffer
	for i, n := range notes {
		body, _ := json.Marshal(n)
		whole.Write(journalLine(uint64(i+1), body))
	}
	lines := strings.SplitAfter(whole.String(), "\n")
	tests := []struct {
		name     string
		in       string
		wantN    int
		wantLast uint64
	}{
		{"whole", whole.String(), 3, 3},
		{"empty", "", 0, 0},
		{"last line cut short by a crash", whole.String()[:whole.Len()-7], 2, 2},
		{"a line edited", strings.Replace(whole.String(), `"size":20`, `"size":21`, 1), 2, 2},
		{"sequence goes back", lines[0] + lines[1] + lines[0], 2, 2},
		{"garbage", "hello world\n", 0, 0},
		{"a note naming a path", string(journalLine(1, []byte(`{"part":"../x.part","size":1}`))), 0, 0},
		{"a note not of a .part", string(journalLine(1, []byte(`{"part":"x.bin","size":1}`))), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, last, err := readJournal(strings.NewReader(tc.in))
			if err != nil || len(got) != tc.wantN || last != tc.wantLast {
				t.Fatalf("%d notes, last %d, %v; want %d, %d", len(got), last, err, tc.wantN, tc.wantLast)
			}
			for i, e := range got {
				if e.note != notes[i] {
					t.Fatalf("note %d = %+v, want %+v", i, e.note, notes[i])
				}
			}
		})
	}
}

func TestApplyJournalOnlyNewerNotes(t *testing.T) {
	q := Queue{Journal: 1, Files: []Record{
		{Part: "a.bin.part", ETag: `"old"`, Size: 5},
		{Part: "b.bin.part", Size: -1},
	}}
	notes := []journalEntry{
		{seq: 1, note: Note{Part: "b.bin.part", ETag: `"stale"`, Size: 1}}, // the queue file has it
		{seq: 2, note: Note{Part: "a.bin.part", ETag: `"new"`, Size: 7, ServerName: "a.iso"}},
		{seq: 3, note: Note{Part: "gone.part", ETag: `"x"`}}, // no such download
	}
	if last := applyJournal(&q, notes); last != 3 {
		t.Fatalf("last = %d, want 3", last)
	}
	if a := q.Files[0]; a.ETag != `"new"` || a.Size != 7 || a.ServerName != "a.iso" {
		t.Fatalf("a = %+v", a)
	}
	if b := q.Files[1]; b.ETag != "" || b.Size != -1 {
		t.Fatalf("b took a note older than the queue file: %+v", b)
	}
}

// TestJournalOfNoQueueIsDropped: notes beside a queue file that is missing
// or damaged belong to downloads nobody knows any more; a new download
// under one of their names must not inherit their validators.
func TestJournalOfNoQueueIsDropped(t *testing.T) {
	for _, damaged := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "q.queue")
		if damaged {
			os.WriteFile(path, []byte("potok-queue 1\n{}\nsha256 00\n"), 0o600)
		}
		j, err := OpenJournal(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		j.Add(Note{Part: "a.bin.part", ETag: `"old"`})
		j.Close()
		q, _ := Load(path, func(Record) error { return nil })
		if len(q.Files) != 0 || q.Journal != 0 {
			t.Fatalf("damaged=%v: %+v", damaged, q)
		}
		if _, err := os.Stat(journalPath(path)); !os.IsNotExist(err) {
			t.Fatalf("damaged=%v: the journal is still beside the queue: %v", damaged, err)
		}
	}
}

// TestJournalEmptiedBySave: a save that holds every note empties the
// journal; one that missed a note leaves it.
func TestJournalEmptiedBySave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.queue")
	j, err := OpenJournal(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	size := func() int64 {
		fi, err := os.Stat(journalPath(path))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	s1, _ := j.Add(Note{Part: "a.part"})
	j.Add(Note{Part: "b.part"})
	j.Saved(s1)
	if size() == 0 {
		t.Fatal("emptied though the save missed a note")
	}
	j.Saved(j.Last())
	if size() != 0 {
		t.Fatal("not emptied by a save that holds every note")
	}
	if s, _ := j.Add(Note{Part: "c.part"}); s != 3 {
		t.Fatalf("numbering restarted: %d", s)
	}
}

func FuzzReadJournal(f *testing.F) {
	body, _ := json.Marshal(Note{Part: "a.part", ETag: `"x"`, Size: 3})
	f.Add(journalLine(1, body))
	f.Add(append(journalLine(1, body), journalLine(2, body)...))
	f.Add([]byte("1 {} 0000000000000000\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		notes, last, err := readJournal(bytes.NewReader(in))
		if err != nil {
			return
		}
		var prev uint64
		for _, e := range notes {
			if e.seq <= prev || !e.note.valid() {
				t.Fatalf("accepted %+v after %d", e, prev)
			}
			prev = e.seq
		}
		if prev != last {
			t.Fatalf("last %d, notes end at %d", last, prev)
		}
	})
}
