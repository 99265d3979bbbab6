package lesson

import (
	"sync"
	"sync/atomic"
	"time"
)

// SwitchInterval is CPython's default sys.getswitchinterval(): how long a
// thread runs holding the GIL before it must let a waiting one have a turn.
const SwitchInterval = 5 * time.Millisecond

// GlobalLock is the lesson's GIL: one lock that a gil-mode worker holds while
// it computes. It is a sync.Locker (so downloader.Options.GIL takes it:
// transfers hold it while they handle bytes and let go of it while they wait
// for the network, as CPython's threads do around blocking I/O), and a
// compute worker offers it at points of its work (Turn): once it has held
// the lock for Interval and another goroutine waits, the lock passes to the
// longest waiter and the worker queues behind the others. CPython's GIL does
// the same (a waiting thread asks for the lock after the switch interval, the
// holder drops it at its next check and may not take it back before another
// thread has run). Waiters get it in the order they asked, so no worker
// starves: the point is that one computes at a time, not that one computes
// alone. The zero value is an unlocked lock with a 5 ms interval.
type GlobalLock struct {
	// Interval is how long a holder computes before Turn lets a waiting
	// goroutine run; 0 means SwitchInterval.
	Interval time.Duration

	mu    sync.Mutex
	held  bool
	queue []chan struct{} // waiters, oldest first; closing one hands it the lock

	waiters  atomic.Int32
	since    atomic.Int64 // when the holder took the lock (ns on the monotonic clock)
	acquired atomic.Int64
	switches atomic.Int64
	waited   atomic.Int64 // ns spent waiting for the lock, all goroutines together
}

// epoch makes the lock's times monotonic durations.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

// Lock takes the lock, waiting for it in turn.
func (g *GlobalLock) Lock() {
	t0 := now()
	g.mu.Lock()
	if !g.held {
		g.held = true
		g.mu.Unlock()
		g.took(t0)
		return
	}
	me := make(chan struct{})
	g.queue = append(g.queue, me)
	g.waiters.Add(1)
	g.mu.Unlock()
	<-me
	g.took(t0)
}

func (g *GlobalLock) took(asked int64) {
	t := now()
	g.since.Store(t)
	g.acquired.Add(1)
	g.waited.Add(t - asked)
}

// Unlock lets go of the lock, handing it to the longest waiter if any.
func (g *GlobalLock) Unlock() {
	g.mu.Lock()
	if len(g.queue) == 0 {
		if !g.held {
			g.mu.Unlock()
			panic("lesson: Unlock of an unlocked GlobalLock")
		}
		g.held = false
		g.mu.Unlock()
		return
	}
	next := g.handOver()
	g.mu.Unlock()
	close(next)
}

// handOver takes the longest waiter off the queue; g.mu is held.
func (g *GlobalLock) handOver() chan struct{} {
	next := g.queue[0]
	g.queue[0] = nil
	g.queue = g.queue[1:]
	g.waiters.Add(-1)
	g.switches.Add(1)
	return next
}

// Turn is called by the holder between two pieces of its work. Once it has
// held the lock for the interval and another goroutine waits, it hands the
// lock over and waits for its own next turn; otherwise it returns at once,
// at the cost of an atomic load (and a clock read while others wait).
func (g *GlobalLock) Turn() {
	if g.waiters.Load() == 0 {
		return
	}
	interval := g.Interval
	if interval <= 0 {
		interval = SwitchInterval
	}
	t0 := now()
	if t0-g.since.Load() < int64(interval) {
		return
	}
	g.mu.Lock()
	if len(g.queue) == 0 {
		g.mu.Unlock()
		return
	}
	next := g.handOver()
	me := make(chan struct{})
	g.queue = append(g.queue, me)
	g.waiters.Add(1)
	g.mu.Unlock()
	close(next)
	<-me
	g.took(t0)
}

// GILStats is what a GlobalLock counted.
type GILStats struct {
	Acquired int64         `json:"acquired"` // times a goroutine took the lock
	Switches int64         `json:"switches"` // times it passed from one goroutine to a waiting one
	Waited   time.Duration `json:"waited_ns"`
}

// Stats returns the counts so far.
func (g *GlobalLock) Stats() GILStats {
	return GILStats{Acquired: g.acquired.Load(), Switches: g.switches.Load(), Waited: time.Duration(g.waited.Load())}
}
