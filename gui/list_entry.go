package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// listEntry is the multi-line URL field. It catches Ctrl+Enter (Cmd+Enter on
// macOS) to start the downloads: the focused entry gets shortcuts before the
// window does, so the window's own shortcut would never fire while typing.
type listEntry struct {
	widget.Entry
	onSubmit func()
	onBulk   func(string) // a paste too long for the field
}

func newListEntry(onSubmit func(), onBulk func(string)) *listEntry {
	e := &listEntry{onSubmit: onSubmit, onBulk: onBulk}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapOff
	e.ExtendBaseWidget(e)
	return e
}

// submitShortcut is Ctrl+Enter.
var submitShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}

func (e *listEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && cs.ShortcutName() == submitShortcut.ShortcutName() {
		e.onSubmit()
		return
	}
	if ps, ok := s.(*fyne.ShortcutPaste); ok && ps.Clipboard != nil {
		if text := ps.Clipboard.Content(); strings.Count(text, "\n") >= inlineLines {
			e.onBulk(text)
			return
		}
	}
	e.Entry.TypedShortcut(s)
}
