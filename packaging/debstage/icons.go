package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
)

// iconSizes are the hicolor sizes a desktop looks for: 16 to 48 for menus and
// panels, 64 and 128 for software centres (AppStream wants one of them), 256
// for large views. The source is 256×256, so nothing is scaled up.
var iconSizes = []int{16, 22, 24, 32, 48, 64, 128, 256}

// writeIcons writes dir/NxN/apps/io.github.potok.png for each size, scaled
// down from src with Catmull-Rom (sharp at small sizes, no ringing to speak of
// on this flat artwork).
func writeIcons(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < iconSizes[len(iconSizes)-1] {
		return fmt.Errorf("%s is %dx%d: it must be square and at least %d pixels", src, b.Dx(), b.Dy(), iconSizes[len(iconSizes)-1])
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	for _, n := range iconSizes {
		dst := image.NewNRGBA(image.Rect(0, 0, n, n))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		path := filepath.Join(dir, fmt.Sprintf("%dx%d", n, n), "apps", "io.github.potok.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := enc.Encode(out, dst); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
	return nil
}
