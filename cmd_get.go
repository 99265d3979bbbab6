package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/metrics"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader"
)

const getSynopsis = "get [-j N] [-x N] [-o DIR] [-i LIST|-] [-retries N] [-rate 2MiB] [-chunk 32KiB] [-queue FILE|-no-queue] [URL...]"

func runGet(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("get", getSynopsis, stderr)
	jobs := fs.Int("j", 8, "connections at once, over all downloads (raised to -x when -x is larger and -j is not given)")
	conns := fs.Int("x", downloader.DefaultConnections, "connections per file (1-32): a file of -segment-min or more from a server that accepts ranges comes in that many pieces at once, each connection taking one of -j's")
	dir := fs.String("o", ".", "folder to download into (created if missing)")
	listFile := fs.String("i", "", "read URLs from this file, one per line (- for standard input); a line may add sha256:HEX")
	retries := fs.Int("retries", 5, "retries per file for transient failures (0 for none)")
	perHost := fs.Int("per-host", 0, "at most this many connections at once to one host (0: no cap)")
	stall := fs.Duration("stall", downloader.DefaultStallTimeout, "give up an attempt after this long without data")
	plain := fs.Bool("plain", false, "print a line per finished file instead of live progress bars")
	quiet := fs.Bool("q", false, "print only failures and the summary")
	queueFile := fs.String("queue", "", "keep the folder's queue in this file (default: one per folder under the user's config folder)")
	noQueue := fs.Bool("no-queue", false, "keep no queue: a .part file with the same name is resumed, whoever left it")
	rate, chunk, segMin := byteSize(0), byteSize(0), byteSize(downloader.DefaultSegmentThreshold)
	fs.Var(&rate, "rate", "total speed limit, like 2MiB (per second; 0: none)")
	fs.Var(&chunk, "chunk", "bytes per read and write (default: adaptive, 32KiB, or 1MiB for files of 16MiB or more)")
	fs.Var(&segMin, "segment-min", "smallest file fetched over several connections")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *jobs < 1 || *retries < 0 || *perHost < 0 || chunk > 64<<20 || *conns < 1 || *conns > downloader.MaxConnections || segMin < 1 {
		fmt.Fprintln(stderr, "potok get: -j must be at least 1, -retries and -per-host at least 0, -chunk at most 64 MiB, -x from 1 to 32, -segment-min at least 1 byte")
		return 2
	}
	entries, bad, err := collectEntries(*listFile, pos, stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "potok get: %v\n", err)
		return 2
	}
	if len(entries) == 0 {
		if bad == 0 {
			fmt.Fprintln(stderr, "potok get: no URLs given: pass URLs as arguments or a list with -i FILE")
			fs.Usage()
		} else {
			fmt.Fprintln(stderr, "potok get: no usable URL in the input")
		}
		return 2
	}
	defer softMemoryLimit(len(entries))()
	r := *retries
	if r == 0 {
		r = -1 // the engine reads 0 as "default"
	}
	qf := *queueFile
	if qf == "" && !*noQueue {
		if qf, err = downloader.DefaultQueueFile(*dir); err != nil {
			fmt.Fprintf(stderr, "potok get: %v; use -queue FILE or -no-queue\n", err)
			return 2
		}
	}
	if *noQueue {
		qf = ""
	}
	jobsGiven := false
	fs.Visit(func(f *flag.Flag) { jobsGiven = jobsGiven || f.Name == "j" })
	if !jobsGiven && *conns > *jobs {
		*jobs = *conns // else the extra connections would find no slot
	}
	e, err := downloader.New(downloader.Options{
		Dir: *dir, Parallel: *jobs, PerHost: *perHost, Retries: r,
		Connections: *conns, SegmentThreshold: int64(segMin),
		ChunkSize: int(chunk), RateLimit: int64(rate), StallTimeout: *stall,
		QueueFile: qf,
	})
	if err != nil {
		fmt.Fprintf(stderr, "potok get: %v\n", err)
		return 1
	}
	if err := e.QueueProblem(); err != nil {
		fmt.Fprintf(stderr, "potok get: warning: %v\n", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := e.Add(entries...); err != nil {
		fmt.Fprintf(stderr, "potok get: %v\n", err)
		return 1
	}
	var view progressView
	switch {
	case *quiet:
		view = &quietView{w: stdout}
	case *plain || !isTerminal(stdout):
		view = &plainView{w: stdout}
	default:
		view = newBarsView(stdout)
	}
	interrupted := watch(ctx, e, view)
	stop() // a second Ctrl-C now ends the program at once
	e.Close()
	snap := e.Snapshot()
	view.finish(snap)
	printSummary(stderr, snap, interrupted)
	switch {
	case interrupted || snap.Done != len(entries):
		return 1
	case bad > 0:
		fmt.Fprintf(stderr, "%d input line(s) could not be used (see above)\n", bad)
		return 1
	}
	return 0
}

// collectEntries reads the list file (if any) and the URL arguments, reports
// every unusable line on stderr, and returns the usable entries in order
// without duplicates, and how many lines were bad.
func collectEntries(listFile string, args []string, stdin io.Reader, stderr io.Writer) ([]downloader.Entry, int, error) {
	var entries []downloader.Entry
	seen := make(map[string]bool)
	bad := 0
	if listFile != "" {
		var r io.Reader = stdin
		name := "standard input"
		if listFile != "-" {
			f, err := os.Open(listFile)
			if err != nil {
				return nil, 0, fmt.Errorf("open URL list: %w", err)
			}
			defer f.Close()
			r, name = f, listFile
		}
		l, err := downloader.ParseList(r)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		for _, p := range l.Problems {
			fmt.Fprintf(stderr, "%s:%d: %v: %s\n", name, p.Line, p.Err, p.Text)
		}
		bad += len(l.Bad())
		for _, en := range l.Entries {
			seen[en.URL] = true
			entries = append(entries, en)
		}
	}
	for i, a := range args {
		u, err := downloader.ParseURL(a)
		if err != nil {
			fmt.Fprintf(stderr, "argument %d: %v\n", i+1, err)
			bad++
			continue
		}
		if !seen[u] {
			seen[u] = true
			entries = append(entries, downloader.Entry{URL: u})
		}
	}
	return entries, bad, nil
}

// watch feeds the view from the engine ten times a second until every file
// has settled or ctx ends (Ctrl-C). It reports whether it was interrupted.
func watch(ctx context.Context, e *downloader.Engine, view progressView) (interrupted bool) {
	idle := make(chan struct{})
	go func() {
		_ = e.Wait(ctx)
		close(idle)
	}()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var seq uint64
	tick := func() {
		evs := e.Events(seq)
		if len(evs) > 0 {
			seq = evs[len(evs)-1].Seq
		}
		view.update(e.Snapshot(), evs)
	}
	for {
		select {
		case <-idle:
			<-idle
			tick()
			return ctx.Err() != nil
		case <-t.C:
			tick()
		}
	}
}

func printSummary(w io.Writer, s downloader.Snapshot, interrupted bool) {
	for _, f := range s.Files {
		if f.State == downloader.StateFailed {
			fmt.Fprintf(w, "failed: %s: %s\n", redacted(f.URL), f.Err)
		}
	}
	rate := ""
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(" (%s/s)", humanize.Bytes(uint64(float64(s.BytesDone)/secs)))
	}
	fmt.Fprintf(w, "%d done, %d failed, %d left of %d files; %s in %s%s\n",
		s.Done, s.Failed, s.Left()+s.Cancelled, s.Count, humanize.Bytes(uint64(s.BytesDone)),
		s.Elapsed.Round(time.Millisecond), rate)
	if interrupted {
		fmt.Fprintln(w, "interrupted: partial files are kept as .part; run the same command again to resume them")
	}
}

// softMemoryLimit sizes the garbage collector's soft limit to the list and
// returns a function that puts the old limit back. Each file costs a few KiB
// while it waits (its record and its parked goroutine), and at the default
// GOGC the heap grows to twice what is live: 10,000 files peaked at 135-155 MB.
// A limit of what the process already uses, plus 40 MiB, plus 5 KiB a file,
// makes the collector work harder only near it (measured: 112 MB, no more CPU).
// GOMEMLIMIT or GOGC set by the user win.
func softMemoryLimit(files int) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		return func() {}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	var inUse int64
	if s[0].Value.Kind() == metrics.KindUint64 {
		inUse = int64(s[0].Value.Uint64())
	}
	old := debug.SetMemoryLimit(inUse + 40<<20 + int64(files)*5<<10)
	return func() { debug.SetMemoryLimit(old) }
}

// redacted hides the password of a user:pass@ URL, as terminals and logs
// are seen and kept by others.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}
