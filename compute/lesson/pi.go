package lesson

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"potok/compute"
)

// PiResult is one π integration and the mode it ran in.
type PiResult struct {
	Mode Mode `json:"mode"`
	compute.PiResult
}

// Pi integrates the notebooks' π as compute.Pi does (n points over
// intervals, workers at once), in mode:
//
//   - Goroutines: compute.Pi itself.
//   - GIL: the same intervals taken by workers goroutines, each computing
//     holding one GlobalLock and turning it over every switch interval: the
//     same digits, one worker computing at a time.
//   - Processes: the intervals split into min(workers, intervals) contiguous
//     shares, each sent to a child process started for this run, whose parts
//     come back over its stdout; the time includes starting the children
//     and waiting for them. progress counts a child's points when it answers.
//
// The parts are added in interval order in every mode, so the value is the
// same to the last digit.
func Pi(ctx context.Context, mode Mode, n, intervals, workers int, progress *atomic.Int64) (PiResult, error) {
	if mode == Goroutines {
		r, err := compute.Pi(ctx, n, intervals, workers, progress)
		return PiResult{Mode: mode, PiResult: r}, err
	}
	if workers < 1 {
		return PiResult{}, fmt.Errorf("π: need at least 1 worker (workers=%d)", workers)
	}
	parts, err := compute.PiIntervals(n, intervals)
	if err != nil {
		return PiResult{}, err
	}
	if progress == nil {
		progress = new(atomic.Int64)
	}
	t0 := time.Now()
	var sums []float64
	switch mode {
	case GIL:
		sums = piUnderGIL(ctx, parts, workers, progress)
	case Processes:
		sums, err = piInProcesses(ctx, parts, workers, progress)
	default:
		return PiResult{}, fmt.Errorf("π: no such mode %v", mode)
	}
	secs := time.Since(t0).Seconds()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return PiResult{}, fmt.Errorf("π integration (%s) stopped: %w", mode, err)
	}
	v := compute.PiOfParts(sums)
	return PiResult{Mode: mode, PiResult: compute.PiResult{Value: v, AbsError: math.Abs(v - math.Pi),
		Seconds: secs, N: n, Intervals: intervals, Workers: workers}}, nil
}

// piUnderGIL integrates the parts on workers goroutines that hold one
// GlobalLock while they compute.
func piUnderGIL(ctx context.Context, parts []compute.PiInterval, workers int, progress *atomic.Int64) []float64 {
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	gil := new(GlobalLock)
	sums := make([]float64, len(parts))
	var next atomic.Int64
	var wg sync.WaitGroup // the workers cannot fail: Wait only joins them
	for range min(workers, len(parts)) {
		wg.Go(func() {
			gil.Lock()
			defer gil.Unlock()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(parts) || stop.Load() {
					return
				}
				sums[i] = parts[i].Integrate(&stop, progress, gil.Turn)
			}
		})
	}
	wg.Wait()
	return sums
}

// piRequest is a child's share of π; piAnswer its parts, which come back
// as the answer's one vector, in the order of the request's intervals.
type (
	piRequest struct {
		Intervals []compute.PiInterval `json:"intervals"`
	}
	piAnswer struct {
		Seconds float64 `json:"seconds"`
	}
)

// piInProcesses integrates the parts in child processes, a contiguous share
// each, and returns the parts in interval order.
func piInProcesses(ctx context.Context, parts []compute.PiInterval, workers int, progress *atomic.Int64) ([]float64, error) {
	k := min(workers, len(parts))
	shares := make([]*child, k)
	for c := range shares {
		lo, hi := shareRange(len(parts), k, c)
		shares[c] = &child{header: piRequest{Intervals: parts[lo:hi]}, answer: new(piAnswer)}
	}
	if err := runChildren(ctx, jobPi, shares); err != nil {
		return nil, err
	}
	sums := make([]float64, 0, len(parts))
	for c, ch := range shares {
		lo, hi := shareRange(len(parts), k, c)
		if len(ch.got) != 1 || len(ch.got[0]) != hi-lo {
			return nil, fmt.Errorf("worker process %d answered %d vectors for %d intervals", c+1, len(ch.got), hi-lo)
		}
		sums = append(sums, ch.got[0]...)
		for _, iv := range parts[lo:hi] {
			progress.Add(int64(iv.Points - 1))
		}
	}
	return sums, nil
}

// servePi is the child's side: integrate each interval of the request on
// this goroutine, in order.
func servePi(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var req piRequest
	if _, err := readMessage(stdin, &req); err != nil {
		return err
	}
	if len(req.Intervals) == 0 {
		return errNoWork
	}
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	t0 := time.Now()
	parts := make([]float64, len(req.Intervals))
	for i, iv := range req.Intervals {
		if iv.Points < 2 {
			return fmt.Errorf("interval %d has %d points: at least 2 are needed", i, iv.Points)
		}
		parts[i] = iv.Integrate(&stop, nil, nil)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return writeMessage(stdout, piAnswer{Seconds: time.Since(t0).Seconds()}, parts)
}
