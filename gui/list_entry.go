package gui

import (
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
}

func newListEntry(onSubmit func()) *listEntry {
	e := &listEntry{onSubmit: onSubmit}
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
	e.Entry.TypedShortcut(s)
}
