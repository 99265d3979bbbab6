package downloader_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"potok/downloader"
	"potok/downloader/demoserver"
)

// The engine's life: New, Add, then poll Snapshot (or Wait) while it works,
// and Close. Here against the package's loopback demo server, three files
// of which one is not there.
func ExampleEngine() {
	srv := demoserver.NewServer()
	defer srv.Close()
	dir, err := os.MkdirTemp("", "potok-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	e, err := downloader.New(downloader.Options{Dir: dir, Parallel: 2, Retries: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	_, err = e.Add(
		downloader.Entry{URL: srv.FileURL("a.bin", 1000)},
		downloader.Entry{URL: srv.FileURL("b.bin", 2000)},
		downloader.Entry{URL: srv.URL + "/nothing-here"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		fmt.Println(err)
		return
	}
	snap := e.Snapshot()
	for _, f := range snap.Files {
		fmt.Printf("%s: %s, %d bytes", f.Name, f.State, f.Done)
		if f.Err != "" {
			fmt.Printf(" (%s)", f.Err)
		}
		fmt.Println()
	}
	fmt.Printf("%d done, %d failed\n", snap.Done, snap.Failed)
	// Output:
	// a.bin: done, 1000 bytes
	// b.bin: done, 2000 bytes
	// nothing-here: failed, 0 bytes (server answered 404 Not Found: the file is not there; check the URL)
	// 2 done, 1 failed
}
