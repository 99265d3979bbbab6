package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"potok/downloader"
)

// progressView shows a download run: update is called ten times a second with
// the engine's state and the events since the last call; finish once at the end.
type progressView interface {
	update(s downloader.Snapshot, evs []downloader.Event)
	finish(s downloader.Snapshot)
}

// plainView prints a line per finished file, retry and failure: for logs, pipes
// and CI, where redrawn bars would be noise.
type plainView struct {
	w      io.Writer
	failed map[downloader.ID]bool
}

func (v *plainView) update(s downloader.Snapshot, evs []downloader.Event) {
	for _, ev := range evs {
		fmt.Fprintln(v.w, ev.String())
	}
	if s.Failed == 0 {
		return
	}
	if v.failed == nil {
		v.failed = make(map[downloader.ID]bool)
	}
	for _, f := range s.Files {
		if f.State == downloader.StateFailed && !v.failed[f.ID] {
			v.failed[f.ID] = true
			fmt.Fprintf(v.w, "failed %s: %s\n", f.Name, f.Err)
		}
	}
}

func (v *plainView) finish(downloader.Snapshot) {}

// quietView prints nothing while running; failures come with the summary.
type quietView struct{ w io.Writer }

func (quietView) update(downloader.Snapshot, []downloader.Event) {}
func (quietView) finish(downloader.Snapshot)                     {}

// barsView draws a total bar and one bar per running file with mpb, and prints
// finished files above them. Bars exist only while a file runs, so a list of
// ten thousand files costs as many bars as there are workers. mpb writes to
// the terminal itself (it must, to know it is one); what it fails to draw it
// reports to standard output's checkedWriter.
type barsView struct {
	p     *mpb.Progress
	total *mpb.Bar
	bars  map[downloader.ID]*fileBar

	mu   sync.Mutex // guards last, read by decorators on mpb's goroutine
	last downloader.Snapshot
}

type fileBar struct {
	bar *mpb.Bar
	mu  sync.Mutex
	f   downloader.FileStatus
}

func newBarsView(stdout io.Writer) *barsView {
	tty, _ := terminal(stdout)
	v := &barsView{
		p: mpb.New(mpb.WithOutput(tty), mpb.WithDebugOutput(failureLog(stdout)),
			mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond)),
		bars: make(map[downloader.ID]*fileBar),
	}
	v.total = v.p.AddBar(0,
		mpb.BarPriority(1<<30), // stays at the bottom
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			v.mu.Lock()
			defer v.mu.Unlock()
			t := v.last.Totals
			return fmt.Sprintf("total %d/%d files, %d running", t.Done, t.Count, t.Running)
		}, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			v.mu.Lock()
			defer v.mu.Unlock()
			t := v.last.Totals
			return fmt.Sprintf("%s / %s  %s/s  ETA %s", humanize.Bytes(uint64(t.BytesDone)),
				humanize.Bytes(uint64(t.BytesTotal)), humanize.Bytes(uint64(t.Speed)), eta(t.ETA))
		})),
	)
	return v
}

func (v *barsView) update(s downloader.Snapshot, evs []downloader.Event) {
	v.mu.Lock()
	v.last = s
	v.mu.Unlock()
	for _, ev := range evs {
		if ev.Kind == downloader.EventFinished {
			fmt.Fprintln(v.p, ev.String())
		}
	}
	for _, f := range s.Files {
		fb := v.bars[f.ID]
		if f.State != downloader.StateRunning {
			if fb != nil {
				if f.State == downloader.StateFailed {
					fmt.Fprintf(v.p, "failed %s: %s\n", f.Name, f.Err)
				}
				fb.bar.Abort(true)
				delete(v.bars, f.ID)
			}
			continue
		}
		if fb == nil {
			fb = &fileBar{}
			fb.bar = v.p.AddBar(max(f.Size, 0),
				mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
					fb.mu.Lock()
					defer fb.mu.Unlock()
					return clip(fb.f.Name, 28)
				}, decor.WCSyncSpaceR)),
				mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
					fb.mu.Lock()
					defer fb.mu.Unlock()
					size := "?"
					if fb.f.Size >= 0 {
						size = humanize.Bytes(uint64(fb.f.Size))
					}
					return fmt.Sprintf("%s / %s  %s/s  ETA %s", humanize.Bytes(uint64(fb.f.Done)), size,
						humanize.Bytes(uint64(fb.f.Speed)), eta(fb.f.ETA))
				})),
			)
			v.bars[f.ID] = fb
		}
		fb.mu.Lock()
		fb.f = f
		fb.mu.Unlock()
		if f.Size > 0 {
			fb.bar.SetTotal(f.Size, false)
		}
		fb.bar.SetCurrent(f.Done)
	}
	if s.BytesTotal > 0 {
		v.total.SetTotal(s.BytesTotal, false)
	}
	v.total.SetCurrent(s.BytesDone)
}

func (v *barsView) finish(s downloader.Snapshot) {
	v.update(s, nil)
	for id, fb := range v.bars {
		fb.bar.Abort(true)
		delete(v.bars, id)
	}
	v.total.Abort(false)
	v.p.Wait()
}

func eta(d time.Duration) string {
	if s := downloader.FormatETA(d); s != "" {
		return s
	}
	return "–"
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return fmt.Sprintf("%-*s", n, s)
	}
	return string(r[:n-1]) + "…"
}
