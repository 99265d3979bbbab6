package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme choices, as kept in the preferences: the system's light or dark, or
// one of them always.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"

	prefTheme = "theme"
)

// variantTheme is Fyne's default theme in one variant, whatever the system
// asks for: every colour is looked up in v.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// applyTheme sets the app's theme for the choice (themeSystem for anything
// else) and remembers it.
func applyTheme(a fyne.App, choice string) {
	var th fyne.Theme
	switch choice {
	case themeLight:
		th = variantTheme{Theme: theme.DefaultTheme(), v: theme.VariantLight}
	case themeDark:
		th = variantTheme{Theme: theme.DefaultTheme(), v: theme.VariantDark}
	default:
		choice, th = themeSystem, theme.DefaultTheme()
	}
	a.Preferences().SetString(prefTheme, choice)
	a.Settings().SetTheme(th)
}

// themeChoice is the remembered theme choice.
func themeChoice(a fyne.App) string {
	return a.Preferences().StringWithFallback(prefTheme, themeSystem)
}
