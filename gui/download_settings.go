package gui

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"

	"potok/downloader"
)

// Preference keys: settings are remembered between runs.
const (
	prefFolder     = "folder"
	prefParallel   = "parallel"
	prefConns      = "connections"
	prefPerHost    = "perHost"
	prefRate       = "rateLimit"
	prefAutoResume = "autoResume"
)

// defaultFolder is the user's Downloads folder, then "potok" inside it.
func defaultFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "potok")
	}
	return filepath.Join(home, "Downloads", "potok")
}

func (t *downloadTab) loadSettings() {
	// Read everything first: setting one field fires OnChanged, which saves
	// all of them.
	p := t.app.Preferences()
	folder := p.StringWithFallback(prefFolder, defaultFolder())
	parallel := min(max(p.IntWithFallback(prefParallel, 8), 1), 64)
	conns := min(max(p.IntWithFallback(prefConns, downloader.DefaultConnections), 1), downloader.MaxConnections)
	perHost, rate := p.String(prefPerHost), p.String(prefRate)
	autoResume := p.BoolWithFallback(prefAutoResume, true)
	t.Folder.SetText(folder)
	t.Parallel.SetValue(float64(parallel))
	t.setParallel(t.Parallel.Value)
	t.Connections.SetValue(float64(conns))
	t.setConnections(t.Connections.Value)
	t.PerHost.SetText(perHost)
	t.RateLimit.SetText(rate)
	t.AutoResume.SetChecked(autoResume)
	t.net = loadNetSettings(p)
}

// setFolder switches to another download folder. Each folder keeps its own
// list: the downloads of the old one are paused and kept in its queue file,
// and those kept for the new one come back.
func (t *downloadTab) setFolder(dir string) {
	if dir == t.Folder.Text && t.currentEngine() != nil {
		return
	}
	t.Folder.SetText(dir)
	t.app.Preferences().SetString(prefFolder, dir)
	t.reopen(nil)
}

// reopen closes the engine, whose list stays in the folder's queue file and
// whose transfers keep their .part files, and brings the folder's list back
// in a new engine made with the settings as they are now. resume is
// restore's. An engine without a queue file (the config folder could not be
// written) hands its unfinished downloads to the new one when resume is
// given, as the plain URLs the snapshot has.
func (t *downloadTab) reopen(resume map[string]bool) {
	t.mu.Lock()
	old, hadQueue := t.engine, t.hasQueue
	t.engine = nil
	t.mu.Unlock()
	var carry []downloader.Entry
	if old != nil {
		if !hadQueue && resume != nil {
			for _, f := range old.Snapshot().Files {
				if f.State != downloader.StateDone && f.State != downloader.StateCancelled {
					carry = append(carry, downloader.Entry{URL: f.URL})
				}
			}
		}
		old.Close()
	}
	t.files, t.logLines, t.seq, t.wasBusy, t.totals = nil, nil, 0, false, downloader.Totals{}
	t.expanded = nil // IDs are the engine's: another engine reuses them
	t.syncRowHeights()
	t.Files.Refresh()
	t.Log.Refresh()
	t.Total.SetValue(0)
	t.TotalsText.SetText(tr("No downloads yet."))
	t.restore(resume)
	if len(carry) > 0 {
		if err := t.add(carry); err != nil {
			t.showProblems(err.Error())
		}
	}
	t.updateDemoButton()
}

// setParallel follows the slider: the label, the preference, and the running
// engine's limit, at once.
func (t *downloadTab) setParallel(v float64) {
	n := int(v)
	t.ParallelText.SetText(tr("Parallel downloads: %d", n))
	setText(t.ParallelNote, tr("Like the notebooks' BoundedSemaphore: %d hold a slot, the rest wait;\nmoving it lets more in, or lets the running ones finish first.", n))
	t.app.Preferences().SetInt(prefParallel, n)
	if e := t.currentEngine(); e != nil {
		e.SetLimit(n)
	}
	t.updateConnectionsNote()
}

// setConnections follows the connections slider like setParallel.
func (t *downloadTab) setConnections(v float64) {
	n := int(v)
	t.ConnectionsText.SetText(tr("Connections per file: %d", n))
	t.app.Preferences().SetInt(prefConns, n)
	if e := t.currentEngine(); e != nil {
		e.SetConnections(n)
	}
	t.updateConnectionsNote()
}

// updateConnectionsNote says where a big file's connections come from: each
// takes a slot of the parallel downloads, and of the per-host cap. Short fixed
// lines: a wrapped label in a form row gets a height of its own choosing.
func (t *downloadTab) updateConnectionsNote() {
	if t.ConnectionsNote == nil || t.PerHost == nil {
		return // still being built
	}
	n := min(int(t.Connections.Value), int(t.Parallel.Value))
	perHost, _, _ := t.settingsValues()
	slot := tr("a parallel download slot")
	if perHost > 0 {
		slot = tr("a parallel and a per-host slot")
		n = min(n, perHost)
	}
	thr := t.segmentMin
	if thr <= 0 {
		thr = downloader.DefaultSegmentThreshold
	}
	setText(t.ConnectionsNote, tr("Files of %s+ use several connections,\neach taking %s:\none file alone gets up to %d now.",
		ibytesText(thr), slot, max(n, 1)))
}

// settingsValues reads the per-host cap and the speed limit, or says which
// value is wrong.
func (t *downloadTab) settingsValues() (perHost int, rate int64, err error) {
	if s := strings.TrimSpace(t.PerHost.Text); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 0 {
			return 0, 0, errors.New(tr("per host: %q is not a whole number (empty for no cap)", s))
		}
		perHost = n
	}
	if s := strings.TrimSpace(t.RateLimit.Text); s != "" {
		b, perr := humanize.ParseBytes(s)
		if perr != nil {
			return perHost, 0, errors.New(tr("speed limit: %q is not a size per second, like 2MiB (empty for none)", s))
		}
		rate = int64(b)
	}
	return perHost, rate, nil
}

// applySettings validates the two settings, remembers them, and applies them
// to the running engine.
func (t *downloadTab) applySettings() {
	perHost, rate, err := t.settingsValues()
	t.updateConnectionsNote()
	if err != nil {
		t.SettingsNote.SetText(err.Error())
		t.SettingsNote.Show()
		return
	}
	t.SettingsNote.SetText("")
	t.SettingsNote.Hide()
	p := t.app.Preferences()
	p.SetString(prefPerHost, strings.TrimSpace(t.PerHost.Text))
	p.SetString(prefRate, strings.TrimSpace(t.RateLimit.Text))
	if e := t.currentEngine(); e != nil {
		e.SetPerHost(perHost)
		e.SetRateLimit(rate)
	}
}
