package gui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2/lang"
)

// notWords are the string literals of gui/ that hold letters yet never reach
// the screen as words, each with why. Anything else with a letter in it goes
// through tr or trn, or this test fails.
var notWords = map[string]string{
	"Liberation": "font family", "Sans": "font style",
	"http": "URL scheme", "https": "URL scheme", "file": "URL scheme", "http://": "URL prefix", "https://": "URL prefix",
	".txt": "file extension", ".list": "file extension", ".csv": "file extension", ".pem": "file extension",
	".crt": "file extension", ".cer": "file extension", ".png": "file extension", ".netrc": "file name",
	"potok-speedup.png": "file name offered when saving a chart",
	"big.iso":           "the demo server's file name",
	"potok":             "folder name and User-Agent product",
	"Downloads":         "the folder in the home folder that XDG names so",
	"friedman1":         "data set name", "sparse": "data set name", "diabetes": "data set name",
	"ID": "CSV column name", "target": "CSV column name",
	"linux": "GOOS", "freebsd": "GOOS", "openbsd": "GOOS", "netbsd": "GOOS",
	"DBUS_SESSION_BUS_ADDRESS": "environment variable", "XDG_RUNTIME_DIR": "environment variable",
	"unix:path=": "D-Bus address", "bus": "D-Bus socket name", "unix": "D-Bus transport", "abstract": "D-Bus address key", "path": "D-Bus address key",
	"max-concurrent-downloads": "aria2 option", "split": "aria2 option", "max-overall-download-limit": "aria2 option",
	"MiB": "aria2 option unit", "KiB": "aria2 option unit",
	"watchClipboard":   "goroutine label",
	"start":            "lesson phase name, compared",
	"Potok":            "the program's name",
	"aria2 RPC":        "protocol name, in a log",
	"[%.3f %.3f %.3f)": "segment strip's accessibility dump for tests",
	"English":          "the language's name in itself", "Русский": "the language's name in itself",
	"LC_ALL": "environment variable", "translations": "embedded folder",
	"file name.bin": "a row's sizing template", "a-long-file-name.bin": "a log line's sizing template",
}

// printfVerb matches a printf verb, so that "%d" or "%.2f" holds no letter.
var printfVerb = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?[\d*]*(\.[\d*]*)?[a-zA-Z%]`)

func hasWords(s string) bool {
	return strings.IndexFunc(printfVerb.ReplaceAllString(s, ""), unicode.IsLetter) >= 0
}

// catalogueUse is what the code of gui/ asks the catalogue for.
type catalogueUse struct {
	keys    map[string]bool // key → is plural (trn)
	unwords []string        // literals with words that skip the catalogue, "file:line: text"
	bad     []string        // tr or trn called with a key that is not a literal
}

func scanGUI(t *testing.T) catalogueUse {
	t.Helper()
	use := catalogueUse{keys: map[string]bool{}}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "lang.go" { // lang.go is where tr and trn look keys up
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		skip := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.ImportSpec:
				return false
			case *ast.Field:
				if x.Tag != nil {
					skip[x.Tag] = true
				}
			case *ast.GenDecl:
				if x.Tok == token.CONST {
					return false // a constant is a name (a preference key, a choice), not words
				}
			case *ast.CallExpr:
				name, plural := catalogueCall(x)
				if name == "" {
					if isLogCall(x) {
						return false // logs are in English, for whoever reads them
					}
					break
				}
				if len(x.Args) == 0 {
					break
				}
				lit, ok := x.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					use.bad = append(use.bad, fset.Position(x.Pos()).String()+": "+name+" needs a string literal, for this test to see it")
					break
				}
				key, _ := strconv.Unquote(lit.Value)
				if p, seen := use.keys[key]; seen && p != plural {
					use.bad = append(use.bad, fset.Position(x.Pos()).String()+": "+strconv.Quote(key)+" is used both with and without plural forms")
				}
				use.keys[key] = plural
				skip[lit] = true
			case *ast.BasicLit:
				if x.Kind != token.STRING || skip[x] {
					break
				}
				s, _ := strconv.Unquote(x.Value)
				if _, ok := notWords[s]; !ok && hasWords(s) {
					use.unwords = append(use.unwords, fset.Position(x.Pos()).String()+": "+x.Value)
				}
			}
			return true
		})
	}
	return use
}

// catalogueCall names the call if it looks a key up: tr, trn, or lang's own.
func catalogueCall(c *ast.CallExpr) (name string, plural bool) {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		switch fn.Name {
		case "tr":
			return "tr", false
		case "trn":
			return "trn", true
		}
	case *ast.SelectorExpr:
		if pkg, ok := fn.X.(*ast.Ident); ok && pkg.Name == "lang" {
			switch fn.Sel.Name {
			case "L", "X", "Localize", "LocalizeKey":
				return "lang." + fn.Sel.Name, false
			case "N", "XN", "LocalizePlural", "LocalizePluralKey":
				return "lang." + fn.Sel.Name, true
			}
		}
	}
	return "", false
}

func isLogCall(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "slog" {
		return true
	}
	return slices.Contains([]string{"Debug", "Info", "Warn", "Error"}, sel.Sel.Name) &&
		strings.Contains(strings.ToLower(exprString(sel.X)), "log")
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	}
	return ""
}

// catalogue is one language's translations, from every translations/*.LANG.json.
type catalogue map[string]any // key → string, or plural forms (map of form → string)

func readCatalogue(t *testing.T, language string) catalogue {
	t.Helper()
	c := catalogue{}
	files, err := fs.Glob(translations, "translations/*."+language+".json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no translations/*.%s.json: %v", language, err)
	}
	for _, name := range files {
		data, err := translations.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var part map[string]any
		if err := json.Unmarshal(data, &part); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, v := range part {
			if _, dup := c[k]; dup {
				t.Errorf("%s: %q is translated twice", name, k)
			}
			c[k] = v
		}
	}
	return c
}

// verbs are the printf verbs of s, in order.
func verbs(s string) []string {
	var vs []string
	for _, v := range printfVerb.FindAllString(s, -1) {
		if v != "%%" {
			vs = append(vs, v)
		}
	}
	return vs
}

// sameVerbs holds when tr can fill the translation as it fills the key: the
// same verbs in the same order, or, where the translation numbers them
// (%[2]s), the same verbs in some order.
func sameVerbs(key, text string) bool {
	k, x := verbs(key), verbs(text)
	if slices.Equal(k, x) {
		return true
	}
	unindex := regexp.MustCompile(`\[\d+\]`)
	for i := range x {
		x[i] = unindex.ReplaceAllString(x[i], "")
	}
	slices.Sort(k)
	slices.Sort(x)
	return slices.Equal(k, x)
}

func TestCatalogue(t *testing.T) {
	use := scanGUI(t)
	for _, b := range use.bad {
		t.Error(b)
	}
	for _, u := range use.unwords {
		t.Errorf("%s reaches no translation: put it through tr or trn, or, if it never shows as words, in notWords with why", u)
	}
	ru, en := readCatalogue(t, langRussian), readCatalogue(t, langEnglish)
	pluralForms := map[string][]string{langRussian: {"one", "few", "many", "other"}, langEnglish: {"one", "other"}}
	for key, plural := range use.keys {
		for language, c := range map[string]catalogue{langRussian: ru, langEnglish: en} {
			v, ok := c[key]
			switch {
			case !ok && (plural || language == langRussian):
				t.Errorf("%q has no %s translation", key, language)
			case !ok:
				// English without plural forms is the key itself.
			case plural:
				forms, isMap := v.(map[string]any)
				if !isMap {
					t.Errorf("%s %q: needs its plural forms %v", language, key, pluralForms[language])
					continue
				}
				for _, form := range pluralForms[language] {
					s, _ := forms[form].(string)
					if s == "" {
						t.Errorf("%s %q: no %q form", language, key, form)
					} else if !sameVerbs(key, s) {
						t.Errorf("%s %q: form %q is %q, with other printf verbs", language, key, form, s)
					}
				}
			default:
				s, isString := v.(string)
				switch {
				case language == langEnglish:
					t.Errorf("en %q: an English translation of a text without plural forms is the key itself; remove it", key)
				case !isString || s == "":
					t.Errorf("%s %q: the translation must be a non-empty string", language, key)
				case !sameVerbs(key, s):
					t.Errorf("%s %q is %q, with other printf verbs", language, key, s)
				}
			}
		}
	}
	for language, c := range map[string]catalogue{langRussian: ru, langEnglish: en} {
		for key := range c {
			if _, used := use.keys[key]; !used {
				t.Errorf("%s %q is translated but no code of gui/ uses it: remove it", language, key)
			}
		}
	}
}

// inLanguage runs f with the window's words in language, and English again
// after: the other tests read English.
func inLanguage(t *testing.T, language string, f func()) {
	t.Helper()
	setupLanguage(language)
	defer setupLanguage(langEnglish)
	f()
}

func TestRussianPlurals(t *testing.T) {
	cases := []struct {
		n      int
		ru, en string
	}{
		{1, "1 соединение", "1 connection"},
		{2, "2 соединения", "2 connections"},
		{4, "4 соединения", "4 connections"},
		{5, "5 соединений", "5 connections"},
		{11, "11 соединений", "11 connections"},
		{12, "12 соединений", "12 connections"},
		{21, "21 соединение", "21 connections"},
		{22, "22 соединения", "22 connections"},
		{25, "25 соединений", "25 connections"},
		{111, "111 соединений", "111 connections"},
	}
	for _, c := range cases {
		if got := trn("%d connections", c.n); got != c.en {
			t.Errorf("en %d: %q, want %q", c.n, got, c.en)
		}
	}
	files := []struct {
		n  int
		ru string
	}{
		{1, "Демо-сервер на loopback: 1 файл размером 1,0 МиБ, 100 мс до первого байта, 1,0 МиБ/с на соединение."},
		{2, "Демо-сервер на loopback: 2 файла по 1,0 МиБ, 100 мс до первого байта, 1,0 МиБ/с на соединение."},
		{5, "Демо-сервер на loopback: 5 файлов по 1,0 МиБ, 100 мс до первого байта, 1,0 МиБ/с на соединение."},
		{21, "Демо-сервер на loopback: 21 файл размером 1,0 МиБ, 100 мс до первого байта, 1,0 МиБ/с на соединение."},
		{16, "Демо-сервер на loopback: 16 файлов по 1,0 МиБ, 100 мс до первого байта, 1,0 МиБ/с на соединение."},
	}
	if got := demoNote(1, 1<<20, 100*time.Millisecond, 1<<20); got != "Demo server on loopback: 1 file of 1.0 MiB, 100 ms to first byte, 1.0 MiB/s per connection." {
		t.Errorf("en 1 file: %q", got)
	}
	inLanguage(t, langRussian, func() {
		for _, c := range cases {
			if got := trn("%d connections", c.n); got != c.ru {
				t.Errorf("ru %d: %q, want %q", c.n, got, c.ru)
			}
		}
		for _, c := range files {
			if got := demoNote(c.n, 1<<20, 100*time.Millisecond, 1<<20); got != c.ru {
				t.Errorf("ru %d files:\n got %q\nwant %q", c.n, got, c.ru)
			}
		}
	})
}

func TestUnitsReadNaturally(t *testing.T) {
	type want struct{ en, ru string }
	cases := []struct {
		name string
		f    func() string
		want want
	}{
		{"size", func() string { return sizeText(1_500_000, 12_300_000) }, want{"1.5 MB / 12 MB", "1,5 МБ / 12 МБ"}},
		{"size unknown", func() string { return sizeText(512, -1) }, want{"512 B / ?", "512 Б / ?"}},
		{"speed", func() string { return speedText(2_600_000) }, want{"2.6 MB/s", "2,6 МБ/с"}},
		{"speed kB", func() string { return speedText(82_000) }, want{"82 kB/s", "82 кБ/с"}},
		{"eta short", func() string { return etaText(42 * time.Second) }, want{"42 s", "42 с"}},
		{"eta minutes", func() string { return etaText(125 * time.Second) }, want{"2 min 5 s", "2 мин 5 с"}},
		{"eta hours", func() string { return etaText(2*time.Hour + 13*time.Minute + 10*time.Second) }, want{"2 h 13 min", "2 ч 13 мин"}},
		{"eta now", func() string { return etaText(300 * time.Millisecond) }, want{"<1 s", "<1 с"}},
		{"elapsed", func() string { return elapsedText(12340 * time.Millisecond) }, want{"12.3 s", "12,3 с"}},
	}
	for _, c := range cases {
		if got := c.f(); got != c.want.en {
			t.Errorf("en %s: %q, want %q", c.name, got, c.want.en)
		}
	}
	inLanguage(t, langRussian, func() {
		for _, c := range cases {
			if got := c.f(); got != c.want.ru {
				t.Errorf("ru %s: %q, want %q", c.name, got, c.want.ru)
			}
		}
	})
}

// TestLanguageChoiceOverridesSystem: the setting wins over the locale in
// the environment, and leaves the environment as it was.
func TestLanguageChoiceOverridesSystem(t *testing.T) {
	t.Setenv("LC_ALL", "ru_RU.UTF-8")
	inLanguage(t, langEnglish, func() {
		if got := tr("Download"); got != "Download" {
			t.Errorf("English chosen under a Russian locale: %q", got)
		}
	})
	t.Setenv("LC_ALL", "en_US.UTF-8")
	inLanguage(t, langRussian, func() {
		if got := tr("Download"); got != "Скачать" {
			t.Errorf("Russian chosen under an English locale: %q", got)
		}
	})
	t.Setenv("LC_ALL", "ru_RU.UTF-8")
	inLanguage(t, langSystem, func() {
		if got := tr("Download"); got != "Скачать" {
			t.Errorf("the system's Russian locale: %q", got)
		}
	})
	if got := lang.L("Download"); got != "Download" {
		t.Errorf("after the tests' English is set again: %q", got)
	}
}
