// Package assets holds the files embedded in the binary: the icon.
package assets

import _ "embed"

//go:generate go run gen_icon.go

// IconPNG is Potok's icon, 256×256 PNG, drawn by gen_icon.go.
//
//go:embed icon.png
var IconPNG []byte
