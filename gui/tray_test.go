package gui

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// trayItem is the tray menu's item labelled label.
func trayItem(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("no tray item %q", label)
	return nil
}

// TestTrayMenuActsOnTheEngine: the tray's menu, built as setUpTray gives it
// to the desktop (the test driver has no tray): its speed line follows the
// downloads, Pause all and Resume all act on the engine, Show brings the
// window back and Quit quits.
func TestTrayMenuActsOnTheEngine(t *testing.T) {
	s := dt.NewServer(dt.WithRate(64 << 10))
	defer s.Close()
	mw, w, a := newRecordedWindow(t)
	tab := mw.Downloads
	mw.setUpTray()
	if mw.tray != nil {
		t.Fatal("a tray without a desktop app")
	}
	mw.tray = mw.newTrayMenu()
	m := mw.tray.menu
	if m.Items[0].Label != "Nothing downloading" || !m.Items[0].Disabled {
		t.Fatalf("speed line %q", m.Items[0].Label)
	}
	if q := m.Items[len(m.Items)-1]; q.Label != "Quit" || !q.IsQuit {
		t.Fatalf("last item %q, quit %v", q.Label, q.IsQuit)
	}

	startPartWay(t, tab, s.FileURL("t1.bin", 4<<20), s.FileURL("t2.bin", 4<<20))
	tickWindowUntil(t, mw, "the speed in the tray", func() bool { return strings.HasPrefix(m.Items[0].Label, "Total speed: ") })

	trayItem(t, m, "Pause all").Action()
	tickUntil(t, tab, "all paused", func() bool { return allIn(tab, 2, downloader.StatePaused) })
	tickWindowUntil(t, mw, "nothing downloading in the tray", func() bool { return m.Items[0].Label == "Nothing downloading" })
	trayItem(t, m, "Resume all").Action()
	tickUntil(t, tab, "running again", func() bool {
		return len(tab.files) == 2 && tab.files[0].State != downloader.StatePaused && tab.files[1].State != downloader.StatePaused
	})

	mw.hidden = true
	trayItem(t, m, "Show Potok").Action()
	if w.shown != 1 || w.focused < 1 || mw.hidden {
		t.Fatalf("Show: shown %d, focused %d, hidden %v", w.shown, w.focused, mw.hidden)
	}
	trayItem(t, m, "Quit").Action()
	if a.quits != 1 {
		t.Fatalf("Quit quit %d times", a.quits)
	}
}

// TestCloseKeepsDownloadingInTheTray: with the setting on, closing the
// window hides it and the downloads go on; off (the default), it closes.
func TestCloseKeepsDownloadingInTheTray(t *testing.T) {
	s := dt.NewServer(dt.WithRate(256 << 10))
	defer s.Close()
	mw, w, a := newRecordedWindow(t)
	tab := mw.Downloads
	if w.intercept == nil {
		t.Fatal("no close intercept")
	}
	w.intercept()
	if w.closed != 1 || w.hidden != 0 {
		t.Fatalf("off: closed %d, hidden %d", w.closed, w.hidden)
	}

	d := openSettings(t, tab)
	if d.KeepInTray.Checked {
		t.Fatal("close to the tray is on by default")
	}
	d.KeepInTray.SetChecked(true)
	test.Tap(d.Apply)
	if !a.Preferences().Bool(prefKeepInTray) {
		t.Fatal("the setting was not kept")
	}
	startPartWay(t, tab, s.FileURL("bg.bin", 256<<10))
	w.intercept()
	if w.closed != 1 || w.hidden != 1 || !mw.hidden {
		t.Fatalf("on: closed %d, hidden %d", w.closed, w.hidden)
	}
	tickUntil(t, tab, "the download done while hidden", func() bool { return allIn(tab, 1, downloader.StateDone) })
}

// TestSessionBus: the tray needs a session bus that answers.
func TestSessionBus(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		addr, runtime string
		want          bool
	}{
		{"unix:path=" + sock, "", true},
		{"unix:path=" + filepath.Join(dir, "none") + ";unix:path=" + sock + ",guid=0f", "", true},
		{"unix:path=" + filepath.Join(dir, "none"), "", false},
		{"", dir, true}, // $XDG_RUNTIME_DIR/bus
		{"", t.TempDir(), false},
		{"", "", false},
	} {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", tc.addr)
		t.Setenv("XDG_RUNTIME_DIR", tc.runtime)
		if got := sessionBus(); got != tc.want {
			t.Errorf("address %q, runtime dir %q: %v, want %v", tc.addr, tc.runtime, got, tc.want)
		}
	}
}
