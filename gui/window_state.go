package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// What the window remembers between runs, beside the tabs' settings: its
// size, the tab last shown and where its splits were (the file list above
// the log, the π panel beside the regressors). Fyne 2.7 has no API for a
// window's position on any driver, so where the window opens is the
// desktop's choice.
const (
	prefWindowWidth  = "windowWidth"
	prefWindowHeight = "windowHeight"
	prefTab          = "tab"
	prefFilesSplit   = "filesSplit"
	prefComputeSplit = "computeSplit"
)

// defaultWindowSize is the size of the first run (and of the screenshots).
var defaultWindowSize = fyne.NewSize(1100, 760)

// stateEvery is how often the open window keeps its size and splits.
const stateEvery = 5 * time.Second

// restoreState gives the window what the last run left, and keeps the tab
// shown from now on; the rest is kept when the window closes, and every
// stateEvery while it is open (poller.go): a TERM or Ctrl-C ends the
// program through Fyne's own signal handler too, which does not close the
// window first.
func (mw *mainWindow) restoreState(p fyne.Preferences) {
	w := p.FloatWithFallback(prefWindowWidth, float64(defaultWindowSize.Width))
	h := p.FloatWithFallback(prefWindowHeight, float64(defaultWindowSize.Height))
	mw.Window.Resize(fyne.NewSize(float32(max(w, 400)), float32(max(h, 300))))
	if i := p.Int(prefTab); i > 0 && i < len(mw.Tabs.Items) {
		mw.Tabs.SelectIndex(i)
	}
	restoreOffset(mw.Downloads.Split, p.Float(prefFilesSplit))
	restoreOffset(mw.Compute.Split, p.Float(prefComputeSplit))
	mw.Tabs.OnSelected = func(*container.TabItem) { p.SetInt(prefTab, mw.Tabs.SelectedIndex()) }
	mw.Window.SetOnClosed(func() { mw.saveState(p) })
}

// saveState keeps the window's size and its splits.
// It writes only what changed: each change rewrites the preferences file.
func (mw *mainWindow) saveState(p fyne.Preferences) {
	set := func(key string, v float64) {
		if p.Float(key) != v {
			p.SetFloat(key, v)
		}
	}
	if s := mw.Window.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		set(prefWindowWidth, float64(s.Width))
		set(prefWindowHeight, float64(s.Height))
	}
	set(prefFilesSplit, mw.Downloads.Split.Offset)
	set(prefComputeSplit, mw.Compute.Split.Offset)
}

// restoreOffset puts a split where it was, when it was kept (0 is "not
// kept": a split at its very edge hides a side and is not restored).
func restoreOffset(s *container.Split, offset float64) {
	if offset > 0.05 && offset < 0.95 {
		s.SetOffset(offset)
	}
}
