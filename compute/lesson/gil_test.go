package lesson

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGlobalLockTakesTurns: workers that hold the lock while they compute
// and offer it (Turn) between pieces of work never compute at once, each
// gets turns (none starves), and the lock passes at about the interval.
func TestGlobalLockTakesTurns(t *testing.T) {
	g := &GlobalLock{Interval: time.Millisecond}
	const workers, pieces = 3, 400
	var inside atomic.Int32
	var overlap atomic.Bool
	var turnsOf [workers]atomic.Int32 // times each worker got the lock back after a Turn
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			g.Lock()
			defer g.Unlock()
			for range pieces {
				if inside.Add(1) > 1 {
					overlap.Store(true)
				}
				spin(20 * time.Microsecond)
				inside.Add(-1)
				before := g.Stats().Switches
				g.Turn()
				if g.Stats().Switches != before {
					turnsOf[w].Add(1)
				}
			}
		})
	}
	wg.Wait()
	if overlap.Load() {
		t.Fatal("two workers computed at once")
	}
	s := g.Stats()
	// 1200 pieces of 20 µs are 24 ms of work: with a 1 ms interval the lock
	// passes about 24 times, and each worker's turn comes round.
	if s.Switches < 8 || s.Switches > 200 {
		t.Fatalf("%d switches for 24 ms of work at a 1 ms interval", s.Switches)
	}
	for w := range workers {
		if turnsOf[w].Load() == 0 {
			t.Fatalf("worker %d never had to give the lock up: %+v", w, s)
		}
	}
	// Each taking is a Lock nobody held (1 to 3 of them) or a hand-over.
	if d := s.Acquired - s.Switches; d < 1 || d > workers {
		t.Fatalf("stats %+v", s)
	}
}

// TestGlobalLockAlone: a holder no one waits for never gives the lock up,
// and Unlock of an unlocked lock panics, as sync.Mutex's does.
func TestGlobalLockAlone(t *testing.T) {
	g := new(GlobalLock)
	g.Lock()
	for range 1000 {
		g.Turn()
	}
	g.Unlock()
	if s := g.Stats(); s.Switches != 0 || s.Acquired != 1 {
		t.Fatalf("%+v", s)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Unlock of an unlocked lock did not panic")
		}
	}()
	g.Unlock()
}

// TestGlobalLockIsFIFO: waiters get the lock in the order they asked.
func TestGlobalLockIsFIFO(t *testing.T) {
	g := new(GlobalLock)
	g.Lock()
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			g.Lock()
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			g.Unlock()
		})
		waitFor(t, "the waiter queued", func() bool { return g.waiters.Load() == int32(i+1) })
	}
	g.Unlock()
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("order %v", order)
		}
	}
}

// spin computes for about d without giving the core up.
func spin(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}
