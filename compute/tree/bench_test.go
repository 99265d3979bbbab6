package tree

import (
	"context"
	"testing"
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
