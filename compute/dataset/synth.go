package dataset

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// pcg returns the generator for a seed: math/rand/v2's PCG, with the second
// word of its state derived from the seed so that every seed is distinct.
func pcg(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Friedman1 generates Friedman's regression problem #1 (Friedman 1991, as in
// scikit-learn's make_friedman1): X uniform on [0,1]^p and
//
//	y = 10 sin(π x1 x2) + 20 (x3 − 0.5)² + 10 x4 + 5 x5 + noise·N(0,1),
//
// so only the first five features matter. Features are named x0 … x{p-1}.
// The result is a function of (n, p, noise, seed) only (math/rand/v2 PCG),
// not of sklearn's stream. It panics if p < 5 or n < 0.
func Friedman1(n, p int, noise float64, seed uint64) *Frame {
	if p < 5 {
		panic(fmt.Sprintf("dataset.Friedman1: p = %d, need at least 5 features", p))
	}
	if n < 0 {
		panic(fmt.Sprintf("dataset.Friedman1: n = %d rows", n))
	}
	rng := pcg(seed)
	f := &Frame{
		Features: make([]string, p),
		Cols:     make([][]float64, p),
		Y:        make([]float64, n),
	}
	for j := range p {
		f.Features[j] = fmt.Sprintf("x%d", j)
		f.Cols[j] = make([]float64, n)
	}
	for i := range n { // row by row, as make_friedman1 fills X
		for j := range p {
			f.Cols[j][i] = rng.Float64()
		}
	}
	x := f.Cols
	for i := range n {
		y := 10*math.Sin(math.Pi*x[0][i]*x[1][i]) + 20*(x[2][i]-0.5)*(x[2][i]-0.5) + 10*x[3][i] + 5*x[4][i]
		if noise != 0 {
			y += noise * rng.NormFloat64()
		}
		f.Y[i] = y
	}
	return f
}

// wideInformative is how many columns the WideSparse target depends on.
const wideInformative = 8

// WideSparse generates data shaped like the lecture's regression exercise
// (4459 rows × 4993 columns, about 97 % zeros): each cell is zero with
// probability about zeroFrac, otherwise a non-negative whole number drawn
// log-normally (median about e^12 ≈ 160 000). The target is a log-normal-ish
// whole number that depends on a few informative columns (min(8, p), at
// positions fixed by the seed):
//
//	log y = 11.3 + Σ c_k·log1p(x_k)/10 + 0.5·N(0,1),  c_k = 1.0, 0.9, …, 0.3,
//
// so log y has mean about 14.5 and sd about 1.3. The informative columns
// have half as many zeros (as far as the rest can make up for it) and the
// others slightly more, so that the expected zero fraction of the whole
// table is exactly zeroFrac (clamped to [0, 1]). Features are named f0000,
// f0001, …. Deterministic for (n, p, zeroFrac, seed); it panics if n < 0 or
// p < 1.
func WideSparse(n, p int, zeroFrac float64, seed uint64) *Frame {
	if n < 0 || p < 1 {
		panic(fmt.Sprintf("dataset.WideSparse: n = %d, p = %d; need n >= 0 and p >= 1", n, p))
	}
	if math.IsNaN(zeroFrac) {
		zeroFrac = 0
	}
	zeroFrac = min(max(zeroFrac, 0), 1)
	rng := pcg(seed)
	k := min(wideInformative, p)
	informative := rng.Perm(p)[:k]
	isInf := make([]bool, p)
	for _, j := range informative {
		isInf[j] = true
	}
	// Informative columns are half as sparse, unless the others could then
	// not make up the difference.
	zInf := zeroFrac / 2
	zInf = max(zInf, (zeroFrac*float64(p)-float64(p-k))/float64(k))
	zRest := zeroFrac
	if p > k {
		zRest = min((zeroFrac*float64(p)-zInf*float64(k))/float64(p-k), 1)
	}

	width := len(fmt.Sprint(p - 1))
	width = max(width, 4)
	f := &Frame{
		Features: make([]string, p),
		Cols:     make([][]float64, p),
		Y:        make([]float64, n),
	}
	for j := range p {
		f.Features[j] = fmt.Sprintf("f%0*d", width, j)
		z := zRest
		if isInf[j] {
			z = zInf
		}
		col := make([]float64, n)
		for i := range col {
			if rng.Float64() >= z {
				col[i] = max(1, math.Round(math.Exp(12+2*rng.NormFloat64())))
			}
		}
		f.Cols[j] = col
	}
	for i := range n {
		logY := 11.3
		for r, j := range informative {
			c := 1.0 - 0.1*float64(r) // 1.0, 0.9, …, 0.3
			logY += c * math.Log1p(f.Cols[j][i]) / 10
		}
		logY += 0.5 * rng.NormFloat64()
		f.Y[i] = math.Round(math.Exp(logY))
	}
	return f
}

// diabetesCSV is the diabetes data of Efron, Hastie, Johnstone and
// Tibshirani, "Least Angle Regression", Annals of Statistics 32(2), 2004:
// 442 patients, 10 baseline variables (age, sex, bmi, bp, s1 … s6), each
// mean-centred and scaled by its standard deviation times sqrt(442), and the
// target, a measure of disease progression one year later. As shipped by
// scikit-learn (load_diabetes, BSD-3-Clause), written out with an ID column.
//
//go:embed diabetes.csv
var diabetesCSV []byte

var diabetesOnce = sync.OnceValue(func() *Frame {
	f, err := ReadCSV(bytes.NewReader(diabetesCSV), "ID", "target", nil)
	if err != nil {
		panic("dataset: embedded diabetes.csv: " + err.Error())
	}
	return f
})

// Diabetes returns the diabetes data (442 rows, features age, sex, bmi, bp,
// s1 … s6, target = disease progression after one year), embedded in the
// binary. Each call returns a fresh copy the caller may modify.
func Diabetes() *Frame {
	f := diabetesOnce()
	all := make([]int, f.Rows())
	for i := range all {
		all[i] = i
	}
	return f.Subset(all)
}
