// Command potok downloads many files in parallel and shows, in charts, what
// parallelism buys. With no subcommand it opens the window; the subcommands
// run the same engine from a terminal.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"potok/assets"
	"potok/gui"
)

const usage = `Potok downloads many files at once.

usage:
  potok [--demo] [--autorun] [LIST.txt...]
                            open the window with these lists (--demo: the offline demo
                            list; --autorun: press Download (with a 64 MiB demo file in
                            segments), then Measure speedup;
                            --compute-demo: run the Compute tab's two sweeps)
  potok get [flags] [URL...]  download URLs (or a list with -i) into a folder
  potok bench io [flags]    measure download time at several worker counts
  potok bench segments [flags]  measure one large file at several connection counts
  potok serve-demo [flags]  serve demo files on loopback and print their URLs
  potok serve-rpc [flags]   answer aria2's JSON-RPC (browser extensions) on a folder
  potok pi [flags]          the notebooks' π integration across worker counts
  potok regress [flags]     random forest vs gradient boosting (R², sklearn's split) across workers

Run "potok COMMAND -h" for the flags of a command.
`

func main() {
	// POTOK_PPROF=127.0.0.1:PORT serves net/http/pprof while the program runs
	// (loopback only), to profile the window, which does not end on its own.
	if addr := os.Getenv("POTOK_PPROF"); strings.HasPrefix(addr, "127.0.0.1:") {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
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
		case "serve-rpc":
			return runServeRPC(args[1:], stderr)
		case "pi":
			return runPi(args[1:], stdout, stderr)
		case "regress":
			return runRegress(args[1:], stdout, stderr)
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			if _, err := os.Stat(args[0]); err != nil && !strings.HasPrefix(args[0], "-") {
				fmt.Fprintf(stderr, "potok: unknown command %q\n\n%s", args[0], usage)
				return 2
			}
		}
	}
	a := app.NewWithID("io.github.potok")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	opts := gui.Options{}
	for _, f := range args {
		switch {
		case f == "--demo" || f == "-demo":
			opts.Demo = true
		case f == "--autorun" || f == "-autorun":
			opts.AutoRun = true
		case f == "--compute-demo" || f == "-compute-demo":
			opts.Compute = true
		case strings.HasPrefix(f, "-"):
			fmt.Fprintf(stderr, "potok: unknown flag %q\n\n%s", f, usage)
			return 2
		default:
			opts.Lists = append(opts.Lists, f)
		}
	}
	// The window keeps each download's state in the engine and in its rows;
	// a tighter GC target keeps a 10,000-file list under 300 MB (measured with
	// 32 running: 316 MB at the default, 277 MB at 50) at no CPU cost we could
	// measure. A GOGC set by the user still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
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
