package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"

	"potok/compute"
	"potok/compute/dataset"
	"potok/compute/lesson"
)

const regressSynopsis = "regress [-data FILE.csv | -dataset friedman1|sparse|diabetes] [-workers 1,2] [-trees 100] [-stages 100] [-id ID] [-target target] [-seed 0] [-mode goroutines|processes|gil,...] [-json]"

// regressRun is what potok regress was asked to compare.
type regressRun struct {
	data, dataset, idCol, targetCol string
	params                          compute.RegressParams
	workers                         intList
	modes                           modeList
	json                            bool
}

// regressResult is what potok regress -json prints.
type regressResult struct {
	Data string               `json:"data"`
	Rows []lesson.ModelResult `json:"rows"`
	Both []bothResult         `json:"both_in_parallel"` // one per mode
}

// bothResult is both models evaluated at once in a mode: the notebook's
// exercise.
type bothResult struct {
	Mode     lesson.Mode `json:"mode"`
	Workers  int         `json:"workers"`
	Seconds  float64     `json:"seconds"`
	R2Forest float64     `json:"r2_forest"`
	R2Boost  float64     `json:"r2_boosting"`
}

var regressModels = [2]string{compute.ModelForest, compute.ModelBoosting}

func runRegress(args []string, stdout, stderr io.Writer) int {
	c, code, ok := parseRegress(args, stderr)
	if !ok {
		return code
	}
	frame, label, err := loadFrame(c.data, c.dataset, c.idCol, c.targetCol, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "potok regress: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	train, test := compute.Split(frame)
	p := printer{w: stdout, json: c.json}
	p.linef("%s: %d rows × %d features; train %d, test %d (sklearn's split, test_size 0.33, random_state 42)",
		label, frame.Rows(), len(frame.Features), train.Rows(), test.Rows())
	res, err := c.evaluate(ctx, train, test)
	if err != nil {
		return failed(stderr, "regress", err)
	}
	res.Data = label
	if err := p.result(res.table(), res); err != nil {
		return failed(stderr, "regress", err)
	}
	return 0
}

func parseRegress(args []string, stderr io.Writer) (c regressRun, code int, ok bool) {
	fs := newFlagSet("regress", regressSynopsis, stderr)
	fs.StringVar(&c.data, "data", "", "CSV file with a header row (overrides -dataset)")
	fs.StringVar(&c.dataset, "dataset", "friedman1", "built-in data: friedman1 (20000 × 20), sparse (4459 × 2000, 97 % zeros), diabetes (442 × 10)")
	fs.StringVar(&c.idCol, "id", "ID", "column to ignore in the CSV")
	fs.StringVar(&c.targetCol, "target", "target", "column to predict in the CSV")
	fs.IntVar(&c.params.Trees, "trees", 100, "trees in the random forest")
	fs.IntVar(&c.params.Stages, "stages", 100, "stages of gradient boosting")
	fs.Uint64Var(&c.params.Seed, "seed", 0, "random forest seed")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a table")
	c.workers = intList{1, 2}
	fs.Var(&c.workers, "workers", "worker counts, comma-separated")
	c.modes = modeList{lesson.Goroutines}
	fs.Var(&c.modes, "mode", modeUsage)
	if code, ok := parseFlags(fs, args); !ok {
		return c, code, false
	}
	if c.params.Trees < 1 || c.params.Stages < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok regress: -trees and -stages must be at least 1, and no arguments")
		return c, 2, false
	}
	return c, 0, true
}

// evaluate fits and scores both models at each worker count in each mode,
// then both at once with the most workers: the notebook's exercise.
func (c regressRun) evaluate(ctx context.Context, train, test *dataset.Frame) (regressResult, error) {
	var res regressResult
	most := c.workers[len(c.workers)-1]
	for _, mode := range c.modes {
		for _, w := range c.workers {
			for _, m := range regressModels {
				r, err := lesson.Evaluate(ctx, mode, m, w, c.params, train, test, nil)
				if err != nil {
					return res, err
				}
				res.Rows = append(res.Rows, r)
			}
		}
		both, secs, err := lesson.EvaluateBoth(ctx, mode, most, c.params, train, test)
		if err != nil {
			return res, err
		}
		res.Both = append(res.Both, bothResult{Mode: mode, Workers: most, Seconds: secs, R2Forest: both[0].R2, R2Boost: both[1].R2})
	}
	return res, nil
}

func (r regressResult) table() table {
	t := table{header: []string{"model", "mode", "workers", "R²", "fit s", "predict s"}}
	for _, m := range r.Rows {
		t.rows = append(t.rows, []string{m.Model, m.Mode.String(), strconv.Itoa(m.Workers), fmt.Sprintf("%.4f", m.R2),
			fmt.Sprintf("%.3f", m.FitSeconds), fmt.Sprintf("%.3f", m.PredictSeconds)})
	}
	for _, b := range r.Both {
		t.notes = append(t.notes, fmt.Sprintf("both evaluations in parallel at %d workers each (%s): %.3f s (R² %.4f and %.4f)",
			b.Workers, b.Mode, b.Seconds, b.R2Forest, b.R2Boost))
	}
	for _, m := range r.Rows {
		if note := fmt.Sprintf("%s, %s: %s", m.Mode, m.Model, m.Note); m.Note != "" && !slices.Contains(t.notes, note) {
			t.notes = append(t.notes, note)
		}
	}
	return t
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
