// Package tree implements CART regression trees, random forests and gradient
// boosting with the semantics of scikit-learn 1.2's defaults (squared error,
// midpoint thresholds, x <= threshold goes left).
//
// Input matrices are column-major: cols[j][i] is feature j of row i.
package tree

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: values closer than
// this are not separated by a split.
const featureThreshold = 1e-7

// TreeParams controls the growth of one tree.
type TreeParams struct {
	MaxDepth        int // 0 = unlimited
	MinSamplesSplit int // default 2
	MinSamplesLeaf  int // default 1
	MaxFeatures     int // 0 = all features
}

func (p TreeParams) norm(nfeat int) TreeParams {
	if p.MaxDepth < 0 {
		p.MaxDepth = 0
	}
	if p.MinSamplesSplit < 2 {
		p.MinSamplesSplit = 2
	}
	if p.MinSamplesLeaf < 1 {
		p.MinSamplesLeaf = 1
	}
	if p.MaxFeatures <= 0 || p.MaxFeatures > nfeat {
		p.MaxFeatures = nfeat
	}
	return p
}

// node is one node of a flat, pre-order tree. The left child of an internal
// node is the next node; right is the index of the right child. For a leaf
// feature is -1 and v is the prediction, otherwise v is the threshold.
type node struct {
	feature int32
	right   int32
	v       float64
}

// Tree is a fitted CART regression tree.
type Tree struct {
	nodes []node
}

// Predict returns the tree's prediction for one row (row[j] = feature j).
func (t *Tree) Predict(row []float64) float64 {
	nodes := t.nodes
	i := 0
	for {
		nd := &nodes[i]
		if nd.feature < 0 {
			return nd.v
		}
		if row[nd.feature] <= nd.v {
			i++
		} else {
			i = int(nd.right)
		}
	}
}

func (t *Tree) predictCol(cols [][]float64, r int) float64 {
	nodes := t.nodes
	i := 0
	for {
		nd := &nodes[i]
		if nd.feature < 0 {
			return nd.v
		}
		if cols[nd.feature][r] <= nd.v {
			i++
		} else {
			i = int(nd.right)
		}
	}
}

// NodeCount is the number of nodes (internal and leaves).
func (t *Tree) NodeCount() int { return len(t.nodes) }

// Leaves is the number of leaves.
func (t *Tree) Leaves() int {
	c := 0
	for _, nd := range t.nodes {
		if nd.feature < 0 {
			c++
		}
	}
	return c
}

// Depth is the length of the longest root-to-leaf path (0 for a single leaf).
func (t *Tree) Depth() int {
	var rec func(i int) int
	rec = func(i int) int {
		if t.nodes[i].feature < 0 {
			return 0
		}
		return 1 + max(rec(i+1), rec(int(t.nodes[i].right)))
	}
	return rec(0)
}

// FitTree grows a tree on the given rows (repeats allowed: a row listed k
// times has weight k, as scikit-learn's bootstrap sample weights). rng is used
// only when p.MaxFeatures is below the number of features. As in
// scikit-learn, MinSamplesSplit and MinSamplesLeaf count distinct rows.
func FitTree(cols [][]float64, y []float64, rows []int, p TreeParams, rng *rand.Rand) *Tree {
	n := len(y)
	for j, c := range cols {
		if len(c) < n {
			panic(fmt.Sprintf("tree: column %d has %d rows, want %d", j, len(c), n))
		}
	}
	d := newDataset(cols, n, 1)
	b := newBuilder(d, p, 1)
	b.rng = rng
	b.setRows(rows, y)
	return b.grow()
}

// builder grows trees on a dataset; it owns all scratch memory so that one
// builder can grow many trees without allocating in the split search.
type builder struct {
	d       *dataset
	p       TreeParams
	workers int

	y       []float64 // target per row
	w, wy   []float64 // per-row weight and weight*target (0 for rows not in the sample)
	samples []int32   // distinct rows of the sample, partitioned per node
	mark    []uint32
	stamp   uint32
	nodes   []node
	rng     *rand.Rand
	perm    []int32
	bufs    [][]pair // one per worker, len n+1
	tasks   []int32
	results []splitResult

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
	usePS  bool    // ps is in use for the current tree
	psTmp  [][]ent // one per worker
	isLeft []bool

	stop    *atomic.Bool
	stopped bool
	leafOut []float64 // if set, leafOut[r] = value of the leaf holding row r
}

type splitResult struct {
	proxy float64
	thr   float64
	f     int
	ok    bool
}

func newBuilder(d *dataset, p TreeParams, workers int) *builder {
	if workers < 1 {
		workers = 1
	}
	b := &builder{d: d, p: p.norm(d.p), workers: workers,
		w: make([]float64, d.n), wy: make([]float64, d.n),
		samples: make([]int32, 0, d.n), mark: make([]uint32, d.n),
		perm: make([]int32, d.p), bufs: make([][]pair, workers),
		results: make([]splitResult, workers),
		fcount:  make([]int32, d.p), bstart: make([]int32, d.p)}
	for i := range b.perm {
		b.perm[i] = int32(i)
	}
	for i := range b.bufs {
		b.bufs[i] = make([]pair, d.n+1)
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
		b.psTmp = make([][]ent, workers)
		for i := range b.psTmp {
			b.psTmp[i] = make([]ent, d.n)
		}
		b.isLeft = make([]bool, d.n)
	}
	return b
}

// presortBudget bounds the entries (32 bytes each) of a builder's presorted
// dense columns.
const presortBudget = 1 << 22

// ent is one row of a presorted column: value, weight*target, row and
// weight (a count of repeats, exact in float32).
type ent struct {
	x, wy float64
	r     int32
	w     float32
}

// presort fills ps with the current sample, sorted by each dense feature.
func (b *builder) presort() {
	d := b.d
	w, wy := b.w, b.wy
	for f, full := range b.ps {
		if full == nil {
			continue
		}
		seg := full[:0]
		sl := d.sorted[f]
		neg := int(d.negEnd[f])
		for _, e := range sl[:neg] {
			if wr := w[e.i]; wr > 0 {
				seg = append(seg, ent{e.x, wy[e.i], e.i, float32(wr)})
			}
		}
		if len(sl) < d.n {
			col := d.cols[f]
			for _, r := range b.samples {
				if col[r] == 0 {
					seg = append(seg, ent{0, wy[r], r, float32(w[r])})
				}
			}
		}
		for _, e := range sl[neg:] {
			if wr := w[e.i]; wr > 0 {
				seg = append(seg, ent{e.x, wy[e.i], e.i, float32(wr)})
			}
		}
		if len(seg) != len(b.samples) {
			panic("tree: presort size mismatch")
		}
	}
}

// canSplit reports whether a node of cnt rows at depth may be split (before
// looking at its target values).
func (b *builder) canSplit(cnt, depth int) bool {
	return !b.stopped && cnt >= b.p.MinSamplesSplit && cnt >= 2*b.p.MinSamplesLeaf &&
		(b.p.MaxDepth == 0 || depth < b.p.MaxDepth)
}

// partitionPresorted stably moves the rows of samples[start:mid] to the front
// of every presorted segment [start:end).
func (b *builder) partitionPresorted(start, mid, end int) {
	isLeft := b.isLeft
	for _, r := range b.samples[start:mid] {
		isLeft[r] = true
	}
	for _, r := range b.samples[mid:end] {
		isLeft[r] = false
	}
	part := func(f int, tmp []ent) {
		// branch-free: write each entry to both destinations, advance one
		seg := b.ps[f][start:end]
		tmp = tmp[:len(seg)]
		l, k := 0, 0
		for _, e := range seg {
			var inc int
			if isLeft[e.r] {
				inc = 1
			}
			seg[l] = e
			tmp[k] = e
			l += inc
			k += 1 - inc
		}
		copy(seg[l:], tmp[:k])
	}
	nw := b.workers
	if nw > b.d.p {
		nw = b.d.p
	}
	if nw <= 1 || (end-start)*b.d.p < 1<<15 {
		for f := range b.ps {
			if b.ps[f] != nil {
				part(f, b.psTmp[0])
			}
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < nw; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for f := w; f < b.d.p; f += nw {
				if b.ps[f] != nil {
					part(f, b.psTmp[w])
				}
			}
		}(w)
	}
	wg.Wait()
}

// evalPresorted is evalFeature for a presorted dense column.
func (b *builder) evalPresorted(f, start, end int, W, S float64) (splitResult, bool) {
	seg := b.ps[f][start:end]
	m := len(seg)
	if m < 2 || seg[m-1].x <= seg[0].x+featureThreshold {
		return splitResult{}, false
	}
	minLeaf := b.p.MinSamplesLeaf
	var wL, sL float64
	bestProxy := math.Inf(-1)
	bestK := -1
	// A candidate is screened with a one-division form of the proxy; only
	// those within rounding of the best get the exact (scikit-learn) proxy.
	screen := math.Inf(-1)
	x := seg[0].x
	for k := 0; k < m-1; k++ {
		wL += float64(seg[k].w)
		sL += seg[k].wy
		nx := seg[k+1].x
		if nx <= x+featureThreshold {
			x = nx
			continue
		}
		x = nx
		if k+1 < minLeaf {
			continue
		}
		if m-k-1 < minLeaf {
			break
		}
		wR := W - wL
		sR := S - sL
		if (sL*sL*wR+sR*sR*wL)/(wL*wR) < screen {
			continue
		}
		proxy := sL*sL/wL + sR*sR/wR
		if proxy > bestProxy {
			bestProxy = proxy
			bestK = k
			screen = proxy * (1 - 1e-12)
		}
	}
	if bestK < 0 {
		return splitResult{}, true
	}
	return splitResult{proxy: bestProxy, thr: midpoint(seg[bestK].x, seg[bestK+1].x), f: f, ok: true}, true
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
		if b.leafOut != nil {
			for _, r := range samples {
				b.leafOut[r] = value
			}
		}
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

// better reports whether a beats b: larger proxy, ties to the lower feature.
func better(a, b splitResult) bool {
	if !a.ok {
		return false
	}
	if !b.ok {
		return true
	}
	return a.proxy > b.proxy || (a.proxy == b.proxy && a.f < b.f)
}

func (b *builder) findSplit(start, end int, W, S float64) splitResult {
	b.stamp++
	if b.stamp == 0 {
		clear(b.mark)
		b.stamp = 1
	}
	samples := b.samples[start:end]
	for _, r := range samples {
		b.mark[r] = b.stamp
	}
	cnt := end - start
	d := b.d
	var best splitResult
	if b.p.MaxFeatures < d.p {
		// scikit-learn: draw features without replacement until MaxFeatures
		// non-constant ones have been evaluated.
		b.csr = false
		buf := b.bufs[0]
		visited := 0
		for i := 0; i < d.p && visited < b.p.MaxFeatures; i++ {
			k := i + b.rng.IntN(d.p-i)
			b.perm[i], b.perm[k] = b.perm[k], b.perm[i]
			f := int(b.perm[i])
			res, nonConst := b.evalFeature(f, buf, start, end, W, S)
			if nonConst {
				visited++
			}
			if better(res, best) {
				best = res
			}
		}
		return best
	}

	// all features; the sparse columns of a small node are gathered row-wise
	b.csr = d.nnzSparse > 0 && cnt*8 < d.n
	tasks := b.tasks[:0]
	if b.csr {
		b.touched = b.touched[:0]
		total := 0
		for _, r := range samples {
			for k := d.rowPtr[r]; k < d.rowPtr[r+1]; k++ {
				f := d.rowFeat[k]
				if b.fcount[f] == 0 {
					b.touched = append(b.touched, f)
				}
				b.fcount[f]++
			}
			total += int(d.rowPtr[r+1] - d.rowPtr[r])
		}
		if cap(b.gbuf) < total {
			b.gbuf = make([]pair, total, total+total/2)
		}
		b.gbuf = b.gbuf[:total]
		off := int32(0)
		for _, f := range b.touched {
			b.bstart[f] = off
			off += b.fcount[f]
		}
		for _, r := range samples {
			for k := d.rowPtr[r]; k < d.rowPtr[r+1]; k++ {
				f := d.rowFeat[k]
				b.gbuf[b.bstart[f]] = pair{d.rowVal[k], r}
				b.bstart[f]++
			}
		}
		for _, f := range b.touched {
			b.bstart[f] -= b.fcount[f]
		}
		for f := 0; f < d.p; f++ {
			if !d.sparse[f] || b.fcount[f] > 0 {
				tasks = append(tasks, int32(f))
			}
		}
	} else {
		for f := 0; f < d.p; f++ {
			tasks = append(tasks, int32(f))
		}
	}
	b.tasks = tasks

	nw := b.workers
	if nw > len(tasks) {
		nw = len(tasks)
	}
	if nw <= 1 || cnt*len(tasks) < 1<<15 {
		buf := b.bufs[0]
		for _, f := range tasks {
			res, _ := b.evalFeature(int(f), buf, start, end, W, S)
			if better(res, best) {
				best = res
			}
		}
	} else {
		var wg sync.WaitGroup
		for w := 0; w < nw; w++ {
			lo, hi := len(tasks)*w/nw, len(tasks)*(w+1)/nw
			wg.Add(1)
			go func(w int, part []int32) {
				defer wg.Done()
				var bw splitResult
				buf := b.bufs[w]
				for _, f := range part {
					res, _ := b.evalFeature(int(f), buf, start, end, W, S)
					if better(res, bw) {
						bw = res
					}
				}
				b.results[w] = bw
			}(w, tasks[lo:hi])
		}
		wg.Wait()
		for w := 0; w < nw; w++ {
			if better(b.results[w], best) {
				best = b.results[w]
			}
		}
	}
	if b.csr {
		for _, f := range b.touched {
			b.fcount[f] = 0
		}
	}
	return best
}

// evalFeature finds the best split of the node on feature f. It returns the
// split (ok=false if none is valid) and whether the feature is non-constant
// in the node. Zero values are handled as one block whose sums are the
// node's totals minus those of the non-zero values.
func (b *builder) evalFeature(f int, buf []pair, start, end int, W, S float64) (splitResult, bool) {
	if b.usePS && b.ps[f] != nil {
		return b.evalPresorted(f, start, end, W, S)
	}
	d := b.d
	cnt := end - start
	w, wy := b.w, b.wy
	m := 0
	var wNZ, sNZ float64
	sl := d.sorted[f]
	switch {
	case b.csr && d.sparse[f]:
		bucket := b.gbuf[b.bstart[f] : b.bstart[f]+b.fcount[f]]
		for _, e := range bucket {
			buf[m] = e
			m++
			wNZ += w[e.i]
			sNZ += wy[e.i]
		}
		if m < cnt {
			buf[m] = pair{0, -1}
			m++
		}
		sortPairs(buf[:m])
	case len(sl) <= cnt*bits.Len(uint(cnt)):
		// walk the presorted column, keeping the node's rows
		mark, stamp := b.mark, b.stamp
		neg := int(d.negEnd[f])
		for _, e := range sl[:neg] {
			if mark[e.i] == stamp {
				buf[m] = e
				m++
				wNZ += w[e.i]
				sNZ += wy[e.i]
			}
		}
		z := m
		m++
		for _, e := range sl[neg:] {
			if mark[e.i] == stamp {
				buf[m] = e
				m++
				wNZ += w[e.i]
				sNZ += wy[e.i]
			}
		}
		if m-1 < cnt {
			buf[z] = pair{0, -1}
		} else {
			copy(buf[z:], buf[z+1:m])
			m--
		}
	default:
		col := d.cols[f]
		for _, r := range b.samples[start:end] {
			if x := col[r]; x != 0 {
				buf[m] = pair{x, r}
				m++
				wNZ += w[r]
				sNZ += wy[r]
			}
		}
		if m < cnt {
			buf[m] = pair{0, -1}
			m++
		}
		sortPairs(buf[:m])
	}
	if m < 2 || buf[m-1].x <= buf[0].x+featureThreshold {
		return splitResult{}, false
	}
	nz := 0 // number of non-zero entries = distinct rows outside the zero block
	w0, s0 := W-wNZ, S-sNZ
	for k := 0; k < m; k++ {
		if buf[k].i >= 0 {
			nz++
		}
	}
	c0 := cnt - nz
	minLeaf := b.p.MinSamplesLeaf
	var wL, sL float64
	cL := 0
	bestProxy := math.Inf(-1)
	bestK := -1
	for k := 0; k < m-1; k++ {
		if r := buf[k].i; r >= 0 {
			wL += w[r]
			sL += wy[r]
			cL++
		} else {
			wL += w0
			sL += s0
			cL += c0
		}
		if buf[k+1].x <= buf[k].x+featureThreshold {
			continue
		}
		if cL < minLeaf {
			continue
		}
		if cnt-cL < minLeaf {
			break
		}
		wR := W - wL
		sR := S - sL
		proxy := sL*sL/wL + sR*sR/wR
		if proxy > bestProxy {
			bestProxy = proxy
			bestK = k
		}
	}
	if bestK < 0 {
		return splitResult{}, true
	}
	return splitResult{proxy: bestProxy, thr: midpoint(buf[bestK].x, buf[bestK+1].x), f: f, ok: true}, true
}

// midpoint is scikit-learn's threshold between adjacent sorted values a < c:
// their midpoint, or a when rounding lands it on c or it overflows (so that
// `x <= threshold` still sends a left and c right).
func midpoint(a, c float64) float64 {
	thr := a/2 + c/2
	if thr == c || math.IsInf(thr, 0) {
		return a
	}
	return thr
}
