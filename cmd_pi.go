package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strings"

	"potok/compute"
	"potok/compute/lesson"
)

const piSynopsis = "pi [-n 5000000] [-intervals 10] [-workers 1,2,4] [-repeats 5] [-mode goroutines|processes|gil,...] [-json]"

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
	modes                 modeList
	json                  bool
}

// piResult is what potok pi -json prints. The value is the same in every
// mode; the Amdahl fit is per mode.
type piResult struct {
	Value          float64            `json:"value"`
	AbsError       float64            `json:"abs_error"`
	N              int                `json:"n"`
	Intervals      int                `json:"intervals"`
	Cores          int                `json:"cores"`
	SerialFraction map[string]float64 `json:"amdahl_serial_fraction"`
	Rows           []modeRow          `json:"rows"`
}

// modeRow is one worker count in one mode: compute.SweepRow, with the
// speedup and efficiency of the command line's one definition (the same
// numbers). pi's rows, and bench lesson's.
type modeRow struct {
	Mode    lesson.Mode `json:"mode"`
	Workers int         `json:"workers"`
	Median  float64     `json:"median_seconds"`
	Times   []float64   `json:"seconds"`
	scaling
}

func runPi(args []string, stdout, stderr io.Writer) int {
	c, code, ok := parsePi(args, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, sweeps, err := c.measure(ctx)
	if err != nil {
		return failed(stderr, "pi", err)
	}
	p := printer{w: stdout, json: c.json}
	p.linef("π ≈ %.16f (error %.3g) with %d points over %d intervals; %d cores",
		res.Value, res.AbsError, res.N, res.Intervals, res.Cores)
	tables := make([]table, len(c.modes))
	var fits []string
	for k, m := range c.modes {
		rows := res.Rows[k*len(c.workers):]
		tables[k] = sweeps[k].table([]column{{"median ms", func(i int) string { return fmt.Sprintf("%.2f", rows[i].Median*1000) }}}, nil)
		if s := res.SerialFraction[m.String()]; s >= 0 {
			fits = append(fits, fmt.Sprintf("%.3f (%s)", s, m))
		}
	}
	t := byMode(c.modes, tables)
	if len(fits) > 0 {
		t.notes = append(t.notes, fmt.Sprintf("Amdahl fit over 2..%d workers: serial fraction %s", res.Cores, strings.Join(fits, ", ")))
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
	c.modes = modeList{lesson.Goroutines}
	fs.Var(&c.modes, "mode", modeUsage)
	if code, ok := parseFlags(fs, args); !ok {
		return c, code, false
	}
	if c.n < 2 || c.intervals < 1 || c.n/c.intervals < 2 || c.repeats < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok pi: need -n of at least 2 points per interval, -intervals and -repeats of at least 1, and no arguments")
		return c, 2, false
	}
	return c, 0, true
}

// measure integrates π repeats times at each worker count in each mode,
// and checks that every run gave the same value.
func (c piRun) measure(ctx context.Context) (piResult, []*sweep, error) {
	var values []float64
	rows, err := lesson.Sweep(ctx, c.modes, c.workers, c.repeats, func(ctx context.Context, m lesson.Mode, w int) (float64, error) {
		r, err := lesson.Pi(ctx, m, c.n, c.intervals, w, nil)
		values = append(values, r.Value)
		return r.Seconds, err
	})
	if err != nil {
		return piResult{}, nil, err
	}
	for _, v := range values {
		if v != values[0] {
			return piResult{}, nil, fmt.Errorf("the modes disagree: π came out as %.17g and as %.17g", values[0], v)
		}
	}
	res := piResult{Value: values[0], AbsError: math.Abs(values[0] - math.Pi), N: c.n, Intervals: c.intervals,
		Cores: runtime.NumCPU(), SerialFraction: map[string]float64{}}
	var sweeps []*sweep
	for k, m := range c.modes {
		mine := rows[k*len(c.workers) : (k+1)*len(c.workers)]
		plain := make([]compute.SweepRow, len(mine))
		sw := &sweep{unit: "workers"}
		for i, r := range mine {
			plain[i] = r.SweepRow
			res.Rows = append(res.Rows, modeRow{Mode: m, Workers: r.Workers, Median: r.Median, Times: r.Times, scaling: sw.add(r.Workers, r.Median)})
		}
		res.SerialFraction[m.String()] = compute.AmdahlSerialFraction(plain, runtime.NumCPU())
		sweeps = append(sweeps, sw)
	}
	return res, sweeps, nil
}
