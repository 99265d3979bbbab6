package lesson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"potok/compute"
)

// The notebook's printed values for N = 5,000,000 (../shared/seeds/000_…):
// one serial pass, and the sum over 10 intervals.
const (
	notebookSerial    = 3.141592653292644
	notebookIntervals = 3.1415926532923013
)

func TestModes(t *testing.T) {
	for _, m := range Modes {
		got, err := ParseMode(strings.ToUpper(m.String()))
		if err != nil || got != m {
			t.Fatalf("ParseMode(%q) = %v, %v", m, got, err)
		}
		b, err := json.Marshal(m)
		var back Mode
		if err != nil || json.Unmarshal(b, &back) != nil || back != m {
			t.Fatalf("%v as JSON: %s, %v, back %v", m, b, err, back)
		}
	}
	if ms, err := ParseModes("goroutines, gil,processes"); err != nil || fmt.Sprint(ms) != "[goroutines gil processes]" {
		t.Fatalf("ParseModes: %v, %v", ms, err)
	}
	for _, bad := range []string{"threads", "gil,gil", ""} {
		if _, err := ParseModes(bad); err == nil {
			t.Errorf("ParseModes(%q) accepted", bad)
		}
	}
	if _, err := json.Marshal(Mode(7)); err == nil {
		t.Error("Mode(7) has JSON")
	}
}

// TestPiSameDigitsInEveryMode: the notebook's values to the last digit in
// every mode at every worker count (processes mode starts real children:
// this test binary, see TestMain), and a larger N the same in every mode as
// compute.Pi's.
func TestPiSameDigitsInEveryMode(t *testing.T) {
	for _, tc := range []struct {
		n, intervals int
		want         float64
		workers      []int
	}{
		{5_000_000, 10, notebookIntervals, []int{1, 2, 3, 16}},
		{5_000_000, 1, notebookSerial, []int{1, 2}},
		{40_000_000, 8, 0, []int{1, 3}},
	} {
		want := tc.want
		if want == 0 {
			r, err := compute.Pi(context.Background(), tc.n, tc.intervals, 2, nil)
			if err != nil {
				t.Fatal(err)
			}
			want = r.Value
		}
		for _, m := range Modes {
			for _, w := range tc.workers {
				var progress atomic.Int64
				r, err := Pi(context.Background(), m, tc.n, tc.intervals, w, &progress)
				if err != nil {
					t.Fatalf("%s, %d workers: %v", m, w, err)
				}
				if r.Value != want || r.Mode != m || r.Workers != w || r.N != tc.n || r.AbsError != math.Abs(want-math.Pi) {
					t.Fatalf("%s, n=%d over %d, %d workers: %+v, want π = %.17g", m, tc.n, tc.intervals, w, r, want)
				}
				if points := int64(tc.intervals * (tc.n/tc.intervals - 1)); progress.Load() != points {
					t.Fatalf("%s: progress %d, want %d", m, progress.Load(), points)
				}
			}
		}
	}
}

func TestPiBadInput(t *testing.T) {
	for _, m := range Modes {
		for _, c := range [][3]int{{1, 1, 1}, {100, 0, 1}, {100, 1, 0}, {10, 10, 1}} {
			if _, err := Pi(context.Background(), m, c[0], c[1], c[2], nil); err == nil {
				t.Errorf("%s: Pi(%v) accepted", m, c)
			}
		}
	}
}

// TestPiCancelInEveryMode: two billion points take seconds; a cancel once
// the run is under way ends it at once, with the context's error, the
// children of processes mode killed and joined.
func TestPiCancelInEveryMode(t *testing.T) {
	for _, m := range Modes {
		t.Run(m.String(), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var progress atomic.Int64
			var run sync.WaitGroup
			var err error
			run.Go(func() { _, err = Pi(ctx, m, 2_000_000_000, 10, 2, &progress) })
			defer run.Wait() // also when waitFor fails
			defer cancel()
			if m == Processes {
				waitFor(t, "two worker processes", func() bool { return countChildren(t) >= 2 })
			} else {
				waitFor(t, "the first points counted", func() bool { return progress.Load() > 0 })
			}
			cancel()
			run.Wait()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v", err)
			}
			waitFor(t, "no worker process left", func() bool { return countChildren(t) == 0 })
		})
	}
}

// TestWorkerFailureIsAnError: a child that fails is an error that says what
// the child said on stderr, and the other children are killed.
func TestWorkerFailureIsAnError(t *testing.T) {
	shares := []*child{
		{header: piRequest{Intervals: []compute.PiInterval{{A: -1, B: 1, Points: 1}}}, answer: new(piAnswer)},
		{header: piRequest{Intervals: []compute.PiInterval{{A: -1, B: 1, Points: 4_000_000_000}}}, answer: new(piAnswer)},
	}
	err := runChildren(context.Background(), jobPi, shares)
	if err == nil || !strings.Contains(err.Error(), "worker process 1 of 2 (pi): exit status 1: potok _worker pi: interval 0 has 1 points: at least 2 are needed") {
		t.Fatalf("err %v", err)
	}
	if n := countChildren(t); n != 0 {
		t.Fatalf("%d worker processes left", n)
	}
	err = runChildren(context.Background(), "nope", []*child{{header: struct{}{}, answer: &struct{}{}}})
	if err == nil || !strings.Contains(err.Error(), `exit status 2: potok _worker: unknown job "nope"`) {
		t.Fatalf("unknown job: %v", err)
	}
}
