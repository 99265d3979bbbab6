// Package demoserver provides an in-process loopback HTTP server that serves
// synthetic, deterministic files and can misbehave on purpose. It ships in
// the binary: the window's "Try demo", `potok serve-demo` and `potok bench`
// serve from it, and the tests use it as their hostile server.
//
// A download manager is mostly error handling: servers that ignore or lie
// about ranges, drop connections mid-body, stall, throttle, redirect, or fail
// a few times before succeeding. Real servers do these things rarely and
// unpredictably, so the engine's tests, the `potok serve-demo` command and the
// benchmarks all use this package to reproduce them on demand, in the style of
// net/http/httptest and grab's pkg/grabtest.
//
// Files need no storage: GET /f/<name>?size=N serves N bytes derived from the
// name (see Fill), so any size and any range can be served and verified
// independently of the server.
//
// The server listens on 127.0.0.1 only, so that a demo never exposes it to
// the network. With WithTLS it serves HTTPS, HTTP/2 offered beside HTTP/1.1,
// under a certificate for the loopback names made when it starts.
package demoserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// maxPiece bounds a single body write so pacing and faults act at a
	// fine enough granularity and memory stays small for huge files.
	maxPiece = 32 << 10

	// redirectedParam marks the last hop of a WithRedirects chain. The
	// final URL has the same path as the first one, so without a marker the
	// server could not tell "start the chain" from "chain done".
	redirectedParam = "redirected"

	// maxListLines keeps a typo in /list.txt?n= from exhausting memory.
	maxListLines = 1 << 20
)

// lastModified is fixed so that validators (If-Range, resume checks) stay
// stable across server restarts, like an unchanged file on a real server.
var lastModified = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)

// An Option shapes how a Server serves files or which faults it injects.
type Option func(*config)

type config struct {
	ttfb        time.Duration
	rate        int64
	ranges      bool
	ignoreRange bool
	defaultSize int64
	status      int
	failFirst   int
	failCode    int
	retryAfter  string
	disposition string
	noLength    bool
	shortBody   int64 // <0: off
	resetAfter  int64 // <0: off
	stallAfter  int64 // <0: off
	faultCount  int   // 0: every request
	redirects   int
	etag        bool
	hook        func(http.ResponseWriter, *http.Request) bool
	faultsOn    func(name string) bool // nil: every file
	tls         bool
	tlsNames    []string
}

func defaultConfig() config {
	return config{
		ranges:      true,
		etag:        true,
		defaultSize: 1 << 20,
		shortBody:   -1,
		resetAfter:  -1,
		stallAfter:  -1,
	}
}

// WithTTFB delays every response by d before its headers are written, to
// model latency (time to first byte). It applies to HEAD as well.
func WithTTFB(d time.Duration) Option { return func(c *config) { c.ttfb = d } }

// WithRate paces each response body to bytesPerSec (0 means unlimited).
// Pacing is measured from the start of the body, so the total duration is
// accurate regardless of write granularity; small rates use small writes so
// that progress stays visible to the client.
func WithRate(bytesPerSec int64) Option { return func(c *config) { c.rate = bytesPerSec } }

// WithRanges turns support for single byte ranges on (the default) or off.
// When off the server sends no Accept-Ranges header and answers every
// request with the full body, like a server that cannot resume.
func WithRanges(on bool) Option { return func(c *config) { c.ranges = on } }

// WithIgnoreRange makes the server advertise Accept-Ranges: bytes yet answer
// range requests with 200 and the full body. Such servers exist, and a
// client that trusts the header instead of the status corrupts files.
func WithIgnoreRange() Option { return func(c *config) { c.ignoreRange = true } }

// WithDefaultSize sets the size of files requested without ?size= (default
// 1 MiB).
func WithDefaultSize(n int64) Option { return func(c *config) { c.defaultSize = n } }

// WithStatus makes every request under /f/ fail with code and a short text
// body, e.g. to test 404, 403 or 500 handling.
func WithStatus(code int) Option { return func(c *config) { c.status = code } }

// WithFailFirst makes the first n requests for each file name (GET and HEAD
// alike) answer code; later requests are served normally. This is how tests
// show that retries eventually succeed.
func WithFailFirst(n int, code int) Option {
	return func(c *config) { c.failFirst, c.failCode = n, code }
}

// WithRetryAfter adds Retry-After: v to the failure responses produced by
// WithFailFirst and WithStatus, so back-off logic can be exercised.
func WithRetryAfter(v string) Option { return func(c *config) { c.retryAfter = v } }

// WithContentDisposition sets the raw Content-Disposition header on file
// responses, verbatim, so that filename parsing and sanitising (e.g.
// `attachment; filename="../../etc/passwd"`) can be tested. A request's
// cd=<value> query parameter overrides it, so one server can offer many.
func WithContentDisposition(value string) Option {
	return func(c *config) { c.disposition = value }
}

// WithoutContentLength sends bodies with chunked transfer encoding, so the
// client cannot know the size in advance.
func WithoutContentLength() Option { return func(c *config) { c.noLength = true } }

// WithShortBody declares the full Content-Length but sends only the first n
// bytes of the requested range, then closes the connection cleanly. The
// client must detect the truncation (io.ErrUnexpectedEOF) rather than accept
// a short file. Over HTTP/2 the stream ends early instead (END_STREAM), which
// the client sees the same way. See WithFaultCount.
func WithShortBody(n int64) Option { return func(c *config) { c.shortBody = n } }

// WithResetAfter resets the TCP connection (RST) after n body bytes, so the
// client sees "connection reset by peer". Over HTTPS the TCP connection is
// reset under TLS, with no close_notify. Over HTTP/2 only the stream is reset
// (RST_STREAM): the connection carries other streams. See WithFaultCount.
func WithResetAfter(n int64) Option { return func(c *config) { c.resetAfter = n } }

// WithStallAfter stops sending after n body bytes and holds the connection
// open until the client goes away or the server is closed, to exercise
// stall detection and read timeouts. See WithFaultCount.
func WithStallAfter(n int64) Option { return func(c *config) { c.stallAfter = n } }

// WithFaultCount limits the body faults (WithShortBody, WithResetAfter,
// WithStallAfter) to the first k responses per file name that they would cut
// short; later responses are complete. Responses whose body is no longer
// than the fault threshold (a tiny probe range, HEAD) are not counted, so a
// probe does not use up the fault meant for the download. Without this
// option (or with k <= 0) every response is faulted.
func WithFaultCount(k int) Option { return func(c *config) { c.faultCount = k } }

// WithFaultsOn limits the failures of WithFailFirst and the body faults
// (WithShortBody, WithResetAfter, WithStallAfter) to the files whose name
// (the part of the path after /f/) match reports true; every other file is
// served normally, so one server can carry a long healthy list with a few
// faulty files mixed in (a soak test). WithStatus and WithRedirects are not
// affected. match is called from many handlers at once.
func WithFaultsOn(match func(name string) bool) Option {
	return func(c *config) { c.faultsOn = match }
}

// WithRedirects answers a file request with a chain of n 302 redirects
// through /r/<k>/<name> before reaching the real file URL. The query is
// preserved, with redirected=1 added to the last hop so that it is served.
func WithRedirects(n int) Option { return func(c *config) { c.redirects = n } }

// WithETag turns the ETag and Last-Modified validators on (the default) or
// off, for testing resume logic that depends on them.
func WithETag(on bool) Option { return func(c *config) { c.etag = on } }

// WithHandlerHook installs a hook called first for every request (after it
// is recorded). If the hook returns true it has handled the request. This is
// the escape hatch for behaviour the options do not cover.
func WithHandlerHook(h func(w http.ResponseWriter, r *http.Request) bool) Option {
	return func(c *config) { c.hook = h }
}

// WithTLS serves HTTPS instead of HTTP, with HTTP/2 offered beside HTTP/1.1
// (ALPN h2 and http/1.1: the client picks), as net/http/httptest's StartTLS
// does with EnableHTTP2. The certificate is made when the server starts:
// self-signed, for 127.0.0.1, ::1 and localhost, valid for a day. Clients
// trust it through CertPool or Certificate; URL starts with https://. Names
// given are covered too: a test that reaches the server by a name of its
// own (through a proxy, say) passes them.
func WithTLS(names ...string) Option {
	return func(c *config) { c.tls, c.tlsNames = true, append(c.tlsNames, names...) }
}

// RequestRecord describes a request as the server received it.
type RequestRecord struct {
	Method     string
	Path       string // unescaped URL path
	RawQuery   string
	Range      string // Range header, "" if absent
	RemoteAddr string // tells connections apart, e.g. to check reuse
	Proto      string // "HTTP/1.1", "HTTP/2.0"
	Header     http.Header
}

// Server is a running test server. Its zero value is not usable; create one
// with NewServer and Close it when done.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41235 (https:// with
	// WithTLS), without a trailing slash.
	URL string

	cfg       config
	cert      *x509.Certificate // nil without WithTLS
	ts        *httptest.Server
	closed    chan struct{}
	closeOnce sync.Once
	bytesSent atomic.Int64

	mu        sync.Mutex
	requests  []RequestRecord
	perName   map[string]int // requests seen per /f/ name
	failSeen  map[string]int // requests that reached the fail-first check
	faultSeen map[string]int // responses cut short by a body fault
	inflight  int
	peak      int
}

// NewServer starts a server on a random loopback port and returns it.
// It panics if it cannot listen, as httptest.NewServer does: tests have no
// sensible way to recover.
func NewServer(opts ...Option) *Server {
	s, err := Listen("127.0.0.1:0", opts...)
	if err != nil {
		panic(fmt.Sprintf("demoserver: %v", err))
	}
	return s
}

// NewTLSServer is NewServer with WithTLS: an HTTPS server offering HTTP/2,
// whose certificate CertPool returns.
func NewTLSServer(opts ...Option) *Server {
	return NewServer(append(opts[:len(opts):len(opts)], WithTLS())...)
}

// Listen is NewServer on a chosen address, which must be a loopback one
// (127.0.0.0/8, ::1 or localhost): the demo server must never be reachable
// from the network. Port 0 picks a free port.
func Listen(addr string, opts ...Option) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w; write it as 127.0.0.1:PORT", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q is not a loopback address; use 127.0.0.1:PORT", addr)
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:       cfg,
		closed:    make(chan struct{}),
		perName:   make(map[string]int),
		failSeen:  make(map[string]int),
		faultSeen: make(map[string]int),
	}
	var cert tls.Certificate
	if cfg.tls {
		if cert, err = loopbackCertificate(time.Now(), s.cfg.tlsNames); err != nil {
			return nil, fmt.Errorf("make the TLS certificate: %w", err)
		}
		s.cert = cert.Leaf
	}
	// Our own listener rather than httptest's: httptest honours the
	// -httptest.serve flag, which could bind a non-loopback address.
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.ts = &httptest.Server{
		Listener: l,
		Config: &http.Server{
			Handler: http.HandlerFunc(s.serveHTTP),
			// Faults make net/http log aborted connections; that is
			// expected here and would only clutter test and demo output.
			ErrorLog: log.New(io.Discard, "", 0),
		},
	}
	if cfg.tls {
		// httptest offers only "h2" when EnableHTTP2 is set; a client
		// that speaks HTTP/1.1 alone must be served too.
		s.ts.EnableHTTP2 = true
		s.ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL
	return s, nil
}

// loopbackCertificate makes a self-signed certificate (its own CA, as
// httptest's is) for the loopback names, with a fresh P-256 key.
func loopbackCertificate(now time.Time, names []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"potok demoserver"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour), // a clock a little behind still accepts it
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              append([]string{"localhost"}, names...),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Certificate returns the server's certificate with WithTLS, nil without.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// CertPool returns a new pool holding the server's certificate, for a
// client's tls.Config.RootCAs; nil without WithTLS.
func (s *Server) CertPool() *x509.CertPool {
	if s.cert == nil {
		return nil
	}
	p := x509.NewCertPool()
	p.AddCert(s.cert)
	return p
}

// Close shuts the server down. It returns promptly even while handlers are
// paced, stalled or waiting for TTFB: those wait on a channel closed here
// first, and connections are force-closed so blocked writes fail too.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	done := make(chan struct{})
	go func() {
		s.ts.Close()
		close(done)
	}()
	// httptest's Close waits for active connections; a handler blocked
	// writing to a client that stopped reading never sees s.closed, so keep
	// killing connections (including ones accepted meanwhile) until it ends.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		s.ts.CloseClientConnections()
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

// FileURL returns the URL of the synthetic file name of the given size.
func (s *Server) FileURL(name string, size int64) string {
	return s.URL + "/f/" + url.PathEscape(name) + "?size=" + strconv.FormatInt(size, 10)
}

// List returns the URLs of n files file1.bin … file<n>.bin of the given
// size, the same lines /list.txt serves.
func (s *Server) List(n int, size int64) []string {
	urls := make([]string, 0, max(n, 0))
	for i := 1; i <= n; i++ {
		urls = append(urls, s.FileURL("file"+strconv.Itoa(i)+".bin", size))
	}
	return urls
}

// Requests returns every request seen so far, in arrival order.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RequestRecord, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone() // callers must not alter the log
		out[i] = r
	}
	return out
}

// RequestCount returns how many requests were made for /f/<name>, including
// ones answered with a redirect or an error.
func (s *Server) RequestCount(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perName[name]
}

// Inflight returns the number of requests being handled right now.
func (s *Server) Inflight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight
}

// PeakInflight returns the highest number of concurrently handled requests
// since the server started or ResetPeak was called; it shows whether a
// client respects its connection limits.
func (s *Server) PeakInflight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// ResetPeak restarts peak tracking from the current number of in-flight
// requests, so a test can measure one phase on its own.
func (s *Server) ResetPeak() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peak = s.inflight
}

// BytesSent returns the total number of body bytes written to clients.
func (s *Server) BytesSent() int64 { return s.bytesSent.Load() }

func (s *Server) begin(r *http.Request) {
	rec := RequestRecord{
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Range:      r.Header.Get("Range"),
		RemoteAddr: r.RemoteAddr,
		Proto:      r.Proto,
		Header:     r.Header.Clone(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	if name, ok := strings.CutPrefix(r.URL.Path, "/f/"); ok {
		s.perName[name]++
	}
	s.inflight++
	s.peak = max(s.peak, s.inflight)
}

func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.begin(r)
	defer s.end()
	if s.cfg.hook != nil && s.cfg.hook(w, r) {
		return
	}
	s.wait(r.Context(), s.cfg.ttfb)

	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/f/"):
		s.serveFile(w, r, strings.TrimPrefix(p, "/f/"))
	case strings.HasPrefix(p, "/r/"):
		s.serveHop(w, r, strings.TrimPrefix(p, "/r/"))
	case p == "/redirect":
		to := r.URL.Query().Get("to")
		if to == "" {
			s.text(w, r, http.StatusBadRequest, "missing ?to=")
			return
		}
		w.Header().Set("Location", to)
		s.text(w, r, http.StatusFound, http.StatusText(http.StatusFound))
	case p == "/list.txt":
		s.serveList(w, r)
	default:
		s.text(w, r, http.StatusNotFound, http.StatusText(http.StatusNotFound))
	}
}

// abort drops the connection without completing the response. Returning
// normally instead could let net/http send a well-formed (empty) reply that
// a client would take for success.
func abort() { panic(http.ErrAbortHandler) }

// wait sleeps for d unless the client leaves or the server closes, in which
// case the handler is aborted: nothing sensible can be sent any more.
func (s *Server) wait(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		abort()
	case <-s.closed:
		abort()
	}
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.text(w, r, http.StatusMethodNotAllowed, http.StatusText(http.StatusMethodNotAllowed))
		return
	}
	q := r.URL.Query()
	size := s.cfg.defaultSize
	if q.Has("size") {
		n, err := strconv.ParseInt(q.Get("size"), 10, 64)
		if err != nil || n < 0 {
			s.text(w, r, http.StatusBadRequest, "bad size")
			return
		}
		size = n
	}
	if s.cfg.redirects > 0 && !q.Has(redirectedParam) {
		s.redirectHop(w, r, name, 1)
		return
	}
	if s.cfg.status != 0 {
		s.fail(w, r, s.cfg.status)
		return
	}
	if s.cfg.failFirst > 0 && s.faultsOn(name) {
		s.mu.Lock()
		s.failSeen[name]++
		n := s.failSeen[name]
		s.mu.Unlock()
		if n <= s.cfg.failFirst {
			s.fail(w, r, s.cfg.failCode)
			return
		}
	}

	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	tag := etag(name, size)
	if s.cfg.etag {
		h.Set("ETag", tag)
		h.Set("Last-Modified", lastModified)
	}
	cd := s.cfg.disposition
	if q.Has("cd") {
		cd = q.Get("cd")
	}
	if cd != "" {
		h.Set("Content-Disposition", cd)
	}
	if s.cfg.ranges || s.cfg.ignoreRange {
		h.Set("Accept-Ranges", "bytes")
	}

	start, length, status := int64(0), size, http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" && s.cfg.ranges && !s.cfg.ignoreRange && s.ifRangeOK(r, tag) {
		a, b, ok, satisfiable := parseRange(rh, size)
		switch {
		case ok && !satisfiable:
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
			s.text(w, r, http.StatusRequestedRangeNotSatisfiable,
				http.StatusText(http.StatusRequestedRangeNotSatisfiable))
			return
		case ok:
			start, length, status = a, b-a+1, http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, size))
		}
	}
	if !s.cfg.noLength {
		h.Set("Content-Length", strconv.FormatInt(length, 10))
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if s.cfg.noLength || s.cfg.rate > 0 {
		// Flushing before any body byte commits to chunked encoding;
		// otherwise net/http would add a Content-Length to small bodies.
		// When pacing, it also keeps the first piece's delay from
		// adding to the time to first byte.
		if err := http.NewResponseController(w).Flush(); err != nil {
			return
		}
	}
	if length == 0 {
		return
	}
	at, kind := s.bodyFault(name, length)
	s.sendBody(w, r, name, start, at)
	if kind != faultNone {
		s.injectFault(w, r, kind)
	}
}

// ifRangeOK reports whether a Range request may be honoured: If-Range asks
// for the full body whenever the validator does not match the current file.
func (s *Server) ifRangeOK(r *http.Request, tag string) bool {
	ir := r.Header.Get("If-Range")
	if ir == "" {
		return true
	}
	return s.cfg.etag && (ir == tag || ir == lastModified)
}

// etag is derived from name and size because those fully determine the
// content; a different size is a different file.
func etag(name string, size int64) string {
	f := fnv.New64a()
	fmt.Fprintf(f, "%s\x00%d", name, size)
	return fmt.Sprintf("\"%016x\"", f.Sum64())
}

// parseRange parses a single-range Range header. ok is false for anything
// the server should ignore (other units, multiple ranges, malformed), in
// which case the full body is sent, as RFC 9110 allows. satisfiable is false
// when the range lies outside the file (416).
func parseRange(spec string, size int64) (start, end int64, ok, satisfiable bool) {
	const unit = "bytes="
	if len(spec) < len(unit) || !strings.EqualFold(spec[:len(unit)], unit) {
		return 0, 0, false, false
	}
	spec = strings.TrimSpace(spec[len(unit):])
	if strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" { // suffix: the last n bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, false
		}
		return max(0, size-n), size - 1, true, true
	}
	a, err := strconv.ParseInt(first, 10, 64)
	if err != nil || a < 0 {
		return 0, 0, false, false
	}
	b := size - 1
	if last != "" {
		b, err = strconv.ParseInt(last, 10, 64)
		if err != nil || b < a {
			return 0, 0, false, false
		}
		b = min(b, size-1)
	}
	if a >= size {
		return 0, 0, true, false
	}
	return a, b, true, true
}

type faultKind int

const (
	faultNone faultKind = iota
	faultShort
	faultReset
	faultStall
)

// bodyFault decides how many of length body bytes to send and what to do
// afterwards. The earliest configured fault wins.
func (s *Server) bodyFault(name string, length int64) (int64, faultKind) {
	at, kind := length, faultNone
	for _, f := range []struct {
		n    int64
		kind faultKind
	}{{s.cfg.shortBody, faultShort}, {s.cfg.resetAfter, faultReset}, {s.cfg.stallAfter, faultStall}} {
		if f.n >= 0 && f.n < at {
			at, kind = f.n, f.kind
		}
	}
	if kind != faultNone && !s.faultsOn(name) {
		return length, faultNone
	}
	if kind == faultNone || s.cfg.faultCount <= 0 {
		return at, kind
	}
	s.mu.Lock()
	s.faultSeen[name]++
	n := s.faultSeen[name]
	s.mu.Unlock()
	if n > s.cfg.faultCount {
		return length, faultNone
	}
	return at, kind
}

// faultsOn reports whether the configured faults apply to the file name.
func (s *Server) faultsOn(name string) bool {
	return s.cfg.faultsOn == nil || s.cfg.faultsOn(name)
}

// sendBody writes n bytes of the file starting at off, paced if a rate is
// set.
func (s *Server) sendBody(w http.ResponseWriter, r *http.Request, name string, off, n int64) {
	rc := http.NewResponseController(w)
	rate := s.cfg.rate
	piece := int64(maxPiece)
	if rate > 0 {
		piece = max(1, min(piece, rate/20))
	}
	buf := make([]byte, min(piece, n))
	began := time.Now()
	for sent := int64(0); sent < n; {
		k := min(piece, n-sent)
		if rate > 0 {
			// Due time of the piece's last byte, from the body start:
			// rounding errors and scheduling delays do not accumulate,
			// and the body ends at exactly n/rate.
			due := began.Add(time.Duration(float64(sent+k) / float64(rate) * float64(time.Second)))
			s.wait(r.Context(), time.Until(due))
		}
		Fill(name, off+sent, buf[:k])
		// Counted before the write, so that a client holding the last
		// byte never reads a count that lacks it; taken back if unsent.
		s.bytesSent.Add(k)
		m, err := w.Write(buf[:k])
		s.bytesSent.Add(int64(m) - k)
		sent += int64(m)
		if err != nil {
			return
		}
		if rate > 0 {
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, kind faultKind) {
	rc := http.NewResponseController(w)
	// The client must receive everything sent so far before the fault,
	// otherwise the fault would strike at an unpredictable offset.
	if err := rc.Flush(); err != nil {
		abort()
	}
	switch kind {
	case faultStall:
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		abort()
	case faultShort, faultReset:
		if r.ProtoMajor >= 2 {
			// One stream of a shared connection: a short body ends the
			// stream early (END_STREAM, the handler returns), a reset
			// resets it (RST_STREAM, the abort).
			if kind == faultReset {
				abort()
			}
			return
		}
		conn, _, err := rc.Hijack()
		if err != nil {
			abort()
		}
		if kind == faultReset {
			// Under TLS the TCP connection itself is reset, with no
			// close_notify first. Linger 0 makes Close send RST, not FIN.
			if tc, ok := conn.(*tls.Conn); ok {
				conn = tc.NetConn()
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
		}
		conn.Close()
	}
}

// fail answers with an error status, as configured by WithStatus or
// WithFailFirst.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int) {
	if s.cfg.retryAfter != "" {
		w.Header().Set("Retry-After", s.cfg.retryAfter)
	}
	s.text(w, r, code, http.StatusText(code))
}

// redirectHop sends hop number hop (1-based) of a WithRedirects chain.
func (s *Server) redirectHop(w http.ResponseWriter, r *http.Request, name string, hop int) {
	var loc, query string
	if hop < s.cfg.redirects {
		loc = "/r/" + strconv.Itoa(hop) + "/" + url.PathEscape(name)
		query = r.URL.RawQuery
	} else {
		loc = "/f/" + url.PathEscape(name)
		query = r.URL.RawQuery
		if query != "" {
			query += "&"
		}
		query += redirectedParam + "=1"
	}
	if query != "" {
		loc += "?" + query
	}
	// Absolute, with the scheme and host the client used, so that even
	// clients that mishandle relative Locations follow the chain.
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	w.Header().Set("Location", scheme+r.Host+loc)
	s.text(w, r, http.StatusFound, http.StatusText(http.StatusFound))
}

// serveHop handles /r/<k>/<name>, the intermediate hops of a redirect chain.
func (s *Server) serveHop(w http.ResponseWriter, r *http.Request, rest string) {
	ks, name, found := strings.Cut(rest, "/")
	k, err := strconv.Atoi(ks)
	if !found || err != nil || k < 1 {
		s.text(w, r, http.StatusNotFound, http.StatusText(http.StatusNotFound))
		return
	}
	s.redirectHop(w, r, name, k+1)
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, size := 10, s.cfg.defaultSize
	var err error
	if q.Has("n") {
		if n, err = strconv.Atoi(q.Get("n")); err != nil || n < 0 || n > maxListLines {
			s.text(w, r, http.StatusBadRequest, "bad n")
			return
		}
	}
	if q.Has("size") {
		if size, err = strconv.ParseInt(q.Get("size"), 10, 64); err != nil || size < 0 {
			s.text(w, r, http.StatusBadRequest, "bad size")
			return
		}
	}
	var b strings.Builder
	for _, u := range s.List(n, size) {
		b.WriteString(u)
		b.WriteByte('\n')
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	s.writeAll(w, r, http.StatusOK, b.String())
}

// text writes a short plain-text response, counted in BytesSent like file
// bodies.
func (s *Server) text(w http.ResponseWriter, r *http.Request, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	s.writeAll(w, r, code, msg+"\n")
}

func (s *Server) writeAll(w http.ResponseWriter, r *http.Request, code int, body string) {
	if !bodyAllowed(code) {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return
	}
	s.bytesSent.Add(int64(len(body)))
	n, _ := io.WriteString(w, body)
	s.bytesSent.Add(int64(n - len(body)))
}

// bodyAllowed mirrors net/http's rule, so that WithStatus(204) or 304 do not
// produce write errors.
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}
