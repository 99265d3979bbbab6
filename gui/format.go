package gui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"potok/downloader"
)

// Text for the rows and totals, in the window's language. Formatting only:
// every number comes from the engine's Snapshot.

func sizeText(done, size int64) string {
	if size < 0 {
		return bytesText(done) + " / ?"
	}
	return bytesText(done) + " / " + bytesText(size)
}

// speedText is a speed, "" when there is none (nothing is arriving).
func speedText(bps float64) string {
	if bps <= 0 {
		return ""
	}
	return speedOrZeroText(bps)
}

// speedOrZeroText is a speed, zero included: "2.6 MB/s"; in Russian "2,6 МБ/с".
func speedOrZeroText(bps float64) string { return tr("%s/s", bytesText(int64(max(bps, 0)))) }

// bytesText is a size in decimal units, as humanize.Bytes gives it in
// English: "512 B", "82 kB", "1.5 MB"; in Russian "1,5 МБ".
func bytesText(n int64) string {
	return unitText(n, 1000, []string{tr("B"), tr("kB"), tr("MB"), tr("GB"), tr("TB"), tr("PB")})
}

// ibytesText is a size in binary units: "16 MiB"; in Russian "16 МиБ".
func ibytesText(n int64) string {
	return unitText(n, 1024, []string{tr("B"), tr("KiB"), tr("MiB"), tr("GiB"), tr("TiB"), tr("PiB")})
}

func unitText(n int64, base float64, units []string) string {
	v := float64(max(n, 0))
	if v < base {
		return strconv.FormatInt(int64(v), 10) + " " + units[0]
	}
	e := min(int(math.Floor(math.Log(v)/math.Log(base))), len(units)-1)
	v /= math.Pow(base, float64(e))
	// As humanize rounds: one decimal below 10, none above.
	f := "%.0f"
	if v < 10 {
		f = "%.1f"
	}
	return decimal(fmt.Sprintf(f, v)) + " " + units[e]
}

// decimal writes a number's decimal point as the window's language does.
func decimal(s string) string {
	return strings.Replace(s, ".", lang.X("number.decimal-separator", "."), 1)
}

// groupedText writes a whole number with its digits grouped by thousands
// as the window's language does: "5,000,000"; in Russian "5 000 000".
func groupedText(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := lang.X("number.group-separator", ",")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// etaText is a time left: "<1 s", "42 s", "2 min 5 s", "2 h 13 min"; in
// Russian «2 мин 5 с». "" when unknown (negative).
func etaText(d time.Duration) string {
	switch {
	case d < 0:
		return ""
	case d < time.Second:
		return tr("<1 s")
	}
	return durationText(d)
}

func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		if s >= 30 { // past an hour the seconds are noise: round them away
			if m++; m == 60 {
				h, m = h+1, 0
			}
		}
		if m == 0 {
			return tr("%d h", h)
		}
		return tr("%d h %d min", h, m)
	case m > 0 && s == 0:
		return tr("%d min", m)
	case m > 0:
		return tr("%d min %d s", m, s)
	}
	return tr("%d s", s)
}

// elapsedText is a time taken: tenths of a second under a minute ("12.3 s").
func elapsedText(d time.Duration) string {
	if d < time.Minute {
		return tr("%s s", decimal(strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', 1, 64)))
	}
	return durationText(d)
}

func stateText(f downloader.FileStatus) string {
	switch {
	case f.State == downloader.StateQueued && !f.RetryAt.IsZero():
		return tr("retrying in %s", etaText(time.Until(f.RetryAt)))
	case f.State == downloader.StateFailed:
		return tr("failed: %s", problemText(f.Problem))
	}
	switch f.State {
	case downloader.StateQueued:
		return tr("queued")
	case downloader.StateRunning:
		return tr("running")
	case downloader.StatePaused:
		return tr("paused")
	case downloader.StateDone:
		return tr("done")
	case downloader.StateFailed:
		return tr("failed")
	case downloader.StateCancelled:
		return tr("cancelled")
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
	s := tr("%d done · %d failed · %d left", t.Done, t.Failed, t.Left())
	if t.Cancelled > 0 {
		s += " · " + tr("%d cancelled", t.Cancelled)
	}
	s += " · " + sizeText(t.BytesDone, t.BytesTotal)
	if sp := speedText(t.Speed); sp != "" {
		s += " · " + sp
	}
	if t.Elapsed > 0 {
		s += " · " + tr("elapsed %s", elapsedText(t.Elapsed))
	}
	if e := etaText(t.ETA); e != "" && t.Left() > 0 {
		s += " · " + tr("ETA %s", e)
	}
	return s
}

// finishedText is the log's line for a finished download.
func finishedText(ev downloader.Event) string {
	s := tr("worker %d finished %s, %s in %s", ev.Worker, ev.Name, bytesText(ev.Bytes), elapsedText(ev.Took))
	if ev.Attempt > 1 {
		s += " " + trn("(%d attempts)", ev.Attempt)
	}
	return s
}

// msText is a short wait in milliseconds: "100 ms".
func msText(d time.Duration) string { return tr("%d ms", d.Milliseconds()) }
