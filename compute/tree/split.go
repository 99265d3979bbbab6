package tree

import (
	"math"
	"math/bits"
	"sync"
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
