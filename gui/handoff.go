package gui

import (
	"strings"

	"fyne.io/fyne/v2/dialog"

	"potok/downloader"
)

// One window per user: `potok URL…` or `potok LIST.txt` while the window
// runs hands its args to it (main.go's socket; Options.Handoffs), and
// `potok URL…` with no window running opens one with them (Options.URLs).
// Either way a link becomes a download at once, as a browser extension's
// does over the RPC, and a list is loaded into the field, as `potok
// LIST.txt` always has: Download starts it.

// applyHandoff adds another potok command's links, loads its lists and
// brings the window forward (out of the tray too). UI goroutine.
func (mw *mainWindow) applyHandoff(args []string) {
	var links []string
	for _, a := range args {
		if isLink(a) {
			links = append(links, a)
		} else {
			mw.Downloads.load(a)
		}
	}
	if len(args) > 0 {
		mw.Tabs.SelectIndex(0)
	}
	mw.Downloads.addLinks(links)
	mw.bringForward()
}

// isLink tells a link from a list file's path, as main.go does.
func isLink(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// addLinks adds links as downloads, parsed by the engine's ParseList; the
// links it cannot use are listed by their number among them.
func (t *downloadTab) addLinks(links []string) {
	if len(links) == 0 {
		return
	}
	l, err := downloader.ParseList(strings.NewReader(strings.Join(links, "\n")))
	if err != nil {
		t.showProblems(err.Error())
		return
	}
	var problems []string
	for _, p := range l.Problems {
		problems = append(problems, tr("link %d: %s", p.Line, inputText(p.Err)))
	}
	t.showProblems(linesText(problems))
	if len(l.Entries) == 0 {
		return
	}
	if err := t.add(l.Entries); err != nil {
		dialog.ShowError(err, t.win)
	}
}

// bringForward shows the window, hidden in the tray or not, and asks the
// desktop to give it the focus.
func (mw *mainWindow) bringForward() {
	mw.hidden = false
	mw.Window.Show()
	mw.Window.RequestFocus()
}
