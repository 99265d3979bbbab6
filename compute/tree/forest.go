package tree

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Forest is a random forest of regression trees.
type Forest struct{ Trees []*Tree }

// ForestParams configures FitForest.
type ForestParams struct {
	Trees   int    // number of trees, default 100
	Workers int    // goroutines building trees, default GOMAXPROCS
	Seed    uint64 // seed of the bootstrap samples and feature draws
	Tree    TreeParams
}

func checkInput(cols [][]float64, y []float64) error {
	if len(y) == 0 {
		return errors.New("tree: no rows")
	}
	for j, c := range cols {
		if len(c) != len(y) {
			return fmt.Errorf("tree: column %d has %d rows, want %d", j, len(c), len(y))
		}
	}
	return nil
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// treeRNG is the random source of tree t: a function of the seed and t only.
func treeRNG(seed uint64, t int) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(seed), splitmix(seed^splitmix(uint64(t)+1))))
}

// FitForest fits a random forest: each tree is grown on a bootstrap sample of
// n rows drawn with replacement. Trees are built by p.Workers goroutines; the
// result depends only on the data and p.Seed. progress (may be nil) is called
// after each tree, never concurrently.
func FitForest(ctx context.Context, cols [][]float64, y []float64, p ForestParams, progress func(done, total int)) (*Forest, error) {
	if err := checkInput(cols, y); err != nil {
		return nil, err
	}
	if p.Trees <= 0 {
		p.Trees = 100
	}
	if p.Workers <= 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	if p.Workers > p.Trees {
		p.Workers = p.Trees
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var stop atomic.Bool
	release := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer release()

	n := len(y)
	d := newDataset(cols, n, p.Workers)
	trees := make([]*Tree, p.Trees)
	var next atomic.Int64
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w := 0; w < p.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBuilder(d, p.Tree)
			b.stop = &stop
			rows := make([]int, n)
			for !stop.Load() {
				t := int(next.Add(1) - 1)
				if t >= p.Trees {
					return
				}
				rng := treeRNG(p.Seed, t)
				for i := range rows {
					rows[i] = rng.IntN(n)
				}
				b.rng = rng
				b.setRows(rows, y)
				tr := b.grow()
				if b.stopped {
					return
				}
				trees[t] = tr
				mu.Lock()
				done++
				if progress != nil {
					progress(done, p.Trees)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Forest{Trees: trees}, nil
}

// Predict returns the mean of the trees' predictions.
func (f *Forest) Predict(row []float64) float64 {
	s := 0.0
	for _, t := range f.Trees {
		s += t.Predict(row)
	}
	return s / float64(len(f.Trees))
}
