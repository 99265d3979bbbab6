//go:build ignore

// gen_icon draws Potok's icon: three parallel streams flowing down into a
// tray, white on a deep blue rounded square. Run: go generate ./assets
package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 256

// inside reports whether the point (x, y) in [0,1]² is painted, and with what.
func paint(x, y float64) (color.NRGBA, bool) {
	bg := color.NRGBA{0x1d, 0x4e, 0xd8, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	accent := color.NRGBA{0x7d, 0xd3, 0xfc, 0xff}
	// rounded square background
	r := 0.2
	dx := math.Max(math.Abs(x-0.5)-(0.5-r), 0)
	dy := math.Max(math.Abs(y-0.5)-(0.5-r), 0)
	if dx*dx+dy*dy > r*r {
		return color.NRGBA{}, false
	}
	// three vertical streams with arrow heads
	for i, cx := range []float64{0.32, 0.5, 0.68} {
		top := 0.18 + 0.06*float64(i%2)
		if math.Abs(x-cx) < 0.045 && y > top && y < 0.56 {
			if i == 1 {
				return accent, true
			}
			return white, true
		}
		// arrow head: triangle below the stem
		if y >= 0.52 && y < 0.66 && math.Abs(x-cx) < 0.1*(0.66-y)/0.14 {
			if i == 1 {
				return accent, true
			}
			return white, true
		}
	}
	// tray
	if y > 0.72 && y < 0.8 && x > 0.2 && x < 0.8 {
		return white, true
	}
	if y > 0.64 && y < 0.8 && ((x > 0.2 && x < 0.26) || (x > 0.74 && x < 0.8)) {
		return white, true
	}
	return bg, true
}

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // supersampling for smooth edges
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / size
					y := (float64(py) + (float64(sy)+0.5)/ss) / size
					if c, ok := paint(x, y); ok {
						r += float64(c.R)
						g += float64(c.G)
						b += float64(c.B)
						a += 255
					}
				}
			}
			n := float64(ss * ss)
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{uint8(r / (a / 255)), uint8(g / (a / 255)), uint8(b / (a / 255)), uint8(a / n)})
			}
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		panic(err)
	}
}
