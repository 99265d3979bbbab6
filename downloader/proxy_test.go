package downloader_test

import (
	"context"
	"encoding/base64"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/armon/go-socks5"
	"github.com/elazarl/goproxy"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// Proxies, real ones in-process: goproxy (HTTP, and CONNECT for HTTPS) and
// armon/go-socks5. Go sends a request for a loopback address past every
// proxy, so the test server is given a name of its own, files.potok.test,
// that the engine's and the proxies' dialers take to 127.0.0.1.

const testHost = "files.potok.test"

// testNet maps testHost to the loopback server and counts the dials that
// reached it by name, each side's apart.
type testNet struct {
	port  string
	dials atomic.Int32 // the engine's, to the server by name
}

// dial is the engine's dialer.
func (n *testNet) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if host, _, err := net.SplitHostPort(addr); err == nil && host == testHost {
		n.dials.Add(1)
	}
	return n.relay(ctx, network, addr)
}

// relay is the proxies' dialer.
func (n *testNet) relay(ctx context.Context, network, addr string) (net.Conn, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == testHost {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// namedServer starts a test server and returns it with its base URL by name.
func namedServer(t *testing.T, opts ...dt.Option) (*dt.Server, string, *testNet) {
	t.Helper()
	s := newServer(t, opts...)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://"))
	scheme := "http"
	if strings.HasPrefix(s.URL, "https://") {
		scheme = "https"
	}
	return s, scheme + "://" + net.JoinHostPort(testHost, port), &testNet{port: port}
}

// httpProxy runs goproxy, counting the requests and CONNECTs it relays. With
// a user and password it answers 407 to requests without them.
type httpProxy struct {
	url      string
	requests atomic.Int32
	connects atomic.Int32
}

func startHTTPProxy(t *testing.T, through *testNet, user, pass string) *httpProxy {
	t.Helper()
	p := &httpProxy{}
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = log.New(io.Discard, "", 0)
	gp.Tr = &http.Transport{DialContext: through.relay}
	gp.ConnectDial = func(network, addr string) (net.Conn, error) {
		return through.relay(context.Background(), network, addr)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	authorized := func(r *http.Request) bool { return user == "" || r.Header.Get("Proxy-Authorization") == want }
	gp.OnRequest().DoFunc(func(r *http.Request, ctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		if !authorized(r) {
			return r, goproxy.NewResponse(r, "text/plain", http.StatusProxyAuthRequired, "proxy login needed")
		}
		p.requests.Add(1)
		return r, nil
	})
	gp.OnRequest().HandleConnectFunc(func(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		if !authorized(ctx.Req) {
			return goproxy.RejectConnect, host
		}
		p.connects.Add(1)
		return goproxy.OkConnect, host
	})
	srv := httptest.NewServer(gp)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// socksProxy runs go-socks5 on loopback, counting the connections it makes.
func startSOCKSProxy(t *testing.T, through *testNet) (addr string, relayed *atomic.Int32) {
	t.Helper()
	relayed = new(atomic.Int32)
	srv, err := socks5.New(&socks5.Config{
		Logger:   log.New(io.Discard, "", 0),
		Resolver: passName{},
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			relayed.Add(1)
			return through.relay(ctx, network, addr)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); srv.Serve(l) }()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().String(), relayed
}

// passName leaves a name unresolved, for the proxy's dialer to map.
type passName struct{}

func (passName) Resolve(ctx context.Context, name string) (context.Context, net.IP, error) {
	if name == testHost {
		return ctx, net.IPv4(127, 0, 0, 1), nil
	}
	return ctx, nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func TestProxies(t *testing.T) {
	const size = 3 << 20 // in segments too
	tests := []struct {
		name      string
		tls       bool
		proxy     func(p *httpProxy, socks string) string
		noProxy   bool
		env       map[string]string
		viaHTTP   bool // the HTTP proxy relayed the requests (or CONNECTs)
		viaSOCKS  bool
		directHit bool // the engine dialed the server by name itself
	}{
		{name: "http proxy, http", proxy: func(p *httpProxy, _ string) string { return p.url }, viaHTTP: true},
		{name: "http proxy, https by CONNECT", tls: true, proxy: func(p *httpProxy, _ string) string { return p.url }, viaHTTP: true},
		{name: "socks5", proxy: func(_ *httpProxy, s string) string { return "socks5://" + s }, viaSOCKS: true},
		{name: "socks5h, https", tls: true, proxy: func(_ *httpProxy, s string) string { return "socks5h://" + s }, viaSOCKS: true},
		{name: "no-proxy bypasses", proxy: func(p *httpProxy, _ string) string { return p.url }, noProxy: true, directHit: true},
		{name: "HTTP_PROXY", env: map[string]string{"HTTP_PROXY": "{http}"}, viaHTTP: true},
		{name: "HTTPS_PROXY", tls: true, env: map[string]string{"HTTPS_PROXY": "{http}"}, viaHTTP: true},
		{name: "ALL_PROXY socks5h", env: map[string]string{"ALL_PROXY": "socks5h://{socks}"}, viaSOCKS: true},
		{name: "NO_PROXY bypasses", env: map[string]string{"HTTP_PROXY": "{http}", "NO_PROXY": ".potok.test"}, directHit: true},
		{name: "direct ignores the environment", proxy: func(*httpProxy, string) string { return downloader.ProxyDirect },
			env: map[string]string{"HTTP_PROXY": "{http}"}, directHit: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []dt.Option
			if tc.tls {
				opts = append(opts, dt.WithTLS(testHost))
			}
			s, base, tn := namedServer(t, opts...)
			hp := startHTTPProxy(t, tn, "", "")
			socksAddr, relayed := startSOCKSProxy(t, tn)
			for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"} {
				t.Setenv(k, "")
			}
			for k, v := range tc.env {
				t.Setenv(k, strings.NewReplacer("{http}", hp.url, "{socks}", socksAddr).Replace(v))
			}
			o := downloader.Options{Connections: 4, SegmentThreshold: 1 << 20, RootCAs: s.CertPool()}
			if tc.proxy != nil {
				o.Proxy = tc.proxy(hp, socksAddr)
			}
			if tc.noProxy {
				o.NoProxy = "localhost," + testHost
			}
			e := newEngine(t, downloader.WithDial(o, tn.dial))
			ids := add(t, e, base+"/f/small.bin?size=1000", base+"/f/big.bin?size="+itoa(size))
			wait(t, e)
			for i, name := range []string{"small.bin", "big.bin"} {
				f := status(t, e, ids[i])
				if f.State != downloader.StateDone {
					t.Fatalf("%s: %s %q", name, f.State, f.Err)
				}
				checkFile(t, f.Path, name, map[bool]int64{true: 1000, false: size}[i == 0])
			}
			through := hp.requests.Load() + hp.connects.Load()
			if (through > 0) != tc.viaHTTP || (relayed.Load() > 0) != tc.viaSOCKS || (tn.dials.Load() > 0) != tc.directHit {
				t.Fatalf("http proxy relayed %d, socks %d, engine dialed the server itself %d times; want http %v, socks %v, direct %v",
					through, relayed.Load(), tn.dials.Load(), tc.viaHTTP, tc.viaSOCKS, tc.directHit)
			}
			if tc.viaHTTP && !tc.tls && hp.requests.Load() < 5 {
				t.Fatalf("the proxy relayed %d requests: the segments did not all go through it", hp.requests.Load())
			}
		})
	}
}

// TestProxyFailuresNameTheProxy: a proxy that is down, or that wants a login,
// is named in the message, not the server; a login in the proxy URL works
// and is never shown.
func TestProxyFailuresNameTheProxy(t *testing.T) {
	_, base, tn := namedServer(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + closed.Addr().String()
	closed.Close()
	picky := startHTTPProxy(t, tn, "alice", "pr0xy-secret")
	withLogin := strings.Replace(picky.url, "http://", "http://alice:pr0xy-secret@", 1)
	tests := []struct {
		name, proxy string
		done        bool
		says        string
	}{
		{"down", down, false, "cannot reach the proxy " + strings.TrimPrefix(down, "http://") + " (connection refused)"},
		{"down, socks5", "socks5://" + strings.TrimPrefix(down, "http://"), false, "cannot reach the proxy"},
		{"wants a login", picky.url, false, "the proxy wants a user name and password"},
		{"login given", withLogin, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, downloader.WithDial(downloader.Options{Proxy: tc.proxy, Retries: -1}, tn.dial))
			ids := add(t, e, base+"/f/p.bin?size=100")
			wait(t, e)
			f := status(t, e, ids[0])
			if (f.State == downloader.StateDone) != tc.done || !strings.Contains(f.Err, tc.says) || strings.Contains(f.Err, "pr0xy-secret") {
				t.Fatalf("%s %q; want done=%v, saying %q", f.State, f.Err, tc.done, tc.says)
			}
		})
	}
}
