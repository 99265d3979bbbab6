package downloader_test

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TestFirstHTTPSConnectionIsShared: 32 small files from one HTTPS server
// with HTTP/2, 16 at once, open one TCP connection and share it, rather
// than each of the first 16 dialling and shaking hands for a connection
// that is closed as soon as HTTP/2 is agreed. Over HTTP/1.1 only, the same
// start opens a connection for each request in flight, as it must.
func TestFirstHTTPSConnectionIsShared(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("h2=%v", h2), func(t *testing.T) {
			var accepted atomic.Int32
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(20 * time.Millisecond) // a server a little away: requests overlap
				name := r.URL.Path[len("/f/"):]
				http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(dt.Content(name, 4<<10)))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					accepted.Add(1)
				}
			}
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			t.Cleanup(srv.Close)
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			e := newEngine(t, downloader.Options{RootCAs: pool, Parallel: 16})
			var urls []string
			for i := range 32 {
				urls = append(urls, fmt.Sprintf("%s/f/file%d.bin", srv.URL, i))
			}
			add(t, e, urls...)
			if snap := wait(t, e); snap.Done != 32 {
				t.Fatalf("%+v", snap.Totals)
			}
			switch n := accepted.Load(); {
			case h2 && n != 1:
				t.Fatalf("%d TCP connections for 32 files over HTTP/2 at 16 in flight, want 1", n)
			case !h2 && n < 8:
				t.Fatalf("%d TCP connections over HTTP/1.1 at 16 in flight: the first connection held the others back", n)
			}
		})
	}
}

// swallowFirst is a listener whose first connection is never answered: the
// TLS handshake on it hangs, as on a server that accepted and wedged.
type swallowFirst struct {
	net.Listener
	once sync.Once
	held net.Conn
}

func (l *swallowFirst) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	first := false
	l.once.Do(func() { first = true })
	if err != nil || !first {
		return c, err
	}
	l.held = c // open, silent
	return l.Listener.Accept()
}

// TestHungFirstConnectionHoldsNobodyBack: when the first connection to an
// HTTPS origin hangs in its handshake, the other downloads wait a moment for
// it, then dial their own and finish, long before the first's attempt times
// out.
func TestHungFirstConnectionHoldsNobodyBack(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("h2=%v", h2), func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				name := r.URL.Path[len("/f/"):]
				http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(dt.Content(name, 4<<10)))
			}))
			l := &swallowFirst{Listener: srv.Listener}
			srv.Listener = l
			srv.EnableHTTP2 = h2
			srv.StartTLS()
			t.Cleanup(func() {
				srv.Close()
				if l.held != nil {
					l.held.Close()
				}
			})
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			e := newEngine(t, downloader.Options{RootCAs: pool, Parallel: 8, TLSTimeout: time.Minute, StallTimeout: time.Minute})
			var urls []string
			for i := range 8 {
				urls = append(urls, fmt.Sprintf("%s/f/file%d.bin", srv.URL, i))
			}
			add(t, e, urls...)
			start := time.Now()
			if !downloader.Eventually(20*time.Second, func() bool { return e.Snapshot().Done >= 7 }) {
				t.Fatalf("7 of 8 files not done while the first connection hangs: %+v", e.Snapshot().Totals)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Fatalf("the others took %v behind a hung first connection", took)
			}
		})
	}
}
