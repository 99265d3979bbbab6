package tree

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	sk "potok/compute/dataset"
	"strconv"
	"testing"
)

// fixtures are copies of ../shared/fixtures (scikit-learn's figures and data),
// kept here so the tests run wherever the repository is cloned.
const fixtures = "testdata/"

// sklearnSplit is train_test_split(test_size=0.33, random_state=42).
func sklearnSplit(n int) (train, test []int) { return sk.TrainTestSplit(n, 0.33, 42) }

type splitFixture map[string]struct {
	Train []int `json:"train"`
	Test  []int `json:"test"`
}

func loadSplits(t testing.TB) splitFixture {
	t.Helper()
	raw, err := os.ReadFile(fixtures + "sklearn_split_seed42.json")
	if err != nil {
		t.Skipf("fixture: %v", err)
	}
	var s splitFixture
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

type r2Fixture map[string]struct {
	RF []float64 `json:"rf_r2_seeds0_4"`
	GB []float64 `json:"gb_r2_seeds0_4"`
}

func loadR2(t testing.TB) r2Fixture {
	t.Helper()
	raw, err := os.ReadFile(fixtures + "sklearn_r2_reference.json")
	if err != nil {
		t.Skipf("fixture: %v", err)
	}
	var s r2Fixture
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// loadCSV reads ID,features...,target into row-major features and targets.
func loadCSV(t testing.TB, name string) (X [][]float64, y []float64) {
	t.Helper()
	f, err := os.Open(fixtures + name)
	if err != nil {
		t.Skipf("fixture: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	hdr := recs[0]
	if hdr[0] != "ID" || hdr[len(hdr)-1] != "target" {
		t.Fatalf("unexpected header %v", hdr)
	}
	for k, rec := range recs[1:] {
		id, _ := strconv.Atoi(rec[0])
		if id != k {
			t.Fatalf("row %d has ID %d", k, id)
		}
		row := make([]float64, len(rec)-2)
		for j := range row {
			row[j], err = strconv.ParseFloat(rec[j+1], 64)
			if err != nil {
				t.Fatal(err)
			}
		}
		v, err := strconv.ParseFloat(rec[len(rec)-1], 64)
		if err != nil {
			t.Fatal(err)
		}
		X = append(X, row)
		y = append(y, v)
	}
	return X, y
}

// subset returns the column-major matrix and targets of the given rows.
func subset(X [][]float64, y []float64, idx []int) ([][]float64, []float64) {
	p := len(X[0])
	cols := make([][]float64, p)
	for j := range cols {
		cols[j] = make([]float64, len(idx))
		for k, i := range idx {
			cols[j][k] = X[i][j]
		}
	}
	ys := make([]float64, len(idx))
	for k, i := range idx {
		ys[k] = y[i]
	}
	return cols, ys
}

func rowOf(cols [][]float64, i int) []float64 {
	r := make([]float64, len(cols))
	for j := range cols {
		r[j] = cols[j][i]
	}
	return r
}

func predictAll(pred func([]float64) float64, cols [][]float64) []float64 {
	n := len(cols[0])
	out := make([]float64, n)
	for i := range out {
		out[i] = pred(rowOf(cols, i))
	}
	return out
}

// friedman generates Friedman #1 data (column-major) with p >= 5 features.
func friedman(n, p int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	cols := make([][]float64, p)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := range cols {
			cols[j][i] = rng.Float64()
		}
		y[i] = 10*math.Sin(math.Pi*cols[0][i]*cols[1][i]) + 20*(cols[2][i]-0.5)*(cols[2][i]-0.5) +
			10*cols[3][i] + 5*cols[4][i] + rng.NormFloat64()
	}
	return cols, y
}

// sparseData generates an n×p matrix with the given fraction of non-zeros
// (log-normal values) and a target depending on a few columns.
func sparseData(n, p int, density float64, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	cols := make([][]float64, p)
	for j := range cols {
		c := make([]float64, n)
		for i := range c {
			if rng.Float64() < density {
				c[i] = math.Exp(rng.NormFloat64())
			}
		}
		cols[j] = c
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = math.Log1p(3*cols[0][i]+2*cols[1][i]+cols[2][i]+cols[3][i]*cols[4][i]) + 0.1*rng.NormFloat64()
	}
	return cols, y
}

func allRows(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}
