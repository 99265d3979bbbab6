package gui

// The window's poller: one ticker (tickEvery) reads the engine's snapshot, a
// measurement's progress and the compute job's counters off the UI goroutine
// and applies them in one fyne.Do per tab, never one per chunk or per byte.

import (
	"time"

	"fyne.io/fyne/v2"

	"potok/downloader"
)

// tickEvery is the refresh rate of the window: the engine is polled, never the
// other way round, so a fast transfer cannot flood the UI queue.
const tickEvery = 200 * time.Millisecond

// maxLogLines bounds the log pane.
const maxLogLines = 2000

// poll is the window's one ticker: each tick polls the engine (and a
// measurement) for the Download and Speedup tabs, the job under way for
// the Compute tab, and what other goroutines handed the window (inbox.go).
// Every second it also updates the tray and looks at the clipboard, and
// every stateEvery it keeps the window's size and splits.
func (mw *mainWindow) poll(stop <-chan struct{}) {
	tk := time.NewTicker(tickEvery)
	defer tk.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case <-tk.C:
			mw.Downloads.tick()
			mw.Lesson.tick() // and the Locks tab
			mw.Compute.tick()
			mw.tickWindow(n%int(time.Second/tickEvery) == 0, n%int(stateEvery/tickEvery) == 0)
		}
	}
}

// tickWindow applies, in one fyne.Do, what waits in the inbox (handoffs,
// options an RPC client changed, the RPC server's status) and, when second
// says so, the tray's speed and a look at the clipboard; when save says
// so, it keeps the window's state. Nothing to do queues nothing. The
// ticker calls it; tests call it directly.
func (mw *mainWindow) tickWindow(second, save bool) {
	p := mw.app.Preferences()
	second = second && (mw.tray != nil || p.Bool(prefWatchClipboard) || mw.watching.Load())
	if !second && !save && !mw.Downloads.inbox.waiting() {
		return
	}
	// As the tabs' ticks: dropped while the last one waits in the queue;
	// the inbox keeps what came meanwhile for the next.
	if !mw.pending.CompareAndSwap(false, true) {
		return
	}
	in := mw.Downloads.inbox.take()
	fyne.Do(func() {
		defer mw.pending.Store(false)
		t := mw.Downloads
		for k, v := range in.options {
			t.applyRPCOption(k, v)
		}
		if in.status != nil {
			t.showRPCStatus(*in.status)
		}
		for _, args := range in.handoffs {
			mw.applyHandoff(args)
		}
		if second {
			mw.updateTray()
			mw.watchClipboard()
		}
		if save {
			mw.saveState(p)
		}
	})
}

// tick polls the engine and the measurement once and applies what changed.
// The window's ticker calls it; tests call it directly.
func (t *downloadTab) tick() {
	// fyne.Do's queue is unbounded: while the last tick waits to be applied,
	// this one is dropped rather than queued behind it.
	if !t.pending.CompareAndSwap(false, true) {
		return
	}
	var snap downloader.Snapshot
	var evs []downloader.Event
	e := t.currentEngine()
	if e != nil {
		snap = e.Snapshot()
	}
	mp := t.Measure.poll()
	fyne.Do(func() {
		defer t.pending.Store(false)
		if e != nil {
			evs = e.Events(t.seq)
			t.apply(snap, evs)
		}
		t.Measure.apply(mp)
	})
}

// apply updates the widgets from a snapshot, refreshing only the rows that
// changed. It runs on the UI goroutine.
func (t *downloadTab) apply(s downloader.Snapshot, evs []downloader.Event) {
	// One list refresh when anything changed: widget.List refreshes only the
	// visible rows, and each row skips itself when its file did not change.
	// (RefreshItem per changed row re-renders all visible rows each time.)
	old := t.files
	t.files = s.Files
	t.totals = s.Totals
	changed := len(old) != len(s.Files)
	for i := 0; !changed && i < len(s.Files); i++ {
		changed = s.Files[i] != old[i]
	}
	if changed {
		t.syncRowHeights()
		t.Files.Refresh()
	}
	if len(evs) > 0 {
		t.seq = evs[len(evs)-1].Seq
		for _, ev := range evs {
			if ev.Kind == downloader.EventFinished {
				t.logLines = append(t.logLines, finishedText(ev))
			}
		}
		if n := len(t.logLines) - maxLogLines; n > 0 {
			t.logLines = append(t.logLines[:0], t.logLines[n:]...)
		}
		t.Log.Refresh()
		t.Log.ScrollToBottom()
	}
	t.Total.SetValue(progressValue(s.BytesDone, s.BytesTotal))
	if s.Count > 0 {
		t.TotalsText.SetText(totalsText(s.Totals))
	}
	busy := s.Queued+s.Running > 0
	if t.wasBusy && !busy {
		t.batchEnded(s.Totals)
	}
	t.wasBusy = busy
	t.updateDemoButton()
}

func (t *downloadTab) batchEnded(tot downloader.Totals) {
	msg := tr("%d done, %d failed in %s", tot.Done, tot.Failed, elapsedText(tot.Elapsed))
	t.app.SendNotification(fyne.NewNotification(tr("Downloads finished"), msg))
}

// tick shows the progress of the job under way; the window's ticker calls it.
// The job only counts (c.done); the bar moves here, at most once a tick: like
// the Download tab's, a tick is dropped while the last one still waits in
// fyne.Do's queue, and an idle tab queues nothing.
func (c *computeTab) tick() {
	if !c.running.Load() || !c.pending.CompareAndSwap(false, true) {
		return
	}
	d, t := c.done.Load(), c.total.Load()
	fyne.Do(func() {
		defer c.pending.Store(false)
		// SetValue repaints even when nothing changed, and a repaint costs CPU
		// that the measured job would otherwise have.
		if v := float64(d) / float64(max(t, 1)); c.busy && t > 0 && v != c.Progress.Value {
			c.Progress.SetValue(v)
		}
	})
}
