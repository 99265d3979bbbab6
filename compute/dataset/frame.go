// Package dataset holds the tables the regressors train on: a column-major
// Frame, a streaming CSV reader, scikit-learn's train/test split reproduced
// bit for bit, and generated (Friedman #1, wide sparse) and embedded
// (diabetes) data sets. Standard library only; no Fyne import.
package dataset

// Frame is a table of numeric features stored column-major (fast split
// search), plus the target.
type Frame struct {
	Features []string    // column names, in file order, without ID and target
	Cols     [][]float64 // Cols[j][i] = feature j of row i
	Y        []float64
}

// Rows returns the number of rows.
func (f *Frame) Rows() int { return len(f.Y) }

// Subset returns a new Frame holding the rows idx, in that order. The data
// are copied, so the result shares nothing with f. It panics if an index is
// out of range.
func (f *Frame) Subset(idx []int) *Frame {
	out := &Frame{
		Features: append([]string(nil), f.Features...),
		Cols:     make([][]float64, len(f.Cols)),
		Y:        make([]float64, len(idx)),
	}
	for k, i := range idx {
		out.Y[k] = f.Y[i]
	}
	for j, col := range f.Cols {
		c := make([]float64, len(idx))
		for k, i := range idx {
			c[k] = col[i]
		}
		out.Cols[j] = c
	}
	return out
}

// Row returns the features of row i as a new slice (one value per feature),
// for prediction.
func (f *Frame) Row(i int) []float64 {
	r := make([]float64, len(f.Cols))
	for j, col := range f.Cols {
		r[j] = col[i]
	}
	return r
}
