package downloader

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"potok/downloader/internal/safefs"

	"github.com/dustin/go-humanize"
)

// explain is the one place a failure is understood: its kind and what its
// words name (for callers that word it themselves, in the user's language),
// and its words in English, fit to show.
func explain(err error) Problem {
	if err == nil {
		return Problem{}
	}
	p := understand(err)
	p.Text = shownText(p.Text)
	for i := range p.Args {
		p.Args[i] = shownText(p.Args[i])
	}
	return p
}

func understand(err error) Problem {
	var placed *placedError
	var ex *exhaustedError
	var later *retryLaterError
	switch {
	case errors.As(err, &placed):
		p := understand(placed.err)
		p.InSegment, p.SegmentAt = true, placed.at
		p.Where, p.Text = placed.where(), placed.where()+": "+p.Text
		return p
	case errors.As(err, &ex):
		p := understand(ex.err)
		p.GaveUpAttempts, p.GaveUpAfter = ex.attempts, ex.after
		p.GaveUp, p.Text = ex.why(), p.Text+" ("+ex.why()+")"
		return p
	case errors.As(err, &later):
		p := understand(later.err)
		p.RetryAt, p.Text = later.at, p.Text+"; "+retryAfterWords(later.at, time.Now())+", try again then"
		return p
	}
	if p, ok := proxyProblem(err); ok {
		return p
	}
	if p, ok := certificateProblem(err); ok {
		return p
	}
	if p, ok := statusProblem(err); ok {
		return p
	}
	if p, ok := diskProblem(err); ok {
		return p
	}
	switch {
	case errors.Is(err, ErrStalled):
		return Problem{Kind: KindStalled, Text: "stalled: no data arrived for too long"}
	case strings.Contains(err.Error(), "http2: client connection lost"):
		// The HTTP/2 health check: a ping went unanswered.
		return Problem{Kind: KindStalled, Text: "stalled: the connection went silent and did not answer a ping, so it was dropped"}
	case errors.Is(err, ErrShortBody), errors.Is(err, io.ErrUnexpectedEOF):
		return Problem{Kind: KindConnectionClosed, Text: "connection closed before the whole file arrived"}
	case errors.Is(err, syscall.ECONNRESET):
		return Problem{Kind: KindConnectionReset, Text: "connection reset by the server"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return Problem{Kind: KindConnectionRefused, Text: "connection refused: is the server running?"}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return Problem{Kind: KindNoSuchHost, Args: [2]string{dns.Name}, Text: fmt.Sprintf("no such host %q", dns.Name)}
		}
		return Problem{Kind: KindLookup, Args: [2]string{dns.Name, dns.Err}, Text: fmt.Sprintf("cannot look up %q: %v", dns.Name, dns.Err)}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		var oe *net.OpError
		switch {
		case errors.As(err, &oe) && oe.Op == "dial":
			addr := fmt.Sprint(oe.Addr)
			return Problem{Kind: KindConnectTimeout, Args: [2]string{addr}, Text: fmt.Sprintf("timed out connecting to %v: check the address and your network", addr)}
		case strings.Contains(err.Error(), "TLS handshake timeout"):
			return Problem{Kind: KindTLSTimeout, Text: "timed out setting up the secure connection (the TLS handshake): the server, or something between, stopped answering"}
		case errors.Is(err, ErrHeaderTimeout):
			return Problem{Kind: KindAnswerTimeout, Text: "timed out: " + err.Error()}
		}
		return Problem{Kind: KindTimeout, Text: "timed out: " + err.Error()}
	}
	if errors.Is(err, ErrHeaderTimeout) {
		return Problem{Kind: KindAnswerTimeout, Text: err.Error()}
	}
	return Problem{Kind: KindOther, Text: err.Error()}
}

// statusProblem words the HTTP statuses a person can act on.
func statusProblem(err error) (Problem, bool) {
	var se *StatusError
	if !errors.As(err, &se) {
		return Problem{}, false
	}
	code := strconv.Itoa(se.Code)
	s := err.Error()
	switch {
	case se.Code == http.StatusNotFound || se.Code == http.StatusGone:
		return Problem{Kind: KindNotFound, Args: [2]string{code}, Text: s + ": the file is not there; check the URL"}, true
	case se.Code == http.StatusUnauthorized || se.Code == http.StatusForbidden:
		return Problem{Kind: KindAccessDenied, Args: [2]string{code}, Text: s + ": access denied"}, true
	case se.Code == http.StatusRequestedRangeNotSatisfiable:
		return Problem{Kind: KindRangeNotSatisfiable, Args: [2]string{code}, Text: s + ": the partial file does not fit the server's file"}, true
	}
	return Problem{Kind: KindHTTPStatus, Args: [2]string{code, http.StatusText(se.Code)}, Text: s}, true
}

// diskProblem says what is wrong with the download folder or its disk, and
// what to do about it.
func diskProblem(err error) (Problem, bool) {
	var space *safefs.SpaceError
	switch {
	case errors.As(err, &space):
		need, free := humanize.IBytes(uint64(space.Need)), humanize.IBytes(uint64(max(space.Free, 0)))
		return Problem{Kind: KindNoSpace, Args: [2]string{need, free}, Text: fmt.Sprintf(
			"not enough space: the file needs %s and the folder's disk has %s free; free some space or choose another folder, then Retry", need, free)}, true
	case errors.Is(err, syscall.ENOSPC):
		return Problem{Kind: KindDiskFull, Text: "disk full: free some space, then Retry (the partial file is kept)"}, true
	case errors.Is(err, syscall.EDQUOT):
		return Problem{Kind: KindQuota, Text: "disk quota exceeded: free some space or ask for a larger quota, then Retry (the partial file is kept)"}, true
	case errors.Is(err, syscall.EFBIG):
		return Problem{Kind: KindFileTooLarge, Text: "file too large for this file system (FAT32 stops at 4 GiB): choose a download folder on another file system"}, true
	case errors.Is(err, syscall.EROFS):
		return Problem{Kind: KindReadOnly, Text: "the download folder is on a read-only file system: choose another folder"}, true
	case errors.Is(err, ErrChecksum):
		return Problem{Kind: KindChecksum, Text: err.Error() + " (the damaged partial file was removed)"}, true
	case errors.Is(err, fs.ErrPermission):
		what := "the download folder"
		var pe *fs.PathError
		if errors.As(err, &pe) {
			what = pe.Path
		}
		return Problem{Kind: KindPermission, Args: [2]string{what}, Text: fmt.Sprintf(
			"permission denied writing %s: choose a folder you can write to, or give yourself write access to it, then Retry", what)}, true
	}
	return Problem{}, false
}

// retryAfterWords says when a server asks to be asked again: in a duration
// while that is short enough to read, else as a date.
func retryAfterWords(at, now time.Time) string {
	if d := at.Sub(now); d < 24*time.Hour {
		return "the server asks to retry in " + humanDuration(d.Round(time.Second))
	}
	return "the server asks to retry after " + at.UTC().Format("2006-01-02 15:04 UTC")
}

// proxyProblem names the proxy, not the server, when it is the proxy that
// failed: down, refusing, or wanting a login.
func proxyProblem(err error) (Problem, bool) {
	const check = "check --proxy, or HTTP_PROXY, HTTPS_PROXY and ALL_PROXY"
	var se *StatusError
	if errors.As(err, &se) && se.Code == http.StatusProxyAuthRequired {
		return Problem{Kind: KindProxyLogin, Text: "the proxy wants a user name and password: give them in the proxy URL (http://user:password@host:port)"}, true
	}
	if strings.Contains(err.Error(), "Proxy Authentication Required") {
		return Problem{Kind: KindProxyLogin, Text: "the proxy wants a user name and password for secure connections: give them in the proxy URL (http://user:password@host:port)"}, true
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		return Problem{}, false
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
		return Problem{}, false
	}
	why := "it does not answer"
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		why = errno.Error()
	case errors.As(err, new(net.Error)) && oe.Timeout():
		why = "timed out"
	}
	return Problem{Kind: KindProxyUnreachable, Args: [2]string{proxy, why},
		Text: fmt.Sprintf("cannot reach the proxy %s (%s): %s", proxy, why, check)}, true
}

// certificateProblem says what is wrong with a server's certificate, and what
// to do when the server is to be trusted anyway.
func certificateProblem(err error) (Problem, bool) {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return Problem{Kind: KindCertificateUnknown, Text: "the server's certificate is signed by an unknown authority; if you trust it, add its CA with --ca-cert (in the window: Settings, CA certificate)"}, true
	case errors.As(err, &host):
		return Problem{Kind: KindCertificateName, Args: [2]string{host.Host}, Text: fmt.Sprintf("the server's certificate is for other names (%s): check the URL; the server may not be the one meant", host.Error())}, true
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return Problem{Kind: KindCertificateExpired, Text: "the server's certificate has expired or is not valid yet: check this computer's date and time; if they are right, the site must renew it"}, true
	case errors.As(err, &invalid):
		return Problem{Kind: KindCertificateInvalid, Text: "the server's certificate cannot be used: " + invalid.Error()}, true
	}
	return Problem{}, false
}

// Problem is a failure as a caller that words it itself needs it: a kind
// that stays the same from release to release, what its words name, and the
// engine's own words in English. Comparable, like FileStatus.
type Problem struct {
	Kind ErrorKind
	// Args are what the words name, by kind: the HTTP status (and its
	// text) for KindHTTPStatus, KindNotFound, KindAccessDenied and
	// KindRangeNotSatisfiable; need and free space for KindNoSpace; the
	// path for KindPermission; the host for KindNoSuchHost, KindLookup (and
	// the resolver's words) and KindCertificateName; the address for
	// KindConnectTimeout; the proxy and why for KindProxyUnreachable.
	Args      [2]string
	Where     string // which part of the file failed ("segment at byte N"), "" for the whole
	InSegment bool   // a segment failed, not the whole file...
	SegmentAt int64  // ...having reached this byte
	GaveUp    string // why retrying stopped, "" while retries go on or none were made
	// GaveUpAttempts is how many attempts in a row brought nothing when
	// retrying stopped for that, GaveUpAfter the give-up time when it
	// stopped for that instead; both zero while retries go on.
	GaveUpAttempts int
	GaveUpAfter    time.Duration
	RetryAt        time.Time // when the server asks to be asked again, zero if it did not
	Text           string    // the engine's words, in English
}

// ErrorKind names a kind of failure.
type ErrorKind string

// The kinds of failure. A caller that words them itself keeps Problem.Text for
// kinds it does not know.
const (
	KindHTTPStatus          ErrorKind = "http-status"
	KindNotFound            ErrorKind = "not-found"
	KindAccessDenied        ErrorKind = "access-denied"
	KindRangeNotSatisfiable ErrorKind = "range-not-satisfiable"
	KindStalled             ErrorKind = "stalled"
	KindConnectionClosed    ErrorKind = "connection-closed"
	KindConnectionReset     ErrorKind = "connection-reset"
	KindConnectionRefused   ErrorKind = "connection-refused"
	KindNoSpace             ErrorKind = "no-space"
	KindDiskFull            ErrorKind = "disk-full"
	KindQuota               ErrorKind = "quota"
	KindFileTooLarge        ErrorKind = "file-too-large"
	KindReadOnly            ErrorKind = "read-only"
	KindChecksum            ErrorKind = "checksum"
	KindPermission          ErrorKind = "permission"
	KindNoSuchHost          ErrorKind = "no-such-host"
	KindLookup              ErrorKind = "lookup"
	KindConnectTimeout      ErrorKind = "connect-timeout"
	KindTLSTimeout          ErrorKind = "tls-timeout"
	KindAnswerTimeout       ErrorKind = "answer-timeout"
	KindTimeout             ErrorKind = "timeout"
	KindProxyLogin          ErrorKind = "proxy-login"
	KindProxyUnreachable    ErrorKind = "proxy-unreachable"
	KindCertificateUnknown  ErrorKind = "certificate-unknown"
	KindCertificateExpired  ErrorKind = "certificate-expired"
	KindCertificateName     ErrorKind = "certificate-name"
	KindCertificateInvalid  ErrorKind = "certificate-invalid"
	KindOther               ErrorKind = "other"
)
