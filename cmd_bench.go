package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader"
	"potok/downloader/downloadertest"
)

const benchSynopsis = "bench io [-workers 1,2,4,8,16,32] [-files 64] [-size 256KiB] [-latency 100ms] [-rate 2MiB] [-json]"

// ioRow is one worker count of an I/O sweep.
type ioRow struct {
	Workers    int     `json:"workers"`
	Seconds    float64 `json:"seconds"`
	Ideal      float64 `json:"ideal_seconds"`
	Speedup    float64 `json:"speedup"`
	Efficiency float64 `json:"efficiency"`
	Files      int     `json:"files_ok"`
}

func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "io" {
		fmt.Fprintf(stderr, "usage: potok %s\n", benchSynopsis)
		if len(args) == 0 {
			return 2
		}
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			return 0
		}
		fmt.Fprintf(stderr, "potok bench: unknown benchmark %q (there is: io)\n", args[0])
		return 2
	}
	fs := newFlagSet("bench io", benchSynopsis, stderr)
	workers := intList{1, 2, 4, 8, 16, 32}
	fs.Var(&workers, "workers", "worker counts to measure, comma-separated")
	files := fs.Int("files", 64, "files per run")
	latency := fs.Duration("latency", 100*time.Millisecond, "server's time to first byte, per request")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	size, rate, chunk := byteSize(256<<10), byteSize(2<<20), byteSize(0)
	fs.Var(&size, "size", "bytes per file")
	fs.Var(&rate, "rate", "server's bytes per second per connection (0: unlimited)")
	fs.Var(&chunk, "chunk", "bytes per read and write (default: adaptive)")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if *files < 1 || *latency < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok bench io: -files must be at least 1, -latency not negative, and no arguments")
		return 2
	}
	srv := downloadertest.NewServer(downloadertest.WithTTFB(*latency), downloadertest.WithRate(int64(rate)))
	defer srv.Close()
	urls := srv.List(*files, int64(size))
	perFile := latency.Seconds()
	if rate > 0 {
		perFile += float64(size) / float64(rate)
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "%d files × %s, %v to first byte, %s/s per connection; ideal = ceil(files/workers) × %.3f s\n",
			*files, humanize.IBytes(uint64(size)), *latency, humanize.IBytes(uint64(rate)), perFile)
	}
	entries := make([]downloader.Entry, len(urls))
	for i, u := range urls {
		entries[i] = downloader.Entry{URL: u}
	}
	measured, err := downloader.NewSweep(entries, workers, downloader.Options{ChunkSize: int(chunk), Retries: -1}).Run(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "potok bench io: %v\n", err)
		return 1
	}
	var rows []ioRow
	for _, m := range measured {
		ideal := math.Ceil(float64(*files)/float64(m.Workers)) * perFile
		row := ioRow{Workers: m.Workers, Seconds: m.Seconds, Ideal: ideal, Efficiency: ideal / m.Seconds, Files: m.Done}
		row.Speedup = float64(m.Workers)
		if len(rows) > 0 {
			row.Speedup = rows[0].Seconds / m.Seconds * float64(rows[0].Workers)
		}
		rows = append(rows, row)
		if m.Done != *files {
			fmt.Fprintf(stderr, "potok bench io: only %d of %d files arrived at %d workers\n", m.Done, *files, m.Workers)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rows)
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "workers\ttime s\tideal s\tspeedup\tefficiency\t")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%.3f\t%.3f\t%.2f\t%.3f\t\n", r.Workers, r.Seconds, r.Ideal, r.Speedup, r.Efficiency)
		}
		tw.Flush()
		if len(rows) > 0 && rows[0].Workers != 1 {
			fmt.Fprintf(stdout, "speedup is relative to %d workers, scaled by %d\n", rows[0].Workers, rows[0].Workers)
		}
	}
	for _, r := range rows {
		if r.Files != *files {
			return 1
		}
	}
	return 0
}
