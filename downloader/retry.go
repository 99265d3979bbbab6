package downloader

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"potok/downloader/internal/safefs"

	"github.com/cavaliergopher/grab/v3"
	"github.com/dustin/go-humanize"
)

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

// describe turns an error into words for a person: what happened, and, for the
// failures that need one, what to do; fit to show (shownText).
func describe(err error) string {
	if err == nil {
		return ""
	}
	return shownText(words(err))
}

func words(err error) string {
	var placed *placedError
	var ex *exhaustedError
	var later *retryLaterError
	switch {
	case errors.As(err, &placed):
		return placed.where + ": " + words(placed.err)
	case errors.As(err, &ex):
		return words(ex.err) + " (" + ex.why + ")"
	case errors.As(err, &later):
		return words(later.err) + "; " + retryAfterWords(later.at, time.Now()) + ", try again then"
	}
	var se *StatusError
	var space *safefs.SpaceError
	switch {
	case errors.As(err, &se):
		s := err.Error()
		switch {
		case se.Code == http.StatusNotFound || se.Code == http.StatusGone:
			s += ": the file is not there; check the URL"
		case se.Code == http.StatusUnauthorized || se.Code == http.StatusForbidden:
			s += ": access denied"
		case se.Code == http.StatusRequestedRangeNotSatisfiable:
			s += ": the partial file does not fit the server's file"
		}
		return s
	case errors.Is(err, ErrStalled):
		return "stalled: no data arrived for too long"
	case errors.Is(err, ErrShortBody), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before the whole file arrived"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: is the server running?"
	case errors.As(err, &space):
		return fmt.Sprintf("not enough space: the file needs %s and the folder's disk has %s free; free some space or choose another folder, then Retry",
			humanize.IBytes(uint64(space.Need)), humanize.IBytes(uint64(max(space.Free, 0))))
	case errors.Is(err, syscall.ENOSPC):
		return "disk full: free some space, then Retry (the partial file is kept)"
	case errors.Is(err, syscall.EDQUOT):
		return "disk quota exceeded: free some space or ask for a larger quota, then Retry (the partial file is kept)"
	case errors.Is(err, syscall.EFBIG):
		return "file too large for this file system (FAT32 stops at 4 GiB): choose a download folder on another file system"
	case errors.Is(err, syscall.EROFS):
		return "the download folder is on a read-only file system: choose another folder"
	case errors.Is(err, ErrChecksum):
		return err.Error() + " (the damaged partial file was removed)"
	case errors.Is(err, fs.ErrPermission):
		what := "the download folder"
		var pe *fs.PathError
		if errors.As(err, &pe) {
			what = pe.Path
		}
		return fmt.Sprintf("permission denied writing %s: choose a folder you can write to, or give yourself write access to it, then Retry", what)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return fmt.Sprintf("no such host %q", dns.Name)
		}
		return fmt.Sprintf("cannot look up %q: %v", dns.Name, dns.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		var oe *net.OpError
		switch {
		case errors.As(err, &oe) && oe.Op == "dial":
			return fmt.Sprintf("timed out connecting to %v: check the address and your network", oe.Addr)
		case strings.Contains(err.Error(), "TLS handshake timeout"):
			return "timed out setting up the secure connection (the TLS handshake): the server, or something between, stopped answering"
		}
		return "timed out: " + err.Error()
	}
	return err.Error()
}
