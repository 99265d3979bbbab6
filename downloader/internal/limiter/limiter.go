// Package limiter is the engine's admission control: a counting semaphore
// whose size changes while downloads run (the "parallel downloads" slider).
package limiter

import (
	"container/list"
	"context"
	"sync"
)

// Limiter is a counting semaphore whose size can change while it is in use.
// Growing it admits waiters at once; shrinking it lets holders finish and
// admits nobody new until fewer than the new limit hold a slot. Waiters are
// admitted in arrival order. Each holder gets a slot number, the lowest free one
// starting at 1, so that logs can say "worker 3".
//
// golang.org/x/sync/semaphore cannot be resized, hence this type.
type Limiter struct {
	mu      sync.Mutex
	limit   int
	active  int
	used    []bool // used[i] is slot i+1
	waiters list.List
}

type waiter struct {
	ready chan int // buffered: the granter never blocks
}

// New returns a Limiter admitting n holders at once (at least 1).
func New(n int) *Limiter {
	return &Limiter{limit: max(n, 1)}
}

// Acquire blocks until a slot is free or ctx is done, and returns the slot.
func (l *Limiter) Acquire(ctx context.Context) (int, error) {
	l.mu.Lock()
	if l.active < l.limit && l.waiters.Len() == 0 {
		slot := l.take()
		l.mu.Unlock()
		return slot, nil
	}
	w := &waiter{ready: make(chan int, 1)}
	elem := l.waiters.PushBack(w)
	l.mu.Unlock()

	select {
	case slot := <-w.ready:
		return slot, nil
	case <-ctx.Done():
		l.mu.Lock()
		select {
		case slot := <-w.ready:
			// Granted while we were giving up: hand the slot on.
			l.releaseLocked(slot)
		default:
			l.waiters.Remove(elem)
		}
		l.mu.Unlock()
		return 0, context.Cause(ctx)
	}
}

// TryAcquire takes a slot only if one is free now and nobody is waiting for
// one: a caller that can do without (an extra connection for a file that
// already has one) never overtakes those queued in Acquire.
func (l *Limiter) TryAcquire() (slot int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active < l.limit && l.waiters.Len() == 0 {
		return l.take(), true
	}
	return 0, false
}

// Release frees a slot returned by Acquire or TryAcquire.
func (l *Limiter) Release(slot int) {
	l.mu.Lock()
	l.releaseLocked(slot)
	l.mu.Unlock()
}

// SetLimit changes how many holders are admitted at once (at least 1).
func (l *Limiter) SetLimit(n int) {
	l.mu.Lock()
	l.limit = max(n, 1)
	l.grant()
	l.mu.Unlock()
}

// Limit returns the current size.
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Active returns how many slots are held now.
func (l *Limiter) Active() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active
}

func (l *Limiter) releaseLocked(slot int) {
	if slot < 1 || slot > len(l.used) || !l.used[slot-1] {
		panic("downloader: Limiter.Release of a slot that is not held")
	}
	l.used[slot-1] = false
	l.active--
	l.grant()
}

func (l *Limiter) grant() {
	for l.active < l.limit && l.waiters.Len() > 0 {
		w := l.waiters.Remove(l.waiters.Front()).(*waiter)
		w.ready <- l.take()
	}
}

func (l *Limiter) take() int {
	l.active++
	for i, u := range l.used {
		if !u {
			l.used[i] = true
			return i + 1
		}
	}
	l.used = append(l.used, true)
	return len(l.used)
}
