package downloader_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// countingLock is a sync.Mutex that counts its holds and notes any overlap.
type countingLock struct {
	mu      sync.Mutex
	holds   atomic.Int32
	holding atomic.Int32
	overlap atomic.Bool
}

func (l *countingLock) Lock() {
	l.mu.Lock()
	if l.holding.Add(1) > 1 {
		l.overlap.Store(true)
	}
	l.holds.Add(1)
}

func (l *countingLock) Unlock() {
	l.holding.Add(-1)
	l.mu.Unlock()
}

// TestGILDownloadsStillScale: with a global lock held whenever a transfer
// handles bytes and released while it waits for the network (CPython's GIL
// around blocking I/O), eight downloads at once still take about as long as
// one, because a download spends its time waiting: the notebooks' answer.
func TestGILDownloadsStillScale(t *testing.T) {
	const n, size = 8, 64 << 10
	s := newServer(t, dt.WithTTFB(100*time.Millisecond), dt.WithRate(256<<10))
	gil := &countingLock{}
	e := newEngine(t, downloader.Options{Parallel: n, GIL: gil})
	t0 := time.Now()
	add(t, e, s.List(n, size)...)
	snap := wait(t, e)
	took := time.Since(t0)
	if snap.Done != n {
		t.Fatalf("%+v", snap.Totals)
	}
	one := 100*time.Millisecond + time.Duration(float64(size)/float64(256<<10)*float64(time.Second)) // 0.35 s
	if took > 3*one {
		t.Fatalf("%d files at once under the GIL took %v; one takes %v: they did not overlap", n, took, one)
	}
	if gil.holds.Load() < n || gil.overlap.Load() || gil.holding.Load() != 0 {
		t.Fatalf("holds %d, overlap %v, still held %d", gil.holds.Load(), gil.overlap.Load(), gil.holding.Load())
	}
}
