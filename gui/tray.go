package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"github.com/dustin/go-humanize"

	"potok/downloader"
)

// The tray icon (Fyne's desktop.App, on the desktop driver only): a menu
// with the total speed, Pause all, Resume all, Show and Quit. With "Keep
// downloading in the tray when the window closes" (off by default),
// closing the window hides it and the downloads go on; Quit in the menu
// really quits, closing the engine as closing the window does. A desktop
// without a tray host (no StatusNotifier watcher, as under Xvfb) shows no
// icon: Fyne's systray logs that it could not register and the window
// runs on; a hidden window then comes back with `potok` (handoff.go).

// prefKeepInTray is the close-to-tray setting.
const prefKeepInTray = "keepInTray"

// trayMenu is the tray icon's menu and its speed line.
type trayMenu struct {
	menu  *fyne.Menu
	speed *fyne.MenuItem // a disabled item: the total speed
}

// newTrayMenu builds the menu; setUpTray gives it to the desktop, tests
// call its items' actions.
func (mw *mainWindow) newTrayMenu() *trayMenu {
	t := mw.Downloads
	speed := fyne.NewMenuItem(traySpeedText(downloader.Totals{}), nil)
	speed.Disabled = true
	quit := fyne.NewMenuItem("Quit", mw.app.Quit) // closing the window: Run then closes the engine
	quit.IsQuit = true                            // Fyne adds no Quit of its own
	m := fyne.NewMenu("Potok",
		speed,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Pause all", func() { t.withEngine((*downloader.Engine).PauseAll) }),
		fyne.NewMenuItem("Resume all", func() { t.withEngine((*downloader.Engine).ResumeAll) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Show Potok", mw.bringForward),
		quit,
	)
	return &trayMenu{menu: m, speed: speed}
}

// setUpTray gives the desktop the tray icon and its menu, when the app is
// a desktop one (Fyne's test driver is not).
func (mw *mainWindow) setUpTray() {
	desk, ok := mw.app.(desktop.App)
	if !ok {
		return
	}
	mw.tray = mw.newTrayMenu()
	desk.SetSystemTrayMenu(mw.tray.menu)
	desk.SetSystemTrayIcon(mw.app.Icon())
}

// updateTray rewrites the speed line when its words changed; the ticker
// calls it once a second. Each change rebuilds the menu on the desktop.
func (mw *mainWindow) updateTray() {
	if mw.tray == nil {
		return
	}
	s := traySpeedText(mw.Downloads.totals)
	if s == mw.tray.speed.Label {
		return
	}
	mw.tray.speed.Label = s
	mw.tray.menu.Refresh()
}

func traySpeedText(t downloader.Totals) string {
	if t.Running == 0 {
		return "Nothing downloading"
	}
	return fmt.Sprintf("Total speed: %s/s", humanize.Bytes(uint64(max(t.Speed, 0))))
}

// closeRequested is the window's close intercept: it hides the window
// when the downloads are to go on in the tray, and closes it (which quits)
// otherwise.
func (mw *mainWindow) closeRequested() {
	if mw.app.Preferences().Bool(prefKeepInTray) {
		mw.hidden = true
		mw.Window.Hide()
		return
	}
	mw.Window.Close()
}
