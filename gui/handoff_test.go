package gui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// recWindow is a test window that counts what the window asks of it; Close
// is only counted (the test app's window is closed by the test's cleanup).
type recWindow struct {
	fyne.Window
	shown, hidden, focused, closed int
	intercept                      func()
}

func (w *recWindow) Show()                      { w.shown++; w.Window.Show() }
func (w *recWindow) Hide()                      { w.hidden++; w.Window.Hide() }
func (w *recWindow) RequestFocus()              { w.focused++; w.Window.RequestFocus() }
func (w *recWindow) Close()                     { w.closed++ }
func (w *recWindow) SetCloseIntercept(f func()) { w.intercept = f; w.Window.SetCloseIntercept(f) }

// quitApp is a test app that counts Quit.
type quitApp struct {
	fyne.App
	quits int
}

func (a *quitApp) Quit() { a.quits++ }

// newRecordedWindow builds the whole window on a recWindow in a test app,
// downloading into a temporary folder, with slow work run inline.
func newRecordedWindow(t *testing.T) (*mainWindow, *recWindow, *quitApp) {
	t.Helper()
	a := &quitApp{App: test.NewTempApp(t)}
	a.Preferences().SetString(prefFolder, t.TempDir())
	w := &recWindow{Window: test.NewTempWindow(t, nil)}
	mw := buildMainWindow(a, w)
	mw.Downloads.async = func(f func()) { f() }
	t.Cleanup(func() {
		mw.Downloads.close()
		mw.Compute.cancel()
	})
	return mw, w, a
}

// tickWindowUntil drives the Download tab's tick and the window's (with
// its once-a-second work) until cond holds.
func tickWindowUntil(t *testing.T, mw *mainWindow, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, func() bool {
		mw.Downloads.tick()
		mw.tickWindow(true, false)
		return cond()
	})
}

// TestHandoffAddsLinksLoadsListsAndComesForward: what another potok
// command hands the window: its links become rows, its list goes into the
// field (for Download), and the window comes forward, out of the tray too.
func TestHandoffAddsLinksLoadsListsAndComesForward(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	mw, w, _ := newRecordedWindow(t)
	tab := mw.Downloads
	list := filepath.Join(t.TempDir(), "list.txt")
	writeFile(t, list, s.FileURL("in-list.bin", 10)+"\n")
	mw.Tabs.SelectIndex(2)
	mw.hidden = true

	tab.inbox.handoff([]string{s.FileURL("h1.bin", 100), s.FileURL("h2.bin", 200), list, "https://bad host/x"})
	tickWindowUntil(t, mw, "two rows done", func() bool { return allIn(tab, 2, downloader.StateDone) })
	if !strings.Contains(tab.URLs.Text, "in-list.bin") {
		t.Fatalf("the list was not loaded into the field: %q", tab.URLs.Text)
	}
	if tab.Problems.Hidden || !strings.Contains(tab.Problems.Text, "link 3:") {
		t.Fatalf("the bad link is not named: %q", tab.Problems.Text)
	}
	if w.shown != 1 || w.focused < 1 || mw.hidden || mw.Tabs.SelectedIndex() != 0 {
		t.Fatalf("shown %d, focused %d, hidden %v, tab %d", w.shown, w.focused, mw.hidden, mw.Tabs.SelectedIndex())
	}
	b := readFile(t, filepath.Join(tab.Folder.Text, "h2.bin"))
	if string(b) != string(dt.Content("h2.bin", 200)) {
		t.Fatal("h2.bin differs")
	}

	// A bare `potok` only brings the window forward.
	tab.inbox.handoff(nil)
	tickWindowUntil(t, mw, "the window shown again", func() bool { return w.shown == 2 })
	if len(tab.files) != 2 {
		t.Fatalf("%d rows", len(tab.files))
	}
}

// TestLinksAtStart: `potok URL` with no window running opens one that
// downloads them (Options.URLs).
func TestLinksAtStart(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	mw, _, _ := newRecordedWindow(t)
	mw.Downloads.addLinks([]string{s.FileURL("start.bin", 10)})
	tickUntil(t, mw.Downloads, "the link done", func() bool { return allIn(mw.Downloads, 1, downloader.StateDone) })
}
