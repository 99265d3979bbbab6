package dataset

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func TestMT19937Reference(t *testing.T) {
	// The reference outputs of mt19937ar.c / std::mt19937 for the default
	// seed 5489; the 10000th output of std::mt19937 is 4123659995.
	tests := []struct {
		seed uint32
		want []uint32
	}{
		{5489, []uint32{3499211612, 581869302, 3890346734, 3586334585, 545404204, 4161255391, 3922919429, 949333985, 2715962298, 1323567403}},
	}
	for _, tt := range tests {
		m := newMT19937(tt.seed)
		for i, w := range tt.want {
			if got := m.next32(); got != w {
				t.Fatalf("seed %d output %d = %d, want %d", tt.seed, i, got, w)
			}
		}
	}
	m := newMT19937(5489)
	var v uint32
	for range 10000 {
		v = m.next32()
	}
	if v != 4123659995 {
		t.Fatalf("10000th output = %d, want 4123659995", v)
	}
}

func TestTrainTestSplitMatchesSklearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/sklearn_split_seed42.json")
	if err != nil {
		t.Fatal(err)
	}
	var fix map[string]struct{ Train, Test []int }
	if err := json.Unmarshal(raw, &fix); err != nil {
		t.Fatal(err)
	}
	var ns []int
	for k := range fix {
		n, err := strconv.Atoi(k)
		if err != nil {
			t.Fatalf("fixture key %q", k)
		}
		ns = append(ns, n)
	}
	sort.Ints(ns)
	if !slices.Equal(ns, []int{20, 442, 4459}) {
		t.Fatalf("fixture has n = %v", ns)
	}
	for _, n := range ns {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			want := fix[strconv.Itoa(n)]
			train, test := TrainTestSplit(n, 0.33, 42)
			if len(test) != int(math.Ceil(0.33*float64(n))) || len(test)+len(train) != n {
				t.Fatalf("sizes train %d test %d", len(train), len(test))
			}
			if !slices.Equal(test, want.Test) {
				t.Errorf("test differs from sklearn (first: got %v, want %v)", test[:5], want.Test[:5])
			}
			if !slices.Equal(train, want.Train) {
				t.Errorf("train differs from sklearn (first: got %v, want %v)", train[:5], want.Train[:5])
			}
		})
	}
}

func TestTrainTestSplitSizes(t *testing.T) {
	tests := []struct {
		n        int
		testSize float64
		wantTest int
	}{
		{20, 0.33, 7}, // 0.33*20 = 6.6000000000000005
		{442, 0.33, 146},
		{4459, 0.33, 1472},
		{100, 0.25, 25},
		{10, 0, 0},
		{10, -1, 0},
		{10, math.NaN(), 0},
		{10, 1, 10},
		{10, 3, 3}, // absolute count
		{10, 30, 10},
		{1, 0.33, 1},
		{0, 0.33, 0},
	}
	for _, tt := range tests {
		train, test := TrainTestSplit(tt.n, tt.testSize, 7)
		if len(test) != tt.wantTest || len(train) != tt.n-tt.wantTest {
			t.Errorf("n=%d testSize=%v: train %d test %d, want test %d", tt.n, tt.testSize, len(train), len(test), tt.wantTest)
		}
		all := append(append([]int(nil), train...), test...)
		sort.Ints(all)
		for i, v := range all {
			if v != i {
				t.Fatalf("n=%d: not a permutation: %v", tt.n, all)
			}
		}
		// appending to test must not clobber train
		if len(train) > 0 {
			first := train[0]
			_ = append(test, -1)
			if train[0] != first {
				t.Fatalf("test and train overlap in memory")
			}
		}
	}
}
