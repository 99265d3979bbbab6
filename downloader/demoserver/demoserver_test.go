package demoserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// newClient returns a client with its own transport so tests do not share
// pooled connections (and their faults) with each other.
func newClient(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, c *http.Client, method, u, rng string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFill(t *testing.T) {
	// Reference values from the contract formula, computed by hand:
	// hash("ab") = 97*131 + 98 = 12805; byte i = low byte of i*31 + 12805.
	got := Content("ab", 3)
	want := []byte{12805 & 0xff, (12805 + 31) & 0xff, (12805 + 62) & 0xff}
	if !bytes.Equal(got, want) {
		t.Fatalf("Content(ab) = %v, want %v", got, want)
	}
	// The fast Fill must agree with the contract formula everywhere,
	// including offsets where i*31 overflows int64.
	for _, tt := range []struct {
		name string
		off  int64
		n    int
	}{{"", 0, 1000}, {"x", 255, 3000}, {"ünï", 1 << 40, 513}, {"big", 1<<62 + 7, 700}, {"y", 3, 0}} {
		got := make([]byte, tt.n)
		Fill(tt.name, tt.off, got)
		h := int64(0)
		for _, c := range tt.name {
			h = h*131 + int64(c)
		}
		for i := range got {
			if want := byte((tt.off+int64(i))*31 + h); got[i] != want {
				t.Fatalf("Fill(%q, %d)[%d] = %d, want %d", tt.name, tt.off, i, got[i], want)
			}
		}
	}
	// Any window must match the same bytes of the whole file.
	full := Content("some name", 100_000)
	part := make([]byte, 777)
	Fill("some name", 54_321, part)
	if !bytes.Equal(part, full[54_321:54_321+777]) {
		t.Fatal("Fill at offset differs from Content")
	}
	sum := sha256.Sum256(full)
	if got, want := SHA256("some name", 100_000), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("SHA256 = %s, want %s", got, want)
	}
}

func TestServeFile(t *testing.T) {
	const size = 1000
	content := Content("f.bin", size)
	tests := []struct {
		name       string
		opts       []Option
		method     string
		url        func(s *Server) string // default: FileURL("f.bin", size)
		rng        string
		wantStatus int
		wantBody   []byte // nil: no body check
		wantLength int64  // resp.ContentLength; 0: not checked
		wantHeader map[string]string
		noHeader   []string
	}{
		{
			name:       "full body",
			wantStatus: 200,
			wantBody:   content,
			wantLength: size,
			wantHeader: map[string]string{"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"},
		},
		{
			name:       "closed range",
			rng:        "bytes=100-199",
			wantStatus: 206,
			wantBody:   content[100:200],
			wantLength: 100,
			wantHeader: map[string]string{"Content-Range": "bytes 100-199/1000", "Accept-Ranges": "bytes"},
		},
		{
			name:       "open range",
			rng:        "bytes=900-",
			wantStatus: 206,
			wantBody:   content[900:],
			wantHeader: map[string]string{"Content-Range": "bytes 900-999/1000"},
		},
		{
			name:       "suffix range",
			rng:        "bytes=-100",
			wantStatus: 206,
			wantBody:   content[900:],
			wantHeader: map[string]string{"Content-Range": "bytes 900-999/1000"},
		},
		{
			name:       "end clamped to size",
			rng:        "bytes=990-5000",
			wantStatus: 206,
			wantBody:   content[990:],
			wantHeader: map[string]string{"Content-Range": "bytes 990-999/1000"},
		},
		{
			name:       "unsatisfiable range",
			rng:        "bytes=1000-",
			wantStatus: 416,
			wantHeader: map[string]string{"Content-Range": "bytes */1000"},
		},
		{
			name:       "multiple ranges ignored",
			rng:        "bytes=0-1,5-6",
			wantStatus: 200,
			wantBody:   content,
		},
		{
			name:       "ranges off",
			opts:       []Option{WithRanges(false)},
			rng:        "bytes=100-199",
			wantStatus: 200,
			wantBody:   content,
			noHeader:   []string{"Accept-Ranges", "Content-Range"},
		},
		{
			name:       "lying server ignores range",
			opts:       []Option{WithIgnoreRange()},
			rng:        "bytes=100-199",
			wantStatus: 200,
			wantBody:   content,
			wantHeader: map[string]string{"Accept-Ranges": "bytes"},
			noHeader:   []string{"Content-Range"},
		},
		{
			name:       "content disposition verbatim",
			opts:       []Option{WithContentDisposition(`attachment; filename="../../etc/passwd"`)},
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": `attachment; filename="../../etc/passwd"`},
		},
		{
			name: "content disposition per request",
			opts: []Option{WithContentDisposition("inline")},
			url: func(s *Server) string {
				return s.FileURL("f.bin", size) + "&cd=" + url.QueryEscape(`attachment; filename*=UTF-8''na%C3%AFve.txt`)
			},
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": `attachment; filename*=UTF-8''na%C3%AFve.txt`},
		},
		{
			name:       "without content length",
			opts:       []Option{WithoutContentLength()},
			wantStatus: 200,
			wantBody:   content,
			wantLength: -1,
		},
		{
			name:       "without content length, small range",
			opts:       []Option{WithoutContentLength()},
			rng:        "bytes=0-9",
			wantStatus: 206,
			wantBody:   content[:10],
			wantLength: -1,
		},
		{
			name:       "forced status",
			opts:       []Option{WithStatus(http.StatusForbidden), WithRetryAfter("7")},
			wantStatus: 403,
			wantHeader: map[string]string{"Retry-After": "7"},
		},
		{
			name:       "bad size",
			url:        func(s *Server) string { return s.URL + "/f/f.bin?size=-1" },
			wantStatus: 400,
		},
		{
			name:       "default size",
			opts:       []Option{WithDefaultSize(size)},
			url:        func(s *Server) string { return s.URL + "/f/f.bin" },
			wantStatus: 200,
			wantBody:   content,
		},
		{
			name:       "escaped name",
			url:        func(s *Server) string { return s.FileURL("dir/my file ü?.bin", 50) },
			wantStatus: 200,
			wantBody:   Content("dir/my file ü?.bin", 50),
		},
		{
			name:       "head",
			method:     http.MethodHead,
			rng:        "bytes=10-19",
			wantStatus: 206,
			wantBody:   []byte{},
			wantLength: 10,
			wantHeader: map[string]string{"Content-Range": "bytes 10-19/1000", "Accept-Ranges": "bytes"},
		},
		{
			name:       "validators off",
			opts:       []Option{WithETag(false)},
			wantStatus: 200,
			noHeader:   []string{"ETag", "Last-Modified"},
		},
		{
			name:       "unknown path",
			url:        func(s *Server) string { return s.URL + "/nope" },
			wantStatus: 404,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, tt.opts...)
			u := s.FileURL("f.bin", size)
			if tt.url != nil {
				u = tt.url(s)
			}
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			resp, body, err := get(t, newClient(t), method, u, tt.rng)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantBody != nil && !bytes.Equal(body, tt.wantBody) {
				t.Errorf("body differs: got %d bytes, want %d", len(body), len(tt.wantBody))
			}
			if tt.wantLength != 0 && resp.ContentLength != tt.wantLength {
				t.Errorf("ContentLength = %d, want %d", resp.ContentLength, tt.wantLength)
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tt.noHeader {
				if v, ok := resp.Header[http.CanonicalHeaderKey(k)]; ok {
					t.Errorf("header %s = %q, want absent", k, v)
				}
			}
		})
	}
}

func TestIfRange(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t)
	u := s.FileURL("v.bin", 100)
	resp, _, err := get(t, c, http.MethodHead, u, "")
	if err != nil {
		t.Fatal(err)
	}
	tag := resp.Header.Get("ETag")
	for _, tt := range []struct {
		ifRange string
		want    int
	}{{tag, 206}, {`"stale"`, 200}, {"Mon, 01 Jan 2024 00:00:00 GMT", 206}} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Range", "bytes=50-")
		req.Header.Set("If-Range", tt.ifRange)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("If-Range %s: status %d, want %d", tt.ifRange, resp.StatusCode, tt.want)
		}
	}
}

func TestFailFirst(t *testing.T) {
	t.Parallel()
	s := newServer(t, WithFailFirst(2, http.StatusServiceUnavailable), WithRetryAfter("1"))
	c := newClient(t)
	for i, want := range []int{503, 503, 200, 200} {
		resp, body, err := get(t, c, http.MethodGet, s.FileURL("a", 10), "")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("request %d: status %d, want %d", i, resp.StatusCode, want)
		}
		if ra := resp.Header.Get("Retry-After"); (want == 503) != (ra == "1") {
			t.Errorf("request %d: Retry-After = %q", i, ra)
		}
		if want == 200 && !bytes.Equal(body, Content("a", 10)) {
			t.Errorf("request %d: wrong body", i)
		}
	}
	// Counting is per name: another file starts failing afresh.
	resp, _, err := get(t, c, http.MethodGet, s.FileURL("b", 10), "")
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("other name: %v %v, want 503", resp, err)
	}
	if got := s.RequestCount("a"); got != 4 {
		t.Errorf("RequestCount(a) = %d, want 4", got)
	}
}

func TestBodyFaults(t *testing.T) {
	const size = 256 << 10
	tests := []struct {
		name  string
		opt   Option
		check func(t *testing.T, n int, err error)
	}{
		{"short body", WithShortBody(1000), func(t *testing.T, n int, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want io.ErrUnexpectedEOF", err)
			}
			if n != 1000 {
				t.Errorf("got %d bytes before EOF, want 1000", n)
			}
		}},
		{"reset", WithResetAfter(1000), func(t *testing.T, n int, err error) {
			if err == nil || errors.Is(err, io.EOF) {
				t.Errorf("err = %v, want a reset", err)
			}
			if n > 1000 {
				t.Errorf("got %d bytes, want at most 1000", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, tt.opt, WithFaultCount(1))
			c := newClient(t)
			resp, body, err := get(t, c, http.MethodGet, s.FileURL("x", size), "")
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.ContentLength != size {
				t.Errorf("ContentLength = %d, want full size declared", resp.ContentLength)
			}
			tt.check(t, len(body), err)
			if !bytes.Equal(body, Content("x", size)[:len(body)]) {
				t.Error("partial body has wrong bytes")
			}
			// The fault budget is spent: a retry succeeds.
			_, body, err = get(t, c, http.MethodGet, s.FileURL("x", size), "")
			if err != nil || !bytes.Equal(body, Content("x", size)) {
				t.Fatalf("retry: err %v, %d bytes", err, len(body))
			}
		})
	}
}

func TestShortBodyOnRange(t *testing.T) {
	t.Parallel()
	s := newServer(t, WithShortBody(10))
	resp, body, err := get(t, newClient(t), http.MethodGet, s.FileURL("x", 1000), "bytes=500-599")
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if resp.StatusCode != 206 || !bytes.Equal(body, Content("x", 1000)[500:510]) {
		t.Fatalf("status %d, body %v", resp.StatusCode, body)
	}
}

func TestStall(t *testing.T) {
	t.Parallel()
	s := NewServer(WithStallAfter(100))
	defer s.Close()

	// A client deadline ends the stalled read.
	c := newClient(t)
	c.Timeout = 200 * time.Millisecond
	_, body, err := get(t, c, http.MethodGet, s.FileURL("s", 1000), "")
	if err == nil {
		t.Fatal("stalled read succeeded")
	}
	if len(body) != 100 {
		t.Errorf("got %d bytes before stall, want 100", len(body))
	}

	// Close must not wait for a client that keeps a stalled connection.
	resp, err := newClient(t).Get(s.FileURL("s", 1000))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadFull(resp.Body, make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with a stalled connection", d)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("body completed after Close")
	}
	if n := s.Inflight(); n != 0 {
		t.Errorf("Inflight after Close = %d", n)
	}
}

func TestCloseDuringTTFBAndPacing(t *testing.T) {
	t.Parallel()
	for _, opt := range []Option{WithTTFB(time.Hour), WithRate(1)} {
		arrived := make(chan struct{}, 1)
		// The hook tells us the handler is running, so Close really
		// interrupts a sleeping handler rather than racing its start.
		s := NewServer(opt, WithHandlerHook(func(http.ResponseWriter, *http.Request) bool {
			arrived <- struct{}{}
			return false
		}))
		done := make(chan error, 1)
		go func() {
			_, _, err := get(t, newClient(t), http.MethodGet, s.FileURL("z", 1000), "")
			done <- err
		}()
		<-arrived
		start := time.Now()
		s.Close()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Close took %v", d)
		}
		if err := <-done; err == nil {
			t.Error("request succeeded although the server closed mid-response")
		}
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	const hops = 3
	s := newServer(t, WithRedirects(hops))
	resp, body, err := get(t, newClient(t), http.MethodGet, s.FileURL("r.bin", 500)+"&cd=x", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !bytes.Equal(body, Content("r.bin", 500)) {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
	}
	reqs := s.Requests()
	if len(reqs) != hops+1 {
		t.Fatalf("saw %d requests, want %d", len(reqs), hops+1)
	}
	for i, r := range reqs[1:hops] {
		if !strings.HasPrefix(r.Path, "/r/") {
			t.Errorf("hop %d path = %q, want /r/...", i+2, r.Path)
		}
	}
	last := reqs[hops]
	if last.Path != "/f/r.bin" || !strings.Contains(last.RawQuery, "size=500") || !strings.Contains(last.RawQuery, "cd=x") {
		t.Errorf("final request %s?%s lost the query", last.Path, last.RawQuery)
	}
	if got := s.RequestCount("r.bin"); got != 2 {
		t.Errorf("RequestCount = %d, want 2 (first and final)", got)
	}
}

func TestRedirectRoute(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	target := "ftp://example.invalid/file"
	resp, _, err := get(t, c, http.MethodGet, s.URL+"/redirect?to="+url.QueryEscape(target), "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != target {
		t.Fatalf("got %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	s := newServer(t, WithRate(256<<10))
	start := time.Now()
	_, body, err := get(t, newClient(t), http.MethodGet, s.FileURL("slow", 64<<10), "")
	d := time.Since(start)
	if err != nil || len(body) != 64<<10 {
		t.Fatalf("err %v, %d bytes", err, len(body))
	}
	if d < 200*time.Millisecond || d > 600*time.Millisecond {
		t.Errorf("64 KiB at 256 KiB/s took %v, want about 250ms", d)
	}
	if got := s.BytesSent(); got != 64<<10 {
		t.Errorf("BytesSent = %d, want %d", got, 64<<10)
	}
}

func TestTTFB(t *testing.T) {
	t.Parallel()
	const ttfb = 150 * time.Millisecond
	s := newServer(t, WithTTFB(ttfb))
	c := newClient(t)
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		req, _ := http.NewRequest(method, s.FileURL("t", 10), nil)
		start := time.Now()
		resp, err := c.Do(req)
		d := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if d < ttfb {
			t.Errorf("%s: headers after %v, want at least %v", method, d, ttfb)
		}
	}
}

func TestPeakInflight(t *testing.T) {
	t.Parallel()
	s := NewServer(WithTTFB(200 * time.Millisecond))
	c := newClient(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			_, _, err := get(t, c, http.MethodGet, s.FileURL("p"+string(rune('0'+i)), 10), "")
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := s.PeakInflight(); got != 4 {
		t.Errorf("PeakInflight = %d, want 4", got)
	}
	s.Close()
	if got := s.Inflight(); got != 0 {
		t.Errorf("Inflight after Close = %d", got)
	}
	s.ResetPeak()
	if got := s.PeakInflight(); got != 0 {
		t.Errorf("PeakInflight after ResetPeak = %d", got)
	}
}

func TestListAndHook(t *testing.T) {
	t.Parallel()
	s := newServer(t, WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/teapot" {
			return false
		}
		w.WriteHeader(http.StatusTeapot)
		return true
	}))
	c := newClient(t)
	resp, body, err := get(t, c, http.MethodGet, s.URL+"/list.txt?n=3&size=42", "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("list: %v %v", resp, err)
	}
	want := strings.Join(s.List(3, 42), "\n") + "\n"
	if string(body) != want {
		t.Errorf("list.txt = %q, want %q", body, want)
	}
	if !strings.HasSuffix(s.List(3, 42)[2], "/f/file3.bin?size=42") {
		t.Errorf("List = %q", s.List(3, 42))
	}
	resp, _, err = get(t, c, http.MethodGet, s.URL+"/teapot", "")
	if err != nil || resp.StatusCode != http.StatusTeapot {
		t.Fatalf("hook: %v %v", resp, err)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[1].Path != "/teapot" || reqs[1].Method != http.MethodGet {
		t.Errorf("Requests = %+v", reqs)
	}
}

func TestRequestRecord(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.FileURL("rec", 100), nil)
	req.Header.Set("Range", "bytes=0-9")
	req.Header.Set("X-Test", "yes")
	resp, err := newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r := s.Requests()[0]
	if r.Method != "GET" || r.Path != "/f/rec" || r.RawQuery != "size=100" || r.Range != "bytes=0-9" ||
		r.Header.Get("X-Test") != "yes" || r.RemoteAddr == "" || r.Proto != "HTTP/1.1" {
		t.Errorf("record = %+v", r)
	}
	r.Header.Set("X-Test", "changed")
	if s.Requests()[0].Header.Get("X-Test") != "yes" {
		t.Error("Requests exposes the server's own header map")
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.0.0.1:0", "example.com:80", "nonsense"} {
		if s, err := Listen(addr); err == nil {
			s.Close()
			t.Errorf("Listen(%q) accepted", addr)
		}
	}
	s, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// tlsClient returns a client that trusts s's certificate and speaks HTTP/2
// (h2) or HTTP/1.1 only, with a transport of its own.
func tlsClient(t *testing.T, s *Server, h2 bool) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}, ForceAttemptHTTP2: h2}
	if !h2 {
		var p http.Protocols
		p.SetHTTP1(true)
		tr.Protocols = &p
		// Go sends no ALPN at all for HTTP/1.1 alone; asking for it shows
		// the server offers it beside h2.
		tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

var tlsProtocols = []struct {
	name  string
	h2    bool
	proto string // what the server answers with
	alpn  string
}{
	{"h2", true, "HTTP/2.0", "h2"},
	{"http1.1", false, "HTTP/1.1", "http/1.1"},
}

func TestTLSServesBothProtocols(t *testing.T) {
	const size = 100_000
	for _, p := range tlsProtocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, WithTLS(), WithRedirects(2))
			if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
				t.Fatalf("URL = %q, want https://127.0.0.1:PORT", s.URL)
			}
			c := tlsClient(t, s, p.h2)
			resp, body, err := get(t, c, http.MethodGet, s.FileURL("tls.bin", size), "")
			if err != nil {
				t.Fatal(err)
			}
			if resp.Proto != p.proto || resp.TLS == nil || resp.TLS.NegotiatedProtocol != p.alpn {
				t.Fatalf("answered over %s, ALPN %+v; want %s, ALPN %q", resp.Proto, resp.TLS, p.proto, p.alpn)
			}
			if !bytes.Equal(body, Content("tls.bin", size)) {
				t.Fatalf("body differs: %d bytes", len(body))
			}
			// The redirect chain stays on https (an http:// Location would
			// reach a TLS port in plain text).
			reqs := s.Requests()
			if len(reqs) != 3 {
				t.Errorf("saw %d requests, want 2 redirects and the file", len(reqs))
			}
			for _, r := range reqs {
				if r.Proto != p.proto {
					t.Errorf("request for %s recorded as %s, want %s", r.Path, r.Proto, p.proto)
				}
			}
			resp, body, err = get(t, c, http.MethodGet, s.FileURL("tls.bin", size), "bytes=99000-")
			if err != nil || resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, Content("tls.bin", size)[99000:]) {
				t.Fatalf("range over %s: %v %v, %d bytes", p.name, resp, err, len(body))
			}
		})
	}
}

func TestTLSCertificate(t *testing.T) {
	t.Parallel()
	s := newServer(t, WithTLS())
	cert := s.Certificate()
	if cert == nil {
		t.Fatal("no certificate with WithTLS")
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: host, Roots: s.CertPool()}); err != nil {
			t.Errorf("certificate for %s: %v", host, err)
		}
	}
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: s.CertPool()}); err == nil {
		t.Error("certificate also good for example.com")
	}
	if d := time.Until(cert.NotAfter); d < time.Hour || d > 25*time.Hour {
		t.Errorf("certificate expires in %v, want about a day", d)
	}
	// Each server makes its own: one server's pool does not vouch for another.
	other := newServer(t, WithTLS())
	if other.Certificate().Equal(cert) {
		t.Error("two servers share a certificate")
	}
	if _, err := cert.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: other.CertPool()}); err == nil {
		t.Error("another server's pool trusts this certificate")
	}

	// A client that does not trust it is refused, in words naming the cause.
	_, _, err := get(t, newClient(t), http.MethodGet, s.FileURL("x", 10), "")
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("untrusted client: err %v, want a certificate verification error", err)
	}

	plain := newServer(t)
	if plain.Certificate() != nil || plain.CertPool() != nil || !strings.HasPrefix(plain.URL, "http://") {
		t.Errorf("plain server: certificate %v, pool %v, URL %s", plain.Certificate(), plain.CertPool(), plain.URL)
	}
}

func TestTLSListenLocalhost(t *testing.T) {
	t.Parallel()
	s, err := Listen("localhost:0", WithTLS())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(s.URL, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	// By name, as a user would paste it: the certificate names localhost.
	u := "https://" + net.JoinHostPort("localhost", port) + "/f/l.bin?size=10"
	_, body, err := get(t, tlsClient(t, s, true), http.MethodGet, u, "")
	if err != nil || !bytes.Equal(body, Content("l.bin", 10)) {
		t.Fatalf("%s: %v, %d bytes", u, err, len(body))
	}
	if _, err := Listen("0.0.0.0:0", WithTLS()); err == nil {
		t.Error("Listen with TLS accepted a non-loopback address")
	}
}

func TestNewTLSServer(t *testing.T) {
	t.Parallel()
	opts := []Option{WithDefaultSize(10)}
	s := NewTLSServer(opts...)
	t.Cleanup(s.Close)
	if len(opts) != 1 || s.Certificate() == nil || !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("NewTLSServer: URL %s, certificate %v, options %d", s.URL, s.Certificate() != nil, len(opts))
	}
	_, body, err := get(t, tlsClient(t, s, true), http.MethodGet, s.URL+"/f/d.bin", "")
	if err != nil || !bytes.Equal(body, Content("d.bin", 10)) {
		t.Fatalf("%v, %d bytes", err, len(body))
	}
}

// Body faults keep their meaning over TLS and HTTP/2: a short body is a
// truncation the client detects, a reset is an error (of the TCP connection
// over HTTP/1.1, of the stream over HTTP/2), and a retry gets the whole file.
func TestTLSBodyFaults(t *testing.T) {
	const size = 256 << 10
	for _, p := range tlsProtocols {
		for _, tt := range []struct {
			name  string
			opt   Option
			check func(t *testing.T, err error)
		}{
			{"short body", WithShortBody(1000), func(t *testing.T, err error) {
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("err = %v, want io.ErrUnexpectedEOF", err)
				}
			}},
			{"reset", WithResetAfter(1000), func(t *testing.T, err error) {
				switch {
				case err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
					t.Errorf("err = %v, want a reset", err)
				case p.h2 && !strings.Contains(err.Error(), "stream error"):
					t.Errorf("err = %v, want the stream reset", err)
				case !p.h2 && !errors.Is(err, syscall.ECONNRESET):
					t.Errorf("err = %v, want ECONNRESET", err)
				}
			}},
		} {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := newServer(t, WithTLS(), tt.opt, WithFaultCount(1))
				c := tlsClient(t, s, p.h2)
				resp, body, err := get(t, c, http.MethodGet, s.FileURL("x", size), "")
				if resp == nil {
					t.Fatalf("no response: %v", err)
				}
				if resp.Proto != p.proto {
					t.Fatalf("answered over %s, want %s", resp.Proto, p.proto)
				}
				tt.check(t, err)
				if len(body) > 1000 || !bytes.Equal(body, Content("x", size)[:len(body)]) {
					t.Errorf("%d bytes before the fault, want at most 1000 of the file", len(body))
				}
				_, body, err = get(t, c, http.MethodGet, s.FileURL("x", size), "")
				if err != nil || !bytes.Equal(body, Content("x", size)) {
					t.Fatalf("retry: err %v, %d bytes", err, len(body))
				}
			})
		}
	}
}
