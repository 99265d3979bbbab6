package compute

import (
	"context"
	"errors"
	"sort"
)

// errNoRuns is returned by Sweep when given no worker counts.
var errNoRuns = errors.New("compute: no worker counts to measure")

// SweepRow is one worker count of a sweep.
type SweepRow struct {
	Workers    int       `json:"workers"`
	Median     float64   `json:"median_seconds"`
	Times      []float64 `json:"seconds"`
	Speedup    float64   `json:"speedup"`    // median time of the first row × its workers / this median
	Efficiency float64   `json:"efficiency"` // speedup / workers
}

// Sweep runs job repeats times at each worker count and reports the median
// times, speedup and efficiency. job returns the seconds its timed part took.
func Sweep(ctx context.Context, workers []int, repeats int, job func(ctx context.Context, workers int) (float64, error)) ([]SweepRow, error) {
	if len(workers) == 0 {
		return nil, errNoRuns
	}
	repeats = max(repeats, 1)
	var rows []SweepRow
	for _, w := range workers {
		row := SweepRow{Workers: w}
		for range repeats {
			secs, err := job(ctx, w)
			if err != nil {
				return rows, err
			}
			row.Times = append(row.Times, secs)
		}
		row.Median = median(row.Times)
		rows = append(rows, row)
	}
	base := rows[0].Median * float64(rows[0].Workers)
	for i := range rows {
		rows[i].Speedup = base / rows[i].Median
		rows[i].Efficiency = rows[i].Speedup / float64(rows[i].Workers)
	}
	return rows, nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// AmdahlSerialFraction fits Amdahl's law, speedup(w) = 1 / (s + (1 − s)/w),
// to the rows with 1 < workers ≤ cores (beyond the cores the law does not
// apply: the extra workers only share them) and returns the serial fraction s
// in [0, 1], or −1 when no row qualifies. Least squares on 1/speedup, which is
// linear in s: 1/S − 1/w = s · (1 − 1/w).
func AmdahlSerialFraction(rows []SweepRow, cores int) float64 {
	var num, den float64
	for _, r := range rows {
		if r.Workers <= 1 || r.Workers > cores || r.Speedup <= 0 {
			continue
		}
		x := 1 - 1/float64(r.Workers)
		y := 1/r.Speedup - 1/float64(r.Workers)
		num += x * y
		den += x * x
	}
	if den == 0 {
		return -1
	}
	return min(max(num/den, 0), 1)
}
