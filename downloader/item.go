package downloader

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cavaliergopher/grab/v3"
)

// ID names one download in an Engine.
type ID int64

// item is one download. Counters the transfer updates often are atomics so that
// polling never waits on a transfer; the rest is guarded by mu.
type item struct {
	id     ID
	url    string
	host   string
	origin string // of url: its credentials go only there
	sum    []byte

	state    atomic.Int32
	done     atomic.Int64 // bytes on disk when no transfer is live
	size     atomic.Int64 // -1 while unknown
	attempts atomic.Int32
	fetched  atomic.Int64 // bytes that arrived in this engine, kept or not
	liveBase atomic.Int64 // bytes in the .part when the live grab transfer began
	live     atomic.Pointer[grab.Response]
	seg      atomic.Pointer[segState] // the live segmented transfer, if any
	changes  *atomic.Uint64           // the engine's queue version, bumped on state changes; nil without a queue file

	slot *heldSlot // the slot of the attempt running; only the owner goroutine touches it

	mu         sync.Mutex
	want       want
	running    bool // a goroutine owns the item
	cancel     context.CancelCauseFunc
	part       string // absolute path of the .part file
	final      string // reserved final path; the real one once done
	nameKey    string // key of the reserved name in Engine.names
	cdName     string // name the server gave (Content-Disposition, redirects), used at the final rename
	fixedName  bool   // the user named the file (Entry.Name): the server's name is not taken
	subdir     string // the file's folder, relative to the engine's ("" for it)
	header     http.Header
	referer    string
	userAgent  string
	tag        string // Entry.Tag
	httpStatus int    // the HTTP status a failed download ended with, 0 for none
	noResume   bool   // the server ignored Range once: never ask again
	noSegments bool   // a segment's Range was not honoured: one connection from now on
	etag       string // validators of the file the .part holds bytes of,
	lastMod    string // sent as If-Range and compared on every resume
	restarted  bool   // already started over once in this run
	err        error
	problem    Problem // explain(err), made once per error: Snapshot copies it
	retryAt    time.Time
	worker     int
	attemptAt  time.Time     // start of the live attempt
	active     time.Duration // time spent in finished attempts
	speed      speedMeter
}

func (it *item) State() State { return State(it.state.Load()) }

func (it *item) setState(s State) {
	if old := it.state.Swap(int32(s)); old != int32(s) && it.changes != nil {
		it.changes.Add(1)
	}
}

// received returns the bytes that arrived for this download in this engine,
// counting the live transfer's.
func (it *item) received() int64 {
	n := it.fetched.Load()
	if r := it.live.Load(); r != nil {
		n += max(r.BytesComplete()-it.liveBase.Load(), 0)
	}
	return n
}

// progress returns bytes done and size, from the live transfer when there is one.
func (it *item) progress() (done, size int64) {
	size = it.size.Load()
	if st := it.seg.Load(); st != nil {
		return st.done.Load(), size
	}
	if r := it.live.Load(); r != nil {
		return r.BytesComplete(), size
	}
	return it.done.Load(), size
}

// speedMeter estimates a transfer's speed from samples taken when someone polls,
// over a sliding window, so that any number of pollers agree and none of them
// needs to poll at a fixed rate.
type speedMeter struct {
	samples [16]sample
	n, head int
}

type sample struct {
	t time.Time
	b int64
}

const (
	speedWindow   = 3 * time.Second
	speedInterval = 200 * time.Millisecond
)

func (m *speedMeter) reset() { m.n, m.head = 0, 0 }

// observe records bytes b at time t (at most one sample per speedInterval) and
// returns the speed in bytes per second over the window, 0 if unknown yet.
func (m *speedMeter) observe(t time.Time, b int64) float64 {
	if m.n == 0 || t.Sub(m.newest().t) >= speedInterval {
		m.samples[(m.head+m.n)%len(m.samples)] = sample{t, b}
		if m.n < len(m.samples) {
			m.n++
		} else {
			m.head = (m.head + 1) % len(m.samples)
		}
	}
	for m.n > 2 && t.Sub(m.samples[(m.head+1)%len(m.samples)].t) >= speedWindow {
		m.head = (m.head + 1) % len(m.samples)
		m.n--
	}
	// Measured from the oldest sample to now, so a transfer shows a speed
	// from the second poll on, even before a second sample is kept.
	old := m.samples[m.head]
	dt := t.Sub(old.t)
	if dt < 50*time.Millisecond || b < old.b {
		return 0
	}
	return float64(b-old.b) / dt.Seconds()
}

func (m *speedMeter) newest() sample { return m.samples[(m.head+m.n-1)%len(m.samples)] }

// setErr records the download's last error and what it means; it.mu held.
func (it *item) setErr(err error) {
	it.err = err
	it.problem = explain(err)
}
