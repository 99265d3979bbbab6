package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

func fileURI(path string) (fyne.URI, error) { return storage.NewFileURI(path), nil }

func mustURI(t *testing.T, s string) fyne.URI {
	t.Helper()
	u, err := storage.ParseURI(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
