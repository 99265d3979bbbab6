package compute

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// linspace returns n points from a to b as the notebook computes them: each
// point is a + dx·i (not a running sum), and the last is b exactly.
func linspace(a, b float64, n int) []float64 {
	if n < 2 {
		panic("compute: linspace needs at least 2 points")
	}
	x := make([]float64, n)
	dx := (b - a) / float64(n-1)
	x[0] = a
	for i := 1; i < n-1; i++ {
		x[i] = a + dx*float64(i)
	}
	x[n-1] = b
	return x
}

// circleTrapezoid integrates sqrt(1 − x²) from a to b with the trapezoid rule
// on n points, with the notebook's arithmetic: the same points, and the terms
// (F(left) + F(right)) · 0.5 · (right − left) added left to right. Each F is
// computed once and reused, which changes no value. It stops early, returning
// the partial sum, when stop is set; done counts the points finished.
func circleTrapezoid(a, b float64, n int, stop *atomic.Bool, done *atomic.Int64) float64 {
	dx := (b - a) / float64(n-1)
	left, fl := a, math.Sqrt(1-a*a)
	value := 0.0
	const batch = 1 << 16 // check for cancellation this often
	for i := 1; i < n; i++ {
		right := a + dx*float64(i)
		if i == n-1 {
			right = b
		}
		fr := math.Sqrt(1 - right*right)
		value += (fl + fr) * 0.5 * (right - left)
		left, fl = right, fr
		if i%batch == 0 {
			done.Add(batch)
			if stop.Load() {
				return value
			}
		}
	}
	done.Add(int64((n - 1) % batch))
	return value
}

// PiResult is one π integration.
type PiResult struct {
	Value     float64 `json:"value"`
	AbsError  float64 `json:"abs_error"`
	Seconds   float64 `json:"seconds"`
	N         int     `json:"n"`
	Intervals int     `json:"intervals"`
	Workers   int     `json:"workers"`
}

// Pi is the notebook's π: twice the trapezoid integral of sqrt(1 − x²) over
// [−1, 1] with n points. With intervals > 1 the range is split at
// linspace(−1, 1, intervals+1) into intervals of n/intervals points each,
// handed to workers goroutines; the partial sums are added in interval order,
// so the value is the same for every worker count. progress, if not nil,
// counts points done.
func Pi(ctx context.Context, n, intervals, workers int, progress *atomic.Int64) (PiResult, error) {
	if n < 2 || intervals < 1 || workers < 1 || n/intervals < 2 {
		return PiResult{}, fmt.Errorf("π: need n ≥ 2 points per interval and at least 1 interval and 1 worker (n=%d, intervals=%d, workers=%d)", n, intervals, workers)
	}
	if progress == nil {
		progress = new(atomic.Int64)
	}
	// The hot loop polls a flag, not ctx.Done(): the context sets it.
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()

	t0 := time.Now()
	var value float64
	if intervals == 1 {
		value = circleTrapezoid(-1, 1, n, &stop, progress) * 2
	} else {
		value = sumIntervals(n, intervals, workers, &stop, progress) * 2
	}
	secs := time.Since(t0).Seconds()
	if err := ctx.Err(); err != nil {
		return PiResult{}, fmt.Errorf("π integration stopped: %w", err)
	}
	return PiResult{Value: value, AbsError: math.Abs(value - math.Pi), Seconds: secs,
		N: n, Intervals: intervals, Workers: workers}, nil
}

// sumIntervals integrates the intervals between linspace(−1, 1, intervals+1),
// n/intervals points each. min(workers, intervals) goroutines each take the
// next interval as they finish one, until none is left or stop is set; the
// partial sums are then added like Python's sum(), from 0 in interval order.
func sumIntervals(n, intervals, workers int, stop *atomic.Bool, progress *atomic.Int64) float64 {
	nodes := linspace(-1, 1, intervals+1)
	per := n / intervals
	parts := make([]float64, intervals)
	var next atomic.Int64
	var g errgroup.Group // the workers cannot fail: Wait only joins them
	for range min(workers, intervals) {
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= intervals || stop.Load() {
					return nil
				}
				parts[i] = circleTrapezoid(nodes[i], nodes[i+1], per, stop, progress)
			}
		})
	}
	_ = g.Wait()
	sum := 0.0
	for _, p := range parts {
		sum += p
	}
	return sum
}
