package lesson

import (
	"context"
	"fmt"

	"potok/compute"
)

// SweepRow is one worker count of a sweep in one mode: compute.SweepRow
// (median time, speedup against the mode's own first count, efficiency =
// speedup / workers) with its mode.
type SweepRow struct {
	Mode Mode `json:"mode"`
	compute.SweepRow
}

// Sweep runs job repeats times at each worker count in each mode, one mode
// after the other, with compute.Sweep: speedup and efficiency are defined as
// everywhere else, against each mode's own first count. job returns the
// seconds its timed part took.
func Sweep(ctx context.Context, modes []Mode, workers []int, repeats int, job func(ctx context.Context, mode Mode, workers int) (float64, error)) ([]SweepRow, error) {
	if len(modes) == 0 {
		return nil, fmt.Errorf("lesson: no modes to measure")
	}
	var out []SweepRow
	for _, m := range modes {
		rows, err := compute.Sweep(ctx, workers, repeats, func(ctx context.Context, w int) (float64, error) {
			return job(ctx, m, w)
		})
		if err != nil {
			return out, err
		}
		for _, r := range rows {
			out = append(out, SweepRow{Mode: m, SweepRow: r})
		}
	}
	return out, nil
}

// PiSweep is Sweep of Pi: n points over intervals in each mode, repeats
// runs per worker count. each, if not nil, gets every run's result (its
// value is the same in every mode and at every count).
func PiSweep(ctx context.Context, modes []Mode, workers []int, repeats, n, intervals int, each func(PiResult)) ([]SweepRow, error) {
	return Sweep(ctx, modes, workers, repeats, func(ctx context.Context, m Mode, w int) (float64, error) {
		r, err := Pi(ctx, m, n, intervals, w, nil)
		if err == nil && each != nil {
			each(r)
		}
		return r.Seconds, err
	})
}

// scaled is the rows of one mode from times measured elsewhere (times[i]
// the runs at workers[i], as many at each count), with compute.Sweep's
// median, speedup and efficiency.
func scaled(ctx context.Context, mode Mode, workers []int, times [][]float64) ([]SweepRow, error) {
	i, k := 0, 0
	rows, err := compute.Sweep(ctx, workers, len(times[0]), func(context.Context, int) (float64, error) {
		t := times[i][k]
		if k++; k == len(times[i]) {
			i, k = i+1, 0
		}
		return t, nil
	})
	out := make([]SweepRow, len(rows))
	for j, r := range rows {
		out[j] = SweepRow{Mode: mode, SweepRow: r}
	}
	return out, err
}
