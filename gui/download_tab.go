package gui

import (
	"net/url"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"potok/downloader"
	"potok/downloader/demoserver"
)

// downloadTab is the Download tab. Its widgets are fields so that tests can
// type, tap and read them like a user.
type downloadTab struct {
	URLs     *listEntry    // the pasted list
	Problems *widget.Label // lines that could not be used, with their numbers
	Import   *widget.Button
	TryDemo  *widget.Button
	// Lists too long for the field: see bulk.go.
	BulkText  *widget.Label
	ClearBulk *widget.Button

	Folder       *widget.Label
	ChooseFolder *widget.Button
	Parallel     *widget.Slider
	ParallelText *widget.Label
	ParallelNote *widget.Label // the slider is the notebooks' BoundedSemaphore
	// Connections is how many connections one big file may use; its note
	// says they come out of the parallel (and per-host) budget.
	Connections     *widget.Slider
	ConnectionsText *widget.Label
	ConnectionsNote *widget.Label
	PerHost         *widget.Entry // empty: no cap
	RateLimit       *widget.Entry // like "2MiB", empty: none
	SettingsNote    *widget.Label
	AutoResume      *widget.Check // continue unfinished downloads when the window opens
	// Settings opens the Settings dialog (settings_dialog.go): the network
	// settings and the theme. InsecureWarning stays in sight while
	// certificates are not checked; ProxyNote names a manual proxy.
	Settings        *widget.Button
	InsecureWarning *widget.Label
	ProxyNote       *widget.Label
	// RPCNote says why browser extensions cannot reach the window (the
	// aria2 RPC's port is taken); hidden while they can (rpc.go).
	RPCNote *widget.Label

	Download, PauseAll, ResumeAll, CancelAll, RetryFailed, ClearDone *widget.Button

	Files      *widget.List
	Total      *widget.ProgressBar
	TotalsText *widget.Label
	Log        *widget.List
	Split      *container.Split // the file list above the log; the window remembers where it is

	Measure *speedupTab

	Content fyne.CanvasObject

	app fyne.App
	win fyne.Window
	// async runs slow work (parsing, measuring) off the UI goroutine. Tests
	// replace it with a direct call: Fyne's test driver runs fyne.Do inline.
	async func(func())
	// queueFile says where a folder's queue is kept; tests point it elsewhere.
	queueFile func(dir string) (string, error)
	// openURL opens a file or folder with the desktop (the app's OpenURL);
	// tests record what it is given.
	openURL func(*url.URL) error
	// segmentMin is the engine's SegmentThreshold (0: its default, 16 MiB);
	// the window has no setting for it, tests lower it.
	segmentMin int64

	// UI state, touched only on the UI goroutine (inside fyne.Do or callbacks).
	files    []downloader.FileStatus
	logLines []string
	seq      uint64
	wasBusy  bool
	engine   *downloader.Engine
	hasQueue bool            // the engine keeps its list in the folder's queue file (guarded by mu)
	net      netSettings     // the network settings in force
	settings *settingsDialog // the last one opened
	demo     *demoserver.Server
	totals   downloader.Totals // of the last snapshot applied, for the tray
	rpc      *rpcService       // the aria2 RPC on this tab's engine
	inbox    *inbox            // what other goroutines hand the window
	parsing  bool
	bulk     []bulkList
	bulkBox  *fyne.Container
	// Rows showing their segments, by file; tall are the list indices given
	// the expanded height (widget.List keeps heights by index). See segments.go.
	expanded      map[downloader.ID]bool
	tall          map[int]bool
	shortH, tallH float32

	pending atomic.Bool // a tick waits in fyne.Do's queue
	mu      sync.Mutex  // guards engine for the ticker goroutine
}

// newDownloadTab builds the tab. It polls nothing until the window's ticker
// calls tick.
func newDownloadTab(a fyne.App, w fyne.Window) *downloadTab {
	t := &downloadTab{app: a, win: w, async: func(f func()) { go f() }, queueFile: downloader.DefaultQueueFile, openURL: a.OpenURL, inbox: &inbox{}}
	t.rpc = newRPCService(t)
	t.URLs = newListEntry(func() { t.startDownload() }, func(text string) { t.addSource(tr("pasted text"), text) })
	t.URLs.SetPlaceHolder(tr("Paste URLs here, one per line (a line may add sha256:HEX), or drop a .txt file on the window"))
	t.URLs.SetMinRowsVisible(6)
	t.URLs.OnChanged = func(string) { t.updateDemoButton() }
	t.Problems = widget.NewLabel("")
	t.Problems.Wrapping = fyne.TextWrapWord
	t.Problems.Importance = widget.DangerImportance
	t.Problems.Hide()
	t.Import = widget.NewButton(tr("Import list…"), t.importList)
	t.TryDemo = widget.NewButton(tr("Try demo"), t.startDemo)
	t.TryDemo.Importance = widget.HighImportance

	t.Folder = widget.NewLabel("")
	t.Folder.Truncation = fyne.TextTruncateEllipsis
	t.ChooseFolder = widget.NewButton(tr("Folder…"), t.chooseFolder)
	t.ParallelText = widget.NewLabel("")
	t.Parallel = widget.NewSlider(1, 64)
	t.Parallel.Step = 1
	t.Parallel.OnChanged = t.setParallel
	t.ParallelNote = noteLabel()
	t.ConnectionsText = widget.NewLabel("")
	t.Connections = widget.NewSlider(1, downloader.MaxConnections)
	t.Connections.Step = 1
	t.Connections.OnChanged = t.setConnections
	t.ConnectionsNote = noteLabel()
	t.PerHost = widget.NewEntry()
	t.PerHost.SetPlaceHolder(tr("no cap"))
	t.PerHost.OnChanged = func(string) { t.applySettings() }
	t.RateLimit = widget.NewEntry()
	t.RateLimit.SetPlaceHolder(tr("unlimited"))
	t.RateLimit.OnChanged = func(string) { t.applySettings() }
	t.SettingsNote = widget.NewLabel("")
	t.SettingsNote.Importance = widget.DangerImportance
	t.SettingsNote.Hide() // until a setting is wrong: empty, it would still take a line
	t.AutoResume = widget.NewCheck(tr("Continue unfinished downloads when Potok opens"), func(on bool) {
		t.app.Preferences().SetBool(prefAutoResume, on)
	})
	t.Settings = widget.NewButtonWithIcon(tr("Settings…"), theme.SettingsIcon(), t.openSettings)
	t.InsecureWarning = widget.NewLabel(tr("Certificates are not checked (Settings, Proxy and HTTPS): anyone between you and a server can read and change what you download."))
	t.InsecureWarning.Importance = widget.DangerImportance
	t.InsecureWarning.Wrapping = fyne.TextWrapWord
	t.InsecureWarning.TextStyle = fyne.TextStyle{Bold: true}
	t.ProxyNote = widget.NewLabel("")
	t.ProxyNote.SizeName = theme.SizeNameCaptionText
	t.ProxyNote.Truncation = fyne.TextTruncateEllipsis
	t.RPCNote = widget.NewLabel("")
	t.RPCNote.Importance = widget.WarningImportance
	t.RPCNote.Wrapping = fyne.TextWrapWord
	t.RPCNote.Hide()

	t.Download = widget.NewButton(tr("Download"), t.startDownload)
	t.Download.Importance = widget.HighImportance
	t.PauseAll = widget.NewButton(tr("Pause all"), func() { t.withEngine((*downloader.Engine).PauseAll) })
	t.ResumeAll = widget.NewButton(tr("Resume all"), func() { t.withEngine((*downloader.Engine).ResumeAll) })
	t.CancelAll = widget.NewButton(tr("Cancel all"), func() { t.withEngine((*downloader.Engine).CancelAll) })
	t.RetryFailed = widget.NewButton(tr("Retry failed"), func() { t.withEngine((*downloader.Engine).RetryFailed) })
	t.ClearDone = widget.NewButton(tr("Clear finished"), func() {
		t.withEngine((*downloader.Engine).ClearFinished)
		t.tick()
	})

	t.Files = t.newFileList()
	t.Total = widget.NewProgressBar()
	t.TotalsText = widget.NewLabel(tr("No downloads yet."))
	t.Log = t.newLogList()
	t.Measure = newSpeedupTab(t)

	t.loadSettings()
	t.Content = t.layout()
	t.updateNetworkNotes()
	t.restore(nil)
	t.updateDemoButton()
	return t
}

// noteLabel is a line of small print under a setting. It wraps: its width
// is the column's, not its text's, which is longer in some languages.
func noteLabel() *widget.Label {
	l := widget.NewLabel("")
	l.SizeName = theme.SizeNameCaptionText
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (t *downloadTab) layout() fyne.CanvasObject {
	listButtons := container.NewHBox(t.Import, t.TryDemo)
	input := container.NewBorder(nil, container.NewVBox(t.newBulkPanel(), t.Problems, listButtons), nil, nil, t.URLs)
	settings := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("Folder")), container.NewBorder(nil, nil, nil, t.ChooseFolder, t.Folder),
		t.ParallelText, t.Parallel,
		layout.NewSpacer(), t.ParallelNote,
		t.ConnectionsText, t.Connections,
		layout.NewSpacer(), t.ConnectionsNote,
		widget.NewLabel(tr("Per host")), container.NewGridWithColumns(2, t.PerHost,
			container.NewBorder(nil, nil, widget.NewLabel(tr("Speed limit")), nil, t.RateLimit)),
		widget.NewLabel(""), t.AutoResume,
	)
	actions := container.NewBorder(nil, nil,
		container.NewHBox(t.Download, t.PauseAll, t.ResumeAll, t.CancelAll, t.RetryFailed, t.ClearDone, t.Measure.Start), t.Settings)
	top := container.NewVBox(container.NewGridWithColumns(2, input, container.NewVBox(settings, t.SettingsNote, t.InsecureWarning, t.ProxyNote, t.RPCNote)), actions,
		t.Total, t.TotalsText)
	logCard := container.NewBorder(widget.NewLabel(tr("Finished")), nil, nil, nil, t.Log)
	t.Split = container.NewVSplit(t.Files, logCard)
	t.Split.Offset = 0.7
	return container.NewBorder(top, nil, nil, nil, t.Split)
}

// withEngine runs a command on the engine, if there is one.
func (t *downloadTab) withEngine(f func(*downloader.Engine)) {
	if e := t.currentEngine(); e != nil {
		f(e)
	}
}

func (t *downloadTab) currentEngine() *downloader.Engine {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.engine
}

// close stops the transfers (keeping their .part files) and the demo server.
func (t *downloadTab) close() {
	t.Measure.cancel()
	if e := t.currentEngine(); e != nil {
		e.Close()
	}
	if t.demo != nil {
		t.demo.Close()
	}
}
