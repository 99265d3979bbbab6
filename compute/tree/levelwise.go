package tree

import (
	"runtime"
	"sync/atomic"
)

// boostGrower grows the trees of gradient boosting. Every stage fits all
// rows with weight 1, so each column's sorted order is the same in every
// stage: the grower keeps the dataset's sorted columns, reads each row's
// residual and node through its row number, and grows a tree level by level,
// finding the best split of every node of a depth in one pass over each
// column (the layout of XGBoost's exact method). The recursive builder, which
// boosting used before, copied the residuals into sorted copies of every
// column and partitioned them at each split; on issue 14's case (13,400 rows
// × 20 features, depth 3) that made each stage a chain of small steps that
// two workers shared poorly (1.08× faster at 2 workers than at 1).
//
// A tree's splits are those of the builder with MaxDepth and no other
// limit: a node of two rows or more whose residuals are not all equal is
// split where scikit-learn's proxy is largest, ties to the lower feature.
// The results do not depend on the number of workers: each column is
// scanned whole by one worker, the best splits are merged by better (a total
// order), a child's sums are those its split was scored with, and the
// root's residual sum is added up over blocks of rows fixed by n.
type boostGrower struct {
	d        *dataset
	maxDepth int
	tm       *team
	stop     *atomic.Bool

	rows   []rowState
	level  []levelNode  // the nodes of the depth being split
	next   []levelNode  // their children
	splits []levelSplit // the split chosen for each node of level
	moves  []rowMove    // the same, for moveRows

	movesPending bool         // moves are the last level's, for restart to apply
	scans        []workerScan // per worker
	eq           []equalCheck // per worker, over the nodes of next
	blocks       []float64    // per row block: residual sum
	bfs          []bfsNode    // the tree being grown, breadth first
}

type rowState struct {
	g    float64 // residual
	node int32   // index of the row's node in level, -1 once it is in a leaf
	at   int32   // index of the row's node in bfs
}

type levelNode struct {
	at       int32   // in bfs
	w, s     float64 // rows and residual sum
	constant bool    // all residuals equal
}

// levelSplit is a split with the sums of its left side (rows and residuals),
// which become the left child's.
type levelSplit struct {
	splitResult
	wL, sL float64
	child  int32 // index in next of the left child
}

// bfsNode is a node of a tree grown level by level: a leaf (feature -1, v
// its value) or a split (v its threshold) whose children are left and left+1.
type bfsNode struct {
	feature int32
	left    int32
	v       float64
}

// rowBlock is the number of rows of the blocks that sum the residuals. It
// depends on n only, so the rounding of the sums does not depend on Workers.
func rowBlock(n int) int { return max(1024, (n+15)/16) }

func newBoostGrower(d *dataset, maxDepth, workers int, stop *atomic.Bool) *boostGrower {
	// Small data is grown on the calling goroutine alone, below the
	// recursive builder's threshold for handing out a split search. More
	// workers than Ps only queue behind each other at every phase's end
	// (issue 14's case on 2 cores: 0.28 s at 1 worker, 0.41 s at 4, 0.57 s
	// at 8), and the trees do not depend on the count, so it is capped.
	workers = min(workers, runtime.GOMAXPROCS(0))
	if d.n*d.p < 1<<15 {
		workers = 1
	}
	g := &boostGrower{d: d, maxDepth: maxDepth, tm: newTeam(workers), stop: stop,
		rows:   make([]rowState, d.n),
		blocks: make([]float64, (d.n+rowBlock(d.n)-1)/rowBlock(d.n))}
	w := g.tm.size()
	g.scans = make([]workerScan, w)
	g.eq = make([]equalCheck, w)
	return g
}

func (g *boostGrower) close() { g.tm.close() }

// blockRange is the rows of block b.
func (g *boostGrower) blockRange(b int) (lo, hi int) {
	size := rowBlock(g.d.n)
	return b * size, min((b+1)*size, g.d.n)
}

// restart adds lr times the leaf values of the last tree to pred (when
// apply) and sets the residuals y - pred of the next stage, all rows in the
// root. The rows first take the last level's moves, if grow left them.
func (g *boostGrower) restart(y, pred []float64, lr float64, apply bool) {
	g.resetEqual(1)
	rows, bfs, blocks, moves := g.rows, g.bfs, g.blocks, g.moves
	pending := g.movesPending
	g.movesPending = false
	g.tm.run(len(blocks), func(b, w int) {
		lo, hi := g.blockRange(b)
		state, ref := g.eq[w].state, g.eq[w].ref
		s := 0.0
		for r := lo; r < hi; r++ {
			rs := &rows[r]
			if apply {
				at := rs.at
				if pending && rs.node >= 0 {
					if mv := &moves[rs.node]; mv.col != nil {
						at = mv.at
						if mv.col[r] > mv.thr {
							at++
						}
					}
				}
				pred[r] += lr * bfs[at].v
			}
			res := y[r] - pred[r]
			*rs = rowState{g: res}
			s += res
			see(state, ref, 0, res)
		}
		blocks[b] = s
	})
	s := 0.0
	for _, v := range blocks {
		s += v
	}
	n := float64(g.d.n)
	g.next = append(g.next[:0], levelNode{at: 0, w: n, s: s})
	g.setConstant()
	g.bfs = append(g.bfs[:0], bfsNode{feature: -1, v: s / n})
}

// equalCheck tells, for each node, whether the residuals one worker saw in
// it were all equal, and one of them.
type equalCheck struct {
	ref   []float64
	state []uint8 // 0: none seen, 1: all equal to ref, 2: not all equal
}

// see notes residual v in node c.
func see(state []uint8, ref []float64, c int32, v float64) {
	switch state[c] {
	case 0:
		ref[c], state[c] = v, 1
	case 1:
		if v != ref[c] {
			state[c] = 2
		}
	}
}

// resetEqual readies the workers' equalChecks for m nodes of next.
func (g *boostGrower) resetEqual(m int) {
	for w := range g.eq {
		e := &g.eq[w]
		if cap(e.ref) < m {
			e.ref, e.state = make([]float64, m), make([]uint8, m)
		}
		e.ref, e.state = e.ref[:m], e.state[:m]
		clear(e.state)
	}
}

// setConstant marks the nodes of next whose residuals are all equal.
func (g *boostGrower) setConstant() {
	for k := range g.next {
		constant, seen, ref := true, false, 0.0
		for _, e := range g.eq {
			switch e.state[k] {
			case 2:
				constant = false
			case 1:
				if seen && e.ref[k] != ref {
					constant = false
				}
				seen, ref = true, e.ref[k]
			}
		}
		g.next[k].constant = constant
	}
}

// grow grows one tree on the residuals set by restart. It returns nil when
// stop was set.
func (g *boostGrower) grow() *Tree {
	for depth := 0; depth < g.maxDepth; depth++ {
		g.level, g.next = g.next, g.level[:0]
		if !g.anySplittable() {
			break
		}
		if g.stop.Load() {
			return nil
		}
		g.scanLevel()
		if !g.chooseSplits() {
			break
		}
		if depth+1 < g.maxDepth {
			g.moveRows()
		} else {
			// the rows go to these leaves in restart, a phase fewer
			g.setMoves()
			g.movesPending = true
		}
	}
	if g.stop.Load() {
		return nil
	}
	t := &Tree{nodes: make([]node, 0, len(g.bfs))}
	g.emit(t, 0)
	return t
}

func (g *boostGrower) anySplittable() bool {
	for _, ln := range g.level {
		if ln.w >= 2 && !ln.constant {
			return true
		}
	}
	return false
}

// workerScan is one worker's memory for scanning a level: per node of the
// level (and a first slot for the rows in leaves, see scanEntries) the scan
// state, the left sums of its best split and the sums of its non-zero
// entries, and the best split of the features it scanned. Each worker's
// are allocated apart, so that two workers never write one cache line.
type workerScan struct {
	sc       []nodeScan
	left, nz []sums
	best     []levelSplit
}

// scanLevel finds the best split of every node of level, each worker
// keeping the best of the features it scanned.
func (g *boostGrower) scanLevel() {
	m := len(g.level)
	for w := range g.scans {
		ws := &g.scans[w]
		if cap(ws.best) < m {
			// 8 slots to spare: no cache line shared with what the
			// allocator puts next.
			ws.sc, ws.best = make([]nodeScan, m+1, m+8), make([]levelSplit, m, m+8)
			ws.left, ws.nz = make([]sums, m+1, m+8), make([]sums, m+1, m+8)
		}
		ws.sc, ws.left, ws.nz, ws.best = ws.sc[:m+1], ws.left[:m+1], ws.nz[:m+1], ws.best[:m]
		clear(ws.best)
	}
	g.tm.run(g.d.p, func(f, w int) {
		ws := &g.scans[w]
		g.scanFeature(f, ws.sc, ws.left, ws.nz, ws.best)
	})
}

// chooseSplits merges the workers' best splits, adds the children of the
// nodes that split to bfs and next, and reports whether any node split.
func (g *boostGrower) chooseSplits() bool {
	g.splits = g.splits[:0]
	for k, ln := range g.level {
		var b levelSplit
		for w := range g.scans {
			if c := g.scans[w].best[k]; better(c.splitResult, b.splitResult) {
				b = c
			}
		}
		if ln.w < 2 || ln.constant || !b.ok {
			b.f = -1
			g.splits = append(g.splits, b)
			continue
		}
		left := int32(len(g.bfs))
		g.bfs[ln.at] = bfsNode{feature: int32(b.f), left: left, v: b.thr}
		wR, sR := ln.w-b.wL, ln.s-b.sL
		g.bfs = append(g.bfs, bfsNode{feature: -1, v: b.sL / b.wL}, bfsNode{feature: -1, v: sR / wR})
		b.child = int32(len(g.next))
		g.next = append(g.next, levelNode{at: left, w: b.wL, s: b.sL}, levelNode{at: left + 1, w: wR, s: sR})
		g.splits = append(g.splits, b)
	}
	return len(g.next) > 0
}

// rowMove is where the rows of a node of level go: to child (x <= thr in
// col) or child+1, whose bfs nodes are at and at+1; nowhere (a leaf) when
// col is nil.
type rowMove struct {
	col       []float64
	thr       float64
	child, at int32
}

// setMoves turns the chosen splits into moves.
func (g *boostGrower) setMoves() {
	g.moves = g.moves[:0]
	for _, sp := range g.splits {
		m := rowMove{thr: sp.thr, child: sp.child}
		if sp.f >= 0 {
			m.col, m.at = g.d.cols[sp.f], g.next[sp.child].at
		}
		g.moves = append(g.moves, m)
	}
}

// moveRows sends each row of a node that split to its child, and tells the
// children whether their residuals are all equal.
func (g *boostGrower) moveRows() {
	g.setMoves()
	g.resetEqual(len(g.next))
	rows, moves := g.rows, g.moves
	g.tm.run(len(g.blocks), func(b, w int) {
		lo, hi := g.blockRange(b)
		state, ref := g.eq[w].state, g.eq[w].ref
		for r := lo; r < hi; r++ {
			rs := &rows[r]
			if rs.node < 0 {
				continue
			}
			mv := &moves[rs.node]
			if mv.col == nil {
				rs.node = -1
				continue
			}
			var right int32
			if mv.col[r] > mv.thr {
				right = 1
			}
			rs.node, rs.at = mv.child+right, mv.at+right
			see(state, ref, rs.node, rs.g)
		}
	})
	g.setConstant()
}

// emit appends bfs node i and its subtree to t in pre-order.
func (g *boostGrower) emit(t *Tree, i int32) {
	b := g.bfs[i]
	idx := len(t.nodes)
	t.nodes = append(t.nodes, node{feature: b.feature, v: b.v})
	if b.feature < 0 {
		return
	}
	g.emit(t, b.left)
	t.nodes[idx].right = int32(len(t.nodes))
	g.emit(t, b.left+1)
}
