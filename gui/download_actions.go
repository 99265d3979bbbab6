package gui

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"potok/downloader"
)

// startDownload parses the list off the UI goroutine (tens of thousands of
// lines must not freeze the window) and hands the entries to the engine.
func (t *downloadTab) startDownload() {
	if t.parsing {
		return
	}
	src := t.sources()
	t.parsing = true
	t.Download.Disable()
	t.async(func() {
		entries, problems, err := parseSources(src)
		fyne.Do(func() {
			t.parsing = false
			t.Download.Enable()
			if err != nil {
				t.showProblems(err.Error())
				return
			}
			t.showProblems(linesText(problems))
			if len(entries) == 0 {
				if len(problems) == 0 {
					t.showProblems(tr("The list is empty: paste URLs, import a list, or try the demo."))
				}
				return
			}
			if err := t.add(entries); err != nil {
				dialog.ShowError(err, t.win)
			}
		})
	})
}

// linesText lists the unusable lines, at most 20, then a count.
func linesText(problems []string) string {
	if len(problems) > 20 {
		return strings.Join(problems[:20], "\n") + tr("\n… and %d more", len(problems)-20)
	}
	return strings.Join(problems, "\n")
}

func (t *downloadTab) showProblems(s string) {
	t.Problems.SetText(s)
	if s == "" {
		t.Problems.Hide()
	} else {
		t.Problems.Show()
	}
}

// add gives entries to the engine for the chosen folder, making one if needed.
// URLs already in this engine are not added twice.
func (t *downloadTab) add(entries []downloader.Entry) error {
	e, err := t.ensureEngine()
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(t.files))
	for _, f := range t.files {
		have[f.URL] = f.State != downloader.StateCancelled
	}
	var fresh []downloader.Entry
	for _, en := range entries {
		if !have[en.URL] {
			fresh = append(fresh, en)
		}
	}
	if _, err := e.Add(fresh...); err != nil {
		return fmt.Errorf("%s: %w", tr("start downloads"), err)
	}
	t.tick()
	return nil
}

func (t *downloadTab) ensureEngine() (*downloader.Engine, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.engine != nil {
		return t.engine, nil
	}
	opts, err := t.engineOptions(t.net)
	if err != nil {
		return nil, err
	}
	queue, err := t.queueFile(t.Folder.Text)
	if err != nil {
		slog.Warn("downloads will not be kept across restarts", "err", err)
		queue = ""
	}
	opts.QueueFile = queue
	e, err := downloader.New(opts)
	if err != nil {
		return nil, err
	}
	t.engine, t.hasQueue = e, queue != ""
	return e, nil
}

// engineOptions are the options of a new engine on the folder: the Download
// tab's settings and the network settings n, without a queue file.
func (t *downloadTab) engineOptions(n netSettings) (downloader.Options, error) {
	perHost, rate, _ := t.settingsValues()
	o := downloader.Options{
		Dir: t.Folder.Text, Parallel: int(t.Parallel.Value), PerHost: perHost, RateLimit: rate,
		Connections: int(t.Connections.Value), SegmentThreshold: t.segmentMin,
	}
	err := n.apply(&o)
	return o, err
}

// restore brings back the list kept for the current folder, if there is one.
// Its unfinished downloads continue when the setting says so; given resume,
// only those whose URL it holds do (the ones that ran in the engine before).
func (t *downloadTab) restore(resume map[string]bool) {
	queue, err := t.queueFile(t.Folder.Text)
	if err != nil {
		return
	}
	if _, err := os.Stat(queue); err != nil {
		return // nothing kept for this folder: no engine until Download
	}
	e, err := t.ensureEngine()
	var busy *downloader.QueueBusyError
	if errors.As(err, &busy) {
		// A second Potok on this folder: say so, do not share it.
		dialog.ShowError(errors.New(busyText(busy)), t.win)
		return
	}
	if err != nil {
		t.showProblems(err.Error())
		return
	}
	ids := e.Restore()
	if err := e.QueueProblem(); err != nil {
		t.showProblems(err.Error())
	}
	if len(ids) == 0 {
		return
	}
	files := e.Snapshot().Files
	t.startDemoServerFor(files)
	switch {
	case resume != nil:
		for _, f := range files {
			if resume[f.URL] {
				_ = e.Resume(f.ID) // a file that is done or gone has nothing to resume
			}
		}
	case t.AutoResume.Checked:
		e.ResumeAll()
	}
	t.tick()
}

func (t *downloadTab) importList() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, t.win)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		t.appendFrom(r, r.URI().Name())
	}, t.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".txt", ".list", ".csv"}))
	d.Show()
}

// maxImport bounds an imported list (a million 100-byte lines).
const maxImport = 100 << 20

func (t *downloadTab) appendFrom(r io.Reader, name string) {
	b, err := io.ReadAll(io.LimitReader(r, maxImport+1))
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s: %w", tr("read %s", name), err), t.win)
		return
	}
	if len(b) > maxImport {
		dialog.ShowError(errors.New(tr("%s is larger than %d MB; split it into smaller lists", name, maxImport>>20)), t.win)
		return
	}
	t.addSource(name, string(b))
}

func (t *downloadTab) appendText(s string) {
	cur := t.URLs.Text
	if cur != "" && !strings.HasSuffix(cur, "\n") {
		cur += "\n"
	}
	t.URLs.SetText(cur + strings.TrimRight(s, "\n") + "\n")
}

// load appends a list file given on the command line.
func (t *downloadTab) load(path string) {
	f, err := os.Open(path)
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s: %w", tr("open URL list"), err), t.win)
		return
	}
	defer f.Close()
	t.appendFrom(f, path)
}

// dropped handles files and links dropped on the window: .txt files are read
// as lists, http(s) links are added as lines.
func (t *downloadTab) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		switch u.Scheme() {
		case "http", "https":
			t.appendText(u.String())
		case "file":
			t.load(u.Path())
		default:
			dialog.ShowError(errors.New(tr("only .txt lists and http(s) links can be dropped here")), t.win)
		}
	}
}

func (t *downloadTab) chooseFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil || u.Path() == t.Folder.Text {
			return
		}
		s := snapshotOf(t.currentEngine())
		if s.Queued+s.Running == 0 {
			t.setFolder(u.Path())
			return
		}
		msg := trn("%d downloads in %s will be paused. They are kept, and continue when you choose that folder again.",
			s.Queued+s.Running, t.Folder.Text)
		dialog.ShowConfirm(tr("Switch folder?"), msg, func(ok bool) {
			if ok {
				t.setFolder(u.Path())
			}
		}, t.win)
	}, t.win)
	d.Show()
}

// snapshotOf is e's snapshot, or an empty one when there is no engine yet.
func snapshotOf(e *downloader.Engine) downloader.Snapshot {
	if e == nil {
		return downloader.Snapshot{}
	}
	return e.Snapshot()
}
