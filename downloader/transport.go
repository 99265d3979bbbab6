package downloader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Timeouts applied to every transfer unless Options override them.
const (
	DefaultDialTimeout   = 15 * time.Second
	DefaultTLSTimeout    = 15 * time.Second
	DefaultHeaderTimeout = 30 * time.Second
	DefaultStallTimeout  = 30 * time.Second
	maxRedirects         = 10
)

// newHTTPClient builds a client tuned for many parallel transfers: enough idle
// connections per host to reuse one per worker, bounded waits on each phase of a
// request, no transparent gzip (a body must arrive byte-exact and a .part must
// be resumable by byte offset), and redirects limited to http(s) and 10 hops.
func newHTTPClient(o *Options) *http.Client {
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          0, // no global cap; the per-host cap below bounds it
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.TLSTimeout,
		ResponseHeaderTimeout: o.HeaderTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ReadBufferSize:        64 << 10,
	}
	return &http.Client{Transport: tr, CheckRedirect: checkRedirect}
}

// CheckRedirect is the redirect policy of the engine's own client, for an
// Options.HTTPClient of your own: it follows at most 10 redirects, only to http
// and https, and once a redirect leaves the origin of the first request
// (scheme, host or port differ) it drops the credentials that request carried
// (Authorization, Cookie, Cookie2). net/http compares host names only, so it
// would send them from 127.0.0.1:80 on to 127.0.0.1:8080, another server.
func CheckRedirect(req *http.Request, via []*http.Request) error { return checkRedirect(req, via) }

func checkRedirect(req *http.Request, via []*http.Request) error {
	// via holds the requests made so far: the first one and every redirect
	// already followed. Following this one makes len(via) redirects.
	if len(via) > maxRedirects {
		return fmt.Errorf("stopped after %d redirects: %w", maxRedirects, errTooManyRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %q refused, only http and https are followed: %w", req.URL.Scheme, errBadRedirect)
	}
	if len(via) > 0 {
		// net/http copied the first request's headers into req just before
		// calling us. Once the chain has left that origin, even to come back,
		// none of its credentials go out again (net/http latches the same way).
		first := origin(via[0].URL)
		left := origin(req.URL) != first
		for _, r := range via[1:] {
			left = left || origin(r.URL) != first
		}
		if left {
			for _, h := range sensitiveHeaders {
				req.Header.Del(h)
			}
		}
		// net/http also sets a Referer naming the previous URL, whose path
		// and query may carry a signed token: no other origin gets it.
		if origin(req.URL) != origin(via[len(via)-1].URL) {
			req.Header.Del("Referer")
		}
	}
	return nil
}

// sensitiveHeaders are sent only to the origin of the first request.
// Proxy-Authorization is not the server's business: net/http handles it.
var sensitiveHeaders = []string{"Authorization", "Cookie", "Cookie2"}

// origin is scheme://host:port with the scheme's default port filled in, so
// that http://h/ and http://h:80/ are one origin and http://h:81/ another.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

var (
	errTooManyRedirects = errors.New("too many redirects")
	errBadRedirect      = errors.New("redirect to another scheme")
	// ErrStalled reports a body that sent no byte for the stall timeout.
	ErrStalled = errors.New("no data received for too long (stalled)")
)

// watchClient wraps an http.Client so that every response body it returns
// fails with ErrStalled when no byte arrives for the stall timeout. grab reads
// the body in its own goroutine, so the watchdog has to sit in the body itself.
type watchClient struct {
	c     *http.Client
	stall time.Duration
}

func (w watchClient) Do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	resp, err := w.c.Do(req.WithContext(ctx))
	if err != nil {
		cancel(nil)
		return nil, err
	}
	if w.stall <= 0 {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	b := &watchedBody{rc: resp.Body, cancel: cancel, stall: w.stall}
	b.timer = time.AfterFunc(w.stall, b.fire)
	resp.Body = b
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel(nil)
	return err
}

type watchedBody struct {
	rc      io.ReadCloser
	cancel  context.CancelCauseFunc
	stall   time.Duration
	timer   *time.Timer
	stalled atomic.Bool
}

func (b *watchedBody) fire() {
	b.stalled.Store(true)
	b.cancel(ErrStalled)
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.timer.Reset(b.stall)
	}
	if err != nil && err != io.EOF && b.stalled.Load() {
		err = fmt.Errorf("%w after %v", ErrStalled, b.stall)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}
