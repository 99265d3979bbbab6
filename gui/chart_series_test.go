package gui

import (
	"image/color"
	"os"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// sampleLessonSeries are the six lines of a lesson: downloads and π (the colour)
// in three modes (the dash).
func sampleLessonSeries() []chartSeries {
	dl := []sweepPoint{{1, 3.6}, {2, 1.8}, {4, 0.91}, {8, 0.47}}
	pi := []sweepPoint{{1, 0.6}, {2, 0.3}, {4, 0.3}, {8, 0.29}}
	gilPi := []sweepPoint{{1, 0.6}, {2, 0.61}, {4, 0.59}, {8, 0.58}}
	return []chartSeries{
		{Label: "downloads, goroutines", Colour: 0, Dash: 0, Points: dl},
		{Label: "downloads, processes", Colour: 0, Dash: 1, Points: dl},
		{Label: "downloads, gil", Colour: 0, Dash: 2, Points: dl},
		{Label: "π, goroutines", Colour: 1, Dash: 0, Points: pi},
		{Label: "π, processes", Colour: 1, Dash: 1, Points: pi},
		{Label: "π, gil", Colour: 1, Dash: 2, Points: gilPi},
	}
}

// TestChartSeries: several series are drawn in both colours, at any size;
// series and points replace each other; a series with no usable point is
// dropped, and Series returns a copy.
func TestChartSeries(t *testing.T) {
	test.NewTempApp(t)
	c := newSpeedupChart("Speedup against workers")
	c.SetPoints(chartSweep)
	series := append(sampleLessonSeries(), chartSeries{Label: "nothing", Points: []sweepPoint{{0, 1}, {2, -1}}})
	c.SetSeries(series)
	if got := c.Series(); len(got) != 6 || len(c.Points()) != 0 || got[5].Label != "π, gil" || len(got[5].Points) != 4 {
		t.Fatalf("series %+v, points %v", got, c.Points())
	}
	c.Series()[0].Points[0].Seconds = 99
	if c.Series()[0].Points[0].Seconds != 3.6 {
		t.Fatal("Series() returned the chart's own points")
	}
	th := theme.LightTheme()
	img := toRGBA(c.Render(800, 320, th, theme.VariantLight))
	pal := newChartPalette(th, theme.VariantLight)
	for name, col := range map[string]color.Color{"primary": pal.primary, "second": pal.second} {
		if countNot(img, col) == len(img.Pix)/4 {
			t.Errorf("no pixel in the %s colour", name)
		}
	}
	if p := os.Getenv("POTOK_CHART_PNG"); p != "" {
		writePNG(t, p, img)
	}
	for _, size := range [][2]int{{480, 220}, {1920, 700}, {100, 60}, {1, 1}} {
		if b := c.Render(size[0], size[1], th, theme.VariantDark).Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
			t.Fatalf("render %v at %v", b, size)
		}
	}
	c.SetPoints(chartSweep)
	if len(c.Series()) != 0 || len(c.Points()) != len(chartSweep) {
		t.Fatal("SetPoints kept the series")
	}
}
