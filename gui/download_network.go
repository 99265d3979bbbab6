package gui

import (
	"os"

	"potok/downloader"
)

// The network settings reach the engine only through New: a change makes a
// new engine on the same folder, as choosing another folder does (reopen).

// applyNetwork makes n the network settings of the downloads. New reads the
// CA, cookies and netrc files and checks the proxy, so a probe engine is made
// with n first, on the temporary folder and without a queue file (the
// running engine holds the folder's; a folder not made yet stays so): on its
// error nothing changes and the old engine runs on. Then n is
// kept, and the running engine, if any, is replaced by one made with n,
// continuing the downloads that were queued or running; those the user
// paused stay paused.
func (t *downloadTab) applyNetwork(n netSettings) error {
	opts, err := t.engineOptions(n)
	if err != nil {
		return err
	}
	opts.Dir = os.TempDir()
	probe, err := downloader.New(opts)
	if err != nil {
		return err
	}
	probe.Close()
	t.net = n
	n.save(t.app.Preferences())
	t.updateNetworkNotes()
	e := t.currentEngine()
	if e == nil {
		return nil // the next engine is made with n
	}
	resume := make(map[string]bool)
	for _, f := range e.Snapshot().Files {
		if f.State == downloader.StateQueued || f.State == downloader.StateRunning {
			resume[f.URL] = true
		}
	}
	t.reopen(resume)
	return nil
}

// busy says whether downloads are queued or running, which a new engine
// would pause and continue.
func (t *downloadTab) busy() bool {
	s := snapshotOf(t.currentEngine())
	return s.Queued+s.Running > 0
}

// updateNetworkNotes shows, under the Download tab's settings, the warning
// that certificates are not checked (on every run while the setting is on,
// as the command line prints one on every run) and the proxy in use, its
// password masked.
func (t *downloadTab) updateNetworkNotes() {
	if t.net.Insecure {
		t.InsecureWarning.Show()
	} else {
		t.InsecureWarning.Hide()
	}
	if t.net.ProxyMode == proxyManual {
		setText(t.ProxyNote, tr("Downloads go through the proxy %s.", downloader.RedactURL(t.net.ProxyURL)))
		t.ProxyNote.Show()
	} else {
		t.ProxyNote.Hide()
	}
}
