package downloader

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"potok/downloader/internal/queuefile"
)

// Every error the engine makes is declared here: the contract's, which
// callers test with errors.Is and errors.As, and the engine's own, which
// steer its retries. What each means to a user is in words.go.

// The contract's errors.
var (
	// ErrClosed is returned by Add after Close.
	ErrClosed = errors.New("downloader: engine is closed")
	// ErrUnknownID is returned by commands given an ID this engine never issued.
	ErrUnknownID = errors.New("downloader: no download with that ID")
	// ErrDuplicate marks a list line whose URL already appeared earlier in
	// the same list. It is reported so the user knows why a line was
	// skipped, but it is not a fault.
	ErrDuplicate = errors.New("duplicate URL")
	// ErrQueueBusy is wrapped by the *QueueBusyError New returns when another
	// Potok is using the folder's queue.
	ErrQueueBusy = queuefile.ErrBusy
	// ErrCorruptQueue is wrapped by QueueProblem when the folder's queue file
	// was damaged and set aside.
	ErrCorruptQueue = queuefile.ErrCorrupt

	// ErrShortBody reports a body that ended before its declared length.
	ErrShortBody = errors.New("the server closed the connection before the whole file arrived")
	// ErrChecksum reports a file whose SHA-256 differs from the one in the list.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrRangeIgnored reports a server that answered a resume request with the
	// whole file; the download starts over instead of appending.
	ErrRangeIgnored = errors.New("the server ignored the resume request (answered 200 to Range)")
	// ErrBadContentRange reports a 206 answer for other bytes than were asked.
	ErrBadContentRange = errors.New("the server sent a different byte range than was asked for")
	// ErrRemoteChanged reports a file whose ETag or Last-Modified changed
	// since its .part began; the download starts over.
	ErrRemoteChanged = errors.New("the file changed on the server since the download began")
	// ErrStalled reports a body that sent no byte for the stall timeout.
	ErrStalled = errors.New("no data received for too long (stalled)")
	// ErrHeaderTimeout reports a server that accepted a request and sent no
	// answer within the header timeout.
	ErrHeaderTimeout = errors.New("timed out waiting for the server to answer")
)

// QueueBusyError is returned by New when another Potok holds the folder's
// queue: two programs on one folder would resume the same .part files and
// race for the same names. PID is the holder's process, 0 when unknown.
type QueueBusyError = queuefile.BusyError

// StatusError is an HTTP answer that is not a success.
type StatusError struct {
	Code       int
	RetryAfter time.Duration // from Retry-After; 0 when absent
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("server answered %d %s", e.Code, http.StatusText(e.Code))
}

// The engine's own: how an attempt ended, for the loops that decide what next.
var (
	// errClosing is the cancel cause of every transfer when the engine closes.
	errClosing = errors.New("engine closing")
	// errInterrupted ends a run the user paused or cancelled.
	errInterrupted = errors.New("interrupted")
	// errSegmented ends the first request of a file that will come in
	// segments; checkResponse returns it before grab writes anything.
	errSegmented = errors.New("large file from a server that accepts ranges: fetching it in segments")
	// errBiggerBuffer ends an attempt whose headers show a large file while
	// the buffer is small; the next attempt starts at once with a big buffer.
	errBiggerBuffer = errors.New("large file: starting again with a larger buffer")
	// errUnknownVersion is a .part of no recorded version from a server
	// that names its versions: it starts over like a changed file.
	errUnknownVersion   = fmt.Errorf("%w (or may have: the partial file's version was never recorded)", ErrRemoteChanged)
	errTooManyRedirects = errors.New("too many redirects")
	errBadRedirect      = errors.New("redirect to another scheme")
)

// gaveUpError is a segment that spent the retries on its own: the file fails
// without the download loop trying it all again as many times more.
type gaveUpError struct{ err error }

func (g *gaveUpError) Error() string { return g.err.Error() }
func (g *gaveUpError) Unwrap() error { return g.err }

// placedError is a failure of one part of a file: "segment at byte N".
type placedError struct {
	at  int64 // the byte the segment had reached
	err error
}

func (p *placedError) where() string { return fmt.Sprintf("segment at byte %d", p.at) }

func (p *placedError) Error() string { return p.where() + ": " + p.err.Error() }
func (p *placedError) Unwrap() error { return p.err }

// exhaustedError is the last failure of a file the retrier gave up on, and
// why it gave up.
type exhaustedError struct {
	err      error
	attempts int           // in a row that brought nothing; 0 when after ran out instead
	after    time.Duration // the give-up time, when that ran out
}

func (e *exhaustedError) why() string {
	if e.attempts > 0 {
		return fmt.Sprintf("gave up after %d attempts in a row that brought nothing", e.attempts)
	}
	return fmt.Sprintf("gave up: still failing %s after the first failure", humanDuration(e.after))
}

func (e *exhaustedError) Error() string { return e.err.Error() + " (" + e.why() + ")" }
func (e *exhaustedError) Unwrap() error { return e.err }

// retryLaterError is a server that asked to be left alone for longer than
// Options.MaxRetryAfter: the file fails, saying until when.
type retryLaterError struct {
	err error
	at  time.Time
}

func (e *retryLaterError) Error() string {
	return fmt.Sprintf("%v; %s, try again then", e.err, retryAfterWords(e.at, time.Now()))
}

func (e *retryLaterError) Unwrap() error { return e.err }
