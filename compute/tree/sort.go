package tree

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// pair is one (value, row) entry of a column. In the dataset's sorted
// columns gap marks an entry whose value is more than featureThreshold
// above the previous one's (it uses the struct's padding); elsewhere it is
// unused.
type pair struct {
	x   float64
	i   int32
	gap bool
}

func cmpPair(a, b pair) int { return cmp.Compare(a.x, b.x) }

// sortPairs sorts by value (an introsort specialised for pairs: no
// comparison callbacks in the inner loop).
func sortPairs(s []pair) {
	quickPairs(s, 2*bits.Len(uint(len(s))))
}

func insertionPairs(s []pair) {
	for i := 1; i < len(s); i++ {
		v := s[i]
		j := i
		for j > 0 && s[j-1].x > v.x {
			s[j] = s[j-1]
			j--
		}
		s[j] = v
	}
}

func quickPairs(s []pair, limit int) {
	for len(s) > 16 {
		if limit == 0 {
			slices.SortFunc(s, cmpPair)
			return
		}
		limit--
		// median of three to s[0]
		n := len(s)
		a, b, c := 0, n/2, n-1
		if s[b].x < s[a].x {
			a, b = b, a
		}
		if s[c].x < s[b].x {
			b = c
			if s[b].x < s[a].x {
				b = a
			}
		}
		s[0], s[b] = s[b], s[0]
		pivot := s[0].x
		// Hoare partition
		i, j := 1, n-1
		for {
			for i <= j && s[i].x < pivot {
				i++
			}
			for i <= j && s[j].x > pivot {
				j--
			}
			if i >= j {
				break
			}
			s[i], s[j] = s[j], s[i]
			i++
			j--
		}
		s[0], s[j] = s[j], s[0]
		// recurse on the smaller side
		if j < n-1-j {
			quickPairs(s[:j], limit)
			s = s[j+1:]
		} else {
			quickPairs(s[j+1:], limit)
			s = s[:j]
		}
	}
	insertionPairs(s)
}

// radixSorter sorts columns stably by value, so that rows of equal value keep
// their input (row) order, as slices.SortStableFunc did at a tenth of the
// cost: an LSD radix sort over the value's bits in 11-bit digits, skipping
// digits that every entry shares (BenchmarkSortColumn, 13,400 uniform
// values: 2.7–3.6 ms with SortStableFunc, 0.27–0.31 ms here).
type radixSorter struct {
	tmp  []pair
	hist [radixPasses][1 << radixBits]int32
}

const (
	radixBits   = 11
	radixPasses = (64 + radixBits - 1) / radixBits
)

// radixKey maps a float64 to a uint64 of the same order (negatives reversed).
func radixKey(x float64) uint64 {
	u := math.Float64bits(x)
	if u>>63 != 0 {
		return ^u
	}
	return u | 1<<63
}

// sortStable sorts s by value, stably.
func (rs *radixSorter) sortStable(s []pair) {
	n := len(s)
	if n <= 64 {
		insertionPairs(s)
		return
	}
	if cap(rs.tmp) < n {
		rs.tmp = make([]pair, n)
	}
	tmp := rs.tmp[:n]
	h := &rs.hist
	*h = [radixPasses][1 << radixBits]int32{}
	for _, e := range s {
		k := radixKey(e.x)
		for p := range radixPasses {
			h[p][(k>>(p*radixBits))&(1<<radixBits-1)]++
		}
	}
	src, dst := s, tmp
	for p := range radixPasses {
		shift := p * radixBits
		if h[p][(radixKey(s[0].x)>>shift)&(1<<radixBits-1)] == int32(n) {
			continue // every entry has this digit
		}
		off := int32(0)
		for d, c := range h[p] {
			h[p][d] = off
			off += c
		}
		for _, e := range src {
			d := (radixKey(e.x) >> shift) & (1<<radixBits - 1)
			dst[h[p][d]] = e
			h[p][d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}
