package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// versionedServer serves one file, /f/v.bin, in the version set last, with
// its ETag, ranges and If-Range (http.ServeContent), paced so that a run
// lasts a few seconds. It records the If-Range of every ranged GET.
type versionedServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   []byte
	tag    string
	ranged []rangedGET
	sent   atomic.Int64
	run    atomic.Int32 // which run of the client this is, set by the test
}

// rangedGET is a request with a Range header, and the status it got.
type rangedGET struct {
	rng, ifRange string
	status       int
	run          int32 // the run it arrived in
}

func newVersionedServer(t *testing.T, size int) *versionedServer {
	t.Helper()
	v := &versionedServer{}
	v.set("A", size)
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		body, tag := v.body, v.tag
		v.mu.Unlock()
		run := v.run.Load()
		w.Header().Set("ETag", tag)
		cw := &countingWriter{ResponseWriter: w, n: &v.sent, status: http.StatusOK}
		http.ServeContent(cw, r, "v.bin", time.Time{}, &pacedReader{r: bytes.NewReader(body)})
		if rng := r.Header.Get("Range"); rng != "" {
			v.mu.Lock()
			v.ranged = append(v.ranged, rangedGET{rng, r.Header.Get("If-Range"), cw.status, run})
			v.mu.Unlock()
		}
	}))
	t.Cleanup(v.Close)
	return v
}

// set changes the served file to a version named tag, whose bytes differ
// from every other version's.
func (v *versionedServer) set(tag string, size int) {
	body := make([]byte, size)
	seed := sha256.Sum256([]byte(tag))
	for i := 0; i < size; i += 32 {
		seed = sha256.Sum256(seed[:])
		copy(body[i:], seed[:])
	}
	v.mu.Lock()
	v.body, v.tag = body, `"`+tag+`"`
	v.mu.Unlock()
}

func (v *versionedServer) content() []byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.body
}

// rangedGETs returns the ranged requests of one run, in the order they
// ended.
func (v *versionedServer) rangedGETs(run int32) []rangedGET {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []rangedGET
	for _, r := range v.ranged {
		if r.run == run {
			out = append(out, r)
		}
	}
	return out
}

type countingWriter struct {
	http.ResponseWriter
	n      *atomic.Int64
	status int
}

func (c *countingWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// pacedReader reads 16 KiB every 20 ms (about 800 kB/s): the server's pace.
type pacedReader struct{ r *bytes.Reader }

func (p *pacedReader) Read(b []byte) (int, error) {
	time.Sleep(20 * time.Millisecond)
	return p.r.Read(b[:min(len(b), 16<<10)])
}

func (p *pacedReader) Seek(off int64, whence int) (int64, error) { return p.r.Seek(off, whence) }

// TestKillNineEarlyNeverStitches kills `potok get` with SIGKILL a moment
// after the first bytes of a file reached its .part, before the queue
// file's next save, and runs the same command again. What the .part is a
// copy of (its ETag) must already be on disk then: if the server's file
// changed meanwhile, the second run must notice (If-Range with the old
// ETag) and fetch the new version whole, never stitch the old head to the
// new tail; if it did not change, the second run must continue the .part.
func TestKillNineEarlyNeverStitches(t *testing.T) {
	const size = 2_000_000
	bin := potokBinary(t)
	modes := []struct {
		name string
		args []string
		// started reports the first moment to kill at: the first bytes in
		// the .part for one connection; in segments, the .part preallocated
		// to its size (its segments file is written before that; killed
		// sooner, nothing of the file is kept and it simply starts over).
		started func(part string) bool
	}{
		{"one connection", []string{"-x", "1"}, func(part string) bool {
			fi, err := os.Stat(part)
			return err == nil && fi.Size() > 0
		}},
		{"segments", []string{"-x", "4", "-segment-min", "1MiB"}, func(part string) bool {
			fi, err := os.Stat(part)
			return err == nil && fi.Size() == size
		}},
	}
	for _, m := range modes {
		for _, changed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/changed=%v", m.name, changed), func(t *testing.T) {
				v := newVersionedServer(t, size)
				dir, cfg := t.TempDir(), t.TempDir()
				part := filepath.Join(dir, "v.bin.part")
				args := append([]string{"-q", "-o", dir}, m.args...)
				cmd := func() *exec.Cmd { return getCommand(bin, cfg, append(args, v.URL+"/f/v.bin")...) }
				killWhen(t, cmd(), "the download started", func() bool { return m.started(part) })
				v.run.Store(1)
				if changed {
					v.set("B", size)
				}
				second := cmd()
				if err := second.Run(); err != nil {
					t.Fatalf("second run: %v\n%s", err, second.Stderr)
				}
				got, err := os.ReadFile(filepath.Join(dir, "v.bin"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, v.content()) {
					t.Fatalf("v.bin (%d bytes) is not the served version", len(got))
				}
				rs := v.rangedGETs(1)
				if len(rs) == 0 || rs[0].ifRange != `"A"` {
					t.Fatalf("the second run's ranged requests %+v: the first must carry If-Range \"A\", the ETag on record before the first byte", rs)
				}
				want := http.StatusPartialContent
				if changed {
					want = http.StatusOK // If-Range at work: the whole new version
				}
				if rs[0].status != want {
					t.Fatalf("the resume %+v got %d, want %d", rs[0], rs[0].status, want)
				}
				t.Logf("the resume: %+v", rs[0])
			})
		}
	}
}
