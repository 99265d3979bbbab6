package tree

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestTeamRunsEveryTaskOnce(t *testing.T) {
	for _, c := range []struct{ workers, tasks, phases int }{
		{1, 0, 3}, {1, 5, 3}, {2, 0, 3}, {2, 1, 3}, {2, 2, 50}, {3, 100, 50}, {4, 7, 200},
	} {
		tm := newTeam(c.workers)
		if tm.size() != c.workers {
			t.Fatalf("size %d, want %d", tm.size(), c.workers)
		}
		for p := range c.phases {
			runs := make([]atomic.Int32, c.tasks)
			busy := make([]atomic.Int32, c.workers)
			tm.run(c.tasks, func(task, w int) {
				if busy[w].Add(1) != 1 {
					t.Errorf("worker %d runs two tasks at once", w)
				}
				runs[task].Add(1)
				busy[w].Add(-1)
			})
			for k := range runs {
				if n := runs[k].Load(); n != 1 {
					t.Fatalf("%d workers, %d tasks, phase %d: task %d ran %d times", c.workers, c.tasks, p, k, n)
				}
			}
		}
		tm.close()
	}
}

// TestTeamWakesSleepingHelpers lets the helpers fall asleep between phases,
// as they do while the caller is busy elsewhere, and checks that the next
// phase wakes them.
func TestTeamWakesSleepingHelpers(t *testing.T) {
	tm := newTeam(3)
	defer tm.close()
	for range 3 {
		deadline := time.Now().Add(10 * time.Second)
		for !tm.helpers[0].asleep.Load() || !tm.helpers[1].asleep.Load() {
			if time.Now().After(deadline) {
				t.Fatal("helpers did not fall asleep")
			}
			runtime.Gosched()
		}
		var total atomic.Int32
		tm.run(64, func(task, w int) { total.Add(1) })
		if total.Load() != 64 {
			t.Fatalf("%d tasks ran", total.Load())
		}
	}
}
