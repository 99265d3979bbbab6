package downloader_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

func TestSweepScalesWithWorkers(t *testing.T) {
	s := newServer(t, dt.WithTTFB(100*time.Millisecond))
	var entries []downloader.Entry
	for _, u := range s.List(8, 1000) {
		entries = append(entries, downloader.Entry{URL: u})
	}
	base := t.TempDir()
	sw := downloader.NewSweep(entries, []int{1, 8}, downloader.Options{Dir: base})
	rows, err := sw.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Done != 8 || rows[1].Done != 8 {
		t.Fatalf("%+v", rows)
	}
	// 8 sequential requests of 100 ms cannot beat 800 ms; 8 at once take
	// ~100 ms (the margin is for a loaded machine's local work per file).
	if rows[0].Seconds < 0.8 || rows[1].Seconds >= rows[0].Seconds/3 {
		t.Fatalf("no speedup: %+v", rows)
	}
	if p := sw.Progress(); p.Run != 2 || p.Runs != 2 {
		t.Fatalf("progress %+v", p)
	}
	if ents, _ := os.ReadDir(base); len(ents) != 0 {
		t.Fatalf("temporary folders left: %v", ents)
	}
}

func TestSweepCancel(t *testing.T) {
	s := newServer(t, dt.WithRate(10<<10))
	sw := downloader.NewSweep([]downloader.Entry{{URL: s.FileURL("slow.bin", 1<<20)}}, []int{1, 2}, downloader.Options{Dir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan bool)
	go func() {
		ok := downloader.Eventually(20*time.Second, func() bool { return sw.Progress().Workers > 0 })
		cancel()
		started <- ok
	}()
	rows, err := sw.Run(ctx)
	if !<-started {
		t.Fatal("the sweep never started")
	}
	if !errors.Is(err, context.Canceled) || len(rows) != 0 {
		t.Fatalf("rows %v err %v", rows, err)
	}
}
