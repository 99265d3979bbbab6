package compute

import (
	"context"
	"fmt"
	"sync"
	"time"

	"potok/compute/dataset"
	"potok/compute/tree"
)

// The two models of the notebooks' exercise.
const (
	ModelForest   = "random forest"
	ModelBoosting = "gradient boosting"
)

// ModelResult is one model fitted with some workers and scored on the test part.
type ModelResult struct {
	Model          string  `json:"model"`
	Workers        int     `json:"workers"`
	R2             float64 `json:"r2"`
	FitSeconds     float64 `json:"fit_seconds"`
	PredictSeconds float64 `json:"predict_seconds"`
}

// RegressParams are the model settings; zero values take scikit-learn 1.2's defaults.
type RegressParams struct {
	Trees, Stages int
	Seed          uint64
	// Hold, when set, is the lesson's GIL: the forest's workers hold it
	// while they grow trees (turning it over at each node), boosting's
	// split-search tasks while they run, and the predicting workers while
	// they predict.
	Hold tree.Holder
}

// Evaluate fits model on train with workers goroutines and scores it on test.
// progress, if not nil, gets trees or stages done.
func Evaluate(ctx context.Context, model string, workers int, p RegressParams, train, test *dataset.Frame, progress func(done, total int)) (ModelResult, error) {
	r := ModelResult{Model: model, Workers: workers}
	var predict func([]float64) float64
	t0 := time.Now()
	switch model {
	case ModelForest:
		f, err := tree.FitForest(ctx, train.Cols, train.Y, tree.ForestParams{Trees: orDefault(p.Trees, 100), Workers: workers, Seed: p.Seed, Hold: p.Hold}, progress)
		if err != nil {
			return r, fmt.Errorf("fit the random forest: %w", err)
		}
		predict = f.Predict
	case ModelBoosting:
		b, err := tree.FitBoosting(ctx, train.Cols, train.Y, tree.BoostingParams{Stages: orDefault(p.Stages, 100), LearningRate: 0.1, MaxDepth: 3, Workers: workers, Hold: holdOrNil(p.Hold)}, progress)
		if err != nil {
			return r, fmt.Errorf("fit gradient boosting: %w", err)
		}
		predict = b.Predict
	default:
		return r, fmt.Errorf("unknown model %q", model)
	}
	r.FitSeconds = time.Since(t0).Seconds()
	t1 := time.Now()
	pred := predictAll(predict, test, workers, p.Hold)
	r.PredictSeconds = time.Since(t1).Seconds()
	r.R2 = tree.R2(test.Y, pred)
	return r, nil
}

// predictAll predicts every row of f, the rows split into contiguous blocks
// over workers goroutines (a forest of 100 trees spends a tenth of its time
// here). With hold, each goroutine holds it, turning it over every
// predictTurn rows.
func predictAll(predict func([]float64) float64, f *dataset.Frame, workers int, hold tree.Holder) []float64 {
	n := f.Rows()
	pred := make([]float64, n)
	workers = max(min(workers, n), 1)
	var wg sync.WaitGroup // nothing here fails or stops early: no errgroup
	for k := range workers {
		lo, hi := n*k/workers, n*(k+1)/workers
		wg.Go(func() {
			if hold != nil {
				hold.Lock()
				defer hold.Unlock()
			}
			for i := lo; i < hi; i++ {
				pred[i] = predict(f.Row(i))
				if hold != nil && (i-lo)%predictTurn == predictTurn-1 {
					hold.Turn()
				}
			}
		})
	}
	wg.Wait()
	return pred
}

// predictTurn is how many rows a predicting worker does between offers of
// the GIL: a forest of 100 deep trees predicts 256 rows in about 1 ms here.
const predictTurn = 256

// holdOrNil is h as a sync.Locker, nil when h is nil (not a nil Holder
// inside a non-nil interface).
func holdOrNil(h tree.Holder) sync.Locker {
	if h == nil {
		return nil
	}
	return h
}

// orDefault is v, or def when v is not positive.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}
