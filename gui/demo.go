package gui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"

	"potok/downloader/downloadertest"
)

// The demo server models a remote mirror on loopback: every request waits
// demoLatency, and each connection gets demoRate, so parallel downloads and the
// speedup chart behave as they would over a network, with no network.
const (
	demoFiles   = 16
	demoSize    = 1 << 20
	demoLatency = 100 * time.Millisecond
	demoRate    = 1 << 20
)

func (t *DownloadTab) updateDemoButton() {
	if strings.TrimSpace(t.URLs.Text) == "" && len(t.bulk) == 0 && len(t.files) == 0 {
		t.TryDemo.Show()
	} else {
		t.TryDemo.Hide()
	}
}

// startDemo starts the built-in server (once) and fills the list with its files.
func (t *DownloadTab) startDemo() {
	if t.demo == nil {
		s, err := downloadertest.Listen("127.0.0.1:0",
			downloadertest.WithTTFB(demoLatency), downloadertest.WithRate(demoRate))
		if err != nil {
			dialog.ShowError(fmt.Errorf("start the demo server: %w", err), t.win)
			return
		}
		t.demo = s
	}
	t.URLs.SetText(strings.Join(t.demo.List(demoFiles, demoSize), "\n") + "\n")
	t.Measure.Note.SetText(fmt.Sprintf("Demo server on loopback: %d files of 1 MiB, %v to first byte, 1 MiB/s per connection.",
		demoFiles, demoLatency))
}
