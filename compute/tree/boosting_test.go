package tree

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// referenceBoosting is gradient boosting on the recursive builder, as
// FitBoosting was before it grew its trees level by level.
func referenceBoosting(cols [][]float64, y []float64, stages, depth int, lr float64) *Boosting {
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
	resid := make([]float64, n)
	out := &Boosting{Init: mean, LearningRate: lr}
	for range stages {
		for i := range resid {
			resid[i] = y[i] - pred[i]
		}
		t := FitTree(cols, resid, allRows(n), TreeParams{MaxDepth: depth}, nil)
		for i := range pred {
			pred[i] += lr * t.Predict(rowOf(cols, i))
		}
		out.Trees = append(out.Trees, t)
	}
	return out
}

// TestBoostingMatchesRecursiveBuilder checks every tree against the
// recursive builder's. Their sums are taken in different orders, so where
// two features split a node into the same rows (often in a node of a few
// rows), rounding may pick another of the tied features than the builder
// does. So each tree must predict every training row as the builder's does,
// and a node split on the same feature must have the same threshold.
func TestBoostingMatchesRecursiveBuilder(t *testing.T) {
	fc, fy := friedman(2000, 20, 2)
	sc, sy := sparseData(1500, 60, 0.05, 3)
	// whole numbers: many ties between values and between features
	ic, iy := friedman(800, 6, 4)
	for _, c := range ic {
		for i := range c {
			c[i] = math.Floor(c[i] * 5)
		}
	}
	// negative, zero and positive values, in tenths: the zero block in the
	// middle of the sorted values, and ties; 0.1 becomes 5e-8, too close to
	// zero to be split from it
	zc, zy := friedman(900, 6, 5)
	for _, c := range zc {
		for i := range c {
			c[i] = math.Round((c[i]-0.5)*10) / 10
			if c[i] == 0.1 {
				c[i] = 5e-8
			}
		}
	}
	X, y := loadCSV(t, "diabetes.csv")
	dc, dy := subset(X, y, allRows(len(y)))
	cases := []struct {
		name string
		cols [][]float64
		y    []float64
	}{{"friedman", fc, fy}, {"sparse", sc, sy}, {"integers", ic, iy}, {"signed", zc, zy}, {"diabetes", dc, dy}}
	for _, c := range cases {
		for _, depth := range []int{1, 3, 5} {
			want := referenceBoosting(c.cols, c.y, 30, depth, 0.1)
			for _, workers := range []int{1, 2} {
				got, err := FitBoosting(context.Background(), c.cols, c.y,
					BoostingParams{Stages: 30, MaxDepth: depth, Workers: workers}, nil)
				if err != nil {
					t.Fatal(err)
				}
				same := 0
				for s, wt := range want.Trees {
					gt := got.Trees[s]
					where := fmt.Sprintf("%s depth %d workers %d stage %d", c.name, depth, workers, s)
					if agree(t, where, gt, wt, 0, 0) {
						same++
					}
					for i := range c.y {
						row := rowOf(c.cols, i)
						if a, b := gt.Predict(row), wt.Predict(row); math.Abs(a-b) > 1e-9*(1+math.Abs(b)) {
							t.Fatalf("%s, row %d: %v, builder %v", where, i, a, b)
						}
					}
				}
				t.Logf("%s depth %d workers %d: %d of %d trees split for split the same", c.name, depth, workers, same, len(want.Trees))
			}
		}
	}
}

// agree walks a and b from nodes i and j in step. It fails the test where
// both split on one feature at different thresholds, and reports whether
// the subtrees have the same splits.
func agree(t *testing.T, where string, a, b *Tree, i, j int) bool {
	x, y := a.nodes[i], b.nodes[j]
	switch {
	case x.feature < 0 || y.feature < 0:
		return x.feature == y.feature
	case x.feature != y.feature:
		return false
	case x.v != y.v:
		t.Errorf("%s: feature %d split at %v, by the builder at %v", where, x.feature, x.v, y.v)
		return false
	}
	l := agree(t, where, a, b, i+1, j+1)
	return agree(t, where, a, b, int(x.right), int(y.right)) && l
}
