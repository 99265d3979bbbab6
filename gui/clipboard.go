package gui

import (
	"crypto/sha256"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"potok/downloader"
)

// Clipboard watching (a setting, off by default): once a second the ticker
// reads the clipboard, and a new text that is one http(s) link or a list
// of them (every line usable by the engine's ParseList) is offered in a
// bar above the tabs, "Add to Potok" or "Ignore"; a notification says so
// when the window is hidden in the tray. Nothing is added without Add, and
// no text is offered twice. What the clipboard holds when watching starts
// was copied before: it is not offered.

// prefWatchClipboard is the clipboard setting.
const prefWatchClipboard = "watchClipboard"

// maxClipboard bounds the text looked at: more is not a list of links
// someone means to add from the clipboard.
const maxClipboard = 1 << 20

// maxOffered bounds the texts remembered as offered.
const maxOffered = 1000

// clipWatch decides what to offer. UI goroutine.
type clipWatch struct {
	started bool   // last is the baseline or a text seen since
	last    string // the text seen last
	offered map[[32]byte]bool
}

// stop forgets the baseline: watching starts over from what the clipboard
// holds then.
func (c *clipWatch) stop() { c.started, c.last = false, "" }

// see takes the clipboard's text and returns the links to offer, if it is
// new and all links.
func (c *clipWatch) see(text string) ([]downloader.Entry, bool) {
	if !c.started {
		c.started, c.last = true, text
		return nil, false
	}
	if text == c.last {
		return nil, false
	}
	c.last = text
	if strings.TrimSpace(text) == "" || len(text) > maxClipboard {
		return nil, false
	}
	sum := sha256.Sum256([]byte(text))
	if c.offered[sum] {
		return nil, false
	}
	l, err := downloader.ParseList(strings.NewReader(text))
	if err != nil || len(l.Problems) > 0 || len(l.Entries) == 0 {
		return nil, false
	}
	if c.offered == nil || len(c.offered) >= maxOffered {
		c.offered = map[[32]byte]bool{}
	}
	c.offered[sum] = true
	return l.Entries, true
}

// offerBar is the prompt above the tabs.
type offerBar struct {
	Text        *widget.Label
	Add, Ignore *widget.Button
	box         *fyne.Container
	outer       *fyne.Container // the window's content, box at its top
	entries     []downloader.Entry
}

func (mw *mainWindow) newOfferBar() *offerBar {
	o := &offerBar{Text: widget.NewLabel("")}
	o.Text.Truncation = fyne.TextTruncateEllipsis
	o.Add = widget.NewButton(tr("Add to Potok"), func() {
		entries := o.entries
		o.hide()
		mw.Tabs.SelectIndex(0)
		if err := mw.Downloads.add(entries); err != nil {
			dialog.ShowError(err, mw.Window)
		}
	})
	o.Add.Importance = widget.HighImportance
	o.Ignore = widget.NewButton(tr("Ignore"), o.hide)
	o.box = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(o.Add, o.Ignore), o.Text), widget.NewSeparator())
	o.box.Hide()
	o.outer = container.NewBorder(o.box, nil, nil, nil, mw.Tabs)
	return o
}

// hide and show lay out the window's content again (outer): the box
// showing or hiding alone leaves the room it takes as it was.
func (o *offerBar) hide() {
	o.entries = nil
	o.box.Hide()
	o.outer.Refresh()
}

// show offers entries, replacing an offer not answered yet.
func (o *offerBar) show(entries []downloader.Entry) {
	o.entries = entries
	if len(entries) == 1 {
		o.Text.SetText(tr("Copied link: %s", downloader.RedactURL(entries[0].URL)))
	} else {
		o.Text.SetText(tr("Copied %d links, the first %s", len(entries), downloader.RedactURL(entries[0].URL)))
	}
	o.box.Show()
	o.outer.Refresh()
}

// watchClipboard looks at the clipboard once; the ticker calls it every
// second.
func (mw *mainWindow) watchClipboard() {
	on := mw.app.Preferences().Bool(prefWatchClipboard)
	mw.watching.Store(on)
	if !on {
		mw.clip.stop()
		return
	}
	entries, ok := mw.clip.see(mw.app.Clipboard().Content())
	if !ok {
		return
	}
	mw.Offer.show(entries)
	if mw.hidden {
		mw.app.SendNotification(fyne.NewNotification(tr("Potok: links copied"), tr("Show Potok from its tray icon to add them.")))
	}
}
