package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/metrics"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader"
)

const getSynopsis = "get [-j N] [-x N] [-o DIR] [-i LIST|-] [-retries N] [-give-up 6h] [-rate 2MiB] [-chunk 32KiB] [-stall 30s] [-queue FILE|-no-queue] [-wait] [-H 'Name: value']... [-U AGENT] [-referer URL] [-load-cookies FILE] [-netrc | -netrc-file FILE] [-proxy URL [-no-proxy LIST]] [-ca-cert FILE] [-insecure] [URL...]"

// getConfig is what potok get was asked to do.
type getConfig struct {
	opts    downloader.Options
	list    string
	urls    []string // from the arguments
	entries []downloader.Entry
	bad     int // input lines that could not be used
	plain   bool
	quiet   bool
	noQueue bool
	wait    bool
}

// parseGet reads potok get's flags. ok is false when the command ends here,
// with code.
func parseGet(args []string, stderr io.Writer) (c getConfig, code int, ok bool) {
	fs := newFlagSet("get", getSynopsis, stderr)
	jobs := fs.Int("j", 8, "connections at once, over all downloads (raised to -x when -x is larger and -j is not given)")
	conns := fs.Int("x", downloader.DefaultConnections, "connections per file (1-32): a file of -segment-min or more from a server that accepts ranges comes in that many pieces at once, each connection taking one of -j's")
	dir := fs.String("o", ".", "folder to download into (created if missing)")
	fs.StringVar(&c.list, "i", "", "read URLs from this file, one per line (- for standard input); a line may add sha256:HEX")
	retries := fs.Int("retries", 5, "attempts in a row that may fail without bringing a new byte before a file fails (0: no retries)")
	giveUp := fs.Duration("give-up", 6*time.Hour, "fail a file still failing this long after its first failure, even while retries bring bytes (0: never)")
	perHost := fs.Int("per-host", 0, "at most this many connections at once to one host (0: no cap)")
	stall := fs.Duration("stall", downloader.DefaultStallTimeout, "give up an attempt when the server sends nothing for this long (also the wait for response headers)")
	fs.BoolVar(&c.plain, "plain", false, "print a line per finished file instead of live progress bars")
	fs.BoolVar(&c.quiet, "q", false, "print only failures and the summary")
	queueFile := fs.String("queue", "", "keep the folder's queue in this file (default: one per folder under the user's config folder)")
	fs.BoolVar(&c.noQueue, "no-queue", false, "keep no queue: a .part file of the same name is resumed only when the server offers no ETag or Last-Modified to check it against")
	fs.BoolVar(&c.wait, "wait", false, "when another Potok is using the folder, wait for it instead of failing")
	rate, chunk, segMin := byteSize(0), byteSize(0), byteSize(downloader.DefaultSegmentThreshold)
	fs.Var(&rate, "rate", "total speed limit, like 2MiB (per second; 0: none)")
	fs.Var(&chunk, "chunk", "bytes per read and write (default: adaptive, 32KiB, or 1MiB for files of 16MiB or more)")
	fs.Var(&segMin, "segment-min", "smallest file fetched over several connections")
	var req requestFlags
	req.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, 0, false
		}
		return c, 2, false
	}
	if *jobs < 1 || *retries < 0 || *perHost < 0 || chunk > 64<<20 || *conns < 1 || *conns > downloader.MaxConnections || segMin < 1 || *giveUp < 0 {
		fmt.Fprintln(stderr, "potok get: -j must be at least 1, -retries, -per-host and -give-up at least 0, -chunk at most 64 MiB, -x from 1 to 32, -segment-min at least 1 byte")
		return c, 2, false
	}
	c.urls = pos
	jobsGiven := false
	fs.Visit(func(f *flag.Flag) { jobsGiven = jobsGiven || f.Name == "j" })
	if !jobsGiven && *conns > *jobs {
		*jobs = *conns // else the extra connections would find no slot
	}
	c.opts = downloader.Options{
		Dir: *dir, Parallel: *jobs, PerHost: *perHost, Retries: *retries,
		Connections: *conns, SegmentThreshold: int64(segMin),
		ChunkSize: int(chunk), RateLimit: int64(rate), StallTimeout: *stall,
		GiveUpAfter: *giveUp, QueueFile: *queueFile,
	}
	if *retries == 0 {
		c.opts.Retries = -1 // the engine reads 0 as "default"
	}
	if *giveUp == 0 {
		c.opts.GiveUpAfter = -1
	}
	if err := req.apply(&c.opts, stderr); err != nil {
		fmt.Fprintf(stderr, "potok get: %v\n", err)
		return c, 2, false
	}
	return c, 0, true
}

func runGet(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, code, ok := parseGet(args, stderr)
	if ok {
		code, ok = c.readInput(stdin, stderr)
	}
	if !ok {
		return code
	}
	defer softMemoryLimit(len(c.entries))()
	r, err := fetch(c, stdout, stderr)
	if err != nil {
		return failed(stderr, "get", err)
	}
	return r.report(stderr)
}

// readInput reads the URLs of the arguments and the list into c.entries,
// reporting bad lines, and settles the queue file. ok is false when the
// command ends here, with code.
func (c *getConfig) readInput(stdin io.Reader, stderr io.Writer) (code int, ok bool) {
	var err error
	c.entries, c.bad, err = collectEntries(c.list, c.urls, stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "potok get: %v\n", err)
		return 2, false
	}
	if len(c.entries) == 0 {
		if c.bad == 0 {
			fmt.Fprintln(stderr, "potok get: no URLs given: pass URLs as arguments or a list with -i FILE")
			fmt.Fprintf(stderr, "usage: potok %s\n(potok get -h lists the flags)\n", getSynopsis)
		} else {
			fmt.Fprintln(stderr, "potok get: no usable URL in the input")
		}
		return 2, false
	}
	switch {
	case c.noQueue:
		c.opts.QueueFile = ""
	case c.opts.QueueFile == "":
		if c.opts.QueueFile, err = downloader.DefaultQueueFile(c.opts.Dir); err != nil {
			fmt.Fprintf(stderr, "potok get: %v; use -queue FILE or -no-queue\n", err)
			return 2, false
		}
	}
	return 0, true
}

// getResult is how a run of potok get ended.
type getResult struct {
	snap        downloader.Snapshot
	interrupted bool
	want, bad   int // files asked for, input lines that could not be used
}

// fetch downloads c's entries, showing progress on stdout, until every file
// has settled or Ctrl-C.
func fetch(c getConfig, stdout, stderr io.Writer) (getResult, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e, err := openEngine(ctx, c.opts, c.wait, stderr)
	if err != nil {
		return getResult{}, err
	}
	if err := e.QueueProblem(); err != nil {
		fmt.Fprintf(stderr, "potok get: warning: %v\n", err)
	}
	if _, err := e.Add(c.entries...); err != nil {
		e.Close()
		return getResult{}, err
	}
	view := c.view(stdout)
	interrupted := watch(ctx, e, view)
	stop() // a second Ctrl-C now ends the program at once
	e.Close()
	snap := e.Snapshot()
	view.finish(snap)
	return getResult{snap: snap, interrupted: interrupted, want: len(c.entries), bad: c.bad}, nil
}

// report prints the summary and returns the exit code.
func (r getResult) report(stderr io.Writer) int {
	printSummary(stderr, r.snap, r.interrupted)
	switch {
	case r.interrupted || r.snap.Done != r.want:
		return 1
	case r.bad > 0:
		fmt.Fprintf(stderr, "%d input line(s) could not be used (see above)\n", r.bad)
		return 1
	}
	return 0
}

func (c getConfig) view(stdout io.Writer) progressView {
	switch {
	case c.quiet:
		return &quietView{w: stdout}
	case c.plain || !isTerminal(stdout):
		return &plainView{w: stdout}
	}
	return newBarsView(stdout)
}

// openEngine makes the engine for the folder. When another Potok holds the
// folder it fails, saying which process, or with wait polls until the folder
// is free or ctx ends.
func openEngine(ctx context.Context, opts downloader.Options, wait bool, stderr io.Writer) (*downloader.Engine, error) {
	said := false
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		e, err := downloader.New(opts)
		var busy *downloader.QueueBusyError
		if err == nil || !wait || !errors.As(err, &busy) {
			return e, err
		}
		if !said {
			fmt.Fprintf(stderr, "potok get: %v; waiting (-wait)\n", err)
			said = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stopped while waiting for the folder: %w", err)
		case <-t.C:
		}
	}
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
	var kept int64
	for _, f := range s.Files {
		if f.State == downloader.StateFailed {
			fmt.Fprintf(w, "failed: %s: %s\n", downloader.RedactURL(f.URL), f.Err)
			kept += f.Done
		}
	}
	rate := ""
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(" (%s/s)", humanize.Bytes(uint64(float64(s.BytesFetched)/secs)))
	}
	fmt.Fprintf(w, "%d done, %d failed, %d left of %d files; %s fetched in %s%s\n",
		s.Done, s.Failed, s.Left()+s.Cancelled, s.Count, humanize.Bytes(uint64(s.BytesFetched)),
		s.Elapsed.Round(time.Millisecond), rate)
	if kept > 0 {
		fmt.Fprintf(w, "%s of the failed files are kept in their .part files: run the same command again to continue them\n",
			humanize.Bytes(uint64(kept)))
	}
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
