package downloader

import (
	"context"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"
)

// connGate lets the first request to an HTTPS origin open its connection
// alone. Requests started before a connection is up each dial and shake
// hands for one of their own, and over HTTP/2 all but one of those are
// closed as soon as HTTP/2 is agreed: at 16 in flight, 16 TLS handshakes for
// one connection used, on the client and on the server alike. Held back
// until the first is up, the others share it (HTTP/2), or dial their own
// (HTTP/1.1), one handshake's wait later, once per origin. They wait at
// most wait: a first connection that hangs (a server whose first TCP
// connection is never answered) must not hold them all until its own
// attempt times out.
type connGate struct {
	wait    time.Duration
	mu      sync.Mutex
	origins map[string]chan struct{} // closed once the origin's first connection is up, or its attempt ended
}

// maxGateWait bounds the wait for an origin's first connection: a TLS
// handshake even over a satellite link is done well within it.
const maxGateWait = 2 * time.Second

// pass returns once a request to origin may go. For the request that opens
// the gate it returns a context that opens it when the request's connection
// is up, and a func to call when the attempt ends, which opens it too (a
// dial that failed must not hold the others back).
func (g *connGate) pass(ctx context.Context, origin string) (context.Context, func(), error) {
	if !strings.HasPrefix(origin, "https:") {
		return ctx, func() {}, nil // without TLS a dial costs little, and HTTP/2 is not offered
	}
	g.mu.Lock()
	up, seen := g.origins[origin]
	if !seen {
		if g.origins == nil {
			g.origins = map[string]chan struct{}{}
		}
		up = make(chan struct{})
		g.origins[origin] = up
	}
	g.mu.Unlock()
	if seen {
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case <-up:
		case <-t.C: // the first is slow or stuck: dial anyway
		case <-ctx.Done():
			return ctx, nil, context.Cause(ctx)
		}
		return ctx, func() {}, nil
	}
	var once sync.Once
	open := func() { once.Do(func() { close(up) }) }
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { open() },
	}), open, nil
}
