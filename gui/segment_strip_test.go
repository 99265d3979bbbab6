package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"potok/downloader"
)

// TestStripFillsGapsOfResumedDownloads: a resumed download lists only the
// ranges it still lacks; the bytes between them are on disk.
func TestStripFillsGapsOfResumedDownloads(t *testing.T) {
	st := newSegmentStrip()
	st.SetSegments(1000, &downloader.SegmentList{{Start: 200, End: 400, Done: 100}, {Start: 800, End: 1000}})
	want := []segmentFraction{{0.2, 0.3, 0.4}, {0.8, 0.8, 1}}
	if got := st.Fractions(); !sameFractions(got, want) {
		t.Fatalf("fractions %v, want %v", got, want)
	}
	// Drawn: the whole bar filled, two empty parts, three boundaries.
	w := test.NewTempWindow(t, st)
	w.Resize(fyne.NewSize(200, 40))
	r := test.WidgetRenderer(st).(*stripRenderer)
	empties, cuts := 0, 0
	for _, e := range r.empty {
		if e.Visible() {
			empties++
		}
	}
	for _, c := range r.seps {
		if c.Visible() {
			cuts++
		}
	}
	if empties != 2 || cuts != 3 {
		t.Fatalf("%d empty parts and %d boundaries drawn, want 2 and 3", empties, cuts)
	}
}
