package gui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// sweepPoint is one measured worker count.
type sweepPoint struct {
	Workers int
	Seconds float64 // wall time (median if repeated)
}

// speedupChart draws two panels side by side: "time (s)" vs workers and
// "speedup" vs workers with the ideal line. Values are labelled on the points.
// Given several series instead (SetSeries, chart_series.go), it draws one
// panel, their speedups overlaid with the ideal line, and a legend.
//
// The speedup of point i is T(first)·Workers(first) / T(i), where "first" is
// the point with the fewest workers: with a 1-worker baseline it is plain
// T1/Ti, and the ideal line is speedup = workers.
//
// The chart follows the Fyne theme (background, foreground, primary colour)
// and is redrawn at the real pixel size on every resize and Refresh.
type speedupChart struct {
	widget.BaseWidget

	mu     sync.Mutex
	title  string
	points []sweepPoint  // valid points, sorted by Workers
	series []chartSeries // or several series, each's points so
	gen    uint64        // bumped on every change of title, points or series

	cacheKey chartKey
	cacheImg image.Image
}

// chartKey identifies one rendering of the widget's raster.
type chartKey struct {
	w, h, dpi int
	gen       uint64
	pal       chartPalette
}

// The widget's minimum size (Fyne units) and the chart's font sizes (points,
// 1/72 inch; at 96 DPI a point is 4/3 pixel), chosen to be readable at about
// 600×260 pixels.
const (
	chartMinWidth  = 480
	chartMinHeight = 220

	chartDPI = 96

	titleFontSize = 11
	axisFontSize  = 9.5
	tickFontSize  = 8.5
	valueFontSize = 8
	hintFontSize  = 11
)

var (
	chartFont     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	chartBoldFont = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// newSpeedupChart returns an empty chart with the given title (which may be
// empty).
func newSpeedupChart(title string) *speedupChart {
	c := &speedupChart{title: title}
	c.ExtendBaseWidget(c)
	return c
}

// SetPoints replaces the measured points and redraws. Points with fewer than
// one worker or a non-positive or non-finite time are dropped; the rest are
// kept sorted by worker count. The chart then shows these points alone (no
// series). Call it from the UI goroutine (fyne.Do).
func (c *speedupChart) SetPoints(pts []sweepPoint) {
	clean := cleanPoints(pts)
	c.mu.Lock()
	c.points, c.series = clean, nil
	c.gen++
	c.mu.Unlock()
	c.Refresh()
}

// cleanPoints drops the points that cannot be drawn (fewer than one
// worker, a time that is not positive and finite) and sorts the rest by
// worker count.
func cleanPoints(pts []sweepPoint) []sweepPoint {
	clean := make([]sweepPoint, 0, len(pts))
	for _, p := range pts {
		if p.Workers >= 1 && p.Seconds > 0 && !math.IsInf(p.Seconds, 0) && !math.IsNaN(p.Seconds) {
			clean = append(clean, p)
		}
	}
	slices.SortStableFunc(clean, func(a, b sweepPoint) int { return a.Workers - b.Workers })
	return clean
}

// Points returns a copy of the points shown, sorted by worker count.
func (c *speedupChart) Points() []sweepPoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.points)
}

// SetTitle changes the title drawn above both panels and redraws.
func (c *speedupChart) SetTitle(s string) {
	c.mu.Lock()
	c.title = s
	c.gen++
	c.mu.Unlock()
	c.Refresh()
}

// Title returns the current title.
func (c *speedupChart) Title() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.title
}

// CreateRenderer implements fyne.Widget: a raster that renders the chart at
// the raster's pixel size.
func (c *speedupChart) CreateRenderer() fyne.WidgetRenderer {
	r := canvas.NewRaster(c.rasterImage)
	r.SetMinSize(fyne.NewSize(chartMinWidth, chartMinHeight))
	return widget.NewSimpleRenderer(r)
}

// rasterImage is the raster's generator. It renders with the widget's theme
// and the app's variant, scaling text with the canvas scale, and reuses the
// last image while nothing that affects it has changed.
func (c *speedupChart) rasterImage(w, h int) image.Image {
	th := c.Theme()
	variant := theme.VariantLight
	if app := fyne.CurrentApp(); app != nil {
		variant = app.Settings().ThemeVariant()
	}
	dpi := chartDPI
	if size := c.Size(); size.Width > 0 {
		scale := float64(w) / float64(size.Width)
		dpi = int(math.Round(chartDPI * min(max(scale, 0.5), 4)))
	}

	c.mu.Lock()
	key := chartKey{w: w, h: h, dpi: dpi, gen: c.gen, pal: newChartPalette(th, variant)}
	if c.cacheImg != nil && c.cacheKey == key {
		img := c.cacheImg
		c.mu.Unlock()
		return img
	}
	c.mu.Unlock()

	img := c.render(w, h, dpi, th, variant)

	c.mu.Lock()
	c.cacheKey, c.cacheImg = key, img
	c.mu.Unlock()
	return img
}

// Render draws the chart into a new image of exactly width×height pixels at
// 96 DPI, with the colours of th in the given variant. It has no side
// effects and may be called from any goroutine.
func (c *speedupChart) Render(width, height int, th fyne.Theme, variant fyne.ThemeVariant) image.Image {
	return c.render(width, height, chartDPI, th, variant)
}

// SavePNG writes the chart as a width×height PNG in the current app theme.
func (c *speedupChart) SavePNG(w io.Writer, width, height int) error {
	if width < 1 || height < 1 {
		return errors.New(tr("chart: bad PNG size %d×%d", width, height))
	}
	th, variant := fyne.Theme(theme.DefaultTheme()), theme.VariantLight
	if app := fyne.CurrentApp(); app != nil {
		th, variant = theme.Current(), app.Settings().ThemeVariant()
	}
	return png.Encode(w, c.Render(width, height, th, variant))
}

// chartPalette holds the opaque colours a chart is drawn with.
type chartPalette struct {
	bg, fg, primary, ideal, grid color.NRGBA
	second                       color.NRGBA // a second series colour, for charts of several
}

func newChartPalette(th fyne.Theme, v fyne.ThemeVariant) chartPalette {
	if th == nil {
		th = theme.DefaultTheme()
	}
	bg := opaque(th.Color(theme.ColorNameBackground, v), color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff})
	fg := opaque(th.Color(theme.ColorNameForeground, v), bg)
	return chartPalette{
		bg:      bg,
		fg:      fg,
		primary: opaque(th.Color(theme.ColorNamePrimary, v), bg),
		// The theme's "disabled" colour is nearly invisible on the
		// background; the placeholder colour is the muted foreground
		// that is still readable in both variants.
		ideal:  opaque(th.Color(theme.ColorNamePlaceHolder, v), bg),
		grid:   mix(fg, bg, 0.14),
		second: opaque(th.Color(theme.ColorNameWarning, v), bg),
	}
}

// opaque composites c over the opaque colour bg.
func opaque(c color.Color, bg color.NRGBA) color.NRGBA {
	if c == nil {
		return bg
	}
	r, g, b, a := c.RGBA() // premultiplied, 16 bit
	inv := 0xffff - a
	f := func(v uint32, bgv uint8) uint8 {
		return uint8((v + uint32(bgv)*0x101*inv/0xffff) >> 8)
	}
	return color.NRGBA{R: f(r, bg.R), G: f(g, bg.G), B: f(b, bg.B), A: 0xff}
}

// mix returns a·t + b·(1-t) for opaque colours.
func mix(a, b color.NRGBA, t float64) color.NRGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*t + float64(y)*(1-t))) }
	return color.NRGBA{R: f(a.R, b.R), G: f(a.G, b.G), B: f(a.B, b.B), A: 0xff}
}

func (c *speedupChart) snapshot() (string, []sweepPoint, []chartSeries) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.title, slices.Clone(c.points), cloneSeries(c.series)
}

// render draws the chart at the given DPI. Below roughly 120×80 pixels
// nothing but the background is drawn.
func (c *speedupChart) render(width, height, dpi int, th fyne.Theme, variant fyne.ThemeVariant) image.Image {
	width, height = max(width, 1), max(height, 1)
	title, pts, series := c.snapshot()
	pal := newChartPalette(th, variant)

	cv := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, width, height))), vgimg.UseDPI(dpi))
	img := cv.Image()
	draw.Draw(img, img.Bounds(), image.NewUniform(pal.bg), image.Point{}, draw.Src)

	scale := float64(dpi) / chartDPI
	if float64(width) < 120*scale || float64(height) < 80*scale {
		return img
	}

	dc := vgdraw.New(cv)
	pad := vg.Points(4)
	dc = vgdraw.Crop(dc, pad, -pad, pad, -pad)

	if title != "" {
		sty := textStyle(chartBoldFont, titleFontSize, pal.fg)
		sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YTop
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y}, title)
		dc.Max.Y -= sty.Height(title) + vg.Points(4)
	}

	if len(series) > 0 {
		drawSeries(dc, series, pal)
		return img
	}
	if len(pts) == 0 {
		sty := textStyle(chartFont, hintFontSize, pal.ideal)
		sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YCenter
		dc.FillText(sty, dc.Center(), tr("No measurement yet"))
		return img
	}

	left, right := timePlot(pts, pal), speedupPlot(pts, pal)
	tiles := vgdraw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(14)}
	cs := plot.Align([][]*plot.Plot{{left, right}}, tiles, dc)
	left.Draw(cs[0][0])
	right.Draw(cs[0][1])
	return img
}

func textStyle(f font.Font, size float64, col color.Color) text.Style {
	return text.Style{
		Color:   col,
		Font:    font.From(f, vg.Points(size)),
		Handler: plot.DefaultTextHandler,
	}
}

// newPanel returns a themed plot with a log2 worker axis whose ticks are the
// worker counts present.
func newPanel(pts []sweepPoint, ylabel string, pal chartPalette) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // the whole image is already filled

	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color = pal.fg
		a.Width = vg.Points(0.75)
		a.Padding = vg.Points(4)
		a.Tick.Color = pal.fg
		a.Tick.Width = vg.Points(0.75)
		a.Tick.Length = vg.Points(4)
		a.Tick.Label.Color = pal.fg
		a.Tick.Label.Font = font.From(chartFont, vg.Points(tickFontSize))
		a.Label.TextStyle.Color = pal.fg
		a.Label.TextStyle.Font = font.From(chartFont, vg.Points(axisFontSize))
		a.Label.Padding = vg.Points(2)
	}
	p.X.Label.Text = tr("workers")
	p.Y.Label.Text = ylabel

	p.X.Scale = plot.LogScale{}
	var ticks plot.ConstantTicks
	for i, pt := range pts {
		if i == 0 || pt.Workers != pts[i-1].Workers {
			ticks = append(ticks, plot.Tick{Value: float64(pt.Workers), Label: fmt.Sprint(pt.Workers)})
		}
	}
	p.X.Tick.Marker = ticks
	p.Y.Tick.Marker = niceTicks{}

	grid := plotter.NewGrid()
	grid.Vertical = vgdraw.LineStyle{Color: pal.grid, Width: vg.Points(0.5)}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	return p
}

// workerRange is the range of the worker axis: the worker counts present,
// widened around a single count (a log axis needs a positive, non-empty
// range).
func workerRange(pts []sweepPoint) (lo, hi float64) {
	lo, hi = float64(pts[0].Workers), float64(pts[len(pts)-1].Workers)
	if lo == hi {
		lo, hi = lo/2, hi*2
	}
	return lo, hi
}

// niceTicks places about five labelled ticks at round values (steps of 1, 2,
// 2.5 or 5 times a power of ten) and no minor ticks.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, prec := 10*mag, -math.Floor(math.Log10(raw))-1
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step, prec = m*mag, -math.Floor(math.Log10(raw))
			if m == 2.5 {
				prec++
			}
			break
		}
	}
	var out []plot.Tick
	for i := math.Ceil(lo / step); i*step <= hi*(1+1e-9); i++ {
		v := i * step
		out = append(out, plot.Tick{Value: v, Label: decimal(strconv.FormatFloat(v, 'f', int(max(prec, 0)), 64))})
	}
	return out
}

func seriesStyles(pal chartPalette) (vgdraw.LineStyle, vgdraw.GlyphStyle) {
	return vgdraw.LineStyle{Color: pal.primary, Width: vg.Points(1.75)},
		vgdraw.GlyphStyle{Color: pal.primary, Radius: vg.Points(2.75), Shape: vgdraw.CircleGlyph{}}
}

// valueLabels labels each point, to its right and above it, or below it
// where the line rises to the right of the point (or into the last point),
// so that labels stay off the line. A lone point is labelled below if
// loneBelow.
func valueLabels(xys plotter.XYs, labels []string, pal chartPalette, loneBelow bool) *plotter.Labels {
	l := &plotter.Labels{XYs: xys, Labels: labels}
	dx, dy := vg.Points(4), vg.Points(3)
	for i := range labels {
		rising := loneBelow
		switch {
		case i+1 < len(xys):
			rising = xys[i+1].Y > xys[i].Y
		case i > 0:
			rising = xys[i].Y > xys[i-1].Y
		}
		sty := textStyle(chartFont, valueFontSize, pal.fg)
		sty.XAlign, sty.YAlign = vgdraw.XLeft, vgdraw.YBottom
		off := vg.Point{X: dx, Y: dy}
		if rising {
			sty.YAlign, off.Y = vgdraw.YTop, -dy
		}
		// plotter.Labels has one offset for all labels; fold this
		// label's offset into its alignment, which is a fraction of
		// the text's size.
		if w, h := sty.Width(labels[i]), sty.Height(labels[i]); w > 0 && h > 0 {
			sty.XAlign += text.XAlignment(off.X / w)
			sty.YAlign += text.YAlignment(off.Y / h)
		}
		l.TextStyle = append(l.TextStyle, sty)
	}
	return l
}

// timePlot is the left panel: wall time against workers, in s, ms or µs
// according to the largest time.
func timePlot(pts []sweepPoint, pal chartPalette) *plot.Plot {
	maxT := 0.0
	for _, pt := range pts {
		maxT = max(maxT, pt.Seconds)
	}
	perSecond, unit := timeUnit(maxT)
	p := newPanel(pts, tr("time (%s)", unit), pal)
	xys := make(plotter.XYs, len(pts))
	labels := make([]string, len(pts))
	for i, pt := range pts {
		v := pt.Seconds * perSecond
		xys[i] = plotter.XY{X: float64(pt.Workers), Y: v}
		labels[i] = formatValue(v) + " " + unit
	}
	ls, gs := seriesStyles(pal)
	p.Add(&plotter.Line{XYs: xys, LineStyle: ls}, &plotter.Scatter{XYs: xys, GlyphStyle: gs},
		valueLabels(xys, labels, pal, false))
	p.X.Min, p.X.Max = workerRange(pts)
	p.Y.Min, p.Y.Max = 0, maxT*perSecond*1.1
	return p
}

// speedupPlot is the right panel: measured speedup against workers and the
// dashed ideal line, speedup = workers.
func speedupPlot(pts []sweepPoint, pal chartPalette) *plot.Plot {
	p := newPanel(pts, tr("speedup"), pal)
	xys, maxS := speedups(pts)
	labels := make([]string, len(pts))
	for i, xy := range xys {
		labels[i] = formatSpeedup(xy.Y)
	}

	lo, hi := workerRange(pts)
	idealLine := newIdealLine(lo, hi, pal)

	ls, gs := seriesStyles(pal)
	line := &plotter.Line{XYs: xys, LineStyle: ls}
	scatter := &plotter.Scatter{XYs: xys, GlyphStyle: gs}
	// A lone point sits on the ideal line, which rises to its right.
	p.Add(idealLine, line, scatter, valueLabels(xys, labels, pal, true))

	p.Legend.Add(tr("measured"), line, scatter)
	p.Legend.Add(tr("ideal"), idealLine)
	styleLegend(&p.Legend, pal)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(6), vg.Points(-2)

	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, max(hi, maxS)*1.1
	return p
}

// speedups are the points' speedups against workers, T(first)·Workers(first)
// / T(i) (see speedupChart), and the largest.
func speedups(pts []sweepPoint) (xys plotter.XYs, maxS float64) {
	base := pts[0].Seconds * float64(pts[0].Workers)
	xys = make(plotter.XYs, len(pts))
	for i, pt := range pts {
		s := base / pt.Seconds
		xys[i] = plotter.XY{X: float64(pt.Workers), Y: s}
		maxS = max(maxS, s)
	}
	return xys, maxS
}

// newIdealLine is the ideal line, speedup = workers, from lo to hi workers,
// sampled evenly on the log axis so that it is drawn as the smooth curve it
// is.
func newIdealLine(lo, hi float64, pal chartPalette) *plotter.Line {
	const samples = 64
	ideal := make(plotter.XYs, samples+1)
	for i := range ideal {
		x := lo * math.Pow(hi/lo, float64(i)/samples)
		ideal[i] = plotter.XY{X: x, Y: x}
	}
	return &plotter.Line{XYs: ideal, LineStyle: vgdraw.LineStyle{
		Color:  pal.ideal,
		Width:  vg.Points(1.25),
		Dashes: []vg.Length{vg.Points(4), vg.Points(3)},
	}}
}

// styleLegend gives a legend the chart's font, colour and spacing.
func styleLegend(l *plot.Legend, pal chartPalette) {
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(2)
	l.TextStyle = textStyle(chartFont, tickFontSize, pal.fg)
}

// timeUnit picks the unit a series of times whose largest is maxT is shown
// in: seconds from 1 s on, else milliseconds or microseconds.
func timeUnit(maxT float64) (perSecond float64, name string) {
	switch {
	case maxT >= 1:
		return 1, tr("s")
	case maxT >= 1e-3:
		return 1e3, tr("ms")
	default:
		return 1e6, tr("µs")
	}
}

// formatValue formats a time already in its unit: "8.00", "12.3", "250",
// "0.62", "0.0042"; in Russian "8,00".
func formatValue(v float64) string {
	f := "%.2g"
	switch {
	case v >= 99.95:
		f = "%.0f"
	case v >= 9.995:
		f = "%.1f"
	case v >= 0.0995:
		f = "%.2f"
	}
	return decimal(fmt.Sprintf(f, v))
}

// formatSpeedup labels a speedup: "3.9×", "21×"; in Russian "3,9×".
func formatSpeedup(s float64) string {
	if s >= 9.95 {
		return fmt.Sprintf("%.0f×", s)
	}
	return decimal(fmt.Sprintf("%.1f×", s))
}
