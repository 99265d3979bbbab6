package lesson

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The orders Deadlock takes its two locks in.
const (
	OrderOpposite = "opposite" // goroutine 1 takes A then B, goroutine 2 B then A: a deadlock
	OrderSame     = "same"     // both take A then B: the cure
)

// DeadlockResult is what came of two goroutines taking two locks.
type DeadlockResult struct {
	Order    string   `json:"order"`
	Deadlock bool     `json:"deadlock"`        // the watchdog found each waiting for a lock the other holds
	Released bool     `json:"released"`        // it then cancelled both waits, and both goroutines returned
	Waits    []string `json:"waits,omitempty"` // who held and waited for what when the watchdog looked
	Timeout  float64  `json:"timeout_seconds"`
	Seconds  float64  `json:"seconds"` // until both finished, or were released
	Message  string   `json:"message"`
}

// ctxMutex is a mutex whose Lock can be given up: a channel of one slot
// (holding the lock is having put a token in it). A goroutine waiting for it
// is blocked for real, in the scheduler, like one waiting for a sync.Mutex;
// unlike that one, cancelling its context ends the wait.
type ctxMutex struct {
	name string
	ch   chan struct{}
}

func newCtxMutex(name string) *ctxMutex { return &ctxMutex{name: name, ch: make(chan struct{}, 1)} }

func (m *ctxMutex) Lock(ctx context.Context) error {
	select {
	case m.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *ctxMutex) Unlock() { <-m.ch }

// waitGraph is who holds which lock and who waits for which, for the
// watchdog.
type waitGraph struct {
	mu      sync.Mutex
	holder  map[*ctxMutex]int // lock → goroutine (1 or 2)
	waiting map[int]*ctxMutex // goroutine → the lock it waits for
}

func (g *waitGraph) lock(ctx context.Context, who int, m *ctxMutex) error {
	g.mu.Lock()
	g.waiting[who] = m
	g.mu.Unlock()
	err := m.Lock(ctx)
	g.mu.Lock()
	delete(g.waiting, who)
	if err == nil {
		g.holder[m] = who
	}
	g.mu.Unlock()
	return err
}

func (g *waitGraph) unlock(m *ctxMutex) {
	g.mu.Lock()
	delete(g.holder, m)
	g.mu.Unlock()
	m.Unlock()
}

// cycle returns, when each waiting goroutine waits for a lock held by
// another that waits in turn, back to the first, the waits in words.
func (g *waitGraph) cycle() ([]string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for start := range g.waiting {
		var words []string
		seen := map[int]bool{}
		for who := start; !seen[who]; {
			seen[who] = true
			m, ok := g.waiting[who]
			if !ok {
				break
			}
			h, held := g.holder[m]
			if !held {
				break
			}
			words = append(words, fmt.Sprintf("goroutine %d holds %s and waits for %s, which goroutine %d holds", who, g.heldBy(who), m.name, h))
			if h == start {
				return words, true
			}
			who = h
		}
	}
	return nil, false
}

// heldBy names the locks who holds; g.mu is held.
func (g *waitGraph) heldBy(who int) string {
	var names []string
	for m, h := range g.holder {
		if h == who {
			names = append(names, m.name)
		}
	}
	return strings.Join(names, ", ")
}

// Deadlock has two goroutines take two locks, A and B, each holding its
// first while it takes its second. In the opposite order (1: A then B; 2: B
// then A) a handshake makes sure both hold their first lock before either
// asks for its second, so each waits for the other for ever: a real
// deadlock. A watchdog looks after timeout: when it finds the two waiting
// for each other, it says so, cancels both waits, and waits for both
// goroutines to let go of their locks and return. In the same order the
// second goroutine waits for the first to finish, and both finish. Deadlock
// returns only when both goroutines have returned.
func Deadlock(ctx context.Context, order string, timeout time.Duration) (DeadlockResult, error) {
	if order != OrderOpposite && order != OrderSame {
		return DeadlockResult{}, fmt.Errorf("deadlock: %q is not an order: choose %s or %s", order, OrderOpposite, OrderSame)
	}
	if timeout <= 0 {
		return DeadlockResult{}, fmt.Errorf("deadlock: the watchdog's timeout must be positive, not %v", timeout)
	}
	a, b := newCtxMutex("A"), newCtxMutex("B")
	g := &waitGraph{holder: map[*ctxMutex]int{}, waiting: map[int]*ctxMutex{}}
	firsts := [2][2]*ctxMutex{{a, b}, {b, a}}
	if order == OrderSame {
		firsts[1] = [2]*ctxMutex{a, b}
	}
	release, cancel := context.WithCancel(ctx)
	defer cancel()
	// The handshake of the opposite order: each closes its channel once it
	// holds its first lock, and waits for the other's.
	holdsFirst := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	var errs [2]error
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, locks := range firsts {
		who := i + 1
		wg.Go(func() {
			if errs[i] = g.lock(release, who, locks[0]); errs[i] != nil {
				return
			}
			defer g.unlock(locks[0])
			if order == OrderOpposite {
				close(holdsFirst[i])
				select {
				case <-holdsFirst[1-i]:
				case <-release.Done():
					errs[i] = release.Err()
					return
				}
			}
			if errs[i] = g.lock(release, who, locks[1]); errs[i] != nil {
				return
			}
			g.unlock(locks[1])
		})
	}
	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	res := DeadlockResult{Order: order, Timeout: timeout.Seconds()}
	watchdog := time.NewTimer(timeout)
	defer watchdog.Stop()
	for done := false; !done; {
		select {
		case <-finished:
			done = true
		case <-ctx.Done():
			cancel()
			<-finished
			return res, fmt.Errorf("deadlock stopped: %w", ctx.Err())
		case <-watchdog.C:
			if waits, ok := g.cycle(); ok {
				res.Deadlock, res.Waits = true, waits
				cancel()
				<-finished
				done = true
			} else {
				watchdog.Reset(timeout) // slow, not stuck: look again later
			}
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	switch {
	case res.Deadlock:
		res.Released = errors.Is(errs[0], context.Canceled) && errors.Is(errs[1], context.Canceled)
		res.Message = fmt.Sprintf("deadlock: both goroutines wait for the lock the other holds (A→B and B→A); released after %v", timeout)
	case errs[0] != nil || errs[1] != nil:
		return res, errors.Join(errs[:]...)
	default:
		res.Message = fmt.Sprintf("no deadlock: both goroutines took A, then B, and finished in %v", time.Duration(res.Seconds*float64(time.Second)).Round(time.Microsecond))
	}
	return res, nil
}
