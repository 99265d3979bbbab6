package downloader

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"potok/downloader/internal/safefs"

	"github.com/dustin/go-humanize"
)

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
	if s, ok := proxyWords(err); ok {
		return s
	}
	if s, ok := certificateWords(err); ok {
		return s
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
	case strings.Contains(err.Error(), "http2: client connection lost"):
		// The HTTP/2 health check: a ping went unanswered.
		return "stalled: the connection went silent and did not answer a ping, so it was dropped"
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

// retryAfterWords says when a server asks to be asked again: in a duration
// while that is short enough to read, else as a date.
func retryAfterWords(at, now time.Time) string {
	if d := at.Sub(now); d < 24*time.Hour {
		return "the server asks to retry in " + humanDuration(d.Round(time.Second))
	}
	return "the server asks to retry after " + at.UTC().Format("2006-01-02 15:04 UTC")
}

// proxyWords names the proxy, not the server, when it is the proxy that
// failed: down, refusing, or wanting a login.
func proxyWords(err error) (string, bool) {
	const check = "check --proxy, or HTTP_PROXY, HTTPS_PROXY and ALL_PROXY"
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusProxyAuthRequired {
		return "the proxy wants a user name and password: give them in the proxy URL (http://user:password@host:port)", true
	}
	if strings.Contains(err.Error(), "Proxy Authentication Required") {
		return "the proxy wants a user name and password for secure connections: give them in the proxy URL (http://user:password@host:port)", true
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		return "", false
	}
	var proxy string
	switch {
	case oe.Op == "proxyconnect":
		proxy = fmt.Sprint(oe.Addr)
		var inner *net.OpError
		if errors.As(oe.Err, &inner) && inner.Addr != nil {
			proxy = inner.Addr.String()
		}
	case strings.HasPrefix(oe.Op, "socks ") && oe.Source != nil:
		proxy = oe.Source.String()
	default:
		return "", false
	}
	why := "it does not answer"
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		why = errno.Error()
	case errors.As(err, new(net.Error)) && oe.Timeout():
		why = "timed out"
	}
	return fmt.Sprintf("cannot reach the proxy %s (%s): %s", proxy, why, check), true
}

// certificateWords says what is wrong with a server's certificate, and what
// to do when the server is to be trusted anyway.
func certificateWords(err error) (string, bool) {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return "the server's certificate is signed by an unknown authority; if you trust it, add its CA with --ca-cert (in the window: Settings, CA certificate)", true
	case errors.As(err, &host):
		return fmt.Sprintf("the server's certificate is for other names (%s): check the URL; the server may not be the one meant", host.Error()), true
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the server's certificate has expired or is not valid yet: check this computer's date and time; if they are right, the site must renew it", true
	case errors.As(err, &invalid):
		return "the server's certificate cannot be used: " + invalid.Error(), true
	}
	return "", false
}
