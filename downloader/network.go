package downloader

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"

	"golang.org/x/net/http/httpproxy"
)

// network is what the engine's requests take from Options beyond timeouts:
// the proxy, the certificates trusted, the cookies and the netrc logins.
// Built once in New, where a file that cannot be read is said at once.
type network struct {
	proxy func(*http.Request) (*url.URL, error)
	tls   *tls.Config
	jar   *cookiejar.Jar // nil without Options.CookieFile
	netrc netrcFile      // nil without Options.NetrcFile
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
}

func newNetwork(o *Options) (*network, error) {
	n := &network{}
	var err error
	if n.proxy, err = proxyFunc(o.Proxy, o.NoProxy); err != nil {
		return nil, err
	}
	if n.tls, err = tlsConfig(o); err != nil {
		return nil, err
	}
	if o.CookieFile != "" {
		if n.jar, err = loadCookies(o.CookieFile); err != nil {
			return nil, err
		}
	}
	if o.NetrcFile != "" {
		if n.netrc, err = loadNetrc(o.NetrcFile); err != nil {
			return nil, err
		}
	}
	d := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30e9}
	n.dial = d.DialContext
	if o.dial != nil {
		n.dial = o.dial
	}
	return n, nil
}

// ProxyDirect, as Options.Proxy, sends every request straight to its server,
// whatever the environment says.
const ProxyDirect = "direct"

// proxyFunc picks the proxy of each request: the one given (http, https,
// socks5 or socks5h, with user:password if it wants them), except for the
// hosts of noProxy; or, given none, the environment's HTTP_PROXY,
// HTTPS_PROXY and NO_PROXY, with ALL_PROXY for either when it is unset, as
// curl reads them.
func proxyFunc(proxy, noProxy string) (func(*http.Request) (*url.URL, error), error) {
	var cfg *httpproxy.Config
	switch {
	case proxy == ProxyDirect:
		return nil, nil
	case proxy == "":
		cfg = httpproxy.FromEnvironment()
		all := os.Getenv("ALL_PROXY")
		if all == "" {
			all = os.Getenv("all_proxy")
		}
		if cfg.HTTPProxy == "" {
			cfg.HTTPProxy = all
		}
		if cfg.HTTPSProxy == "" {
			cfg.HTTPSProxy = all
		}
	default:
		if err := CheckProxy(proxy); err != nil {
			return nil, err
		}
		cfg = &httpproxy.Config{HTTPProxy: proxy, HTTPSProxy: proxy, NoProxy: noProxy}
	}
	f := cfg.ProxyFunc()
	return func(r *http.Request) (*url.URL, error) { return f(r.URL) }, nil
}

// CheckProxy says whether proxy can be Options.Proxy: ProxyDirect, or an
// http, https, socks5 or socks5h URL with a host.
func CheckProxy(proxy string) error {
	if proxy == "" || proxy == ProxyDirect {
		return nil
	}
	u, err := url.Parse(proxy)
	if err != nil || u.Host == "" {
		return fmt.Errorf("proxy %q is not a URL: write it like http://host:port or socks5://host:port", RedactURL(proxy))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
		return nil
	}
	return fmt.Errorf("proxy %q: Potok speaks http, https, socks5 and socks5h proxies", RedactURL(proxy))
}

// tlsConfig trusts the system's certificates, plus those of CACertFile (or
// RootCAs instead, when set), or, with Insecure, none are checked at all.
func tlsConfig(o *Options) (*tls.Config, error) {
	c := &tls.Config{RootCAs: o.RootCAs, InsecureSkipVerify: o.Insecure}
	if o.CACertFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(o.CACertFile)
	if err != nil {
		return nil, fmt.Errorf("read the CA certificate file: %w", err)
	}
	if c.RootCAs == nil {
		if c.RootCAs, err = x509.SystemCertPool(); err != nil || c.RootCAs == nil {
			c.RootCAs = x509.NewCertPool()
		}
	} else {
		c.RootCAs = c.RootCAs.Clone()
	}
	if !c.RootCAs.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", o.CACertFile)
	}
	return c, nil
}

// redirectPolicy is checkRedirect with the jar's part: cookies set by the
// redirect answers are kept, and a redirect within the download's origin
// takes the jar's cookies for where it goes; one that leaves it, none.
func (n *network) redirectPolicy(req *http.Request, via []*http.Request) error {
	if err := checkRedirect(req, via); err != nil {
		return err
	}
	if n.jar == nil {
		return nil
	}
	if r := req.Response; r != nil && r.Request != nil {
		n.jar.SetCookies(r.Request.URL, r.Cookies())
	}
	if req.Header.Get("Cookie") == "" && !sameOriginChain(req, via) {
		return nil // checkRedirect dropped the cookies: the chain left the origin
	}
	merged := map[string]*http.Cookie{}
	var order []string
	for _, c := range append(req.Cookies(), n.jar.Cookies(req.URL)...) {
		if _, ok := merged[c.Name]; !ok {
			order = append(order, c.Name)
		}
		merged[c.Name] = c
	}
	req.Header.Del("Cookie")
	for _, name := range order {
		req.AddCookie(merged[name])
	}
	return nil
}

func sameOriginChain(req *http.Request, via []*http.Request) bool {
	for _, r := range via {
		if origin(r.URL) != origin(req.URL) {
			return false
		}
	}
	return true
}

// decorate adds what Options and the download's Entry ask every request of
// it to carry: headers, Referer, User-Agent, the jar's cookies and the
// netrc's login for its server (when its URL has none of its own). The
// credentials among them (Authorization, cookies) go only to the origin of
// the download's URL: a segment sent straight to where a redirect led, on
// another origin, carries none.
func (e *Engine) decorate(req *http.Request, it *item) {
	home := it.origin == "" || it.origin == origin(req.URL)
	for _, h := range []http.Header{e.opts.Header, it.header} {
		for k, vs := range h {
			if home || !slices.Contains(sensitiveHeaders, k) {
				req.Header[k] = append([]string(nil), vs...)
			}
		}
	}
	ua := e.opts.UserAgent
	if it.userAgent != "" {
		ua = it.userAgent
	}
	req.Header.Set("User-Agent", ua)
	if ref := firstNonEmpty(it.referer, e.opts.Referer); ref != "" {
		req.Header.Set("Referer", ref)
	}
	if !home {
		return
	}
	if e.net.jar != nil {
		for _, c := range e.net.jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
	}
	if e.net.netrc != nil && req.URL.User == nil && req.Header.Get("Authorization") == "" {
		if l, ok := e.net.netrc.lookup(req.URL.Hostname()); ok {
			req.SetBasicAuth(l.login, l.password)
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// keepCookies stores the cookies an answer sets, for the download's next
// requests (retries, segments).
func (n *network) keepCookies(resp *http.Response) {
	if n.jar != nil && resp != nil && resp.Request != nil {
		n.jar.SetCookies(resp.Request.URL, resp.Cookies())
	}
}
