package tree

import (
	"context"
	"fmt"
	sk "potok/compute/dataset"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

func BenchmarkForestFriedman2000x20(b *testing.B) {
	cols, y := friedman(2000, 20, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitForest(context.Background(), cols, y, ForestParams{Trees: 100}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBoostingFriedman2000x20(b *testing.B) {
	cols, y := friedman(2000, 20, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitBoosting(context.Background(), cols, y, BoostingParams{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBoostingSparse1000x2000(b *testing.B) {
	cols, y := sparseData(1000, 2000, 0.03, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitBoosting(context.Background(), cols, y, BoostingParams{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForestSparse1000x2000(b *testing.B) {
	cols, y := sparseData(1000, 2000, 0.03, 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitForest(context.Background(), cols, y, ForestParams{Trees: 100}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredictForest(b *testing.B) {
	cols, y := friedman(2000, 20, 1)
	f, err := FitForest(context.Background(), cols, y, ForestParams{Trees: 100}, nil)
	if err != nil {
		b.Fatal(err)
	}
	row := rowOf(cols, 7)
	b.ResetTimer()
	for b.Loop() {
		f.Predict(row)
	}
}

// processCPU is the CPU time of the process: on a machine shared with
// other work, wall time grows with their load, CPU time much less.
func processCPU() time.Duration {
	var ts syscall.Timespec
	// CLOCK_PROCESS_CPUTIME_ID
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// BenchmarkBoostingFriedman20000x20 is issue 14's case: the train part (13,400
// rows) of Friedman #1 20000 × 20 by sklearn's split, 100 stages of depth 3.
func BenchmarkBoostingFriedman20000x20(b *testing.B) {
	f := sk.Friedman1(20000, 20, 1, 0)
	train, _ := sklearnSplit(f.Rows())
	tr := f.Subset(train)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			c0 := processCPU()
			for b.Loop() {
				if _, err := FitBoosting(context.Background(), tr.Cols, tr.Y, BoostingParams{Workers: w}, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
