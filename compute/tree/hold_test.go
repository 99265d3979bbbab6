package tree

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// TestForestInPartsIsTheForest: forests fitted apart from FirstTree on (as
// the lesson's processes each fit their share) hold the trees of one forest.
func TestForestInPartsIsTheForest(t *testing.T) {
	cols, y := friedman(300, 6, 1)
	whole, err := FitForest(context.Background(), cols, y, ForestParams{Trees: 10, Seed: 7, Workers: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Tree
	for _, share := range [][2]int{{0, 3}, {3, 4}, {7, 3}} {
		f, err := FitForest(context.Background(), cols, y, ForestParams{Trees: share[1], FirstTree: share[0], Seed: 7, Workers: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, f.Trees...)
	}
	joined := &Forest{Trees: parts}
	if a, b := predictAll(whole.Predict, cols), predictAll(joined.Predict, cols); !slices.Equal(a, b) {
		t.Fatal("the forest fitted in parts is not the forest")
	}
}

// holdCounter is a Holder that notes when two goroutines hold it at once.
type holdCounter struct {
	mu              sync.Mutex
	holding         atomic.Int32
	locks, turns    atomic.Int64
	overlap, misuse atomic.Bool
}

func (h *holdCounter) Lock() {
	h.mu.Lock()
	if h.holding.Add(1) > 1 {
		h.overlap.Store(true)
	}
	h.locks.Add(1)
}

func (h *holdCounter) Unlock() {
	h.holding.Add(-1)
	h.mu.Unlock()
}

func (h *holdCounter) Turn() {
	if h.holding.Load() != 1 {
		h.misuse.Store(true) // a turn offered by a goroutine that does not hold it
	}
	h.turns.Add(1)
	h.Unlock()
	h.Lock()
}

// TestHoldSerialisesAndChangesNothing: with Hold, the forest's workers and
// boosting's tasks never compute at once, the forest turns the lock over as
// it grows, and both models are the same as without it.
func TestHoldSerialisesAndChangesNothing(t *testing.T) {
	cols, y := friedman(2000, 20, 3)
	h := &holdCounter{}
	a := forestPreds(t, cols, y, ForestParams{Trees: 6, Seed: 1, Workers: 2})
	b := forestPreds(t, cols, y, ForestParams{Trees: 6, Seed: 1, Workers: 2, Hold: h})
	if !slices.Equal(a, b) {
		t.Fatal("the forest under Hold differs")
	}
	if h.locks.Load() < 2 || h.turns.Load() < 100 || h.overlap.Load() || h.misuse.Load() || h.holding.Load() != 0 {
		t.Fatalf("forest: %d locks, %d turns, overlap %v, misuse %v, held %d", h.locks.Load(), h.turns.Load(), h.overlap.Load(), h.misuse.Load(), h.holding.Load())
	}
	h = &holdCounter{}
	var preds [2][]float64
	for i, hold := range []Holder{nil, h} {
		p := BoostingParams{Stages: 10, Workers: 2}
		if hold != nil {
			p.Hold = hold
		}
		m, err := FitBoosting(context.Background(), cols, y, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		preds[i] = predictAll(m.Predict, cols)
	}
	if !slices.Equal(preds[0], preds[1]) {
		t.Fatal("boosting under Hold differs")
	}
	if h.locks.Load() < 100 || h.overlap.Load() || h.holding.Load() != 0 {
		t.Fatalf("boosting: %d locks, overlap %v, held %d", h.locks.Load(), h.overlap.Load(), h.holding.Load())
	}
}
