package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"text/tabwriter"
	"time"

	"potok/compute"
	"potok/compute/dataset"
)

const regressSynopsis = "regress [-data FILE.csv | -dataset friedman1|sparse|diabetes] [-workers 1,2] [-trees 100] [-stages 100] [-id ID] [-target target] [-json]"

func runRegress(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("regress", regressSynopsis, stderr)
	data := fs.String("data", "", "CSV file with a header row (overrides -dataset)")
	name := fs.String("dataset", "friedman1", "built-in data: friedman1 (20000 × 20), sparse (4459 × 2000, 97 % zeros), diabetes (442 × 10)")
	idCol := fs.String("id", "ID", "column to ignore in the CSV")
	targetCol := fs.String("target", "target", "column to predict in the CSV")
	trees := fs.Int("trees", 100, "trees in the random forest")
	stages := fs.Int("stages", 100, "stages of gradient boosting")
	seed := fs.Uint64("seed", 0, "random forest seed")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	workers := intList{1, 2}
	fs.Var(&workers, "workers", "worker counts, comma-separated")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *trees < 1 || *stages < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok regress: -trees and -stages must be at least 1, and no arguments")
		return 2
	}
	frame, label, err := loadFrame(*data, *name, *idCol, *targetCol, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "potok regress: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	train, test := compute.Split(frame)
	if !*asJSON {
		fmt.Fprintf(stdout, "%s: %d rows × %d features; train %d, test %d (sklearn's split, test_size 0.33, random_state 42)\n",
			label, frame.Rows(), len(frame.Features), train.Rows(), test.Rows())
	}
	params := compute.RegressParams{Trees: *trees, Stages: *stages, Seed: *seed}
	models := []string{compute.ModelForest, compute.ModelBoosting}
	var rows []compute.ModelResult
	for _, w := range workers {
		for _, m := range models {
			r, err := compute.Evaluate(ctx, m, w, params, train, test, nil)
			if err != nil {
				fmt.Fprintf(stderr, "potok regress: %v\n", err)
				return 1
			}
			rows = append(rows, r)
		}
	}
	// The notebook's exercise: both evaluations at once, with the most workers.
	wmax := workers[len(workers)-1]
	var both [2]compute.ModelResult
	var errs [2]error
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, m := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			both[i], errs[i] = compute.Evaluate(ctx, m, wmax, params, train, test, nil)
		}()
	}
	wg.Wait()
	bothSecs := time.Since(t0).Seconds()
	if err := errors.Join(errs[:]...); err != nil {
		fmt.Fprintf(stderr, "potok regress: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Data         string                `json:"data"`
			Rows         []compute.ModelResult `json:"rows"`
			BothSeconds  float64               `json:"both_in_parallel_seconds"`
			BothWorkers  int                   `json:"both_in_parallel_workers"`
			BothR2Forest float64               `json:"both_r2_forest"`
			BothR2Boost  float64               `json:"both_r2_boosting"`
		}{label, rows, bothSecs, wmax, both[0].R2, both[1].R2})
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tworkers\tR²\tfit s\tpredict s\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.3f\t%.3f\t\n", r.Model, r.Workers, r.R2, r.FitSeconds, r.PredictSeconds)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "both evaluations in parallel at %d workers each: %.3f s (R² %.4f and %.4f)\n",
		wmax, bothSecs, both[0].R2, both[1].R2)
	return 0
}

func loadFrame(path, name, idCol, targetCol string, stderr io.Writer) (*dataset.Frame, string, error) {
	if path == "" {
		return compute.Builtin(name)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("open data: %w", err)
	}
	defer f.Close()
	// Big files show how far the reading is, on a terminal.
	var progress func(int64)
	if fi, err := f.Stat(); err == nil && fi.Size() > 8<<20 && isTerminal(stderr) {
		total := fi.Size()
		progress = func(n int64) { fmt.Fprintf(stderr, "\rreading %s: %d %%", path, n*100/total) }
		defer fmt.Fprintln(stderr)
	}
	fr, err := dataset.ReadCSV(f, idCol, targetCol, progress)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return fr, path, nil
}
