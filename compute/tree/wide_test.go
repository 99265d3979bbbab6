package tree

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// wideData mimics the notebook's data: mostly zeros, log-normal target.
func wideData(n, p int, density float64, seed uint64) ([][]float64, []float64) {
	cols, _ := sparseData(n, p, density, seed)
	rng := rand.New(rand.NewPCG(seed, 99))
	y := make([]float64, n)
	for i := range y {
		y[i] = math.Exp(14 + 1.5*rng.NormFloat64())
	}
	return cols, y
}

// TestWideTiming is a manual timing run (POTOK_TREE_WIDE=1).
func TestWideTiming(t *testing.T) {
	if os.Getenv("POTOK_TREE_WIDE") == "" {
		t.Skip("set POTOK_TREE_WIDE=1")
	}
	cols, y := wideData(4459, 2000, 0.03, 1)
	start := time.Now()
	if _, err := FitBoosting(context.Background(), cols, y, BoostingParams{}, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("boosting 4459x2000, 100 stages: %v", time.Since(start))
	start = time.Now()
	if _, err := FitForest(context.Background(), cols, y, ForestParams{Trees: 10}, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("forest 4459x2000, 10 trees, 2 workers: %v", time.Since(start))
}
