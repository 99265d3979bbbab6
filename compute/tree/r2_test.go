package tree

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

type r2Case struct {
	name, csv, key string
	n              int
}

var r2Cases = []r2Case{
	{"diabetes", "diabetes.csv", "diabetes", 442},
	{"friedman1", "friedman1_n1000_p10_seed0.csv", "friedman1_n1000_p10_seed0", 1000},
}

// splitFor uses the fixture's indices when it has them and otherwise
// numpy's permutation (checked against the fixture in TestSplitMatchesFixture).
func splitFor(t *testing.T, n int) (train, test []int) {
	s := loadSplits(t)
	if sp, ok := s[fmt.Sprint(n)]; ok {
		return sp.Train, sp.Test
	}
	return sklearnSplit(n)
}

func TestR2AgainstSklearn(t *testing.T) {
	ref := loadR2(t)
	for _, c := range r2Cases {
		t.Run(c.name, func(t *testing.T) {
			X, y := loadCSV(t, c.csv)
			if len(y) != c.n {
				t.Fatalf("%d rows", len(y))
			}
			train, test := splitFor(t, c.n)
			trc, try := subset(X, y, train)
			tec, tey := subset(X, y, test)
			want := ref[c.key]

			gb, err := FitBoosting(context.Background(), trc, try, BoostingParams{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			gbR2 := R2(tey, predictAll(gb.Predict, tec))
			lo, hi := slices.Min(want.GB), slices.Max(want.GB)
			t.Logf("boosting R2 %.5f, sklearn %.5f..%.5f (seed 0: %.5f)", gbR2, lo, hi, want.GB[0])
			if gbR2 < lo-0.005 || gbR2 > hi+0.005 {
				t.Errorf("boosting R2 %.5f outside sklearn's %v ± 0.005", gbR2, want.GB)
			}

			for _, seed := range []uint64{0, 1} {
				f, err := FitForest(context.Background(), trc, try, ForestParams{Trees: 100, Seed: seed}, nil)
				if err != nil {
					t.Fatal(err)
				}
				rfR2 := R2(tey, predictAll(f.Predict, tec))
				lo, hi := slices.Min(want.RF), slices.Max(want.RF)
				t.Logf("forest seed %d R2 %.4f, sklearn %.4f..%.4f", seed, rfR2, lo, hi)
				if rfR2 < lo-0.01 || rfR2 > hi+0.01 {
					t.Errorf("forest R2 %.4f outside [%.4f, %.4f]", rfR2, lo-0.01, hi+0.01)
				}
			}
		})
	}
}
