package gui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"potok/downloader"
)

// BenchmarkComputeTick is the Compute tab's share of a window tick, idle and
// while a job reports progress (the bar moves on every tick).
func BenchmarkComputeTick(b *testing.B) {
	a := test.NewTempApp(b)
	w := test.NewTempWindow(b, nil)
	c := newComputeTab(a, w)
	w.SetContent(c.Content)
	b.Run("idle", func(b *testing.B) {
		for b.Loop() {
			c.tick()
		}
	})
	b.Run("busy", func(b *testing.B) {
		c.start(1 << 40)
		defer c.finish()
		for b.Loop() {
			c.done.Add(1 << 20)
			c.tick()
		}
	})
}

// BenchmarkApplySnapshot is the Download tab's share of a window tick on a
// list of 10,000 files of which one changed: compare, refresh the list (the
// visible rows redraw only when their file changed), totals.
func BenchmarkApplySnapshot(b *testing.B) {
	a := test.NewTempApp(b)
	w := test.NewTempWindow(b, nil)
	tab := newDownloadTab(a, w)
	w.SetContent(tab.Content)
	w.Resize(fyne.NewSize(1100, 760))
	b.Cleanup(tab.close)
	const n = 10_000
	files := make([]downloader.FileStatus, n)
	for i := range files {
		files[i] = downloader.FileStatus{ID: downloader.ID(i + 1), Name: fmt.Sprintf("file%05d.bin", i),
			State: downloader.StateRunning, Size: 1 << 20, Done: int64(i), Speed: 1 << 20, ETA: time.Second}
	}
	s := downloader.Snapshot{Files: files}
	s.Count, s.Running, s.BytesTotal = n, n, n<<20
	other := slices.Clone(files)
	other[3].Done += 4096 // a visible row
	lists := [2][]downloader.FileStatus{files, other}
	tab.apply(s, nil)
	i := 0
	for b.Loop() {
		i++
		s.Files = lists[i%2] // each tick one row differs from the last
		tab.apply(s, nil)
	}
}
