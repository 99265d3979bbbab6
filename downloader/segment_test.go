package downloader_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// segThreshold keeps segmented files small enough for fast tests.
const segThreshold = 64 << 10

// rangeStarts returns the first byte of every ranged GET for name.
func rangeStarts(s *dt.Server, name string) []int64 {
	var out []int64
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet || r.Range == "" || !strings.HasSuffix(r.Path, "/"+name) {
			continue
		}
		a, _, _ := strings.Cut(strings.TrimPrefix(r.Range, "bytes="), "-")
		if n, err := strconv.ParseInt(a, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// rangeStart reads the first byte of a request's Range, -1 without one.
func rangeStart(r *http.Request) int64 {
	a, _, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Range"), "bytes="), "-")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// checkSegments fails unless the segments tile [0, size) in order.
func checkSegments(t *testing.T, list *downloader.SegmentList, size int64) {
	t.Helper()
	if list == nil {
		t.Fatal("no segments shown while running")
	}
	segs := *list
	var at int64
	for _, s := range segs {
		if s.Start != at || s.End <= s.Start || s.Done < 0 || s.Done > s.End-s.Start {
			t.Fatalf("segments %+v do not tile a file of %d bytes", segs, size)
		}
		at = s.End
	}
	if at != size {
		t.Fatalf("segments %+v end at %d, not %d", segs, at, size)
	}
}

func TestSegmentsByteExactAroundBoundaries(t *testing.T) {
	s := newServer(t)
	sizes := []int64{segThreshold - 1, segThreshold, segThreshold + 1, 3*segThreshold + 7, 1<<20 + 3, 1_000_003}
	for _, conns := range []int{2, 3, 8} {
		t.Run(fmt.Sprintf("x%d", conns), func(t *testing.T) {
			e := newEngine(t, downloader.Options{Connections: conns, SegmentThreshold: segThreshold, Parallel: 16})
			var urls, names []string
			for _, n := range sizes {
				name := fmt.Sprintf("b%d-%d.bin", conns, n)
				names = append(names, name)
				urls = append(urls, s.FileURL(name, n))
			}
			ids := add(t, e, urls...)
			if snap := wait(t, e); snap.Done != len(sizes) {
				t.Fatalf("%+v", snap.Totals)
			}
			for i, id := range ids {
				f := status(t, e, id)
				checkFile(t, f.Path, names[i], sizes[i])
				if f.Attempts != 1 || f.Done != sizes[i] || f.Segments != nil || f.Connections != 0 {
					t.Errorf("%s: attempts %d done %d segments %v connections %d", names[i], f.Attempts, f.Done, f.Segments, f.Connections)
				}
				starts := rangeStarts(s, names[i])
				switch {
				case sizes[i] < segThreshold && len(starts) != 0:
					t.Errorf("%s: %d bytes, below the threshold, came in %d ranges", names[i], sizes[i], len(starts))
				case sizes[i] >= segThreshold && len(starts) < conns:
					t.Errorf("%s: %d bytes came in %d ranges, want at least %d", names[i], sizes[i], len(starts), conns)
				}
			}
			onlyFiles(t, e.Dir(), sortedNames(names)...)
		})
	}
}

func sortedNames(names []string) []string {
	out := append([]string(nil), names...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// A segment whose request fails is asked again on its own: the file does not
// fail, the other segments are not fetched again, and the retry is logged.
func TestSegmentFailsAndRetries(t *testing.T) {
	const size = 1 << 20
	const second = size / 4 // where the second of four segments starts
	var failed atomic.Int32
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		if rangeStart(r) == second && failed.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	}))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("retry.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Attempts != 1 {
		t.Fatalf("%v after %d attempts: %q", f.State, f.Attempts, f.Err)
	}
	checkFile(t, f.Path, "retry.bin", size)
	if n := failed.Load(); n < 2 {
		t.Fatalf("the failed segment was asked for %d times, want a retry", n)
	}
	var logged bool
	for _, ev := range e.Events(0) {
		logged = logged || (ev.Kind == downloader.EventRetry && strings.Contains(ev.Err, "segment at byte "+strconv.Itoa(second)))
	}
	if !logged {
		t.Errorf("no retry event for the segment: %v", e.Events(0))
	}
	onlyFiles(t, e.Dir(), "retry.bin")
}

// Connections reset mid-body: each segment continues from its last byte.
func TestSegmentResetMidBodyResumes(t *testing.T) {
	const size = 1 << 20
	// The first answer (the probe, dropped after its headers) counts too.
	s := newServer(t, dt.WithResetAfter(100<<10), dt.WithFaultCount(3))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("reset.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Attempts != 1 {
		t.Fatalf("%v after %d attempts: %q", f.State, f.Attempts, f.Err)
	}
	checkFile(t, f.Path, "reset.bin", size)
	if n := len(rangeStarts(s, "reset.bin")); n < 6 {
		t.Fatalf("%d ranged requests: the reset segments were not asked again", n)
	}
}

// A segment that fails every time fails the file once its retries are spent,
// keeping the .part and the segments file; Retry then fetches only what is
// missing.
func TestSegmentExhaustsRetriesThenRetryResumes(t *testing.T) {
	const size = 1 << 20
	const second = size / 4
	var broken atomic.Bool
	broken.Store(true)
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		if broken.Load() && rangeStart(r) == second {
			http.Error(w, "broken", http.StatusInternalServerError)
			return true
		}
		return false
	}))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold, Retries: 2})
	ids := add(t, e, s.FileURL("ex.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateFailed || !strings.Contains(f.Err, "segment at byte "+strconv.Itoa(second)) ||
		!strings.Contains(f.Err, "500") {
		t.Fatalf("%v %q, want failed by the segment at %d", f.State, f.Err, second)
	}
	if f.Done <= 0 || f.Done >= size {
		t.Fatalf("failed with %d of %d bytes kept, want the other segments", f.Done, size)
	}
	for _, p := range []string{f.PartPath, f.PartPath + ".segments"} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("failed download lost %s: %v", p, err)
		}
	}
	broken.Store(false)
	before, missing := s.BytesSent(), size-f.Done
	if err := e.Retry(ids[0]); err != nil {
		t.Fatal(err)
	}
	wait(t, e)
	f = status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("after Retry: %v %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "ex.bin", size)
	if got := s.BytesSent() - before; got < missing || got > missing+4<<10 {
		t.Fatalf("Retry fetched %d bytes, %d were missing", got, missing)
	}
	onlyFiles(t, e.Dir(), "ex.bin")
}

// A server that stops honouring Range half way, or sends a range encoded:
// the file starts over on one connection and never tries segments again.
func TestSegmentsServerStopsHonouringRange(t *testing.T) {
	const size = 1 << 20
	for _, tc := range []struct {
		name string
		hook func(w http.ResponseWriter, r *http.Request)
	}{
		{"200 to a range", func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("Range") // the whole file, 200
		}},
		{"encoded range", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ranged atomic.Int32
			s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Header.Get("Range") != "" && ranged.Add(1) > 3 {
					tc.hook(w, r) // from the fourth range on
				}
				return false
			}))
			e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
			ids := add(t, e, s.FileURL("half.bin", size))
			wait(t, e)
			f := status(t, e, ids[0])
			if f.State != downloader.StateDone {
				t.Fatalf("%v %q", f.State, f.Err)
			}
			checkFile(t, f.Path, "half.bin", size)
			reqs := s.Requests()
			last := reqs[len(reqs)-1]
			if last.Method != http.MethodGet || last.Range != "" {
				t.Fatalf("last request %s Range %q, want a plain GET of the whole file", last.Method, last.Range)
			}
			if ranged.Load() < 4 {
				t.Fatalf("only %d ranged requests: the fault never struck", ranged.Load())
			}
			onlyFiles(t, e.Dir(), "half.bin")
		})
	}
}

// One connection is held up: the others take the rest of its range, and the
// file does not wait for it. The held request is released only once a range
// inside the first segment was asked for, so without stealing the test times
// out instead of passing slowly.
func TestSegmentsWorkStealing(t *testing.T) {
	const size = 1 << 20
	const first = size / 4
	stolen := make(chan struct{})
	var once sync.Once
	var timedOut atomic.Bool
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		switch a := rangeStart(r); {
		case a > 0 && a < first:
			once.Do(func() { close(stolen) })
		case a == 0:
			select {
			case <-stolen:
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				timedOut.Store(true)
			}
		}
		return false
	}))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("steal.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("%v %q", f.State, f.Err)
	}
	if timedOut.Load() {
		t.Fatal("no connection took over part of the held-up segment")
	}
	checkFile(t, f.Path, "steal.bin", size)
}

// The connections of all files together stay within Parallel and PerHost,
// and a single file uses every slot it may.
func TestSegmentsStayWithinLimits(t *testing.T) {
	const size = 2 << 20
	for _, tc := range []struct {
		name              string
		files             int
		parallel, perHost int
		limit             int
	}{
		{"one file, parallel 3", 1, 3, 0, 3},
		{"one file, per host 2", 1, 8, 2, 2},
		{"three files, parallel 5", 3, 5, 0, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, dt.WithRate(1<<20))
			hc, ct := countingClient()
			e := newEngine(t, downloader.Options{Connections: 8, SegmentThreshold: segThreshold,
				Parallel: tc.parallel, PerHost: tc.perHost, HTTPClient: hc})
			add(t, e, s.List(tc.files, size)...)
			most := 0
			waitFor(t, "connections in use", func() bool {
				n := 0
				for _, f := range e.Snapshot().Files {
					n += f.Connections
				}
				most = max(most, n)
				return most >= tc.limit
			})
			// The first answer, dropped after its headers, may still be
			// winding down on the server: count from here.
			s.ResetPeak()
			snap := wait(t, e)
			if snap.Done != tc.files {
				t.Fatalf("%+v", snap.Totals)
			}
			if p := int(ct.peak.Load()); p > tc.limit {
				t.Errorf("client had %d requests open at once, limit %d", p, tc.limit)
			}
			// A connection whose range was stolen closes early and its slot
			// goes on at once; the server notices the close a moment later,
			// so it may count one request too many for that moment.
			if p := s.PeakInflight(); p > tc.limit+1 {
				t.Errorf("server saw %d requests at once, limit %d", p, tc.limit)
			}
			t.Logf("peak requests at once: client %d, server %d; limit %d", ct.peak.Load(), s.PeakInflight(), tc.limit)
		})
	}
}

// Pause keeps what the segments fetched; Resume asks only for the rest.
func TestSegmentsPauseResume(t *testing.T) {
	const size = 2 << 20
	s := newServer(t, dt.WithRate(512<<10))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("pr.bin", size))
	var seen downloader.FileStatus
	waitFor(t, "a third fetched", func() bool {
		seen = status(t, e, ids[0])
		return seen.Done >= size/3
	})
	if seen.Connections < 2 || seen.Size != size {
		t.Errorf("while running: %d connections, size %d", seen.Connections, seen.Size)
	}
	checkSegments(t, seen.Segments, size)
	e.Pause(ids[0])
	waitFor(t, "paused", func() bool { return status(t, e, ids[0]).State == downloader.StatePaused })
	p := status(t, e, ids[0])
	if p.Segments != nil || p.Done < size/3 || p.Done >= size {
		t.Fatalf("paused: segments %v, done %d", p.Segments, p.Done)
	}
	if _, err := os.Stat(p.PartPath + ".segments"); err != nil {
		t.Fatalf("paused without a segments file: %v", err)
	}
	before, missing := s.BytesSent(), size-p.Done
	e.Resume(ids[0])
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("after resume: %v %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "pr.bin", size)
	// Bytes in flight when the pause struck were sent but never written.
	if got := s.BytesSent() - before; got < missing || got > missing+4*64<<10 {
		t.Fatalf("resume fetched %d bytes, %d were missing", got, missing)
	}
	onlyFiles(t, e.Dir(), "pr.bin")
}

// pauseMidway starts a segmented download of name in dir, pauses it with
// some bytes on disk, closes the engine and returns the paused status.
func pauseMidway(t *testing.T, s *dt.Server, dir, name string, size int64) downloader.FileStatus {
	t.Helper()
	e := newEngine(t, downloader.Options{Dir: dir, Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL(name, size))
	waitFor(t, "a quarter fetched", func() bool { return status(t, e, ids[0]).Done >= size/4 })
	e.Pause(ids[0])
	waitFor(t, "paused", func() bool { return status(t, e, ids[0]).State == downloader.StatePaused })
	p := status(t, e, ids[0])
	e.Close()
	return p
}

// A file changed on the server between two runs: the kept bytes are of the
// old one, so the download starts over, in segments again, and delivers the
// new one. A server that honours If-Range answers the first ranges with the
// whole new file (200); one that does not sends the new bytes (206) with the
// new ETag.
func TestSegmentsChangedETagStartsOver(t *testing.T) {
	const size = 1 << 20
	for _, ifRange := range []bool{true, false} {
		t.Run(fmt.Sprintf("if-range honoured %v", ifRange), func(t *testing.T) {
			var changed atomic.Bool
			var v2Ranges atomic.Int32 // ranges asked of the new file by its ETag
			v2 := dt.Content("other.bin", size)
			s := newServer(t, dt.WithRate(256<<10), dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
				if !changed.Load() || !strings.HasPrefix(r.URL.Path, "/f/") {
					return false
				}
				if r.Header.Get("If-Range") == `"v2"` {
					v2Ranges.Add(1)
				}
				if !ifRange {
					r.Header.Del("If-Range")
				}
				w.Header().Set("ETag", `"v2"`)
				http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(v2))
				return true
			}))
			dir := t.TempDir()
			p := pauseMidway(t, s, dir, "ch.bin", size)
			changed.Store(true)
			e := newEngine(t, downloader.Options{Dir: dir, Connections: 4, SegmentThreshold: segThreshold})
			ids := add(t, e, s.FileURL("ch.bin", size))
			if got := status(t, e, ids[0]).Done; got != p.Done && got != 0 {
				// Either resumed from the segments file, or already started over.
				t.Errorf("second run starts from %d bytes, the segments file says %d", got, p.Done)
			}
			wait(t, e)
			f := status(t, e, ids[0])
			if f.State != downloader.StateDone {
				t.Fatalf("%v %q", f.State, f.Err)
			}
			got, err := os.ReadFile(f.Path)
			if err != nil || !bytes.Equal(got, v2) {
				t.Fatalf("the file is not the changed one (%d bytes, %v)", len(got), err)
			}
			if v2Ranges.Load() < 4 {
				t.Errorf("%d ranges of the new file: it was not fetched in segments", v2Ranges.Load())
			}
			onlyFiles(t, dir, "ch.bin")
		})
	}
}

// A damaged segments file is not trusted: the file starts over and comes out
// right.
func TestSegmentsDamagedSidecarStartsOver(t *testing.T) {
	const size = 1 << 20
	s := newServer(t, dt.WithRate(256<<10))
	dir := t.TempDir()
	p := pauseMidway(t, s, dir, "dmg.bin", size)
	side := p.PartPath + ".segments"
	data, err := os.ReadFile(side)
	if err != nil {
		t.Fatal(err)
	}
	// Say the first unfinished segment is done: only the checksum tells.
	lines := bytes.Split(data, []byte("\n")) // header, body, checksum
	body := lines[1]
	var sc struct {
		Segments [][3]int64 `json:"segments"`
	}
	if err := json.Unmarshal(body, &sc); err != nil || len(sc.Segments) == 0 {
		t.Fatalf("segments file %q: %v", data, err)
	}
	seg := sc.Segments[0]
	from := fmt.Sprintf("[%d,%d,%d]", seg[0], seg[1], seg[2])
	to := fmt.Sprintf("[%d,%d,%d]", seg[0], seg[2], seg[2])
	if !bytes.Contains(body, []byte(from)) {
		t.Fatalf("no %s in %q", from, body)
	}
	lines[1] = bytes.Replace(body, []byte(from), []byte(to), 1)
	data = bytes.Join(lines, []byte("\n"))
	if err := os.WriteFile(side, data, 0o644); err != nil {
		t.Fatal(err)
	}
	before := s.BytesSent()
	e := newEngine(t, downloader.Options{Dir: dir, Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("dmg.bin", size))
	if got := status(t, e, ids[0]).Done; got != 0 {
		t.Errorf("a damaged segments file counts %d bytes as done", got)
	}
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("%v %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "dmg.bin", size)
	if got := s.BytesSent() - before; got < size {
		t.Fatalf("fetched %d bytes after a damaged segments file, want the whole %d again", got, size)
	}
	onlyFiles(t, dir, "dmg.bin")
}

// A segments file with no .part beside it is stray and goes.
func TestSegmentsStraySidecarRemoved(t *testing.T) {
	s := newServer(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stray.bin.part.segments"), []byte("potok-segments 1 00\n{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, downloader.Options{Dir: dir, Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("stray.bin", 1000)) // below the threshold: no segments file of its own
	wait(t, e)
	checkFile(t, status(t, e, ids[0]).Path, "stray.bin", 1000)
	onlyFiles(t, dir, "stray.bin")
}

func TestSegmentsChecksum(t *testing.T) {
	const size = 500_000
	s := newServer(t)
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	good := sha256.Sum256(dt.Content("ok.bin", size))
	ids, err := e.Add(
		downloader.Entry{URL: s.FileURL("ok.bin", size), SHA256: good[:]},
		downloader.Entry{URL: s.FileURL("bad.bin", size), SHA256: good[:]},
	)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, e)
	if f := status(t, e, ids[0]); f.State != downloader.StateDone {
		t.Fatalf("good checksum: %v %q", f.State, f.Err)
	}
	if f := status(t, e, ids[1]); f.State != downloader.StateFailed || !strings.Contains(f.Err, "checksum mismatch") {
		t.Fatalf("bad checksum: %v %q", f.State, f.Err)
	}
	if len(rangeStarts(s, "bad.bin")) < 4 {
		t.Fatal("the file was not fetched in segments")
	}
	onlyFiles(t, e.Dir(), "ok.bin")
}

// Cancel removes the segments file with the .part.
func TestSegmentsCancel(t *testing.T) {
	s := newServer(t, dt.WithRate(256<<10))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("cx.bin", 1<<20))
	waitFor(t, "bytes flowing", func() bool { return status(t, e, ids[0]).Done > 0 })
	if _, err := os.Stat(status(t, e, ids[0]).PartPath + ".segments"); err != nil {
		t.Fatalf("running without a segments file: %v", err)
	}
	e.Cancel(ids[0])
	wait(t, e)
	onlyFiles(t, e.Dir())
}

// A server announcing more bytes than the disk has fails at once, in words,
// without allocating or writing them.
func TestSegmentsHugeFileDiskFull(t *testing.T) {
	s := newServer(t)
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ids := add(t, e, s.FileURL("huge.bin", 1<<50))
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	f := status(t, e, ids[0])
	if f.State != downloader.StateFailed || !strings.Contains(f.Err, "not enough space: the file needs 1.0 PiB") || f.Attempts != 1 {
		t.Fatalf("%v after %d attempts: %q", f.State, f.Attempts, f.Err)
	}
	onlyFiles(t, e.Dir())
}

// SetConnections applies to files that start afterwards.
func TestSetConnections(t *testing.T) {
	s := newServer(t)
	e := newEngine(t, downloader.Options{SegmentThreshold: segThreshold})
	if e.Connections() != 8 {
		t.Fatalf("default %d connections, want 8", e.Connections())
	}
	e.SetConnections(100)
	if e.Connections() != 32 {
		t.Fatalf("%d connections after asking for 100, want the cap of 32", e.Connections())
	}
	e.SetConnections(1)
	add(t, e, s.FileURL("one.bin", 1<<20))
	wait(t, e)
	if n := len(rangeStarts(s, "one.bin")); n != 0 {
		t.Fatalf("%d ranged requests at one connection per file", n)
	}
}

// A symlink or folder where a download's segments file would go is never
// followed: the download takes the next free name.
func TestSegmentsFileNameTakenBySymlink(t *testing.T) {
	s := newServer(t)
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "ln.bin.part.segments")); err != nil {
		t.Skip("no symlinks here")
	}
	e := newEngine(t, downloader.Options{Dir: dir, Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("ln.bin", 300_000))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Name != "ln (1).bin" {
		t.Fatalf("%v as %q: %q", f.State, f.Name, f.Err)
	}
	checkFile(t, f.Path, "ln.bin", 300_000)
	if b, err := os.ReadFile(victim); err != nil || string(b) != "keep" {
		t.Fatalf("the symlink's target became %q, %v", b, err)
	}
}

// A running segmented file grows to a raised connection count: the new
// connections take halves of the ranges in progress.
func TestSetConnectionsWhileRunning(t *testing.T) {
	const size = 4 << 20
	s := newServer(t, dt.WithRate(512<<10))
	e := newEngine(t, downloader.Options{Connections: 2, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("grow.bin", size))
	waitFor(t, "two connections", func() bool { return status(t, e, ids[0]).Connections == 2 })
	e.SetConnections(6)
	waitFor(t, "six connections", func() bool { return status(t, e, ids[0]).Connections == 6 })
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("%v %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "grow.bin", size)
}

// Segments go straight to where the first request's redirects led.
func TestSegmentsFollowRedirectsOnce(t *testing.T) {
	const size = 1 << 20
	s := newServer(t, dt.WithRedirects(2))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: segThreshold})
	ids := add(t, e, s.FileURL("redir.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("%v %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "redir.bin", size)
	hops, ranged := 0, 0
	for _, r := range s.Requests() {
		switch {
		case r.Range != "" && !strings.Contains(r.RawQuery, "redirected=1"):
			t.Errorf("a range went to %s?%s, not to the redirect's target", r.Path, r.RawQuery)
		case r.Range != "":
			ranged++
		case strings.HasPrefix(r.Path, "/r/"):
			hops++
		}
	}
	if hops != 1 || ranged < 4 {
		t.Fatalf("%d intermediate hops, %d ranges; want the chain followed once and at least 4 ranges", hops, ranged)
	}
}
