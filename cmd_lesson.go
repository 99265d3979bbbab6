package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"

	"potok/compute/lesson"
)

const (
	benchLessonSynopsis = "bench lesson [-n 200000000] [-intervals 10] [-repeats 3] [-files 16] [-size 256KiB] [-latency 100ms] [-rate 2MiB] [-workers 1,2,4,8] [-mode goroutines,processes,gil] [-json]"
	raceSynopsis        = "race [-goroutines 4] [-adds 100000] [-mode nolock,mutex,atomic] [-json]"
	deadlockSynopsis    = "deadlock [-order opposite|same] [-timeout 1s] [-json]"
)

// exitDeadlock is potok deadlock's exit code when the watchdog found the
// deadlock (and released it): the lesson shown, distinct from a failure (1)
// and bad usage (2).
const exitDeadlock = 3

// benchLesson is what potok bench lesson was asked to measure.
type benchLesson struct {
	p          lesson.LessonParams
	size, rate byteSize
	workers    intList
	modes      modeList
	json       bool
}

// lessonOutput is what potok bench lesson -json prints.
type lessonOutput struct {
	Files          int                 `json:"files"`
	Size           int64               `json:"size_bytes"`
	LatencySeconds float64             `json:"latency_seconds"`
	Rate           int64               `json:"rate_bytes_per_second"`
	Points         int                 `json:"pi_points"`
	Intervals      int                 `json:"pi_intervals"`
	Repeats        int                 `json:"pi_repeats"`
	Cores          int                 `json:"cores"`
	Pi             float64             `json:"pi"`
	Rows           []lessonRow         `json:"rows"`
	ProcessStart   []lesson.StartRow   `json:"process_start,omitempty"`
	Answer         string              `json:"answer"`
	params         lesson.LessonParams // for the text
}

// lessonRow is a row of the lesson: its work, and the row of its mode.
type lessonRow struct {
	Work string `json:"work"`
	modeRow
}

func runBenchLesson(args []string, stdout, stderr io.Writer) int {
	b, code, ok := parseBenchLesson(args, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	l := lesson.NewLesson(b.p)
	p := l.Params()
	pr := printer{w: stdout, json: b.json}
	pr.linef("the notebooks' question: %d files × %s (%v to first byte, %s/s per connection) and π with %d points over %d intervals (median of %d), at %s workers; %d cores",
		p.Files, humanize.IBytes(uint64(p.Size)), p.Latency, humanize.IBytes(uint64(p.Rate)), p.Points, p.Intervals, p.Repeats, joinInts(p.Workers), runtime.NumCPU())
	done := showLessonProgress(l, stderr)
	res, err := l.Run(ctx)
	done()
	if err != nil {
		return failed(stderr, "bench lesson", err)
	}
	out := lessonOutput{Files: p.Files, Size: p.Size, LatencySeconds: p.Latency.Seconds(), Rate: p.Rate,
		Points: p.Points, Intervals: p.Intervals, Repeats: p.Repeats, Cores: runtime.NumCPU(), Pi: res.Pi,
		ProcessStart: res.StartCost, Answer: res.Answer, params: p}
	t := out.table(res.Rows)
	if err := pr.result(t, out); err != nil {
		return failed(stderr, "bench lesson", err)
	}
	return 0
}

// table lays the lesson out, a sweep per work and mode, with the start
// cost, the value of π and the answer under it; it fills out.Rows.
func (out *lessonOutput) table(rows []lesson.LessonRow) table {
	var keys [][]string
	var tables []table
	for i := 0; i < len(rows); {
		first := rows[i]
		sw := &sweep{unit: "workers"}
		start := len(out.Rows)
		for ; i < len(rows) && rows[i].Work == first.Work && rows[i].Mode == first.Mode; i++ {
			r := rows[i]
			out.Rows = append(out.Rows, lessonRow{Work: r.Work, modeRow: modeRow{Mode: r.Mode, Workers: r.Workers,
				Median: r.Median, Times: r.Times, scaling: sw.add(r.Workers, r.Median)}})
		}
		mine := out.Rows[start:]
		keys = append(keys, []string{first.Work, first.Mode.String()})
		tables = append(tables, sw.table([]column{{"median s", func(i int) string { return fmt.Sprintf("%.3f", mine[i].Median) }}}, nil))
	}
	t := byKeys([]string{"work", "mode"}, keys, tables)
	if len(out.ProcessStart) > 0 {
		var parts []string
		for _, s := range out.ProcessStart {
			parts = append(parts, fmt.Sprintf("%d: %.1f ms", s.Workers, s.Seconds*1000))
		}
		t.notes = append(t.notes, "starting worker processes that do nothing and waiting for them (median of 3): "+strings.Join(parts, ", "))
	}
	t.notes = append(t.notes, fmt.Sprintf("π ≈ %.16f in every mode", out.Pi), "", out.Answer)
	return t
}

func parseBenchLesson(args []string, stderr io.Writer) (b benchLesson, code int, ok bool) {
	fs := newFlagSet("bench lesson", benchLessonSynopsis, stderr, scalingDoc,
		"Downloads come from a loopback demo server; π is the notebooks' integration. Each\nmode's speedup is against its own first count.")
	fs.IntVar(&b.p.Points, "n", 200_000_000, "points of π's trapezoid rule")
	fs.IntVar(&b.p.Intervals, "intervals", 10, "intervals π's range is split into")
	fs.IntVar(&b.p.Repeats, "repeats", 3, "π runs per worker count; the median is reported")
	fs.IntVar(&b.p.Files, "files", 16, "files per download run")
	fs.DurationVar(&b.p.Latency, "latency", 100*time.Millisecond, "server's time to first byte, per request")
	b.size, b.rate = 256<<10, 2<<20
	fs.Var(&b.size, "size", "bytes per file")
	fs.Var(&b.rate, "rate", "server's bytes per second per connection")
	b.workers = intList{1, 2, 4, 8}
	fs.Var(&b.workers, "workers", "worker counts, comma-separated")
	b.modes = modeList(lesson.Modes)
	fs.Var(&b.modes, "mode", modeUsage)
	fs.BoolVar(&b.json, "json", false, "print JSON instead of a table")
	if code, ok := parseFlags(fs, args); !ok {
		return b, code, false
	}
	if b.p.Points < 2 || b.p.Intervals < 1 || b.p.Points/b.p.Intervals < 2 || b.p.Repeats < 1 || b.p.Files < 1 ||
		b.p.Latency <= 0 || b.size < 1 || b.rate < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok bench lesson: need -n of at least 2 points per interval, -intervals, -repeats and -files of at least 1, a positive -latency, -size and -rate, and no arguments")
		return b, 2, false
	}
	b.p.Size, b.p.Rate, b.p.Workers, b.p.Modes = int64(b.size), int64(b.rate), b.workers, b.modes
	return b, 0, true
}

// showLessonProgress redraws a line on stderr, when it is a terminal, with
// how far l has got; the function it returns stops it and clears the line.
func showLessonProgress(l *lesson.Lesson, stderr io.Writer) func() {
	if !isTerminal(stderr) {
		return func() {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprint(stderr, "\r\033[K")
				return
			case <-tick.C:
				p := l.Progress()
				if p.Work == "" {
					continue
				}
				unit := "files"
				if p.Work == lesson.WorkPi {
					unit = "points"
				}
				fmt.Fprintf(stderr, "\r\033[Krun %d of %d: %s, %s, %d workers: %d of %d %s", p.Run+1, p.Runs, p.Work, p.Mode, p.Workers, p.Done, p.Of, unit)
			}
		}
	})
	return func() {
		close(stop)
		wg.Wait()
	}
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// raceRun is what potok race was asked to show.
type raceRun struct {
	goroutines, adds int
	variants         []string
	json             bool
}

func runRace(args []string, stdout, stderr io.Writer) int {
	var c raceRun
	fs := newFlagSet("race", raceSynopsis, stderr,
		"Every variant exits 0: updates lost without a lock are the lesson, not a failure.")
	fs.IntVar(&c.goroutines, "goroutines", 4, "goroutines adding at once")
	fs.IntVar(&c.adds, "adds", 100_000, "adds of 1 by each goroutine")
	variants := strings.Join(lesson.RaceVariants, ",")
	fs.StringVar(&variants, "mode", variants, "the ways to add, comma-separated: nolock (load, yield, store), mutex (the same under a sync.Mutex), atomic (one atomic add)")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a table")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	for _, v := range strings.Split(variants, ",") {
		c.variants = append(c.variants, strings.TrimSpace(v))
	}
	if c.goroutines < 1 || c.adds < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok race: -goroutines and -adds must be at least 1, and no arguments")
		return 2
	}
	for _, v := range c.variants {
		if !slices.Contains(lesson.RaceVariants, v) {
			fmt.Fprintf(stderr, "potok race: %q is not a variant: choose %s\n", v, strings.Join(lesson.RaceVariants, ", "))
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p := printer{w: stdout, json: c.json}
	p.linef("%d goroutines each add 1 to one counter %d times", c.goroutines, c.adds)
	var results []lesson.RaceResult
	t := table{header: []string{"variant", "expected", "got", "lost", "time s"}}
	for _, v := range c.variants {
		r, err := lesson.Race(ctx, v, c.goroutines, c.adds)
		if err != nil {
			return failed(stderr, "race", err)
		}
		results = append(results, r)
		t.rows = append(t.rows, []string{r.Variant, strconv.FormatInt(r.Expected, 10), strconv.FormatInt(r.Got, 10),
			strconv.FormatInt(r.Lost, 10), fmt.Sprintf("%.3f", r.Seconds)})
	}
	t.notes = []string{
		"nolock: each goroutine loads the counter, yields, and stores what it loaded plus 1, so a store another made meanwhile is overwritten (each step is atomic: no data race, yet updates are lost)",
		"mutex: the same steps, one goroutine at a time; atomic: one add that nothing can come between",
	}
	if err := p.result(t, results); err != nil {
		return failed(stderr, "race", err)
	}
	return 0
}

func runDeadlock(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("deadlock", deadlockSynopsis, stderr,
		"Exit status: 3 when the watchdog found the deadlock (and released it), 0 when both\ngoroutines finished, 1 on failure, 2 for bad usage.")
	order := fs.String("order", lesson.OrderOpposite, "the order of the second goroutine's locks: opposite (B then A: a deadlock) or same (A then B)")
	timeout := fs.Duration("timeout", time.Second, "when the watchdog looks for goroutines stuck waiting for each other")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if (*order != lesson.OrderOpposite && *order != lesson.OrderSame) || *timeout <= 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok deadlock: -order is opposite or same, -timeout positive, and no arguments")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := lesson.Deadlock(ctx, *order, *timeout)
	if err != nil {
		return failed(stderr, "deadlock", err)
	}
	p := printer{w: stdout, json: *asJSON}
	t := table{notes: []string{r.Message}}
	for _, w := range r.Waits {
		t.notes = append(t.notes, "  "+w)
	}
	if err := p.result(t, r); err != nil {
		return failed(stderr, "deadlock", err)
	}
	if r.Deadlock {
		return exitDeadlock
	}
	return 0
}
