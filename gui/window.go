// Package gui is Potok's window, in Fyne. It holds no business logic: it reads
// the engine's state on a ticker and sends the user's commands to it.
package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Options set how the window starts.
type Options struct {
	Demo bool // start the offline demo at once
}

// Run shows the main window and blocks until it is closed.
//
// The Download tab, the speedup charts and the Compute tab are not built yet;
// until they are, the window says so and points to the command line, which
// runs the whole engine today.
func Run(a fyne.App, opts Options) {
	w := a.NewWindow("Potok")
	w.SetIcon(a.Icon())
	msg := widget.NewLabel("The download window is not built yet.\n\n" +
		"The engine works today from a terminal:\n" +
		"  potok serve-demo        (prints a list of demo URLs)\n" +
		"  potok get -i list.txt -o DIR -j 16\n" +
		"  potok bench io")
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewPadded(msg))
	w.Resize(fyne.NewSize(640, 400))
	w.ShowAndRun()
}
