package downloader

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	dt "potok/downloader/demoserver"
)

// checkRedirect, the engine's redirect policy, drops Authorization and cookies
// whenever a redirect leaves the first request's origin, port included (which
// net/http alone does not), and keeps them within it.
func TestCheckRedirectCredentials(t *testing.T) {
	var a, b *dt.Server
	hop := func(w http.ResponseWriter, r *http.Request) bool {
		if to := r.URL.Query().Get("next"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return true
		}
		return false
	}
	a, b = dt.NewServer(dt.WithHandlerHook(hop)), dt.NewServer(dt.WithHandlerHook(hop))
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	file := "/f/c.bin?size=10"
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	tests := []struct {
		name   string
		url    string
		server func() *dt.Server // the one whose last request is checked
		keep   bool
	}{
		{"same origin keeps them", a.URL + "/f/x?next=" + url.QueryEscape(file), func() *dt.Server { return a }, true},
		{"other port", a.URL + "/f/x?next=" + url.QueryEscape(b.URL+file), func() *dt.Server { return b }, false},
		{"127.0.0.1 to localhost", a.URL + "/f/x?next=" + url.QueryEscape(strings.Replace(b.URL, "127.0.0.1", "localhost", 1)+file),
			func() *dt.Server { return b }, false},
		{"there and back", a.URL + "/f/x?next=" + url.QueryEscape(b.URL+"/f/y?next="+url.QueryEscape(a.URL+file)), func() *dt.Server { return a }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			req.Header.Set("Authorization", "Bearer t0ken")
			req.Header.Set("Cookie", "session=t0ken")
			req.Header.Set("Cookie2", "$Version=1")
			req.Header.Set("X-Harmless", "kept")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			rs := tc.server().Requests()
			last := rs[len(rs)-1]
			if last.Header.Get("X-Harmless") != "kept" {
				t.Errorf("an ordinary header was dropped: %v", last.Header)
			}
			for _, h := range []string{"Authorization", "Cookie", "Cookie2"} {
				if got := last.Header.Get(h) != ""; got != tc.keep {
					t.Errorf("%s sent: %v, want %v (%q)", h, got, tc.keep, last.Header.Get(h))
				}
			}
		})
	}
	t.Run("other scheme, default port", func(t *testing.T) {
		mk := func(u string) *http.Request {
			r, _ := http.NewRequest(http.MethodGet, u, nil)
			r.Header.Set("Authorization", "Bearer t0ken")
			return r
		}
		for _, c := range []struct {
			from, to string
			keep     bool
		}{
			{"http://example.com/a", "http://EXAMPLE.com:80/b", true},
			{"https://example.com/a", "https://example.com:443/b", true},
			{"http://example.com/a", "https://example.com/b", false},
			{"http://example.com:443/a", "https://example.com:443/b", false},
			{"http://example.com/a", "http://sub.example.com/b", false},
			{"http://[::1]:8080/a", "http://[::1]:8081/b", false},
		} {
			req := mk(c.to)
			if err := checkRedirect(req, []*http.Request{mk(c.from)}); err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("Authorization") != ""; got != c.keep {
				t.Errorf("%s -> %s: Authorization kept %v, want %v", c.from, c.to, got, c.keep)
			}
		}
	})
}
