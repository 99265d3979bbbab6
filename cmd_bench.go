package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/dustin/go-humanize"

	"potok/compute/lesson"
	"potok/downloader"
	"potok/downloader/demoserver"
)

const (
	benchSynopsis         = benchIOSynopsis + "\n       potok " + benchSegmentsSynopsis + "\n       potok " + benchLessonSynopsis
	benchIOSynopsis       = "bench io [-workers 1,2,4,8,16,32] [-files 64] [-size 256KiB] [-latency 100ms] [-rate 2MiB] [-mode goroutines|processes|gil,...] [-json]"
	benchSegmentsSynopsis = "bench segments [-size 256MiB] [-rate 8MiB] [-connections 1,2,4,8,16] [-json]"
)

// runBench runs the benchmark its first argument names.
func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "io":
			return runBenchIO(args[1:], stdout, stderr)
		case "segments":
			return runBenchSegments(args[1:], stdout, stderr)
		case "lesson":
			return runBenchLesson(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "usage: potok %s\n", benchSynopsis)
	switch {
	case len(args) == 0:
		return 2
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		return 0
	}
	fmt.Fprintf(stderr, "potok bench: unknown benchmark %q (there are: io, segments, lesson)\n", args[0])
	return 2
}

// benchIO is what potok bench io was asked to measure.
type benchIO struct {
	workers           intList
	files             int
	latency           time.Duration
	size, rate, chunk byteSize
	modes             modeList
	json              bool
}

// timed is a benchmark row's time beside the ideal one, and its scaling.
type timed struct {
	Seconds float64 `json:"seconds"`
	Ideal   float64 `json:"ideal_seconds"`
	scaling
}

// timedColumns are the time and ideal columns of a benchmark's rows.
func timedColumns(row func(i int) timed) []column {
	return []column{
		{"time s", func(i int) string { return fmt.Sprintf("%.3f", row(i).Seconds) }},
		{"ideal s", func(i int) string { return fmt.Sprintf("%.3f", row(i).Ideal) }},
	}
}

// ioRow is one worker count of an I/O sweep in a mode.
type ioRow struct {
	Mode    lesson.Mode `json:"mode"`
	Workers int         `json:"workers"`
	timed
	Files int `json:"files_ok"`
}

func runBenchIO(args []string, stdout, stderr io.Writer) int {
	b, code, ok := parseBenchIO(args, stderr)
	if !ok {
		return code
	}
	p := printer{w: stdout, json: b.json}
	p.linef("%d files × %s, %v to first byte, %s/s per connection; ideal = ceil(files/workers) × %.3f s",
		b.files, humanize.IBytes(uint64(b.size)), b.latency, humanize.IBytes(uint64(b.rate)), b.perFile())
	var rows []ioRow
	var tables []table
	for _, m := range b.modes {
		mine, sw, notes, err := b.measure(m)
		if err != nil {
			return failed(stderr, "bench io", err)
		}
		for _, r := range mine {
			if r.Files != b.files {
				fmt.Fprintf(stderr, "potok bench io: only %d of %d files arrived at %d workers (%s)\n", r.Files, b.files, r.Workers, m)
				code = 1
			}
		}
		t := sw.table(timedColumns(func(i int) timed { return mine[i].timed }), nil)
		t.notes = append(t.notes, notes...)
		tables = append(tables, t)
		rows = append(rows, mine...)
	}
	if err := p.result(byMode(b.modes, tables), rows); err != nil {
		return failed(stderr, "bench io", err)
	}
	return code
}

func parseBenchIO(args []string, stderr io.Writer) (b benchIO, code int, ok bool) {
	fs := newFlagSet("bench io", benchIOSynopsis, stderr, scalingDoc)
	b.workers = intList{1, 2, 4, 8, 16, 32}
	fs.Var(&b.workers, "workers", "worker counts to measure, comma-separated")
	fs.IntVar(&b.files, "files", 64, "files per run")
	fs.DurationVar(&b.latency, "latency", 100*time.Millisecond, "server's time to first byte, per request")
	fs.BoolVar(&b.json, "json", false, "print JSON instead of a table")
	b.size, b.rate = 256<<10, 2<<20
	fs.Var(&b.size, "size", "bytes per file")
	fs.Var(&b.rate, "rate", "server's bytes per second per connection (0: unlimited)")
	fs.Var(&b.chunk, "chunk", "bytes per read and write (default: adaptive)")
	b.modes = modeList{lesson.Goroutines}
	fs.Var(&b.modes, "mode", modeUsage+"; processes: a child process per worker, each running an engine with one download at a time on its share of the list")
	if code, ok := parseFlags(fs, args); !ok {
		return b, code, false
	}
	if b.files < 1 || b.latency < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok bench io: -files must be at least 1, -latency not negative, and no arguments")
		return b, 2, false
	}
	return b, 0, true
}

// perFile is the ideal time of one file at one connection: the latency,
// then the size at the server's rate.
func (b benchIO) perFile() float64 {
	s := b.latency.Seconds()
	if b.rate > 0 {
		s += float64(b.size) / float64(b.rate)
	}
	return s
}

// measure downloads the files from a loopback server once per worker count
// in mode, and says what the GIL counted.
func (b benchIO) measure(mode lesson.Mode) ([]ioRow, *sweep, []string, error) {
	srv := demoserver.NewServer(demoserver.WithTTFB(b.latency), demoserver.WithRate(int64(b.rate)))
	defer srv.Close()
	urls := srv.List(b.files, int64(b.size))
	entries := make([]downloader.Entry, len(urls))
	for i, u := range urls {
		entries[i] = downloader.Entry{URL: u}
	}
	s := lesson.NewDownloadSweep(mode, entries, b.workers, downloader.Options{ChunkSize: int(b.chunk), Retries: -1})
	measured, err := s.Run(context.Background())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", mode, err)
	}
	sw := &sweep{unit: "workers"}
	var rows []ioRow
	for _, m := range measured {
		ideal := math.Ceil(float64(b.files)/float64(m.Workers)) * b.perFile()
		rows = append(rows, ioRow{Mode: mode, Workers: m.Workers, Files: m.Done,
			timed: timed{Seconds: m.Seconds, Ideal: ideal, scaling: sw.add(m.Workers, m.Seconds)}})
	}
	var notes []string
	if mode == lesson.GIL {
		st := s.GILStats()
		notes = append(notes, fmt.Sprintf("gil: the transfers took the lock %d times and waited %.3f s for it in all; they let go of it while they waited for the network",
			st.Acquired, st.Waited.Seconds()))
	}
	return rows, sw, notes, nil
}

// benchSegments is what potok bench segments was asked to measure.
type benchSegments struct {
	counts     intList
	size, rate byteSize
	json       bool
}

// segRow is one connection count of a segments sweep.
type segRow struct {
	Connections int `json:"connections"`
	timed
	Verified bool `json:"sha256_ok"`
}

// runBenchSegments downloads one file from a loopback server that paces each
// connection, once per connection count, and compares the time with the ideal
// size / (rate × connections).
func runBenchSegments(args []string, stdout, stderr io.Writer) int {
	b, code, ok := parseBenchSegments(args, stderr)
	if !ok {
		return code
	}
	p := printer{w: stdout, json: b.json}
	p.linef("one file of %s, %s/s per connection; ideal = size / (rate × connections)",
		humanize.IBytes(uint64(b.size)), humanize.IBytes(uint64(b.rate)))
	rows, sw, err := b.measure(stderr)
	if err != nil {
		return failed(stderr, "bench segments", err)
	}
	t := sw.table(timedColumns(func(i int) timed { return rows[i].timed }),
		[]column{{"sha256", func(i int) string { return okOrWrong(rows[i].Verified) }}})
	if err := p.result(t, rows); err != nil {
		return failed(stderr, "bench segments", err)
	}
	for _, r := range rows {
		if !r.Verified {
			return 1
		}
	}
	return 0
}

func parseBenchSegments(args []string, stderr io.Writer) (b benchSegments, code int, ok bool) {
	fs := newFlagSet("bench segments", benchSegmentsSynopsis, stderr, scalingDoc)
	b.counts = intList{1, 2, 4, 8, 16}
	fs.Var(&b.counts, "connections", "connection counts to measure, comma-separated (1 to 32)")
	fs.BoolVar(&b.json, "json", false, "print JSON instead of a table")
	b.size, b.rate = 256<<20, 8<<20
	fs.Var(&b.size, "size", "bytes in the file")
	fs.Var(&b.rate, "rate", "server's bytes per second per connection")
	if code, ok := parseFlags(fs, args); !ok {
		return b, code, false
	}
	bad := b.size < 1 || b.rate < 1 || fs.NArg() > 0
	for _, c := range b.counts {
		bad = bad || c > downloader.MaxConnections
	}
	if bad {
		fmt.Fprintln(stderr, "potok bench segments: -size and -rate must be at least 1 byte, -connections from 1 to 32, and no arguments")
		return b, 2, false
	}
	return b, 0, true
}

// measure fetches the file once per connection count, saying on stderr when
// what arrived is not the server's file.
func (b benchSegments) measure(stderr io.Writer) ([]segRow, *sweep, error) {
	srv := demoserver.NewServer(demoserver.WithRate(int64(b.rate)))
	defer srv.Close()
	const name = "segments.bin"
	url := srv.FileURL(name, int64(b.size))
	want := demoserver.SHA256(name, int64(b.size))
	sw := &sweep{unit: "connections"}
	var rows []segRow
	for _, c := range b.counts {
		secs, sum, err := segmentsOnce(url, c, int64(b.size))
		if err != nil {
			return nil, nil, fmt.Errorf("%d connections: %w", c, err)
		}
		ideal := float64(b.size) / (float64(b.rate) * float64(c))
		rows = append(rows, segRow{Connections: c, Verified: sum == want,
			timed: timed{Seconds: secs, Ideal: ideal, scaling: sw.add(c, secs)}})
		if sum != want {
			fmt.Fprintf(stderr, "potok bench segments: %d connections: sha256 %s, the server's file is %s\n", c, sum, want)
		}
	}
	return rows, sw, nil
}

func okOrWrong(ok bool) string {
	if ok {
		return "ok"
	}
	return "WRONG"
}

// segmentsOnce downloads url over conns connections into a temporary folder
// and returns the time it took and the file's sha256.
func segmentsOnce(url string, conns int, size int64) (float64, string, error) {
	dir, err := os.MkdirTemp("", "potok-bench-segments-")
	if err != nil {
		return 0, "", fmt.Errorf("make a temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)
	e, err := downloader.New(downloader.Options{Dir: dir, Parallel: conns, Connections: conns, SegmentThreshold: size})
	if err != nil {
		return 0, "", err
	}
	defer e.Close()
	t0 := time.Now()
	if _, err := e.Add(downloader.Entry{URL: url}); err != nil {
		return 0, "", err
	}
	if err := e.Wait(context.Background()); err != nil {
		return 0, "", err
	}
	secs := time.Since(t0).Seconds()
	f := e.Snapshot().Files[0]
	if f.State != downloader.StateDone {
		return 0, "", fmt.Errorf("download %s: %s", f.State, f.Err)
	}
	sum, err := fileSHA256(f.Path)
	return secs, sum, err
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open the downloaded file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read the downloaded file: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
