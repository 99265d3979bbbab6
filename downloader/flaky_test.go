package downloader_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// Flaky links, slow limits and picky servers: the cases where an attempt
// ends early through no fault of the file, and what the engine must make of
// it.

// TestRateLimitIsNotAStall: holding back for Potok's own speed limit is not
// the server's silence. With 512 KiB reads at 2 MiB/s each read waits a
// quarter of a second for the limiter, longer than the 150 ms stall timeout,
// and the file must still arrive in one attempt.
func TestRateLimitIsNotAStall(t *testing.T) {
	const size = 1 << 20
	s := newServer(t)
	e := newEngine(t, downloader.Options{RateLimit: 2 << 20, ChunkSize: 512 << 10, StallTimeout: 150 * time.Millisecond})
	ids := add(t, e, s.FileURL("r.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Attempts != 1 {
		t.Fatalf("%s after %d attempts: %q; want done in one", f.State, f.Attempts, f.Err)
	}
	checkFile(t, f.Path, "r.bin", size)
}

// TestRateLimitIsNotAStallInSegments: the same for a file in segments, whose
// connections wait for the same limiter.
func TestRateLimitIsNotAStallInSegments(t *testing.T) {
	const size = 2 << 20
	s := newServer(t)
	e := newEngine(t, downloader.Options{RateLimit: 4 << 20, Connections: 4, SegmentThreshold: 1 << 20,
		StallTimeout: 150 * time.Millisecond, Retries: -1})
	ids := add(t, e, s.FileURL("rs.bin", size))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone {
		t.Fatalf("%s: %q", f.State, f.Err)
	}
	checkFile(t, f.Path, "rs.bin", size)
}

// TestHeaderWaitFollowsStall: without a header timeout of its own, the wait
// for response headers is the stall timeout, not 30 s.
func TestHeaderWaitFollowsStall(t *testing.T) {
	s := newServer(t, dt.WithTTFB(10*time.Second))
	e := newEngine(t, downloader.Options{StallTimeout: 100 * time.Millisecond, Retries: -1})
	t0 := time.Now()
	ids := add(t, e, s.FileURL("slow.bin", 10))
	wait(t, e)
	f := status(t, e, ids[0])
	if took := time.Since(t0); f.State != downloader.StateFailed || took > 3*time.Second || !strings.Contains(f.Err, "timed out") {
		t.Fatalf("%s after %v: %q; want failed with a timeout within about 100 ms", f.State, took, f.Err)
	}
}

// TestProgressDoesNotSpendRetries: a link that cuts every connection after
// 64 KiB (a flaky proxy) still delivers a file of twelve times that with
// two retries, because each attempt brings new bytes; a file that never
// progresses still fails after them.
func TestProgressDoesNotSpendRetries(t *testing.T) {
	const piece = 64 << 10
	s := newServer(t, dt.WithShortBody(piece))
	e := newEngine(t, downloader.Options{Retries: 2})
	ids := add(t, e, s.FileURL("flaky.bin", 12*piece))
	wait(t, e)
	f := status(t, e, ids[0])
	if f.State != downloader.StateDone || f.Attempts != 12 {
		t.Fatalf("%s after %d attempts: %q; want done after 12, each bringing 64 KiB", f.State, f.Attempts, f.Err)
	}
	checkFile(t, f.Path, "flaky.bin", 12*piece)
	if sent := s.BytesSent(); sent != 12*piece {
		t.Fatalf("server sent %d bytes for a file of %d: each attempt must resume", sent, 12*piece)
	}
	if snap := e.Snapshot(); snap.BytesFetched != 12*piece {
		t.Fatalf("fetched %d, want %d", snap.BytesFetched, 12*piece)
	}
}

// TestGiveUpAfterBoundsProgressingRetries: attempts that keep bringing bytes
// end too, once the give-up time has passed since the first failure; the
// bytes fetched are counted and kept. The same for a file in segments,
// each of whose connections keeps being cut.
func TestGiveUpAfterBoundsProgressingRetries(t *testing.T) {
	const piece = 64 << 10
	for _, conns := range []int{1, 4} {
		s := newServer(t, dt.WithShortBody(piece))
		e := newEngine(t, downloader.Options{Retries: 1, GiveUpAfter: 300 * time.Millisecond, Connections: conns,
			SegmentThreshold: 1 << 20, BackoffBase: 40 * time.Millisecond, BackoffMax: 40 * time.Millisecond})
		ids := add(t, e, s.FileURL("endless.bin", 200*piece))
		snap := wait(t, e)
		f := status(t, e, ids[0])
		if f.State != downloader.StateFailed || !strings.Contains(f.Err, "gave up") {
			t.Fatalf("%d connections: %s after %d attempts: %q; want failed, given up", conns, f.State, f.Attempts, f.Err)
		}
		if f.Done < 3*piece || snap.BytesFetched < f.Done {
			t.Fatalf("%d connections: kept %d, fetched %d; want several pieces of 64 KiB kept and counted", conns, f.Done, snap.BytesFetched)
		}
	}
}

// TestResumeWithoutHead: a server that refuses HEAD (403 or 405, as
// presigned S3 and CDN URLs do) and cuts every answer short still gets its
// file resumed, by ranged GETs alone; no HEAD is ever sent.
func TestResumeWithoutHead(t *testing.T) {
	for _, code := range []int{http.StatusForbidden, http.StatusMethodNotAllowed} {
		const size, piece = 400_000, 100_000
		var heads atomic.Int32
		s := newServer(t, dt.WithShortBody(piece), dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodHead {
				heads.Add(1)
				w.WriteHeader(code)
				return true
			}
			return false
		}))
		e := newEngine(t, downloader.Options{Retries: 1})
		ids := add(t, e, s.FileURL("nohead.bin", size))
		wait(t, e)
		f := status(t, e, ids[0])
		if f.State != downloader.StateDone {
			t.Fatalf("HEAD answered %d: %s after %d attempts: %q", code, f.State, f.Attempts, f.Err)
		}
		checkFile(t, f.Path, "nohead.bin", size)
		if s.BytesSent() != size || heads.Load() != 0 {
			t.Fatalf("HEAD answered %d: %d HEADs, %d bytes sent for %d: want no HEAD and no byte twice", code, heads.Load(), s.BytesSent(), size)
		}
		for _, r := range s.Requests()[1:] {
			if r.Range == "" {
				t.Fatalf("a retry asked for the whole file: %+v", r)
			}
		}
	}
}
