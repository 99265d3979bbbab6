package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"potok/compute/lesson"
	dt "potok/downloader/demoserver"
)

// TestComputeModeRememberedAndUsed: the Compute tab's mode is kept in the
// preferences, explained beside the selector, and reaches the jobs: π's
// result and chart and the regressors' rows say the mode they ran in.
func TestComputeModeRememberedAndUsed(t *testing.T) {
	c := newTestCompute(t)
	if c.Mode.Selected != "goroutines" || c.ModeNote.Text != computeModeNotes()[lesson.Goroutines] {
		t.Fatalf("first start: mode %q, note %q", c.Mode.Selected, c.ModeNote.Text)
	}
	c.Mode.SetSelected("gil")
	if got := c.app.Preferences().String(prefComputeMode); got != "gil" || c.ModeNote.Text != computeModeNotes()[lesson.GIL] {
		t.Fatalf("kept %q, note %q", got, c.ModeNote.Text)
	}
	c.PiN.SetText("200000")
	c.PiWorkers.SetValue(2)
	test.Tap(c.PiRun)
	if !strings.HasPrefix(c.PiResult.Text, "π ≈ 3.14159") || !strings.HasSuffix(c.PiResult.Text, "with 2 workers (gil)") {
		t.Fatalf("π under the GIL: %q", c.PiResult.Text)
	}
	test.Tap(c.PiSweep)
	if len(c.PiChart.Points()) != len(sweepCounts()) || !strings.HasSuffix(c.PiChart.Title(), "(gil)") || !strings.Contains(c.PiResult.Text, "(gil)") {
		t.Fatalf("π's sweep under the GIL: %q, %q", c.PiChart.Title(), c.PiResult.Text)
	}

	c.Mode.SetSelected("processes")
	c.Data.SetSelected("diabetes")
	c.Trees.SetText("4")
	c.Stages.SetText("5")
	test.Tap(c.RegRun)
	out := c.Results.Text
	for _, want := range []string{"random forest     processes", "gradient boosting processes", lesson.NoteForestProcesses, lesson.NoteBoostingProcesses} {
		if !strings.Contains(out, want) {
			t.Fatalf("regressors in processes lack %q:\n%s", want, out)
		}
	}

	again := newComputeTab(c.app, c.win)
	if again.Mode.Selected != "processes" || again.ModeNote.Text != computeModeNotes()[lesson.Processes] {
		t.Fatalf("next start: mode %q, note %q", again.Mode.Selected, again.ModeNote.Text)
	}
}

// TestSpeedupModeRememberedAndUsed: Measure speedup runs in the Speedup
// tab's mode, kept in the preferences: in processes mode child processes
// (this test binary) fetch the list, and the chart says the mode of the
// rows measured.
func TestSpeedupModeRememberedAndUsed(t *testing.T) {
	s := dt.NewServer(dt.WithTTFB(5 * time.Millisecond))
	defer s.Close()
	tab := newTestTab(t)
	m := tab.Measure
	if m.Mode.Selected != "goroutines" {
		t.Fatalf("first start: mode %q", m.Mode.Selected)
	}
	m.Mode.SetSelected("processes")
	if got := tab.app.Preferences().String(prefSpeedupMode); got != "processes" || m.ModeNote.Text != speedupModeNotes()[lesson.Processes] {
		t.Fatalf("kept %q, note %q", got, m.ModeNote.Text)
	}
	tab.URLs.SetText(strings.Join(s.List(2, 1000), "\n"))
	test.Tap(m.Start)
	if pts := m.Chart.Points(); len(pts) != len(sweepWorkers) || !strings.HasSuffix(m.Chart.Title(), "(processes)") {
		t.Fatalf("points %+v, title %q; status %q", pts, m.Chart.Title(), m.Status.Text)
	}
	if !strings.Contains(m.Status.Text, "speedup") || m.Mode.Disabled() {
		t.Fatalf("status %q, mode disabled %v", m.Status.Text, m.Mode.Disabled())
	}
	if again := newSpeedupTab(tab); again.Mode.Selected != "processes" {
		t.Fatalf("next start: mode %q", again.Mode.Selected)
	}
}
