package dataset

import "math"

// mt19937 is the Mersenne Twister MT19937 (Matsumoto & Nishimura 1998) with
// 32-bit outputs, as numpy's legacy RandomState uses it.
type mt19937 struct {
	mt  [624]uint32
	idx int
}

// newMT19937 seeds with init_genrand(seed), numpy's RandomState(seed) for an
// integer seed.
func newMT19937(seed uint32) *mt19937 {
	m := &mt19937{}
	m.mt[0] = seed
	for i := 1; i < 624; i++ {
		prev := m.mt[i-1]
		m.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	m.idx = 624
	return m
}

func (m *mt19937) generate() {
	const (
		n, mid  = 624, 397
		upper   = 0x80000000
		lower   = 0x7fffffff
		matrixA = 0x9908b0df
	)
	for i := 0; i < n; i++ {
		y := (m.mt[i] & upper) | (m.mt[(i+1)%n] & lower)
		v := m.mt[(i+mid)%n] ^ (y >> 1)
		if y&1 != 0 {
			v ^= matrixA
		}
		m.mt[i] = v
	}
	m.idx = 0
}

// next32 returns the next tempered 32-bit output.
func (m *mt19937) next32() uint32 {
	if m.idx >= 624 {
		m.generate()
	}
	y := m.mt[m.idx]
	m.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// interval returns a uniform integer in [0, max] by numpy's legacy masked
// rejection sampling (random_interval); max must fit in 32 bits.
func (m *mt19937) interval(max uint32) uint32 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := m.next32() & mask; v <= max {
			return v
		}
	}
}

// permutation is numpy's RandomState(seed).permutation(n): shuffle(arange(n))
// with the legacy Fisher–Yates loop from the end.
func permutation(n int, seed uint32) []int {
	a := make([]int, n)
	for i := range a {
		a[i] = i
	}
	m := newMT19937(seed)
	for i := n - 1; i >= 1; i-- {
		j := int(m.interval(uint32(i)))
		a[i], a[j] = a[j], a[i]
	}
	return a
}

// TrainTestSplit reproduces scikit-learn's
// train_test_split(test_size=testSize, random_state=seed) on n rows: the
// permutation numpy's legacy RandomState(seed).permutation(n) gives, test =
// the first ceil(testSize*n) indices of it (computed in float64, as sklearn
// does), train = the rest, in that order. Checked against sklearn for
// n = 20, 442 and 4459 with testSize 0.33 and seed 42.
//
// A testSize in [0, 1] is a fraction of n; a testSize above 1 is a number
// of rows (sklearn's integer test_size; the fraction is dropped). The test
// size is clamped to [0, n]; a NaN or negative testSize gives an empty test
// set. n must be below 2^32.
func TrainTestSplit(n int, testSize float64, seed uint32) (train, test []int) {
	if n <= 0 {
		return []int{}, []int{}
	}
	var nTest int
	switch {
	case math.IsNaN(testSize) || testSize <= 0:
		nTest = 0
	case testSize <= 1:
		nTest = int(math.Ceil(testSize * float64(n)))
	case testSize >= float64(n):
		nTest = n
	default:
		nTest = int(testSize)
	}
	nTest = min(max(nTest, 0), n)
	p := permutation(n, seed)
	return p[nTest:], p[:nTest:nTest]
}
