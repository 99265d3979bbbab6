package gui

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the user's config folder at a temporary one, so that no
// test reads or writes the real queue files.
func TestMain(m *testing.M) {
	cfg, err := os.MkdirTemp("", "potok-gui-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", cfg)
	code := m.Run()
	os.RemoveAll(cfg)
	os.Exit(code)
}
