package main

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain points the user's config folder at a temporary one, so that no
// test reads or writes the real queue files.
func TestMain(m *testing.M) {
	if os.Getenv(soakHelperEnv) != "" {
		os.Exit(m.Run()) // the soak's helper process: its parent chose the folders
	}
	cfg, err := os.MkdirTemp("", "potok-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	os.Exit(code)
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
