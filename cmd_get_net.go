package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"potok/downloader"
)

// requestFlags are potok get's flags for what the requests carry and how they
// go, named as curl, wget and aria2 name them.
type requestFlags struct {
	headers   headerList
	agent     string
	referer   string
	cookies   string
	netrc     bool
	netrcFile string
	proxy     string
	noProxy   string
	caCert    string
	insecure  bool
}

func (r *requestFlags) register(fs *flag.FlagSet) {
	fs.Var(&r.headers, "H", "send this header with every request, like 'Name: value' (repeatable; Cookie and Authorization go only to each URL's own server)")
	fs.StringVar(&r.agent, "U", "", "User-Agent to send (default potok)")
	fs.StringVar(&r.referer, "referer", "", "Referer to send")
	fs.StringVar(&r.cookies, "load-cookies", "", "send the cookies of this Netscape cookies.txt (as browsers' export extensions, curl, wget and aria2 write it)")
	fs.BoolVar(&r.netrc, "netrc", false, "log in with ~/.netrc's login for each server whose URL has none")
	fs.StringVar(&r.netrcFile, "netrc-file", "", "log in with this netrc file's logins (implies -netrc)")
	fs.StringVar(&r.proxy, "proxy", "", "proxy for every request: http://, https://, socks5:// or socks5h://HOST:PORT, with user:password@ if it wants them; \"direct\" for none (default: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY)")
	fs.StringVar(&r.noProxy, "no-proxy", "", "with -proxy: hosts and .domains reached directly, comma-separated (as NO_PROXY)")
	fs.StringVar(&r.caCert, "ca-cert", "", "trust the certificates in this PEM file besides the system's (as curl's --cacert)")
	fs.BoolVar(&r.insecure, "insecure", false, "do not check server certificates (anyone on the way can read and change the files: for tests only)")
}

// apply puts the flags into o, and says on stderr what the user must know on
// every run (an insecure run).
func (r *requestFlags) apply(o *downloader.Options, stderr io.Writer) error {
	o.Header, o.UserAgent, o.Referer = r.headers.h, r.agent, r.referer
	o.CookieFile, o.CACertFile, o.Insecure = r.cookies, r.caCert, r.insecure
	o.Proxy, o.NoProxy = r.proxy, r.noProxy
	if err := downloader.CheckProxy(r.proxy); err != nil {
		return fmt.Errorf("-proxy: %w", err)
	}
	if r.noProxy != "" && r.proxy == "" {
		return errors.New("-no-proxy goes with -proxy (without it, NO_PROXY in the environment says the same)")
	}
	if r.referer != "" {
		if _, err := downloader.ParseURL(r.referer); err != nil {
			return fmt.Errorf("-referer: %w", err)
		}
	}
	switch {
	case r.netrcFile != "":
		o.NetrcFile = r.netrcFile
	case r.netrc:
		home, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("-netrc: find the home folder: %w", err)
		}
		o.NetrcFile = filepath.Join(home, ".netrc")
	}
	if r.insecure {
		fmt.Fprintln(stderr, "potok get: warning: -insecure is on: server certificates are not checked, so anyone between you and the servers can read and change what you download")
	}
	return nil
}

// headerList is a repeatable -H flag.
type headerList struct{ h http.Header }

func (l *headerList) String() string {
	if l.h == nil {
		return ""
	}
	var names []string
	for k := range l.h {
		names = append(names, k)
	}
	return strings.Join(names, ", ")
}

func (l *headerList) Set(s string) error {
	name, value, err := downloader.ParseHeader(s)
	if err != nil {
		return err
	}
	if l.h == nil {
		l.h = make(http.Header)
	}
	l.h.Add(name, value)
	return nil
}
