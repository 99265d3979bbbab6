package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"potok/compute"
	"potok/compute/lesson"
)

// newTestLesson builds the Lesson tab (and its Locks tab) in a test window;
// its jobs run off the test goroutine, as in the window, and the test ticks.
func newTestLesson(t *testing.T) *lessonTab {
	t.Helper()
	test.NewTempApp(t)
	l := newLessonTab()
	w := test.NewTempWindow(t, container.NewAppTabs(container.NewTabItem("Lesson", l.Content), container.NewTabItem("Locks", l.Locks.Content)))
	w.Resize(fyne.NewSize(1100, 760))
	t.Cleanup(l.close)
	return l
}

// tickLesson drives the tab's tick, as the window's ticker does, until cond
// holds.
func tickLesson(t *testing.T, l *lessonTab, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, func() bool {
		l.tick()
		return cond()
	})
}

// tinyLesson is a lesson of a second or two: every mode at 1 and 2
// workers, processes mode's children being this test binary.
var tinyLesson = lesson.LessonParams{Workers: []int{1, 2}, Points: 200_000, Repeats: 1,
	Files: 2, Size: 4 << 10, Latency: 5 * time.Millisecond, Rate: 64 << 20}

// TestLessonRunsAndCharts: Run measures the lesson off the UI goroutine;
// the tick brings its result: a line per work and mode (colour by work,
// dash by mode), the sentence under the chart, and the start cost of
// processes.
func TestLessonRunsAndCharts(t *testing.T) {
	l := newTestLesson(t)
	l.setParams(tinyLesson)
	if !strings.Contains(l.Measures.Text, "2 files × 4.0 KiB") || !strings.Contains(l.Measures.Text, "at 1, 2 workers, in goroutines, processes, gil") {
		t.Fatalf("measures %q", l.Measures.Text)
	}
	if !strings.HasPrefix(l.Question.Text, "Why did fetching 13 pages get faster with threads") {
		t.Fatalf("question %q", l.Question.Text)
	}
	test.Tap(l.Run)
	if !l.Run.Disabled() || l.Cancel.Disabled() {
		t.Fatal("Run still enabled, or Cancel not, while the lesson runs")
	}
	tickLesson(t, l, "the lesson's answer", func() bool { return !l.running.Load() })
	if !strings.HasPrefix(l.Status.Text, "Done in ") {
		t.Fatalf("status %q", l.Status.Text)
	}
	series := l.Chart.Series()
	if len(series) != 6 {
		t.Fatalf("%d series: %+v", len(series), series)
	}
	styles := map[[2]int]bool{}
	for i, s := range series {
		work, mode := lessonWorks[i/3], lesson.Modes[i%3]
		if s.Colour != i/3 || s.Dash != int(mode) || len(s.Points) != 2 ||
			!strings.HasPrefix(s.Label, work+", "+mode.String()+": ") || !strings.HasSuffix(s.Label, "× at 2") {
			t.Fatalf("series %d: %+v", i, s)
		}
		styles[[2]int{s.Colour, s.Dash}] = true
	}
	if len(styles) != 6 {
		t.Fatalf("the six lines share styles: %v", styles)
	}
	for _, want := range []string{"π at 2 workers ran ", "Downloads at 2 workers ran "} {
		if !strings.Contains(l.Answer.Text, want) {
			t.Fatalf("answer %q lacks %q", l.Answer.Text, want)
		}
	}
	if !strings.Contains(l.StartCost.Text, " ms for 1, ") || !strings.Contains(l.StartCost.Text, " ms for 2 (median of 3)") {
		t.Fatalf("start cost %q", l.StartCost.Text)
	}
	if l.Run.Disabled() || !l.Cancel.Disabled() || l.Progress.Value != 1 {
		t.Fatalf("after the run: Run disabled %v, Cancel enabled %v, progress %v", l.Run.Disabled(), !l.Cancel.Disabled(), l.Progress.Value)
	}
}

// TestLessonCancel: the lesson's own (long) parameters; its progress moves
// with the tick; Cancel stops it, the job returns, and the tab says so.
func TestLessonCancel(t *testing.T) {
	l := newTestLesson(t)
	test.Tap(l.Run)
	tickLesson(t, l, "the first downloads to arrive", func() bool {
		return l.Progress.Value > 0 && strings.HasPrefix(l.Status.Text, "Run 1 of 60: downloads, goroutines, 1 worker: ")
	})
	test.Tap(l.Cancel)
	l.jobs.Wait()
	tickLesson(t, l, "the tab to show the cancel", func() bool { return !l.running.Load() })
	if l.Status.Text != "Cancelled: the lesson stopped before its end." || l.Run.Disabled() || !l.Cancel.Disabled() || l.Answer.Text != "" {
		t.Fatalf("after Cancel: %q, Run disabled %v, answer %q", l.Status.Text, l.Run.Disabled(), l.Answer.Text)
	}
}

// TestLocksRace: no lock loses updates; a mutex and an atomic add lose
// none. Bad input is said, and nothing runs.
func TestLocksRace(t *testing.T) {
	l := newTestLesson(t)
	k := l.Locks
	k.Goroutines.SetText("4")
	k.Adds.SetText("20000")
	test.Tap(k.Race.Run)
	tickLesson(t, l, "the race's table", func() bool { return !k.Race.running })
	if k.RaceStatus.Text != "4 goroutines each add 1 to one counter 20000 times" {
		t.Fatalf("status %q", k.RaceStatus.Text)
	}
	for i, v := range lesson.RaceVariants {
		row := k.RaceCells[i]
		if row[0].Text != v || row[1].Text != "80000" || row[4].Text == "" {
			t.Fatalf("row %d: %q %q %q %q %q", i, row[0].Text, row[1].Text, row[2].Text, row[3].Text, row[4].Text)
		}
		lost := row[3].Text
		if (v == lesson.RaceNoLock) == (lost == "0") || v != lesson.RaceNoLock && row[2].Text != "80000" {
			t.Fatalf("%s: got %s, lost %s", v, row[2].Text, lost)
		}
	}
	k.Goroutines.SetText("0")
	test.Tap(k.Race.Run)
	if k.Race.running || !strings.HasPrefix(k.RaceStatus.Text, "goroutines must be a whole number from 1 to 10000") {
		t.Fatalf("bad input: busy %v, %q", k.Race.running, k.RaceStatus.Text)
	}
}

// TestLocksDeadlock: in the opposite order the watchdog finds the deadlock
// and releases it, in the CLI's words, while the UI goes on (Run returns at
// once); in the same order both finish; Cancel ends a deadlock whose
// watchdog would look much later.
func TestLocksDeadlock(t *testing.T) {
	l := newTestLesson(t)
	k := l.Locks
	k.Order.SetSelected(lesson.OrderOpposite)
	k.Timeout.SetText("200ms")
	test.Tap(k.Deadlock.Run)
	if !k.Deadlock.Run.Disabled() || k.DeadResult.Text != "Two goroutines take A and B; the watchdog looks after 200ms…" {
		t.Fatalf("while deadlocked: Run disabled %v, %q", k.Deadlock.Run.Disabled(), k.DeadResult.Text)
	}
	tickLesson(t, l, "the watchdog", func() bool { return !k.Deadlock.running })
	lines := strings.Split(k.DeadResult.Text, "\n")
	if lines[0] != "deadlock: both goroutines wait for the lock the other holds (A→B and B→A); released after 200ms" ||
		len(lines) != 3 || !strings.Contains(k.DeadResult.Text, "  goroutine 1 holds A and waits for B, which goroutine 2 holds") || k.Deadlock.Run.Disabled() {
		t.Fatalf("opposite: %q", k.DeadResult.Text)
	}

	k.Order.SetSelected(lesson.OrderSame)
	test.Tap(k.Deadlock.Run)
	tickLesson(t, l, "the same order to finish", func() bool { return !k.Deadlock.running })
	if !strings.HasPrefix(k.DeadResult.Text, "no deadlock: both goroutines took A, then B, and finished in ") {
		t.Fatalf("same: %q", k.DeadResult.Text)
	}

	k.Order.SetSelected(lesson.OrderOpposite)
	k.Timeout.SetText("1h")
	test.Tap(k.Deadlock.Run)
	test.Tap(k.Deadlock.Cancel)
	tickLesson(t, l, "the cancel", func() bool { return !k.Deadlock.running })
	if k.DeadResult.Text != "Stopped: deadlock stopped: context canceled" {
		t.Fatalf("cancelled: %q", k.DeadResult.Text)
	}

	k.Timeout.SetText("soon")
	test.Tap(k.Deadlock.Run)
	if k.Deadlock.running || k.DeadResult.Text != "The watchdog's timeout is a positive duration, like 1s or 250ms." {
		t.Fatalf("bad timeout: %q", k.DeadResult.Text)
	}
}

// TestWindowHasLessonAndLocksTabs: the two tabs follow Compute, and the
// window remembers the Locks tab as it does the others.
func TestWindowHasLessonAndLocksTabs(t *testing.T) {
	a := test.NewTempApp(t)
	mw := newTestWindow(t, a)
	t.Cleanup(mw.Lesson.close)
	if len(mw.Tabs.Items) != 5 || mw.Tabs.Items[3].Text != "Lesson" || mw.Tabs.Items[4].Text != "Locks" {
		t.Fatalf("tabs %d", len(mw.Tabs.Items))
	}
	mw.Tabs.SelectIndex(4)
	mw.Window.Close()
	again := newTestWindow(t, a)
	t.Cleanup(again.Lesson.close)
	if again.Tabs.SelectedIndex() != 4 {
		t.Fatalf("tab %d, want 4 (Locks)", again.Tabs.SelectedIndex())
	}
}

// TestLessonAnswerInEnglishIsTheLessons: in English the tab says what
// lesson.Answer says, from the same findings, for every shape of result.
func TestLessonAnswerInEnglishIsTheLessons(t *testing.T) {
	row := func(work string, m lesson.Mode, workers int, speedup float64) lesson.LessonRow {
		return lesson.LessonRow{Work: work, SweepRow: lesson.SweepRow{Mode: m, SweepRow: compute.SweepRow{Workers: workers, Speedup: speedup}}}
	}
	cases := [][]lesson.LessonRow{
		{row(lesson.WorkPi, lesson.Goroutines, 1, 1), row(lesson.WorkPi, lesson.Goroutines, 4, 1.9),
			row(lesson.WorkDownloads, lesson.Goroutines, 1, 1), row(lesson.WorkDownloads, lesson.Goroutines, 4, 3.9)},
		{row(lesson.WorkPi, lesson.Goroutines, 2, 1.95), row(lesson.WorkPi, lesson.Processes, 2, 1.8), row(lesson.WorkPi, lesson.GIL, 2, 0.98),
			row(lesson.WorkDownloads, lesson.Goroutines, 8, 7.5), row(lesson.WorkDownloads, lesson.Processes, 8, 6.1), row(lesson.WorkDownloads, lesson.GIL, 8, 7.2)},
		{row(lesson.WorkPi, lesson.Processes, 2, 0.7), row(lesson.WorkDownloads, lesson.Processes, 1, 1)},
		nil,
	}
	for i, rows := range cases {
		if got, want := lessonAnswer(rows), lesson.Answer(rows); got != want {
			t.Errorf("case %d:\n tab    %q\n lesson %q", i, got, want)
		}
	}
}
