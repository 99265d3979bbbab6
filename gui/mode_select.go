package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"potok/compute/lesson"
)

// The execution mode each tab runs its work in (compute/lesson), kept in the
// preferences.
const (
	prefComputeMode = "computeMode"
	prefSpeedupMode = "speedupMode"
)

// modeNotes say what a mode means for a tab's work, one sentence per mode.
// The modes themselves are shown by their names (goroutines, processes,
// gil) in every language: they are the names the command line takes.
type modeNotes [3]string // by lesson.Mode

// computeModeNotes are the Compute tab's: π and the regressors, in the
// window's language.
func computeModeNotes() modeNotes {
	return modeNotes{
		lesson.Goroutines: tr("goroutines: Go as it is, every worker on any core."),
		lesson.Processes:  tr("processes: the work is split among child processes of Potok, started for each run, as Python's multiprocessing.Pool does; their start is in the time."),
		lesson.GIL:        tr("gil: goroutines that hold one global lock while they compute, as CPython's threads hold theirs: one worker computes at a time, however many there are."),
	}
}

// speedupModeNotes are the Speedup tab's: downloads.
func speedupModeNotes() modeNotes {
	return modeNotes{
		lesson.Goroutines: tr("goroutines: one goroutine per download, as the Download tab fetches."),
		lesson.Processes:  tr("processes: the list is split among child processes of Potok, each fetching its share one file at a time with the same network settings and a share of the speed limit; their start is in the time."),
		lesson.GIL:        tr("gil: every transfer holds one global lock while it handles bytes and lets go of it while it waits for the network, as CPython's threads do."),
	}
}

// newModeSelect returns a selector of the modes showing the one kept under
// key (goroutines when none is), and a label with what it means; each
// choice is kept and explained.
func newModeSelect(p fyne.Preferences, key string, notes modeNotes) (*widget.Select, *widget.Label) {
	names := make([]string, len(lesson.Modes))
	for i, m := range lesson.Modes {
		names[i] = m.String()
	}
	note := widget.NewLabel("")
	note.Wrapping = fyne.TextWrapWord
	s := widget.NewSelect(names, nil)
	m, err := lesson.ParseMode(p.StringWithFallback(key, lesson.Goroutines.String()))
	if err != nil {
		m = lesson.Goroutines
	}
	s.SetSelected(m.String())
	note.SetText(notes[m])
	s.OnChanged = func(string) {
		m := selectedMode(s)
		p.SetString(key, m.String())
		note.SetText(notes[m])
	}
	return s, note
}

// selectedMode is the mode s shows (goroutines if none).
func selectedMode(s *widget.Select) lesson.Mode {
	m, err := lesson.ParseMode(s.Selected)
	if err != nil {
		return lesson.Goroutines
	}
	return m
}
