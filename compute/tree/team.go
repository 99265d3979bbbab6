package tree

import (
	"sync"
	"sync/atomic"
)

// team runs phases of independent tasks on the calling goroutine and
// size()-1 helpers that live until close. Boosting has several phases per
// stage of a fraction of a millisecond each, so a phase should cost a wake-up,
// not the start of goroutines. Tasks are claimed one by one from a shared
// counter: a helper that wakes late takes fewer of them instead of holding the
// phase up. Nothing a task does can fail, so there is no error to collect.
type team struct {
	wake   []chan struct{} // one per helper
	phase  sync.WaitGroup  // helpers still working on the current phase
	exited sync.WaitGroup
	next   atomic.Int64
	tasks  int64
	fn     func(task, worker int)
}

func newTeam(workers int) *team {
	t := &team{}
	for w := 1; w < workers; w++ {
		c := make(chan struct{}, 1)
		t.wake = append(t.wake, c)
		t.exited.Add(1)
		go func() {
			defer t.exited.Done()
			for range c {
				t.work(w)
				t.phase.Done()
			}
		}()
	}
	return t
}

// size is the number of goroutines that run tasks, the caller included.
func (t *team) size() int { return len(t.wake) + 1 }

// run calls fn(task, worker) for every task in [0, tasks), with worker in
// [0, size()) and no two calls with the same worker at once, and returns when
// all calls have returned.
func (t *team) run(tasks int, fn func(task, worker int)) {
	t.fn, t.tasks = fn, int64(tasks)
	t.next.Store(0)
	helpers := t.wake[:max(min(len(t.wake), tasks-1), 0)]
	t.phase.Add(len(helpers))
	for _, c := range helpers {
		c <- struct{}{}
	}
	t.work(0)
	t.phase.Wait()
}

func (t *team) work(worker int) {
	for {
		k := t.next.Add(1) - 1
		if k >= t.tasks {
			return
		}
		t.fn(int(k), worker)
	}
}

// close stops the helpers and waits for them to exit.
func (t *team) close() {
	for _, c := range t.wake {
		close(c)
	}
	t.exited.Wait()
}
