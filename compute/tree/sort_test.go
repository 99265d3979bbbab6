package tree

import (
	"math"
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

func TestRadixSortIsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var rs radixSorter
	for _, n := range []int{0, 1, 2, 64, 65, 100, 1000, 13400} {
		for kind := range 5 {
			s := make([]pair, n)
			for i := range s {
				switch kind {
				case 0:
					s[i].x = rng.NormFloat64()
				case 1:
					s[i].x = float64(rng.IntN(3)) - 1 // ties, negatives and zeros
				case 2:
					s[i].x = rng.Float64()
				case 3:
					s[i].x = -math.Exp(10 * rng.NormFloat64())
				default:
					s[i].x = 7 // one value: every digit shared
				}
				s[i].i = int32(i)
			}
			want := slices.Clone(s)
			slices.SortStableFunc(want, cmpPair)
			rs.sortStable(s)
			if !slices.Equal(s, want) {
				t.Fatalf("n=%d kind=%d: differs from a stable sort", n, kind)
			}
		}
	}
}

func BenchmarkSortColumn(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	col := make([]pair, 13400)
	for i := range col {
		col[i] = pair{x: rng.Float64(), i: int32(i)}
	}
	s := make([]pair, len(col))
	b.Run("SortStableFunc", func(b *testing.B) {
		for b.Loop() {
			copy(s, col)
			slices.SortStableFunc(s, cmpPair)
		}
	})
	b.Run("radix", func(b *testing.B) {
		var rs radixSorter
		for b.Loop() {
			copy(s, col)
			rs.sortStable(s)
		}
	})
}
