package downloader_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// expiredServer serves "hello" over HTTPS under a certificate that expired
// yesterday, and returns it with a PEM file of that certificate.
func expiredServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, writePEM(t, der)
}

func writePEM(t *testing.T, der []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCertificates: an untrusted, expired or mismatched certificate fails at
// once (no retries) with words that say what is wrong and what to do; a CA
// given by file is trusted besides the system's; Insecure checks nothing.
func TestCertificates(t *testing.T) {
	s := newServer(t, dt.WithTLS())
	ca := writePEM(t, s.Certificate().Raw)
	expired, expiredCA := expiredServer(t)
	byName := strings.Replace(s.FileURL("n.bin", 10), "127.0.0.1", "localhost", 1)
	other, named, tn := namedServer(t, dt.WithTLS()) // its certificate is not for testHost
	namedCA := writePEM(t, other.Certificate().Raw)
	tests := []struct {
		name string
		url  string
		o    downloader.Options
		says string // "" for done
	}{
		{"unknown authority", s.FileURL("u.bin", 10), downloader.Options{}, "signed by an unknown authority; if you trust it, add its CA with --ca-cert"},
		{"CA file trusted", s.FileURL("c.bin", 10), downloader.Options{CACertFile: ca}, ""},
		{"by name, CA file", byName, downloader.Options{CACertFile: ca}, ""},
		{"expired", expired.URL + "/x.bin", downloader.Options{CACertFile: expiredCA}, "has expired or is not valid yet"},
		{"mismatched name", named + "/f/m.bin?size=10", downloader.WithDial(downloader.Options{CACertFile: namedCA}, tn.dial), "is for other names"},
		{"insecure", expired.URL + "/i.bin", downloader.Options{Insecure: true}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, tc.o)
			ids := add(t, e, tc.url)
			wait(t, e)
			f := status(t, e, ids[0])
			if tc.says == "" {
				if f.State != downloader.StateDone {
					t.Fatalf("%s %q", f.State, f.Err)
				}
				return
			}
			if f.State != downloader.StateFailed || f.Attempts != 1 || !strings.Contains(f.Err, tc.says) {
				t.Fatalf("%s after %d attempts: %q; want failed at once saying %q", f.State, f.Attempts, f.Err, tc.says)
			}
		})
	}
	if _, err := downloader.New(downloader.Options{Dir: t.TempDir(), CACertFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Fatal("a missing CA file was accepted")
	}
}

// TestHTTP2ManyFilesOneConnection: many small files from one HTTPS server
// go as streams of one HTTP/2 connection (ALPN), and an IPv6 literal URL
// works.
func TestHTTP2ManyFilesOneConnection(t *testing.T) {
	s := newServer(t, dt.WithTLS())
	e := newEngine(t, downloader.Options{RootCAs: s.CertPool(), Parallel: 8})
	add(t, e, s.List(40, 4<<10)...)
	if snap := wait(t, e); snap.Done != 40 {
		t.Fatalf("%+v", snap.Totals)
	}
	conns := map[string]bool{}
	for _, r := range s.Requests() {
		if r.Proto != "HTTP/2.0" {
			t.Fatalf("a request went over %s", r.Proto)
		}
		conns[r.RemoteAddr] = true
	}
	if len(conns) > 2 {
		t.Fatalf("%d connections for 40 files over HTTP/2, want one (two if the first dials raced)", len(conns))
	}

	v6, err := dt.Listen("[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer v6.Close()
	e6 := newEngine(t, downloader.Options{})
	ids := add(t, e6, v6.FileURL("six.bin", 1000))
	wait(t, e6)
	if f := status(t, e6, ids[0]); f.State != downloader.StateDone || f.Name != "six.bin" {
		t.Fatalf("[::1]: %s as %q: %q", f.State, f.Name, f.Err)
	}
}
