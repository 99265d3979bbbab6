package tree

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 5, 16, 17, 100, 1000, 5000} {
		for _, kind := range []int{0, 1, 2, 3} {
			s := make([]pair, n)
			for i := range s {
				switch kind {
				case 0:
					s[i].x = rng.NormFloat64()
				case 1:
					s[i].x = float64(rng.IntN(3))
				case 2:
					s[i].x = float64(i)
				default:
					s[i].x = float64(n - i)
				}
				s[i].i = int32(i)
			}
			want := slices.Clone(s)
			slices.SortStableFunc(want, cmpPair)
			sortPairs(s)
			for i := range s {
				if s[i].x != want[i].x {
					t.Fatalf("n=%d kind=%d: not sorted at %d", n, kind, i)
				}
			}
			seen := make([]bool, n)
			for _, e := range s {
				seen[e.i] = true
			}
			for i := range seen {
				if !seen[i] {
					t.Fatalf("n=%d kind=%d: lost %d", n, kind, i)
				}
			}
		}
	}
}
