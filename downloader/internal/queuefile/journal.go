package queuefile

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"

	"potok/downloader/internal/safefs"
)

// The queue file is rewritten whole, at most twice a second, so it lags
// behind the transfers. One thing cannot lag: what a .part is a copy of. If a
// crash came after the first bytes of a file reached its .part but before
// the queue recorded the file's ETag, the next run could not tell whether
// the server's file changed meanwhile, and would stitch the old head to a
// new tail. So the validators of every (re)started .part are appended to a
// journal beside the queue file before the first body byte is written: one
// write(2) of a line, which outlives the process once it returns, and costs
// no new file per download. Loading the queue applies the notes newer than
// the queue file; each full save makes them redundant, and the journal is
// emptied when no note came in meanwhile.
//
// Each line is "SEQ JSON CHECK", CHECK being the first 16 hex digits of the
// SHA-256 of "SEQ JSON": a line cut short by a crash, or edited, ends the
// journal there.

const (
	journalSuffix = ".journal"
	// maxJournal bounds what is read back: a note is about 200 bytes, so
	// this holds the starts of a few hundred thousand files.
	maxJournal = 64 << 20
)

// Note says what the .part named Part holds the start of: the file
// the server described with these validators, size and name.
type Note struct {
	Part         string `json:"part"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Size         int64  `json:"size"`
	ServerName   string `json:"server_name,omitempty"`
}

// Journal appends validator notes to the file beside a queue file.
type Journal struct {
	mu   sync.Mutex
	f    *os.File // nil once closed, or when it could not be opened
	next uint64   // sequence number of the next note
	err  error    // the first failed write, reported once
}

func journalPath(queue string) string { return queue + journalSuffix }

// OpenJournal opens the journal for appending, numbering new notes after
// last, the highest sequence number already seen.
func OpenJournal(queue string, last uint64) (*Journal, error) {
	f, err := os.OpenFile(journalPath(queue), os.O_WRONLY|os.O_APPEND|os.O_CREATE|safefs.OpenNoFollow, 0o600)
	if err != nil {
		return &Journal{next: last + 1}, fmt.Errorf("open queue journal: %w", err)
	}
	return &Journal{f: f, next: last + 1}, nil
}

// Add writes one note and returns its sequence number. The caller has
// already put the same values where the next full save reads them, so a
// save that misses this note's number still has its content.
func (j *Journal) Add(n Note) (uint64, error) {
	body, err := json.Marshal(n)
	if err != nil {
		return 0, fmt.Errorf("encode queue journal note: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return 0, errors.New("queue journal is not open")
	}
	seq := j.next
	j.next++
	line := journalLine(seq, body)
	if _, err := j.f.Write(line); err != nil {
		return 0, fmt.Errorf("write queue journal: %w", err)
	}
	return seq, nil
}

// Last returns the sequence number of the newest note written.
func (j *Journal) Last() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.next - 1
}

// Saved is told that a queue file holding every note up to seq is in place:
// when no newer note was written, the journal is emptied.
func (j *Journal) Saved(seq uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil || j.next-1 != seq {
		return nil
	}
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("empty queue journal: %w", err)
	}
	return nil
}

// WarnOnce logs the first failure to write a note; later ones would only
// repeat it for every file.
func (j *Journal) WarnOnce(log *slog.Logger, err error) {
	j.mu.Lock()
	first := j.err == nil
	if first {
		j.err = err
	}
	j.mu.Unlock()
	if first {
		log.Warn("cannot note a download's validators: after a crash its partial file starts over", "err", err)
	}
}

func (j *Journal) Close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}

func journalLine(seq uint64, body []byte) []byte {
	head := strconv.AppendUint(nil, seq, 10)
	head = append(head, ' ')
	head = append(head, body...)
	sum := sha256.Sum256(head)
	line := append(head, ' ')
	line = hex.AppendEncode(line, sum[:8])
	return append(line, '\n')
}

// readJournal returns the notes of r in order, stopping at the first line
// that does not check out (a crash cut it short, or it was edited), and the
// highest sequence number read. Sequence numbers must grow.
func readJournal(r io.Reader) (notes []journalEntry, last uint64, err error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxJournal))
	sc.Buffer(make([]byte, 0, 4<<10), 64<<10)
	for sc.Scan() {
		e, ok := parseJournalLine(sc.Text())
		if !ok || e.seq <= last {
			return notes, last, nil
		}
		notes = append(notes, e)
		last = e.seq
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return notes, last, fmt.Errorf("read queue journal: %w", err)
	}
	return notes, last, nil
}

type journalEntry struct {
	seq  uint64
	note Note
}

func parseJournalLine(s string) (journalEntry, bool) {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return journalEntry{}, false
	}
	head, check := s[:i], s[i+1:]
	sum := sha256.Sum256([]byte(head))
	if check != hex.EncodeToString(sum[:8]) {
		return journalEntry{}, false
	}
	seqText, body, ok := strings.Cut(head, " ")
	if !ok {
		return journalEntry{}, false
	}
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil || seq == 0 {
		return journalEntry{}, false
	}
	var n Note
	if err := json.Unmarshal([]byte(body), &n); err != nil || !n.valid() {
		return journalEntry{}, false
	}
	return journalEntry{seq: seq, note: n}, true
}

// valid refuses a note that names something other than a .part in the folder.
func (n Note) valid() bool {
	return safefs.PlainName(n.Part) && strings.HasSuffix(n.Part, safefs.PartSuffix) && n.Size >= -1 &&
		(n.ServerName == "" || safefs.PlainName(n.ServerName)) && len(n.ETag) <= 1024 && len(n.LastModified) <= 256
}

// loadJournal reads the journal beside queue; a missing one has no notes.
func loadJournal(queue string) ([]journalEntry, uint64, error) {
	f, err := os.OpenFile(journalPath(queue), os.O_RDONLY|safefs.OpenNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open queue journal: %w", err)
	}
	defer f.Close()
	return readJournal(f)
}

// applyJournal brings the records of q up to date with the notes newer than
// q itself, and returns the highest sequence number either holds.
func applyJournal(q *Queue, notes []journalEntry) uint64 {
	last := q.Journal
	byPart := make(map[string]int, len(q.Files))
	for i, rec := range q.Files {
		byPart[rec.Part] = i
	}
	for _, e := range notes {
		last = max(last, e.seq)
		if e.seq <= q.Journal {
			continue // the queue file was saved after this note
		}
		i, ok := byPart[e.note.Part]
		if !ok {
			continue
		}
		rec := &q.Files[i]
		rec.ETag, rec.LastModified, rec.Size = e.note.ETag, e.note.LastModified, e.note.Size
		if e.note.ServerName != "" {
			rec.ServerName = e.note.ServerName
		}
	}
	return last
}
