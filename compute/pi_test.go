package compute

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The notebook's printed values for N = 5,000,000 (../shared/seeds/000_…).
const (
	notebookSerial     = 3.141592653292644
	notebookIntervals  = 3.1415926532923013
	notebookTolerance  = 1e-12
	notebookN          = 5_000_000
	notebookIntervalsN = 10
)

func TestPiMatchesTheNotebook(t *testing.T) {
	if testing.Short() {
		t.Skip("5 million points")
	}
	tests := []struct {
		name      string
		intervals int
		workers   int
		want      float64
	}{
		{"serial", 1, 1, notebookSerial},
		{"10 intervals, 1 worker", notebookIntervalsN, 1, notebookIntervals},
		{"10 intervals, 2 workers", notebookIntervalsN, 2, notebookIntervals},
		{"10 intervals, 3 workers", notebookIntervalsN, 3, notebookIntervals},
		{"10 intervals, 16 workers", notebookIntervalsN, 16, notebookIntervals},
	}
	var first float64
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Pi(context.Background(), notebookN, tc.intervals, tc.workers, nil)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.Value-tc.want) > notebookTolerance {
				t.Fatalf("π = %.16g, notebook %.16g (diff %.3g)", r.Value, tc.want, r.Value-tc.want)
			}
			if r.AbsError != math.Abs(r.Value-math.Pi) {
				t.Fatalf("abs error %g", r.AbsError)
			}
			if i == 1 {
				first = r.Value
			} else if i > 1 && r.Value != first {
				t.Fatalf("value %.17g differs from 1 worker's %.17g: partial sums must add in a fixed order", r.Value, first)
			}
		})
	}
}

func TestLinspaceLikeTheNotebook(t *testing.T) {
	// The notebook prints these nodes for linspace(-1, 1, 11).
	want := []float64{-1, -0.8, -0.6, -0.3999999999999999, -0.19999999999999996, 0.0,
		0.20000000000000018, 0.40000000000000013, 0.6000000000000001, 0.8, 1}
	got := linspace(-1, 1, 11)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("node %d = %.17g, want %.17g", i, got[i], want[i])
		}
	}
}

func TestPiBadInputAndCancel(t *testing.T) {
	for _, c := range [][3]int{{1, 1, 1}, {100, 0, 1}, {100, 1, 0}, {10, 10, 1}} {
		if _, err := Pi(context.Background(), c[0], c[1], c[2], nil); err == nil {
			t.Errorf("Pi(%v) accepted", c)
		}
	}
	// Two billion points take seconds: cancelled once the first are counted.
	ctx, cancel := context.WithCancel(context.Background())
	var done atomic.Int64
	var run sync.WaitGroup
	var err error
	var elapsed time.Duration
	run.Go(func() {
		t0 := time.Now()
		_, err = Pi(ctx, 2_000_000_000, 10, 2, &done)
		elapsed = time.Since(t0)
	})
	defer func() { // also when waitFor fails
		cancel()
		run.Wait()
	}()
	waitFor(t, "the first points counted", func() bool { return done.Load() > 0 })
	cancel()
	run.Wait()
	if !errors.Is(err, context.Canceled) || elapsed > 5*time.Second {
		t.Fatalf("err %v after %v", err, elapsed)
	}
}

func TestSweepAndAmdahl(t *testing.T) {
	// A job whose time follows Amdahl's law with a serial fraction of 0.2.
	job := func(_ context.Context, w int) (float64, error) { return 0.2 + 0.8/float64(w), nil }
	rows, err := Sweep(context.Background(), []int{1, 2, 4}, 3, job)
	if err != nil || len(rows) != 3 {
		t.Fatal(rows, err)
	}
	if math.Abs(rows[1].Speedup-1/0.6) > 1e-12 || math.Abs(rows[2].Efficiency-1/0.4/4) > 1e-12 {
		t.Fatalf("%+v", rows)
	}
	for i, w := range []int{1, 2, 4} { // every row, as the job's times make it
		want := 0.2 + 0.8/float64(w)
		r := rows[i]
		if r.Workers != w || len(r.Times) != 3 || r.Median != want || math.Abs(r.Speedup-1/want) > 1e-12 ||
			math.Abs(r.Efficiency-1/want/float64(w)) > 1e-12 {
			t.Fatalf("row %d: %+v, want %d workers, median %v", i, r, w, want)
		}
	}
	if s := AmdahlSerialFraction(rows, 4); math.Abs(s-0.2) > 1e-9 {
		t.Fatalf("serial fraction %g, want 0.2", s)
	}
	if s := AmdahlSerialFraction(rows[:1], 4); s != -1 {
		t.Fatalf("one row: %g", s)
	}
	if _, err := Sweep(context.Background(), nil, 1, job); !errors.Is(err, errNoRuns) {
		t.Fatal(err)
	}
}

func BenchmarkPiPoint(b *testing.B) {
	var stop atomic.Bool
	var done atomic.Int64
	const n = 1 << 20
	for b.Loop() {
		_ = circleTrapezoid(-1, 1, n, &stop, &done, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/point")
}

// BenchmarkPi is a whole run as `potok pi` makes it (10 million points over 10
// intervals): the fan-out and its cancellation hook around the hot loop.
func BenchmarkPi(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			for b.Loop() {
				if _, err := Pi(context.Background(), 10_000_000, 10, w, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
