package downloader_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// silencingListener hands out connections of which the first goes silent,
// in both directions, once it has written after bytes: no answer, no ping
// reply, no error, as a NAT box that dropped the flow or a wedged server.
// Later connections work.
type silencingListener struct {
	net.Listener
	after    int64
	accepted atomic.Int32
}

func (l *silencingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.accepted.Add(1) > 1 {
		return c, nil
	}
	return &silencedConn{Conn: c, left: l.after, dead: make(chan struct{})}, nil
}

type silencedConn struct {
	net.Conn
	mu     sync.Mutex
	left   int64
	silent bool
	dead   chan struct{}
	once   sync.Once
}

func (c *silencedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if !c.silent && int64(len(p)) > c.left {
		c.silent = true
		// Only the client's hanging up ends the silence: the engine must
		// drop this connection itself, or the test's server never lets go.
		go func() {
			buf := make([]byte, 4096)
			for {
				if _, err := c.Conn.Read(buf); err != nil {
					c.once.Do(func() { close(c.dead) })
					return
				}
			}
		}()
	}
	silent := c.silent
	c.left -= int64(len(p))
	c.mu.Unlock()
	if silent {
		<-c.dead
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

func (c *silencedConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	silent := c.silent
	c.mu.Unlock()
	if silent {
		<-c.dead
		return 0, net.ErrClosed
	}
	return c.Conn.Read(p)
}

func (c *silencedConn) Close() error {
	c.once.Do(func() { close(c.dead) })
	return c.Conn.Close()
}

// newH2Server serves dt.Content over HTTPS with HTTP/2 (ranges, ETags), on a
// listener whose first connection goes silent after some bytes.
func newH2Server(t *testing.T, silentAfter int64) (*httptest.Server, *silencingListener, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path[len("/f/"):]
		size := int64(1 << 20)
		if r.URL.RawQuery == "small" {
			size = 1000
		}
		body := dt.Content(name, size)
		w.Header().Set("ETag", `"`+name+`"`)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	}))
	l := &silencingListener{Listener: srv.Listener, after: silentAfter}
	srv.Listener = l
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, l, pool
}

// TestDeadHTTP2ConnectionIsDropped: the first HTTP/2 connection to a server
// goes silent in the middle of the bodies of several files sharing it. Each
// stalled attempt must not be retried over that connection: the files come
// over a new one, resumed, within a few stall timeouts, not after the
// retries time out one by one on the dead connection.
func TestDeadHTTP2ConnectionIsDropped(t *testing.T) {
	srv, l, pool := newH2Server(t, 400<<10)
	const stall = 300 * time.Millisecond
	e := newEngine(t, downloader.Options{RootCAs: pool, StallTimeout: stall, Retries: 3, Parallel: 4})
	// A first file opens the connection, so that the four share it.
	warm := add(t, e, srv.URL+"/f/warm.bin?small")
	if snap := wait(t, e); snap.Done != 1 {
		t.Fatalf("warm-up: %q", status(t, e, warm[0]).Err)
	}
	var urls []string
	for _, n := range []string{"a.bin", "b.bin", "c.bin", "d.bin"} {
		urls = append(urls, srv.URL+"/f/"+n)
	}
	t0 := time.Now()
	ids := add(t, e, urls...)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	for i, id := range ids {
		if f := status(t, e, id); f.Attempts < 2 {
			t.Errorf("%s came in %d attempt: the connection went silent before it", f.Name, f.Attempts)
		}
		f := status(t, e, id)
		if f.State != downloader.StateDone {
			t.Fatalf("%s: %s after %d attempts: %q", f.Name, f.State, f.Attempts, f.Err)
		}
		got, err := os.ReadFile(f.Path)
		if err != nil || !bytes.Equal(got, dt.Content(f.Name, 1<<20)) {
			t.Fatalf("file %d is not the served content (%v)", i, err)
		}
	}
	t.Logf("4 files over a connection that went silent: %v, %d connections", took, l.accepted.Load())
	if l.accepted.Load() < 2 {
		t.Fatalf("%d connections: the retries went over the silent one", l.accepted.Load())
	}
	if took > 6*stall+2*time.Second {
		t.Fatalf("took %v with a %v stall timeout", took, stall)
	}
}

// TestDeadIdleHTTP2ConnectionIsDropped: an HTTP/2 connection that served a
// file and then went silent while idle must not swallow the next file's
// request: the health check or the header timeout drops it, and the file
// comes over a new connection.
func TestDeadIdleHTTP2ConnectionIsDropped(t *testing.T) {
	const size = 1 << 20
	// Silent after the first file (its headers, body and frames).
	srv, l, pool := newH2Server(t, size+64<<10)
	const stall = 300 * time.Millisecond
	e := newEngine(t, downloader.Options{RootCAs: pool, StallTimeout: stall, Retries: 3})
	first := add(t, e, srv.URL+"/f/first.bin")
	if snap := wait(t, e); snap.Done != 1 {
		t.Fatalf("first file: %+v %q", snap.Totals, status(t, e, first[0]).Err)
	}
	t0 := time.Now()
	second := add(t, e, srv.URL+"/f/second.bin")
	wait(t, e)
	f := status(t, e, second[0])
	if f.State != downloader.StateDone || l.accepted.Load() < 2 {
		t.Fatalf("second file: %s, %q, %d connections", f.State, f.Err, l.accepted.Load())
	}
	if took := time.Since(t0); took > 4*stall+2*time.Second {
		t.Fatalf("the second file took %v with a %v stall timeout", took, stall)
	}
}
