// Package gui is Potok's window, in Fyne. It holds no business logic: one
// ticker (poller.go) reads the engine's state and the compute job's counters
// and applies them in one fyne.Do per tab and tick, and the user's commands
// go to the engine as plain method calls. Each tab has its file:
// download_tab.go (its parts in download_*.go), speedup_tab.go,
// compute_tab.go, lesson_tab.go and locks_tab.go (the Lesson and Locks
// tabs); window.go puts them in the window, and window_state.go
// keeps what it remembers. The Settings dialog is settings_dialog.go, the
// network settings it edits network_settings.go, its Links from the browser
// part settings_links.go, and the theme theme.go. The aria2 RPC on the
// Download tab's engine is rpc.go; links handed over by another potok
// command handoff.go; the tray icon tray.go; clipboard watching
// clipboard.go; what other goroutines hand the window, for the ticker to
// apply, inbox.go.
package gui

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"potok/downloader"
)

// Options set how the window starts.
type Options struct {
	Demo    bool     // fill the list from the built-in loopback server at start
	AutoRun bool     // then press Download (with a big demo file in segments, its row expanded), and Measure speedup once it is done (for screenshots)
	Lesson  bool     // open the Lesson tab and run the lesson (for screenshots)
	Lists   []string // URL list files to load at start
	URLs    []string // http(s) links to download at start
	Compute bool     // open the Compute tab and run its two sweeps
	// Handoffs, when set, is called once as the window opens: until ctx
	// ends it calls take, from any goroutine, with the args of each other
	// potok command that hands them to this window (links, and list files
	// by absolute path); take does not block. Each handoff adds the links,
	// loads the lists and brings the window forward.
	Handoffs func(ctx context.Context, take func(args []string))
}

// mainWindow is Potok's window.
type mainWindow struct {
	Window    fyne.Window
	Downloads *downloadTab
	Compute   *computeTab
	Lesson    *lessonTab // and the Locks tab
	Tabs      *container.AppTabs
	Offer     *offerBar // links copied to the clipboard, offered

	app      fyne.App
	tray     *trayMenu // nil without a desktop tray (Fyne's test driver)
	hidden   bool      // in the tray; UI goroutine
	clip     clipWatch
	watching atomic.Bool // clip has a baseline to forget when watching is turned off
	pending  atomic.Bool // a window tick waits in fyne.Do's queue
}

// newMainWindow builds the window without showing it or starting its ticker.
func newMainWindow(a fyne.App) *mainWindow {
	applyTheme(a, themeChoice(a))
	setupLanguage(languageChoice(a))
	return buildMainWindow(a, a.NewWindow("Potok"))
}

// buildMainWindow fills w; tests give it a window that records what it is
// asked.
func buildMainWindow(a fyne.App, w fyne.Window) *mainWindow {
	w.SetIcon(a.Icon())
	d := newDownloadTab(a, w)
	speedup := container.NewTabItem(tr("Speedup"), d.Measure.Content)
	c := newComputeTab(a, w)
	l := newLessonTab()
	tabs := container.NewAppTabs(container.NewTabItem(tr("Download"), d.Content), speedup, container.NewTabItem(tr("Compute"), c.Content),
		container.NewTabItem(tr("Lesson"), l.Content), container.NewTabItem(tr("Locks"), l.Locks.Content))
	d.Measure.OnStart = func() { tabs.Select(speedup) }
	mw := &mainWindow{Window: w, Downloads: d, Compute: c, Tabs: tabs, app: a}
	mw.Offer = mw.newOfferBar()
	w.SetContent(mw.Offer.outer)
	w.SetOnDropped(d.dropped)
	w.Canvas().AddShortcut(submitShortcut, func(fyne.Shortcut) { d.startDownload() })
	w.SetCloseIntercept(mw.closeRequested)
	mw.restoreState(a.Preferences())
	mw.Lesson = l
	return mw
}

// Run shows the main window and blocks until it is closed (or Quit in the
// tray); then the RPC server stops and transfers stop with their .part
// files kept.
func Run(a fyne.App, opts Options) {
	mw := newMainWindow(a)
	mw.setUpTray() // before the ticker, which reads mw.tray
	// ctx ends when the window closes; every helper goroutine below stops on it.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		mw.poll(ctx.Done())
	}()
	rpcDone := make(chan struct{})
	go func() {
		defer close(rpcDone)
		mw.Downloads.rpc.runner.run(ctx)
	}()
	mw.Downloads.rpc.runner.set(mw.Downloads.rpc.config)
	for _, path := range opts.Lists {
		mw.Downloads.load(path)
	}
	mw.Downloads.addLinks(opts.URLs)
	if opts.Handoffs != nil {
		opts.Handoffs(ctx, mw.Downloads.inbox.handoff)
	}
	// The tray's own hidden window would otherwise keep the app running
	// once this one closes.
	mw.Window.SetMaster()
	demo := opts.Demo || (opts.AutoRun && len(opts.Lists) == 0)
	if demo {
		mw.Downloads.startDemo()
	}
	if opts.AutoRun {
		go autoRun(ctx, mw.Downloads, demo && mw.Downloads.demo != nil)
	}
	if opts.Compute {
		mw.Tabs.SelectIndex(2)
		go mw.Compute.demo(ctx)
	}
	if opts.Lesson {
		mw.Tabs.SelectIndex(3)
		go mw.Lesson.demo(ctx)
	}
	// Ctrl-C in the terminal or a TERM from the session quits like closing the
	// window: transfers stop and keep their .part files.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			fyne.Do(a.Quit)
		case <-ctx.Done():
		}
	}()
	mw.Window.ShowAndRun()
	signal.Stop(sig)
	cancel()
	<-done
	<-rpcDone // before the engine closes: a call under way may still use it
	mw.Downloads.close()
	mw.Compute.cancel()
	mw.Lesson.close()
}

// autoRun presses Download, waits for the batch to settle, then presses
// Measure speedup: what `make screenshots` shows. With the demo it first adds
// the big demo file and expands its row once it comes in segments.
func autoRun(ctx context.Context, t *downloadTab, big bool) {
	select {
	case <-time.After(time.Second): // let the window appear first
	case <-ctx.Done():
		return
	}
	// DoAndWait: big is shared with the UI goroutine.
	fyne.DoAndWait(func() {
		if big {
			if err := t.add([]downloader.Entry{{URL: t.demoBigURL()}}); err != nil {
				t.showProblems(err.Error())
				big = false
			}
		}
		t.startDownload()
	})
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
		if big {
			fyne.DoAndWait(func() {
				u := t.demoBigURL()
				for _, f := range t.files {
					if f.URL != u {
						continue
					}
					if f.Segments != nil {
						t.toggleSegments(f.ID)
					}
					// Expanded, or it will never be: done, failed or paused.
					big = f.Segments == nil && (f.State == downloader.StateQueued || f.State == downloader.StateRunning)
				}
			})
			continue
		}
		if e := t.currentEngine(); e != nil && e.Wait(ctx) == nil && e.Snapshot().Done > 0 {
			fyne.Do(t.Measure.start)
			return
		}
	}
}
