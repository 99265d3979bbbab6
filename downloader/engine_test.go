package downloader_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, toxiproxyLeaks...) }

// newEngine returns an engine on a fresh folder with fast retries, closed when
// the test ends.
func newEngine(t *testing.T, o downloader.Options) *downloader.Engine {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = time.Millisecond
		o.BackoffMax = 5 * time.Millisecond
	}
	e, err := downloader.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func newServer(t *testing.T, opts ...dt.Option) *dt.Server {
	t.Helper()
	s := dt.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

func add(t *testing.T, e *downloader.Engine, urls ...string) []downloader.ID {
	t.Helper()
	var en []downloader.Entry
	for _, u := range urls {
		en = append(en, downloader.Entry{URL: u})
	}
	ids, err := e.Add(en...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func wait(t *testing.T, e *downloader.Engine) downloader.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		t.Fatalf("downloads did not settle: %v\n%+v", err, e.Snapshot().Totals)
	}
	return e.Snapshot()
}

func status(t *testing.T, e *downloader.Engine, id downloader.ID) downloader.FileStatus {
	t.Helper()
	for _, f := range e.Snapshot().Files {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no file %d", id)
	return downloader.FileStatus{}
}

// waitFor polls cond with a deadline (wait_test.go): no fixed sleeps to wait
// for results.
var waitFor = downloader.WaitFor

func checkFile(t *testing.T, path, name string, size int64) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, dt.Content(name, size)) {
		t.Fatalf("%s: %d bytes, not the served content of %s (%d bytes)", path, len(got), name, size)
	}
}

// onlyFiles lists the folder, failing if anything but the given names is there.
func onlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("folder holds %q, want %q", got, want)
	}
}

func TestDownloadsManyFilesByteExact(t *testing.T) {
	s := newServer(t)
	e := newEngine(t, downloader.Options{Parallel: 4})
	sizes := []int64{0, 1, 4095, 32 << 10, 32<<10 + 1, 1 << 20}
	var urls, names []string
	for i, n := range sizes {
		name := "f" + string(rune('a'+i)) + ".bin"
		names = append(names, name)
		urls = append(urls, s.FileURL(name, n))
	}
	add(t, e, urls...)
	snap := wait(t, e)
	if snap.Done != len(sizes) || snap.Failed != 0 {
		t.Fatalf("totals %+v", snap.Totals)
	}
	var total int64
	for i, f := range snap.Files {
		checkFile(t, f.Path, names[i], sizes[i])
		if f.Size != sizes[i] || f.Done != sizes[i] || f.Attempts != 1 {
			t.Errorf("%s: size %d done %d attempts %d", f.Name, f.Size, f.Done, f.Attempts)
		}
		total += sizes[i]
	}
	if snap.BytesDone != total || snap.BytesTotal != total {
		t.Errorf("totals bytes %d/%d, want %d", snap.BytesDone, snap.BytesTotal, total)
	}
	onlyFiles(t, e.Dir(), names...)
	evs := e.Events(0)
	if len(evs) != len(sizes) || !strings.HasPrefix(evs[0].String(), "worker ") ||
		!strings.Contains(evs[0].String(), " finished ") {
		t.Fatalf("events %v", evs)
	}
}

// countingTransport measures concurrency on the client side: a response counts
// from the request until its body is closed.
type countingTransport struct {
	rt        http.RoundTripper
	cur, peak atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.cur.Add(1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	resp, err := c.rt.RoundTrip(r)
	if err != nil {
		c.cur.Add(-1)
		return nil, err
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, c: c}
	return resp, nil
}

type countedBody struct {
	io.ReadCloser
	c    *countingTransport
	once sync.Once
}

func (b *countedBody) Close() error {
	b.once.Do(func() { b.c.cur.Add(-1) })
	return b.ReadCloser.Close()
}

func countingClient() (*http.Client, *countingTransport) {
	ct := &countingTransport{rt: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	return &http.Client{Transport: ct}, ct
}

func TestLimitGrowsAndShrinksWhileRunning(t *testing.T) {
	s := newServer(t, dt.WithRate(64<<10))
	hc, ct := countingClient()
	e := newEngine(t, downloader.Options{Parallel: 2, HTTPClient: hc})
	add(t, e, s.List(24, 16<<10)...)
	waitFor(t, "2 running", func() bool { return e.Snapshot().Running == 2 })
	if p := ct.peak.Load(); p > 2 {
		t.Fatalf("peak %d at limit 2", p)
	}
	e.SetLimit(8)
	waitFor(t, "8 running after growing", func() bool { return e.Snapshot().Running == 8 })
	e.SetLimit(1)
	waitFor(t, "1 slot held after shrinking", func() bool { return e.Snapshot().Active <= 1 })
	ct.peak.Store(ct.cur.Load())
	snap := wait(t, e)
	if p := ct.peak.Load(); p > 1 {
		t.Fatalf("peak %d after shrinking to 1", p)
	}
	if snap.Done != 24 || e.Limit() != 1 {
		t.Fatalf("done %d limit %d", snap.Done, e.Limit())
	}
}

func TestPerHostCap(t *testing.T) {
	s := newServer(t, dt.WithTTFB(20*time.Millisecond))
	hc, ct := countingClient()
	e := newEngine(t, downloader.Options{Parallel: 8, PerHost: 3, HTTPClient: hc})
	add(t, e, s.List(12, 1024)...)
	if snap := wait(t, e); snap.Done != 12 {
		t.Fatalf("%+v", snap.Totals)
	}
	if p := ct.peak.Load(); p != 3 {
		t.Fatalf("peak %d, want 3 (per-host cap)", p)
	}
}

func TestNames(t *testing.T) {
	s := newServer(t)
	t.Run("content disposition, hostile", func(t *testing.T) {
		e := newEngine(t, downloader.Options{})
		ids := add(t, e,
			s.FileURL("a.bin", 100)+"&cd="+urlq(`attachment; filename="../../evil.txt"`),
			s.FileURL("b.bin", 100)+"&cd="+urlq(`attachment; filename*=UTF-8''%E2%82%AC%2F..%2Fx.txt`),
			s.FileURL("c.bin", 100)+"&cd="+urlq(`attachment; filename="CON"`),
		)
		wait(t, e)
		onlyFiles(t, e.Dir(), "_CON", "evil.txt", "x.txt")
		checkFile(t, status(t, e, ids[0]).Path, "a.bin", 100)
	})
	t.Run("same name twice gets two files", func(t *testing.T) {
		e := newEngine(t, downloader.Options{})
		add(t, e, s.FileURL("same.bin", 10), s.URL+"/f/same.bin?size=20")
		wait(t, e)
		onlyFiles(t, e.Dir(), "same (1).bin", "same.bin")
	})
	t.Run("finished file never overwritten", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "keep.bin"), []byte("mine"), 0o644)
		e := newEngine(t, downloader.Options{Dir: dir})
		ids := add(t, e, s.FileURL("keep.bin", 50))
		wait(t, e)
		if b, _ := os.ReadFile(filepath.Join(dir, "keep.bin")); string(b) != "mine" {
			t.Fatal("existing file overwritten")
		}
		if f := status(t, e, ids[0]); f.Name != "keep (1).bin" {
			t.Fatalf("name %q", f.Name)
		}
	})
	t.Run("content disposition name taken on disk", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "report.pdf"), []byte("mine"), 0o644)
		e := newEngine(t, downloader.Options{Dir: dir})
		add(t, e, s.FileURL("x", 5)+"&cd="+urlq(`attachment; filename="report.pdf"`))
		wait(t, e)
		onlyFiles(t, dir, "report (1).pdf", "report.pdf")
	})
	t.Run("symlink where the part file goes is never followed", func(t *testing.T) {
		dir, outside := t.TempDir(), t.TempDir()
		target := filepath.Join(outside, "victim")
		os.WriteFile(target, []byte("safe"), 0o644)
		os.Symlink(target, filepath.Join(dir, "link.bin.part"))
		e := newEngine(t, downloader.Options{Dir: dir})
		ids := add(t, e, s.FileURL("link.bin", 64))
		wait(t, e)
		if b, _ := os.ReadFile(target); string(b) != "safe" {
			t.Fatal("wrote through a symlink")
		}
		checkFile(t, status(t, e, ids[0]).Path, "link.bin", 64)
		if status(t, e, ids[0]).Name != "link (1).bin" {
			t.Fatalf("name %q", status(t, e, ids[0]).Name)
		}
	})
}

func urlq(s string) string { return url.QueryEscape(s) }

// writePart leaves a partial file as an interrupted run would.
func writePart(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name+".part"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResume starts from a .part left by someone else (no queue file, so no
// record of what it is a copy of). It is continued only when the server
// offers no validator either; otherwise its bytes could be of another
// version of the file, and it starts over. The resume is one ranged GET:
// never a HEAD first.
func TestResume(t *testing.T) {
	const size, have = 300_000, 100_000
	tests := []struct {
		name      string
		opts      []dt.Option
		wantSent  int64 // bytes the file needed from the server
		extra     int64 // at most this many more: a refused body is dropped after its headers
		keepsPart bool  // the .part's bytes are the file's
	}{
		{name: "range honoured, no validators anywhere", opts: []dt.Option{dt.WithETag(false)}, wantSent: size - have, keepsPart: true},
		{name: "range honoured, validators never recorded starts over", wantSent: size, extra: size},
		{name: "range ignored starts over", opts: []dt.Option{dt.WithIgnoreRange(), dt.WithETag(false)}, wantSent: size, extra: size},
		{name: "no ranges starts over", opts: []dt.Option{dt.WithRanges(false), dt.WithETag(false)}, wantSent: size, extra: size},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.opts...)
			dir := t.TempDir()
			part := dt.Content("r.bin", have)
			if !tc.keepsPart {
				// Wrong bytes: only a real start-over gives the right file.
				part = bytes.Repeat([]byte{0xEE}, have)
			}
			writePart(t, dir, "r.bin", part)
			e := newEngine(t, downloader.Options{Dir: dir})
			ids := add(t, e, s.FileURL("r.bin", size))
			if snap := wait(t, e); snap.Done != 1 {
				t.Fatalf("%+v %q", snap.Totals, snap.Files[0].Err)
			}
			checkFile(t, status(t, e, ids[0]).Path, "r.bin", size)
			onlyFiles(t, dir, "r.bin")
			ranged := false
			for _, r := range s.Requests() {
				ranged = ranged || (r.Method == http.MethodGet && r.Range != "")
				if r.Method == http.MethodHead {
					t.Errorf("a HEAD was sent: a resume is one ranged GET")
				}
			}
			if !ranged {
				t.Errorf("no ranged GET: the .part was not tried")
			}
			if got := s.BytesSent(); got < tc.wantSent || got > tc.wantSent+tc.extra {
				t.Errorf("server sent %d bytes, want %d (+%d at most)", got, tc.wantSent, tc.extra)
			}
		})
	}
}

func TestPartLargerThanRemoteStartsOver(t *testing.T) {
	s := newServer(t)
	dir := t.TempDir()
	writePart(t, dir, "big.bin", bytes.Repeat([]byte{1}, 5000))
	e := newEngine(t, downloader.Options{Dir: dir})
	ids := add(t, e, s.FileURL("big.bin", 3000))
	wait(t, e)
	checkFile(t, status(t, e, ids[0]).Path, "big.bin", 3000)
}

func TestRetries(t *testing.T) {
	const size = 200_000
	tests := []struct {
		name     string
		opts     []dt.Option
		stall    time.Duration
		state    downloader.State
		attempts int
		errHas   string
	}{
		{name: "503 twice then ok", opts: []dt.Option{dt.WithFailFirst(2, 503)}, state: downloader.StateDone, attempts: 3},
		{name: "408 then ok", opts: []dt.Option{dt.WithFailFirst(1, 408)}, state: downloader.StateDone, attempts: 2},
		{name: "404 not retried", opts: []dt.Option{dt.WithStatus(404)}, state: downloader.StateFailed, attempts: 1, errHas: "404"},
		{name: "403 not retried", opts: []dt.Option{dt.WithStatus(403)}, state: downloader.StateFailed, attempts: 1, errHas: "403"},
		{name: "500 forever gives up", opts: []dt.Option{dt.WithStatus(500)}, state: downloader.StateFailed, attempts: 4, errHas: "500"},
		{name: "short body resumes", opts: []dt.Option{dt.WithShortBody(70_000), dt.WithFaultCount(1)}, state: downloader.StateDone, attempts: 2},
		// The first attempt's 70 kB are progress, so they do not count
		// against the 3 retries; each later one brings nothing new.
		{name: "short body always fails", opts: []dt.Option{dt.WithShortBody(70_000), dt.WithRanges(false)}, state: downloader.StateFailed, attempts: 5, errHas: "before the whole file"},
		{name: "reset mid body", opts: []dt.Option{dt.WithResetAfter(50_000), dt.WithFaultCount(2)}, state: downloader.StateDone, attempts: 3},
		{name: "stall", opts: []dt.Option{dt.WithStallAfter(10_000), dt.WithFaultCount(1)}, stall: 150 * time.Millisecond, state: downloader.StateDone, attempts: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.opts...)
			e := newEngine(t, downloader.Options{Retries: 3, StallTimeout: tc.stall})
			ids := add(t, e, s.FileURL("x.bin", size))
			wait(t, e)
			f := status(t, e, ids[0])
			if f.State != tc.state || f.Attempts != tc.attempts || !strings.Contains(f.Err, tc.errHas) {
				t.Fatalf("state %v attempts %d err %q; want %v %d %q", f.State, f.Attempts, f.Err, tc.state, tc.attempts, tc.errHas)
			}
			if f.State == downloader.StateDone {
				checkFile(t, f.Path, "x.bin", size)
				onlyFiles(t, e.Dir(), "x.bin")
			} else if _, err := os.Stat(filepath.Join(e.Dir(), "x.bin")); err == nil {
				t.Fatal("a failed download left a final file")
			}
		})
	}
}

func TestShortBodyNeverComplete(t *testing.T) {
	// One attempt only: what arrived stays a .part, never the final name.
	s := newServer(t, dt.WithShortBody(1000))
	e := newEngine(t, downloader.Options{Retries: -1})
	ids := add(t, e, s.FileURL("cut.bin", 5000))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateFailed || f.Done != 1000 {
		t.Fatalf("state %v done %d", f.State, f.Done)
	}
	onlyFiles(t, e.Dir(), "cut.bin.part")
}

func TestRetryAfterHonoured(t *testing.T) {
	s := newServer(t, dt.WithFailFirst(1, 429), dt.WithRetryAfter("1"))
	e := newEngine(t, downloader.Options{})
	t0 := time.Now()
	ids := add(t, e, s.FileURL("ra.bin", 10))
	waitFor(t, "retry scheduled", func() bool { return !status(t, e, ids[0]).RetryAt.IsZero() })
	if f := status(t, e, ids[0]); f.State != downloader.StateQueued || !strings.Contains(f.Err, "429") {
		t.Fatalf("while waiting: %v %q", f.State, f.Err)
	}
	wait(t, e)
	if d := time.Since(t0); d < time.Second {
		t.Fatalf("retried after %v despite Retry-After: 1", d)
	}
	if f := status(t, e, ids[0]); f.State != downloader.StateDone || f.Err != "" {
		t.Fatalf("%v %q", f.State, f.Err)
	}
}

// TestRetryAfterTooLongFails: a server that asks to be left alone for
// longer than MaxRetryAfter fails the file, saying when to come back: in a
// duration while that is short enough to read, else as a date.
func TestRetryAfterTooLongFails(t *testing.T) {
	for _, tc := range []struct{ header, says string }{
		{"7200", "the server asks to retry in 2h0m0s"},
		{"Thu, 01 Jan 2099 00:00:00 GMT", "the server asks to retry after 2099-01-01 00:00 UTC"},
	} {
		s := newServer(t, dt.WithStatus(503), dt.WithRetryAfter(tc.header))
		e := newEngine(t, downloader.Options{})
		ids := add(t, e, s.FileURL("later.bin", 10))
		wait(t, e)
		if f := status(t, e, ids[0]); f.State != downloader.StateFailed || f.Attempts != 1 || !strings.Contains(f.Err, tc.says) {
			t.Fatalf("Retry-After %q: %v %d %q; want it to say %q", tc.header, f.State, f.Attempts, f.Err, tc.says)
		}
	}
}

func TestNoContentLength(t *testing.T) {
	s := newServer(t, dt.WithoutContentLength())
	e := newEngine(t, downloader.Options{})
	ids := add(t, e, s.FileURL("nolen.bin", 123_456))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Size != 123_456 {
		t.Fatalf("%v size %d", f.State, f.Size)
	}
	checkFile(t, f.Path, "nolen.bin", 123_456)
}

func TestRedirects(t *testing.T) {
	t.Run("followed", func(t *testing.T) {
		s := newServer(t, dt.WithRedirects(3))
		e := newEngine(t, downloader.Options{})
		ids := add(t, e, s.FileURL("r.bin", 1000))
		wait(t, e)
		checkFile(t, status(t, e, ids[0]).Path, "r.bin", 1000)
	})
	t.Run("more than 10 hops", func(t *testing.T) {
		s := newServer(t, dt.WithRedirects(11))
		e := newEngine(t, downloader.Options{})
		ids := add(t, e, s.FileURL("r.bin", 1000))
		wait(t, e)
		if f := status(t, e, ids[0]); f.State != downloader.StateFailed || f.Attempts != 1 || !strings.Contains(f.Err, "redirects") {
			t.Fatalf("%v %d %q", f.State, f.Attempts, f.Err)
		}
	})
	t.Run("to another scheme", func(t *testing.T) {
		s := newServer(t)
		e := newEngine(t, downloader.Options{})
		ids := add(t, e, s.URL+"/redirect?to="+urlq("file:///etc/passwd"))
		wait(t, e)
		if f := status(t, e, ids[0]); f.State != downloader.StateFailed || !strings.Contains(f.Err, "file") {
			t.Fatalf("%v %q", f.State, f.Err)
		}
		onlyFiles(t, e.Dir())
	})
}

func TestChecksum(t *testing.T) {
	s := newServer(t)
	e := newEngine(t, downloader.Options{})
	good := sha256.Sum256(dt.Content("ok.bin", 999))
	bad := sha256.Sum256([]byte("something else"))
	ids, err := e.Add(
		downloader.Entry{URL: s.FileURL("ok.bin", 999), SHA256: good[:]},
		downloader.Entry{URL: s.FileURL("bad.bin", 999), SHA256: bad[:]},
	)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, e)
	if f := status(t, e, ids[0]); f.State != downloader.StateDone {
		t.Fatalf("good checksum: %v %q", f.State, f.Err)
	}
	f := status(t, e, ids[1])
	if f.State != downloader.StateFailed || !strings.Contains(f.Err, "checksum mismatch") || f.Attempts != 1 {
		t.Fatalf("bad checksum: %v %d %q", f.State, f.Attempts, f.Err)
	}
	onlyFiles(t, e.Dir(), "ok.bin")
}

func TestPauseResumeCancel(t *testing.T) {
	const size = 400_000
	s := newServer(t, dt.WithRate(400<<10))
	e := newEngine(t, downloader.Options{Parallel: 4})
	ids := add(t, e, s.FileURL("p.bin", size), s.FileURL("c.bin", size), s.FileURL("q.bin", size))
	waitFor(t, "bytes flowing", func() bool {
		snap := e.Snapshot()
		return snap.Files[0].Done > 50_000 && snap.Files[1].Done > 0 && snap.Files[2].Done > 0
	})
	if f := status(t, e, ids[0]); f.Speed <= 0 || f.Size != size || f.Worker == 0 {
		t.Errorf("while running: speed %v size %d worker %d", f.Speed, f.Size, f.Worker)
	}
	e.Pause(ids[0])
	e.Cancel(ids[1])
	e.Pause(ids[2])
	waitFor(t, "paused and cancelled", func() bool {
		snap := e.Snapshot()
		return snap.Files[0].State == downloader.StatePaused && snap.Files[1].State == downloader.StateCancelled &&
			snap.Files[2].State == downloader.StatePaused
	})
	p := status(t, e, ids[0])
	fi, err := os.Stat(p.PartPath)
	if err != nil || fi.Size() == 0 || fi.Size() != p.Done {
		t.Fatalf("paused: part %v %v, done %d", fi, err, p.Done)
	}
	if _, err := os.Stat(status(t, e, ids[1]).PartPath); !os.IsNotExist(err) {
		t.Fatalf("cancelled part still there: %v", err)
	}
	e.Cancel(ids[2]) // cancelling a paused download removes its part at once
	if _, err := os.Stat(status(t, e, ids[2]).PartPath); !os.IsNotExist(err) {
		t.Fatalf("cancelled paused part still there: %v", err)
	}
	e.Resume(ids[0])
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("after resume: %v %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "p.bin", size)
	var last string
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/p.bin") && r.Method == http.MethodGet {
			last = r.Range
		}
	}
	if want := "bytes=" + strconv.FormatInt(p.Done, 10) + "-"; last != want {
		t.Fatalf("resume asked for %q, want %q", last, want)
	}
	onlyFiles(t, e.Dir(), "p.bin")
	e.Retry(ids[1])
	wait(t, e)
	checkFile(t, status(t, e, ids[1]).Path, "c.bin", size)
}

func TestRetryFailedFile(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		if broken.Load() {
			http.Error(w, "gone", http.StatusNotFound)
			return true
		}
		return false
	}))
	e := newEngine(t, downloader.Options{})
	ids := add(t, e, s.FileURL("later.bin", 77))
	if snap := wait(t, e); snap.Failed != 1 {
		t.Fatalf("%+v", snap.Totals)
	}
	broken.Store(false)
	e.RetryFailed()
	wait(t, e)
	if f := status(t, e, ids[0]); f.State != downloader.StateDone || f.Attempts != 1 || f.Err != "" {
		t.Fatalf("%v %d %q", f.State, f.Attempts, f.Err)
	}
}

func TestPauseAllResumeAllCancelAll(t *testing.T) {
	s := newServer(t, dt.WithRate(200<<10))
	e := newEngine(t, downloader.Options{Parallel: 2})
	// 10 s per file at this rate: none can finish before the commands land.
	add(t, e, s.List(6, 2_000_000)...)
	waitFor(t, "two running", func() bool { return e.Snapshot().Running == 2 })
	e.PauseAll()
	if snap := wait(t, e); snap.Paused != 6 {
		t.Fatalf("after PauseAll %+v", snap.Totals)
	}
	e.ResumeAll()
	waitFor(t, "running again", func() bool { return e.Snapshot().Running > 0 })
	e.CancelAll()
	if snap := wait(t, e); snap.Cancelled+snap.Done != 6 || snap.Cancelled == 0 {
		t.Fatalf("after CancelAll %+v", snap.Totals)
	}
	ents, _ := os.ReadDir(e.Dir())
	for _, d := range ents {
		if strings.HasSuffix(d.Name(), ".part") {
			t.Fatalf("cancelled part kept: %s", d.Name())
		}
	}
}

func TestRateLimit(t *testing.T) {
	s := newServer(t)
	e := newEngine(t, downloader.Options{RateLimit: 400 << 10, Parallel: 4})
	t0 := time.Now()
	add(t, e, s.List(4, 100<<10)...)
	wait(t, e)
	// 400 KiB at 400 KiB/s: about a second (the first burst is free).
	if d := time.Since(t0); d < 800*time.Millisecond {
		t.Fatalf("400 KiB at 400 KiB/s took %v", d)
	}
	if e.RateLimit() != 400<<10 {
		t.Fatalf("RateLimit %d", e.RateLimit())
	}
}

func TestCloseKeepsPartsAndLeaksNothing(t *testing.T) {
	s := newServer(t, dt.WithRate(100<<10))
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	e, err := downloader.New(downloader.Options{Dir: dir, Parallel: 3, QueueFile: queue})
	if err != nil {
		t.Fatal(err)
	}
	add(t, e, s.List(5, 1<<20)...)
	waitFor(t, "bytes on disk", func() bool { return e.Snapshot().BytesDone > 0 })
	e.Close()
	snap := e.Snapshot()
	if snap.Paused != 5 {
		t.Fatalf("after Close: %+v", snap.Totals)
	}
	if _, err := e.Add(downloader.Entry{URL: s.FileURL("late", 1)}); !errors.Is(err, downloader.ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	// A new engine on the same folder and queue resumes what the first one kept.
	e2 := newEngine(t, downloader.Options{Dir: dir, Parallel: 5, QueueFile: queue})
	add(t, e2, s.List(5, 1<<20)...)
	before := snap.BytesDone
	if snap2 := e2.Snapshot(); snap2.BytesDone != before {
		t.Fatalf("second engine sees %d bytes on disk, first kept %d", snap2.BytesDone, before)
	}
}

func TestLargeFileGetsBigBuffer(t *testing.T) {
	const size = 20 << 20
	s := newServer(t)
	e := newEngine(t, downloader.Options{Connections: 1}) // one connection: segments have buffers of their own
	ids := add(t, e, s.FileURL("big.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Attempts != 1 {
		t.Fatalf("%v attempts %d %q", f.State, f.Attempts, f.Err)
	}
	checkFile(t, f.Path, "big.bin", size)
	var gets, heads int
	for _, r := range s.Requests() {
		switch r.Method {
		case http.MethodGet:
			gets++
			if r.Range != "" {
				t.Errorf("unexpected Range %q", r.Range)
			}
		case http.MethodHead:
			heads++
		}
	}
	if gets != 2 || heads != 0 {
		t.Fatalf("%d GETs and %d HEADs; want the small-buffer GET dropped and one plain GET", gets, heads)
	}
}

func TestSlowHeadersTimeOutAndRetry(t *testing.T) {
	s := newServer(t, dt.WithTTFB(5*time.Second))
	e := newEngine(t, downloader.Options{Retries: 1, HeaderTimeout: 50 * time.Millisecond})
	ids := add(t, e, s.FileURL("slow.bin", 10))
	wait(t, e)
	if f := status(t, e, ids[0]); f.State != downloader.StateFailed || f.Attempts != 2 || !strings.Contains(f.Err, "timed out") {
		t.Fatalf("%v attempts %d %q", f.State, f.Attempts, f.Err)
	}
}

// A pause that arrives before a download's goroutine has started must still
// hold: nothing may download after PauseAll, however soon it follows Add.
func TestPauseRightAfterAdd(t *testing.T) {
	s := newServer(t, dt.WithRate(50<<10))
	for range 20 {
		e := newEngine(t, downloader.Options{Parallel: 8})
		add(t, e, s.List(40, 1<<20)...)
		e.PauseAll()
		if snap := wait(t, e); snap.Paused != 40 {
			t.Fatalf("after PauseAll right after Add: %+v", snap.Totals)
		}
		e.Close()
	}
}
