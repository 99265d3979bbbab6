package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"text/tabwriter"
	"time"

	"potok/compute/dataset"
	"potok/compute/tree"
)

const regressSynopsis = "regress [-data FILE.csv | -dataset friedman1|sparse|diabetes] [-workers 1,2] [-trees 100] [-stages 100] [-id ID] [-target target] [-json]"

// regressRow is one model at one worker count.
type regressRow struct {
	Model      string  `json:"model"`
	Workers    int     `json:"workers"`
	R2         float64 `json:"r2"`
	FitSeconds float64 `json:"fit_seconds"`
	PredictSec float64 `json:"predict_seconds"`
}

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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
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

	trainIdx, testIdx := dataset.TrainTestSplit(frame.Rows(), 0.33, 42)
	train, test := frame.Subset(trainIdx), frame.Subset(testIdx)
	if !*asJSON {
		fmt.Fprintf(stdout, "%s: %d rows × %d features; train %d, test %d (sklearn's split, test_size 0.33, random_state 42)\n",
			label, frame.Rows(), len(frame.Features), train.Rows(), test.Rows())
	}
	var rows []regressRow
	for _, w := range workers {
		for _, m := range []string{"random forest", "gradient boosting"} {
			r, err := evaluate(ctx, m, w, *trees, *stages, *seed, train, test)
			if err != nil {
				fmt.Fprintf(stderr, "potok regress: %v\n", err)
				return 1
			}
			rows = append(rows, r)
		}
	}
	// The notebook's exercise: both evaluations at once, with the most workers.
	wmax := workers[len(workers)-1]
	var both [2]regressRow
	var errs [2]error
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, m := range []string{"random forest", "gradient boosting"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			both[i], errs[i] = evaluate(ctx, m, wmax, *trees, *stages, *seed, train, test)
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
			Data         string       `json:"data"`
			Rows         []regressRow `json:"rows"`
			BothSeconds  float64      `json:"both_in_parallel_seconds"`
			BothWorkers  int          `json:"both_in_parallel_workers"`
			BothR2Forest float64      `json:"both_r2_forest"`
			BothR2Boost  float64      `json:"both_r2_boosting"`
		}{label, rows, bothSecs, wmax, both[0].R2, both[1].R2})
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tworkers\tR²\tfit s\tpredict s\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.3f\t%.3f\t\n", r.Model, r.Workers, r.R2, r.FitSeconds, r.PredictSec)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "both evaluations in parallel at %d workers each: %.3f s (R² %.4f and %.4f)\n",
		wmax, bothSecs, both[0].R2, both[1].R2)
	return 0
}

func loadFrame(path, name, idCol, targetCol string, stderr io.Writer) (*dataset.Frame, string, error) {
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, "", fmt.Errorf("open data: %w", err)
		}
		defer f.Close()
		fr, err := dataset.ReadCSV(f, idCol, targetCol, nil)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return fr, path, nil
	}
	switch name {
	case "friedman1":
		return dataset.Friedman1(20000, 20, 1.0, 0), "Friedman #1 (noise 1, seed 0)", nil
	case "sparse":
		return dataset.WideSparse(4459, 2000, 0.97, 0), "wide sparse (97 % zeros)", nil
	case "diabetes":
		return dataset.Diabetes(), "diabetes (Efron et al. 2004, as scikit-learn ships it)", nil
	}
	return nil, "", fmt.Errorf("unknown -dataset %q: choose friedman1, sparse or diabetes, or give -data FILE.csv", name)
}

// evaluate fits one model on train with w workers and scores it on test.
func evaluate(ctx context.Context, model string, w, trees, stages int, seed uint64, train, test *dataset.Frame) (regressRow, error) {
	row := regressRow{Model: model, Workers: w}
	var predict func([]float64) float64
	t0 := time.Now()
	switch model {
	case "random forest":
		f, err := tree.FitForest(ctx, train.Cols, train.Y, tree.ForestParams{Trees: trees, Workers: w, Seed: seed}, nil)
		if err != nil {
			return row, fmt.Errorf("fit the random forest: %w", err)
		}
		predict = f.Predict
	default:
		b, err := tree.FitBoosting(ctx, train.Cols, train.Y, tree.BoostingParams{Stages: stages, LearningRate: 0.1, MaxDepth: 3, Workers: w}, nil)
		if err != nil {
			return row, fmt.Errorf("fit gradient boosting: %w", err)
		}
		predict = b.Predict
	}
	row.FitSeconds = time.Since(t0).Seconds()
	t1 := time.Now()
	pred := make([]float64, test.Rows())
	for i := range pred {
		pred[i] = predict(test.Row(i))
	}
	row.PredictSec = time.Since(t1).Seconds()
	row.R2 = tree.R2(test.Y, pred)
	return row, nil
}
