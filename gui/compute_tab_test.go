package gui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func newTestCompute(t *testing.T) *computeTab {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	c := newComputeTab(a, w)
	c.async = func(f func()) { f() }
	w.SetContent(c.Content)
	return c
}

func TestComputePiRunAndSweep(t *testing.T) {
	c := newTestCompute(t)
	c.PiN.SetText("5000000")
	c.PiIntervals.SetText("10")
	c.PiWorkers.SetValue(2)
	test.Tap(c.PiRun)
	if !strings.HasPrefix(c.PiResult.Text, "π ≈ 3.141592653292301") || !strings.Contains(c.PiResult.Text, "2 workers") {
		t.Fatalf("result %q", c.PiResult.Text)
	}
	if c.Progress.Value != 1 {
		t.Fatalf("progress %v after the run", c.Progress.Value)
	}
	c.PiN.SetText("200000")
	test.Tap(c.PiSweep)
	if got := len(c.PiChart.Points()); got != len(sweepCounts()) {
		t.Fatalf("chart has %d points, want %d; %q", got, len(sweepCounts()), c.PiResult.Text)
	}
	if c.PiRun.Disabled() || !c.Cancel.Disabled() || c.Progress.Value != 1 {
		t.Fatalf("after the sweep: Run disabled %v, Cancel enabled %v, progress %v", c.PiRun.Disabled(), !c.Cancel.Disabled(), c.Progress.Value)
	}
	c.PiN.SetText("lots")
	test.Tap(c.PiRun)
	if !strings.Contains(c.PiResult.Text, "whole numbers") {
		t.Fatalf("bad input: %q", c.PiResult.Text)
	}
}

func TestComputeRegressRunAndSweep(t *testing.T) {
	c := newTestCompute(t)
	c.Data.SetSelected("diabetes")
	c.Trees.SetText("20")
	c.Stages.SetText("50")
	test.Tap(c.RegRun)
	out := c.Results.Text
	if !strings.Contains(out, "train 296, test 146 rows") || !strings.Contains(out, "random forest") || !strings.Contains(out, "gradient boosting") {
		t.Fatalf("results %q", out)
	}
	test.Tap(c.RegSweep)
	if got := len(c.RegChart.Points()); got != len(sweepCounts()) {
		t.Fatalf("chart has %d points: %q", got, c.Results.Text)
	}
	c.Trees.SetText("0")
	test.Tap(c.RegRun)
	if !strings.Contains(c.Results.Text, "at least 1") {
		t.Fatalf("bad input: %q", c.Results.Text)
	}
}

func TestComputeOneJobAtATime(t *testing.T) {
	c := newTestCompute(t)
	started := 0
	c.async = func(f func()) { started++ } // jobs never finish: the tab stays busy
	c.runPi()
	c.sweepPi()
	c.runRegress()
	c.sweepRegress()
	if started != 1 || !c.running.Load() || !c.PiRun.Disabled() {
		t.Fatalf("%d jobs started while one ran", started)
	}
}

type fileReader struct {
	*os.File
	uri fyne.URI
}

func (f fileReader) URI() fyne.URI { return f.uri }

// openReader opens path as the file dialog would hand it over.
func openReader(t *testing.T, path string) fileReader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileReader{f, storage.NewFileURI(path)}
}

func TestComputeOpenCSV(t *testing.T) {
	c := newTestCompute(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	writeFile(t, good, "ID,a,b,target\n1,0.1,1,2\n2,0.2,0,3\n3,0.3,1,4\n")
	c.loadCSV(openReader(t, good))
	if c.csv == nil || c.csv.Rows() != 3 || c.Results.Text != "good.csv: 3 rows × 2 features" {
		t.Fatalf("after a good CSV: %q", c.Results.Text)
	}
	if !slices.Equal(c.csv.Features, []string{"a", "b"}) || !slices.Equal(c.csv.Y, []float64{2, 3, 4}) ||
		!slices.Equal(c.csv.Cols[0], []float64{0.1, 0.2, 0.3}) || c.csvLabel != "good.csv" {
		t.Fatalf("read %q %+v", c.csvLabel, c.csv)
	}
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, "ID,a,target\n1,NaN,2\n")
	c.csv = nil
	c.loadCSV(openReader(t, bad))
	if c.csv != nil || c.Data.Selected != "diabetes" || c.busy {
		t.Fatal("a CSV with NaN was accepted")
	}
}

// TestComputePiProgressMoves: while π runs, from Run and from Sweep, the
// tab's tick moves the progress bar (the job counts points; the tick reads
// them), and Cancel stops the run. A trillion points would take an hour: the
// job is still running whenever the test looks.
func TestComputePiProgressMoves(t *testing.T) {
	for _, name := range []string{"Run", "Sweep"} {
		t.Run(name, func(t *testing.T) {
			c := newTestCompute(t)
			var jobs sync.WaitGroup
			c.async = func(f func()) { jobs.Go(f) }
			t.Cleanup(func() {
				c.cancel()
				jobs.Wait()
			})
			c.PiN.SetText("1000000000000")
			c.PiIntervals.SetText("10")
			button := map[string]*widget.Button{"Run": c.PiRun, "Sweep": c.PiSweep}[name]
			test.Tap(button)
			waitFor(t, "the progress bar to leave 0", func() bool {
				c.tick()
				return c.Progress.Value > 0
			})
			first := c.Progress.Value
			waitFor(t, "the progress bar to move on", func() bool {
				c.tick()
				return c.Progress.Value > first
			})
			if v := c.Progress.Value; v >= 0.01 {
				t.Fatalf("progress %v after a moment of an hour's work", v)
			}
			test.Tap(c.Cancel)
			jobs.Wait()
			if !strings.Contains(c.PiResult.Text, "π integration stopped: context canceled") || c.PiRun.Disabled() || !c.Cancel.Disabled() {
				t.Fatalf("after Cancel: %q, Run disabled %v", c.PiResult.Text, c.PiRun.Disabled())
			}
		})
	}
}
