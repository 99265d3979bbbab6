package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"potok/downloader"
	"potok/downloader/demoserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor polls cond every 5 ms until it holds, failing the test after
// 20 s: the package's one way to wait for a result.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// gates holds files back: /gate/NAME?size=N&at=K serves NAME's demo bytes
// (ranges too) up to byte K, then nothing more until /open/NAME is asked
// for, so a download stays active, with K bytes on disk, as long as a test
// needs. The rest is the demo server's (/f/NAME?size=N; other paths 404).
type gates struct {
	mu    sync.Mutex
	gates map[string]chan struct{}
}

func (g *gates) gate(name string) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gates == nil {
		g.gates = map[string]chan struct{}{}
	}
	c, ok := g.gates[name]
	if !ok {
		c = make(chan struct{})
		g.gates[name] = c
	}
	return c
}

func (g *gates) open(name string) {
	c := g.gate(name)
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-c:
	default:
		close(c)
	}
}

func (g *gates) hook(w http.ResponseWriter, r *http.Request) bool {
	if name, ok := strings.CutPrefix(r.URL.Path, "/open/"); ok {
		g.open(name)
		return true
	}
	name, ok := strings.CutPrefix(r.URL.Path, "/gate/")
	if !ok {
		return false
	}
	size, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
	at, _ := strconv.ParseInt(r.URL.Query().Get("at"), 10, 64)
	body := &gatedReader{r: bytes.NewReader(demoserver.Content(name, size)), at: at, gate: g.gate(name),
		done: r.Context().Done(), flush: http.NewResponseController(w).Flush}
	http.ServeContent(w, r, name, time.Time{}, body)
	return true
}

// gatedReader reads up to at, flushes what was written, and waits for its
// gate (or the client leaving) before reading on.
type gatedReader struct {
	r     *bytes.Reader
	at    int64
	gate  chan struct{}
	done  <-chan struct{}
	flush func() error
}

func (g *gatedReader) Read(p []byte) (int, error) {
	pos, _ := g.r.Seek(0, io.SeekCurrent)
	select {
	case <-g.gate:
	default:
		if pos >= g.at {
			_ = g.flush()
			select {
			case <-g.gate:
			case <-g.done:
				return 0, io.ErrUnexpectedEOF
			}
		} else if pos+int64(len(p)) > g.at {
			p = p[:g.at-pos]
		}
	}
	return g.r.Read(p)
}

func (g *gatedReader) Seek(off int64, whence int) (int64, error) { return g.r.Seek(off, whence) }

// newFiles starts the file server the tests download from.
func newFiles(t testing.TB) (*demoserver.Server, *gates) {
	g := &gates{}
	srv := demoserver.NewServer(demoserver.WithHandlerHook(g.hook))
	t.Cleanup(func() {
		g.mu.Lock()
		for _, c := range g.gates {
			select {
			case <-c:
			default:
				close(c)
			}
		}
		g.mu.Unlock()
		srv.Close()
	})
	return srv, g
}

// fixture is an engine and a server on it, over HTTP on loopback.
type fixture struct {
	t      testing.TB
	dir    string
	eng    *downloader.Engine
	srv    *Server
	http   *httptest.Server
	secret string
}

const testSecret = "s3cret"

func newFixture(t testing.TB, opts ...func(*downloader.Options, *Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	eo := downloader.Options{Dir: filepath.Join(dir, "files"), Parallel: 4, QueueFile: filepath.Join(dir, "queue"), Retries: -1}
	so := Options{Secret: testSecret, Poll: 10 * time.Millisecond}
	for _, o := range opts {
		o(&eo, &so)
	}
	eng, err := downloader.New(eo)
	if err != nil {
		t.Fatal(err)
	}
	if so.Engine == nil {
		so.Engine = func() *downloader.Engine { return eng }
	}
	srv := New(so)
	hs := httptest.NewServer(srv)
	f := &fixture{t: t, dir: eng.Dir(), eng: eng, srv: srv, http: hs, secret: so.Secret}
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
		eng.Close()
	})
	return f
}

func (f *fixture) url() string { return f.http.URL + Path }

// post sends body and returns the HTTP status and the decoded answer.
func (f *fixture) post(body string) (int, any) {
	f.t.Helper()
	resp, err := http.Post(f.url(), "application/json", strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json-rpc" {
		f.t.Fatalf("Content-Type %q for %s", ct, b)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		f.t.Fatalf("answer %q: %v", b, err)
	}
	return resp.StatusCode, v
}

// call calls method with the secret and params, and returns its result or
// its error.
func (f *fixture) call(method string, args ...any) (any, *Error) {
	f.t.Helper()
	ps := append([]any{"token:" + f.secret}, args...)
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": ps})
	_, v := f.post(string(body))
	m := v.(map[string]any)
	if e, ok := m["error"].(map[string]any); ok {
		return nil, &Error{Code: int(e["code"].(float64)), Message: e["message"].(string)}
	}
	return m["result"], nil
}

// must is call that fails the test on an error.
func (f *fixture) must(method string, args ...any) any {
	f.t.Helper()
	res, err := f.call(method, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", method, err)
	}
	return res
}

// status is tellStatus of gid with these keys.
func (f *fixture) status(gid string, keys ...string) map[string]any {
	f.t.Helper()
	var args []any = []any{gid}
	if len(keys) > 0 {
		args = append(args, keys)
	}
	return f.must("aria2.tellStatus", args...).(map[string]any)
}

// waitStatus waits until gid has status st.
func (f *fixture) waitStatus(gid, st string) map[string]any {
	f.t.Helper()
	var last map[string]any
	waitFor(f.t, gid+" "+st, func() bool {
		last = f.status(gid)
		return last["status"] == st
	})
	return last
}

// ctx is a context that ends with the test.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
