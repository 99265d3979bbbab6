package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"potok/downloader/demoserver"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.latency != 25*time.Millisecond || c.rate != 0 || c.size != 16<<10 || c.n != 500 || c.host != "127.0.0.1" {
		t.Errorf("defaults: %+v", c)
	}
	c, err = parseFlags([]string{"-rate", "10MB", "-size", "256MiB", "-n", "1", "-latency", "40ms"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// 10 MB/s is 10,000 of toxiproxy's kilobytes (1000 bytes) a second.
	if c.rate != 10_000_000 || kbPerSec(c.rate) != 10_000 || c.size != 256<<20 || c.latency != 40*time.Millisecond {
		t.Errorf("got %+v", c)
	}
	for _, bad := range [][]string{
		{"-rate", "500"},          // below toxiproxy's unit
		{"-rate", "fast"},         // not a size
		{"-host", "example.com"},  // not a name of the certificate
		{"-n", "0"},               // no files
		{"-jitter", "30ms"},       // more than the latency
		{"-latency", "1s", "any"}, // stray argument
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestPeakInFlight(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// Two requests 30 ms apart, each held 1 ms: apart as the server sees
	// them, but both open at once for a client 25 ms away.
	spans := []span{{at(100), at(101)}, {at(130), at(131)}}
	if got := peakInFlight(spans, 0, at(200)); got != 1 {
		t.Errorf("no latency: %d in flight, want 1", got)
	}
	if got := peakInFlight(spans, 25*time.Millisecond, at(200)); got != 2 {
		t.Errorf("25 ms each way: %d in flight, want 2", got)
	}
}

func TestCountsThroughTheProxy(t *testing.T) {
	dir := t.TempDir()
	c := config{n: 3, size: 16 << 10, host: "127.0.0.1", control: "127.0.0.1:0",
		caFile: filepath.Join(dir, "ca.pem"), list: filepath.Join(dir, "list.txt"), manifest: filepath.Join(dir, "sha256")}
	w, err := start(c)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()

	list, err := os.ReadFile(c.list)
	if err != nil {
		t.Fatal(err)
	}
	urls := strings.Fields(string(list))
	if len(urls) != 3 || urls[0] != w.base+"/f/file1.bin" {
		t.Fatalf("list: %q", urls)
	}
	manifest, _ := os.ReadFile(c.manifest)
	if want := demoserver.SHA256("file2.bin", c.size) + "  file2.bin\n"; !strings.Contains(string(manifest), want) {
		t.Errorf("manifest %q lacks %q", manifest, want)
	}

	// The client trusts the PEM file, as curl --cacert does.
	pemBytes, _ := os.ReadFile(c.caFile)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the CA file holds no certificate")
	}
	reset := func(tag string) counts {
		t.Helper()
		resp, err := http.Post(w.control+"/reset?tag="+tag, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got counts
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	reset("test")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	defer client.CloseIdleConnections()
	for _, u := range urls[:2] {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		name := u[strings.LastIndex(u, "/")+1:]
		if !bytes.Equal(body, demoserver.Content(name, c.size)) || resp.ProtoMajor != 2 {
			t.Errorf("%s: %d bytes over %s", u, len(body), resp.Proto)
		}
	}
	got := reset("next")
	if got.Tag != "test" || got.Connections != 1 || got.Used != 1 || got.Requests != 2 ||
		got.Protocols["HTTP/2.0"] != 2 || got.PeakStreams != 1 || got.BytesDown < 2*c.size {
		t.Errorf("counts of two GETs on one connection: %+v", got)
	}
}
