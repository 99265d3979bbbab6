package gui

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"potok/compute/lesson"
)

// TestMain makes the test binary a worker of processes mode when it is
// started as one (the tests that run processes mode start this binary), and
// otherwise points the user's config folder at a temporary one, so that no
// test reads or writes the real queue files.
func TestMain(m *testing.M) {
	lesson.ServeIfWorker()
	// A race-detector build sleeps a second at exit unless told otherwise:
	// the children would each take it.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	cfg, err := os.MkdirTemp("", "potok-gui-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	// The tests read the window's English, whatever the machine's locale.
	os.Setenv("LC_ALL", "en_US.UTF-8")
	setupLanguage(langEnglish)
	code := m.Run()
	os.RemoveAll(cfg)
	os.Exit(code)
}
