package limiter

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLimiterGrowAdmitsWaiters(t *testing.T) {
	l := New(1)
	ctx := context.Background()
	s1, _ := l.Acquire(ctx)
	got := make(chan int, 3)
	for range 3 {
		go func() {
			s, err := l.Acquire(ctx)
			if err == nil {
				got <- s
			}
		}()
	}
	waitFor(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.waiters.Len() == 3 })
	l.SetLimit(4)
	slots := map[int]bool{s1: true}
	for range 3 {
		slots[<-got] = true
	}
	if len(slots) != 4 || !slots[1] || !slots[4] {
		t.Fatalf("slots %v, want 1..4", slots)
	}
}

func TestLimiterShrinkLetsHoldersFinish(t *testing.T) {
	l := New(3)
	ctx := context.Background()
	var held []int
	for range 3 {
		s, _ := l.Acquire(ctx)
		held = append(held, s)
	}
	l.SetLimit(1)
	admitted := make(chan int, 1)
	go func() { s, _ := l.Acquire(ctx); admitted <- s }()
	l.Release(held[0])
	l.Release(held[1])
	select {
	case <-admitted:
		t.Fatal("admitted while 1 slot still held at limit 1")
	default:
	}
	if l.Active() != 1 {
		t.Fatalf("active %d", l.Active())
	}
	l.Release(held[2])
	if s := <-admitted; s != 1 {
		t.Fatalf("slot %d, want 1", s)
	}
}

func TestLimiterCancelWhileWaiting(t *testing.T) {
	l := New(1)
	s, _ := l.Acquire(context.Background())
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error)
	go func() { _, err := l.Acquire(ctx); done <- err }()
	waitFor(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.waiters.Len() == 1 })
	cause := errors.New("paused")
	cancel(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("err %v, want the cause", err)
	}
	l.Release(s)
	if l.Active() != 0 {
		t.Fatalf("active %d after all released", l.Active())
	}
}

func TestLimiterNeverExceedsLimit(t *testing.T) {
	l := New(4)
	var mu sync.Mutex
	cur, peak := 0, 0
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 100 {
				l.SetLimit(2)
			}
			s, _ := l.Acquire(context.Background())
			mu.Lock()
			cur++
			peak = max(peak, cur)
			mu.Unlock()
			mu.Lock()
			cur--
			mu.Unlock()
			l.Release(s)
		}()
	}
	wg.Wait()
	if peak > 4 || l.Active() != 0 {
		t.Fatalf("peak %d active %d", peak, l.Active())
	}
}

// waitFor polls cond until it holds or 10 s pass: tests never sleep a fixed
// time to wait for a result.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLimiterTryAcquire(t *testing.T) {
	l := New(2)
	s1, ok1 := l.TryAcquire()
	s2, ok2 := l.TryAcquire()
	if !ok1 || !ok2 || s1 != 1 || s2 != 2 {
		t.Fatalf("slots %d %v, %d %v; want 1 and 2", s1, ok1, s2, ok2)
	}
	if s, ok := l.TryAcquire(); ok {
		t.Fatalf("got slot %d beyond the limit", s)
	}
	// Acquire hands a freed slot to a waiter at once, so a free slot and a
	// waiter meet only for an instant; a waiter put in by hand stands for it.
	l.SetLimit(3)
	l.mu.Lock()
	l.waiters.PushBack(&waiter{ready: make(chan int, 1)})
	l.mu.Unlock()
	if s, ok := l.TryAcquire(); ok {
		t.Fatalf("TryAcquire took slot %d while another caller waits", s)
	}
	l.mu.Lock()
	l.waiters.Init()
	l.mu.Unlock()
	s3, ok := l.TryAcquire()
	if !ok || s3 != 3 {
		t.Fatalf("TryAcquire with a free slot and nobody waiting: %d %v", s3, ok)
	}
	l.Release(s1)
	l.Release(s2)
	l.Release(s3)
	if l.Active() != 0 {
		t.Fatalf("active %d after all released", l.Active())
	}
}
