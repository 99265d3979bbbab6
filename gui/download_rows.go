package gui

import (
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"potok/downloader"
)

// fileRow is one row of the file list; widget.List reuses rows as it scrolls,
// so a row holds widgets only and is filled from t.files[id] in update.
type fileRow struct {
	name, state, info          *widget.Label
	bar                        *widget.ProgressBar
	pause, cancel, retry, open *widget.Button
	expand                     *widget.Button // shows the segments; only for a file fetched in segments
	id                         downloader.ID
	last                       downloader.FileStatus // what the row shows now
	expanded                   bool                  // and whether it shows its segments
	shown                      bool
	box                        *rowBox

	// The second line of an expanded row.
	detail  *fyne.Container
	strip   *segmentStrip
	segText *widget.Label
}

func (t *downloadTab) newFileList() *widget.List {
	return widget.NewList(
		func() int { return len(t.files) },
		func() fyne.CanvasObject { return t.newRow().box },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= 0 && i < len(t.files) {
				rowOf(o).update(t, t.files[i])
			}
		},
	)
}

func (t *downloadTab) newRow() *fileRow {
	r := &fileRow{
		name:  widget.NewLabel("file name.bin"),
		state: widget.NewLabel(tr("running")),
		info:  widget.NewLabel(sizeText(999_900_000, 999_900_000) + " · " + speedText(99.9e6) + " · " + tr("ETA %s", etaText(59*time.Minute+59*time.Second))),
		bar:   widget.NewProgressBar(),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.pause = widget.NewButtonWithIcon("", theme.MediaPauseIcon(), func() { t.toggle(r.id) })
	r.cancel = widget.NewButtonWithIcon("", theme.CancelIcon(), func() { t.withEngine(func(e *downloader.Engine) { e.Cancel(r.id) }) })
	r.retry = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { t.withEngine(func(e *downloader.Engine) { e.Retry(r.id) }) })
	r.open = widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { t.openFolder(r.id) })
	r.expand = widget.NewButtonWithIcon("", theme.MenuExpandIcon(), func() { t.toggleSegments(r.id) })
	r.expand.Importance = widget.LowImportance
	r.expand.Hide()
	buttons := container.NewHBox(r.expand, r.pause, r.cancel, r.retry, r.open)
	left := container.NewGridWithColumns(2, r.name, r.state)
	leftSize := fyne.NewSize(340, left.MinSize().Height)
	right := container.NewHBox(r.info, buttons)
	main := container.NewBorder(nil, nil, container.NewGridWrap(leftSize, left), right, r.bar)

	r.segText = widget.NewLabel(trn("%d connections", 32) + " · " + trn("%d segments", 999))
	r.segText.Truncation = fyne.TextTruncateEllipsis
	r.strip = newSegmentStrip()
	r.detail = container.NewBorder(nil, nil, container.NewGridWrap(leftSize, r.segText), nil, r.strip)
	r.detail.Hide()
	r.box = &rowBox{r: r, content: container.NewBorder(main, nil, nil, nil, r.detail)}
	r.box.ExtendBaseWidget(r.box)
	r.box.onDoubleTap = func() { t.openFile(r.id) }
	return r
}

// rowBox is a list row's container as a widget, so that a double tap on the
// row (away from its buttons) reaches it: it opens a finished file. It also
// ties the row's object to its fileRow.
type rowBox struct {
	widget.BaseWidget
	r           *fileRow
	content     *fyne.Container
	onDoubleTap func()
}

func (b *rowBox) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.content) }

func (b *rowBox) DoubleTapped(*fyne.PointEvent) { b.onDoubleTap() }

func rowOf(o fyne.CanvasObject) *fileRow { return o.(*rowBox).r }

func (r *fileRow) update(t *downloadTab, f downloader.FileStatus) {
	exp := t.rowExpanded(&f)
	if r.shown && f == r.last && exp == r.expanded {
		return // text shaping is the costly part of a refresh: skip it
	}
	r.shown, r.last, r.expanded = true, f, exp
	r.id = f.ID
	r.updateSegments(&f, exp)
	setText(r.name, f.Name)
	imp := widget.MediumImportance
	if f.State == downloader.StateFailed {
		imp = widget.DangerImportance
	}
	if r.state.Importance != imp {
		r.state.Importance = imp
		r.state.Refresh()
	}
	setText(r.state, stateText(f))
	if v := progressValue(f.Done, f.Size); r.bar.Value != v {
		r.bar.SetValue(v)
	}
	info := sizeText(f.Done, f.Size)
	if s := speedText(f.Speed); s != "" {
		info += " · " + s
	}
	if e := etaText(f.ETA); e != "" {
		info += " · " + tr("ETA %s", e)
	}
	if f.Connections > 1 {
		info += " · " + trn("%d connections", f.Connections)
	}
	if f.Attempts > 1 {
		info += " · " + strconv.Itoa(f.Attempts) + "×"
	}
	setText(r.info, info)
	switch f.State {
	case downloader.StatePaused:
		setIcon(r.pause, theme.MediaPlayIcon())
		setEnabled(r.pause, true)
	case downloader.StateQueued, downloader.StateRunning:
		setIcon(r.pause, theme.MediaPauseIcon())
		setEnabled(r.pause, true)
	default:
		setEnabled(r.pause, false)
	}
	setEnabled(r.cancel, f.State != downloader.StateDone && f.State != downloader.StateCancelled)
	setEnabled(r.retry, f.State == downloader.StateFailed || f.State == downloader.StateCancelled)
	setEnabled(r.open, f.State == downloader.StateDone)
}

// updateSegments shows the expand button for a file fetched in segments and,
// when the row is expanded, the strip. A collapsed row leaves the strip as
// it was: nobody sees it.
func (r *fileRow) updateSegments(f *downloader.FileStatus, exp bool) {
	if f.Segments == nil {
		r.expand.Hide()
	} else {
		icon := theme.MenuExpandIcon()
		if exp {
			icon = theme.MenuDropDownIcon()
		}
		setIcon(r.expand, icon)
		r.expand.Show()
	}
	if !exp {
		r.detail.Hide()
		return
	}
	r.strip.SetSegments(f.Size, f.Segments)
	setText(r.segText, segmentsText(f))
	r.detail.Show()
}

func setEnabled(b *widget.Button, on bool) {
	switch {
	case on && b.Disabled():
		b.Enable()
	case !on && !b.Disabled():
		b.Disable()
	}
}

func setIcon(b *widget.Button, r fyne.Resource) {
	if b.Icon != r {
		b.SetIcon(r)
	}
}

// setText changes a label only when its text differs: SetText re-shapes the
// text even when it is the same.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

func (t *downloadTab) toggle(id downloader.ID) {
	f, ok := t.file(id)
	if !ok {
		return
	}
	t.withEngine(func(e *downloader.Engine) {
		if f.State == downloader.StatePaused {
			e.Resume(id)
		} else {
			e.Pause(id)
		}
	})
}

func (t *downloadTab) openFolder(id downloader.ID) {
	if f, ok := t.file(id); ok {
		t.open(filepath.Dir(f.Path))
	}
}

// openFile opens a finished file with the desktop's program for it; rows of
// unfinished files have nothing to open.
func (t *downloadTab) openFile(id downloader.ID) {
	if f, ok := t.file(id); ok && f.State == downloader.StateDone {
		t.open(f.Path)
	}
}

func (t *downloadTab) open(path string) {
	if err := t.openURL(&url.URL{Scheme: "file", Path: path}); err != nil {
		dialog.ShowError(err, t.win)
	}
}

// file is the status of file id as the list shows it.
func (t *downloadTab) file(id downloader.ID) (downloader.FileStatus, bool) {
	for _, f := range t.files {
		if f.ID == id {
			return f, true
		}
	}
	return downloader.FileStatus{}, false
}

func (t *downloadTab) newLogList() *widget.List {
	return widget.NewList(
		func() int { return len(t.logLines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel(finishedText(downloader.Event{Worker: 32, Name: "a-long-file-name.bin", Bytes: 100e6, Took: 10 * time.Second}))
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= 0 && i < len(t.logLines) {
				o.(*widget.Label).SetText(t.logLines[i])
			}
		},
	)
}
