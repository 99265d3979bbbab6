package downloader

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Cookies come in the Netscape cookies.txt format that browser export
// extensions, curl (-b/-c), wget (--load-cookies) and aria2 use: one cookie
// per line, seven tab-separated fields:
//
//	domain  include-subdomains  path  secure  expires  name  value
//
// with "#HttpOnly_" before the domain of HttpOnly cookies. They go into an
// http.CookieJar, which keeps their domain, path, secure flag and expiry.

// netscapeCookie is one line of a cookies.txt.
type netscapeCookie struct {
	domain     string // without a leading dot
	subdomains bool
	path       string
	secure     bool
	expires    time.Time // zero: a session cookie
	name       string
	value      string
}

// parseCookieFile reads a cookies.txt; a line that cannot be read is an
// error naming it, as lists are.
func parseCookieFile(r io.Reader, now time.Time) ([]netscapeCookie, error) {
	var out []netscapeCookie
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(line, "#HttpOnly_") {
			line = strings.TrimPrefix(line, "#HttpOnly_")
		} else if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("line %d: %d fields, a cookies.txt line has 7 separated by tabs", n, len(f))
		}
		c := netscapeCookie{domain: strings.TrimPrefix(strings.ToLower(f[0]), "."), path: f[2], name: f[5], value: f[6]}
		c.subdomains = strings.EqualFold(f[1], "TRUE") || strings.HasPrefix(f[0], ".")
		c.secure = strings.EqualFold(f[3], "TRUE")
		exp, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil || exp < 0 {
			return nil, fmt.Errorf("line %d: expiry %q is not a Unix time", n, f[4])
		}
		if exp > 0 {
			c.expires = time.Unix(exp, 0)
			if c.expires.Before(now) {
				continue // expired: never sent
			}
		}
		if c.domain == "" || c.name == "" || !strings.HasPrefix(c.path, "/") {
			return nil, fmt.Errorf("line %d: a cookie needs a domain, a path starting with / and a name", n)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cookies: %w", err)
	}
	return out, nil
}

// loadCookies makes a jar holding the cookies of the cookies.txt at path.
func loadCookies(path string) (*cookiejar.Jar, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the cookies file: %w", err)
	}
	defer f.Close()
	cs, err := parseCookieFile(io.LimitReader(f, 64<<20), time.Now())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	jar, _ := cookiejar.New(nil)
	for _, c := range cs {
		scheme := "http"
		if c.secure {
			scheme = "https"
		}
		u := &url.URL{Scheme: scheme, Host: c.domain, Path: c.path}
		hc := &http.Cookie{Name: c.name, Value: c.value, Path: c.path, Secure: c.secure, Expires: c.expires}
		if c.subdomains {
			hc.Domain = c.domain // a domain cookie; without Domain it is the host's alone
		}
		jar.SetCookies(u, []*http.Cookie{hc})
	}
	return jar, nil
}
