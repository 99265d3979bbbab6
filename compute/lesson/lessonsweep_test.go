package lesson

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"potok/compute"
)

// TestLesson: a small lesson has a row per work, mode and worker count,
// every row's speedup against its own mode's first count, π the same in
// every mode, the start cost of processes, progress that moves and ends
// complete, and a sentence that names what was measured.
func TestLesson(t *testing.T) {
	l := NewLesson(LessonParams{Workers: []int{1, 2}, Points: 2_000_000, Repeats: 2,
		Files: 4, Size: 16 << 10, Latency: 20 * time.Millisecond})
	var res LessonResult
	var err error
	var run sync.WaitGroup
	run.Go(func() { res, err = l.Run(context.Background()) })
	seen := map[string]bool{}
	waitFor(t, "the lesson to end", func() bool {
		p := l.Progress()
		seen[p.Work] = true
		return p.Run == p.Runs
	})
	run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !seen[WorkDownloads] {
		t.Errorf("progress never showed downloads: %v", seen)
	}
	if len(res.Rows) != 2*3*2 {
		t.Fatalf("%d rows, π %v", len(res.Rows), res.Pi)
	}
	want, _ := compute.Pi(context.Background(), 2_000_000, 10, 1, nil)
	if res.Pi != want.Value {
		t.Fatalf("π %.17g, compute.Pi %.17g", res.Pi, want.Value)
	}
	for i, r := range res.Rows {
		first := res.Rows[i-i%2] // each mode's rows come in pairs: 1 and 2 workers
		if r.Workers != []int{1, 2}[i%2] || r.Mode != first.Mode || r.Work != first.Work ||
			r.Speedup != first.Median*float64(first.Workers)/r.Median || r.Efficiency != r.Speedup/float64(r.Workers) {
			t.Fatalf("row %d: %+v", i, r)
		}
		if r.Work == WorkPi && len(r.Times) != 2 || r.Work == WorkDownloads && len(r.Times) != 1 {
			t.Fatalf("row %d: %d times", i, len(r.Times))
		}
	}
	if len(res.StartCost) != 2 || res.StartCost[0].Workers != 1 || res.StartCost[1].Seconds <= 0 {
		t.Fatalf("start cost %+v", res.StartCost)
	}
	for _, want := range []string{"π at 2 workers ran ", "× as fast as at one with goroutines, ", "× in processes and ", "× under the GIL: under the GIL one worker computes at a time",
		"Downloads at 2 workers ran ", "the GIL is let go while it waits", "Processes "} {
		if !strings.Contains(res.Answer, want) {
			t.Fatalf("answer %q lacks %q", res.Answer, want)
		}
	}
	if _, err := l.Run(context.Background()); err == nil {
		t.Fatal("a second Run accepted")
	}
}

// TestLessonCancel: cancelled while it downloads, a lesson ends with the
// context's error.
func TestLessonCancel(t *testing.T) {
	l := NewLesson(LessonParams{Modes: []Mode{GIL}, Workers: []int{1}, Files: 4, Size: 1 << 20, Rate: 64 << 10})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	var run sync.WaitGroup
	run.Go(func() { _, err = l.Run(ctx) })
	defer run.Wait()
	waitFor(t, "the downloads to start", func() bool { return l.Progress().Work == WorkDownloads })
	cancel()
	run.Wait()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

// TestAnswer: the sentences follow the figures: with goroutines alone,
// nothing of the GIL; the notebooks' answer only when the GIL's figures
// show it; processes credited only when they sped π up.
func TestAnswer(t *testing.T) {
	rows := []LessonRow{
		{Work: WorkPi, SweepRow: SweepRow{Mode: Goroutines, SweepRow: compute.SweepRow{Workers: 1, Speedup: 1}}},
		{Work: WorkPi, SweepRow: SweepRow{Mode: Goroutines, SweepRow: compute.SweepRow{Workers: 4, Speedup: 1.9}}},
		{Work: WorkDownloads, SweepRow: SweepRow{Mode: Goroutines, SweepRow: compute.SweepRow{Workers: 1, Speedup: 1}}},
		{Work: WorkDownloads, SweepRow: SweepRow{Mode: Goroutines, SweepRow: compute.SweepRow{Workers: 4, Speedup: 3.9}}},
	}
	if got, want := Answer(rows), "π at 4 workers ran 1.90× as fast as at one with goroutines. Downloads at 4 workers ran 3.90× as fast as at one with goroutines."; got != want {
		t.Fatalf("%q\nwant %q", got, want)
	}
	row := func(work string, m Mode, w int, speedup float64) LessonRow {
		return LessonRow{Work: work, SweepRow: SweepRow{Mode: m, SweepRow: compute.SweepRow{Workers: w, Speedup: speedup}}}
	}
	rows = []LessonRow{
		row(WorkDownloads, GIL, 1, 1), row(WorkDownloads, GIL, 8, 7.9), row(WorkDownloads, Processes, 1, 1), row(WorkDownloads, Processes, 8, 7),
		row(WorkPi, GIL, 1, 1), row(WorkPi, GIL, 2, 1.01), row(WorkPi, Processes, 1, 1), row(WorkPi, Processes, 2, 1.9),
	}
	want := "π at 2 workers ran 1.01× as fast as at one under the GIL and 1.90× in processes: under the GIL one worker computes at a time, however many there are. " +
		"Downloads at 8 workers ran 7.90× as fast as at one under the GIL and 7.00× in processes: a download spends its time waiting for the network, and the GIL is let go while it waits. " +
		"That is the notebooks' answer: under a GIL, more threads speed up waiting, not computing. Processes speed up the computing too, at the price of starting them and moving the data."
	if got := Answer(rows); got != want {
		t.Fatalf("%q\nwant %q", got, want)
	}
	rows[5], rows[7] = row(WorkPi, GIL, 2, 1.5), row(WorkPi, Processes, 2, 0.8)
	if got := Answer(rows); strings.Contains(got, "notebooks' answer") || !strings.Contains(got, "Processes did not speed π up here") {
		t.Fatalf("%q", got)
	}
}
