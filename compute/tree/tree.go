// Package tree implements CART regression trees, random forests and gradient
// boosting with the semantics of scikit-learn 1.2's defaults (squared error,
// midpoint thresholds, x <= threshold goes left).
//
// Input matrices are column-major: cols[j][i] is feature j of row i.
package tree

import (
	"fmt"
	"math/rand/v2"
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
	b := newBuilder(d, p)
	b.rng = rng
	b.setRows(rows, y)
	return b.grow()
}
