package lesson

import (
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain makes the test binary a worker of processes mode when it is
// started as one (the tests' runs of processes mode start os.Executable(),
// this binary, with WorkerCommand first), and otherwise runs the tests,
// checking that no goroutine outlives them.
func TestMain(m *testing.M) {
	ServeIfWorker()
	// A race-detector build sleeps a second at exit unless told otherwise:
	// not the children's cost to measure.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	goleak.VerifyTestMain(m)
}
