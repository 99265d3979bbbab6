package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
)

// layoutForm is a two-column form: labels at their width, values stretched.
func layoutForm() fyne.Layout { return layout.NewFormLayout() }
