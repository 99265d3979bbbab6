package downloader

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// Segments go over HTTP/1.1 connections of their own even when the server
// speaks HTTP/2, where they would otherwise share one TCP connection and
// whatever limit the server puts on it.
func TestSegmentsUseConnectionsOfTheirOwn(t *testing.T) {
	content := make([]byte, 1<<20)
	for i := range content {
		content[i] = byte(i * 7)
	}
	var mu sync.Mutex
	protos := map[string]int{} // ranged requests by protocol
	conns := map[string]bool{} // and by client address
	first := ""
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Header.Get("Range") == "" {
			first = r.Proto
		} else {
			protos[r.Proto]++
			conns[r.RemoteAddr] = true
		}
		mu.Unlock()
		// Paced, so that one connection cannot fetch everything before the
		// others start, however loaded the machine.
		http.ServeContent(w, r, "f.bin", time.Time{}, &slowReader{bytes.NewReader(content)})
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	e, err := New(Options{Dir: t.TempDir(), Connections: 4, SegmentThreshold: 64 << 10, RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ids, err := e.Add(Entry{URL: srv.URL + "/f.bin"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	f := e.Snapshot().Files[0]
	if f.ID != ids[0] || f.State != StateDone {
		t.Fatalf("%v %q", f.State, f.Err)
	}
	got, err := os.ReadFile(f.Path)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("downloaded %d bytes, %v: not the served content", len(got), err)
	}
	mu.Lock()
	defer mu.Unlock()
	if first != "HTTP/2.0" {
		t.Fatalf("the first request went over %q: the server did not offer HTTP/2, the test proves nothing", first)
	}
	if protos["HTTP/1.1"] < 4 || len(protos) != 1 || len(conns) < 2 {
		t.Fatalf("segments went over %v from %d client addresses; want HTTP/1.1 only, over several connections", protos, len(conns))
	}
}

// slowReader hands out 32 KiB per Read, 10 ms apart: 3.2 MB/s per response.
type slowReader struct{ r *bytes.Reader }

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(10 * time.Millisecond)
	return s.r.Read(p[:min(len(p), 32<<10)])
}

func (s *slowReader) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }
