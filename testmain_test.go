package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"potok/compute/lesson"
)

// TestMain runs the tests, or, when the test binary is started under the
// name potok (by the scripts of TestScripts, or a test that needs a process
// of its own), the program itself.
func TestMain(m *testing.M) {
	if os.Getenv(soakHelperEnv) != "" {
		os.Exit(m.Run()) // the soak's helper process: its parent chose the folders
	}
	// A child of processes mode started by a test's in-process run (potok
	// starts os.Executable(), which is then this binary): be potok.
	if len(os.Args) > 1 && os.Args[1] == lesson.WorkerCommand {
		os.Exit(potokMain())
	}
	// The children a test starts (this binary, race-built) would sleep a
	// second at exit each.
	os.Setenv("GORACE", raceQuickExit())
	testscript.Main(tempConfig{m}, map[string]func(){"potok": func() { os.Exit(potokMain()) }})
}

// tempConfig runs the tests with the user's config folder pointed at a
// temporary one, so that no test reads or writes the real queue files (or
// reaches the user's window), and
// removes it and the built binary afterwards.
type tempConfig struct{ m *testing.M }

func (c tempConfig) Run() int {
	cfg, err := os.MkdirTemp("", "potok-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(cfg)
	// The window's socket too (instance.go): a potok a test starts never
	// hands its links to a window the user has open.
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"} {
		if err := os.Setenv(v, cfg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	defer func() {
		if builtBin != "" {
			os.RemoveAll(filepath.Dir(builtBin))
		}
	}()
	return c.m.Run()
}

// waitUntil polls cond every few milliseconds until it holds, failing the
// test after 60 s: the package's one way to wait for a condition, never for
// a fixed time.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
