package tree

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSplitMatchesFixture(t *testing.T) {
	s := loadSplits(t)
	for _, n := range []int{20, 442, 4459} {
		want := s[strconv.Itoa(n)]
		train, test := sklearnSplit(n)
		if !slices.Equal(train, want.Train) || !slices.Equal(test, want.Test) {
			t.Fatalf("n=%d: split differs from the fixture", n)
		}
	}
}

func TestConstantTarget(t *testing.T) {
	cols := [][]float64{{1, 2, 3, 4, 5}, {5, 3, 1, 2, 2}}
	y := []float64{7, 7, 7, 7, 7}
	tr := FitTree(cols, y, allRows(5), TreeParams{}, nil)
	if tr.NodeCount() != 1 || tr.Predict([]float64{0, 0}) != 7 {
		t.Fatalf("nodes=%d pred=%v", tr.NodeCount(), tr.Predict([]float64{0, 0}))
	}
	// with repeats too
	tr = FitTree(cols, y, []int{0, 0, 3, 4, 4, 4}, TreeParams{}, nil)
	if tr.NodeCount() != 1 {
		t.Fatalf("bootstrap: nodes=%d", tr.NodeCount())
	}
}

func TestOneRow(t *testing.T) {
	tr := FitTree([][]float64{{3}, {4}}, []float64{2.5}, []int{0}, TreeParams{}, nil)
	if tr.NodeCount() != 1 || tr.Predict([]float64{100, -1}) != 2.5 {
		t.Fatal("one row")
	}
	// same row repeated
	tr = FitTree([][]float64{{3, 9}}, []float64{2.5, 1}, []int{0, 0, 0}, TreeParams{}, nil)
	if tr.NodeCount() != 1 || tr.Predict([]float64{9}) != 2.5 {
		t.Fatal("one repeated row")
	}
	// no rows
	tr = FitTree([][]float64{{3}}, []float64{2.5}, nil, TreeParams{}, nil)
	if tr.Predict([]float64{0}) != 0 {
		t.Fatal("no rows")
	}
}

func TestAllFeaturesEqual(t *testing.T) {
	cols := [][]float64{{1, 1, 1, 1}, {0, 0, 0, 0}}
	y := []float64{1, 2, 3, 4}
	tr := FitTree(cols, y, allRows(4), TreeParams{}, nil)
	if tr.NodeCount() != 1 || tr.Predict([]float64{1, 0}) != 2.5 {
		t.Fatalf("nodes=%d", tr.NodeCount())
	}
}

func TestDuplicateValues(t *testing.T) {
	// x has duplicates; rows with the same x cannot be separated.
	cols := [][]float64{{1, 1, 2, 2, 2, 3}}
	y := []float64{1, 3, 5, 5, 8, 10}
	tr := FitTree(cols, y, allRows(6), TreeParams{}, nil)
	check := map[float64]float64{1: 2, 2: 6, 3: 10, 1.4: 2, 2.6: 10}
	for x, want := range check {
		if got := tr.Predict([]float64{x}); math.Abs(got-want) > 1e-12 {
			t.Errorf("x=%v: got %v want %v", x, got, want)
		}
	}
	if tr.Leaves() != 3 {
		t.Errorf("leaves=%d", tr.Leaves())
	}
	// thresholds at midpoints: 1.5 and 2.5 (1.5 itself goes left)
	if got := tr.Predict([]float64{1.5}); got != 2 {
		t.Errorf("x=1.5: %v", got)
	}
	if got := tr.Predict([]float64{1.5000001}); got != 6 {
		t.Errorf("x=1.5000001: %v", got)
	}
}

func TestIdenticalColumnsTieLowerIndex(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	cols := [][]float64{{0, 0, 0, 0, 0, 0}, x, slices.Clone(x)}
	y := []float64{0, 0, 0, 1, 1, 1}
	tr := FitTree(cols, y, allRows(6), TreeParams{}, nil)
	if tr.nodes[0].feature != 1 || tr.nodes[0].v != 3.5 {
		t.Fatalf("root split on %d at %v", tr.nodes[0].feature, tr.nodes[0].v)
	}
	if tr.NodeCount() != 3 {
		t.Fatalf("nodes=%d", tr.NodeCount())
	}
}

func TestMinSamplesLeaf(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 300
	cols := [][]float64{make([]float64, n), make([]float64, n)}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		cols[0][i] = rng.Float64()
		cols[1][i] = math.Floor(rng.Float64() * 5)
		y[i] = rng.NormFloat64() + 3*cols[0][i]
	}
	for _, leaf := range []int{1, 5, 17} {
		tr := FitTree(cols, y, allRows(n), TreeParams{MinSamplesLeaf: leaf}, nil)
		counts := map[int]int{}
		for i := 0; i < n; i++ {
			counts[leafIndex(tr, rowOf(cols, i))]++
		}
		for _, c := range counts {
			if c < leaf {
				t.Fatalf("MinSamplesLeaf=%d: leaf with %d rows", leaf, c)
			}
		}
		if leaf == 1 && len(counts) < 100 {
			t.Fatalf("fully grown tree has only %d leaves", len(counts))
		}
	}
}

func leafIndex(t *Tree, row []float64) int {
	i := 0
	for t.nodes[i].feature >= 0 {
		if row[t.nodes[i].feature] <= t.nodes[i].v {
			i++
		} else {
			i = int(t.nodes[i].right)
		}
	}
	return i
}

func TestMaxDepthAndMinSamplesSplit(t *testing.T) {
	cols, y := friedman(500, 6, 3)
	tr := FitTree(cols, y, allRows(500), TreeParams{MaxDepth: 3}, nil)
	if tr.Depth() != 3 || tr.Leaves() != 8 {
		t.Fatalf("depth=%d leaves=%d", tr.Depth(), tr.Leaves())
	}
	tr = FitTree(cols, y, allRows(500), TreeParams{MinSamplesSplit: 50}, nil)
	// every internal node holds at least 50 rows
	through := make([]int, tr.NodeCount())
	for i := 0; i < 500; i++ {
		row := rowOf(cols, i)
		k := 0
		for {
			through[k]++
			nd := tr.nodes[k]
			if nd.feature < 0 {
				break
			}
			if row[nd.feature] <= nd.v {
				k++
			} else {
				k = int(nd.right)
			}
		}
	}
	for k, nd := range tr.nodes {
		if nd.feature >= 0 && through[k] < 50 {
			t.Fatalf("node %d split with %d rows", k, through[k])
		}
	}
	if tr.Leaves() < 10 {
		t.Fatalf("only %d leaves", tr.Leaves())
	}
}

func TestStepFunctionExact(t *testing.T) {
	n := 200
	rng := rand.New(rand.NewPCG(5, 6))
	cols := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := range cols {
			cols[j][i] = rng.Float64()*2 - 1
		}
		if cols[1][i] > 0.25 {
			y[i] = 4
		} else {
			y[i] = -1
		}
	}
	tr := FitTree(cols, y, allRows(n), TreeParams{}, nil)
	if tr.NodeCount() != 3 || tr.nodes[0].feature != 1 {
		t.Fatalf("nodes=%d root feature=%d", tr.NodeCount(), tr.nodes[0].feature)
	}
	for i := 0; i < n; i++ {
		if tr.Predict(rowOf(cols, i)) != y[i] {
			t.Fatal("step not fit exactly")
		}
	}
}

func TestFullyGrownInterpolates(t *testing.T) {
	for _, sparse := range []bool{false, true} {
		var cols [][]float64
		var y []float64
		if sparse {
			cols, y = sparseData(400, 60, 0.1, 9)
		} else {
			cols, y = friedman(400, 8, 9)
		}
		tr := FitTree(cols, y, allRows(len(y)), TreeParams{}, nil)
		// rows are distinct except possibly all-zero rows in the sparse case
		seen := map[string]int{}
		for i := range y {
			seen[keyOf(rowOf(cols, i))]++
		}
		for i := range y {
			if seen[keyOf(rowOf(cols, i))] > 1 {
				continue
			}
			if got := tr.Predict(rowOf(cols, i)); got != y[i] {
				t.Fatalf("sparse=%v row %d: got %v want %v", sparse, i, got, y[i])
			}
		}
	}
}

func keyOf(r []float64) string {
	b := make([]byte, 0, 8*len(r))
	for _, v := range r {
		u := math.Float64bits(v)
		for k := 0; k < 8; k++ {
			b = append(b, byte(u>>(8*k)))
		}
	}
	return string(b)
}

// naiveBest is a brute-force reference for the root split.
func naiveBest(cols [][]float64, y []float64) (int, float64) {
	bestF, bestT, best := -1, 0.0, math.Inf(1)
	for f, col := range cols {
		vals := slices.Clone(col)
		slices.Sort(vals)
		vals = slices.Compact(vals)
		for k := 0; k+1 < len(vals); k++ {
			thr := vals[k]/2 + vals[k+1]/2
			var sl, sr, ql, qr, nl, nr float64
			for i, x := range col {
				if x <= thr {
					sl += y[i]
					ql += y[i] * y[i]
					nl++
				} else {
					sr += y[i]
					qr += y[i] * y[i]
					nr++
				}
			}
			sse := ql - sl*sl/nl + qr - sr*sr/nr
			if sse < best-1e-9 {
				best, bestF, bestT = sse, f, thr
			}
		}
	}
	return bestF, bestT
}

func TestRootSplitMatchesBruteForce(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		n, p := 30+int(seed)*7, 5
		cols := make([][]float64, p)
		for j := range cols {
			cols[j] = make([]float64, n)
			for i := range cols[j] {
				switch j % 3 {
				case 0:
					cols[j][i] = rng.NormFloat64()
				case 1: // mostly zeros, with negatives
					if rng.Float64() < 0.2 {
						cols[j][i] = rng.NormFloat64()
					}
				default:
					cols[j][i] = float64(rng.IntN(4))
				}
			}
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = rng.NormFloat64() + 2*cols[(seed % 5)][i]
		}
		tr := FitTree(cols, y, allRows(n), TreeParams{MaxDepth: 1}, nil)
		f, thr := naiveBest(cols, y)
		if int(tr.nodes[0].feature) != f || tr.nodes[0].v != thr {
			t.Fatalf("seed %d: got (%d, %v) want (%d, %v)", seed, tr.nodes[0].feature, tr.nodes[0].v, f, thr)
		}
	}
}

// Dense and sparse code paths must give the same trees.
func TestSparsePathsAgree(t *testing.T) {
	cols, y := sparseData(600, 40, 0.05, 4)
	// shift a copy so that no column has zeros: same order structure
	shifted := make([][]float64, len(cols))
	for j := range cols {
		shifted[j] = make([]float64, len(y))
		for i, v := range cols[j] {
			shifted[j][i] = v + 100
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	rows := make([]int, len(y))
	for i := range rows {
		rows[i] = rng.IntN(len(y))
	}
	a := FitTree(cols, y, rows, TreeParams{}, nil)
	b := FitTree(shifted, y, rows, TreeParams{}, nil)
	// Structures may differ where two features give the same partition (an
	// exact tie broken by rounding), but the fitted values must agree.
	if a.NodeCount() != b.NodeCount() {
		t.Fatalf("nodes %d vs %d", a.NodeCount(), b.NodeCount())
	}
	for _, i := range rows { // out-of-sample rows may follow either tied split
		pa, pb := a.Predict(rowOf(cols, i)), b.Predict(rowOf(shifted, i))
		if math.Abs(pa-pb) > 1e-9 {
			t.Fatalf("row %d: %v vs %v", i, pa, pb)
		}
	}
}

func TestMaxFeatures(t *testing.T) {
	cols, y := friedman(300, 10, 2)
	tr1 := FitTree(cols, y, allRows(300), TreeParams{MaxFeatures: 3}, rand.New(rand.NewPCG(1, 2)))
	tr2 := FitTree(cols, y, allRows(300), TreeParams{MaxFeatures: 3}, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(tr1.nodes, tr2.nodes) {
		t.Fatal("MaxFeatures tree not deterministic")
	}
	pred := predictAll(tr1.Predict, cols)
	if R2(y, pred) != 1 {
		t.Fatalf("training R2 %v", R2(y, pred))
	}
}

func TestR2(t *testing.T) {
	if R2([]float64{1, 2, 3}, []float64{1, 2, 3}) != 1 {
		t.Fatal("perfect")
	}
	if R2([]float64{1, 2, 3}, []float64{2, 2, 2}) != 0 {
		t.Fatal("mean")
	}
	if R2([]float64{2, 2}, []float64{2, 2}) != 1 || R2([]float64{2, 2}, []float64{1, 2}) != 0 {
		t.Fatal("constant")
	}
}

func forestPreds(t *testing.T, cols [][]float64, y []float64, p ForestParams) []float64 {
	f, err := FitForest(context.Background(), cols, y, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return predictAll(f.Predict, cols)
}

func TestForestDeterministic(t *testing.T) {
	cols, y := friedman(300, 6, 1)
	p := ForestParams{Trees: 12, Seed: 42, Workers: 1}
	a := forestPreds(t, cols, y, p)
	p.Workers = 2
	b := forestPreds(t, cols, y, p)
	p.Workers = 5
	c := forestPreds(t, cols, y, p)
	if !slices.Equal(a, b) || !slices.Equal(a, c) {
		t.Fatal("forest depends on Workers")
	}
	p.Seed = 43
	if d := forestPreds(t, cols, y, p); slices.Equal(a, d) {
		t.Fatal("seed ignored")
	}
	// with MaxFeatures and sparse data
	cols, y = sparseData(300, 50, 0.05, 1)
	p = ForestParams{Trees: 8, Seed: 1, Workers: 1, Tree: TreeParams{MaxFeatures: 10}}
	a = forestPreds(t, cols, y, p)
	p.Workers = 2
	if b = forestPreds(t, cols, y, p); !slices.Equal(a, b) {
		t.Fatal("forest (MaxFeatures) depends on Workers")
	}
}

func TestBoostingDeterministic(t *testing.T) {
	for _, sparse := range []bool{false, true} {
		var cols [][]float64
		var y []float64
		if sparse {
			cols, y = sparseData(2000, 100, 0.03, 5)
		} else {
			cols, y = friedman(2000, 20, 5)
		}
		var preds [][]float64
		for _, w := range []int{1, 2, 3} {
			calls := 0
			b, err := FitBoosting(context.Background(), cols, y, BoostingParams{Stages: 20, Workers: w},
				func(done, total int) { calls++ })
			if err != nil {
				t.Fatal(err)
			}
			if calls != 20 {
				t.Fatalf("progress calls %d", calls)
			}
			preds = append(preds, predictAll(b.Predict, cols))
		}
		if !slices.Equal(preds[0], preds[1]) || !slices.Equal(preds[0], preds[2]) {
			t.Fatalf("sparse=%v: boosting depends on Workers", sparse)
		}
	}
}

func TestProgress(t *testing.T) {
	cols, y := friedman(100, 5, 1)
	last := 0
	_, err := FitForest(context.Background(), cols, y, ForestParams{Trees: 10, Workers: 2}, func(done, total int) {
		if total != 10 || done != last+1 {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	})
	if err != nil || last != 10 {
		t.Fatal(err, last)
	}
}

// TestCancel: a fit stops soon after its context is cancelled, measured from
// the cancel (made once the fit has started, not after a guessed sleep), with
// room for a loaded machine.
func TestCancel(t *testing.T) {
	cols, y := friedman(20000, 20, 1)
	var cancelledAt atomic.Int64
	fit := func(name string, run func(ctx context.Context, progress func(done, total int)) error) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var once sync.Once
		err := run(ctx, func(done, total int) {
			if done >= 1 {
				once.Do(func() { cancelledAt.Store(time.Now().UnixNano()); cancel() })
			}
		})
		took := time.Since(time.Unix(0, cancelledAt.Load()))
		if !errors.Is(err, context.Canceled) || took > 2*time.Second {
			t.Fatalf("%s: err=%v, %v after the cancel", name, err, took)
		}
	}
	fit("forest", func(ctx context.Context, progress func(int, int)) error {
		f, err := FitForest(ctx, cols, y, ForestParams{Trees: 1000, Workers: 2}, progress)
		if f != nil {
			t.Error("a cancelled forest came back")
		}
		return err
	})
	fit("boosting", func(ctx context.Context, progress func(int, int)) error {
		_, err := FitBoosting(ctx, cols, y, BoostingParams{Stages: 100000}, progress)
		return err
	})
}

func TestBadInput(t *testing.T) {
	if _, err := FitForest(context.Background(), [][]float64{{1, 2}}, []float64{1}, ForestParams{}, nil); err == nil {
		t.Fatal("want error")
	}
	if _, err := FitBoosting(context.Background(), [][]float64{{1}}, nil, BoostingParams{}, nil); err == nil {
		t.Fatal("want error")
	}
}
