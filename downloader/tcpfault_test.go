package downloader_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TCP-level faults (issue 10): the test server's faults are HTTP-level ones;
// these come from toxiproxy (toxiproxy_test.go) between the engine and the
// server, at the level of the TCP connection: resets, silence, cut-off
// connections, tiny segments, latency and a narrow pipe. Every case ends
// byte-exact, or failed with an error that says what happened, within a
// bound: never a hang, never a file done with wrong bytes.

// The engine's settings in these tests: short timeouts and backoff, so that
// the whole table runs in seconds.
const (
	tfStall     = 500 * time.Millisecond
	tfRetries   = 3
	tfBackoff   = 20 * time.Millisecond
	tfBackoffMx = 100 * time.Millisecond
	tfThreshold = 128 << 10 // Options.SegmentThreshold
	tfConns     = 4         // Options.Connections
	// tfRate paces each response at the server in the cases whose fault
	// strikes mid-body, so that the body is still coming when it does.
	tfRate = 512 << 10
	// tfSurvive bounds a download that must survive its fault.
	tfSurvive = 10 * time.Second
)

// tfFailRetries is Options.Retries in the cases that must fail, whose every
// attempt waits out the stall timeout: two attempts tell as much as more.
const tfFailRetries = 1

// failBound bounds a download that must fail: every attempt waits out the
// stall timeout, with the longest backoff between them, and slack for a
// loaded machine.
func failBound(o downloader.Options) time.Duration {
	return o.StallTimeout*time.Duration(o.Retries+1) + o.BackoffMax*time.Duration(o.Retries) + 2*time.Second
}

// A file is fetched over one connection (below the threshold) or in
// segments over tfConns.
type tfFile struct {
	name      string
	size      int64
	segmented bool
}

var tfFiles = []tfFile{
	{"single", 96 << 10, false},
	{"segmented", 384<<10 + 7, true}, // not a multiple of 4: uneven segments
}

// A protocol is plain HTTP/1.1, or HTTPS whose server offers HTTP/2: the
// engine then takes h2 for the file's first request (and for all of a
// single-connection file) and HTTP/1.1 for segments.
type tfProto struct {
	name string
	tls  bool
}

var tfProtos = []tfProto{{"http1", false}, {"h2", true}}

// faultRun is one download under a fault, for the fault's during step.
type faultRun struct {
	t    *testing.T
	e    *downloader.Engine
	tp   *toxicProxy
	id   downloader.ID
	size int64
}

func (r *faultRun) status() downloader.FileStatus { return status(r.t, r.e, r.id) }

// progressed waits until n bytes of the file are on disk, or it settled
// (then the fault comes too late; the checks after say so).
func (r *faultRun) progressed(n int64) {
	r.t.Helper()
	waitFor(r.t, fmt.Sprintf("%d bytes on disk", n), func() bool {
		f := r.status()
		return f.Done >= n || f.State.Finished()
	})
}

// retries counts the engine's retry events for the file whose error says
// what ("" for any).
func (r *faultRun) retries(what string) int {
	n := 0
	for _, ev := range r.e.Events(0) {
		if ev.Kind == downloader.EventRetry && ev.ID == r.id && strings.Contains(ev.Err, what) {
			n++
		}
	}
	return n
}

// retried waits for a retry whose error says what, or for the file to settle.
func (r *faultRun) retried(what string) {
	r.t.Helper()
	waitFor(r.t, "a retry after "+what, func() bool { return r.retries(what) > 0 || r.status().State.Finished() })
}

func (r *faultRun) add(tx toxic) {
	r.t.Helper()
	if err := r.tp.add(tx); err != nil {
		r.t.Fatalf("add toxic %s: %v", tx.Name, err)
	}
}

func (r *faultRun) remove(name string) {
	r.t.Helper()
	if err := r.tp.remove(name); err != nil {
		r.t.Fatalf("remove toxic %s: %v", name, err)
	}
}

// How many failed attempts a case expects.
type retryWant int

const (
	retriesNone retryWant = iota // not one attempt failed: the fault slows, it does not break
	retriesSome                  // at least one: the fault struck, and was survived
	retriesAny
)

type tcpFault struct {
	name string
	rate int64 // the server's pace per response in bytes/s; 0: as fast as it goes
	// before is in place when the download starts; during, if set, acts
	// while it runs (on the test's goroutine).
	before func(tp *toxicProxy) []toxic
	during func(r *faultRun)
	opts   func(o *downloader.Options)
	// fail is "" when the file must arrive byte-exact, else what its error
	// must say (FileStatus.Err, in words), after Retries+1 attempts.
	fail    string
	retries retryWant
	// retryErr, if set, is what at least one retry's error must say: the
	// fault struck as meant.
	retryErr string
	// atLeast, if set, is a duration the download cannot beat with the
	// toxic in the path: proof that the connection went through it.
	atLeast func(f tfFile) time.Duration
	// skip, if it says something, is why the case cannot pass yet.
	skip func(f tfFile, p tfProto) string
}

var tcpFaults = []tcpFault{
	{
		name: "latency",
		before: func(*toxicProxy) []toxic {
			return []toxic{latencyToxic("downstream", 40*time.Millisecond, 10*time.Millisecond),
				latencyToxic("upstream", 40*time.Millisecond, 10*time.Millisecond)}
		},
		retries: retriesNone,
		// A request and its answer: at least one round trip of 2 × 30 ms.
		atLeast: func(tfFile) time.Duration { return 60 * time.Millisecond },
	},
	{
		name:    "bandwidth",
		before:  func(*toxicProxy) []toxic { return []toxic{bandwidthToxic(1000)} }, // 1 MB/s a connection
		retries: retriesNone,
		atLeast: func(f tfFile) time.Duration {
			conns := int64(1)
			if f.segmented {
				conns = tfConns
			}
			return time.Duration(f.size*8/10/conns) * time.Millisecond / 1000 // 80 % of size/(1 MB/s × conns)
		},
	},
	{
		name:    "slicer",
		before:  func(*toxicProxy) []toxic { return []toxic{slicerToxic(100, 50, 20*time.Microsecond)} },
		retries: retriesNone,
	},
	{
		// Each connection is closed after 40 KB: the single file needs three,
		// within the budget of four attempts even as it stands.
		name:     "limit_data within the retries",
		before:   func(*toxicProxy) []toxic { return []toxic{limitDataToxic(40 << 10)} },
		retries:  retriesSome,
		retryErr: "connection closed before the whole file arrived",
	},
	{
		// Each connection is closed after 24 KB: five or more for the single
		// file, each one a step further, more than Retries allows if
		// progress counted as failure. (Not 16 KB: over HTTP/2 a DATA frame
		// holds up to 16 KB, and a frame cut short delivers nothing.)
		name:     "limit_data beyond the retries",
		before:   func(*toxicProxy) []toxic { return []toxic{limitDataToxic(24 << 10)} },
		retries:  retriesSome,
		retryErr: "connection closed before the whole file arrived",
	},
	{
		// A third of the way in, every connection is reset (RST); the retries
		// made while the toxic is there are reset too, then it goes.
		name:   "reset_peer mid-body",
		rate:   tfRate,
		before: func(*toxicProxy) []toxic { return []toxic{dormantResetPeer()} },
		during: func(r *faultRun) {
			r.progressed(r.size / 3)
			r.add(resetPeerToxic(0))
			r.retried("")
			r.remove("reset_peer")
		},
		// A longer first backoff than elsewhere: the retries made before the
		// toxic goes are reset too, and must not use up the budget.
		opts:     func(o *downloader.Options) { o.BackoffBase, o.BackoffMax = 50*time.Millisecond, 200*time.Millisecond },
		retries:  retriesSome,
		retryErr: "connection reset by the server",
	},
	{
		// Every connection is reset at its first answer, for good.
		name:    "reset_peer on every connection",
		before:  func(*toxicProxy) []toxic { return []toxic{resetPeerToxic(0)} },
		fail:    "connection reset by the server",
		retries: retriesAny,
	},
	{
		// A third of the way in, the connections go silent; once the engine
		// has noticed the stall the toxic goes, closing them.
		name: "timeout mid-body, then lifted",
		rate: tfRate,
		during: func(r *faultRun) {
			r.progressed(r.size / 3)
			r.add(timeoutToxic(0))
			r.retried("stalled")
			r.remove("timeout")
		},
		retries:  retriesSome,
		retryErr: "stalled",
	},
	{
		// A third of the way in, the open connections go silent for good;
		// new ones are fine. HTTP/1.1 gives up the stalled connection; an
		// HTTP/2 client keeps it unless a health check tells it is dead.
		name: "open connections hang mid-body",
		rate: tfRate,
		during: func(r *faultRun) {
			r.progressed(r.size / 3)
			r.add(r.tp.hangOpen())
		},
		retries:  retriesSome,
		retryErr: "stalled",
	},
	{
		// Every connection silent from its first byte, for good; the
		// handshake and header waits set to the stall timeout.
		name:   "timeout on every connection, short header wait",
		before: func(*toxicProxy) []toxic { return []toxic{timeoutToxic(0)} },
		opts: func(o *downloader.Options) {
			o.HeaderTimeout, o.TLSTimeout = tfStall, tfStall
			o.Retries = tfFailRetries
		},
		fail:    "timed out",
		retries: retriesAny,
	},
	{
		// The same with the engine's own header and handshake waits: the
		// stall timeout should bound them too.
		name:    "timeout on every connection",
		before:  func(*toxicProxy) []toxic { return []toxic{timeoutToxic(0)} },
		opts:    func(o *downloader.Options) { o.Retries = tfFailRetries },
		fail:    "timed out",
		retries: retriesAny,
	},
}

// TestTCPFaults runs every toxic against a single-connection file and a
// segmented one, over plain HTTP/1.1 and over HTTPS with HTTP/2.
func TestTCPFaults(t *testing.T) {
	t.Parallel()
	for _, fault := range tcpFaults {
		t.Run(fault.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range tfFiles {
				for _, p := range tfProtos {
					t.Run(f.name+"/"+p.name, func(t *testing.T) {
						t.Parallel()
						if fault.skip != nil {
							if why := fault.skip(f, p); why != "" {
								t.Skip(why)
							}
						}
						runTCPFault(t, fault, f, p)
					})
				}
			}
		})
	}
}

func runTCPFault(t *testing.T, fault tcpFault, f tfFile, p tfProto) {
	var sopts []dt.Option
	if fault.rate > 0 {
		sopts = append(sopts, dt.WithRate(fault.rate))
	}
	if p.tls {
		sopts = append(sopts, dt.WithTLS())
	}
	srv := newServer(t, sopts...)
	tp := newToxicProxy(t, srv)
	if fault.before != nil {
		for _, tx := range fault.before(tp) {
			if err := tp.add(tx); err != nil {
				t.Fatalf("add toxic %s: %v", tx.Name, err)
			}
		}
	}
	o := downloader.Options{
		Connections:      tfConns,
		SegmentThreshold: tfThreshold,
		StallTimeout:     tfStall,
		Retries:          tfRetries,
		BackoffBase:      tfBackoff,
		BackoffMax:       tfBackoffMx,
	}
	if p.tls {
		o.RootCAs = srv.CertPool()
	}
	if fault.opts != nil {
		fault.opts(&o)
	}
	e := newEngine(t, o)

	name := "tcp-" + f.name + ".bin"
	start := time.Now()
	id := add(t, e, tp.FileURL(name, f.size))[0]
	t.Cleanup(func() {
		if t.Failed() { // the engine's log, to tell what happened when
			for _, ev := range e.Events(0) {
				t.Logf("at %v: %s", ev.Time.Sub(start).Round(time.Millisecond), ev)
			}
		}
	})
	if fault.during != nil {
		fault.during(&faultRun{t: t, e: e, tp: tp, id: id, size: f.size})
	}
	bound := tfSurvive
	if fault.fail != "" {
		bound = failBound(o)
	}
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(bound))
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		st := status(t, e, id)
		t.Fatalf("not settled within %v: %v, %d of %d bytes after %d attempts (last error %q)",
			bound, st.State, st.Done, f.size, st.Attempts, st.Err)
	}
	took := time.Since(start)
	st := status(t, e, id)
	r := &faultRun{t: t, e: e, id: id}
	retried := r.retries("")
	t.Logf("%v in %v after %d attempts, %d retries; last error %q", st.State, took.Round(time.Millisecond), st.Attempts, retried, st.Err)

	if fault.fail == "" {
		if st.State != downloader.StateDone {
			t.Fatalf("%v after %d attempts (%q), want done byte-exact", st.State, st.Attempts, st.Err)
		}
		checkFile(t, st.Path, name, f.size)
		onlyFiles(t, e.Dir(), name)
		checkConnections(t, srv, name, f, p)
	} else {
		if st.State != downloader.StateFailed || !strings.Contains(st.Err, fault.fail) || st.Attempts != o.Retries+1 {
			t.Fatalf("%v after %d attempts, error %q; want failed after %d, saying %q",
				st.State, st.Attempts, st.Err, o.Retries+1, fault.fail)
		}
		if _, err := os.Lstat(st.Path); err == nil {
			t.Fatalf("failed, yet %s is there", st.Path)
		}
		if !f.segmented {
			// Whatever was kept for a later Retry is the file's beginning.
			if b, err := os.ReadFile(st.PartPath); err == nil && string(b) != string(dt.Content(name, f.size)[:min(len(b), int(f.size))]) {
				t.Fatalf("the .part kept holds %d bytes that are not the file's first ones", len(b))
			}
		}
	}
	switch {
	case fault.retries == retriesNone && retried > 0:
		t.Errorf("%d attempts failed; the fault should only slow the download: %v", retried, e.Events(0))
	case fault.retries == retriesSome && retried == 0:
		t.Errorf("no attempt failed: the fault did not strike, the case proves nothing")
	case fault.retryErr != "" && r.retries(fault.retryErr) == 0:
		t.Errorf("no retry says %q: the fault struck otherwise than meant: %v", fault.retryErr, e.Events(0))
	}
	if fault.atLeast != nil {
		if floor := fault.atLeast(f); took < floor {
			t.Errorf("took %v, less than the %v the toxic allows: did the connections go through the proxy?", took, floor)
		}
	}
}

// checkConnections fails unless the file came as the case says: over HTTP/2
// with TLS, HTTP/1.1 without, and the ranges of a segmented file over
// HTTP/1.1 in at least tfConns requests.
func checkConnections(t *testing.T, srv *dt.Server, name string, f tfFile, p tfProto) {
	t.Helper()
	var first string
	ranged := map[string]int{} // ranged GETs by protocol
	for _, r := range srv.Requests() {
		if !strings.HasSuffix(r.Path, "/"+name) {
			continue
		}
		if first == "" {
			first = r.Proto
		}
		if r.Method == "GET" && r.Range != "" {
			ranged[r.Proto]++
		}
	}
	want := "HTTP/1.1"
	if p.tls {
		want = "HTTP/2.0"
	}
	if first != want {
		t.Errorf("the first request went over %q, want %s", first, want)
	}
	if f.segmented && (ranged["HTTP/1.1"] < tfConns || len(ranged) != 1) {
		t.Errorf("the ranges came in %v requests; want at least %d, all HTTP/1.1", ranged, tfConns)
	}
}
