package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"potok/compute"
)

// TestEfficiencyIsSpeedupPerCount: in every JSON the command line prints,
// speedup is the first count's seconds × the first count / the seconds, and
// efficiency is speedup / count, to the last bit: one definition.
func TestEfficiencyIsSpeedupPerCount(t *testing.T) {
	for _, tc := range []struct {
		name          string
		args          []string
		count, time   string // the JSON keys
		rowsInsideKey string // "" when the rows are the whole output
	}{
		{"bench io", []string{"bench", "io", "-workers", "2,1,3", "-files", "3", "-size", "1KiB", "-latency", "0s", "-rate", "0", "-json"}, "workers", "seconds", ""},
		{"bench segments", []string{"bench", "segments", "-size", "128KiB", "-rate", "16MiB", "-connections", "1,3", "-json"}, "connections", "seconds", ""},
		{"pi", []string{"pi", "-n", "20000", "-workers", "3,1,2", "-repeats", "1", "-json"}, "workers", "median_seconds", "rows"},
		{"pi in every mode", []string{"pi", "-n", "20000", "-workers", "3,1,2", "-repeats", "1", "-mode", "gil,processes,goroutines", "-json"}, "workers", "median_seconds", "rows"},
		{"bench io in every mode", []string{"bench", "io", "-workers", "2,1", "-files", "3", "-size", "1KiB", "-latency", "0s", "-rate", "0", "-mode", "processes,gil,goroutines", "-json"}, "workers", "seconds", ""},
		{"bench lesson", []string{"bench", "lesson", "-n", "20000", "-workers", "2,1", "-repeats", "1", "-files", "2", "-size", "1KiB", "-latency", "1ms", "-json"}, "workers", "median_seconds", "rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var rows []map[string]any
			var err error
			if tc.rowsInsideKey == "" {
				err = json.Unmarshal([]byte(out), &rows)
			} else {
				var doc map[string]json.RawMessage
				if err = json.Unmarshal([]byte(out), &doc); err == nil {
					err = json.Unmarshal(doc[tc.rowsInsideKey], &rows)
				}
			}
			if err != nil || len(rows) < 2 {
				t.Fatalf("%v: %s", err, out)
			}
			// Each work and mode is a sweep of its own, against its own first count.
			firsts := map[string]float64{}
			for _, r := range rows {
				key := fmt.Sprint(r["work"], r["mode"])
				if _, ok := firsts[key]; !ok {
					firsts[key] = r[tc.count].(float64) * r[tc.time].(float64)
				}
				speedup := firsts[key] / r[tc.time].(float64)
				if r["speedup"] != speedup || r["efficiency"] != speedup/r[tc.count].(float64) {
					t.Fatalf("row %v: want speedup %v, efficiency %v", r, speedup, speedup/r[tc.count].(float64))
				}
			}
		})
	}
}

// TestScalingIsComputeSweeps: compute.Sweep's rows (pi's, the window's) say
// the same speedup and efficiency as the command line's scaling, to the last
// bit. If this fails, "efficiency" means two things.
func TestScalingIsComputeSweeps(t *testing.T) {
	secs := map[int]float64{3: 0.7, 1: 1.9, 6: 0.33, 2: 1.1}
	rows, err := compute.Sweep(context.Background(), []int{3, 1, 6, 2}, 1, func(_ context.Context, w int) (float64, error) {
		return secs[w], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sw sweep
	for _, r := range rows {
		if got := sw.add(r.Workers, r.Median); got.Speedup != r.Speedup || got.Efficiency != r.Efficiency {
			t.Errorf("%d workers: scaling %+v, compute.Sweep %v and %v", r.Workers, got, r.Speedup, r.Efficiency)
		}
	}
}

// A value with no JSON form fails the command; it does not print nothing
// and succeed.
func TestPrinterRefusesNaN(t *testing.T) {
	var out strings.Builder
	err := printer{w: &out, json: true}.result(table{}, scaling{Speedup: math.NaN()})
	if err == nil || out.Len() != 0 {
		t.Fatalf("printed %q, %v", out.String(), err)
	}
}
