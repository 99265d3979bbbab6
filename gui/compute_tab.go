package gui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"potok/compute"
	"potok/compute/dataset"
	"potok/compute/lesson"
)

// computeTab runs the notebooks' CPU-bound exercises and charts how they
// scale, in the execution mode chosen (compute/lesson: goroutines,
// processes, gil). Widgets are fields so tests can drive them.
type computeTab struct {
	Mode     *widget.Select // kept in the preferences
	ModeNote *widget.Label  // what the mode means

	PiN, PiIntervals *widget.Entry
	PiWorkers        *widget.Slider
	PiWorkersText    *widget.Label
	PiRun, PiSweep   *widget.Button
	PiResult         *widget.Label
	PiChart          *speedupChart

	Data             *widget.Select
	Trees, Stages    *widget.Entry
	RegWorkers       *widget.Slider
	RegWorkersText   *widget.Label
	RegRun, RegSweep *widget.Button
	Cancel           *widget.Button
	Progress         *widget.ProgressBar
	Results          *widget.Label // the table: model, R², fit, predict
	RegChart         *speedupChart
	Split            *container.Split // π beside the regressors; the window remembers where it is
	Content          fyne.CanvasObject

	app   fyne.App
	win   fyne.Window
	async func(func())

	busy     bool           // UI goroutine only
	running  atomic.Bool    // busy, readable from any goroutine
	csv      *dataset.Frame // an opened CSV, when "Open CSV…" was chosen
	csvLabel string
	done     atomic.Int64 // progress of the job under way, in its own units (π: points)
	total    atomic.Int64
	pending  atomic.Bool // a tick waits in fyne.Do's queue
	job      jobStop     // the cancel of the job under way
}

// builtinData are the data sets compute.Builtin knows, by the names it
// takes; the Data selector offers them and then csvChoice.
var builtinData = []string{"friedman1", "sparse", "diabetes"}

// csvChoice is the Data selector's last choice, which asks for a CSV file.
func csvChoice() string { return tr("Open CSV…") }

// newComputeTab builds the tab.
func newComputeTab(a fyne.App, w fyne.Window) *computeTab {
	c := &computeTab{app: a, win: w, async: func(f func()) { go f() }}
	maxW := float64(max(2*runtime.NumCPU(), 2))
	c.Mode, c.ModeNote = newModeSelect(a.Preferences(), prefComputeMode, computeModeNotes())
	c.PiN = widget.NewEntry()
	c.PiN.SetText("5000000")
	c.PiIntervals = widget.NewEntry()
	c.PiIntervals.SetText("10")
	c.PiWorkersText = widget.NewLabel("")
	c.PiWorkers = workerSlider(maxW, c.PiWorkersText)
	c.PiRun = widget.NewButton(tr("Run"), c.runPi)
	c.PiSweep = widget.NewButton(tr("Sweep"), c.sweepPi)
	c.PiResult = widget.NewLabel("")
	c.PiResult.Wrapping = fyne.TextWrapWord // longer in some languages than its half of the tab
	c.PiChart = newSpeedupChart(tr("π at 1, 2, 4, … workers"))

	c.Data = widget.NewSelect(append(slices.Clone(builtinData), csvChoice()), c.chooseData)
	c.Data.SetSelected("diabetes")
	c.Trees = widget.NewEntry()
	c.Trees.SetText("100")
	c.Stages = widget.NewEntry()
	c.Stages.SetText("100")
	c.RegWorkersText = widget.NewLabel("")
	c.RegWorkers = workerSlider(maxW, c.RegWorkersText)
	c.RegRun = widget.NewButton(tr("Run"), c.runRegress)
	c.RegSweep = widget.NewButton(tr("Sweep"), c.sweepRegress)
	c.Cancel = widget.NewButton(tr("Cancel"), c.cancel)
	c.Cancel.Disable()
	c.Progress = widget.NewProgressBar()
	c.Results = widget.NewLabel("")
	c.Results.TextStyle = fyne.TextStyle{Monospace: true}
	c.RegChart = newSpeedupChart(tr("Random forest fit at 1, 2, 4, … workers"))

	cores := tr("CPU-bound: the speedup is bounded by the cores (%d here), unlike the downloads, where waiting overlaps.", runtime.NumCPU())
	note := func() *widget.Label {
		l := widget.NewLabel(cores)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	piForm := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("Points")), c.PiN, widget.NewLabel(tr("Intervals")), c.PiIntervals, c.PiWorkersText, c.PiWorkers)
	piPanel := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(tr("π by trapezoids"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			piForm, container.NewHBox(c.PiRun, c.PiSweep), c.PiResult),
		note(), nil, nil, c.PiChart)
	regForm := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("Data")), c.Data, widget.NewLabel(tr("Trees")), c.Trees, widget.NewLabel(tr("Stages")), c.Stages,
		c.RegWorkersText, c.RegWorkers)
	regPanel := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(tr("Forest vs boosting (R², %d %% test split, seed %d)", 33, 42), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			regForm, container.NewBorder(nil, nil, container.NewHBox(c.RegRun, c.RegSweep, c.Cancel), nil, c.Progress), c.Results),
		note(), nil, nil, c.RegChart)
	c.Split = container.NewHSplit(piPanel, regPanel)
	c.Split.Offset = 0.45
	modeRow := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel(tr("Mode")), c.Mode), nil, c.ModeNote)
	c.Content = container.NewBorder(modeRow, nil, nil, nil, c.Split)
	return c
}

func workerSlider(maxW float64, label *widget.Label) *widget.Slider {
	s := widget.NewSlider(1, maxW)
	s.Step = 1
	s.OnChanged = func(v float64) { label.SetText(tr("Workers: %d", int(v))) }
	s.SetValue(min(2, maxW))
	s.OnChanged(s.Value)
	return s
}

// piRepeats is how many times π's sweep runs at each worker count (it charts
// the median).
const piRepeats = 3

// sweepCounts is 1, 2, 4, … up to twice the cores.
func sweepCounts() []int {
	var w []int
	for n := 1; n <= 2*runtime.NumCPU(); n *= 2 {
		w = append(w, n)
	}
	return w
}

func (c *computeTab) piInputs() (n, intervals int, err error) {
	n, err1 := strconv.Atoi(strings.TrimSpace(c.PiN.Text))
	intervals, err2 := strconv.Atoi(strings.TrimSpace(c.PiIntervals.Text))
	if err1 != nil || err2 != nil || n < 2 || intervals < 1 || n/intervals < 2 {
		return 0, 0, errors.New(tr("points and intervals must be whole numbers, at least 2 points per interval"))
	}
	return n, intervals, nil
}

// start marks a job as running and returns its context; finish undoes it.
func (c *computeTab) start(total int64) context.Context {
	ctx := c.job.begin()
	c.busy = true
	c.running.Store(true)
	c.done.Store(0)
	c.total.Store(total)
	for _, b := range []*widget.Button{c.PiRun, c.PiSweep, c.RegRun, c.RegSweep} {
		b.Disable()
	}
	c.Mode.Disable()
	c.Cancel.Enable()
	return ctx
}

func (c *computeTab) finish() {
	c.job.end()
	c.busy = false
	c.running.Store(false)
	for _, b := range []*widget.Button{c.PiRun, c.PiSweep, c.RegRun, c.RegSweep} {
		b.Enable()
	}
	c.Mode.Enable()
	c.Cancel.Disable()
}

func (c *computeTab) cancel() { c.job.cancel() }

func (c *computeTab) runPi() {
	if c.busy {
		return // one job at a time: they share the progress bar and Cancel
	}
	n, iv, err := c.piInputs()
	if err != nil {
		c.PiResult.SetText(err.Error())
		return
	}
	w := int(c.PiWorkers.Value)
	mode := selectedMode(c.Mode)
	ctx := c.start(int64(n))
	c.async(func() {
		r, err := lesson.Pi(ctx, mode, n, iv, w, &c.done)
		fyne.Do(func() {
			c.finish()
			if err != nil {
				c.PiResult.SetText(err.Error())
				return
			}
			c.Progress.SetValue(1)
			c.PiResult.SetText(trn("π ≈ %[2]s, error %[3]s, %[4]s ms with %[1]d workers (%[5]s)", w,
				decimal(fmt.Sprintf("%.15f", r.Value)), decimal(fmt.Sprintf("%.2g", r.AbsError)), decimal(fmt.Sprintf("%.1f", r.Seconds*1000)), r.Mode))
		})
	})
}

func (c *computeTab) sweepPi() {
	if c.busy {
		return // one job at a time: they share the progress bar and Cancel
	}
	n, iv, err := c.piInputs()
	if err != nil {
		c.PiResult.SetText(err.Error())
		return
	}
	counts := sweepCounts()
	mode := selectedMode(c.Mode)
	// Every run counts its points into c.done: the bar covers the whole sweep.
	ctx := c.start(int64(len(counts)) * piRepeats * int64(n))
	c.async(func() {
		rows, err := compute.Sweep(ctx, counts, piRepeats, func(ctx context.Context, w int) (float64, error) {
			r, err := lesson.Pi(ctx, mode, n, iv, w, &c.done)
			return r.Seconds, err
		})
		fyne.Do(func() {
			c.finish()
			if err != nil {
				c.PiResult.SetText(err.Error())
			} else {
				c.Progress.SetValue(1)
			}
			c.PiChart.SetTitle(tr("π at 1, 2, 4, … workers (%s)", mode))
			c.PiChart.SetPoints(points(rows))
			if s := compute.AmdahlSerialFraction(rows, runtime.NumCPU()); s >= 0 && err == nil {
				c.PiResult.SetText(tr("Median of %d per worker count (%s); Amdahl fit: serial fraction %s", piRepeats, mode, decimal(fmt.Sprintf("%.2f", s))))
			}
		})
	})
}

func points(rows []compute.SweepRow) []sweepPoint {
	pts := make([]sweepPoint, len(rows))
	for i, r := range rows {
		pts[i] = sweepPoint{Workers: r.Workers, Seconds: r.Median}
	}
	return pts
}

func (c *computeTab) chooseData(choice string) {
	if choice != csvChoice() {
		c.csv = nil
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil || c.busy {
			c.Data.SetSelected("diabetes")
			return
		}
		c.loadCSV(r)
	}, c.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// loadCSV reads a chosen CSV off the UI goroutine, with the progress bar in
// bytes and Cancel; a bad cell is reported with its line and column.
func (c *computeTab) loadCSV(r fyne.URIReadCloser) {
	name := r.URI().Name()
	size := int64(1)
	if fi, err := os.Stat(r.URI().Path()); err == nil && fi.Size() > 0 {
		size = fi.Size()
	}
	ctx := c.start(size)
	c.Results.SetText(tr("Reading %s…", name))
	c.async(func() {
		defer r.Close()
		f, err := dataset.ReadCSV(ctxReader{ctx, r}, "ID", "target", func(n int64) { c.done.Store(n) })
		fyne.Do(func() {
			c.finish()
			if err != nil {
				c.Results.SetText("")
				dialog.ShowError(fmt.Errorf("%s: %w", name, err), c.win)
				c.Data.SetSelected("diabetes")
				return
			}
			c.csv, c.csvLabel = f, name
			c.Results.SetText(tr("%s: %d rows × %d features", name, f.Rows(), len(f.Features)))
		})
	})
}

// ctxReader stops a read when the context ends (Cancel while reading a CSV).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func (c *computeTab) regressInputs() (*dataset.Frame, string, compute.RegressParams, error) {
	trees, err1 := strconv.Atoi(strings.TrimSpace(c.Trees.Text))
	stages, err2 := strconv.Atoi(strings.TrimSpace(c.Stages.Text))
	if err1 != nil || err2 != nil || trees < 1 || stages < 1 {
		return nil, "", compute.RegressParams{}, errors.New(tr("trees and stages must be whole numbers of at least 1"))
	}
	p := compute.RegressParams{Trees: trees, Stages: stages}
	if c.csv != nil {
		return c.csv, c.csvLabel, p, nil
	}
	f, label, err := compute.Builtin(c.Data.Selected)
	return f, label, p, err
}

// runRegress fits both models with the chosen workers, one after the other,
// and fills the table.
func (c *computeTab) runRegress() {
	if c.busy {
		return // one job at a time: they share the progress bar and Cancel
	}
	f, label, p, err := c.regressInputs()
	if err != nil {
		c.Results.SetText(err.Error())
		return
	}
	w := int(c.RegWorkers.Value)
	mode := selectedMode(c.Mode)
	ctx := c.start(int64(p.Trees + p.Stages))
	c.Results.SetText(tr("Fitting on %s…", label))
	c.async(func() {
		train, test := compute.Split(f)
		var res []lesson.ModelResult
		var err error
		offset := int64(0)
		for _, m := range []string{compute.ModelForest, compute.ModelBoosting} {
			var r lesson.ModelResult
			r, err = lesson.Evaluate(ctx, mode, m, w, p, train, test, func(done, _ int) { c.done.Store(offset + int64(done)) })
			if err != nil {
				break
			}
			offset += int64(p.Trees)
			res = append(res, r)
		}
		fyne.Do(func() {
			c.finish()
			text := resultTable(label, train.Rows(), test.Rows(), res)
			if err != nil {
				text += "\n" + err.Error()
			}
			c.Results.SetText(text)
		})
	})
}

// resultTable lays the models out, one row each, with what their mode means
// for them (lesson's notes) under the table, each once.
func resultTable(label string, ntrain, ntest int, res []lesson.ModelResult) string {
	rows := [][]string{{tr("model"), tr("mode"), tr("w"), tr("R²"), tr("fit s"), tr("pred s")}}
	var notes []string
	for _, r := range res {
		rows = append(rows, []string{modelText(r.Model), r.Mode.String(), strconv.Itoa(r.Workers),
			decimal(fmt.Sprintf("%.4f", r.R2)), decimal(fmt.Sprintf("%.2f", r.FitSeconds)), decimal(fmt.Sprintf("%.3f", r.PredictSeconds))})
		if n := modelNoteText(r.Note); n != "" && !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	lines := append([]string{tr("train %d, test %d rows", ntrain, ntest)}, textTable(rows, 2)...)
	return strings.Join(append(lines, notes...), "\n")
}

// textTable lays rows out in columns for a monospaced label, one string per
// row: the first leading columns left-aligned (names), the rest right-aligned
// (numbers), each as wide as its widest cell in runes.
func textTable(rows [][]string, leading int) []string {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	out := make([]string, len(rows))
	for j, row := range rows {
		cells := make([]string, len(row))
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i < leading {
				cells[i] = cell + pad
			} else {
				cells[i] = pad + cell
			}
		}
		out[j] = strings.TrimRight(strings.Join(cells, " "), " ")
	}
	return out
}

// modelText is a model's name (compute.ModelForest, ModelBoosting) in the
// window's language.
func modelText(m string) string {
	switch m {
	case compute.ModelForest:
		return tr("random forest")
	case compute.ModelBoosting:
		return tr("gradient boosting")
	}
	return m
}

// modelNoteText is what lesson says a model's mode means for it
// (ModelResult.Note), in the window's language.
func modelNoteText(note string) string {
	switch note {
	case lesson.NoteForestProcesses:
		return tr("trees split across the worker processes by index; fit s runs from starting them to their last answer, their test-set predictions included")
	case lesson.NoteBoostingProcesses:
		return tr("boosting's stages depend on each other: it runs in one worker process, its split search on the workers' goroutines there; fit s includes starting it and sending the data")
	case lesson.NoteForestGIL:
		return tr("each worker holds the GIL while it grows a tree, turning it over every 5 ms")
	case lesson.NoteBoostingGIL:
		return tr("boosting's split-search tasks (a column or a block of rows each) hold the GIL while they run")
	}
	return note
}

// sweepRegress times the forest's fit at 1, 2, 4, … workers.
func (c *computeTab) sweepRegress() {
	if c.busy {
		return // one job at a time: they share the progress bar and Cancel
	}
	f, label, p, err := c.regressInputs()
	if err != nil {
		c.Results.SetText(err.Error())
		return
	}
	counts := sweepCounts()
	mode := selectedMode(c.Mode)
	ctx := c.start(int64(len(counts) * p.Trees))
	c.Results.SetText(tr("Sweeping the forest on %s…", label))
	c.async(func() {
		train, test := compute.Split(f)
		var res []lesson.ModelResult
		run := int64(0)
		rows, err := compute.Sweep(ctx, counts, 1, func(ctx context.Context, w int) (float64, error) {
			base := run * int64(p.Trees)
			run++
			r, err := lesson.Evaluate(ctx, mode, compute.ModelForest, w, p, train, test, func(done, _ int) { c.done.Store(base + int64(done)) })
			res = append(res, r)
			return r.FitSeconds, err
		})
		fyne.Do(func() {
			c.finish()
			c.RegChart.SetTitle(tr("Random forest fit at 1, 2, 4, … workers (%s)", mode))
			c.RegChart.SetPoints(points(rows))
			text := resultTable(label, train.Rows(), test.Rows(), res)
			if err != nil {
				text += "\n" + err.Error()
			}
			c.Results.SetText(text)
		})
	})
}

// demo runs both sweeps one after the other (for `potok --compute-demo` and
// the screenshots): π with 100 million points, so each run lasts long enough
// to show the cores at work, then the forest on Friedman #1.
func (c *computeTab) demo(ctx context.Context) {
	wait := func() bool {
		for c.running.Load() {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(100 * time.Millisecond):
			}
		}
		return true
	}
	// DoAndWait: the job must be marked running before wait looks.
	fyne.DoAndWait(func() {
		c.PiN.SetText("100000000")
		c.sweepPi()
	})
	if !wait() {
		return
	}
	fyne.DoAndWait(func() {
		c.Data.SetSelected("friedman1")
		c.sweepRegress()
	})
}
