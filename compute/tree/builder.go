package tree

import (
	"math/rand/v2"
	"sync/atomic"
)

// builder grows trees on a dataset; it owns all scratch memory so that one
// builder can grow many trees without allocating in the split search.
type builder struct {
	d *dataset
	p TreeParams

	y       []float64 // target per row
	w, wy   []float64 // per-row weight and weight*target (0 for rows not in the sample)
	samples []int32   // distinct rows of the sample, partitioned per node
	mark    []uint32
	stamp   uint32
	nodes   []node
	rng     *rand.Rand
	perm    []int32
	buf     []pair // len n+1: one node's entries of a column

	// CSR gathering of the sparse columns at small nodes
	csr     bool
	fcount  []int32
	bstart  []int32
	touched []int32
	gbuf    []pair

	// presorted dense columns: ps[f] (nil for sparse columns, or all nil
	// when over the memory budget) holds the sample's distinct rows sorted by
	// feature f, partitioned per node like samples.
	ps     [][]ent
	usePS  bool // ps is in use for the current tree
	psTmp  []ent
	isLeft []bool

	stop    *atomic.Bool
	stopped bool
	turn    func() // ForestParams.Hold's Turn, or nil
}

type splitResult struct {
	proxy float64
	thr   float64
	f     int
	ok    bool
}

// newBuilder makes a builder for one goroutine: the forest runs one per
// worker, each growing whole trees.
func newBuilder(d *dataset, p TreeParams) *builder {
	b := &builder{d: d, p: p.norm(d.p),
		w: make([]float64, d.n), wy: make([]float64, d.n),
		samples: make([]int32, 0, d.n), mark: make([]uint32, d.n),
		perm: make([]int32, d.p), buf: make([]pair, d.n+1),
		fcount: make([]int32, d.p), bstart: make([]int32, d.p)}
	for i := range b.perm {
		b.perm[i] = int32(i)
	}
	dense := 0
	for f := 0; f < d.p; f++ {
		if !d.sparse[f] {
			dense++
		}
	}
	if dense > 0 && dense*d.n <= presortBudget {
		b.ps = make([][]ent, d.p)
		for f := 0; f < d.p; f++ {
			if !d.sparse[f] {
				b.ps[f] = make([]ent, d.n)
			}
		}
		b.psTmp = make([]ent, d.n)
		b.isLeft = make([]bool, d.n)
	}
	return b
}

// canSplit reports whether a node of cnt rows at depth may be split (before
// looking at its target values).
func (b *builder) canSplit(cnt, depth int) bool {
	return !b.stopped && cnt >= b.p.MinSamplesSplit && cnt >= 2*b.p.MinSamplesLeaf &&
		(b.p.MaxDepth == 0 || depth < b.p.MaxDepth)
}

// setRows loads a sample given as a row list with repeats.
func (b *builder) setRows(rows []int, y []float64) {
	b.y = y
	clear(b.w)
	for _, r := range rows {
		b.w[r]++
	}
	b.samples = b.samples[:0]
	for r, w := range b.w {
		if w > 0 {
			b.samples = append(b.samples, int32(r))
			b.wy[r] = w * y[r]
		} else {
			b.wy[r] = 0
		}
	}
}

func (b *builder) grow() *Tree {
	for i := range b.perm {
		b.perm[i] = int32(i)
	}
	b.nodes = make([]node, 0, 64)
	b.stopped = false
	if len(b.samples) == 0 {
		return &Tree{nodes: []node{{feature: -1}}}
	}
	b.usePS = false
	if b.ps != nil {
		b.usePS = true
		for _, r := range b.samples {
			if b.w[r] > 1<<24 { // ent.w is a float32
				b.usePS = false
				break
			}
		}
		if b.usePS {
			b.presort()
		}
	}
	b.build(0, len(b.samples), 0)
	t := &Tree{nodes: b.nodes}
	b.nodes = nil
	return t
}

func (b *builder) build(start, end, depth int) {
	if b.stop != nil && b.stop.Load() {
		b.stopped = true
	}
	if b.turn != nil {
		b.turn()
	}
	idx := len(b.nodes)
	b.nodes = append(b.nodes, node{feature: -1})
	samples := b.samples[start:end]
	var W, S float64
	y0 := b.y[samples[0]]
	constant := true
	for _, r := range samples {
		W += b.w[r]
		S += b.wy[r]
		if b.y[r] != y0 {
			constant = false
		}
	}
	value := S / W
	b.nodes[idx].v = value
	cnt := end - start
	leaf := b.stopped || constant || cnt < b.p.MinSamplesSplit || cnt < 2*b.p.MinSamplesLeaf ||
		(b.p.MaxDepth > 0 && depth >= b.p.MaxDepth)
	var best splitResult
	if !leaf {
		best = b.findSplit(start, end, W, S)
		leaf = !best.ok
	}
	if leaf {
		return
	}
	// partition: x <= thr to the left
	col := b.d.cols[best.f]
	i, j := 0, len(samples)-1
	for i <= j {
		if col[samples[i]] <= best.thr {
			i++
		} else {
			samples[i], samples[j] = samples[j], samples[i]
			j--
		}
	}
	mid := start + i
	if b.usePS && (b.canSplit(mid-start, depth+1) || b.canSplit(end-mid, depth+1)) {
		b.partitionPresorted(start, mid, end)
	}
	b.nodes[idx].feature = int32(best.f)
	b.nodes[idx].v = best.thr
	b.build(start, mid, depth+1)
	b.nodes[idx].right = int32(len(b.nodes))
	b.build(mid, end, depth+1)
}
