package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader"
	"potok/downloader/demoserver"
)

const (
	benchSynopsis = "bench io [-workers 1,2,4,8,16,32] [-files 64] [-size 256KiB] [-latency 100ms] [-rate 2MiB] [-json]\n" +
		"       potok bench segments [-size 256MiB] [-rate 8MiB] [-connections 1,2,4,8,16] [-json]"
	benchIOSynopsis       = "bench io [-workers 1,2,4,8,16,32] [-files 64] [-size 256KiB] [-latency 100ms] [-rate 2MiB] [-json]"
	benchSegmentsSynopsis = "bench segments [-size 256MiB] [-rate 8MiB] [-connections 1,2,4,8,16] [-json]"
)

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
	if len(args) > 0 && args[0] == "segments" {
		return runBenchSegments(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "io" {
		fmt.Fprintf(stderr, "usage: potok %s\n", benchSynopsis)
		if len(args) == 0 {
			return 2
		}
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			return 0
		}
		fmt.Fprintf(stderr, "potok bench: unknown benchmark %q (there are: io, segments)\n", args[0])
		return 2
	}
	fs := newFlagSet("bench io", benchIOSynopsis, stderr)
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
	srv := demoserver.NewServer(demoserver.WithTTFB(*latency), demoserver.WithRate(int64(rate)))
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

// segRow is one connection count of a segments sweep.
type segRow struct {
	Connections int     `json:"connections"`
	Seconds     float64 `json:"seconds"`
	Ideal       float64 `json:"ideal_seconds"`
	Speedup     float64 `json:"speedup"`
	Efficiency  float64 `json:"efficiency"`
	Verified    bool    `json:"sha256_ok"`
}

// runBenchSegments downloads one file from a loopback server that paces each
// connection, once per connection count, and compares the time with the ideal
// size / (rate × connections).
func runBenchSegments(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench segments", benchSegmentsSynopsis, stderr)
	counts := intList{1, 2, 4, 8, 16}
	fs.Var(&counts, "connections", "connection counts to measure, comma-separated (1 to 32)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	size, rate := byteSize(256<<20), byteSize(8<<20)
	fs.Var(&size, "size", "bytes in the file")
	fs.Var(&rate, "rate", "server's bytes per second per connection")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	bad := size < 1 || rate < 1 || fs.NArg() > 0
	for _, c := range counts {
		bad = bad || c > downloader.MaxConnections
	}
	if bad {
		fmt.Fprintln(stderr, "potok bench segments: -size and -rate must be at least 1 byte, -connections from 1 to 32, and no arguments")
		return 2
	}
	srv := demoserver.NewServer(demoserver.WithRate(int64(rate)))
	defer srv.Close()
	const name = "segments.bin"
	url := srv.FileURL(name, int64(size))
	if !*asJSON {
		fmt.Fprintf(stdout, "one file of %s, %s/s per connection; ideal = size / (rate × connections)\n",
			humanize.IBytes(uint64(size)), humanize.IBytes(uint64(rate)))
	}
	want := demoserver.SHA256(name, int64(size))
	var rows []segRow
	for _, c := range counts {
		secs, sum, err := segmentsOnce(url, c, int64(size))
		if err != nil {
			fmt.Fprintf(stderr, "potok bench segments: %d connections: %v\n", c, err)
			return 1
		}
		ideal := float64(size) / (float64(rate) * float64(c))
		row := segRow{Connections: c, Seconds: secs, Ideal: ideal, Efficiency: ideal / secs, Verified: sum == want}
		row.Speedup = float64(c)
		if len(rows) > 0 {
			row.Speedup = rows[0].Seconds / secs * float64(rows[0].Connections)
		}
		rows = append(rows, row)
		if !row.Verified {
			fmt.Fprintf(stderr, "potok bench segments: %d connections: sha256 %s, the server's file is %s\n", c, sum, want)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rows)
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "connections\ttime s\tideal s\tspeedup\tefficiency\tsha256\t")
		for _, r := range rows {
			ok := "ok"
			if !r.Verified {
				ok = "WRONG"
			}
			fmt.Fprintf(tw, "%d\t%.3f\t%.3f\t%.2f\t%.3f\t%s\t\n", r.Connections, r.Seconds, r.Ideal, r.Speedup, r.Efficiency, ok)
		}
		tw.Flush()
		if len(rows) > 0 && rows[0].Connections != 1 {
			fmt.Fprintf(stdout, "speedup is relative to %d connections, scaled by %d\n", rows[0].Connections, rows[0].Connections)
		}
	}
	for _, r := range rows {
		if !r.Verified {
			return 1
		}
	}
	return 0
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
