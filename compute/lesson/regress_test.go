package lesson

import (
	"context"
	"errors"
	"strings"
	"testing"

	"potok/compute"
	"potok/compute/dataset"
)

// TestRegressSameR2InEveryMode: each model's R² is the same to the last bit
// in every mode and at every worker count (processes mode: the forest's
// trees fitted in children, a share each, and averaged here), and each mode
// says what it means for the model.
func TestRegressSameR2InEveryMode(t *testing.T) {
	for _, data := range []struct {
		name  string
		frame *dataset.Frame
	}{
		{"diabetes", dataset.Diabetes()},
		{"friedman1 2000 × 10", dataset.Friedman1(2000, 10, 1, 0)},
	} {
		train, test := compute.Split(data.frame)
		p := compute.RegressParams{Trees: 12, Stages: 15, Seed: 3}
		for _, model := range []string{compute.ModelForest, compute.ModelBoosting} {
			want, err := compute.Evaluate(context.Background(), model, 1, p, train, test, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range Modes {
				for _, w := range []int{1, 2, 5} {
					calls := 0
					r, err := Evaluate(context.Background(), m, model, w, p, train, test, func(done, total int) { calls++ })
					if err != nil {
						t.Fatalf("%s, %s, %s, %d workers: %v", data.name, model, m, w, err)
					}
					if r.R2 != want.R2 || r.Mode != m || r.Model != model || r.Workers != w || calls == 0 {
						t.Fatalf("%s, %s, %s, %d workers: %+v (progress calls %d), want R² %v", data.name, model, m, w, r, calls, want.R2)
					}
					if (m == Goroutines) != (r.Note == "") || r.FitSeconds <= 0 || r.PredictSeconds < 0 {
						t.Fatalf("%s, %s: note %q, fit %v s, predict %v s", model, m, r.Note, r.FitSeconds, r.PredictSeconds)
					}
				}
			}
		}
	}
}

// TestEvaluateBoth: both models at once, in each mode, with the R² of each
// alone.
func TestEvaluateBoth(t *testing.T) {
	train, test := compute.Split(dataset.Diabetes())
	p := compute.RegressParams{Trees: 10, Stages: 10}
	forest, _ := compute.Evaluate(context.Background(), compute.ModelForest, 2, p, train, test, nil)
	boost, _ := compute.Evaluate(context.Background(), compute.ModelBoosting, 2, p, train, test, nil)
	for _, m := range Modes {
		both, secs, err := EvaluateBoth(context.Background(), m, 2, p, train, test)
		if err != nil || both[0].R2 != forest.R2 || both[1].R2 != boost.R2 || secs <= 0 || both[0].Mode != m {
			t.Fatalf("%s: %+v, %v s, %v", m, both, secs, err)
		}
	}
}

// TestRegressInProcessesCancel: cancelled, the children are killed and the
// error is the context's.
func TestRegressInProcessesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	train, test := compute.Split(dataset.Diabetes())
	_, err := Evaluate(ctx, Processes, compute.ModelForest, 2, compute.RegressParams{Trees: 4}, train, test, nil)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "processes: ") {
		t.Fatalf("err %v", err)
	}
	if _, err := Evaluate(context.Background(), Processes, "svm", 2, compute.RegressParams{}, train, test, nil); err == nil {
		t.Fatal("an unknown model accepted")
	}
}
