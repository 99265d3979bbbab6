package downloader

import (
	"context"
	"net"
	"testing"
	"time"
)

// The package's one way for a test to wait: poll a condition with a
// deadline, never sleep for a fixed time and hope.

// eventually polls cond every 2 ms until it holds (true) or within has
// passed (false).
func eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// waitFor fails the test if cond does not hold within 20 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !eventually(20*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// For the package's external tests (package downloader_test).
var (
	Eventually = eventually
	WaitFor    = waitFor
)

// WithDial gives tests the dialer of an engine, so that a test host can have
// a name (Go sends requests for loopback addresses past every proxy).
func WithDial(o Options, dial func(ctx context.Context, network, addr string) (net.Conn, error)) Options {
	o.dial = dial
	return o
}
