package downloader

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Timeouts applied to every transfer unless Options override them.
const (
	defaultDialTimeout  = 15 * time.Second
	defaultTLSTimeout   = 15 * time.Second
	DefaultStallTimeout = 30 * time.Second
	maxRedirects        = 10
)

// newHTTPClient builds a client tuned for many parallel transfers: enough idle
// connections per host to reuse one per worker, bounded waits on each phase of a
// request, no transparent gzip (a body must arrive byte-exact and a .part must
// be resumable by byte offset), redirects limited to http(s) and 10 hops, and
// HTTP/2 health checks: a connection that goes silent is pinged and dropped
// within about the stall timeout, instead of carrying every retry into the
// same silence.
func newHTTPClient(o *Options, n *network) *http.Client {
	tr := &http.Transport{
		Proxy:                 n.proxy,
		DialContext:           n.dial,
		TLSClientConfig:       n.tls.Clone(),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          0, // no global cap; the per-host cap below bounds it
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.TLSTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ReadBufferSize:        64 << 10,
		// The wait for headers is watchClient's: it also drops the
		// connection that kept the answer waiting.
		HTTP2: &http.HTTP2Config{
			SendPingTimeout: max(o.StallTimeout/2, 100*time.Millisecond),
			PingTimeout:     max(o.StallTimeout/2, 100*time.Millisecond),
		},
	}
	return &http.Client{Transport: tr, CheckRedirect: n.redirectPolicy}
}

// checkRedirect is the redirect policy of the engine's own client: it follows
// at most 10 redirects, only to http and https, and once a redirect leaves the
// origin of the first request (scheme, host or port differ) it drops the
// credentials that request carried (Authorization, Cookie, Cookie2). net/http
// compares host names only, so it would send them from 127.0.0.1:80 on to
// 127.0.0.1:8080, another server.
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

// watchClient wraps an http.Client so that a request that keeps waiting fails
// and takes its connection with it: the response headers must come within
// the header timeout of the request being sent, and then each body Read
// must bring a byte within the stall timeout. The clock runs only while
// Potok waits for the server: not while it writes to disk or holds back for
// its own speed limit. A request that times out closes the connection it
// went over, because over HTTP/2 a connection outlives its streams, and a
// retry would otherwise be sent into the same silence. grab reads the body
// in its own goroutine, so the watchdog has to sit in the body itself.
type watchClient struct {
	c      *http.Client
	stall  time.Duration
	header time.Duration
	net    *network    // keeps the cookies answers set
	gil    sync.Locker // Options.GIL
}

func (w watchClient) Do(req *http.Request) (*http.Response, error) {
	if resp, ok := localHead(req); ok {
		return resp, nil
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	conn := new(connHolder)
	var headers *time.Timer
	var answered, timedOut atomic.Bool
	if w.header > 0 {
		headers = time.AfterFunc(time.Hour, func() {
			if !answered.Load() {
				timedOut.Store(true)
				cancel(ErrHeaderTimeout)
				conn.close()
			}
		})
		headers.Stop() // started once the request is written
	}
	trace := &httptrace.ClientTrace{
		GotConn: func(ci httptrace.GotConnInfo) { conn.set(ci.Conn) },
		WroteRequest: func(httptrace.WroteRequestInfo) {
			if headers != nil && !answered.Load() {
				headers.Reset(w.header)
			}
		},
	}
	resp, err := w.c.Do(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	answered.Store(true)
	if headers != nil {
		headers.Stop()
	}
	if err == nil {
		w.net.keepCookies(resp)
	}
	if err != nil {
		if timedOut.Load() && req.Context().Err() == nil {
			err = fmt.Errorf("%s: %w (waited %v)", req.URL.Redacted(), ErrHeaderTimeout, w.header)
		}
		cancel(nil)
		return nil, err
	}
	if w.stall <= 0 && w.gil == nil {
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	b := &watchedBody{rc: resp.Body, cancel: cancel, stall: w.stall, conn: conn, gil: w.gil}
	if w.stall > 0 {
		b.timer = time.AfterFunc(time.Hour, b.fire)
		b.timer.Stop() // runs only inside Read
	}
	resp.Body = b
	return resp, nil
}

// connHolder keeps the connection a request went over, so that a timeout can
// close it.
type connHolder struct {
	mu sync.Mutex
	c  net.Conn
}

func (h *connHolder) set(c net.Conn) {
	h.mu.Lock()
	h.c = c
	h.mu.Unlock()
}

func (h *connHolder) close() {
	h.mu.Lock()
	c := h.c
	h.mu.Unlock()
	if c != nil {
		c.Close()
	}
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
	gil     sync.Locker // held from a Read's return to the next Read: see Options.GIL
	held    bool
	rc      io.ReadCloser
	cancel  context.CancelCauseFunc
	stall   time.Duration
	timer   *time.Timer
	conn    *connHolder
	stalled atomic.Bool
}

func (b *watchedBody) fire() {
	b.stalled.Store(true)
	b.conn.close()
	b.cancel(ErrStalled)
}

func (b *watchedBody) Read(p []byte) (int, error) {
	if b.held {
		b.gil.Unlock() // waiting for the network lets others run
		b.held = false
	}
	if b.timer != nil {
		b.timer.Reset(b.stall)
	}
	n, err := b.rc.Read(p)
	if b.timer != nil {
		b.timer.Stop()
	}
	if err != nil && err != io.EOF && b.stalled.Load() {
		err = fmt.Errorf("%w after %v", ErrStalled, b.stall)
	}
	if b.gil != nil && (err == nil || n > 0) {
		b.gil.Lock() // what arrived is handled holding it
		b.held = true
	}
	return n, err
}

func (b *watchedBody) Close() error {
	if b.held {
		b.gil.Unlock()
		b.held = false
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// grab sends a HEAD before it resumes a file, to learn whether the server
// takes ranges. Many servers refuse HEAD (presigned S3 and CDN URLs answer
// 403 or 405), and on a distant server it costs a round trip per resume. The
// ranged GET that follows says all the HEAD would, and checkResponse vets it
// (206, Content-Range, validators), so the engine answers grab's HEAD itself
// with what it knows of the file: its size, if known, and that ranges are to
// be tried.
type localHeadKey struct{}

// withLocalHead marks ctx so that the HEAD grab sends under it is answered
// locally for a file of size bytes (-1: unknown).
func withLocalHead(ctx context.Context, size int64) context.Context {
	return context.WithValue(ctx, localHeadKey{}, size)
}

func localHead(req *http.Request) (*http.Response, bool) {
	size, ok := req.Context().Value(localHeadKey{}).(int64)
	if !ok || req.Method != http.MethodHead {
		return nil, false
	}
	h := http.Header{"Accept-Ranges": {"bytes"}}
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: http.NoBody, ContentLength: size, Request: req,
	}, true
}
