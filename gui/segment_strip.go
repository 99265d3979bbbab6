package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"potok/downloader"
)

// segmentStrip draws a file fetched in segments as one horizontal bar: the
// bytes on disk filled, the rest of each segment empty, and a thin gap where
// segments meet. Bytes outside every segment are filled: a resumed download
// lists only the ranges it still lacks.
type segmentStrip struct {
	widget.BaseWidget
	size int64
	segs *downloader.SegmentList // never changed once published by the engine
}

// segmentFraction is one segment as fractions of the file: [Start, End), of
// which [Start, Filled) is on disk.
type segmentFraction struct {
	Start, Filled, End float64
}

// newSegmentStrip makes an empty strip.
func newSegmentStrip() *segmentStrip {
	s := &segmentStrip{}
	s.ExtendBaseWidget(s)
	return s
}

// SetSegments shows segs of a file of size bytes. The engine hands out the
// same list while nothing moved, and then this costs nothing.
func (s *segmentStrip) SetSegments(size int64, segs *downloader.SegmentList) {
	if s.segs == segs && s.size == size {
		return
	}
	s.size, s.segs = size, segs
	s.Refresh()
}

// Fractions returns what the strip draws, segment by segment in file order.
func (s *segmentStrip) Fractions() []segmentFraction {
	if s.segs == nil {
		return nil
	}
	total := s.size
	for _, g := range *s.segs {
		total = max(total, g.End)
	}
	if total <= 0 {
		return nil
	}
	out := make([]segmentFraction, len(*s.segs))
	for i, g := range *s.segs {
		filled := g.Start + min(max(g.Done, 0), g.End-g.Start)
		out[i] = segmentFraction{
			Start:  float64(g.Start) / float64(total),
			Filled: float64(filled) / float64(total),
			End:    float64(g.End) / float64(total),
		}
	}
	return out
}

// MinSize is a short bar; the strip takes the width it is given.
func (s *segmentStrip) MinSize() fyne.Size {
	s.ExtendBaseWidget(s)
	return fyne.NewSize(60, stripBarHeight)
}

// CreateRenderer is a private method to Fyne which links this widget to its renderer.
func (s *segmentStrip) CreateRenderer() fyne.WidgetRenderer {
	r := &stripRenderer{s: s, base: canvas.NewRectangle(nil)}
	r.objects = []fyne.CanvasObject{r.base}
	r.Refresh()
	return r
}

const (
	stripBarHeight = 10 // the bar, centred in the height it is given
	stripGap       = 2  // between segments
)

// stripRenderer draws one rectangle for the whole bar in the filled colour,
// one in the empty colour over the missing part of each segment, and one
// per boundary; rectangles are kept for reuse and hidden when not needed.
type stripRenderer struct {
	s       *segmentStrip
	base    *canvas.Rectangle
	empty   []*canvas.Rectangle
	seps    []*canvas.Rectangle
	objects []fyne.CanvasObject
	size    fyne.Size
}

func (r *stripRenderer) Destroy()                     {}
func (r *stripRenderer) MinSize() fyne.Size           { return r.s.MinSize() }
func (r *stripRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *stripRenderer) Layout(size fyne.Size) {
	r.size = size
	r.place()
}

func (r *stripRenderer) Refresh() {
	th := r.s.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.base.FillColor = th.Color(theme.ColorNamePrimary, v)
	for _, e := range r.empty {
		e.FillColor = th.Color(theme.ColorNameInputBackground, v)
	}
	for _, sp := range r.seps {
		sp.FillColor = th.Color(theme.ColorNameBackground, v)
	}
	r.place()
	canvas.Refresh(r.s)
}

// place sizes the rectangles for the current segments and size.
func (r *stripRenderer) place() {
	fr := r.s.Fractions()
	w := r.size.Width
	h := min(r.size.Height, stripBarHeight)
	y := (r.size.Height - h) / 2
	r.base.Move(fyne.NewPos(0, y))
	r.base.Resize(fyne.NewSize(w, h))
	r.base.Hidden = len(fr) == 0

	var cuts []float64 // boundaries inside the bar, in order
	for _, f := range fr {
		if f.Start > 0 && (len(cuts) == 0 || cuts[len(cuts)-1] != f.Start) {
			cuts = append(cuts, f.Start)
		}
		if f.End < 1 {
			cuts = append(cuts, f.End)
		}
	}
	r.grow(len(fr), len(cuts))
	for i, e := range r.empty {
		if i >= len(fr) || fr[i].Filled >= fr[i].End {
			e.Hide()
			continue
		}
		x0, x1 := float32(fr[i].Filled)*w, float32(fr[i].End)*w
		e.Move(fyne.NewPos(x0, y))
		e.Resize(fyne.NewSize(x1-x0, h))
		e.Show()
	}
	for i, sp := range r.seps {
		if i >= len(cuts) {
			sp.Hide()
			continue
		}
		sp.Move(fyne.NewPos(float32(cuts[i])*w-stripGap/2, y))
		sp.Resize(fyne.NewSize(stripGap, h))
		sp.Show()
	}
}

// grow makes sure there are rectangles enough for n segments and cuts
// boundaries, drawn in that order: empty parts first, boundaries on top.
func (r *stripRenderer) grow(n, cuts int) {
	if n <= len(r.empty) && cuts <= len(r.seps) {
		return
	}
	th := r.s.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	for len(r.empty) < n {
		r.empty = append(r.empty, canvas.NewRectangle(th.Color(theme.ColorNameInputBackground, v)))
	}
	for len(r.seps) < cuts {
		r.seps = append(r.seps, canvas.NewRectangle(th.Color(theme.ColorNameBackground, v)))
	}
	r.objects = append(r.objects[:0], r.base)
	for _, e := range r.empty {
		r.objects = append(r.objects, e)
	}
	for _, sp := range r.seps {
		r.objects = append(r.objects, sp)
	}
}

// String is for test failures: "[0.000 0.125 0.250)".
func (f segmentFraction) String() string {
	return fmt.Sprintf("[%.3f %.3f %.3f)", f.Start, f.Filled, f.End)
}
