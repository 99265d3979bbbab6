package lesson

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The ways Race adds to the shared counter.
const (
	// RaceNoLock is the notebook's `local = counter; sleep; counter = local + 1`:
	// an atomic load, a yield to the scheduler, an atomic store. Each step is
	// safe alone (there is no data race for Go's detector to find), but
	// another goroutine may store between the load and the store, and its
	// update is then lost.
	RaceNoLock = "nolock"
	// RaceMutex is the same load, yield and store, holding a sync.Mutex
	// around them (the notebook's `with lock:`): exact.
	RaceMutex = "mutex"
	// RaceAtomic is one atomic add: the read, the add and the write are one
	// step that nothing can come between. Exact.
	RaceAtomic = "atomic"
)

// RaceVariants are the three, in the order they are explained.
var RaceVariants = []string{RaceNoLock, RaceMutex, RaceAtomic}

// RaceResult is what came of one variant.
type RaceResult struct {
	Variant    string  `json:"variant"`
	Goroutines int     `json:"goroutines"`
	Adds       int     `json:"adds_each"`
	Expected   int64   `json:"expected"`
	Got        int64   `json:"got"`
	Lost       int64   `json:"lost"`
	Seconds    float64 `json:"seconds"`
}

// Race has goroutines goroutines each add 1 to a shared counter adds times,
// in variant's way, all starting at once, and says how many updates
// arrived. It stops early with ctx's error.
func Race(ctx context.Context, variant string, goroutines, adds int) (RaceResult, error) {
	if goroutines < 1 || adds < 1 {
		return RaceResult{}, fmt.Errorf("race: need at least 1 goroutine and 1 add (goroutines=%d, adds=%d)", goroutines, adds)
	}
	var add func()
	var read func() int64
	switch variant {
	case RaceNoLock:
		var counter atomic.Int64
		add = func() {
			v := counter.Load()
			runtime.Gosched() // the notebook's sleep: others run here
			counter.Store(v + 1)
		}
		read = counter.Load
	case RaceMutex:
		var mu sync.Mutex
		var counter int64
		add = func() {
			mu.Lock()
			v := counter
			runtime.Gosched()
			counter = v + 1
			mu.Unlock()
		}
		read = func() int64 { mu.Lock(); defer mu.Unlock(); return counter }
	case RaceAtomic:
		var counter atomic.Int64
		add = func() { counter.Add(1) }
		read = counter.Load
	default:
		return RaceResult{}, fmt.Errorf("race: %q is not a variant: choose %s, %s or %s", variant, RaceNoLock, RaceMutex, RaceAtomic)
	}
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			<-start
			for i := range adds {
				if i%1024 == 0 && stop.Load() {
					return
				}
				add()
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	secs := time.Since(t0).Seconds()
	if err := ctx.Err(); err != nil {
		return RaceResult{}, fmt.Errorf("race (%s) stopped: %w", variant, err)
	}
	expected := int64(goroutines) * int64(adds)
	got := read()
	return RaceResult{Variant: variant, Goroutines: goroutines, Adds: adds, Expected: expected,
		Got: got, Lost: expected - got, Seconds: secs}, nil
}
