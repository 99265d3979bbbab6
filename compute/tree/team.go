package tree

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// team runs phases of independent tasks on the calling goroutine and
// size()-1 helpers that live until close. Boosting has seven phases per
// stage of 5 to 500 µs each, so a phase has to start on every core at once:
// a goroutine woken through a channel (or started with go) is queued on the
// waker's own P and, on issue 14's case, ran there after it, so the caller
// did 70 % of the tasks at 2 workers. Helpers therefore wait for the next
// phase by polling (yielding to the scheduler between polls) and sleep on a
// channel only after spinLimit polls without one; the caller waits for the
// helpers' last tasks the same way. The polls are few: a yield does not give
// the core to another thread, so on a machine busy with other work a long
// poll takes the core from the goroutine being waited for. Tasks are claimed
// one by one from a shared counter, so a helper that starts late takes
// fewer. Nothing a task does can fail, so there is no error to collect.
type team struct {
	helpers  []*helper
	exited   sync.WaitGroup
	phase    atomic.Uint64 // the number of phases started
	done     atomic.Int64  // helpers done with the current phase
	waiting  atomic.Bool   // the caller sleeps until finished
	finished chan struct{}
	closed   atomic.Bool
	next     atomic.Int64
	tasks    int64
	fn       func(task, worker int)
	hold     sync.Locker // held by each task when set (BoostingParams.Hold)
}

type helper struct {
	asleep atomic.Bool
	wake   chan struct{}
	_      [48]byte // keeps asleep off the next helper's cache line
}

// spinLimit is the polls made before sleeping: a yield to an otherwise idle
// scheduler took 76-86 ns here, so this is about 50 µs, longer than the
// gaps between the phases of a fit and than most tasks.
const spinLimit = 600

func newTeam(workers int) *team {
	t := &team{finished: make(chan struct{}, 1)}
	for w := 1; w < workers; w++ {
		h := &helper{wake: make(chan struct{}, 1)}
		t.helpers = append(t.helpers, h)
		t.exited.Add(1)
		go func() {
			defer t.exited.Done()
			t.serve(h, w)
		}()
	}
	return t
}

// size is the number of goroutines that run tasks, the caller included.
func (t *team) size() int { return len(t.helpers) + 1 }

func (t *team) serve(h *helper, worker int) {
	var seen uint64
	for {
		for polls := 0; t.phase.Load() == seen; polls++ {
			if polls < spinLimit {
				runtime.Gosched()
				continue
			}
			h.asleep.Store(true)
			if t.phase.Load() != seen {
				// run may already have claimed the wake-up: take it
				if !h.asleep.Swap(false) {
					<-h.wake
				}
				break
			}
			<-h.wake
			polls = 0
		}
		if t.closed.Load() {
			return
		}
		seen = t.phase.Load()
		t.work(worker)
		if t.done.Add(1) == int64(len(t.helpers)) && t.waiting.Swap(false) {
			t.finished <- struct{}{}
		}
	}
}

// start begins a phase for the helpers, waking those asleep.
func (t *team) start() {
	t.phase.Add(1)
	for _, h := range t.helpers {
		if h.asleep.Swap(false) {
			h.wake <- struct{}{}
		}
	}
}

// run calls fn(task, worker) for every task in [0, tasks), with worker in
// [0, size()) and no two calls with the same worker at once, and returns when
// all calls have returned.
func (t *team) run(tasks int, fn func(task, worker int)) {
	if len(t.helpers) == 0 || tasks <= 1 {
		for k := range tasks {
			t.call(fn, k, 0)
		}
		return
	}
	t.fn, t.tasks = fn, int64(tasks)
	t.next.Store(0)
	t.done.Store(0)
	t.start()
	t.work(0)
	t.awaitHelpers()
}

// awaitHelpers returns when every helper is done with the phase, each
// having at most a task left when it is called.
func (t *team) awaitHelpers() {
	all := int64(len(t.helpers))
	for range spinLimit {
		if t.done.Load() == all {
			return
		}
		runtime.Gosched()
	}
	t.waiting.Store(true)
	if t.done.Load() == all {
		// the last helper may already have claimed the wake-up: take it
		if !t.waiting.Swap(false) {
			<-t.finished
		}
		return
	}
	<-t.finished
}

func (t *team) work(worker int) {
	for {
		k := t.next.Add(1) - 1
		if k >= t.tasks {
			return
		}
		t.call(t.fn, int(k), worker)
	}
}

// call runs one task, holding t.hold when it is set.
func (t *team) call(fn func(task, worker int), task, worker int) {
	if t.hold == nil {
		fn(task, worker)
		return
	}
	t.hold.Lock()
	fn(task, worker) // a task cannot panic or fail: no defer needed
	t.hold.Unlock()
}

// close stops the helpers and waits for them to exit.
func (t *team) close() {
	t.closed.Store(true)
	t.start()
	t.exited.Wait()
}
