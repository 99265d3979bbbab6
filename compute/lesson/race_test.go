package lesson

import (
	"context"
	"errors"
	"testing"
)

// TestRace: without a lock, the load-yield-store loses updates (and, the
// steps being atomic, `go test -race` finds no data race: the loss is a
// race of logic, not of memory); with a mutex or an atomic add every update
// arrives.
func TestRace(t *testing.T) {
	const goroutines, adds = 4, 20_000
	for _, v := range RaceVariants {
		r, err := Race(context.Background(), v, goroutines, adds)
		if err != nil {
			t.Fatal(err)
		}
		if r.Expected != goroutines*adds || r.Got+r.Lost != r.Expected || r.Variant != v || r.Seconds <= 0 {
			t.Fatalf("%+v", r)
		}
		switch v {
		case RaceNoLock:
			if r.Lost <= 0 {
				t.Fatalf("no lock lost nothing: %+v", r)
			}
		default:
			if r.Got != r.Expected {
				t.Fatalf("%s lost %d updates: %+v", v, r.Lost, r)
			}
		}
		t.Logf("%s: expected %d, got %d, lost %d, %.3f s", v, r.Expected, r.Got, r.Lost, r.Seconds)
	}
	if _, err := Race(context.Background(), "semaphore", 1, 1); err == nil {
		t.Fatal("unknown variant accepted")
	}
	if _, err := Race(context.Background(), RaceAtomic, 0, 1); err == nil {
		t.Fatal("0 goroutines accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Race(ctx, RaceNoLock, 2, 1_000_000); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
