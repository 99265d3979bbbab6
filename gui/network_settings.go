package gui

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"

	"potok/downloader"
)

// The network settings are engine Options fixed at New (the proxy, the
// certificates, what every request carries): the Settings dialog edits them
// and a change makes a new engine (download_network.go). They are kept in the
// preferences like the Download tab's settings, secrets included.

// Proxy modes, as kept in the preferences.
const (
	proxySystem = "system" // the environment's HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY
	proxyNone   = "none"   // downloader.ProxyDirect
	proxyManual = "manual" // netSettings.ProxyURL
)

// Preference keys of the network settings.
const (
	prefProxyMode  = "proxyMode"
	prefProxyURL   = "proxyURL"
	prefNoProxy    = "noProxy"
	prefCACertFile = "caCertFile"
	prefInsecure   = "insecure"
	prefUserAgent  = "userAgent"
	prefReferer    = "referer"
	prefHeaders    = "headers"
	prefCookieFile = "cookieFile"
	prefUseNetrc   = "useNetrc"
)

// netSettings are the network settings as the user gave them. The struct is
// comparable: a change is a != between the old and the new.
type netSettings struct {
	ProxyMode  string // proxySystem, proxyNone or proxyManual
	ProxyURL   string // with its user:password@, as the engine takes it
	NoProxy    string // hosts and .domains reached directly through a manual proxy
	CACertFile string
	Insecure   bool
	UserAgent  string // "" for the engine's default, "potok"
	Referer    string
	Headers    string // one "Name: value" a line
	CookieFile string // a Netscape cookies.txt
	UseNetrc   bool   // log in with ~/.netrc when it exists
}

func loadNetSettings(p fyne.Preferences) netSettings {
	n := netSettings{
		ProxyMode:  p.StringWithFallback(prefProxyMode, proxySystem),
		ProxyURL:   p.String(prefProxyURL),
		NoProxy:    p.String(prefNoProxy),
		CACertFile: p.String(prefCACertFile),
		Insecure:   p.Bool(prefInsecure),
		UserAgent:  p.String(prefUserAgent),
		Referer:    p.String(prefReferer),
		Headers:    p.String(prefHeaders),
		CookieFile: p.String(prefCookieFile),
		UseNetrc:   p.Bool(prefUseNetrc),
	}
	if n.ProxyMode != proxyNone && n.ProxyMode != proxyManual {
		n.ProxyMode = proxySystem
	}
	return n
}

func (n netSettings) save(p fyne.Preferences) {
	p.SetString(prefProxyMode, n.ProxyMode)
	p.SetString(prefProxyURL, n.ProxyURL)
	p.SetString(prefNoProxy, n.NoProxy)
	p.SetString(prefCACertFile, n.CACertFile)
	p.SetBool(prefInsecure, n.Insecure)
	p.SetString(prefUserAgent, n.UserAgent)
	p.SetString(prefReferer, n.Referer)
	p.SetString(prefHeaders, n.Headers)
	p.SetString(prefCookieFile, n.CookieFile)
	p.SetBool(prefUseNetrc, n.UseNetrc)
}

// apply sets the network fields of o. It fails only on what the dialog
// checks as the user types (a header line, a proxy URL), which a
// preferences file edited by hand can still hold.
func (n netSettings) apply(o *downloader.Options) error {
	switch n.ProxyMode {
	case proxyNone:
		o.Proxy = downloader.ProxyDirect
	case proxyManual:
		if err := checkProxyURL(n.ProxyURL); err != nil {
			return err
		}
		o.Proxy, o.NoProxy = strings.TrimSpace(n.ProxyURL), strings.TrimSpace(n.NoProxy)
	}
	h, err := parseHeaders(n.Headers)
	if err != nil {
		return err
	}
	o.Header = h
	o.CACertFile, o.Insecure = strings.TrimSpace(n.CACertFile), n.Insecure
	o.UserAgent, o.Referer = strings.TrimSpace(n.UserAgent), strings.TrimSpace(n.Referer)
	o.CookieFile = strings.TrimSpace(n.CookieFile)
	if n.UseNetrc {
		o.NetrcFile = netrcPath()
	}
	return nil
}

// netrcPath is ~/.netrc when it exists, else "" (no logins).
func netrcPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	p := filepath.Join(home, ".netrc")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// parseHeaders reads the headers field with the engine's ParseHeader, one
// header a line (blank lines skipped), and names the first bad line.
func parseHeaders(text string) (http.Header, error) {
	var h http.Header
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, err := downloader.ParseHeader(line)
		if err != nil {
			return nil, errors.New(tr("line %d", i+1) + ": " + inputText(err))
		}
		if h == nil {
			h = make(http.Header)
		}
		h.Add(name, value)
	}
	return h, nil
}

// checkProxyURL says what is wrong with a manual proxy URL, in the engine's
// words (downloader.CheckProxy); an empty one needs saying here.
func checkProxyURL(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || s == downloader.ProxyDirect {
		return errors.New(tr("write the proxy like http://host:port or socks5://host:port"))
	}
	return downloader.CheckProxy(s)
}

// splitProxyPassword takes the password out of a proxy URL, for the dialog's
// password field: the URL field never shows it.
func splitProxyPassword(raw string) (withoutPassword, password string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		return raw, ""
	}
	pw, ok := u.User.Password()
	if !ok {
		return raw, ""
	}
	u.User = url.User(u.User.Username())
	return u.String(), pw
}

// joinProxyPassword puts the password field back into the proxy URL. A
// password typed into the URL itself is kept when the field is empty.
func joinProxyPassword(raw, password string) string {
	raw = strings.TrimSpace(raw)
	if password == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw // checkProxyURL says what is wrong
	}
	name := ""
	if u.User != nil {
		name = u.User.Username()
	}
	u.User = url.UserPassword(name, password)
	return u.String()
}
