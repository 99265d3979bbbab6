package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWindowHandoff: a second potok hands its links to the window that
// listens, and knows when none does; a socket a crash left is taken over.
func TestWindowHandoff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "potok", "window.sock")
	if ok, err := handToWindow(path, handoff{Args: []string{"http://a/x"}}); ok || err != nil {
		t.Fatalf("no window yet: ok %v, %v", ok, err)
	}
	w, err := listenForHandoffs(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	w.serve(ctx, func(args []string) { got <- args })
	if _, err := listenForHandoffs(path); err != errWindowRuns {
		t.Fatalf("a second window took the socket: %v", err)
	}
	args := []string{"https://example.com/a.iso", "/home/u/list.txt"}
	if ok, err := handToWindow(path, handoff{Args: args}); !ok || err != nil {
		t.Fatalf("handoff: ok %v, %v", ok, err)
	}
	if a := <-got; !slices.Equal(a, args) {
		t.Fatalf("the window got %q", a)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, %v", fi.Mode(), err)
	}
	cancel()
	w.close()

	// A crash leaves the socket file with nobody behind it.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if ok, _ := handToWindow(path, handoff{Args: args}); ok {
		t.Fatal("handed to a dead socket")
	}
	w2, err := listenForHandoffs(path)
	if err != nil {
		t.Fatalf("a dead socket was not taken over: %v", err)
	}
	w2.close()
}

func TestAbsoluteArgs(t *testing.T) {
	wd, _ := os.Getwd()
	got := absoluteArgs([]string{"https://h/x", "list.txt", "/abs/l.txt"})
	want := []string{"https://h/x", filepath.Join(wd, "list.txt"), "/abs/l.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("%q, want %q", got, want)
	}
}
