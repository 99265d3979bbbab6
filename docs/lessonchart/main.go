//go:build ignore

// Lessonchart draws the lesson's chart (docs/lesson.png) from the JSON of
// `potok bench lesson -json`: speedup against workers for downloads and for
// π, in each mode, overlaid, with the ideal line.
//
//	potok bench lesson -json > lesson.json
//	go run docs/lessonchart/main.go -o docs/lesson.png < lesson.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

type row struct {
	Work    string  `json:"work"`
	Mode    string  `json:"mode"`
	Workers int     `json:"workers"`
	Speedup float64 `json:"speedup"`
}

var modeColors = map[string]color.Color{
	"goroutines": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"processes":  color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	"gil":        color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
}

func main() {
	out := flag.String("o", "docs/lesson.png", "the PNG to write")
	flag.Parse()
	var doc struct {
		Rows  []row `json:"rows"`
		Cores int   `json:"cores"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&doc); err != nil {
		fmt.Fprintln(os.Stderr, "lessonchart: read potok bench lesson -json on stdin:", err)
		os.Exit(1)
	}
	p := plot.New()
	p.Title.Text = "Speedup against workers: downloads and π in each mode"
	p.X.Label.Text = "workers"
	p.Y.Label.Text = "speedup (time at 1 worker / time)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	var counts []int
	for _, r := range doc.Rows {
		if !slices.Contains(counts, r.Workers) {
			counts = append(counts, r.Workers)
		}
	}
	slices.Sort(counts)
	var ticks plot.ConstantTicks
	for _, c := range counts {
		ticks = append(ticks, plot.Tick{Value: float64(c), Label: fmt.Sprint(c)})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = ticks, ticks
	p.Add(plotter.NewGrid())
	ideal := plotter.XYs{}
	for _, c := range counts {
		ideal = append(ideal, plotter.XY{X: float64(c), Y: float64(c)})
	}
	l, err := plotter.NewLine(ideal)
	check(err)
	l.Color, l.Dashes = color.Gray{Y: 0x80}, []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(l)
	p.Legend.Add("ideal", l)
	for _, work := range []string{"downloads", "π"} {
		for _, mode := range []string{"goroutines", "processes", "gil"} {
			var xys plotter.XYs
			for _, r := range doc.Rows {
				if r.Work == work && r.Mode == mode {
					xys = append(xys, plotter.XY{X: float64(r.Workers), Y: r.Speedup})
				}
			}
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			check(err)
			line.Color, points.Color = modeColors[mode], modeColors[mode]
			line.Width = vg.Points(1.5)
			if work == "π" {
				line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
				points.Shape = draw.BoxGlyph{}
			} else {
				points.Shape = draw.CircleGlyph{}
			}
			p.Add(line, points)
			p.Legend.Add(work+", "+mode, line, points)
		}
	}
	// The legend to the right of the axes, where no line goes.
	const width, height = 8 * vg.Inch, 4.5 * vg.Inch
	c := vgimg.PngCanvas{Canvas: vgimg.New(width, height)}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	legend := p.Legend
	p.Legend = plot.NewLegend() // drawn apart, below
	legend.TextStyle.Font.Size = vg.Points(10)
	legend.Top, legend.Left = true, true
	legendWidth := 1.8 * vg.Inch
	plotArea, legendArea := dc, dc
	plotArea.Max.X -= legendWidth
	legendArea.Min.X = plotArea.Max.X + vg.Points(10)
	legendArea.Max.Y -= vg.Points(24)
	p.Draw(plotArea)
	legend.Draw(legendArea)
	f, err := os.Create(*out)
	check(err)
	_, err = c.WriteTo(f)
	check(err)
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "lessonchart:", err)
		os.Exit(1)
	}
}
