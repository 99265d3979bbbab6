package gui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"potok/compute/lesson"
	"potok/downloader"
)

// sweepWorkers are the worker counts "Measure speedup" compares.
var sweepWorkers = []int{1, 2, 4, 8, 16, 32}

// speedupTab runs the same list at several worker counts, in the execution
// mode chosen (compute/lesson), and charts it.
type speedupTab struct {
	Start    *widget.Button // on the Download tab
	Again    *widget.Button // on the Speedup tab
	Mode     *widget.Select // kept in the preferences
	ModeNote *widget.Label  // what the mode means for downloads
	Cancel   *widget.Button
	SavePNG  *widget.Button
	Progress *widget.ProgressBar
	Status   *widget.Label
	Note     *widget.Label
	Chart    *speedupChart
	Content  fyne.CanvasObject

	tab *downloadTab
	// OnStart is called when a measurement starts (the window shows the chart).
	OnStart func()

	mu      sync.Mutex // guards sweep and stop, shared with the ticker goroutine
	sweep   *lesson.DownloadSweep
	stop    context.CancelFunc
	running bool // UI goroutine only
	files   int  // files per run of the last measurement
}

type measurePoll struct {
	active bool
	p      downloader.SweepProgress
}

func newSpeedupTab(t *downloadTab) *speedupTab {
	m := &speedupTab{tab: t}
	m.Chart = newSpeedupChart(tr("Downloads: the same list at 1–32 workers"))
	m.Start = widget.NewButton(tr("Measure speedup"), m.start)
	m.Cancel = widget.NewButton(tr("Cancel"), m.cancel)
	m.Cancel.Disable()
	m.SavePNG = widget.NewButton(tr("Save PNG…"), m.save)
	m.SavePNG.Disable()
	m.Progress = widget.NewProgressBar()
	m.Status = widget.NewLabel("")
	m.Note = widget.NewLabel(tr("I/O-bound: waiting on the network overlaps, so speedup follows the ideal line until the server or the link is saturated."))
	m.Note.Wrapping = fyne.TextWrapWord
	m.Again = widget.NewButton(tr("Measure again"), m.start)
	m.Mode, m.ModeNote = newModeSelect(t.app.Preferences(), prefSpeedupMode, speedupModeNotes())
	controls := container.NewBorder(nil, nil, container.NewHBox(m.Again, m.Cancel, widget.NewLabel(tr("Mode")), m.Mode), m.SavePNG, m.Progress)
	m.Content = container.NewBorder(container.NewVBox(controls, m.Status), container.NewVBox(m.ModeNote, m.Note), nil, nil, m.Chart)
	return m
}

// start measures the current list, or the demo list when the list is empty,
// in temporary folders, off the UI goroutine.
func (m *speedupTab) start() {
	if m.running {
		return
	}
	if strings.TrimSpace(m.tab.URLs.Text) == "" && len(m.tab.bulk) == 0 {
		m.tab.startDemo()
	}
	entries, _, err := parseSources(m.tab.sources())
	if err != nil || len(entries) == 0 {
		m.Status.SetText(tr("Nothing to measure: the list has no usable URL."))
		return
	}
	perHost, rate, _ := m.tab.settingsValues()
	base := downloader.Options{PerHost: perHost, RateLimit: rate}
	if err := m.tab.net.apply(&base); err != nil {
		m.Status.SetText(err.Error())
		return
	}
	mode := selectedMode(m.Mode)
	sw := lesson.NewDownloadSweep(mode, entries, sweepWorkers, base)
	ctx, stop := context.WithCancel(context.Background())
	m.mu.Lock()
	m.sweep, m.stop = sw, stop
	m.mu.Unlock()
	m.running = true
	m.Again.Disable()
	if m.OnStart != nil {
		m.OnStart()
	}
	m.Start.Disable()
	m.Mode.Disable()
	m.Cancel.Enable()
	m.Chart.SetPoints(nil)
	m.Status.SetText(trn("Fetching %d files at %s workers into a temporary folder (%s)…", len(entries), countsText(sweepWorkers), mode))
	m.tab.async(func() {
		measured, err := sw.Run(ctx)
		stop()
		rows := make([]downloader.SweepRow, len(measured))
		for i, r := range measured {
			rows[i] = downloader.SweepRow{Workers: r.Workers, Seconds: r.Seconds, Done: r.Done, Failed: r.Failed}
			mode = r.Mode // as the rows say: what ran
		}
		fyne.Do(func() { m.finished(rows, mode, err) })
	})
}

func (m *speedupTab) finished(rows []downloader.SweepRow, mode lesson.Mode, err error) {
	m.mu.Lock()
	m.sweep, m.stop = nil, nil
	m.mu.Unlock()
	m.running = false
	m.Start.Enable()
	m.Again.Enable()
	m.Mode.Enable()
	m.Cancel.Disable()
	pts := make([]sweepPoint, len(rows))
	failed := 0
	for i, r := range rows {
		pts[i] = sweepPoint{Workers: r.Workers, Seconds: r.Seconds}
		failed += r.Failed
	}
	m.Chart.SetTitle(tr("Downloads: the same list at 1–32 workers (%s)", mode))
	m.Chart.SetPoints(pts)
	m.files = 0
	if len(rows) > 0 {
		m.files = rows[0].Done + rows[0].Failed
	}
	setEnabled(m.SavePNG, len(pts) > 0)
	switch {
	case err != nil:
		m.Status.SetText(tr("Stopped after %d of %d worker counts.", len(rows), len(sweepWorkers)))
	case failed > 0:
		m.Status.SetText(trn("Done, but %d downloads failed: the times include them.", failed))
	default:
		m.Progress.SetValue(1)
		m.Status.SetText(summary(rows, m.files))
	}
}

// summary compares the first and last runs. With fewer files than workers,
// at most one worker per file is busy, so that is the best speedup possible.
func summary(rows []downloader.SweepRow, files int) string {
	if len(rows) == 0 {
		return ""
	}
	first, last := rows[0], rows[len(rows)-1]
	sp := first.Seconds * float64(first.Workers) / last.Seconds
	s := tr("%s: %s s; %s: %s s; speedup %s× (ideal %d×)",
		trn("%d workers", first.Workers), decimal(fmt.Sprintf("%.2f", first.Seconds)),
		trn("%d workers", last.Workers), decimal(fmt.Sprintf("%.2f", last.Seconds)),
		decimal(fmt.Sprintf("%.1f", sp)), last.Workers/max(first.Workers, 1))
	if files > 0 && files < last.Workers {
		s += trn("; with %d files at most %d run at once", files, files)
	}
	return s + "."
}

// countsText lists worker counts: "1, 2, 4".
func countsText(counts []int) string {
	s := make([]string, len(counts))
	for i, n := range counts {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func (m *speedupTab) cancel() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stop != nil {
		m.stop()
	}
}

func (m *speedupTab) poll() measurePoll {
	m.mu.Lock()
	sw := m.sweep
	m.mu.Unlock()
	if sw == nil {
		return measurePoll{}
	}
	return measurePoll{active: true, p: sw.Progress()}
}

func (m *speedupTab) apply(mp measurePoll) {
	if !mp.active {
		return
	}
	p := mp.p
	total := p.Runs * p.Files
	if total > 0 {
		m.Progress.SetValue(float64(p.Run*p.Files+p.Done) / float64(total))
	}
	if p.Workers > 0 {
		m.Status.SetText(tr("Run %d of %d: %s, %d of %d files", p.Run+1, p.Runs, trn("%d workers", p.Workers), p.Done, p.Files))
	}
}

func (m *speedupTab) save() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := m.Chart.SavePNG(w, 1200, 450); err != nil {
			dialog.ShowError(fmt.Errorf("%s: %w", tr("save chart"), err), m.tab.win)
		}
	}, m.tab.win)
	d.SetFileName("potok-speedup.png")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png"}))
	d.Show()
}
