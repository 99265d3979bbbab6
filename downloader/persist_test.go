package downloader_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"potok/downloader"
	dt "potok/downloader/demoserver"
	"potok/downloader/internal/queuefile"
)

func queueEngine(t *testing.T, dir, queue string) *downloader.Engine {
	t.Helper()
	return newEngine(t, downloader.Options{Dir: dir, QueueFile: queue})
}

// TestQueueSurvivesRestart closes an engine in the middle of its downloads
// and opens another on the same queue file: the list comes back with its
// states, and Resume continues each file from its .part.
func TestQueueSurvivesRestart(t *testing.T) {
	const size = 400_000
	s := newServer(t, dt.WithRate(400_000))
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	fast := newServer(t)
	e1 := queueEngine(t, dir, queue)
	urls := []string{fast.FileURL("done.bin", 1000), s.FileURL("a.bin", size), s.FileURL("b.bin", size)}
	add(t, e1, urls...)
	// Wait until the fast file is done and the slow ones are part-way.
	waitFor(t, "one file is done and two are part-way", func() bool {
		snap := e1.Snapshot()
		return snap.Done == 1 && snap.Files[1].Done > 0 && snap.Files[2].Done > 0
	})
	e1.Close()
	kept := e1.Snapshot().BytesDone
	sentBefore := s.BytesSent()

	e2 := queueEngine(t, dir, queue)
	ids := e2.Restore()
	if len(ids) != 3 {
		t.Fatalf("restored %d downloads, want 3", len(ids))
	}
	snap := e2.Snapshot()
	wantStates := []downloader.State{downloader.StateDone, downloader.StatePaused, downloader.StatePaused}
	for i, f := range snap.Files {
		if f.URL != urls[i] || f.State != wantStates[i] {
			t.Fatalf("file %d restored as %s %s, want %s %s", i, f.URL, f.State, urls[i], wantStates[i])
		}
	}
	e2.ResumeAll()
	snap = wait(t, e2)
	if snap.Done != 3 {
		t.Fatalf("after resume: %+v", snap.Totals)
	}
	for i, name := range []string{"done.bin", "a.bin", "b.bin"} {
		checkFile(t, snap.Files[i].Path, name, map[bool]int64{true: 1000, false: size}[i == 0])
	}
	onlyFiles(t, dir, "a.bin", "b.bin", "done.bin")
	if got, missing := s.BytesSent()-sentBefore, 2*size+1000-kept; got > missing+64<<10 {
		t.Errorf("after the restart the server sent %d bytes for %d missing: restarted instead of resumed", got, missing)
	}
}

// TestAddKnownURLsContinues gives the same list to a new engine, as a second
// `potok get` would: finished files are done at once, unfinished ones go on
// from their .part under the same name.
func TestAddKnownURLsContinues(t *testing.T) {
	s := newServer(t)
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	e1 := queueEngine(t, dir, queue)
	u := s.FileURL("x.bin", 5000)
	add(t, e1, u)
	wait(t, e1)
	e1.Close()
	requests := len(s.Requests())

	e2 := queueEngine(t, dir, queue)
	ids := add(t, e2, u)
	snap := wait(t, e2)
	if f := status(t, e2, ids[0]); f.State != downloader.StateDone || f.Name != "x.bin" {
		t.Fatalf("known finished URL: %s %q, want done x.bin", f.State, f.Name)
	}
	if len(s.Requests()) != requests {
		t.Fatal("a finished file was asked for again")
	}
	if snap.Count != 1 {
		t.Fatalf("%d downloads", snap.Count)
	}
	onlyFiles(t, dir, "x.bin")
}

// TestForeignPartLeftAlone: with a queue file, a .part the queue does not
// know is somebody else's; it is neither resumed nor touched.
func TestForeignPartLeftAlone(t *testing.T) {
	s := newServer(t)
	dir := t.TempDir()
	foreign := bytes.Repeat([]byte{0xAB}, 777)
	writePart(t, dir, "f.bin", foreign)
	e := queueEngine(t, dir, filepath.Join(t.TempDir(), "q.queue"))
	ids := add(t, e, s.FileURL("f.bin", 3000))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.Name != "f (1).bin" {
		t.Fatalf("landed as %q, want f (1).bin beside the foreign .part", f.Name)
	}
	checkFile(t, f.Path, "f.bin", 3000)
	if got, _ := os.ReadFile(filepath.Join(dir, "f.bin.part")); !bytes.Equal(got, foreign) {
		t.Fatal("the foreign .part was changed")
	}
}

// TestRemoteChangedStartsOver: the file changes on the server between two
// attempts (new ETag). Appending the rest of the new file to the start of the
// old one would give a file that never existed; it must start over.
func TestRemoteChangedStartsOver(t *testing.T) {
	const size = 200_000
	for _, ifRange := range []bool{true, false} {
		name := map[bool]string{true: "server honours If-Range", false: "server ignores If-Range"}[ifRange]
		t.Run(name, func(t *testing.T) {
			var version = "v1"
			var mu = make(chan struct{}, 1)
			mu <- struct{}{}
			get := func() string { <-mu; defer func() { mu <- struct{}{} }(); return version }
			var sentRanges []string
			s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
				v := get()
				content := dt.Content("c-"+v, size)
				tag := `"` + v + `"`
				w.Header().Set("ETag", tag)
				w.Header().Set("Accept-Ranges", "bytes")
				start := int64(0)
				rg := r.Header.Get("Range")
				if ir := r.Header.Get("If-Range"); rg != "" && ifRange && ir != "" && ir != tag {
					rg = "" // changed: the whole new file
				}
				if rg != "" {
					<-mu
					sentRanges = append(sentRanges, rg)
					mu <- struct{}{}
					var end int64
					if _, err := fmtSscanf(rg, &start); err != nil || start >= size {
						w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
						return true
					}
					end = size - 1
					w.Header().Set("Content-Range", "bytes "+itoa(start)+"-"+itoa(end)+"/"+itoa(size))
					w.Header().Set("Content-Length", itoa(size-start))
					w.WriteHeader(http.StatusPartialContent)
				} else {
					w.Header().Set("Content-Length", itoa(size))
					w.WriteHeader(http.StatusOK)
				}
				if r.Method == http.MethodGet {
					w.Write(content[start:])
				}
				return true
			}))
			dir := t.TempDir()
			// A .part holding the start of version 1, as an earlier run left it.
			queue := filepath.Join(t.TempDir(), "q.queue")
			writeQueueFor(t, queue, dir, s.URL+"/f/c.bin", `"v1"`, size)
			writePart(t, dir, "c.bin", dt.Content("c-v1", size)[:size/2])
			<-mu
			version = "v2"
			mu <- struct{}{}
			e := queueEngine(t, dir, queue)
			ids := add(t, e, s.URL+"/f/c.bin")
			wait(t, e)
			f := status(t, e, ids[0])
			got, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatalf("%v (%s)", err, f.Err)
			}
			if !bytes.Equal(got, dt.Content("c-v2", size)) {
				t.Fatalf("the file is not version 2 whole (ranges asked: %q)", sentRanges)
			}
		})
	}
}

func fmtSscanf(rg string, start *int64) (int, error) {
	v, ok := strings.CutPrefix(rg, "bytes=")
	if !ok {
		return 0, errors.New("not bytes")
	}
	n, err := parseInt(strings.TrimSuffix(v, "-"))
	*start = n
	return 1, err
}

// writeQueueFor writes a queue file recording one unfinished download.
func writeQueueFor(t *testing.T, queue, dir, url, etag string, size int64) {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	err := queuefile.Write(queue, queuefile.Queue{Folder: abs, Files: []queuefile.Record{{
		URL: url, Name: "c.bin", Part: "c.bin.part", State: "paused", Size: size, ETag: etag,
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQueueFileDamaged: a queue file cut short or edited is set aside and
// reported, and the engine starts with an empty queue instead of failing.
func TestQueueFileDamaged(t *testing.T) {
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	abs, _ := filepath.Abs(dir)
	if err := queuefile.Write(queue, queuefile.Queue{Folder: abs, Files: []queuefile.Record{{
		URL: "http://127.0.0.1:1/a", Name: "a", Part: "a.part", State: "paused", Size: -1,
	}}}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(queue)
	cases := map[string][]byte{
		"cut short":   good[:len(good)/2],
		"edited":      bytes.Replace(good, []byte(`"a.part"`), []byte(`"b.part"`), 1),
		"empty":       nil,
		"not a queue": []byte("hello\n{}"),
		"escape":      rehash(t, bytes.Replace(good, []byte(`"name":"a"`), []byte(`"name":"../../etc/passwd"`), 1)),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(queue, data, 0o600); err != nil {
				t.Fatal(err)
			}
			e := queueEngine(t, dir, queue)
			if err := e.QueueProblem(); !errors.Is(err, downloader.ErrCorruptQueue) {
				t.Fatalf("QueueProblem = %v, want ErrCorruptQueue", err)
			}
			if ids := e.Restore(); len(ids) != 0 {
				t.Fatalf("restored %d downloads from a damaged file", len(ids))
			}
			aside, _ := filepath.Glob(queue + ".damaged-*")
			if len(aside) == 0 {
				t.Fatal("the damaged file was not kept aside")
			}
			for _, a := range aside {
				os.Remove(a)
			}
			e.Close()
		})
	}
}

// rehash fixes the header checksum of an edited queue file, as an attacker
// would, so that only the name check stands in the way.
func rehash(t *testing.T, data []byte) []byte {
	t.Helper()
	body := bytes.Split(data, []byte{'\n'})[1] // header, body, checksum
	var q queuefile.Queue
	if err := jsonUnmarshal(body, &q); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x")
	if err := queuefile.Write(path, q); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(path)
	return out
}

// TestQueueBusy: a second engine on a queue file in use is refused, and
// told which process holds it.
func TestQueueBusy(t *testing.T) {
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	queueEngine(t, dir, queue)
	_, err := downloader.New(downloader.Options{Dir: dir, QueueFile: queue})
	var busy *downloader.QueueBusyError
	if !errors.As(err, &busy) || !errors.Is(err, downloader.ErrQueueBusy) || busy.PID != os.Getpid() {
		t.Fatalf("second engine: %v, want a QueueBusyError naming process %d", err, os.Getpid())
	}
	if !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Fatalf("%q does not name the holder", err)
	}
}

// TestPreallocatedPartWithoutSegmentsFile: a .part of the whole file's size
// whose segments file is gone may be mostly holes; it must never be taken for
// a finished download.
func TestPreallocatedPartWithoutSegmentsFile(t *testing.T) {
	const size = 300_000
	s := newServer(t)
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	u := s.FileURL("holes.bin", size)
	abs, _ := filepath.Abs(dir)
	if err := queuefile.Write(queue, queuefile.Queue{Folder: abs, Files: []queuefile.Record{{
		URL: u, Name: "holes.bin", Part: "holes.bin.part", State: "paused", Size: size,
	}}}); err != nil {
		t.Fatal(err)
	}
	// Preallocated: the right length, zeros where no segment wrote.
	writePart(t, dir, "holes.bin", make([]byte, size))
	e := queueEngine(t, dir, queue)
	ids := add(t, e, u)
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("%s %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "holes.bin", size)
}

// TestOneConnectionKept: a file whose server once got a Range wrong is not
// split again after a restart.
func TestOneConnectionKept(t *testing.T) {
	const size = 600_000
	s := newServer(t)
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	u := s.FileURL("one.bin", size)
	abs, _ := filepath.Abs(dir)
	if err := queuefile.Write(queue, queuefile.Queue{Folder: abs, Files: []queuefile.Record{{
		URL: u, Name: "one.bin", Part: "one.bin.part", State: "paused", Size: -1, OneConnection: true,
	}}}); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, downloader.Options{Dir: dir, QueueFile: queue, Connections: 4, SegmentThreshold: 64 << 10})
	ids := add(t, e, u)
	wait(t, e)
	checkFile(t, status(t, e, ids[0]).Path, "one.bin", size)
	for _, r := range s.Requests() {
		if r.Range != "" {
			t.Fatalf("asked for a range (%s): the file was split again", r.Range)
		}
	}
}

// TestQueueOfSymlinkedFolder: a folder reached through a symlink has the
// queue of its real path, and one engine holds it whichever name is used.
func TestQueueOfSymlinkedFolder(t *testing.T) {
	base := t.TempDir()
	real, link := filepath.Join(base, "out"), filepath.Join(base, "outlink")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	q1, err1 := downloader.DefaultQueueFile(link)
	q2, err2 := downloader.DefaultQueueFile(real)
	q3, err3 := downloader.DefaultQueueFile(filepath.Join(link, "not-yet"))
	q4, _ := downloader.DefaultQueueFile(filepath.Join(real, "not-yet"))
	if err1 != nil || err2 != nil || err3 != nil || q1 != q2 || q3 != q4 {
		t.Fatalf("queues %q %q %q %q (%v %v %v)", q1, q2, q3, q4, err1, err2, err3)
	}
	queue := filepath.Join(t.TempDir(), "q.queue")
	e := queueEngine(t, link, queue)
	if e.Dir() != real {
		t.Fatalf("Dir() = %q, want the real path %q", e.Dir(), real)
	}
}
