package downloader_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"potok/downloader"
	dt "potok/downloader/demoserver"
	"potok/downloader/internal/safefs"
)

// BenchmarkParseList parses a pasted list of 10,000 URLs (the GUI must not
// freeze on one).
func BenchmarkParseList(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "https://mirror%d.example.org/pub/files/archive-%d.tar.gz\n", i%7, i)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		l, _ := downloader.ParseList(strings.NewReader(in))
		if len(l.Entries) != 10000 {
			b.Fatal(len(l.Entries))
		}
	}
}

func BenchmarkSafeName(b *testing.B) {
	names := []string{"report.pdf", "../../etc/passwd", "a<b>c:d.txt", strings.Repeat("é", 300) + ".tar.gz"}
	for b.Loop() {
		for _, n := range names {
			_ = safefs.SafeName(n)
		}
	}
}

// BenchmarkSmallFiles downloads 200 files of 8 KiB from the loopback test
// server, 32 at once: the per-file overhead of the engine.
func BenchmarkSmallFiles(b *testing.B) {
	s := dt.NewServer()
	defer s.Close()
	var entries []downloader.Entry
	for _, u := range s.List(200, 8<<10) {
		entries = append(entries, downloader.Entry{URL: u})
	}
	b.ReportAllocs()
	for b.Loop() {
		e, err := downloader.New(downloader.Options{Dir: b.TempDir(), Parallel: 32})
		if err != nil {
			b.Fatal(err)
		}
		e.Add(entries...)
		e.Wait(context.Background())
		if snap := e.Snapshot(); snap.Done != len(entries) {
			b.Fatalf("%+v", snap.Totals)
		}
		e.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(entries)), "µs/file")
}

// BenchmarkSnapshot polls an engine holding 10,000 paused downloads, as the
// window does 10 times a second.
func BenchmarkSnapshot(b *testing.B) {
	s := dt.NewServer()
	defer s.Close()
	e, err := downloader.New(downloader.Options{Dir: b.TempDir(), Parallel: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var entries []downloader.Entry
	for _, u := range s.List(10000, 1) {
		entries = append(entries, downloader.Entry{URL: u})
	}
	e.SetLimit(1)
	e.Add(entries...)
	e.PauseAll()
	e.Wait(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		if snap := e.Snapshot(); len(snap.Files) != 10000 {
			b.Fatal(len(snap.Files))
		}
	}
}
