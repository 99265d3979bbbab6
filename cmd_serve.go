package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader/demoserver"
)

const serveSynopsis = "serve-demo [-addr 127.0.0.1:0] [-files 32] [-size 4MiB] [-latency 100ms] [-rate 2MiB]"

// serveDemo is what potok serve-demo was asked to serve.
type serveDemo struct {
	addr       string
	files      int
	latency    time.Duration
	size, rate byteSize
}

// runServeDemo serves demo files until Ctrl-C, after printing their URLs: or
// at once, with exit 1, when the list could not be printed whole.
func runServeDemo(args []string, stdout, stderr io.Writer) int {
	c, code, ok := parseServeDemo(args, stderr)
	if !ok {
		return code
	}
	srv, err := demoserver.Listen(c.addr, demoserver.WithTTFB(c.latency), demoserver.WithRate(int64(c.rate)))
	if err != nil {
		fmt.Fprintf(stderr, "potok serve-demo: %v\n", err)
		return 2
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "serving demo files at %s (%v to first byte, %s/s per connection); Ctrl-C stops\n",
		srv.URL, c.latency, humanize.IBytes(uint64(c.rate)))
	fmt.Fprintf(stderr, "any /f/NAME?size=BYTES works; the list is also at %s/list.txt?n=%d&size=%d\n", srv.URL, c.files, c.size)
	var list strings.Builder
	for _, u := range srv.List(c.files, int64(c.size)) {
		list.WriteString(u + "\n")
	}
	if _, err := io.WriteString(stdout, list.String()); err != nil {
		return 1 // run says what failed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return 0
}

func parseServeDemo(args []string, stderr io.Writer) (c serveDemo, code int, ok bool) {
	fs := newFlagSet("serve-demo", serveSynopsis, stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "loopback address to listen on (port 0: any free port)")
	fs.IntVar(&c.files, "files", 32, "files in the printed list")
	fs.DurationVar(&c.latency, "latency", 100*time.Millisecond, "time to first byte, per request")
	c.size, c.rate = 4<<20, 2<<20
	fs.Var(&c.size, "size", "bytes per file")
	fs.Var(&c.rate, "rate", "bytes per second per connection (0: unlimited)")
	if code, ok := parseFlags(fs, args); !ok {
		return c, code, false
	}
	if c.files < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok serve-demo: -files must not be negative, and no arguments")
		return c, 2, false
	}
	return c, 0, true
}
