package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"potok/downloader"
	"potok/downloader/rpc"
)

const serveRPCSynopsis = "serve-rpc [-listen 127.0.0.1:6800] [-secret S] [-dir DIR] [-j N]"

// runServeRPC answers aria2's JSON-RPC at /jsonrpc on an engine for one
// folder, with the folder's queue, until SIGINT or SIGTERM: what a browser
// extension made for aria2 hands links to.
func runServeRPC(args []string, stderr io.Writer) int {
	fs := newFlagSet("serve-rpc", serveRPCSynopsis, stderr)
	listen := fs.String("listen", rpc.DefaultAddr, "address to answer on (aria2's port is 6800); one other machines can reach needs -secret")
	secret := fs.String("secret", "", "the secret clients give as token:SECRET (or POTOK_RPC_SECRET; default: a new random one, printed at start)")
	dir := fs.String("dir", ".", "folder to download into (created if missing)")
	jobs := fs.Int("j", 8, "downloads at once (aria2's max-concurrent-downloads; clients may change it)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 || *jobs < 1 {
		fmt.Fprintf(stderr, "potok serve-rpc: -j must be at least 1, and no arguments\nusage: potok %s\n", serveRPCSynopsis)
		return 2
	}
	if *secret == "" {
		*secret = os.Getenv("POTOK_RPC_SECRET") // out of sight of ps
	}
	// Checked before a secret is made up: reaching out to other machines
	// takes a secret the user chose.
	l, err := rpc.Listen(*listen, *secret)
	if err != nil {
		fmt.Fprintf(stderr, "potok serve-rpc: %v\n", err)
		return 2
	}
	defer l.Close()
	made := *secret == ""
	if made {
		if *secret, err = rpc.NewSecret(); err != nil {
			fmt.Fprintf(stderr, "potok serve-rpc: %v\n", err)
			return 1
		}
	}
	queue, err := downloader.DefaultQueueFile(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "potok serve-rpc: %v\n", err)
		return 1
	}
	eng, err := downloader.New(downloader.Options{Dir: *dir, Parallel: *jobs, QueueFile: queue})
	if err != nil {
		fmt.Fprintf(stderr, "potok serve-rpc: %v\n", err)
		return 1
	}
	if err := eng.QueueProblem(); err != nil {
		fmt.Fprintf(stderr, "potok serve-rpc: warning: %v\n", err)
	}
	kept := eng.Restore()
	eng.ResumeAll()
	srv := rpc.New(rpc.Options{Engine: func() *downloader.Engine { return eng }, Secret: *secret})
	url := "http://" + l.Addr().String() + rpc.Path
	fmt.Fprintf(stderr, "potok serve-rpc: aria2 JSON-RPC at %s (WebSocket too), downloading into %s; Ctrl-C stops\n", url, eng.Dir())
	if len(kept) > 0 {
		fmt.Fprintf(stderr, "potok serve-rpc: %d downloads kept for this folder are back, the unfinished ones continuing\n", len(kept))
	}
	if made {
		fmt.Fprintf(stderr, "potok serve-rpc: secret for this run (give it to your client as the RPC secret): %s\n", *secret)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = srv.Serve(ctx, l)
	stop()
	srv.Close()
	eng.Close()
	if err != nil {
		fmt.Fprintf(stderr, "potok serve-rpc: %v\n", err)
		return 1
	}
	return 0
}
