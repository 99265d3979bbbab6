package compute

import (
	"testing"
	"time"
)

// waitTimeout bounds every wait of this package's tests.
const waitTimeout = 10 * time.Second

// waitFor calls cond every millisecond until it holds, and fails the test
// when it still does not after waitTimeout: the package's one wait.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitTimeout, what)
		}
		time.Sleep(time.Millisecond)
	}
}
