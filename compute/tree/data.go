package tree

import "sync"

// dataset is the read-only, shared view of the training matrix used while
// growing trees: per column the non-zero entries sorted by value, and for
// columns that are mostly zeros a row-wise (CSR) copy of their non-zeros.
type dataset struct {
	cols   [][]float64
	n, p   int
	sorted [][]pair // non-zero entries of each column, ascending by value
	negEnd []int32  // number of negative entries at the start of sorted[j]
	sparse []bool   // column has at most 25 % non-zeros

	nnzSparse int
	rowPtr    []int32 // CSR over the sparse columns only
	rowFeat   []int32
	rowVal    []float64
}

func newDataset(cols [][]float64, n, workers int) *dataset {
	p := len(cols)
	d := &dataset{cols: cols, n: n, p: p,
		sorted: make([][]pair, p), negEnd: make([]int32, p), sparse: make([]bool, p)}
	if workers < 1 {
		workers = 1
	}
	if workers > p {
		workers = p
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rs := new(radixSorter)
			for j := w; j < p; j += workers {
				col := cols[j][:n]
				nnz := 0
				for _, x := range col {
					if x != 0 {
						nnz++
					}
				}
				s := make([]pair, 0, nnz)
				for i, x := range col {
					if x != 0 {
						s = append(s, pair{x: x, i: int32(i)})
					}
				}
				rs.sortStable(s)
				neg := 0
				for neg < len(s) && s[neg].x < 0 {
					neg++
				}
				markGaps(s, neg, nnz < n)
				d.sorted[j] = s
				d.negEnd[j] = int32(neg)
				d.sparse[j] = nnz*4 <= n
			}
		}(w)
	}
	wg.Wait()
	cnt := make([]int32, n+1)
	for j := 0; j < p; j++ {
		if d.sparse[j] {
			d.nnzSparse += len(d.sorted[j])
			for _, e := range d.sorted[j] {
				cnt[e.i+1]++
			}
		}
	}
	if d.nnzSparse > 0 {
		for i := 0; i < n; i++ {
			cnt[i+1] += cnt[i]
		}
		d.rowPtr = cnt
		d.rowFeat = make([]int32, d.nnzSparse)
		d.rowVal = make([]float64, d.nnzSparse)
		fill := make([]int32, n)
		copy(fill, cnt[:n])
		for j := 0; j < p; j++ {
			if !d.sparse[j] {
				continue
			}
			col := cols[j]
			for _, e := range d.sorted[j] {
				k := fill[e.i]
				d.rowFeat[k] = int32(j)
				d.rowVal[k] = col[e.i]
				fill[e.i]++
			}
		}
	}
	return d
}

// markGaps sets gap on the entries of a sorted column that are more than
// featureThreshold above the entry before them. Then the previous value of
// any node's rows is at most the entry before, so such an entry is a
// candidate split in every node without comparing with the node's own
// previous value. With zeros, which the column does not hold, the first
// positive entry may follow a zero and is not marked.
func markGaps(s []pair, neg int, zeros bool) {
	for k := 1; k < len(s); k++ {
		s[k].gap = s[k].x > s[k-1].x+featureThreshold && !(zeros && k == neg)
	}
}
