package downloader_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	dt "potok/downloader/demoserver"
)

// toxiproxyLeaks are for goleak in TestMain: the goroutines toxiproxy
// v2.12.0 itself leaves behind, blocked for good on a channel send. Each
// direction of a connection is a chain of goroutines joined by channels,
// and a link's end stops reading it without draining: when the client
// closes a connection while data is on its way (the engine does, ending
// a stalled attempt or a segmented file's first request), the writer to
// the client returns and the chain behind it blocks; reset_peer and
// limit_data stop reading their input once they struck, and so do the
// toxics before them. Stopping the proxy closes every connection, but no
// blocked send ever returns. Only toxiproxy's own goroutines are ignored:
// the engine's (its transports' connections included) are still checked.
var toxiproxyLeaks = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2.(*ToxicLink).read"),
	goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2/toxics.(*ToxicStub).Run"),
}

// toxicProxy is Shopify's toxiproxy, run in this process as a library,
// between the engine and a test server: TCP on loopback in, TCP on loopback
// out, with toxics that delay, throttle, slice, cut, reset or silence what
// passes. TLS, when the server speaks it, goes through untouched, end to
// end. The toxics act on every connection through the proxy, in the
// direction each names; those added while connections are open act on those
// too, from their next byte.
type toxicProxy struct {
	proxy *toxiproxy.Proxy
	srv   *dt.Server
	base  *url.URL // srv.URL with the proxy's address
}

var toxiproxyInit sync.Once

// newToxicProxy starts a proxy in front of srv on a free loopback port and
// stops it (closing every connection through it) when the test ends.
func newToxicProxy(t *testing.T, srv *dt.Server) *toxicProxy {
	t.Helper()
	toxiproxyInit.Do(func() {
		// Toxiproxy logs through zerolog: a proxy through its server's
		// logger (zerolog.Nop below), but some toxics (bandwidth) through
		// zerolog's global one, which only this level silences.
		zerolog.SetGlobalLevel(zerolog.Disabled)
		toxics.Register(hangOpenType, new(hangOpenToxic))
	})
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(api, t.Name(), "127.0.0.1:0", base.Host)
	if err := p.Start(); err != nil {
		t.Fatalf("start toxiproxy: %v", err)
	}
	t.Cleanup(p.Stop)
	base.Host = p.Listen // the port it took
	return &toxicProxy{proxy: p, srv: srv, base: base}
}

// FileURL is the server's FileURL, through the proxy.
func (tp *toxicProxy) FileURL(name string, size int64) string {
	u, err := url.Parse(tp.srv.FileURL(name, size))
	if err != nil {
		panic(err) // the server made it
	}
	u.Scheme, u.Host = tp.base.Scheme, tp.base.Host
	return u.String()
}

// toxic is one toxic as toxiproxy's API takes it. Attributes are the
// toxic's own struct from package toxics (toxics.LatencyToxic, ...).
type toxic struct {
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Stream     string  `json:"stream"` // "downstream" (server to client) or "upstream"
	Toxicity   float32 `json:"toxicity"`
	Attributes any     `json:"attributes"`
}

// add puts a toxic in place, on the open connections too. Toxicity 0 is
// kept as 0: the toxic is there but never acts (see dormantResetPeer).
func (tp *toxicProxy) add(tx toxic) error {
	b, err := json.Marshal(tx)
	if err != nil {
		return err
	}
	if tx.Type == hangOpenType {
		// The connections that get a state while it is added are the
		// open ones (toxiproxy holds its lock meanwhile, so no new one
		// starts): those hang. One that starts in the instant between
		// the add and the Store below would hang too; that costs it one
		// stall, never a wrong byte.
		armed := new(atomic.Bool)
		armed.Store(true)
		hangArming.Store(tx.Attributes.(hangOpenToxic).Proxy, armed)
		defer armed.Store(false)
	}
	_, err = tp.proxy.Toxics.AddToxicJson(bytes.NewReader(b))
	return err
}

// remove takes a toxic away. A timeout or hang_open toxic closes the
// connections it silenced as it goes, as toxiproxy's timeout toxic does.
func (tp *toxicProxy) remove(name string) error {
	return tp.proxy.Toxics.RemoveToxic(context.Background(), name)
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// The toxics of the tests, downstream (what the server sends) unless named
// otherwise. Toxicity is never updated once a toxic is in place: toxiproxy
// writes it while connections' goroutines read it, which the race detector
// rightly reports.

// latencyToxic delays every chunk by d ± jitter, in the given direction.
func latencyToxic(stream string, d, jitter time.Duration) toxic {
	return toxic{Name: "latency_" + stream, Type: "latency", Stream: stream, Toxicity: 1,
		Attributes: toxics.LatencyToxic{Latency: ms(d), Jitter: ms(jitter)}}
}

// bandwidthToxic paces each connection to kbPerSec thousand bytes a second.
func bandwidthToxic(kbPerSec int64) toxic {
	return toxic{Name: "bandwidth", Type: "bandwidth", Stream: "downstream", Toxicity: 1,
		Attributes: toxics.BandwidthToxic{Rate: kbPerSec}}
}

// slicerToxic cuts what passes into pieces of about avg ± variation bytes,
// each delay after the last, as a congested path hands TCP segments over.
func slicerToxic(avg, variation int, delay time.Duration) toxic {
	return toxic{Name: "slicer", Type: "slicer", Stream: "downstream", Toxicity: 1,
		Attributes: toxics.SlicerToxic{AverageSize: avg, SizeVariation: variation, Delay: int(delay.Microseconds())}}
}

// limitDataToxic closes each connection (FIN) once n bytes went through it.
func limitDataToxic(n int64) toxic {
	return toxic{Name: "limit_data", Type: "limit_data", Stream: "downstream", Toxicity: 1,
		Attributes: toxics.LimitDataToxic{Bytes: n}}
}

// resetPeerToxic resets each connection (RST) after the next chunk it would
// carry, dropping that chunk: on a connection opened while it is in place
// that is the first answer (the TLS ServerHello, or the response headers),
// on one that is open when it is added, the next piece of the body.
// Toxiproxy sends RST (SO_LINGER 0) only on connections that had a
// reset_peer toxic when they opened, so tests that add one mid-body put
// dormantResetPeer in place first; otherwise those close with FIN.
func resetPeerToxic(after time.Duration) toxic {
	return toxic{Name: "reset_peer", Type: "reset_peer", Stream: "downstream", Toxicity: 1,
		Attributes: toxics.ResetToxic{Timeout: ms(after)}}
}

// dormantResetPeer is a reset_peer toxic that never acts (toxicity 0) and is
// there so that toxiproxy sets SO_LINGER 0 on every connection: one that a
// later toxic closes is then reset, not closed.
func dormantResetPeer() toxic {
	tx := resetPeerToxic(0)
	tx.Name, tx.Toxicity = "linger0", 0
	return tx
}

// timeoutToxic silences connections: what the server sends is dropped, the
// connection stays open, for after, then is closed; 0 keeps it silent until
// the toxic is removed, which closes it.
func timeoutToxic(after time.Duration) toxic {
	return toxic{Name: "timeout", Type: "timeout", Stream: "downstream", Toxicity: 1,
		Attributes: toxics.TimeoutToxic{Timeout: ms(after)}}
}

// hangOpen silences the connections open when it is added, and only those.
func (tp *toxicProxy) hangOpen() toxic {
	return toxic{Name: hangOpenType, Type: hangOpenType, Stream: "downstream", Toxicity: 1,
		Attributes: hangOpenToxic{Proxy: tp.proxy.Name}}
}

// hangOpenToxic is a toxic of these tests, registered with toxiproxy's
// toxics.Register: the connections open when it is added go silent for good
// (what they carry is dropped, as the timeout toxic does; removing it closes
// them), while connections opened later pass untouched. That is a NAT or
// firewall that forgot one flow, or a server stuck on one connection: only a
// new connection helps, and a client makes one only if it notices.
type hangOpenToxic struct {
	Proxy string `json:"proxy"` // whose add arms it (hangArming)
}

const hangOpenType = "hang_open"

// hangArming maps a proxy's name to a flag that is true while a hang_open
// toxic is being added to it.
var hangArming sync.Map

type hangOpenState struct{ hang bool }

// NewState is called for each connection: for the open ones while the
// toxic is added, for each new one as it opens.
func (t *hangOpenToxic) NewState() any {
	v, _ := hangArming.Load(t.Proxy)
	armed, _ := v.(*atomic.Bool)
	return &hangOpenState{hang: armed != nil && armed.Load()}
}

func (t *hangOpenToxic) Pipe(stub *toxics.ToxicStub) {
	hang := stub.State.(*hangOpenState).hang
	for {
		select {
		case <-stub.Interrupt:
			return
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			if !hang {
				stub.Output <- c
			}
		}
	}
}

// Cleanup closes the silenced connections when the toxic is removed: data
// was dropped on them, so they must never carry more.
func (t *hangOpenToxic) Cleanup(stub *toxics.ToxicStub) {
	if stub.State.(*hangOpenState).hang {
		stub.Close()
	}
}
