// Command potok downloads many files in parallel and shows, in charts, what
// parallelism buys. With no subcommand it opens the window; the subcommands
// run the same engine from a terminal.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"potok/assets"
	"potok/compute/lesson"
	"potok/gui"
)

const usage = `Potok downloads many files at once.

usage:
  potok [--demo] [--autorun] [URL...] [LIST.txt...]
                            open the window downloading these links, with these lists
                            (--demo: the offline demo list; --autorun: press Download
                            (with a 64 MiB demo file in segments), then Measure speedup;
                            --compute-demo: run the Compute tab's two sweeps;
                            --lesson-demo: run the Lesson tab's lesson); without
                            flags, a window already open takes the links and lists
  potok get [flags] [URL...]  download URLs (or a list with -i) into a folder
  potok bench io [flags]    measure download time at several worker counts
  potok bench segments [flags]  measure one large file at several connection counts
  potok serve-demo [flags]  serve demo files on loopback and print their URLs
  potok serve-rpc [flags]   answer aria2's JSON-RPC (browser extensions) on a folder
  potok pi [flags]          the notebooks' π integration across worker counts
  potok regress [flags]     random forest vs gradient boosting (R², sklearn's split) across workers
  potok bench lesson [flags]  the notebooks' question: downloads and π in goroutines,
                            processes and under a GIL, one table and its answer
  potok race [flags]        goroutines adding to one counter without a lock, with a mutex, atomically
  potok deadlock [flags]    two goroutines taking two locks in opposite orders, detected and released

Run "potok COMMAND -h" for the flags of a command.
`

func main() { os.Exit(potokMain()) }

// potokMain is the program as a shell starts it (the tests' scripts start it
// as the command potok): run, with the environment's profiling around it.
func potokMain() int {
	// A write to a closed pipe then fails with EPIPE, which run reports,
	// instead of SIGPIPE killing the program before it can say so or stop
	// its downloads cleanly.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	// A child of processes mode inherits the environment: it must not
	// write over its parent's CPU profile or ask for its pprof address.
	if len(os.Args) > 1 && os.Args[1] == lesson.WorkerCommand {
		return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	// POTOK_PPROF=127.0.0.1:PORT serves net/http/pprof while the program runs
	// (loopback only), to profile the window, which does not end on its own.
	defer startPprof(os.Getenv("POTOK_PPROF"), os.Stderr).stop()
	// POTOK_CPUPROFILE=FILE writes a CPU profile of the run, for `go tool pprof`.
	defer startCPUProfile(os.Getenv("POTOK_CPUPROFILE"), os.Stderr)()
	return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// run returns the exit code: 0 success, 1 failure, 2 bad usage. A write to
// stdout that failed makes a success a failure, and is reported.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()})))
	out := &checkedWriter{w: stdout}
	code := dispatch(args, stdin, out, stderr)
	if err := out.Err(); err != nil {
		fmt.Fprintf(stderr, "potok: the output is incomplete: %v\n", err)
		code = max(code, 1)
	}
	return code
}

// dispatch runs the subcommand args name, or the window.
func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
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
		case "race":
			return runRace(args[1:], stdout, stderr)
		case "deadlock":
			return runDeadlock(args[1:], stdout, stderr)
		case lesson.WorkerCommand: // a child of processes mode; not in the usage
			return lesson.ServeWorker(context.Background(), args[1:], stdin, stdout, stderr)
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		default:
			if _, err := os.Stat(args[0]); err != nil && !strings.HasPrefix(args[0], "-") && !looksLikeURL(args[0]) {
				fmt.Fprintf(stderr, "potok: unknown command %q\n\n%s", args[0], usage)
				return 2
			}
		}
	}
	return runWindow(args, stderr)
}

// runWindow opens the window, with the links, lists and flags of args, or
// hands the links and lists to the window already open (instance.go).
func runWindow(args []string, stderr io.Writer) int {
	opts := gui.Options{}
	flags := false
	for _, f := range args {
		flags = flags || strings.HasPrefix(f, "-")
		switch {
		case f == "--demo" || f == "-demo":
			opts.Demo = true
		case f == "--autorun" || f == "-autorun":
			opts.AutoRun = true
		case f == "--compute-demo" || f == "-compute-demo":
			opts.Compute = true
		case f == "--lesson-demo" || f == "-lesson-demo":
			opts.Lesson = true
		case strings.HasPrefix(f, "-"):
			fmt.Fprintf(stderr, "potok: unknown flag %q\n\n%s", f, usage)
			return 2
		case looksLikeURL(f):
			opts.URLs = append(opts.URLs, f)
		default:
			opts.Lists = append(opts.Lists, f)
		}
	}
	w, handed := takeOrHand(args, !flags, stderr)
	if handed {
		return 0
	}
	if w != nil {
		defer w.close()
		opts.Handoffs = w.serve
	}
	// The window keeps each download's state in the engine and in its rows;
	// a tighter GC target keeps a 10,000-file list under 300 MB (measured with
	// 32 running: 316 MB at the default, 277 MB at 50) at no CPU cost we could
	// measure. A GOGC set by the user still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	a := app.NewWithID("io.github.potok")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
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
