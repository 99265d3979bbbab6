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

	// FirstTree is the index of the first tree: the fit grows trees
	// FirstTree … FirstTree+Trees−1 of the forest of Seed, so forests fitted
	// apart (in other processes) are, together, the trees of one.
	FirstTree int
	// Hold, when set, is held by each worker while it grows trees, and
	// offered to the others (Turn) at every node: the lesson's GIL. The
	// columns are then sorted on one goroutine, as they would be under it.
	Hold Holder
}

// Holder is a lock that workers hold while they compute and offer at
// points where another may take a turn, as CPython's threads do with their
// global interpreter lock.
type Holder interface {
	sync.Locker
	Turn() // may let another holder run before returning, holding the lock again
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
	sortWorkers := p.Workers
	if p.Hold != nil {
		sortWorkers = 1
	}
	d := newDataset(cols, n, sortWorkers)
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
			if p.Hold != nil {
				p.Hold.Lock()
				defer p.Hold.Unlock()
				b.turn = p.Hold.Turn
			}
			rows := make([]int, n)
			for !stop.Load() {
				t := int(next.Add(1) - 1)
				if t >= p.Trees {
					return
				}
				rng := treeRNG(p.Seed, p.FirstTree+t)
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
