package gui

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"potok/compute/lesson"
)

// lessonTab is the Lesson tab: the notebooks' question, a run of
// compute/lesson's Lesson (downloads and π in each mode at each worker
// count), its chart and the answer in words. It also holds the Locks tab
// (locks_tab.go). The lesson runs off the UI goroutine; its progress and
// its result come back through the window's ticker (tick), which applies
// them in one fyne.Do. Widgets are fields so tests can drive them.
type lessonTab struct {
	Question    *widget.Label
	Measures    *widget.Label // what a run measures
	Run, Cancel *widget.Button
	Progress    *widget.ProgressBar
	Status      *widget.Label
	Chart       *speedupChart
	Answer      *widget.Label // the lesson's sentence, from its figures
	StartCost   *widget.Label // what starting worker processes costs
	Content     fyne.CanvasObject

	Locks *locksTab // the Locks tab

	// params are what Run measures (the lesson's defaults); tests make
	// them small.
	params lesson.LessonParams
	// async runs a job off the UI goroutine; close waits for it.
	async func(func())
	jobs  sync.WaitGroup

	job     jobStop
	mu      sync.Mutex // guards lesson and outcome, shared with the job and the ticker
	lesson  *lesson.Lesson
	outcome *lessonOutcome // the job's, until the ticker applies it
	started time.Time      // UI goroutine only
	running atomic.Bool    // a lesson was started and its outcome is not yet shown
	pending atomic.Bool    // a tick waits in fyne.Do's queue
}

// lessonOutcome is what a lesson's Run returned.
type lessonOutcome struct {
	res lesson.LessonResult
	err error
}

// lessonProgress is what a tick read for the UI goroutine.
type lessonProgress struct {
	p       lesson.LessonProgress
	outcome *lessonOutcome
}

// The chart's colour per work and dash per mode (chartSeries).
var lessonWorks = []string{lesson.WorkDownloads, lesson.WorkPi}

func newLessonTab() *lessonTab {
	t := &lessonTab{}
	t.async = func(f func()) { t.jobs.Go(f) }
	t.Question = widget.NewLabel(tr("Why did fetching 13 pages get faster with threads (4.4 s → 0.67 s at 8 threads) while integrating π did not (4.84 s at 1 thread, 4.87 s at 4, 4.99 s at 8)?"))
	t.Question.Wrapping = fyne.TextWrapWord
	t.Question.TextStyle = fyne.TextStyle{Bold: true}
	t.Measures = widget.NewLabel("")
	t.Measures.Wrapping = fyne.TextWrapWord
	t.Run = widget.NewButton(tr("Run"), t.start)
	t.Run.Importance = widget.HighImportance
	t.Cancel = widget.NewButton(tr("Cancel"), t.job.cancel)
	t.Cancel.Disable()
	t.Progress = widget.NewProgressBar()
	t.Status = widget.NewLabel("")
	t.Chart = newSpeedupChart(tr("Speedup against workers: downloads and π in each mode"))
	t.Answer = widget.NewLabel("")
	t.Answer.Wrapping = fyne.TextWrapWord
	t.StartCost = widget.NewLabel("")
	t.StartCost.Wrapping = fyne.TextWrapWord
	t.setParams(lesson.LessonParams{})
	controls := container.NewBorder(nil, nil, container.NewHBox(t.Run, t.Cancel), nil, t.Progress)
	t.Content = container.NewBorder(container.NewVBox(t.Question, t.Measures, controls, t.Status),
		container.NewVBox(t.Answer, t.StartCost), nil, nil, t.Chart)
	t.Locks = newLocksTab()
	return t
}

// setParams sets what Run measures and says it.
func (t *lessonTab) setParams(p lesson.LessonParams) {
	t.params = p
	p = lesson.NewLesson(p).Params() // the defaults filled in
	modes := make([]string, len(p.Modes))
	for i, m := range p.Modes {
		modes[i] = m.String()
	}
	counts := make([]string, len(p.Workers))
	for i, w := range p.Workers {
		counts[i] = strconv.Itoa(w)
	}
	t.Measures.SetText(trn("Run measures %d files × %s from a loopback server (%s to the first byte, %s/s per connection) and π with %s points over %d intervals (median of %d), at %s workers, in %s; %d cores here. Each line's speedup is against its own time at the fewest workers.",
		p.Files, ibytesText(p.Size), msText(p.Latency), ibytesText(p.Rate), groupedText(int64(p.Points)), p.Intervals, p.Repeats,
		strings.Join(counts, ", "), strings.Join(modes, ", "), runtime.NumCPU()))
}

// start runs the lesson off the UI goroutine.
func (t *lessonTab) start() {
	if t.running.Load() {
		return
	}
	l := lesson.NewLesson(t.params)
	ctx := t.job.begin()
	t.mu.Lock()
	t.lesson, t.outcome = l, nil
	t.mu.Unlock()
	t.running.Store(true)
	t.started = time.Now()
	t.Run.Disable()
	t.Cancel.Enable()
	t.Progress.SetValue(0)
	t.Chart.SetSeries(nil)
	t.Answer.SetText("")
	t.StartCost.SetText("")
	t.Status.SetText(tr("Starting…"))
	t.async(func() {
		res, err := l.Run(ctx)
		t.mu.Lock()
		t.outcome = &lessonOutcome{res: res, err: err}
		t.mu.Unlock()
	})
}

// close stops what runs and waits for it: the window has closed.
func (t *lessonTab) close() {
	t.job.cancel()
	t.jobs.Wait()
	t.Locks.close()
}

// tick shows the lesson's progress, and its result once it is in; the
// window's ticker calls it (tests call it directly). As the other tabs', a
// tick is dropped while the last one waits in fyne.Do's queue, and an idle
// tab queues nothing.
func (t *lessonTab) tick() {
	t.Locks.tick()
	if !t.running.Load() || !t.pending.CompareAndSwap(false, true) {
		return
	}
	t.mu.Lock()
	l, out := t.lesson, t.outcome
	t.outcome = nil
	t.mu.Unlock()
	if l == nil { // its outcome was shown since running was read
		t.pending.Store(false)
		return
	}
	lp := lessonProgress{p: l.Progress(), outcome: out}
	fyne.Do(func() {
		defer t.pending.Store(false)
		t.apply(lp)
	})
}

// apply shows what a tick read. It runs on the UI goroutine.
func (t *lessonTab) apply(lp lessonProgress) {
	if lp.outcome != nil {
		t.finished(*lp.outcome)
		return
	}
	p := lp.p
	if p.Runs > 0 {
		v := float64(p.Run) / float64(p.Runs)
		if p.Of > 0 {
			v += float64(p.Done) / float64(p.Of) / float64(p.Runs)
		}
		if v != t.Progress.Value {
			t.Progress.SetValue(v)
		}
	}
	// The time so far moves every second, even while a run's count does not
	// (processes mode counts when its children answer).
	var s string
	took := durationText(time.Since(t.started))
	switch p.Work {
	case lesson.WorkDownloads:
		s = tr("Run %d of %d: downloads, %s, %s: %d of %d files (%s)", p.Run+1, p.Runs, p.Mode, trn("%d workers", p.Workers), p.Done, p.Of, took)
	case lesson.WorkPi:
		s = tr("Run %d of %d: π, %s, %s: %d of %d points (%s)", p.Run+1, p.Runs, p.Mode, trn("%d workers", p.Workers), p.Done, p.Of, took)
	case "start":
		s = trn("Run %[2]d of %[3]d: starting %[1]d worker processes that do nothing (%[4]s)", p.Workers, p.Run+1, p.Runs, took)
	default:
		return
	}
	if s != t.Status.Text {
		t.Status.SetText(s)
	}
}

// finished shows a lesson's result: the chart, the answer and the start
// cost, or why it stopped (with what it measured before).
func (t *lessonTab) finished(o lessonOutcome) {
	t.job.end()
	t.mu.Lock()
	t.lesson = nil
	t.mu.Unlock()
	t.running.Store(false)
	t.Run.Enable()
	t.Cancel.Disable()
	t.Chart.SetSeries(lessonSeries(o.res.Rows))
	switch {
	case errors.Is(o.err, context.Canceled):
		t.Status.SetText(tr("Cancelled: the lesson stopped before its end."))
	case o.err != nil:
		t.Status.SetText(tr("The lesson failed: %v", o.err))
	default:
		t.Progress.SetValue(1)
		t.Status.SetText(tr("Done in %s; π ≈ %s in every mode.", durationText(time.Since(t.started)), decimal(fmt.Sprintf("%.16f", o.res.Pi))))
	}
	t.Answer.SetText(lessonAnswer(o.res.Rows))
	if len(o.res.StartCost) > 0 {
		parts := make([]string, len(o.res.StartCost))
		for i, s := range o.res.StartCost {
			parts[i] = tr("%s ms for %d", decimal(fmt.Sprintf("%.1f", s.Seconds*1000)), s.Workers)
		}
		t.StartCost.SetText(tr("Starting worker processes that do nothing and waiting for their answers took %s (median of 3): the price processes pay on every run.", strings.Join(parts, ", ")))
	}
}

// lessonSeries are the chart's lines: one per work and mode, coloured by
// work and dashed by mode, labelled with the speedup at the most workers.
func lessonSeries(rows []lesson.LessonRow) []chartSeries {
	var out []chartSeries
	for colour, work := range lessonWorks {
		for _, mode := range lesson.Modes {
			var pts []sweepPoint
			var last lesson.LessonRow
			for _, r := range rows {
				if r.Work == work && r.Mode == mode {
					pts = append(pts, sweepPoint{Workers: r.Workers, Seconds: r.Median})
					last = r
				}
			}
			if len(pts) == 0 {
				continue
			}
			out = append(out, chartSeries{Colour: colour, Dash: int(mode), Points: pts,
				Label: tr("%s, %s: %s at %d", workText(work), mode, formatSpeedup(last.Speedup), last.Workers)})
		}
	}
	return out
}

// workText names a lesson's work (lesson.WorkDownloads, WorkPi).
func workText(work string) string {
	if work == lesson.WorkDownloads {
		return tr("downloads")
	}
	return work // π
}

// lessonAnswer words what the lesson's rows show (lesson.Find) in the
// window's language, as lesson.Answer does in English.
func lessonAnswer(rows []lesson.LessonRow) string {
	f := lesson.Find(rows)
	speedups := func(ss []lesson.ModeSpeedup) string {
		parts := make([]string, len(ss))
		for i, s := range ss {
			x := decimal(fmt.Sprintf("%.2f", s.Speedup))
			if i == 0 {
				parts[i] = tr("%s× as fast as at one %s", x, modePhrase(s.Mode))
			} else {
				parts[i] = tr("%s× %s", x, modePhrase(s.Mode))
			}
		}
		return andText(parts)
	}
	var sentences []string
	if len(f.Pi) > 0 {
		s := trn("π at %d workers ran %s", f.PiAt, speedups(f.Pi))
		if f.GIL {
			s += tr(": under the GIL one worker computes at a time, however many there are")
		}
		sentences = append(sentences, s+".")
	}
	if len(f.Downloads) > 0 {
		s := trn("Downloads at %d workers ran %s", f.DownloadsAt, speedups(f.Downloads))
		if f.GIL {
			s += tr(": a download spends its time waiting for the network, and the GIL is let go while it waits")
		}
		sentences = append(sentences, s+".")
	}
	if f.NotebooksAnswer {
		sentences = append(sentences, tr("That is the notebooks' answer: under a GIL, more threads speed up waiting, not computing."))
	}
	switch {
	case f.ProcessesHelpPi:
		sentences = append(sentences, tr("Processes speed up the computing too, at the price of starting them and moving the data."))
	case f.ProcessesPi:
		sentences = append(sentences, tr("Processes did not speed π up here: starting them cost more than the share of work each took (a larger N would pay for it)."))
	}
	return strings.Join(sentences, " ")
}

// modePhrase is how lessonAnswer says a mode: "with goroutines".
func modePhrase(m lesson.Mode) string {
	switch m {
	case lesson.Goroutines:
		return tr("with goroutines")
	case lesson.Processes:
		return tr("in processes")
	case lesson.GIL:
		return tr("under the GIL")
	}
	return tr("in %s", m)
}

// andText is "a", "a and b", or "a, b and c".
func andText(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return tr("%s and %s", strings.Join(parts[:len(parts)-1], ", "), parts[len(parts)-1])
}

// demo presses Run a second after the window opens (`potok --lesson-demo`,
// for the screenshots).
func (t *lessonTab) demo(ctx context.Context) {
	select {
	case <-time.After(time.Second):
		fyne.Do(t.start)
	case <-ctx.Done():
	}
}
