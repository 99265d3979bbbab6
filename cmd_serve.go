package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dustin/go-humanize"

	"potok/downloader/demoserver"
)

const serveSynopsis = "serve-demo [-addr 127.0.0.1:0] [-files 32] [-size 4MiB] [-latency 100ms] [-rate 2MiB]"

func runServeDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve-demo", serveSynopsis, stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on (port 0: any free port)")
	files := fs.Int("files", 32, "files in the printed list")
	latency := fs.Duration("latency", 100*time.Millisecond, "time to first byte, per request")
	size, rate := byteSize(4<<20), byteSize(2<<20)
	fs.Var(&size, "size", "bytes per file")
	fs.Var(&rate, "rate", "bytes per second per connection (0: unlimited)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *files < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "potok serve-demo: -files must not be negative, and no arguments")
		return 2
	}
	srv, err := demoserver.Listen(*addr, demoserver.WithTTFB(*latency), demoserver.WithRate(int64(rate)))
	if err != nil {
		fmt.Fprintf(stderr, "potok serve-demo: %v\n", err)
		return 2
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "serving demo files at %s (%v to first byte, %s/s per connection); Ctrl-C stops\n",
		srv.URL, *latency, humanize.IBytes(uint64(rate)))
	fmt.Fprintf(stderr, "any /f/NAME?size=BYTES works; the list is also at %s/list.txt?n=%d&size=%d\n", srv.URL, *files, size)
	for _, u := range srv.List(*files, int64(size)) {
		fmt.Fprintln(stdout, u)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return 0
}
