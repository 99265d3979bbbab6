package downloader_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

func itoa(n int64) string                 { return strconv.FormatInt(n, 10) }
func parseInt(s string) (int64, error)    { return strconv.ParseInt(s, 10, 64) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// until polls cond every few milliseconds until it holds, failing the test
// after 30 s. It waits for a condition, never for a fixed time.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}
