package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// One window per user: `potok URL…` or `potok LIST.txt` while a window runs
// hands the URLs and lists to that window over a Unix socket of the user's
// (in XDG_RUNTIME_DIR, mode 0600, in a folder of 0700) and exits; with no
// window running, it opens one, which then listens. A socket left by a
// window that crashed answers nothing: it is removed and taken over.

// handoff is what one potok command hands the running window.
type handoff struct {
	Args []string `json:"args"` // URLs, and list files by absolute path
}

// windowSocket is where the running window listens.
func windowSocket() (string, error) {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("find a folder for the window's socket: %w", err)
		}
		dir = cfg
	}
	return filepath.Join(dir, "potok", "window.sock"), nil
}

// handToWindow gives h to the window listening at path. ok is false when no
// window listens there (the caller then opens one).
func handToWindow(path string, h handoff) (ok bool, err error) {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false, nil // none runs: no socket, or one a crash left
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := json.NewEncoder(c).Encode(h); err != nil {
		return false, fmt.Errorf("hand the links to the running window: %w", err)
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || reply != "ok\n" {
		return false, fmt.Errorf("the running window did not take the links (%q, %v)", reply, err)
	}
	return true, nil
}

// windowListener is the running window's end of the socket.
type windowListener struct {
	l    net.Listener
	path string
	wg   sync.WaitGroup
}

// listenForHandoffs takes the socket at path for this window. Another window
// that answers on it keeps it: errWindowRuns.
func listenForHandoffs(path string) (*windowListener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("make the folder of the window's socket: %w", err)
	}
	l, err := net.Listen("unix", path)
	if errors.Is(err, syscall.EADDRINUSE) {
		if c, derr := net.DialTimeout("unix", path, time.Second); derr == nil {
			c.Close()
			return nil, errWindowRuns
		}
		if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove the window socket a crash left: %w", rerr)
		}
		l, err = net.Listen("unix", path)
	}
	if err != nil {
		return nil, fmt.Errorf("listen for links from other potok commands: %w", err)
	}
	os.Chmod(path, 0o600)
	return &windowListener{l: l, path: path}, nil
}

var errWindowRuns = errors.New("a Potok window is already running")

// takeOrHand keeps to one window per user before a window opens. With
// hand, args (links and list files) go to the window already open, and
// handed says so: the caller exits 0. Otherwise the new window takes the
// socket, w, which is nil when it cannot: that window runs without it, as
// a second window opened with flags does (flags are for a new window, so
// hand is false with them). Two potoks starting at once: the one that
// lost the socket hands to the other.
func takeOrHand(args []string, hand bool, stderr io.Writer) (w *windowListener, handed bool) {
	path, err := windowSocket()
	if err != nil {
		fmt.Fprintf(stderr, "potok: %v\n", err)
		return nil, false
	}
	for range 2 {
		if hand {
			ok, err := handToWindow(path, handoff{Args: absoluteArgs(args)})
			if ok {
				fmt.Fprintln(stderr, "potok: handed to the Potok window already open")
				return nil, true
			}
			if err != nil {
				fmt.Fprintf(stderr, "potok: %v; opening a new window\n", err)
				hand = false
			}
		}
		w, err := listenForHandoffs(path)
		if err == nil {
			return w, false
		}
		if !errors.Is(err, errWindowRuns) {
			fmt.Fprintf(stderr, "potok: %v\n", err)
			return nil, false
		}
		if !hand {
			return nil, false
		}
	}
	return nil, false
}

// serve hands every handoff that arrives to take, until ctx ends or close.
// take runs on the listener's goroutine; it must not block for long.
func (w *windowListener) serve(ctx context.Context, take func([]string)) {
	// Not a goroutine waiting for ctx: close must not wait for ctx to end
	// (a window that panicked never ends it).
	context.AfterFunc(ctx, func() { w.l.Close() })
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			c, err := w.l.Accept()
			if err != nil {
				return // closed
			}
			w.answer(c, take)
		}
	}()
}

func (w *windowListener) answer(c net.Conn, take func([]string)) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var h handoff
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&h); err != nil || len(h.Args) > 100_000 {
		return
	}
	take(h.Args)
	c.Write([]byte("ok\n"))
}

// close stops listening, waits for the listener's goroutines and removes the
// socket.
func (w *windowListener) close() {
	w.l.Close()
	w.wg.Wait()
	os.Remove(w.path)
}

// absoluteArgs makes the list files of args absolute, for a window whose
// working folder may be another.
func absoluteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if looksLikeURL(a) {
			continue
		}
		if abs, err := filepath.Abs(a); err == nil {
			out[i] = abs
		}
	}
	return out
}

func looksLikeURL(s string) bool {
	for _, p := range []string{"http://", "https://", "HTTP://", "HTTPS://"} {
		if len(s) > len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}
