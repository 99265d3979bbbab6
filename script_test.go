package main

import (
	"bytes"
	"errors"
	"flag"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	dt "potok/downloader/demoserver"
)

// TestScripts runs the command-line scenarios of testdata/script/*.txtar,
// each in a folder of its own with its own config folder (so its own queue
// files), with potok as a command (see TestMain) and these of the tests':
//
//	demo [-rate BYTES] [-status CODE] [-fail-first N] [-ttfb DURATION]
//	    starts a demo server for the script; $DEMO is its URL, $DEMOHOST
//	    its host:port
//	served FILE NAME SIZE
//	    FILE holds what the demo server serves as /f/NAME?size=SIZE
//	envsubst FILE...
//	    replaces $VAR and ${VAR} in each FILE by the script's variables
//	exits CODE PROGRAM [ARGS...]
//	    runs PROGRAM like exec, and fails unless it exits with CODE
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(e.WorkDir, ".config"))
			// The window's socket: a script's potok never reaches the user's window.
			e.Setenv("XDG_RUNTIME_DIR", filepath.Join(e.WorkDir, ".run"))
			e.Setenv("LANG", "en_US.UTF-8") // Fyne warns on C at start
			e.Setenv("GORACE", raceQuickExit())
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"demo":     scriptDemo,
			"served":   scriptServed,
			"envsubst": scriptEnvsubst,
			"exits":    scriptExits,
		},
	})
}

// raceQuickExit is GORACE for a potok process the tests start: the tests'
// own, but without the second a race-detector build sleeps at exit by
// default, unless GORACE sets it.
func raceQuickExit() string {
	g := os.Getenv("GORACE")
	if strings.Contains(g, "atexit_sleep_ms") {
		return g
	}
	return strings.TrimSpace(g + " atexit_sleep_ms=0")
}

func scriptDemo(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! demo")
	}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	rate := fs.Int64("rate", 0, "bytes per second per response")
	status := fs.Int("status", 0, "fail every file request with this status")
	failFirst := fs.Int("fail-first", 0, "fail the first N requests of each file with 503")
	ttfb := fs.Duration("ttfb", 0, "time to first byte")
	ts.Check(fs.Parse(args))
	opts := []dt.Option{dt.WithRate(*rate), dt.WithTTFB(*ttfb)}
	if *status != 0 {
		opts = append(opts, dt.WithStatus(*status))
	}
	if *failFirst > 0 {
		opts = append(opts, dt.WithFailFirst(*failFirst, http.StatusServiceUnavailable))
	}
	s := dt.NewServer(opts...)
	ts.Defer(s.Close)
	ts.Setenv("DEMO", s.URL)
	ts.Setenv("DEMOHOST", strings.TrimPrefix(s.URL, "http://"))
}

func scriptServed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: served FILE NAME SIZE")
	}
	size, err := strconv.ParseInt(args[2], 10, 64)
	ts.Check(err)
	got, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if same := bytes.Equal(got, dt.Content(args[1], size)); same == neg {
		ts.Fatalf("%s (%d bytes) is the served %s of %d bytes: %v", args[0], len(got), args[1], size, same)
	}
}

func scriptEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: envsubst FILE...")
	}
	for _, f := range args {
		path := ts.MkAbs(f)
		b, err := os.ReadFile(path)
		ts.Check(err)
		ts.Check(os.WriteFile(path, []byte(os.Expand(string(b), ts.Getenv)), 0o644))
	}
}

func scriptExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	start := time.Now()
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		got = exit.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d after %v, want %d", args[1], got, time.Since(start).Round(time.Millisecond), want)
	}
}
