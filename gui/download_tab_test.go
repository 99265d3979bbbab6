package gui

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// newTestTab builds the tab in Fyne's test app, on a temporary folder, with
// slow work run inline so the test owns every widget call.
func newTestTab(t *testing.T) *downloadTab {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	tab := newDownloadTab(a, w)
	tab.async = func(f func()) { f() }
	w.SetContent(tab.Content)
	w.Resize(fyne.NewSize(1100, 760))
	tab.setFolder(t.TempDir())
	t.Cleanup(tab.close)
	return tab
}

// tickUntil drives the refresh tick until cond holds, with waitFor's
// deadline: the test, not a ticker, owns the UI. A timeout logs the totals.
func tickUntil(t *testing.T, tab *downloadTab, what string, cond func() bool) {
	t.Helper()
	defer func() {
		if t.Failed() {
			t.Logf("totals: %s", tab.TotalsText.Text)
		}
	}()
	waitFor(t, what, func() bool {
		tab.tick()
		return cond()
	})
}

// startPartWay puts urls in the list, presses Download and waits until
// every one of them has bytes on disk.
func startPartWay(t *testing.T, tab *downloadTab, urls ...string) {
	t.Helper()
	tab.URLs.SetText(strings.Join(urls, "\n"))
	test.Tap(tab.Download)
	tickUntil(t, tab, "bytes arriving for each file", func() bool {
		if len(tab.files) != len(urls) {
			return false
		}
		for _, f := range tab.files {
			if f.Done == 0 {
				return false
			}
		}
		return true
	})
}

func allIn(tab *downloadTab, n int, st downloader.State) bool {
	if len(tab.files) != n {
		return false
	}
	for _, f := range tab.files {
		if f.State != st {
			return false
		}
	}
	return true
}

func TestTypeSlideDownload(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	tab := newTestTab(t)
	urls := []string{s.FileURL("a.bin", 3000), s.FileURL("b.bin", 70_000), s.FileURL("c.bin", 1)}
	test.Type(tab.URLs, strings.Join(urls, "\n"))
	if got := strings.Count(tab.URLs.Text, "\n"); got != 2 {
		t.Fatalf("typed %d line breaks: %q", got, tab.URLs.Text)
	}
	tab.Parallel.SetValue(3)
	if tab.ParallelText.Text != "Parallel downloads: 3" {
		t.Fatalf("slider label %q", tab.ParallelText.Text)
	}
	if !strings.Contains(tab.ParallelNote.Text, "BoundedSemaphore: 3 hold a slot, the rest wait") {
		t.Fatalf("slider note %q", tab.ParallelNote.Text)
	}
	test.Tap(tab.Download)
	tickUntil(t, tab, "all done", func() bool { return allIn(tab, 3, downloader.StateDone) })
	if tab.currentEngine().Limit() != 3 {
		t.Fatalf("engine limit %d", tab.currentEngine().Limit())
	}
	for i, name := range []string{"a.bin", "b.bin", "c.bin"} {
		b := readFile(t, filepath.Join(tab.Folder.Text, name))
		if !bytes.Equal(b, dt.Content(name, []int64{3000, 70_000, 1}[i])) {
			t.Fatalf("%s differs", name)
		}
	}
	if !strings.HasPrefix(tab.TotalsText.Text, "3 done · 0 failed · 0 left") || tab.Total.Value != 1 {
		t.Fatalf("totals %q %v", tab.TotalsText.Text, tab.Total.Value)
	}
	if len(tab.logLines) != 3 || !strings.Contains(tab.logLines[0], " finished ") {
		t.Fatalf("log %q", tab.logLines)
	}
	if !tab.TryDemo.Hidden {
		t.Fatal("Try demo still offered with a list")
	}
	// The slider acts on a running engine too.
	tab.Parallel.SetValue(17)
	if tab.currentEngine().Limit() != 17 {
		t.Fatalf("engine limit after slide %d", tab.currentEngine().Limit())
	}
}

func TestBadLinesShowTheirErrors(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	tab := newTestTab(t)
	tab.URLs.SetText("ftp://old.example/x\n" + s.FileURL("ok.bin", 10) + "\nnot a url\n")
	test.Tap(tab.Download)
	if tab.Problems.Hidden || !strings.Contains(tab.Problems.Text, "line 1: scheme \"ftp\"") ||
		!strings.Contains(tab.Problems.Text, "line 3:") {
		t.Fatalf("problems shown %v: %q", !tab.Problems.Hidden, tab.Problems.Text)
	}
	tickUntil(t, tab, "the good line done", func() bool { return allIn(tab, 1, downloader.StateDone) })
}

func TestCtrlEnterStarts(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	tab := newTestTab(t)
	tab.URLs.SetText(s.FileURL("k.bin", 10))
	tab.URLs.TypedShortcut(submitShortcut)
	tickUntil(t, tab, "done", func() bool { return allIn(tab, 1, downloader.StateDone) })
}

func TestPauseResume(t *testing.T) {
	const size = 1 << 20
	s := dt.NewServer(dt.WithRate(256 << 10))
	defer s.Close()
	tab := newTestTab(t)
	startPartWay(t, tab, s.FileURL("p1.bin", size), s.FileURL("p2.bin", size))
	test.Tap(tab.PauseAll)
	tickUntil(t, tab, "paused", func() bool { return allIn(tab, 2, downloader.StatePaused) })
	row := rowOf(tab.Files.CreateItem())
	row.update(tab, tab.files[0])
	if row.pause.Icon != theme.MediaPlayIcon() || row.open.Disabled() == false {
		t.Fatal("a paused row should offer play and no open-folder")
	}
	// One file by its row button, the other with Resume all.
	row.pause.OnTapped()
	tickUntil(t, tab, "first running again", func() bool { return tab.files[0].State != downloader.StatePaused })
	test.Tap(tab.ResumeAll)
	tickUntil(t, tab, "both done", func() bool { return allIn(tab, 2, downloader.StateDone) })
	for _, name := range []string{"p1.bin", "p2.bin"} {
		b := readFile(t, filepath.Join(tab.Folder.Text, name))
		if !bytes.Equal(b, dt.Content(name, size)) {
			t.Fatalf("%s differs after pause and resume", name)
		}
	}
}

func TestFailedRowSaysWhyAndRetries(t *testing.T) {
	s := dt.NewServer(dt.WithFailFirst(1, 404))
	defer s.Close()
	tab := newTestTab(t)
	tab.URLs.SetText(s.FileURL("gone.bin", 10))
	test.Tap(tab.Download)
	tickUntil(t, tab, "failed", func() bool { return allIn(tab, 1, downloader.StateFailed) })
	row := rowOf(tab.Files.CreateItem())
	row.update(tab, tab.files[0])
	if !strings.Contains(row.state.Text, "404") || row.retry.Disabled() {
		t.Fatalf("row state %q, retry disabled %v", row.state.Text, row.retry.Disabled())
	}
	test.Tap(tab.RetryFailed)
	tickUntil(t, tab, "done after retry", func() bool { return allIn(tab, 1, downloader.StateDone) })
}

func TestSettingsValidatedAndRemembered(t *testing.T) {
	tab := newTestTab(t)
	test.Type(tab.RateLimit, "fast")
	if tab.SettingsNote.Hidden || !strings.Contains(tab.SettingsNote.Text, "speed limit") {
		t.Fatalf("no complaint about %q: %q", tab.RateLimit.Text, tab.SettingsNote.Text)
	}
	tab.RateLimit.SetText("2MiB")
	tab.PerHost.SetText("4")
	tab.Parallel.SetValue(12)
	if !tab.SettingsNote.Hidden {
		t.Fatalf("complaint stays: %q", tab.SettingsNote.Text)
	}
	again := newDownloadTab(tab.app, tab.win)
	t.Cleanup(again.close)
	if again.RateLimit.Text != "2MiB" || again.PerHost.Text != "4" || again.Parallel.Value != 12 ||
		again.Folder.Text != tab.Folder.Text {
		t.Fatalf("not remembered: %q %q %v %q", again.RateLimit.Text, again.PerHost.Text, again.Parallel.Value, again.Folder.Text)
	}
}

// TestConnectionsSliderAppliesAndIsRemembered: the slider's value goes into
// a new engine, to a running one at once, and into the preferences.
func TestConnectionsSliderAppliesAndIsRemembered(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	tab := newTestTab(t)
	if tab.Connections.Value != downloader.DefaultConnections || tab.ConnectionsText.Text != "Connections per file: 8" {
		t.Fatalf("default %v %q", tab.Connections.Value, tab.ConnectionsText.Text)
	}
	if !strings.Contains(tab.ConnectionsNote.Text, "parallel download slot") || !strings.Contains(tab.ConnectionsNote.Text, "up to 8 now") {
		t.Fatalf("note %q", tab.ConnectionsNote.Text)
	}
	tab.Connections.SetValue(3)
	tab.URLs.SetText(s.FileURL("c.bin", 100))
	test.Tap(tab.Download)
	if got := tab.currentEngine().Connections(); got != 3 {
		t.Fatalf("new engine has %d connections per file, want 3", got)
	}
	tab.Connections.SetValue(20)
	if got := tab.currentEngine().Connections(); got != 20 {
		t.Fatalf("after the slide the engine has %d connections per file, want 20", got)
	}
	if tab.ConnectionsText.Text != "Connections per file: 20" || !strings.Contains(tab.ConnectionsNote.Text, "up to 8 now") {
		t.Fatalf("label %q, note %q (parallel is 8)", tab.ConnectionsText.Text, tab.ConnectionsNote.Text)
	}
	tab.Parallel.SetValue(32)
	if !strings.Contains(tab.ConnectionsNote.Text, "up to 20 now") {
		t.Fatalf("note after parallel 32: %q", tab.ConnectionsNote.Text)
	}
	tab.PerHost.SetText("4")
	if !strings.Contains(tab.ConnectionsNote.Text, "per-host slot") || !strings.Contains(tab.ConnectionsNote.Text, "up to 4 now") {
		t.Fatalf("note with a per-host cap of 4: %q", tab.ConnectionsNote.Text)
	}
	tickUntil(t, tab, "done", func() bool { return allIn(tab, 1, downloader.StateDone) })

	tab.close()                               // one Potok per folder: the first lets go of it
	again := newDownloadTab(tab.app, tab.win) // the folder's queue brings an engine back
	t.Cleanup(again.close)
	if again.Connections.Value != 20 || again.ConnectionsText.Text != "Connections per file: 20" {
		t.Fatalf("not remembered: %v %q", again.Connections.Value, again.ConnectionsText.Text)
	}
	if e := again.currentEngine(); e == nil || e.Connections() != 20 {
		t.Fatalf("restored engine: %v", e)
	}
}

func TestDemoFillsTheList(t *testing.T) {
	tab := newTestTab(t)
	if tab.TryDemo.Hidden {
		t.Fatal("Try demo not offered on an empty list")
	}
	test.Tap(tab.TryDemo)
	if n := strings.Count(tab.URLs.Text, "\n"); n != demoFiles || !strings.Contains(tab.URLs.Text, "http://127.0.0.1:") {
		t.Fatalf("demo list: %d lines: %q", n, tab.URLs.Text)
	}
	if !tab.TryDemo.Hidden {
		t.Fatal("Try demo still shown")
	}
}

func TestDropListAndLinks(t *testing.T) {
	tab := newTestTab(t)
	list := filepath.Join(t.TempDir(), "list.txt")
	writeFile(t, list, "http://a.example/1\nhttp://a.example/2\n")
	tab.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(list), mustURI(t, "https://b.example/3")})
	if tab.URLs.Text != "http://a.example/1\nhttp://a.example/2\nhttps://b.example/3\n" {
		t.Fatalf("after drop: %q", tab.URLs.Text)
	}
}

func TestMeasureSpeedupDrawsChart(t *testing.T) {
	s := dt.NewServer(dt.WithTTFB(50 * time.Millisecond))
	defer s.Close()
	tab := newTestTab(t)
	tab.URLs.SetText(strings.Join(s.List(8, 1000), "\n"))
	test.Tap(tab.Measure.Start)
	pts := tab.Measure.Chart.Points()
	if len(pts) != len(sweepWorkers) || pts[0].Workers != 1 || pts[len(pts)-1].Workers != 32 {
		t.Fatalf("points %+v; status %q", pts, tab.Measure.Status.Text)
	}
	if !strings.Contains(tab.Measure.Status.Text, "speedup") || tab.Measure.SavePNG.Disabled() {
		t.Fatalf("status %q", tab.Measure.Status.Text)
	}
	// 8 requests of 50 ms one at a time cannot beat 400 ms; 8 at once take
	// about 50 ms (the margin is for a loaded machine's local work per file).
	if pts[0].Seconds < 0.4 || pts[3].Seconds > pts[0].Seconds/2 {
		t.Fatalf("no speedup measured: %+v", pts)
	}
}

func TestLongListsStayOutOfTheField(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	tab := newTestTab(t)
	long := strings.Join(s.List(inlineLines+100, 10), "\n") + "\nftp://bad/line\n"
	// A paste of a long list goes beside the field, not into it.
	cb := tab.app.Clipboard()
	cb.SetContent(long)
	tab.URLs.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
	if tab.URLs.Text != "" || tab.bulkBox.Hidden || !strings.Contains(tab.BulkText.Text, "pasted text: 601 lines") {
		t.Fatalf("field %d bytes, bulk %q", len(tab.URLs.Text), tab.BulkText.Text)
	}
	// A short paste still goes into the field.
	cb.SetContent(s.FileURL("short.bin", 10))
	tab.URLs.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
	if !strings.Contains(tab.URLs.Text, "short.bin") {
		t.Fatalf("short paste not in the field: %q", tab.URLs.Text)
	}
	tab.Parallel.SetValue(32)
	test.Tap(tab.Download)
	if !strings.Contains(tab.Problems.Text, "pasted text, line 601: scheme") {
		t.Fatalf("problems %q", tab.Problems.Text)
	}
	tickUntil(t, tab, "all done", func() bool { return allIn(tab, inlineLines+101, downloader.StateDone) })
	test.Tap(tab.ClearBulk)
	if !tab.bulkBox.Hidden {
		t.Fatal("Clear left the long list")
	}
}
