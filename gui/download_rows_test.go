package gui

import (
	"net/url"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TestDoubleTapOpensAFinishedFile: a double tap on a finished row opens the
// file; on a failed one it opens nothing; the row's folder button opens the
// folder.
func TestDoubleTapOpensAFinishedFile(t *testing.T) {
	s := dt.NewServer(dt.WithFaultsOn(func(name string) bool { return name == "gone.bin" }), dt.WithFailFirst(1, 404))
	defer s.Close()
	tab := newTestTab(t)
	var opened []string
	tab.openURL = func(u *url.URL) error {
		opened = append(opened, u.String())
		return nil
	}
	tab.URLs.SetText(s.FileURL("done file.bin", 10) + "\n" + s.FileURL("gone.bin", 10))
	test.Tap(tab.Download)
	tickUntil(t, tab, "one done, one failed", func() bool {
		return len(tab.files) == 2 && tab.files[0].State == downloader.StateDone && tab.files[1].State == downloader.StateFailed
	})
	failed := shownRow(tab, tab.files[1].ID)
	if failed == nil {
		t.Fatal("the failed file has no row on screen")
	}
	test.DoubleTap(failed.box)
	if len(opened) != 0 {
		t.Fatalf("a double tap on a failed row opened %q", opened)
	}
	done := shownRow(tab, tab.files[0].ID)
	if done == nil {
		t.Fatal("the finished file has no row on screen")
	}
	test.DoubleTap(done.box)
	path := filepath.Join(tab.Folder.Text, "done file.bin")
	want := (&url.URL{Scheme: "file", Path: path}).String()
	if len(opened) != 1 || opened[0] != want {
		t.Fatalf("double tap opened %q, want %q", opened, want)
	}
	test.Tap(done.open)
	if len(opened) != 2 || opened[1] != (&url.URL{Scheme: "file", Path: tab.Folder.Text}).String() {
		t.Fatalf("the folder button opened %q", opened[1:])
	}
}
