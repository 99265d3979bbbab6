package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"

	"potok/compute"
)

const piSynopsis = "pi [-n 5000000] [-intervals 10] [-workers 1,2,4] [-repeats 5] [-json]"

// defaultWorkers is 1, 2, 4, … up to twice the cores: past the cores the
// speedup of CPU-bound work should flatten, and the sweep shows it.
func defaultWorkers() intList {
	var l intList
	for w := 1; w <= 2*runtime.NumCPU(); w *= 2 {
		l = append(l, w)
	}
	return l
}

// piRun is what potok pi was asked to measure.
type piRun struct {
	n, intervals, repeats int
	workers               intList
	json                  bool
}

// piResult is what potok pi -json prints.
type piResult struct {
	Value          float64 `json:"value"`
	AbsError       float64 `json:"abs_error"`
	N              int     `json:"n"`
	Intervals      int     `json:"intervals"`
	Cores          int     `json:"cores"`
	SerialFraction float64 `json:"amdahl_serial_fraction"`
	Rows           []piRow `json:"rows"`
}

// piRow is one worker count: compute.SweepRow, with the speedup and
// efficiency of the command line's one definition (the same numbers).
type piRow struct {
	Workers int       `json:"workers"`
	Median  float64   `json:"median_seconds"`
	Times   []float64 `json:"seconds"`
	scaling
}

func runPi(args []string, stdout, stderr io.Writer) int {
	c, code, ok := parsePi(args, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, sw, err := c.measure(ctx)
	if err != nil {
		return failed(stderr, "pi", err)
	}
	p := printer{w: stdout, json: c.json}
	p.linef("π ≈ %.16f (error %.3g) with %d points over %d intervals; %d cores",
		res.Value, res.AbsError, res.N, res.Intervals, res.Cores)
	t := sw.table([]column{{"median ms", func(i int) string { return fmt.Sprintf("%.2f", res.Rows[i].Median*1000) }}}, nil)
	if res.SerialFraction >= 0 {
		t.notes = append(t.notes, fmt.Sprintf("Amdahl fit over 2..%d workers: serial fraction %.3f", res.Cores, res.SerialFraction))
	}
	if err := p.result(t, res); err != nil {
		return failed(stderr, "pi", err)
	}
	return 0
}

func parsePi(args []string, stderr io.Writer) (c piRun, code int, ok bool) {
	fs := newFlagSet("pi", piSynopsis, stderr, scalingDoc)
	fs.IntVar(&c.n, "n", 5_000_000, "points of the trapezoid rule")
	fs.IntVar(&c.intervals, "intervals", 10, "intervals the range is split into (1: one serial pass)")
	fs.IntVar(&c.repeats, "repeats", 5, "runs per worker count; the median is reported")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a table")
	c.workers = defaultWorkers()
	fs.Var(&c.workers, "workers", "worker counts, comma-separated: 1, 2, 4, … up to 2 × cores by default")
	if code, ok := parseFlags(fs, args); !ok {
		return c, code, false
	}
	if c.n < 2 || c.intervals < 1 || c.n/c.intervals < 2 || c.repeats < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok pi: need -n of at least 2 points per interval, -intervals and -repeats of at least 1, and no arguments")
		return c, 2, false
	}
	return c, 0, true
}

// measure integrates π repeats times at each worker count.
func (c piRun) measure(ctx context.Context) (piResult, *sweep, error) {
	var last compute.PiResult
	rows, err := compute.Sweep(ctx, c.workers, c.repeats, func(ctx context.Context, w int) (float64, error) {
		r, err := compute.Pi(ctx, c.n, c.intervals, w, nil)
		last = r
		return r.Seconds, err
	})
	if err != nil {
		return piResult{}, nil, err
	}
	res := piResult{Value: last.Value, AbsError: last.AbsError, N: c.n, Intervals: c.intervals,
		Cores: runtime.NumCPU(), SerialFraction: compute.AmdahlSerialFraction(rows, runtime.NumCPU())}
	sw := &sweep{unit: "workers"}
	for _, r := range rows {
		res.Rows = append(res.Rows, piRow{Workers: r.Workers, Median: r.Median, Times: r.Times, scaling: sw.add(r.Workers, r.Median)})
	}
	return res, sw, nil
}
