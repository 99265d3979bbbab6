package lesson

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"potok/downloader"
	"potok/downloader/demoserver"
)

// The two kinds of work of the lesson.
const (
	WorkDownloads = "downloads"
	WorkPi        = "π"
)

// LessonParams are what a Lesson measures; zero values take the defaults
// beside them.
type LessonParams struct {
	Modes   []Mode // default Modes: goroutines, processes, gil
	Workers []int  // default 1, 2, 4, 8

	// π: Points over Intervals (default 200,000,000 over 10: 0.5 s at one
	// worker here, long enough that starting workers is not the story),
	// Repeats runs per count, the median kept (default 3).
	Points, Intervals, Repeats int

	// Downloads, from a loopback demo server: Files files of Size bytes
	// (default 16 × 256 KiB), Latency to the first byte (100 ms) and Rate
	// bytes per second per connection (2 MiB). One run per count.
	Files   int
	Size    int64
	Latency time.Duration
	Rate    int64
}

func (p LessonParams) withDefaults() LessonParams {
	if len(p.Modes) == 0 {
		p.Modes = Modes
	}
	if len(p.Workers) == 0 {
		p.Workers = []int{1, 2, 4, 8}
	}
	p.Points = orDefault(p.Points, 200_000_000)
	p.Intervals = orDefault(p.Intervals, 10)
	p.Repeats = orDefault(p.Repeats, 3)
	p.Files = orDefault(p.Files, 16)
	if p.Size <= 0 {
		p.Size = 256 << 10
	}
	if p.Latency <= 0 {
		p.Latency = 100 * time.Millisecond
	}
	if p.Rate <= 0 {
		p.Rate = 2 << 20
	}
	return p
}

// LessonRow is one point of the lesson's chart: a kind of work in a mode
// at a worker count.
type LessonRow struct {
	Work string `json:"work"` // WorkDownloads or WorkPi
	SweepRow
}

// StartRow is what starting some worker processes that do nothing costs.
type StartRow struct {
	Workers int     `json:"workers"`
	Seconds float64 `json:"seconds"` // median of 3
}

// LessonResult is a Lesson's measurement.
type LessonResult struct {
	Params    LessonParams `json:"params"`
	Pi        float64      `json:"pi"` // the value, the same in every mode
	Rows      []LessonRow  `json:"rows"`
	StartCost []StartRow   `json:"process_start,omitempty"` // with processes mode
	Answer    string       `json:"answer"`                  // what the rows show, in a sentence or two
}

// LessonProgress says how far a Lesson has got.
type LessonProgress struct {
	Run, Runs int    // runs finished (a download run, a π run, a start-cost run), runs in all
	Work      string // of the run under way ("" when none)
	Mode      Mode
	Workers   int
	Done, Of  int64 // the run under way: files settled of files, or π points done of points
}

// Lesson measures the notebooks' question and answer: the same downloads
// and the same π in each mode at each worker count. Its progress can be
// polled from any goroutine while Run works; Run stops early when its
// context ends.
type Lesson struct {
	p       LessonParams
	started atomic.Bool

	run      atomic.Int32
	state    atomic.Pointer[LessonProgress] // of the run under way
	sweep    atomic.Pointer[DownloadSweep]
	piPoints atomic.Int64
}

// NewLesson prepares a lesson.
func NewLesson(p LessonParams) *Lesson { return &Lesson{p: p.withDefaults()} }

// Params are the lesson's settings, defaults filled in.
func (l *Lesson) Params() LessonParams { return l.p }

// Runs is the number of runs the lesson makes.
func (l *Lesson) runs() int {
	n := len(l.p.Modes) * len(l.p.Workers) * (1 + l.p.Repeats)
	if slices.Contains(l.p.Modes, Processes) {
		n += 3 * len(l.p.Workers)
	}
	return n
}

// Progress returns the current progress.
func (l *Lesson) Progress() LessonProgress {
	p := LessonProgress{Run: int(l.run.Load()), Runs: l.runs()}
	if s := l.state.Load(); s != nil {
		p.Work, p.Mode, p.Workers = s.Work, s.Mode, s.Workers
		switch s.Work {
		case WorkPi:
			p.Done, p.Of = l.piPoints.Load(), int64(l.p.Points)
		case WorkDownloads:
			if sw := l.sweep.Load(); sw != nil {
				dp := sw.Progress()
				p.Workers, p.Done, p.Of = dp.Workers, int64(dp.Done), int64(dp.Files)
			}
		}
	}
	return p
}

func (l *Lesson) begin(work string, m Mode, workers int) {
	l.state.Store(&LessonProgress{Work: work, Mode: m, Workers: workers})
}

// Run measures: downloads, then π, then (with processes mode) what starting
// the processes alone costs. The runs go count by count, and at each count
// mode by mode, so that the machine's load, which comes and goes on a shared
// machine, falls on every mode alike.
func (l *Lesson) Run(ctx context.Context) (LessonResult, error) {
	if !l.started.CompareAndSwap(false, true) {
		return LessonResult{}, fmt.Errorf("lesson: a Lesson runs once")
	}
	defer l.state.Store(nil)
	p := l.p
	res := LessonResult{Params: p}
	if err := l.downloads(ctx, &res); err != nil {
		return res, err
	}
	if err := l.pi(ctx, &res); err != nil {
		return res, err
	}
	if slices.Contains(p.Modes, Processes) {
		for _, w := range p.Workers {
			l.begin("start", Processes, w)
			var times []float64
			for range 3 {
				d, err := StartCost(ctx, w)
				if err != nil {
					return res, fmt.Errorf("start %d worker processes: %w", w, err)
				}
				times = append(times, d.Seconds())
				l.run.Add(1)
			}
			slices.Sort(times)
			res.StartCost = append(res.StartCost, StartRow{Workers: w, Seconds: times[1]})
		}
	}
	res.Answer = Answer(res.Rows)
	return res, nil
}

// measured is a lesson's times per mode and count: [mode][count][run].
type measured [][][]float64

func newMeasured(modes, counts int) measured {
	m := make(measured, modes)
	for i := range m {
		m[i] = make([][]float64, counts)
	}
	return m
}

// rows are the measured times as rows of work, mode by mode.
func (m measured) rows(ctx context.Context, work string, modes []Mode, workers []int) ([]LessonRow, error) {
	var out []LessonRow
	for i, mode := range modes {
		rows, err := scaled(ctx, mode, workers, m[i])
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, LessonRow{Work: work, SweepRow: r})
		}
	}
	return out, nil
}

func (l *Lesson) downloads(ctx context.Context, res *LessonResult) error {
	p := l.p
	srv := demoserver.NewServer(demoserver.WithTTFB(p.Latency), demoserver.WithRate(p.Rate))
	defer srv.Close()
	urls := srv.List(p.Files, p.Size)
	entries := make([]downloader.Entry, len(urls))
	for i, u := range urls {
		entries[i] = downloader.Entry{URL: u}
	}
	times := newMeasured(len(p.Modes), len(p.Workers))
	for j, w := range p.Workers {
		for i, m := range p.Modes {
			l.begin(WorkDownloads, m, w)
			sw := NewDownloadSweep(m, entries, []int{w}, downloader.Options{Retries: -1})
			l.sweep.Store(sw)
			rows, err := sw.Run(ctx)
			l.sweep.Store(nil)
			l.run.Add(1)
			if err != nil {
				return fmt.Errorf("downloads (%s) at %d workers: %w", m, w, err)
			}
			if rows[0].Done != p.Files {
				return fmt.Errorf("downloads (%s) at %d workers: %d of %d files arrived", m, w, rows[0].Done, p.Files)
			}
			times[i][j] = append(times[i][j], rows[0].Seconds)
		}
	}
	rows, err := times.rows(ctx, WorkDownloads, p.Modes, p.Workers)
	res.Rows = append(res.Rows, rows...)
	return err
}

func (l *Lesson) pi(ctx context.Context, res *LessonResult) error {
	p := l.p
	times := newMeasured(len(p.Modes), len(p.Workers))
	for j, w := range p.Workers {
		for range p.Repeats {
			for i, m := range p.Modes {
				l.begin(WorkPi, m, w)
				l.piPoints.Store(0)
				r, err := Pi(ctx, m, p.Points, p.Intervals, w, &l.piPoints)
				l.run.Add(1)
				if err != nil {
					return err
				}
				if res.Pi == 0 {
					res.Pi = r.Value
				} else if r.Value != res.Pi {
					return fmt.Errorf("π came out as %.17g and as %.17g: the modes must agree to the last digit", res.Pi, r.Value)
				}
				times[i][j] = append(times[i][j], r.Seconds)
			}
		}
	}
	rows, err := times.rows(ctx, WorkPi, p.Modes, p.Workers)
	res.Rows = append(res.Rows, rows...)
	return err
}

// Findings is what a lesson's rows show, for a caller that words it itself;
// Answer words it in English.
type Findings struct {
	// PiAt is the worker count π is judged at: 2, else the fewest above 1.
	// Pi is π's speedup there in each mode measured, in the rows' order.
	PiAt int
	Pi   []ModeSpeedup
	// DownloadsAt is the most workers the downloads ran at; Downloads their
	// speedup there in each mode, empty unless DownloadsAt is above 1.
	DownloadsAt int
	Downloads   []ModeSpeedup
	GIL         bool // a gil mode is among the rows
	// NotebooksAnswer holds when the figures bear the notebooks' answer
	// out: under the GIL π did not speed up (at most 1.15×) and the
	// downloads did (at least 1.5×).
	NotebooksAnswer bool
	// ProcessesPi is whether processes mode ran π at PiAt, and
	// ProcessesHelpPi whether that sped it up (at least 1.5×).
	ProcessesPi, ProcessesHelpPi bool
}

// ModeSpeedup is a speedup in one mode.
type ModeSpeedup struct {
	Mode    Mode
	Speedup float64
}

// Find reads the findings off the rows.
func Find(rows []LessonRow) Findings {
	var f Findings
	var modes []Mode
	for _, r := range rows {
		if !slices.Contains(modes, r.Mode) {
			modes = append(modes, r.Mode)
		}
		switch {
		case r.Work == WorkPi && r.Workers > 1 && f.PiAt != 2 && (f.PiAt == 0 || r.Workers == 2 || r.Workers < f.PiAt):
			f.PiAt = r.Workers
		case r.Work == WorkDownloads:
			f.DownloadsAt = max(f.DownloadsAt, r.Workers)
		}
	}
	at := func(work string, m Mode, workers int) (float64, bool) {
		for _, r := range rows {
			if r.Work == work && r.Mode == m && r.Workers == workers {
				return r.Speedup, true
			}
		}
		return 0, false
	}
	for _, m := range modes {
		if s, ok := at(WorkPi, m, f.PiAt); ok {
			f.Pi = append(f.Pi, ModeSpeedup{m, s})
		}
		if s, ok := at(WorkDownloads, m, f.DownloadsAt); ok && f.DownloadsAt > 1 {
			f.Downloads = append(f.Downloads, ModeSpeedup{m, s})
		}
	}
	f.GIL = slices.Contains(modes, GIL)
	gilPi, okPi := at(WorkPi, GIL, f.PiAt)
	gilDl, okDl := at(WorkDownloads, GIL, f.DownloadsAt)
	f.NotebooksAnswer = okPi && okDl && gilPi <= 1.15 && gilDl >= 1.5
	procPi, ok := at(WorkPi, Processes, f.PiAt)
	f.ProcessesPi, f.ProcessesHelpPi = ok, ok && procPi >= 1.5
	return f
}

// Answer says in words what the rows show: π's speedup at 2 workers (or
// the fewest above 1) in each mode beside the downloads' at the most
// workers, and what follows from them, as far as the figures bear it out.
func Answer(rows []LessonRow) string {
	f := Find(rows)
	speedups := func(ss []ModeSpeedup) string {
		parts := make([]string, len(ss))
		for i, s := range ss {
			format := "%.2f× %s"
			if i == 0 {
				format = "%.2f× as fast as at one %s"
			}
			parts[i] = fmt.Sprintf(format, s.Speedup, modePhrase(s.Mode))
		}
		return joinAnd(parts)
	}
	var b strings.Builder
	if len(f.Pi) > 0 {
		fmt.Fprintf(&b, "π at %d workers ran %s", f.PiAt, speedups(f.Pi))
		if f.GIL {
			b.WriteString(": under the GIL one worker computes at a time, however many there are")
		}
		b.WriteString(". ")
	}
	if len(f.Downloads) > 0 {
		fmt.Fprintf(&b, "Downloads at %d workers ran %s", f.DownloadsAt, speedups(f.Downloads))
		if f.GIL {
			b.WriteString(": a download spends its time waiting for the network, and the GIL is let go while it waits")
		}
		b.WriteString(". ")
	}
	if f.NotebooksAnswer {
		b.WriteString("That is the notebooks' answer: under a GIL, more threads speed up waiting, not computing. ")
	}
	switch {
	case f.ProcessesHelpPi:
		b.WriteString("Processes speed up the computing too, at the price of starting them and moving the data.")
	case f.ProcessesPi:
		b.WriteString("Processes did not speed π up here: starting them cost more than the share of work each took (a larger N would pay for it).")
	}
	return strings.TrimSpace(b.String())
}

func modePhrase(m Mode) string {
	switch m {
	case Goroutines:
		return "with goroutines"
	case Processes:
		return "in processes"
	case GIL:
		return "under the GIL"
	}
	return "in " + m.String()
}

// joinAnd is "a", "a and b", or "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
