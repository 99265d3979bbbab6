package tree

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Boosting is a gradient-boosted ensemble for squared error.
type Boosting struct {
	Init         float64
	LearningRate float64
	Trees        []*Tree
}

// BoostingParams configures FitBoosting.
type BoostingParams struct {
	Stages       int     // default 100
	LearningRate float64 // default 0.1
	MaxDepth     int     // default 3
	Workers      int     // goroutines of the split search, default GOMAXPROCS
	// Hold, when set, is held by each task of the split search (a block of
	// rows or a column of a level) while it runs: the lesson's GIL. The
	// columns are then sorted on one goroutine, as they would be under it.
	Hold sync.Locker
}

// FitBoosting fits gradient boosting with squared error (scikit-learn's
// GradientBoostingRegressor defaults): start from the mean of y; each stage
// fits a tree of depth MaxDepth to the residuals and adds LearningRate times
// its prediction. Each tree is grown level by level, the columns of a level
// scanned in parallel; the result does not depend on Workers. progress (may
// be nil) is called after each stage.
func FitBoosting(ctx context.Context, cols [][]float64, y []float64, p BoostingParams, progress func(done, total int)) (*Boosting, error) {
	if err := checkInput(cols, y); err != nil {
		return nil, err
	}
	if p.Stages <= 0 {
		p.Stages = 100
	}
	if p.LearningRate <= 0 {
		p.LearningRate = 0.1
	}
	if p.MaxDepth <= 0 {
		p.MaxDepth = 3
	}
	if p.Workers <= 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var stop atomic.Bool
	release := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer release()

	n := len(y)
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(n)
	pred := make([]float64, n)
	for i := range pred {
		pred[i] = mean
	}
	sortWorkers := p.Workers
	if p.Hold != nil {
		sortWorkers = 1
	}
	g := newBoostGrower(newDataset(cols, n, sortWorkers), p.MaxDepth, p.Workers, &stop)
	g.tm.hold = p.Hold
	defer g.close()
	out := &Boosting{Init: mean, LearningRate: p.LearningRate, Trees: make([]*Tree, 0, p.Stages)}
	for s := 0; s < p.Stages; s++ {
		g.restart(y, pred, p.LearningRate, s > 0)
		t := g.grow()
		if t == nil {
			return nil, ctx.Err()
		}
		out.Trees = append(out.Trees, t)
		if progress != nil {
			progress(s+1, p.Stages)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Predict returns Init + LearningRate * sum of the trees' predictions.
func (b *Boosting) Predict(row []float64) float64 {
	s := 0.0
	for _, t := range b.Trees {
		s += t.Predict(row)
	}
	return b.Init + b.LearningRate*s
}
