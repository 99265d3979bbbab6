package downloader

import (
	"testing"
	"time"
)

func TestFormatETA(t *testing.T) {
	for d, want := range map[time.Duration]string{-1: "", 0: "<1s", 999 * time.Millisecond: "<1s",
		42 * time.Second: "42s", 187 * time.Second: "3m7s", 2*time.Hour + 13*time.Minute + 20*time.Second: "2h13m0s"} {
		if got := FormatETA(d); got != want {
			t.Errorf("FormatETA(%v) = %q, want %q", d, got, want)
		}
	}
}
