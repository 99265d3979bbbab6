package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"potok/downloader"
)

// inlineLines is the most lines shown in the URL field. Fyne's Entry keeps a
// text object per line and redraws them all: with 3,000 lines the idle window
// used 0.4 of a core and 100 MB more, with 10,000 lines 1.4 GB. Longer lists
// are kept here, outside the field, as named sources.
const inlineLines = 500

type bulkList struct {
	name, text string
	lines      int
}

// bulkPanel shows the lists held outside the field, with a Clear button.
func (t *downloadTab) newBulkPanel() fyne.CanvasObject {
	t.BulkText = widget.NewLabel("")
	t.BulkText.Wrapping = fyne.TextWrapWord
	t.ClearBulk = widget.NewButton(tr("Clear"), func() {
		t.bulk = nil
		t.updateBulk()
	})
	t.bulkBox = container.NewBorder(nil, nil, nil, t.ClearBulk, t.BulkText)
	t.bulkBox.Hide()
	return t.bulkBox
}

func (t *downloadTab) updateBulk() {
	if len(t.bulk) == 0 {
		t.bulkBox.Hide()
		t.updateDemoButton()
		return
	}
	var parts []string
	for _, b := range t.bulk {
		parts = append(parts, trn("%[2]s: %[1]d lines", b.lines, b.name))
	}
	t.BulkText.SetText(tr("Also in the list (too long to show): ") + strings.Join(parts, "; "))
	t.bulkBox.Show()
	t.updateDemoButton()
}

// addSource puts text into the field, or, when it is long, beside it.
func (t *downloadTab) addSource(name, text string) {
	n := strings.Count(strings.TrimRight(text, "\n"), "\n") + 1
	if n <= inlineLines {
		t.appendText(text)
		return
	}
	t.bulk = append(t.bulk, bulkList{name: name, text: text, lines: n})
	t.updateBulk()
}

// listSource is one text to parse and the name its problems are reported by,
// "" for the field's own lines.
type listSource struct{ name, text string }

// sources returns what Download and Measure will parse. UI goroutine only.
func (t *downloadTab) sources() []listSource {
	src := []listSource{{text: t.URLs.Text}}
	for _, b := range t.bulk {
		src = append(src, listSource{name: b.name, text: b.text})
	}
	return src
}

// parseSources parses every source (off the UI goroutine is fine), dropping
// URLs already seen in an earlier source, and returns the entries and the
// problems, each prefixed with its source.
func parseSources(src []listSource) ([]downloader.Entry, []string, error) {
	var entries []downloader.Entry
	var problems []string
	seen := make(map[string]bool)
	for _, s := range src {
		l, err := downloader.ParseList(strings.NewReader(s.text))
		if err != nil {
			return nil, nil, err
		}
		for _, p := range l.Problems {
			if s.name == "" {
				problems = append(problems, tr("line %d: %s", p.Line, inputText(p.Err)))
			} else {
				problems = append(problems, tr("%s, line %d: %s", s.name, p.Line, inputText(p.Err)))
			}
		}
		for _, e := range l.Entries {
			if !seen[e.URL] {
				seen[e.URL] = true
				entries = append(entries, e)
			}
		}
	}
	return entries, problems, nil
}
