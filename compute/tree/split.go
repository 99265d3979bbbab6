package tree

import (
	"math"
	"math/bits"
)

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

// findSplit finds the best split of the node holding samples[start:end],
// whose weight and weighted target sum are W and S.
func (b *builder) findSplit(start, end int, W, S float64) splitResult {
	b.markNode(start, end)
	d := b.d
	if b.p.MaxFeatures < d.p {
		return b.findSplitDrawn(start, end, W, S)
	}
	// all features; the sparse columns of a small node are gathered row-wise
	b.csr = d.nnzSparse > 0 && (end-start)*8 < d.n
	if b.csr {
		b.gatherSparse(b.samples[start:end])
	}
	var best splitResult
	for f := 0; f < d.p; f++ {
		if b.csr && d.sparse[f] && b.fcount[f] == 0 {
			continue // all zeros in this node
		}
		if res, _ := b.evalFeature(f, b.buf, start, end, W, S); better(res, best) {
			best = res
		}
	}
	if b.csr {
		for _, f := range b.touched {
			b.fcount[f] = 0
		}
	}
	return best
}

// markNode stamps the rows of samples[start:end] in mark.
func (b *builder) markNode(start, end int) {
	b.stamp++
	if b.stamp == 0 {
		clear(b.mark)
		b.stamp = 1
	}
	for _, r := range b.samples[start:end] {
		b.mark[r] = b.stamp
	}
}

// findSplitDrawn is scikit-learn's search with max_features: features are
// drawn without replacement until MaxFeatures non-constant ones have been
// evaluated.
func (b *builder) findSplitDrawn(start, end int, W, S float64) splitResult {
	b.csr = false
	p := b.d.p
	var best splitResult
	visited := 0
	for i := 0; i < p && visited < b.p.MaxFeatures; i++ {
		k := i + b.rng.IntN(p-i)
		b.perm[i], b.perm[k] = b.perm[k], b.perm[i]
		res, nonConst := b.evalFeature(int(b.perm[i]), b.buf, start, end, W, S)
		if nonConst {
			visited++
		}
		if better(res, best) {
			best = res
		}
	}
	return best
}

// gatherSparse copies the non-zeros of the node's rows in the sparse columns
// into gbuf, grouped by column: column f's are
// gbuf[bstart[f] : bstart[f]+fcount[f]], and touched lists the columns
// with any.
func (b *builder) gatherSparse(samples []int32) {
	d := b.d
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
			b.gbuf[b.bstart[f]] = pair{x: d.rowVal[k], i: r}
			b.bstart[f]++
		}
	}
	for _, f := range b.touched {
		b.bstart[f] -= b.fcount[f]
	}
}

// evalFeature finds the best split of the node on feature f. It returns the
// split (ok=false if none is valid) and whether the feature is non-constant
// in the node. Zero values are handled as one block whose sums are the
// node's totals minus those of the non-zero values.
//
// It is kept whole although long: the forest calls it for every feature of
// every node, and split into a gather and a scan function it made
// BenchmarkForestSparse1000x2000 about 6 % slower (2.77-3.05 s against
// 2.55-2.78 s, alternated runs).
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
			buf[m] = pair{i: -1}
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
			buf[z] = pair{i: -1}
		} else {
			copy(buf[z:], buf[z+1:m])
			m--
		}
	default:
		col := d.cols[f]
		for _, r := range b.samples[start:end] {
			if x := col[r]; x != 0 {
				buf[m] = pair{x: x, i: r}
				m++
				wNZ += w[r]
				sNZ += wy[r]
			}
		}
		if m < cnt {
			buf[m] = pair{i: -1}
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
