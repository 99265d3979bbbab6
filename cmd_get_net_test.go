package main

import (
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	dt "potok/downloader/demoserver"
)

// TestGetRequestFlags: -H, -U, -referer, -load-cookies and -netrc-file reach
// the server; a bad -H is bad usage, named.
func TestGetRequestFlags(t *testing.T) {
	var mu sync.Mutex
	var got http.Header
	s := dt.NewServer(dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		return false
	}))
	defer s.Close()
	dir := t.TempDir()
	cookies := filepath.Join(dir, "c.txt")
	netrc := filepath.Join(dir, "n")
	os.WriteFile(cookies, []byte("127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tc00kie\n"), 0o600)
	os.WriteFile(netrc, []byte("machine 127.0.0.1 login bob password n3t\n"), 0o600)
	code, _, errOut := runCLI(t, "", "get", "-q", "-no-queue", "-o", filepath.Join(dir, "out"),
		"-H", "X-One: 1", "-H", "X-Two: 2", "-U", "agent/9", "-referer", "https://example.com/p",
		"-load-cookies", cookies, "-netrc-file", netrc, s.FileURL("h.bin", 100))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	user, pass, _ := (&http.Request{Header: got}).BasicAuth()
	if got.Get("X-One") != "1" || got.Get("X-Two") != "2" || got.Get("User-Agent") != "agent/9" ||
		got.Get("Referer") != "https://example.com/p" || got.Get("Cookie") != "sid=c00kie" || user != "bob" || pass != "n3t" {
		t.Fatalf("the server got %v", got)
	}
	if code, _, errOut := runCLI(t, "", "get", "-H", "no colon", s.FileURL("x", 1)); code != 2 || !strings.Contains(errOut, "write it as Name: value") {
		t.Fatalf("bad -H: exit %d, %q", code, errOut)
	}
}

// TestGetTLSAndProxyFlags: -ca-cert trusts a server's CA, -insecure works
// and says so on the run, an untrusted server fails with advice, and a proxy
// that is down is named (exit 1).
func TestGetTLSAndProxyFlags(t *testing.T) {
	s := dt.NewTLSServer()
	defer s.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o644)
	get := func(args ...string) (int, string) {
		code, _, errOut := runCLI(t, "", append([]string{"get", "-q", "-no-queue", "-retries", "0", "-o", t.TempDir()}, args...)...)
		return code, errOut
	}
	if code, errOut := get("-ca-cert", ca, s.FileURL("a.bin", 10)); code != 0 {
		t.Fatalf("-ca-cert: exit %d: %s", code, errOut)
	}
	if code, errOut := get("-insecure", s.FileURL("b.bin", 10)); code != 0 || !strings.Contains(errOut, "-insecure is on") {
		t.Fatalf("-insecure: exit %d: %s", code, errOut)
	}
	if code, errOut := get(s.FileURL("c.bin", 10)); code != 1 || !strings.Contains(errOut, "add its CA with --ca-cert") {
		t.Fatalf("untrusted: exit %d: %s", code, errOut)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	if code, errOut := get("-proxy", "http://"+down, "-ca-cert", ca, "http://example.invalid/x.bin"); code != 1 ||
		!strings.Contains(errOut, "cannot reach the proxy "+down) {
		t.Fatalf("proxy down: exit %d: %s", code, errOut)
	}
	if code, errOut := get("-proxy", "ftp://x:1", s.FileURL("d", 1)); code != 2 || !strings.Contains(errOut, "socks5") {
		t.Fatalf("bad proxy: exit %d: %s", code, errOut)
	}
}
