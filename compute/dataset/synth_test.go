package dataset

import (
	"math"
	"slices"
	"testing"
)

func friedmanMean(x []float64) float64 {
	return 10*math.Sin(math.Pi*x[0]*x[1]) + 20*(x[2]-0.5)*(x[2]-0.5) + 10*x[3] + 5*x[4]
}

func framesEqual(a, b *Frame) bool {
	if !slices.Equal(a.Features, b.Features) || !slices.Equal(a.Y, b.Y) || len(a.Cols) != len(b.Cols) {
		return false
	}
	for j := range a.Cols {
		if !slices.Equal(a.Cols[j], b.Cols[j]) {
			return false
		}
	}
	return true
}

func TestFriedman1(t *testing.T) {
	tests := []struct {
		n, p  int
		noise float64
	}{
		{200, 5, 0},
		{500, 10, 0},
		{300, 20, 1},
	}
	for _, tt := range tests {
		a := Friedman1(tt.n, tt.p, tt.noise, 3)
		b := Friedman1(tt.n, tt.p, tt.noise, 3)
		c := Friedman1(tt.n, tt.p, tt.noise, 4)
		if !framesEqual(a, b) {
			t.Errorf("n=%d p=%d: not deterministic", tt.n, tt.p)
		}
		if framesEqual(a, c) {
			t.Errorf("n=%d p=%d: seeds 3 and 4 give the same data", tt.n, tt.p)
		}
		if a.Rows() != tt.n || len(a.Cols) != tt.p || len(a.Features) != tt.p || a.Features[0] != "x0" {
			t.Fatalf("shape %d×%d, features %v", a.Rows(), len(a.Cols), a.Features)
		}
		var sq float64
		for i := range a.Rows() {
			x := a.Row(i)
			for _, v := range x {
				if v < 0 || v >= 1 {
					t.Fatalf("x = %v outside [0,1)", v)
				}
			}
			d := a.Y[i] - friedmanMean(x)
			if tt.noise == 0 && d != 0 {
				t.Fatalf("row %d: y = %v, formula gives %v", i, a.Y[i], friedmanMean(x))
			}
			sq += d * d
		}
		if tt.noise > 0 {
			if sd := math.Sqrt(sq / float64(tt.n)); sd < 0.8*tt.noise || sd > 1.2*tt.noise {
				t.Errorf("noise sd %.3f, want about %v", sd, tt.noise)
			}
		}
	}
}

func TestFriedman1PanicsOnFewFeatures(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for p = 4")
		}
	}()
	Friedman1(10, 4, 0, 1)
}

func TestWideSparse(t *testing.T) {
	tests := []struct {
		n, p     int
		zeroFrac float64
	}{
		{500, 400, 0.97},
		{300, 50, 0.5},
		{200, 10, 0.9},
		{100, 3, 0.97}, // fewer columns than informative ones
		{100, 10, 1},
		{100, 10, 0},
	}
	for _, tt := range tests {
		a := WideSparse(tt.n, tt.p, tt.zeroFrac, 11)
		if !framesEqual(a, WideSparse(tt.n, tt.p, tt.zeroFrac, 11)) {
			t.Errorf("%+v: not deterministic", tt)
		}
		if a.Rows() != tt.n || len(a.Cols) != tt.p || len(a.Features) != tt.p {
			t.Fatalf("%+v: shape %d×%d", tt, a.Rows(), len(a.Cols))
		}
		zeros := 0
		for _, col := range a.Cols {
			for _, v := range col {
				if v < 0 || math.IsNaN(v) {
					t.Fatalf("value %v", v)
				}
				if v == 0 {
					zeros++
				}
			}
		}
		frac := float64(zeros) / float64(tt.n*tt.p)
		want := tt.zeroFrac
		if math.Abs(frac-want) > 0.02 {
			t.Errorf("%+v: zero fraction %.4f, want about %.4f", tt, frac, want)
		}
		for _, y := range a.Y {
			if y <= 0 || math.IsInf(y, 0) {
				t.Fatalf("target %v", y)
			}
		}
	}
}

func TestWideSparseTargetDependsOnColumns(t *testing.T) {
	// log y should correlate with the informative columns: a target that is
	// pure noise would give nothing for a regressor to learn.
	f := WideSparse(2000, 200, 0.97, 5)
	logY := make([]float64, f.Rows())
	for i, y := range f.Y {
		logY[i] = math.Log(y)
	}
	best := 0.0
	for _, col := range f.Cols {
		x := make([]float64, len(col))
		for i, v := range col {
			x[i] = math.Log1p(v)
		}
		best = max(best, math.Abs(corr(x, logY)))
	}
	if best < 0.2 {
		t.Errorf("largest |corr(log1p x, log y)| = %.3f, want a visible dependence", best)
	}
}

func corr(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy, sxx, syy, sxy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		syy += y[i] * y[i]
		sxy += x[i] * y[i]
	}
	cov := sxy/n - sx/n*sy/n
	return cov / math.Sqrt((sxx/n-sx/n*sx/n)*(syy/n-sy/n*sy/n))
}

func TestDiabetes(t *testing.T) {
	f := Diabetes()
	want := []string{"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"}
	if f.Rows() != 442 || !slices.Equal(f.Features, want) {
		t.Fatalf("%d rows, features %v", f.Rows(), f.Features)
	}
	if f.Y[0] != 151 || f.Y[1] != 75 || f.Cols[0][0] != 0.038075906433423026 {
		t.Errorf("first rows: y %v %v, age %v", f.Y[0], f.Y[1], f.Cols[0][0])
	}
	// sklearn's scaling: each column has mean 0 and sum of squares 1.
	for j, col := range f.Cols {
		var s, sq float64
		for _, v := range col {
			s += v
			sq += v * v
		}
		if math.Abs(s) > 1e-9 || math.Abs(sq-1) > 1e-6 {
			t.Errorf("column %s: sum %g, sum of squares %g", f.Features[j], s, sq)
		}
	}
	// Each call is a fresh copy.
	f.Y[0] = -1
	f.Cols[0][0] = 99
	g := Diabetes()
	if g.Y[0] != 151 || g.Cols[0][0] == 99 {
		t.Error("Diabetes() returns shared data")
	}
}

func TestSubsetAndRow(t *testing.T) {
	f := &Frame{
		Features: []string{"a", "b"},
		Cols:     [][]float64{{1, 2, 3, 4}, {10, 20, 30, 40}},
		Y:        []float64{100, 200, 300, 400},
	}
	tests := []struct {
		idx   []int
		wantA []float64
		wantY []float64
	}{
		{[]int{2, 0}, []float64{3, 1}, []float64{300, 100}},
		{[]int{3, 3, 1}, []float64{4, 4, 2}, []float64{400, 400, 200}},
		{[]int{}, []float64{}, []float64{}},
	}
	for _, tt := range tests {
		s := f.Subset(tt.idx)
		if !slices.Equal(s.Cols[0], tt.wantA) || !slices.Equal(s.Y, tt.wantY) || s.Rows() != len(tt.idx) {
			t.Errorf("Subset(%v) = %v %v", tt.idx, s.Cols, s.Y)
		}
		if len(tt.idx) > 0 {
			s.Cols[0][0] = -1
			s.Y[0] = -1
			s.Features[0] = "changed"
			if f.Cols[0][tt.idx[0]] == -1 || f.Y[tt.idx[0]] == -1 || f.Features[0] != "a" {
				t.Error("Subset shares memory with the original")
			}
		}
	}
	if r := f.Row(1); !slices.Equal(r, []float64{2, 20}) {
		t.Errorf("Row(1) = %v", r)
	}
}
