// Command potok downloads many files in parallel and shows, in charts, what
// parallelism buys. With no subcommand it opens the window; the subcommands
// run the same engine from a terminal.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"potok/assets"
	"potok/gui"
)

const usage = `Potok downloads many files at once.

usage:
  potok [--demo] [--autorun]  open the window (--demo fills the list from the offline
                            demo server; --autorun then presses Download and Measure speedup)
  potok get [flags] [URL...]  download URLs (or a list with -i) into a folder
  potok bench io [flags]    measure download time at several worker counts
  potok serve-demo [flags]  serve demo files on loopback and print their URLs

Run "potok COMMAND -h" for the flags of a command.
`

func main() {
	// POTOK_CPUPROFILE=FILE writes a CPU profile of the run, for `go tool pprof`.
	if path := os.Getenv("POTOK_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
		}
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run returns the exit code: 0 success, 1 failure, 2 bad usage.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()})))
	if len(args) > 0 {
		switch args[0] {
		case "get":
			return runGet(args[1:], stdin, stdout, stderr)
		case "bench":
			return runBench(args[1:], stdout, stderr)
		case "serve-demo":
			return runServeDemo(args[1:], stdout, stderr)
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		case "--demo", "-demo", "--autorun", "-autorun":
		default:
			fmt.Fprintf(stderr, "potok: unknown command %q\n\n%s", args[0], usage)
			return 2
		}
	}
	a := app.NewWithID("io.github.potok")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	opts := gui.Options{}
	for _, f := range args {
		switch strings.TrimLeft(f, "-") {
		case "demo":
			opts.Demo = true
		case "autorun":
			opts.AutoRun = true
		default:
			fmt.Fprintf(stderr, "potok: unknown flag %q\n\n%s", f, usage)
			return 2
		}
	}
	gui.Run(a, opts)
	return 0
}

// logLevel reads POTOK_LOG=debug|info|warn|error; warnings by default, so the
// terminal shows progress, not chatter.
func logLevel() slog.Level {
	var l slog.Level = slog.LevelWarn
	if v := os.Getenv("POTOK_LOG"); v != "" {
		_ = l.UnmarshalText([]byte(v))
	}
	return l
}
