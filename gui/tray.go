package gui

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

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
// With no D-Bus session bus at all there is no tray icon either (see
// sessionBus).

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
	quit := fyne.NewMenuItem(tr("Quit"), mw.app.Quit) // closing the window: Run then closes the engine
	quit.IsQuit = true                                // Fyne adds no Quit of its own
	m := fyne.NewMenu("Potok",
		speed,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(tr("Pause all"), func() { t.withEngine((*downloader.Engine).PauseAll) }),
		fyne.NewMenuItem(tr("Resume all"), func() { t.withEngine((*downloader.Engine).ResumeAll) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(tr("Show Potok"), mw.bringForward),
		quit,
	)
	return &trayMenu{menu: m, speed: speed}
}

// setUpTray gives the desktop the tray icon and its menu, when the app is
// a desktop one (Fyne's test driver is not).
func (mw *mainWindow) setUpTray() {
	desk, ok := mw.app.(desktop.App)
	if !ok || !sessionBus() {
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
		return tr("Nothing downloading")
	}
	return tr("Total speed: %s", speedOrZeroText(t.Speed))
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

// sessionBus reports whether a D-Bus session bus answers on Linux and the
// BSDs, where Fyne's systray shows its icon (a StatusNotifierItem on that
// bus). Without one, Fyne 2.7's systray panics as the app quits (its
// nativeEnd closes a connection it never made: fyne-io/fyne#6403, fixed
// in fyne-io/systray#121, after the systray Fyne 2.7.1 pins) and the
// window would never close its engine, so there is no tray then. The bus is found as godbus
// finds it: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus (its
// last resort, dbus-launch, is not tried: no tray rather than a panic).
func sessionBus() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return true
	}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" && os.Getenv("XDG_RUNTIME_DIR") != "" {
		addr = "unix:path=" + filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "bus")
	}
	for _, a := range strings.Split(addr, ";") {
		kind, rest, _ := strings.Cut(a, ":")
		if kind != "unix" {
			if kind != "" {
				return true // tcp, launchd…: trusted as given
			}
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			v, err := url.PathUnescape(v)
			if err != nil {
				continue
			}
			switch k {
			case "abstract":
				v = "@" + v
			case "path":
			default:
				continue
			}
			if c, err := net.DialTimeout("unix", v, time.Second); err == nil {
				c.Close()
				return true
			}
		}
	}
	return false
}
