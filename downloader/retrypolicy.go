package downloader

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cavaliergopher/grab/v3"
)

// retrier decides, after each failed attempt at a file (or at one segment of
// it), whether to try again and after how long. Both the single-connection
// loop and each segment's loop ask it, so the two never disagree.
//
// What counts against Options.Retries is consecutive attempts that brought
// no new bytes (fewer than progressMin): a flaky link or proxy that cuts every connection after a
// megabyte still delivers a large file, one resumed piece at a time, as wget
// and curl do. Two bounds keep that from going on forever: the consecutive
// failures, and Options.GiveUpAfter since the first failure of the run.
type retrier struct {
	o        *Options
	failures int       // consecutive failed attempts without progress
	tries    int       // failed attempts in all, for the log
	first    time.Time // the first failure of this run
	high     int64     // the most bytes ever on disk: only bytes beyond it are new
}

// progressMin is how many new bytes make an attempt one that progressed (or
// all that was missing, when less): a link cut every few kilobytes still
// delivers, while a server that sends a byte, then nothing (slow loris),
// is not making progress.
const progressMin = 4 << 10

// progress reports whether an attempt that left have bytes on disk, of a
// file of size bytes (-1: unknown), brought enough new ones to not count as
// a failure.
func (r *retrier) progress(have, size int64) bool {
	gain, missing := have-r.high, int64(progressMin)
	if size >= 0 {
		missing = min(missing, size-r.high)
	}
	r.high = max(r.high, have)
	return gain > 0 && gain >= missing
}

// retryVerdict is the retrier's answer: wait this long, then try again; or
// give up with err.
type retryVerdict struct {
	wait time.Duration
	err  error // non-nil: no more attempts
}

// next judges an attempt that failed with err; progressed says whether it
// brought enough new bytes (see progress). now is the time of the failure.
func (r *retrier) next(err error, progressed bool, now time.Time) retryVerdict {
	if r.first.IsZero() {
		r.first = now
	}
	r.tries++
	if progressed {
		r.failures = 0
	} else {
		r.failures++
	}
	switch {
	case !transient(err), r.o.Retries == 0:
		return retryVerdict{err: err}
	case r.failures > r.o.Retries:
		return retryVerdict{err: &exhaustedError{err, fmt.Sprintf("gave up after %d attempts in a row that brought nothing", r.failures)}}
	case r.o.GiveUpAfter > 0 && now.Sub(r.first) >= r.o.GiveUpAfter:
		return retryVerdict{err: &exhaustedError{err, fmt.Sprintf("gave up: still failing %s after the first failure",
			humanDuration(r.o.GiveUpAfter))}}
	}
	wait := backoff(max(r.failures, 1), r.o.BackoffBase, r.o.BackoffMax)
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		if se.RetryAfter > r.o.MaxRetryAfter {
			return retryVerdict{err: &retryLaterError{err: err, at: now.Add(se.RetryAfter)}}
		}
		wait = max(wait, se.RetryAfter)
	}
	return retryVerdict{wait: wait}
}

// retries is how many retries the retrier has allowed or refused so far.
func (r *retrier) retries() int { return r.tries }

// retryAfterWords says when a server asks to be asked again: in a duration
// while that is short enough to read, else as a date.
func retryAfterWords(at, now time.Time) string {
	if d := at.Sub(now); d < 24*time.Hour {
		return "the server asks to retry in " + humanDuration(d.Round(time.Second))
	}
	return "the server asks to retry after " + at.UTC().Format("2006-01-02 15:04 UTC")
}

// partVerdict is what a failed attempt means for the bytes already kept.
type partVerdict int

const (
	partKept            partVerdict = iota // continue from them
	partOtherVersion                       // the file changed: drop them; ranges still work
	partRangesUntrusted                    // ranges cannot be used for this file: drop them, one connection, no resume
)

// judgePart is the one list of answers after which a .part cannot be
// continued, for single and segmented transfers alike.
func judgePart(err error) partVerdict {
	var se *StatusError
	switch {
	case errors.Is(err, ErrRemoteChanged):
		return partOtherVersion
	case errors.Is(err, ErrRangeIgnored), errors.Is(err, ErrBadContentRange), errors.Is(err, grab.ErrBadLength),
		errors.As(err, &se) && se.Code == http.StatusRequestedRangeNotSatisfiable:
		return partRangesUntrusted
	}
	return partKept
}
