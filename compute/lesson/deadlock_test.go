package lesson

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestDeadlockDetectedAndReleased: in the opposite order both goroutines
// get stuck; the watchdog finds each waiting for the other's lock at its
// timeout, says so and releases both, well within a second more (and
// TestMain's goleak sees no goroutine left).
func TestDeadlockDetectedAndReleased(t *testing.T) {
	const timeout = 200 * time.Millisecond
	t0 := time.Now()
	r, err := Deadlock(context.Background(), OrderOpposite, timeout)
	took := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Deadlock || !r.Released || r.Seconds < timeout.Seconds() || took > timeout+time.Second {
		t.Fatalf("%+v after %v", r, took)
	}
	if r.Message != "deadlock: both goroutines wait for the lock the other holds (A→B and B→A); released after 200ms" {
		t.Fatalf("message %q", r.Message)
	}
	joined := strings.Join(r.Waits, "; ")
	for _, want := range []string{"goroutine 1 holds A and waits for B, which goroutine 2 holds", "goroutine 2 holds B and waits for A, which goroutine 1 holds"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("waits %q lack %q", joined, want)
		}
	}
}

// TestSameOrderFinishes: both take A then B; no deadlock, long before the
// watchdog would look.
func TestSameOrderFinishes(t *testing.T) {
	r, err := Deadlock(context.Background(), OrderSame, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Deadlock || r.Released || r.Seconds >= 10 || !strings.HasPrefix(r.Message, "no deadlock: both goroutines took A, then B, and finished in ") {
		t.Fatalf("%+v", r)
	}
}

func TestDeadlockBadInputAndCancel(t *testing.T) {
	if _, err := Deadlock(context.Background(), "sideways", time.Second); err == nil {
		t.Fatal("unknown order accepted")
	}
	if _, err := Deadlock(context.Background(), OrderSame, 0); err == nil {
		t.Fatal("zero timeout accepted")
	}
	// Cancelled from outside while deadlocked: both released, the error is
	// the context's.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Deadlock(ctx, OrderOpposite, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	pre, cancelPre := context.WithCancel(context.Background())
	cancelPre()
	if _, err := Deadlock(pre, OrderOpposite, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: %v", err)
	}
}
