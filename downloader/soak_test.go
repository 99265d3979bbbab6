package downloader_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// soakFiles is how many files TestSoak downloads: the 10,000 of the issue,
// or 2,000 with -short or under the race detector (several times slower).
func soakFiles() int {
	if testing.Short() || raceEnabled {
		return 2000
	}
	return 10000
}

// soakSize gives file i a size between 4 KiB and 16 KiB, mixed so that
// neighbours in the queue differ.
func soakSize(i int) int64 { return 4<<10 + int64(i*7919)%(12<<10+1) }

// Faulty files in the soak: each answers 503 once, then breaks its first body
// with a TCP reset after soakResetAt bytes, so it needs three attempts and the
// last one resumes with a Range request.
const (
	soakFaultEvery = 97
	soakResetAt    = 2000
	soakTTFB       = 20 * time.Millisecond
)

func soakName(i int) string {
	if i%soakFaultEvery == soakFaultEvery-1 {
		return fmt.Sprintf("fault-%05d.bin", i)
	}
	return fmt.Sprintf("file-%05d.bin", i)
}

func isFaulty(name string) bool { return strings.HasPrefix(name, "fault-") }

// openFDs lists this process's open file descriptors (Linux: /proc/self/fd),
// by number, with what each one points to.
func openFDs(t *testing.T) map[string]string {
	t.Helper()
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	fds := make(map[string]string, len(names))
	self := fmt.Sprint(d.Fd())
	for _, n := range names {
		if n == self { // the listing's own descriptor
			continue
		}
		target, _ := os.Readlink("/proc/self/fd/" + n)
		fds[n] = target
	}
	return fds
}

// fdDiff describes descriptors open now that were not open before.
func fdDiff(before, now map[string]string) string {
	var extra []string
	for n, target := range now {
		if before[n] != target {
			extra = append(extra, n+" -> "+target)
		}
	}
	sort.Strings(extra)
	return strings.Join(extra, ", ")
}

// waitFDs waits until exactly extra more descriptors than before are open and
// returns how many are. A connection's descriptor is released when the
// goroutine reading it has noticed the close, a moment after the Close call,
// hence the wait; the count itself must then be exact.
func waitFDs(t *testing.T, before map[string]string, extra int, when string) int {
	t.Helper()
	var now map[string]string
	downloader.Eventually(5*time.Second, func() bool {
		now = openFDs(t)
		return len(now) == len(before)+extra
	})
	if len(now) != len(before)+extra {
		t.Errorf("%d file descriptors open %s, want %d + %d; new: %s",
			len(now), when, len(before), extra, fdDiff(before, now))
	}
	return len(now)
}

// soakTransport counts requests from RoundTrip until their body is closed,
// which is exactly how many the engine has open at once. The server's
// PeakInflight cannot tell this exactly: a handler whose last byte is on the
// wire, or that has just reset its connection, counts until it returns, while
// the client may already have sent its next request (seen: 65 at -j 64, the
// extra one a handler past its reset). It sits on a transport tuned like the
// engine's own (transport.go), and passes CloseIdleConnections on, so that
// the engine's Close reaches it.
type soakTransport struct {
	tr        *http.Transport
	cur, peak atomic.Int32
}

func newSoakTransport() *soakTransport {
	return &soakTransport{tr: &http.Transport{
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: downloader.DefaultStallTimeout,
		DisableCompression:    true,
		ReadBufferSize:        64 << 10,
	}}
}

func (c *soakTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.cur.Add(1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	resp, err := c.tr.RoundTrip(r)
	if err != nil {
		c.cur.Add(-1)
		return nil, err
	}
	resp.Body = &soakBody{ReadCloser: resp.Body, c: c}
	return resp, nil
}

func (c *soakTransport) CloseIdleConnections() { c.tr.CloseIdleConnections() }

type soakBody struct {
	io.ReadCloser
	c    *soakTransport
	once sync.Once
}

func (b *soakBody) Close() error {
	b.once.Do(func() { b.c.cur.Add(-1) })
	return b.ReadCloser.Close()
}

// TestSoak downloads thousands of small files at 64 at once from the loopback
// server, with a few faulty ones mixed in, and checks that every file arrives
// byte-exact, that no more than 64 requests were ever in flight, and that
// closing the engine and the server gives back every goroutine and every file
// descriptor.
func TestSoak(t *testing.T) {
	const parallel = 64
	n := soakFiles()

	// The runtime opens its network poller's descriptors on first use and
	// keeps them; open them now so that they count as already there.
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
	}
	fdsBefore := openFDs(t)
	ignore := goleak.IgnoreCurrent()

	s := dt.NewServer(
		// Latency, so that requests overlap at the server and its peak
		// in flight shows that the load really ran in parallel.
		dt.WithTTFB(soakTTFB),
		dt.WithFailFirst(1, 503),
		dt.WithResetAfter(soakResetAt), dt.WithFaultCount(1),
		dt.WithFaultsOn(isFaulty),
	)
	t.Cleanup(s.Close)
	ct := newSoakTransport()
	e, err := downloader.New(downloader.Options{
		Dir:         t.TempDir(),
		Parallel:    parallel,
		BackoffBase: time.Millisecond,
		BackoffMax:  5 * time.Millisecond,
		HTTPClient:  &http.Client{Transport: ct},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)

	entries := make([]downloader.Entry, n)
	var total int64
	faulty := 0
	for i := range entries {
		entries[i].URL = s.FileURL(soakName(i), soakSize(i))
		total += soakSize(i)
		if isFaulty(soakName(i)) {
			faulty++
		}
	}
	start := time.Now()
	if _, err := e.Add(entries...); err != nil {
		t.Fatal(err)
	}
	// Wait in steps, sampling the heap between them.
	var peakHeap uint64
	var ms runtime.MemStats
	deadline := start.Add(5 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		err := e.Wait(ctx)
		cancel()
		runtime.ReadMemStats(&ms)
		peakHeap = max(peakHeap, ms.HeapInuse)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled after %v: %+v", time.Since(start), e.Snapshot().Totals)
		}
	}
	took := time.Since(start)
	goroutines := runtime.NumGoroutine()

	snap := e.Snapshot()
	if snap.Done != n || snap.Failed != 0 || snap.BytesDone != total {
		t.Fatalf("totals %+v, want %d done, %d bytes", snap.Totals, n, total)
	}
	// Never more requests open than the limit, counted exactly where they
	// are made; and, with every request held up by the TTFB, at least half
	// of the limit at the server, or the soak did not run in parallel.
	if p := ct.peak.Load(); p > parallel {
		t.Errorf("%d requests open at once, limit %d", p, parallel)
	}
	if p := s.PeakInflight(); p < parallel/2 {
		t.Errorf("peak requests in flight at the server %d, want at least %d", p, parallel/2)
	}
	if n := ct.cur.Load(); n != 0 {
		t.Errorf("%d response bodies never closed", n)
	}
	// GETs per file, and which files were resumed where the reset cut them.
	gets := make(map[string]int, n)
	resumed := make(map[string]bool)
	for _, r := range s.Requests() {
		name := strings.TrimPrefix(r.Path, "/f/")
		if r.Method == http.MethodGet {
			gets[name]++
		}
		if r.Range == fmt.Sprintf("bytes=%d-", soakResetAt) {
			resumed[name] = true
		}
	}
	for i, f := range snap.Files {
		name := soakName(i)
		if f.Name != name || f.State != downloader.StateDone {
			t.Fatalf("file %d: %q %v %q, want %q done", i, f.Name, f.State, f.Err, name)
		}
		// A healthy file costs one GET; a faulty one three (503, the reset
		// body, the resumed rest), and no restart from byte 0. (grab also
		// sends a HEAD before it resumes a .part; that is not counted.)
		want := 1
		if isFaulty(name) {
			want = 3
			if !resumed[name] {
				t.Errorf("%s: no request resumed it from byte %d", name, soakResetAt)
			}
		}
		if f.Attempts != want || gets[name] != want {
			t.Errorf("%s: %d attempts, %d GETs; want %d of each", name, f.Attempts, gets[name], want)
		}
		got, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, dt.Content(name, soakSize(i))) {
			t.Fatalf("%s: %d bytes, not the served %d", name, len(got), soakSize(i))
		}
	}
	ents, err := os.ReadDir(e.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != n {
		t.Fatalf("folder holds %d entries, want the %d files (a .part left?)", len(ents), n)
	}
	for _, de := range ents {
		if strings.HasSuffix(de.Name(), ".part") {
			t.Fatalf("%s left behind", de.Name())
		}
	}

	fdsSettled := len(openFDs(t))
	// Closing the engine alone must close every connection it opened: the
	// server then sees EOF on each and closes its end, leaving only its
	// listener. (A server Close would hide a client that kept them.)
	e.Close()
	fdsEngineClosed := waitFDs(t, fdsBefore, 1, "after the engine's Close, beside the server's listener")
	s.Close()
	fdsAfter := waitFDs(t, fdsBefore, 0, "after the engine's and the server's Close")
	goleak.VerifyNone(t, ignore)

	t.Logf("%d files (%d faulty), %.1f MiB at -j %d in %v (%.0f files/s); peak requests open %d (server saw %d); "+
		"peak heap in use %.1f MiB; %d goroutines when settled; "+
		"fds: %d before, %d when settled, %d after the engine's Close, %d after the server's",
		n, faulty, float64(total)/(1<<20), parallel, took.Round(time.Millisecond),
		float64(n)/took.Seconds(), ct.peak.Load(), s.PeakInflight(), float64(peakHeap)/(1<<20), goroutines,
		len(fdsBefore), fdsSettled, fdsEngineClosed, fdsAfter)
}
