// Command wanserve is the far end of a WAN-like benchmark built from real
// parts, all on loopback: Potok's demo server speaking HTTPS with HTTP/2
// offered (ALPN h2 and http/1.1), behind Shopify's toxiproxy run in this
// process, which delays what passes each way and can pace each connection.
// bench/wan.sh starts it and points curl, wget2, aria2c and potok get at the
// URL it prints.
//
//	go run ./bench/wanserve -ca ca.pem -n 500 -size 16KiB -list list.txt -manifest sha256.txt
//	go run ./bench/wanserve -ca ca.pem -n 1 -size 256MiB -rate 10MB -list big.txt -manifest big.sha256
//
// It prints two lines once it serves, then serves until killed:
//
//	url https://127.0.0.1:PORT      the proxied base URL, for clients
//	control http://127.0.0.1:PORT   the counters, straight to wanserve
//
// The counters are the point of the control address: what each client did
// on the wire, counted where it happens rather than read from its manual.
// Connections are counted at the proxy, one per TCP connection accepted
// (a toxic of ours, first on each connection's downstream link, whose
// per-connection state toxiproxy makes once per connection); requests,
// their method and protocol at the server. POST /reset?tag=NAME closes the
// period running since the last reset, answers its counts as one JSON line
// (appended to -log as well), and starts a period called NAME; GET /stats
// answers the running period's without ending it. A benchmark resets before
// every run, so each run's counts stand on a line of their own.
package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	"potok/downloader/demoserver"
)

// config is what the flags say.
type config struct {
	latency  time.Duration // added each way: the round trip is twice this
	jitter   time.Duration
	rate     int64 // bytes a second per connection, server to client; 0: none
	size     int64 // bytes of every file
	n        int   // files listed: file1.bin … file<n>.bin
	host     string
	caFile   string
	list     string
	manifest string
	log      string
	control  string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("wanserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var rate, size string
	fs.DurationVar(&c.latency, "latency", 25*time.Millisecond, "delay added to what passes in each direction (round trip: twice this)")
	fs.DurationVar(&c.jitter, "jitter", 0, "± this much on each delay")
	fs.StringVar(&rate, "rate", "0", "bandwidth of each connection, server to client, in bytes a second like 10MB (SI: 10,000,000) or 8MiB; 0: none")
	fs.StringVar(&size, "size", "16KiB", "size of every file, like 16KiB or 256MiB")
	fs.IntVar(&c.n, "n", 500, "files in the list: file1.bin … fileN.bin")
	fs.StringVar(&c.host, "host", "127.0.0.1", "host name in the URLs: 127.0.0.1 or localhost (the certificate's names)")
	fs.StringVar(&c.caFile, "ca", "", "write the server's certificate (its own CA) to this PEM file")
	fs.StringVar(&c.list, "list", "", "write the files' proxied URLs to this file, one a line")
	fs.StringVar(&c.manifest, "manifest", "", "write the files' SHA-256 to this file, as sha256sum -c reads it")
	fs.StringVar(&c.log, "log", "", "append each period's counts to this file, a JSON line each")
	fs.StringVar(&c.control, "control", "127.0.0.1:0", "address of the counters (plain HTTP, not through the proxy)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.rate, err = parseSize("-rate", rate); err != nil {
		return c, err
	}
	if c.rate != 0 && c.rate < 1000 {
		return c, fmt.Errorf("-rate %s: toxiproxy paces in thousands of bytes a second; give 1kB or more", rate)
	}
	if c.size, err = parseSize("-size", size); err != nil {
		return c, err
	}
	if c.n < 1 {
		return c, fmt.Errorf("-n %d: give 1 or more", c.n)
	}
	if c.latency < 0 || c.jitter < 0 || c.jitter > c.latency {
		return c, fmt.Errorf("-latency %v -jitter %v: both 0 or more, jitter at most latency", c.latency, c.jitter)
	}
	if c.host != "127.0.0.1" && c.host != "localhost" {
		return c, fmt.Errorf("-host %q: the certificate is for 127.0.0.1 and localhost", c.host)
	}
	return c, nil
}

func parseSize(name, s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil || n > 1<<50 {
		return 0, fmt.Errorf("%s %q: want bytes like 16KiB, 10MB or 256MiB", name, s)
	}
	return int64(n), nil
}

// kbPerSec is toxiproxy's unit for the bandwidth toxic: its Rate is in
// thousands of bytes a second (it sleeps len/Rate milliseconds a chunk), on
// one link, that is one direction of one connection.
func kbPerSec(bytesPerSec int64) int64 { return bytesPerSec / 1000 }

// counts is one period of the counters.
type counts struct {
	Tag         string         `json:"tag"`
	Seconds     float64        `json:"seconds"`
	Connections int64          `json:"connections"`               // TCP connections accepted by the proxy
	PeakOpen    int64          `json:"peak_connections"`          // most open at once
	Busy        int64          `json:"busy_connections"`          // how many the server sent 1 MiB or more over, counted as it enters the proxy
	Used        int            `json:"connections_with_requests"` // as the server saw them
	Requests    int64          `json:"requests"`
	Methods     map[string]int `json:"methods"`
	Protocols   map[string]int `json:"protocols"` // per request: HTTP/1.1, HTTP/2.0
	// Most requests open at once as a client sees them: each from its
	// arrival at the server less the one-way latency to its handler's
	// return plus the latency (what the handler wrote is then on its way;
	// for small files that is all of it). The server's own count of
	// handlers running would miss that a request waits a round trip.
	PeakStreams int   `json:"peak_requests_in_flight"`
	BytesDown   int64 `json:"bytes_to_clients"` // through the proxy, TLS included
}

// stats is the live side of counts: the proxy's toxic and the server's
// hook write it from many goroutines.
type stats struct {
	conns, open, peakOpen, busy, bytesDown atomic.Int64

	mu        sync.Mutex
	tag       string
	began     time.Time
	requests  int64
	methods   map[string]int
	protocols map[string]int
	remotes   map[string]bool
	spans     []span // of the requests, for PeakStreams
	gen       int    // periods ended
	latency   time.Duration
}

// span is when the server held one request.
type span struct{ from, to time.Time }

func newStats() *stats {
	return &stats{began: time.Now(), methods: map[string]int{}, protocols: map[string]int{}, remotes: map[string]bool{}}
}

func (s *stats) request(r *http.Request) {
	from := time.Now()
	s.mu.Lock()
	i, gen := len(s.spans), s.gen
	s.spans = append(s.spans, span{from: from})
	go func() {
		// A server request's context ends when its handler returns.
		<-r.Context().Done()
		now := time.Now()
		s.mu.Lock()
		if s.gen == gen { // not reset meanwhile
			s.spans[i].to = now
		}
		s.mu.Unlock()
	}()
	s.requests++
	s.methods[r.Method]++
	s.protocols[r.Proto]++
	s.remotes[r.RemoteAddr] = true // the proxy's end of one client connection
	s.mu.Unlock()
}

func (s *stats) connOpened() {
	s.conns.Add(1)
	o := s.open.Add(1)
	for {
		p := s.peakOpen.Load()
		if o <= p || s.peakOpen.CompareAndSwap(p, o) {
			return
		}
	}
}

func (s *stats) connClosed() { s.open.Add(-1) }

// peakInFlight sweeps the spans, each widened by the latency either side;
// one still open counts as open until now.
func peakInFlight(spans []span, latency time.Duration, now time.Time) int {
	type edge struct {
		at time.Time
		d  int
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, sp := range spans {
		to := sp.to
		if to.IsZero() {
			to = now
		}
		edges = append(edges, edge{sp.from.Add(-latency), +1}, edge{to.Add(latency), -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.d - b.d // an end before a start at the same instant
	})
	open, peak := 0, 0
	for _, e := range edges {
		open += e.d
		peak = max(peak, open)
	}
	return peak
}

// snapshot returns the running period's counts, and with reset ends it and
// starts the next, called tag.
func (s *stats) snapshot(reset bool, tag string) counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := counts{
		Tag: s.tag, Seconds: time.Since(s.began).Seconds(),
		Connections: s.conns.Load(), PeakOpen: s.peakOpen.Load(), Busy: s.busy.Load(),
		Used: len(s.remotes), Requests: s.requests, Methods: s.methods, Protocols: s.protocols,
		BytesDown:   s.bytesDown.Load(),
		PeakStreams: peakInFlight(s.spans, s.latency, time.Now()),
	}
	if !reset {
		c.Methods, c.Protocols = clone(s.methods), clone(s.protocols)
		return c
	}
	s.tag, s.began = tag, time.Now()
	s.requests, s.methods, s.protocols, s.remotes = 0, map[string]int{}, map[string]int{}, map[string]bool{}
	s.spans = nil
	s.gen++
	s.conns.Store(0)
	s.busy.Store(0)
	s.bytesDown.Store(0)
	s.peakOpen.Store(s.open.Load())
	return c
}

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// theStats is the one the counting toxic reports to: toxiproxy makes its
// toxics from a registered type by reflection, so a toxic cannot be handed
// a pointer of ours; one process has one proxy.
var theStats = newStats()

// countToxic passes what it gets unchanged and counts connections and bytes
// into theStats. On a downstream link, NewState runs once per connection
// as the proxy starts it.
type countToxic struct{}

type countState struct{ bytes int64 }

const busyBytes = 1 << 20

const countType = "wanserve_count"

func (t *countToxic) NewState() any {
	theStats.connOpened()
	return new(countState)
}

func (t *countToxic) Pipe(stub *toxics.ToxicStub) {
	st := stub.State.(*countState)
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				theStats.connClosed()
				stub.Close()
				return
			}
			if st.bytes < busyBytes && st.bytes+int64(len(c.Data)) >= busyBytes {
				theStats.busy.Add(1)
			}
			st.bytes += int64(len(c.Data))
			theStats.bytesDown.Add(int64(len(c.Data)))
			stub.Output <- c
		}
	}
}

// toxic is one toxic as toxiproxy's API takes it.
type toxic struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Stream     string  `json:"stream"`
	Toxicity   float32 `json:"toxicity"`
	Attributes any     `json:"attributes"`
}

// toxicsFor lists the toxics in the order they act on each link: the count
// first, then the delay, then the pacing (after the delay, so that a paced
// chunk is not let through early: the latency toxic waits only for what is
// left of its delay since the chunk was read).
func toxicsFor(c config) []toxic {
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	list := []toxic{{Name: "count", Type: countType, Stream: "downstream", Toxicity: 1, Attributes: struct{}{}}}
	if c.latency > 0 {
		for _, dir := range []string{"upstream", "downstream"} {
			list = append(list, toxic{Name: "latency_" + dir, Type: "latency", Stream: dir, Toxicity: 1,
				Attributes: toxics.LatencyToxic{Latency: ms(c.latency), Jitter: ms(c.jitter)}})
		}
	}
	if c.rate > 0 {
		list = append(list, toxic{Name: "bandwidth", Type: "bandwidth", Stream: "downstream", Toxicity: 1,
			Attributes: toxics.BandwidthToxic{Rate: kbPerSec(c.rate)}})
	}
	return list
}

// fileNames are the listed files' names.
func fileNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "file" + strconv.Itoa(i+1) + ".bin"
	}
	return names
}

func writeFiles(c config, base string, cert []byte) error {
	names := fileNames(c.n)
	if c.caFile != "" {
		if err := os.WriteFile(c.caFile, cert, 0o644); err != nil {
			return err
		}
	}
	if c.list != "" {
		var b strings.Builder
		for _, n := range names {
			// No ?size=: every file has the server's default size, so
			// each client names its file plainly fileN.bin.
			b.WriteString(base + "/f/" + url.PathEscape(n) + "\n")
		}
		if err := os.WriteFile(c.list, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	if c.manifest != "" {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s  %s\n", demoserver.SHA256(n, c.size), n)
		}
		if err := os.WriteFile(c.manifest, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// controlHandler serves the counters.
func controlHandler(s *stats, logTo io.Writer) http.Handler {
	var logMu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.snapshot(false, ""))
	})
	mux.HandleFunc("GET /spans", func(w http.ResponseWriter, r *http.Request) {
		// When each request of the running period reached the server
		// and when its handler returned, in ms from the period's start:
		// the waves of requests a client sends, and the gaps between.
		s.mu.Lock()
		out := make([][2]float64, len(s.spans))
		for i, sp := range s.spans {
			out[i][0] = float64(sp.from.Sub(s.began).Microseconds()) / 1000
			if !sp.to.IsZero() {
				out[i][1] = float64(sp.to.Sub(s.began).Microseconds()) / 1000
			}
		}
		s.mu.Unlock()
		writeJSON(w, out)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		c := s.snapshot(true, r.URL.Query().Get("tag"))
		if logTo != nil {
			line, _ := json.Marshal(c)
			logMu.Lock()
			logTo.Write(append(line, '\n'))
			logMu.Unlock()
		}
		writeJSON(w, c)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(v)
	w.Write(append(b, '\n'))
}

func main() {
	c, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wanserve:", err)
		os.Exit(2)
	}
	if err := run(c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wanserve:", err)
		os.Exit(1)
	}
}

func run(c config, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := start(c)
	if err != nil {
		return err
	}
	defer w.close()
	fmt.Fprintf(stdout, "url %s\ncontrol %s\n", w.base, w.control)
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	return nil
}

var registerOnce sync.Once

// wan is a running server, proxy and control address.
type wan struct {
	base    string // https://HOST:PORT, through the proxy
	control string // http://127.0.0.1:PORT
	cert    *x509.Certificate
	closers []func()
}

func (w *wan) close() {
	for i := len(w.closers) - 1; i >= 0; i-- {
		w.closers[i]()
	}
}

// start brings up the server, the proxy in front of it with c's toxics, and
// the control address, and writes the files c names.
func start(c config) (w *wan, err error) {
	registerOnce.Do(func() {
		// Toxiproxy logs through zerolog: the proxy through the API
		// server's logger (Nop), the bandwidth toxic through zerolog's
		// global one.
		zerolog.SetGlobalLevel(zerolog.Disabled)
		toxics.Register(countType, new(countToxic))
	})
	w = new(wan)
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	srv := demoserver.NewTLSServer(
		demoserver.WithDefaultSize(c.size),
		demoserver.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
			theStats.request(r)
			return false
		}))
	w.closers = append(w.closers, srv.Close)
	w.cert = srv.Certificate()
	theStats.mu.Lock()
	theStats.latency = c.latency
	theStats.mu.Unlock()

	up, err := url.Parse(srv.URL)
	if err != nil {
		return w, err
	}
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "wan", "127.0.0.1:0", up.Host)
	if err := p.Start(); err != nil {
		return w, fmt.Errorf("start toxiproxy: %w", err)
	}
	w.closers = append(w.closers, p.Stop)
	for _, tx := range toxicsFor(c) {
		b, err := json.Marshal(tx)
		if err != nil {
			return w, err
		}
		if _, err := p.Toxics.AddToxicJson(bytes.NewReader(b)); err != nil {
			return w, fmt.Errorf("toxic %s: %w", tx.Name, err)
		}
	}
	_, port, err := net.SplitHostPort(p.Listen)
	if err != nil {
		return w, err
	}
	w.base = "https://" + net.JoinHostPort(c.host, port)

	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.cert.Raw})
	if err := writeFiles(c, w.base, cert); err != nil {
		return w, err
	}

	var logTo io.Writer
	if c.log != "" {
		f, err := os.OpenFile(c.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return w, err
		}
		w.closers = append(w.closers, func() { f.Close() })
		logTo = f
	}
	cl, err := net.Listen("tcp", c.control)
	if err != nil {
		return w, err
	}
	if h, _, _ := net.SplitHostPort(cl.Addr().String()); !net.ParseIP(h).IsLoopback() {
		cl.Close()
		return w, fmt.Errorf("-control %s is not a loopback address", c.control)
	}
	cs := &http.Server{Handler: controlHandler(theStats, logTo), ReadHeaderTimeout: 5 * time.Second}
	go cs.Serve(cl)
	w.closers = append(w.closers, func() { cs.Close() })
	w.control = "http://" + cl.Addr().String()
	return w, nil
}
