package downloader

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"potok/downloader/internal/safefs"

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
		return retryVerdict{err: &exhaustedError{err: err, attempts: r.failures}}
	case r.o.GiveUpAfter > 0 && now.Sub(r.first) >= r.o.GiveUpAfter:
		return retryVerdict{err: &exhaustedError{err: err, after: r.o.GiveUpAfter}}
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

// transient reports whether err is worth another attempt: timeouts, resets,
// short bodies, stalls, 408, 429 and 5xx. Other 4xx, bad checksums, refused
// redirects, certificate and disk errors are not.
func transient(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code == http.StatusRequestTimeout || se.Code == http.StatusTooManyRequests ||
			(se.Code >= 500 && se.Code != http.StatusNotImplemented && se.Code != http.StatusHTTPVersionNotSupported)
	}
	if diskError(err) {
		return false // trying again fills the same disk: the user must act first
	}
	switch {
	case errors.Is(err, ErrChecksum), errors.Is(err, safefs.ErrNotRegular),
		errors.Is(err, errBadRedirect), errors.Is(err, errTooManyRedirects),
		errors.Is(err, grab.ErrBadLength), errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, ErrStalled), errors.Is(err, ErrHeaderTimeout), errors.Is(err, ErrShortBody), errors.Is(err, ErrRangeIgnored), errors.Is(err, ErrRemoteChanged),
		errors.Is(err, ErrBadContentRange), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var cert *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &cert) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true // a network-level failure that none of the cases above named
	}
	// HTTP/2 resets and GOAWAYs surface as plain strings.
	msg := err.Error()
	return strings.Contains(msg, "GOAWAY") || strings.Contains(msg, "stream error") ||
		strings.Contains(msg, "server closed idle connection") ||
		strings.Contains(msg, "http2: client connection lost") || strings.Contains(msg, "http2: client conn")
}

// diskError reports the errors of the disk, not of the network, that another
// attempt cannot cure: full, over quota, file too large, read-only.
func diskError(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EROFS)
}

// backoff returns how long to wait before attempt number n+1 (n >= 1): base·2^(n-1)
// capped at max, with "equal jitter" (half fixed, half random) so that many
// files failing together do not all come back at the same instant.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(min(secs, int64(365*24*3600))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
