package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"potok/compute"
	"potok/compute/dataset"
	"potok/compute/tree"
)

// ModelResult is one model fitted and scored in a mode. Note says what the
// mode means for the model when that is not the obvious (boosting's stages
// cannot be shared out among processes).
type ModelResult struct {
	Mode Mode `json:"mode"`
	compute.ModelResult
	Note string `json:"note,omitempty"`
}

// Notes of what processes and gil mode mean for a model.
const (
	NoteForestProcesses   = "trees split across the worker processes by index; fit s runs from starting them to their last answer, their test-set predictions included"
	NoteBoostingProcesses = "boosting's stages depend on each other: it runs in one worker process, its split search on the workers' goroutines there; fit s includes starting it and sending the data"
	NoteForestGIL         = "each worker holds the GIL while it grows a tree, turning it over every 5 ms"
	NoteBoostingGIL       = "boosting's split-search tasks (a column or a block of rows each) hold the GIL while they run"
)

// Evaluate fits model (compute.ModelForest or compute.ModelBoosting) on
// train with workers and scores it on test, in mode:
//
//   - Goroutines: compute.Evaluate.
//   - GIL: compute.Evaluate with one GlobalLock held by the forest's workers
//     while they grow trees (turned over every switch interval), by
//     boosting's split-search tasks while they run, and by the predicting
//     workers.
//   - Processes: the forest's trees split by index among min(workers, trees)
//     child processes, each given the data on stdin, fitting its trees from
//     the same seed (a tree depends only on the seed and its index) and
//     answering with each tree's predictions of the test rows, which the
//     parent averages in tree order: the same R² to the last bit. Boosting's
//     stages are sequential, so it runs in one child, with workers
//     goroutines there.
//
// progress, if not nil, gets trees or stages done (in processes mode, when
// the children answer).
func Evaluate(ctx context.Context, mode Mode, model string, workers int, p compute.RegressParams, train, test *dataset.Frame, progress func(done, total int)) (ModelResult, error) {
	return evaluate(ctx, mode, nil, model, workers, p, train, test, progress)
}

// evaluate is Evaluate with gil mode's lock given (nil: one of its own).
func evaluate(ctx context.Context, mode Mode, gil *GlobalLock, model string, workers int, p compute.RegressParams, train, test *dataset.Frame, progress func(done, total int)) (ModelResult, error) {
	res := ModelResult{Mode: mode}
	var err error
	switch mode {
	case Goroutines:
		res.ModelResult, err = compute.Evaluate(ctx, model, workers, p, train, test, progress)
	case GIL:
		if gil == nil {
			gil = new(GlobalLock)
		}
		p.Hold = gil
		res.ModelResult, err = compute.Evaluate(ctx, model, workers, p, train, test, progress)
		res.Note = NoteForestGIL
		if model == compute.ModelBoosting {
			res.Note = NoteBoostingGIL
		}
	case Processes:
		res.ModelResult, err = evaluateInProcesses(ctx, model, workers, p, train, test, progress)
		res.Note = NoteForestProcesses
		if model == compute.ModelBoosting {
			res.Note = NoteBoostingProcesses
		}
	default:
		err = fmt.Errorf("no such mode %v", mode)
	}
	if err != nil && mode != Goroutines {
		err = fmt.Errorf("%s: %w", mode, err)
	}
	return res, err
}

// EvaluateBoth is the notebook's exercise: both models at once, each with
// workers (the notebook maps its two models over a Pool of 2). In gil mode
// they share one GlobalLock, as two threads of one interpreter would; in
// processes mode each has its own children. It returns the forest's and
// boosting's results and the time both took together.
func EvaluateBoth(ctx context.Context, mode Mode, workers int, p compute.RegressParams, train, test *dataset.Frame) ([2]ModelResult, float64, error) {
	var gil *GlobalLock
	if mode == GIL {
		gil = new(GlobalLock)
	}
	var both [2]ModelResult
	var errs [2]error
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, m := range []string{compute.ModelForest, compute.ModelBoosting} {
		wg.Go(func() { both[i], errs[i] = evaluate(ctx, mode, gil, m, workers, p, train, test, nil) })
	}
	wg.Wait()
	return both, time.Since(t0).Seconds(), errors.Join(errs[:]...)
}

// regressRequest is a child's share of a model: the training columns, the
// training target and the test columns follow as vectors, in that order.
// The answer's vectors are each tree's predictions of the test rows (the
// forest) or the model's (boosting).
type (
	regressRequest struct {
		Model     string `json:"model"`
		Workers   int    `json:"workers"`
		Trees     int    `json:"trees,omitempty"`
		FirstTree int    `json:"first_tree,omitempty"`
		Stages    int    `json:"stages,omitempty"`
		Seed      uint64 `json:"seed"`
		Features  int    `json:"features"`
	}
	regressAnswer struct {
		FitSeconds     float64 `json:"fit_seconds"`
		PredictSeconds float64 `json:"predict_seconds"`
	}
)

// frameVectors are a training and a test frame as a request's vectors.
func frameVectors(train, test *dataset.Frame) [][]float64 {
	vecs := append([][]float64(nil), train.Cols...)
	vecs = append(vecs, train.Y)
	return append(vecs, test.Cols...)
}

func evaluateInProcesses(ctx context.Context, model string, workers int, p compute.RegressParams, train, test *dataset.Frame, progress func(done, total int)) (compute.ModelResult, error) {
	res := compute.ModelResult{Model: model, Workers: workers}
	trees, stages := orDefault(p.Trees, 100), orDefault(p.Stages, 100)
	t0 := time.Now()
	data, err := encodeVectors(frameVectors(train, test)...)
	if err != nil {
		return res, err
	}
	base := regressRequest{Model: model, Workers: 1, Seed: p.Seed, Features: len(train.Cols)}
	var shares []*child
	switch model {
	case compute.ModelForest:
		k := min(workers, trees)
		for c := range k {
			lo, hi := shareRange(trees, k, c)
			req := base
			req.Trees, req.FirstTree = hi-lo, lo
			shares = append(shares, &child{header: req, vectors: data, answer: new(regressAnswer)})
		}
	case compute.ModelBoosting:
		req := base
		req.Workers, req.Stages = workers, stages
		shares = []*child{{header: req, vectors: data, answer: new(regressAnswer)}}
	default:
		return res, fmt.Errorf("unknown model %q", model)
	}
	if err := runChildren(ctx, jobRegress, shares); err != nil {
		return res, err
	}
	// Each row's mean over the trees in tree order, as Forest.Predict adds
	// them: the children's shares are consecutive.
	var preds [][]float64
	var childPredict float64
	for c, ch := range shares {
		for _, v := range ch.got {
			if len(v) != test.Rows() {
				return res, fmt.Errorf("worker process %d predicted %d rows of %d", c+1, len(v), test.Rows())
			}
		}
		preds = append(preds, ch.got...)
		childPredict = max(childPredict, ch.answer.(*regressAnswer).PredictSeconds)
	}
	want := trees
	if model == compute.ModelBoosting {
		want = 1
	}
	if len(preds) != want {
		return res, fmt.Errorf("the worker processes answered %d predictions, want %d", len(preds), want)
	}
	t1 := time.Now()
	pred := make([]float64, test.Rows()) // boosting's own: x / 1 is x exactly
	for i := range pred {
		s := 0.0
		for _, v := range preds {
			s += v[i]
		}
		pred[i] = s / float64(len(preds))
	}
	combine := time.Since(t1).Seconds()
	total := time.Since(t0).Seconds()
	res.PredictSeconds = childPredict + combine
	res.FitSeconds = total - res.PredictSeconds
	res.R2 = tree.R2(test.Y, pred)
	if progress != nil {
		done := trees
		if model == compute.ModelBoosting {
			done = stages
		}
		progress(done, done)
	}
	return res, nil
}

// serveRegress is the child's side: read the data, fit the model (the
// request's trees of the forest, or boosting) and predict the test rows.
func serveRegress(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var req regressRequest
	vecs, err := readMessage(stdin, &req)
	if err != nil {
		return err
	}
	p := req.Features
	if p < 1 || len(vecs) != 2*p+1 {
		return fmt.Errorf("the request has %d vectors for %d features: want 2 × features + 1", len(vecs), p)
	}
	train := &dataset.Frame{Cols: vecs[:p], Y: vecs[p]}
	test := &dataset.Frame{Cols: vecs[p+1:]}
	for j := range p {
		if len(train.Cols[j]) != len(train.Y) || len(test.Cols[j]) != len(test.Cols[0]) {
			return fmt.Errorf("column %d has a length unlike the others", j)
		}
	}
	workers := max(req.Workers, 1)
	var ans regressAnswer
	var out [][]float64
	t0 := time.Now()
	switch req.Model {
	case compute.ModelForest:
		if req.Trees < 1 {
			return errNoWork
		}
		f, err := tree.FitForest(ctx, train.Cols, train.Y, tree.ForestParams{Trees: req.Trees, FirstTree: req.FirstTree, Workers: workers, Seed: req.Seed}, nil)
		if err != nil {
			return fmt.Errorf("fit trees %d to %d of the random forest: %w", req.FirstTree, req.FirstTree+req.Trees-1, err)
		}
		ans.FitSeconds = time.Since(t0).Seconds()
		t1 := time.Now()
		out = make([][]float64, len(f.Trees))
		for t := range out {
			out[t] = make([]float64, len(test.Cols[0]))
		}
		for i := range len(test.Cols[0]) {
			row := test.Row(i)
			for t, tr := range f.Trees {
				out[t][i] = tr.Predict(row)
			}
		}
		ans.PredictSeconds = time.Since(t1).Seconds()
	case compute.ModelBoosting:
		b, err := tree.FitBoosting(ctx, train.Cols, train.Y, tree.BoostingParams{Stages: orDefault(req.Stages, 100), LearningRate: 0.1, MaxDepth: 3, Workers: workers}, nil)
		if err != nil {
			return fmt.Errorf("fit gradient boosting: %w", err)
		}
		ans.FitSeconds = time.Since(t0).Seconds()
		t1 := time.Now()
		v := make([]float64, len(test.Cols[0]))
		for i := range v {
			v[i] = b.Predict(test.Row(i))
		}
		out = append(out, v)
		ans.PredictSeconds = time.Since(t1).Seconds()
	default:
		return fmt.Errorf("unknown model %q", req.Model)
	}
	return writeMessage(stdout, ans, out...)
}

// orDefault is v, or def when v is not positive (compute's defaults).
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
