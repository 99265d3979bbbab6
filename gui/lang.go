package gui

import (
	"embed"
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// The window's words go through Fyne's lang package: the English text is the
// key, printf verbs and all, and translations/*.ru.json give the Russian.
// The catalogue test (lang_test.go) fails on a key used here and missing
// there, on a translation no code uses, and on a string literal of gui/ that
// reaches the screen without going through tr or trn.

//go:embed translations
var translations embed.FS

// Language choices, as kept in the preferences.
const (
	langSystem  = "system"
	langEnglish = "en"
	langRussian = "ru"

	prefLanguage = "language"
)

// setupLanguage loads the translations for choice: the system's locale for
// langSystem, else the language named. Fyne's lang package reads the locale
// from the environment when translations are added, and only then, so the
// choice is put there for that moment only: programs Potok starts keep the
// user's own locale. The window is built in one language; a new choice takes
// effect when Potok next starts.
func setupLanguage(choice string) {
	if choice == langEnglish || choice == langRussian {
		old, had := os.LookupEnv("LC_ALL")
		os.Setenv("LC_ALL", choice)
		defer func() {
			if had {
				os.Setenv("LC_ALL", old)
			} else {
				os.Unsetenv("LC_ALL")
			}
		}()
	}
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		slog.Error("the window's translations could not be read; it speaks English", "err", err)
	}
}

// languageChoice is the remembered language choice.
func languageChoice(a fyne.App) string {
	return a.Preferences().StringWithFallback(prefLanguage, langSystem)
}

// tr is the window's text for an English format: its translation, filled in
// as fmt.Sprintf fills the format.
func tr(format string, args ...any) string {
	if len(args) == 0 {
		return lang.L(format)
	}
	return fmt.Sprintf(lang.L(format), args...)
}

// trn is tr for a text about n things, in the plural form n takes in the
// window's language (1 файл, 2 файла, 5 файлов); n is the first of args.
func trn(format string, n int, args ...any) string {
	return fmt.Sprintf(lang.N(format, n), append([]any{n}, args...)...)
}
