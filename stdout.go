package main

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"
)

// checkedWriter is standard output as the commands see it. It remembers the
// first write that failed (a closed pipe, a full disk), so that run can say
// so and exit non-zero however the command went, and after a failure it
// writes nothing more. Its writes may come from several goroutines.
type checkedWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.err = err
	return n, err
}

// fail records err as a failed write that did not go through Write.
func (c *checkedWriter) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

// Err returns the first failed write, or nil.
func (c *checkedWriter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// terminal returns the terminal that w writes to, if it writes to one.
func terminal(w io.Writer) (*os.File, bool) {
	if c, ok := w.(*checkedWriter); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

func isTerminal(w io.Writer) bool {
	_, ok := terminal(w)
	return ok
}

// failureLog is where a writer that reports its failures as text (mpb's
// debug output, which draws the bars on the terminal itself) tells w's
// checkedWriter. For any other w it discards the text.
func failureLog(w io.Writer) io.Writer {
	c, ok := w.(*checkedWriter)
	if !ok {
		return io.Discard
	}
	return failureText{c}
}

type failureText struct{ c *checkedWriter }

func (f failureText) Write(p []byte) (int, error) {
	f.c.fail(errors.New(strings.TrimSpace(string(p))))
	return len(p), nil
}
