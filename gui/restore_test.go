package gui

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TestReopenRestoresTheList closes the window's tab in the middle of two
// downloads, after a third finished, and opens a new one on the same folder:
// the list comes back with its states, Resume all finishes the two from their
// .part files, and with the setting on they continue by themselves.
func TestReopenRestoresTheList(t *testing.T) {
	const size = 400_000
	slow := dt.NewServer(dt.WithRate(256 << 10))
	defer slow.Close()
	fast := dt.NewServer()
	defer fast.Close()
	dir := t.TempDir()

	tab := newTestTab(t)
	tab.setFolder(dir)
	tab.URLs.SetText(fast.FileURL("f.bin", 1000) + "\n" + slow.FileURL("s1.bin", size) + "\n" + slow.FileURL("s2.bin", size))
	test.Tap(tab.Download)
	tickUntil(t, tab, "one done and two part-way", func() bool {
		return len(tab.files) == 3 && tab.files[0].State == downloader.StateDone &&
			tab.files[1].Done > 0 && tab.files[2].Done > 0
	})
	tab.close() // what closing the window does

	for _, auto := range []bool{false, true} {
		again := newTestTab(t)
		again.AutoResume.SetChecked(auto)
		again.setFolder(dir)
		again.tick()
		if len(again.files) != 3 || again.files[0].State != downloader.StateDone {
			t.Fatalf("auto=%v: restored %d rows: %+v", auto, len(again.files), again.files)
		}
		if !auto {
			for _, f := range again.files[1:] {
				if f.State != downloader.StatePaused || f.Done == 0 {
					t.Fatalf("unfinished download restored as %s with %d bytes, want paused with its bytes", f.State, f.Done)
				}
			}
			again.close() // still unfinished: the next round continues them by itself
			continue
		}
		tickUntil(t, again, "all done without pressing anything", func() bool { return allIn(again, 3, downloader.StateDone) })
	}
	for _, name := range []string{"s1.bin", "s2.bin"} {
		b := readFile(t, filepath.Join(dir, name))
		if !bytes.Equal(b, dt.Content(name, size)) {
			t.Fatalf("%s differs after the restart", name)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 3 {
		t.Fatalf("folder holds %d entries, want the 3 files", len(ents))
	}
}

// TestClearFinished takes done rows off the list and out of the kept queue.
func TestClearFinished(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	tab := newTestTab(t)
	tab.URLs.SetText(s.FileURL("a.bin", 100) + "\n" + s.FileURL("b.bin", 100))
	test.Tap(tab.Download)
	tickUntil(t, tab, "done", func() bool { return allIn(tab, 2, downloader.StateDone) })
	test.Tap(tab.ClearDone)
	tickUntil(t, tab, "cleared", func() bool { return len(tab.files) == 0 })
	dir := tab.Folder.Text
	tab.close()
	again := newTestTab(t)
	again.setFolder(dir)
	again.tick()
	if len(again.files) != 0 {
		t.Fatalf("cleared downloads came back: %d rows", len(again.files))
	}
}
