package gui

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// chartSweep is a typical sweep: close to linear at first, flattening out.
var chartSweep = []sweepPoint{
	{1, 8.0}, {2, 4.1}, {4, 2.1}, {8, 1.1}, {16, 0.62}, {32, 0.40},
}

func newTestChart(pts []sweepPoint) *speedupChart {
	c := newSpeedupChart("Download: 64 files × 4 MiB")
	c.SetPoints(pts)
	return c
}

func toRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok {
		return m
	}
	m := image.NewRGBA(img.Bounds())
	draw.Draw(m, m.Bounds(), img, img.Bounds().Min, draw.Src)
	return m
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChartGolden(t *testing.T) {
	test.NewTempApp(t) // some theme lookups want an app
	golden := filepath.Join("testdata", "speedup_chart_golden.png")
	got := toRGBA(newTestChart(chartSweep).Render(800, 300, theme.LightTheme(), theme.VariantLight))

	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		writePNG(t, golden, got)
		t.Logf("wrote %s", golden)
		return
	}

	f, err := os.Open(golden)
	if err != nil {
		t.Fatalf("%v (run `go test -tags ci ./gui/ -run ChartGolden -update` to create it)", err)
	}
	defer f.Close()
	wantImg, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := toRGBA(wantImg)

	diff, first := 0, image.Point{-1, -1}
	if want.Bounds() != got.Bounds() {
		diff = -1
	} else {
		for y := got.Rect.Min.Y; y < got.Rect.Max.Y; y++ {
			for x := got.Rect.Min.X; x < got.Rect.Max.X; x++ {
				if got.RGBAAt(x, y) != want.RGBAAt(x, y) {
					if diff == 0 {
						first = image.Pt(x, y)
					}
					diff++
				}
			}
		}
	}
	if diff != 0 {
		failed := filepath.Join(t.TempDir(), "speedup_chart_failed.png")
		writePNG(t, failed, got)
		t.Errorf("render differs from %s (size %v vs %v, %d pixels differ, first at %v); actual image: %s\n"+
			"rerun with -update if the change is intended",
			golden, got.Bounds(), want.Bounds(), diff, first, failed)
	}
}

func TestChartRenderSizes(t *testing.T) {
	test.NewTempApp(t)
	cases := []struct {
		name string
		pts  []sweepPoint
		w, h int
	}{
		{"empty", nil, 600, 260},
		{"one point", []sweepPoint{{4, 2.5}}, 600, 260},
		{"full sweep", chartSweep, 640, 260},
		{"odd size", chartSweep, 601, 257},
		{"large", chartSweep, 1920, 700},
		{"tiny", chartSweep, 30, 20},
		{"one pixel", chartSweep, 1, 1},
		{"zero", chartSweep, 0, 0},
		{"no speedup", []sweepPoint{{1, 1}, {2, 1.1}, {4, 1.3}, {8, 2}}, 600, 260},
		{"superlinear", []sweepPoint{{1, 10}, {2, 4}, {4, 1.5}}, 600, 260},
		{"unsorted and invalid", []sweepPoint{{8, 1}, {0, 3}, {1, 8}, {2, -1}, {4, math.NaN()}, {2, 4}}, 600, 260},
		{"baseline of 2 workers", []sweepPoint{{2, 4}, {4, 2.2}, {6, 1.5}}, 600, 260},
		{"milliseconds", []sweepPoint{{1, 0.004}, {2, 0.0021}, {4, 0.0011}}, 600, 260},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img := newTestChart(tc.pts).Render(tc.w, tc.h, theme.LightTheme(), theme.VariantLight)
			wantW, wantH := max(tc.w, 1), max(tc.h, 1)
			if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH || b.Min != (image.Point{}) {
				t.Fatalf("bounds %v, want %d×%d at the origin", b, wantW, wantH)
			}
		})
	}
}

func TestChartPoints(t *testing.T) {
	c := newSpeedupChart("")
	if got := c.Points(); len(got) != 0 {
		t.Fatalf("new chart has points %v", got)
	}
	c.SetPoints([]sweepPoint{{4, 2}, {1, 8}, {0, 1}, {2, 0}, {2, 4}})
	want := []sweepPoint{{1, 8}, {2, 4}, {4, 2}}
	got := c.Points()
	if len(got) != len(want) {
		t.Fatalf("Points() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Points() = %v, want %v", got, want)
		}
	}
	got[0].Seconds = 99 // a copy
	if c.Points()[0].Seconds != 8 {
		t.Fatal("Points() returned the chart's own slice")
	}
	c.SetTitle("x")
	if c.Title() != "x" {
		t.Fatalf("Title() = %q", c.Title())
	}
}

func TestChartFormat(t *testing.T) {
	for _, tc := range []struct {
		maxT float64
		per  float64
		unit string
	}{
		{8, 1, "s"}, {1, 1, "s"}, {0.62, 1e3, "ms"}, {0.001, 1e3, "ms"}, {0.0004, 1e6, "µs"},
	} {
		if per, unit := timeUnit(tc.maxT); per != tc.per || unit != tc.unit {
			t.Errorf("timeUnit(%v) = %v, %q, want %v, %q", tc.maxT, per, unit, tc.per, tc.unit)
		}
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{8, "8.00"}, {0.62, "0.62"}, {0.4, "0.40"}, {9.999, "10.0"}, {12.34, "12.3"}, {250, "250"}, {0.0042, "0.0042"},
	} {
		if got := formatValue(tc.v); got != tc.want {
			t.Errorf("formatValue(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		s    float64
		want string
	}{
		{1, "1.0×"}, {3.94, "3.9×"}, {9.96, "10×"}, {20.2, "20×"},
	} {
		if got := formatSpeedup(tc.s); got != tc.want {
			t.Errorf("formatSpeedup(%v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestChartVariants(t *testing.T) {
	test.NewTempApp(t)
	c := newTestChart(chartSweep)
	light := c.Render(400, 200, theme.DefaultTheme(), theme.VariantLight)
	dark := c.Render(400, 200, theme.DefaultTheme(), theme.VariantDark)
	bgLight := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight)
	bgDark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	if sameColor(light.At(0, 0), dark.At(0, 0)) {
		t.Fatalf("light and dark corner pixels are both %v", light.At(0, 0))
	}
	if !sameColor(light.At(0, 0), bgLight) || !sameColor(dark.At(0, 0), bgDark) {
		t.Fatalf("corner pixels %v / %v, want theme backgrounds %v / %v", light.At(0, 0), dark.At(0, 0), bgLight, bgDark)
	}
	if countNot(toRGBA(dark), bgDark) == 0 {
		t.Fatal("dark render is blank")
	}
}

// TestChartConcurrentRender renders from several goroutines, as the painter
// and SavePNG may, while points change (run with -race).
func TestChartConcurrentRender(t *testing.T) {
	test.NewTempApp(t)
	c := newTestChart(chartSweep)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			c.Render(300+i, 150, theme.DefaultTheme(), theme.VariantDark)
		})
	}
	c.SetPoints(chartSweep[:3])
	wg.Wait()
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1>>8 == r2>>8 && g1>>8 == g2>>8 && b1>>8 == b2>>8 && a1>>8 == a2>>8
}

func countNot(img *image.RGBA, c color.Color) int {
	n := 0
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if !sameColor(img.RGBAAt(x, y), c) {
				n++
			}
		}
	}
	return n
}

func TestChartWidget(t *testing.T) {
	a := test.NewTempApp(t)
	c := newSpeedupChart("Compute")
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(640, 300))

	if ms := c.MinSize(); ms.Width < 400 || ms.Height < 200 {
		t.Fatalf("MinSize %v is too small to read", ms)
	}
	bg := a.Settings().Theme().Color(theme.ColorNameBackground, a.Settings().ThemeVariant())

	// Empty: the hint is drawn, nothing panics.
	empty := toRGBA(w.Canvas().Capture())
	if empty.Bounds().Empty() {
		t.Fatal("empty capture")
	}

	c.SetPoints(chartSweep)
	img := toRGBA(w.Canvas().Capture())
	if img.Bounds().Empty() {
		t.Fatal("empty capture")
	}
	if countNot(img, bg) < 1000 {
		t.Fatal("capture has (almost) nothing but background: the chart did not render")
	}
	// The plotted series is drawn in the primary colour.
	primary := a.Settings().Theme().Color(theme.ColorNamePrimary, a.Settings().ThemeVariant())
	if countNot(img, primary) == len(img.Pix)/4 {
		t.Error("no pixel in the primary colour: the series is not drawn")
	}

	// The same size again reuses the cached image; new points do not.
	size := c.Size()
	pw, ph := int(size.Width), int(size.Height)
	first := c.rasterImage(pw, ph)
	if again := c.rasterImage(pw, ph); again != first {
		t.Error("raster re-rendered although nothing changed")
	}
	c.SetPoints(chartSweep[:4])
	if again := c.rasterImage(pw, ph); again == first {
		t.Error("raster not re-rendered after SetPoints")
	}
	if b := c.rasterImage(pw+10, ph).Bounds(); b.Dx() != pw+10 || b.Dy() != ph {
		t.Errorf("raster image %v, want %d×%d", b, pw+10, ph)
	}
}

func TestChartSavePNG(t *testing.T) {
	test.NewTempApp(t)
	c := newTestChart(chartSweep)
	var buf bytes.Buffer
	if err := c.SavePNG(&buf, 700, 280); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 700 || b.Dy() != 280 {
		t.Fatalf("PNG is %v, want 700×280", b)
	}
	if err := c.SavePNG(&buf, 0, 10); err == nil {
		t.Fatal("SavePNG of a 0×10 image did not fail")
	}
}
