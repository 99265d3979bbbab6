package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestPotokURLHandsToTheOpenWindow: `potok URL LIST.txt`, a process of its
// own, hands the link and the list (by absolute path) to the window that
// listens on the user's socket (this test, playing the window), prints
// one line on stderr and nothing on stdout, and exits 0 without opening a
// window. With a flag, potok opens a new window instead.
func TestPotokURLHandsToTheOpenWindow(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	path, err := windowSocket()
	if err != nil || !strings.HasPrefix(path, run) {
		t.Fatalf("socket %q, %v", path, err)
	}
	w, err := listenForHandoffs(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []string, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		w.close()
	}()
	w.serve(ctx, func(args []string) { got <- args })

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "list.txt"), []byte("https://example.com/l.iso\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := potokProcess(t, "https://example.com/a.iso", "list.txt")
	c.Dir = dir
	c.Env = append(c.Env, "XDG_RUNTIME_DIR="+run)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("potok URL: %v; stderr %q", err, stderr.String())
	}
	if stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "window already open") {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if a := <-got; !slices.Equal(a, []string{"https://example.com/a.iso", filepath.Join(dir, "list.txt")}) {
		t.Fatalf("the window got %q", a)
	}

	// Flags are for a new window: nothing is handed over. (handToWindow
	// waits for the window's answer, so a handoff would be in got by now.)
	var errb strings.Builder
	if l, handed := takeOrHand([]string{"--demo"}, false, &errb); handed || l != nil {
		t.Fatalf("with flags: handed %v, listener %v", handed, l)
	}
	if l, handed := takeOrHand(nil, true, &errb); !handed || l != nil {
		t.Fatalf("bare potok: handed %v", handed)
	}
	if a := <-got; len(a) != 0 {
		t.Fatalf("a bare potok handed %q", a)
	}
	select {
	case a := <-got:
		t.Fatalf("handed %q", a)
	default:
	}
}
