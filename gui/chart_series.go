package gui

// A speedupChart of several series: one panel, each series' speedup against
// workers overlaid with the ideal line, and a legend to the right of the
// axes, where no line goes. The Lesson tab draws downloads and π in each
// mode with it.

import (
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
)

// chartSeries is one line of a chart of several: its legend label, its
// points (speedup is computed as for a single series, against the series'
// own first point) and its style by index. Colour 0 is the theme's primary
// colour, 1 a second one (the theme's warning colour); Dash 0 is a solid
// line with round points, 1 a dashed one with squares, 2 a dotted one with
// triangles. Larger indices wrap around.
type chartSeries struct {
	Label  string
	Colour int
	Dash   int
	Points []sweepPoint
}

// seriesDashes are the dash patterns of Dash 0, 1, 2 (in points).
var seriesDashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2.5)}}

// seriesGlyphs are the point shapes of Dash 0, 1, 2.
var seriesGlyphs = []vgdraw.GlyphDrawer{vgdraw.CircleGlyph{}, vgdraw.BoxGlyph{}, vgdraw.TriangleGlyph{}}

// SetSeries replaces what the chart shows with several series, drawn in one
// speedup panel. Each series' points are cleaned as SetPoints cleans them;
// a series left with no point is dropped. Points() is then empty. Call it
// from the UI goroutine (fyne.Do).
func (c *speedupChart) SetSeries(series []chartSeries) {
	var clean []chartSeries
	for _, s := range series {
		if s.Points = cleanPoints(s.Points); len(s.Points) > 0 {
			clean = append(clean, s)
		}
	}
	c.mu.Lock()
	c.series, c.points = clean, nil
	c.gen++
	c.mu.Unlock()
	c.Refresh()
}

// Series returns a copy of the series shown.
func (c *speedupChart) Series() []chartSeries {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneSeries(c.series)
}

func cloneSeries(series []chartSeries) []chartSeries {
	out := slices.Clone(series)
	for i := range out {
		out[i].Points = slices.Clone(out[i].Points)
	}
	return out
}

// drawSeries draws the series' panel and its legend into dc.
func drawSeries(dc vgdraw.Canvas, series []chartSeries, pal chartPalette) {
	var all []sweepPoint // every series' points, for the axis' ticks and range
	for _, s := range series {
		all = append(all, s.Points...)
	}
	all = cleanPoints(all)
	p := newPanel(all, tr("speedup"), pal)
	lo, hi := workerRange(all)
	ideal := newIdealLine(lo, hi, pal)
	p.Add(ideal)
	legend := plot.NewLegend()
	styleLegend(&legend, pal)
	legend.Top, legend.Left = true, true
	legend.Add(tr("ideal"), ideal)
	maxS := 0.0
	for _, s := range series {
		xys, top := speedups(s.Points)
		maxS = max(maxS, top)
		col := pal.primary
		if s.Colour%2 == 1 {
			col = pal.second
		}
		d := s.Dash % len(seriesDashes)
		line := &plotter.Line{XYs: xys, LineStyle: vgdraw.LineStyle{Color: col, Width: vg.Points(1.75), Dashes: seriesDashes[d]}}
		scatter := &plotter.Scatter{XYs: xys, GlyphStyle: vgdraw.GlyphStyle{Color: col, Radius: vg.Points(2.75), Shape: seriesGlyphs[d]}}
		p.Add(line, scatter)
		legend.Add(s.Label, line, scatter)
	}
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, max(hi, maxS)*1.1

	// The legend takes what it needs on the right, up to two fifths.
	width := min(legend.Rectangle(dc).Size().X, dc.Size().X*2/5)
	plotArea, legendArea := dc, dc
	plotArea.Max.X -= width + vg.Points(10)
	legendArea.Min.X = plotArea.Max.X + vg.Points(10)
	legendArea.Max.Y -= vg.Points(6)
	p.Draw(plotArea)
	legend.Draw(legendArea)
}
