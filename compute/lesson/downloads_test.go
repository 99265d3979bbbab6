package lesson

import (
	"context"
	"errors"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

func demoEntries(t *testing.T, files int, size int64, opts ...dt.Option) []downloader.Entry {
	srv := dt.NewServer(opts...)
	t.Cleanup(srv.Close)
	var entries []downloader.Entry
	for _, u := range srv.List(files, size) {
		entries = append(entries, downloader.Entry{URL: u})
	}
	return entries
}

// TestDownloadSweepInEveryMode: every file arrives in every mode at every
// worker count (processes mode: children each running an engine on their
// share); under the GIL the transfers took the lock.
func TestDownloadSweepInEveryMode(t *testing.T) {
	entries := demoEntries(t, 6, 32<<10, dt.WithTTFB(5*time.Millisecond))
	for _, m := range Modes {
		s := NewDownloadSweep(m, entries, []int{1, 2, 4}, downloader.Options{Retries: -1})
		rows, err := s.Run(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if len(rows) != 3 {
			t.Fatalf("%s: %+v", m, rows)
		}
		for i, r := range rows {
			if r.Mode != m || r.Workers != []int{1, 2, 4}[i] || r.Done != 6 || r.Failed != 0 || r.Seconds <= 0 {
				t.Fatalf("%s: row %d %+v", m, i, r)
			}
		}
		if p := s.Progress(); p.Run != 3 || p.Runs != 3 {
			t.Fatalf("%s: progress at the end %+v", m, p)
		}
		if st := s.GILStats(); (m == GIL) != (st.Acquired > 0) {
			t.Fatalf("%s: GIL stats %+v", m, st)
		}
		if _, err := s.Run(context.Background()); err == nil {
			t.Fatalf("%s: a second Run accepted", m)
		}
	}
}

// TestDownloadsInProcessesCancel: a cancelled run ends at once with the
// context's error and leaves no worker process.
func TestDownloadsInProcessesCancel(t *testing.T) {
	entries := demoEntries(t, 4, 1<<20, dt.WithRate(64<<10))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := NewDownloadSweep(Processes, entries, []int{2}, downloader.Options{Retries: -1})
	done := make(chan error, 1)
	go func() {
		_, err := s.Run(ctx)
		done <- err
	}()
	waitFor(t, "two worker processes", func() bool { return countChildren(t) >= 2 })
	if p := s.Progress(); p.Workers != 2 || p.Run != 0 {
		t.Fatalf("progress %+v", p)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if n := countChildren(t); n != 0 {
		t.Fatalf("%d worker processes left", n)
	}
}
