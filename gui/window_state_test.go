package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// newTestWindow builds the whole window in a test app whose preferences say
// to download into a temporary folder.
func newTestWindow(t *testing.T, a fyne.App) *mainWindow {
	t.Helper()
	a.Preferences().SetString(prefFolder, t.TempDir())
	mw := newMainWindow(a)
	t.Cleanup(func() {
		mw.Downloads.close()
		mw.Compute.cancel()
	})
	return mw
}

// TestWindowRemembersSizeTabAndSplits closes a window that was resized,
// switched to the Compute tab and had its splits moved; the next one opens
// the same.
func TestWindowRemembersSizeTabAndSplits(t *testing.T) {
	a := test.NewTempApp(t)
	mw := newTestWindow(t, a)
	if mw.Tabs.SelectedIndex() != 0 || mw.Window.Canvas().Size() != defaultWindowSize {
		t.Fatalf("first run: tab %d, size %v", mw.Tabs.SelectedIndex(), mw.Window.Canvas().Size())
	}
	mw.Tabs.SelectIndex(2)
	mw.Window.Resize(fyne.NewSize(900, 640))
	mw.Downloads.Split.SetOffset(0.5)
	mw.Compute.Split.SetOffset(0.3)
	mw.Window.Close()

	again := newTestWindow(t, a)
	if again.Tabs.SelectedIndex() != 2 {
		t.Errorf("tab %d, want 2 (Compute)", again.Tabs.SelectedIndex())
	}
	if s := again.Window.Canvas().Size(); s != fyne.NewSize(900, 640) {
		t.Errorf("size %v, want 900×640", s)
	}
	if again.Downloads.Split.Offset != 0.5 || again.Compute.Split.Offset != 0.3 {
		t.Errorf("splits at %v and %v, want 0.5 and 0.3", again.Downloads.Split.Offset, again.Compute.Split.Offset)
	}
}

// TestThemeAppliesAndIsRemembered: Dark in the Settings dialog makes every
// colour the dark variant's whatever the system asks, and the next window
// starts dark; System goes back to Fyne's own theme.
func TestThemeAppliesAndIsRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	mw := newTestWindow(t, a)
	// shown is the variant of the background the theme gives when the
	// system asks for light.
	shown := func() fyne.ThemeVariant {
		c := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight)
		if c == theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
			return theme.VariantDark
		}
		return theme.VariantLight
	}
	d := openSettings(t, mw.Downloads)
	if d.Theme.Selected != "System" {
		t.Fatalf("theme choice %q on the first run", d.Theme.Selected)
	}
	d.Theme.SetSelected("Dark")
	test.Tap(d.Apply)
	if shown() != theme.VariantDark || themeChoice(a) != themeDark {
		t.Fatalf("Dark did not apply: choice %q", themeChoice(a))
	}
	mw.Window.Close()
	a.Settings().SetTheme(theme.DefaultTheme()) // what a new process starts with

	again := newTestWindow(t, a)
	if shown() != theme.VariantDark {
		t.Fatal("the next window did not start dark")
	}
	d = openSettings(t, again.Downloads)
	if d.Theme.Selected != "Dark" {
		t.Fatalf("theme choice %q, want Dark", d.Theme.Selected)
	}
	d.Theme.SetSelected("System")
	test.Tap(d.Apply)
	if a.Settings().Theme() != theme.DefaultTheme() || themeChoice(a) != themeSystem {
		t.Fatalf("System did not apply: %T, choice %q", a.Settings().Theme(), themeChoice(a))
	}
}

// TestLanguageChoiceIsRemembered: Русский in the Settings dialog is kept,
// and the next window, under an English locale, is built in Russian; System
// there gives the locale's English again.
func TestLanguageChoiceIsRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	t.Cleanup(func() { setupLanguage(langEnglish) }) // the other tests read English
	mw := newTestWindow(t, a)
	d := openSettings(t, mw.Downloads)
	if d.Language.Selected != "System" {
		t.Fatalf("language choice %q on the first run", d.Language.Selected)
	}
	d.Language.SetSelected("Русский")
	test.Tap(d.Apply)
	if got := languageChoice(a); got != langRussian {
		t.Fatalf("language choice kept as %q", got)
	}
	mw.Window.Close()

	again := newTestWindow(t, a)
	if got := again.Tabs.Items[0].Text; got != "Скачать" {
		t.Fatalf("the next window's first tab is %q, want Скачать", got)
	}
	d = openSettings(t, again.Downloads)
	if d.Language.Selected != "Русский" {
		t.Fatalf("language choice %q, want Русский", d.Language.Selected)
	}
	d.Language.SetSelected("Системный")
	test.Tap(d.Apply)
	again.Window.Close()
	if third := newTestWindow(t, a); third.Tabs.Items[0].Text != "Download" {
		t.Fatalf("System under LC_ALL=en_US.UTF-8 gave %q", third.Tabs.Items[0].Text)
	}
}
