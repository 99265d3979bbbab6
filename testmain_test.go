package main

import (
	"fmt"
	"os"
	"testing"
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
