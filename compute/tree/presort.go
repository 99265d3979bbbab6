package tree

import "math"

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
	for _, full := range b.ps {
		if full == nil {
			continue
		}
		// branch-free: write each entry to both destinations, advance one
		seg := full[start:end]
		tmp := b.psTmp[:len(seg)]
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
