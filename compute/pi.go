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
// the partial sum, when stop is set; done counts the points finished. turn,
// when not nil, is called every PiSlice points: the lesson's GIL hands itself
// over there.
func circleTrapezoid(a, b float64, n int, stop *atomic.Bool, done *atomic.Int64, turn func()) float64 {
	dx := (b - a) / float64(n-1)
	left, fl := a, math.Sqrt(1-a*a)
	value := 0.0
	for i := 1; i < n; i++ {
		right := a + dx*float64(i)
		if i == n-1 {
			right = b
		}
		fr := math.Sqrt(1 - right*right)
		value += (fl + fr) * 0.5 * (right - left)
		left, fl = right, fr
		if i%PiSlice == 0 {
			done.Add(PiSlice)
			if stop.Load() {
				return value
			}
			if turn != nil {
				turn()
			}
		}
	}
	done.Add(int64((n - 1) % PiSlice))
	return value
}

// PiSlice is how many points the integration does between two looks at its
// stop flag (and the lesson's GIL): about 0.17 ms of work here at 2.6 ns a
// point, so a cancellation or a switch of the GIL waits no longer than that.
const PiSlice = 1 << 16

// PiInterval is one part of the notebook's split of [−1, 1]: the trapezoid
// rule on Points points from A to B. Its JSON carries A and B to the last bit.
type PiInterval struct {
	A      float64 `json:"a"`
	B      float64 `json:"b"`
	Points int     `json:"points"`
}

// PiIntervals is the split Pi integrates: [−1, 1] cut at
// linspace(−1, 1, intervals+1), n/intervals points each. One interval is the
// notebook's serial pass over all n points.
func PiIntervals(n, intervals int) ([]PiInterval, error) {
	if n < 2 || intervals < 1 || n/intervals < 2 {
		return nil, fmt.Errorf("π: need n ≥ 2 points per interval and at least 1 interval (n=%d, intervals=%d)", n, intervals)
	}
	nodes := linspace(-1, 1, intervals+1)
	parts := make([]PiInterval, intervals)
	for i := range parts {
		parts[i] = PiInterval{A: nodes[i], B: nodes[i+1], Points: n / intervals}
	}
	return parts, nil
}

// Integrate is the interval's part of π, as Pi computes it: the same value
// bit for bit wherever it runs. It stops early when stop (may be nil) is set,
// counts points in done (may be nil), and calls turn (may be nil) every
// PiSlice points.
func (iv PiInterval) Integrate(stop *atomic.Bool, done *atomic.Int64, turn func()) float64 {
	if stop == nil {
		stop = new(atomic.Bool)
	}
	if done == nil {
		done = new(atomic.Int64)
	}
	return circleTrapezoid(iv.A, iv.B, iv.Points, stop, done, turn)
}

// PiOfParts is π from the intervals' parts, in interval order: added like
// Python's sum(), from 0 left to right, and doubled, as Pi does; so a run
// that computed the parts elsewhere (other goroutines, other processes) gives
// the same digits.
func PiOfParts(parts []float64) float64 {
	sum := 0.0
	for _, p := range parts {
		sum += p
	}
	return sum * 2
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
	parts, err := PiIntervals(n, intervals)
	if err != nil {
		return PiResult{}, err
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
		value = PiOfParts([]float64{parts[0].Integrate(&stop, progress, nil)})
	} else {
		value = PiOfParts(sumIntervals(parts, workers, &stop, progress))
	}
	secs := time.Since(t0).Seconds()
	if err := ctx.Err(); err != nil {
		return PiResult{}, fmt.Errorf("π integration stopped: %w", err)
	}
	return PiResult{Value: value, AbsError: math.Abs(value - math.Pi), Seconds: secs,
		N: n, Intervals: intervals, Workers: workers}, nil
}

// sumIntervals integrates the intervals: min(workers, intervals) goroutines
// each take the next interval as they finish one, until none is left or stop
// is set, and each part lands in its interval's place.
func sumIntervals(intervals []PiInterval, workers int, stop *atomic.Bool, progress *atomic.Int64) []float64 {
	parts := make([]float64, len(intervals))
	var next atomic.Int64
	var g errgroup.Group // the workers cannot fail: Wait only joins them
	for range min(workers, len(intervals)) {
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(intervals) || stop.Load() {
					return nil
				}
				parts[i] = intervals[i].Integrate(stop, progress, nil)
			}
		})
	}
	_ = g.Wait()
	return parts
}
