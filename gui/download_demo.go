package gui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/dialog"

	"potok/downloader"
	"potok/downloader/demoserver"
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

func (t *downloadTab) updateDemoButton() {
	if strings.TrimSpace(t.URLs.Text) == "" && len(t.bulk) == 0 && len(t.files) == 0 {
		t.TryDemo.Show()
	} else {
		t.TryDemo.Hide()
	}
}

// demoBigSize is the file --autorun adds before the demo list so that the
// screenshot shows a download in segments: it starts on one connection and
// grows to 8 (1 MiB/s each) as the small files finish, about 10 s in all.
// It is not in the list, which Measure speedup fetches at 1 worker too.
const demoBigSize = 64 << 20

// demoBigURL is that file on the demo server.
func (t *downloadTab) demoBigURL() string { return t.demo.FileURL("big.iso", demoBigSize) }

// demoAddr is where the demo server listens when the port is free, so that
// demo downloads kept in a folder's queue still work after a restart.
const demoAddr = "127.0.0.1:47631"

// ensureDemoServer starts the built-in server once.
func (t *downloadTab) ensureDemoServer() error {
	if t.demo != nil {
		return nil
	}
	opts := []demoserver.Option{demoserver.WithTTFB(demoLatency), demoserver.WithRate(demoRate)}
	s, err := demoserver.Listen(demoAddr, opts...)
	if err != nil {
		s, err = demoserver.Listen("127.0.0.1:0", opts...) // taken: any port
	}
	if err != nil {
		return fmt.Errorf("%s: %w", tr("start the demo server"), err)
	}
	t.demo = s
	return nil
}

// startDemoServerFor starts the demo server when restored downloads come
// from it.
func (t *downloadTab) startDemoServerFor(files []downloader.FileStatus) {
	for _, f := range files {
		if strings.HasPrefix(f.URL, "http://"+demoAddr+"/") {
			if err := t.ensureDemoServer(); err != nil {
				t.showProblems(err.Error())
			}
			return
		}
	}
}

// startDemo starts the built-in server (once) and fills the list with its files.
func (t *downloadTab) startDemo() {
	if err := t.ensureDemoServer(); err != nil {
		dialog.ShowError(err, t.win)
		return
	}
	t.URLs.SetText(strings.Join(t.demo.List(demoFiles, demoSize), "\n") + "\n")
	t.Measure.Note.SetText(demoNote(demoFiles, demoSize, demoLatency, demoRate))
}

// demoNote says what the demo server serves.
func demoNote(files int, size int64, latency time.Duration, rate int64) string {
	return trn("Demo server on loopback: %d files of %s, %s to first byte, %s per connection.",
		files, ibytesText(size), msText(latency), tr("%s/s", ibytesText(rate)))
}
