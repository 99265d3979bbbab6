package gui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader"
)

// Text for the rows and totals. Formatting only: every number comes from the
// engine's Snapshot.

func sizeText(done, size int64) string {
	if size < 0 {
		return humanize.Bytes(uint64(max(done, 0))) + " / ?"
	}
	return humanize.Bytes(uint64(max(done, 0))) + " / " + humanize.Bytes(uint64(size))
}

func speedText(bps float64) string {
	if bps <= 0 {
		return ""
	}
	return humanize.Bytes(uint64(bps)) + "/s"
}

func etaText(d time.Duration) string { return downloader.FormatETA(d) }

func stateText(f downloader.FileStatus) string {
	switch {
	case f.State == downloader.StateQueued && !f.RetryAt.IsZero():
		return "retrying in " + etaText(time.Until(f.RetryAt))
	case f.State == downloader.StateFailed:
		return "failed: " + f.Err
	}
	return f.State.String()
}

func progressValue(done, size int64) float64 {
	if size <= 0 {
		return 0
	}
	return min(float64(done)/float64(size), 1)
}

func totalsText(t downloader.Totals) string {
	s := fmt.Sprintf("%d done · %d failed · %d left", t.Done, t.Failed, t.Left())
	if t.Cancelled > 0 {
		s += fmt.Sprintf(" · %d cancelled", t.Cancelled)
	}
	s += " · " + sizeText(t.BytesDone, t.BytesTotal)
	if sp := speedText(t.Speed); sp != "" {
		s += " · " + sp
	}
	if t.Elapsed > 0 {
		s += " · elapsed " + t.Elapsed.Round(100*time.Millisecond).String()
	}
	if e := etaText(t.ETA); e != "" && t.Left() > 0 {
		s += " · ETA " + e
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
