package downloader

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
)

// TrustForTest makes the engine's own clients (the tuned one, and the
// HTTP/1.1-only one of segments) trust the certificates in roots, keeping
// every other setting of theirs. Options has no way to add a CA: an
// Options.HTTPClient replaces both clients, and with them the engine's
// timeouts and the HTTP/1.1 rule of segments. Call it before the first Add.
// It lives in a _test.go file: only this package's tests see it.
func TrustForTest(e *Engine, roots *x509.CertPool) error {
	wc, ok := e.grab.HTTPClient.(watchClient)
	if !ok {
		return fmt.Errorf("the engine's grab client is a %T, not a watchClient: update TrustForTest", e.grab.HTTPClient)
	}
	for _, c := range []*http.Client{wc.c, e.segHTTP.c} {
		tr, ok := c.Transport.(*http.Transport)
		if !ok {
			return fmt.Errorf("the engine's client has a %T, not an *http.Transport: update TrustForTest", c.Transport)
		}
		cfg := &tls.Config{}
		if tr.TLSClientConfig != nil {
			cfg = tr.TLSClientConfig.Clone()
		}
		cfg.RootCAs = roots
		tr.TLSClientConfig = cfg
	}
	return nil
}
