package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"text/tabwriter"

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

func runPi(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("pi", piSynopsis, stderr)
	n := fs.Int("n", 5_000_000, "points of the trapezoid rule")
	intervals := fs.Int("intervals", 10, "intervals the range is split into (1: one serial pass)")
	repeats := fs.Int("repeats", 5, "runs per worker count; the median is reported")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	workers := defaultWorkers()
	fs.Var(&workers, "workers", "worker counts, comma-separated (default 1, 2, 4, … up to 2 × cores)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *n < 2 || *intervals < 1 || *n / *intervals < 2 || *repeats < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok pi: need -n of at least 2 points per interval, -intervals and -repeats of at least 1, and no arguments")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var last compute.PiResult
	rows, err := compute.Sweep(ctx, workers, *repeats, func(ctx context.Context, w int) (float64, error) {
		r, err := compute.Pi(ctx, *n, *intervals, w, nil)
		last = r
		return r.Seconds, err
	})
	if err != nil {
		fmt.Fprintf(stderr, "potok pi: %v\n", err)
		return 1
	}
	serial := compute.AmdahlSerialFraction(rows, runtime.NumCPU())
	if *asJSON {
		out := struct {
			Value          float64            `json:"value"`
			AbsError       float64            `json:"abs_error"`
			N              int                `json:"n"`
			Intervals      int                `json:"intervals"`
			Cores          int                `json:"cores"`
			SerialFraction float64            `json:"amdahl_serial_fraction"`
			Rows           []compute.SweepRow `json:"rows"`
		}{last.Value, last.AbsError, *n, *intervals, runtime.NumCPU(), serial, rows}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
		return 0
	}
	fmt.Fprintf(stdout, "π ≈ %.16f (error %.3g) with %d points over %d intervals; %d cores\n",
		last.Value, last.AbsError, *n, *intervals, runtime.NumCPU())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workers\tmedian ms\tspeedup\tefficiency\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%.2f\t\n", r.Workers, r.Median*1000, r.Speedup, r.Efficiency)
	}
	tw.Flush()
	if serial >= 0 {
		fmt.Fprintf(stdout, "Amdahl fit over 2..%d workers: serial fraction %.3f\n", runtime.NumCPU(), serial)
	}
	return 0
}
