package rpc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"potok/downloader"
)

// Path is where aria2 answers, and so where its clients look.
const Path = "/jsonrpc"

// DefaultAddr is aria2's default RPC address, on loopback only.
const DefaultAddr = "127.0.0.1:6800"

// DefaultPoll is how often the server takes a snapshot of the engine to
// tell WebSocket clients what changed.
const DefaultPoll = 250 * time.Millisecond

// Options configure a Server. Engine is required.
type Options struct {
	// Engine returns the engine the server works on now, or nil while
	// there is none (a window before its first download). The window may
	// swap engines when the user picks another folder: the server then
	// starts over on the new one, and the old engine's gids are no longer
	// known. It is called with the server's lock held, so it must not call
	// the Server.
	Engine func() *downloader.Engine
	// Open returns the engine, making one when there is none yet; calls
	// that need one (addUri, getGlobalOption, changeGlobalOption) use it.
	// Nil: Engine's is used, and those calls fail while it is nil. Called
	// with the server's lock held, like Engine.
	Open func() (*downloader.Engine, error)
	// Secret is what clients give as "token:SECRET", first of every call's
	// params. Empty takes any call, and is allowed only on loopback (see
	// Listen); browsers are then refused cross-origin calls.
	Secret string
	// Poll is how often the engine is polled for notifications while a
	// WebSocket client is connected; DefaultPoll when 0.
	Poll time.Duration
	// OnChange, when set, is told each global option changeGlobalOption
	// applied, with its value as aria2 would show it (the window moves its
	// slider and keeps the setting). It is called after the lock is let go.
	OnChange func(key, value string)
	// Version is Potok's version, told by getVersion beside the aria2
	// version whose RPC the server follows.
	Version string
	Logger  *slog.Logger // default slog.Default()
}

// Server answers aria2's JSON-RPC at Path, over HTTP (POST, and GET with
// ?method=&id=&params=BASE64) and WebSocket, on one engine's downloads: the
// same items, rows, limits and rules as the window's. It is an
// http.Handler; Serve runs it on a listener. All methods are safe for
// concurrent use.
type Server struct {
	opts      Options
	secretSum [32]byte
	log       *slog.Logger
	session   string

	mu sync.Mutex // guards t; taken around every snapshot, so that they are observed in order
	t  tracker

	subMu sync.Mutex
	subs  map[*subscriber]struct{}
	wake  chan struct{} // a first subscriber starts the poller's ticks

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a server on opts' engine and starts its poller; Close stops it.
func New(opts Options) *Server {
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Engine == nil {
		opts.Engine = func() *downloader.Engine { return nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	var session [20]byte
	_, _ = rand.Read(session[:])
	s := &Server{
		opts:      opts,
		secretSum: sha256.Sum256([]byte(opts.Secret)),
		log:       opts.Logger,
		session:   hex.EncodeToString(session[:]),
		subs:      map[*subscriber]struct{}{},
		wake:      make(chan struct{}, 1),
		ctx:       ctx,
		cancel:    cancel,
	}
	s.wg.Add(1)
	go s.poll()
	return s
}

// Close stops the poller, closes every WebSocket connection and waits for
// them. The engine is the caller's: it is not closed.
func (s *Server) Close() {
	s.subMu.Lock()
	s.cancel() // under subMu: no connection joins s.wg once Wait may run
	s.subMu.Unlock()
	s.wg.Wait()
}

// authorized reports whether token is the secret, in constant time (of the
// token's length too: both are hashed first).
func (s *Server) authorized(token string, given bool) bool {
	if s.opts.Secret == "" {
		return true
	}
	sum := sha256.Sum256([]byte(token))
	return given && subtle.ConstantTimeCompare(sum[:], s.secretSum[:]) == 1
}

// look takes a snapshot of the engine, tells WebSocket clients what changed
// since the last one, and returns the view calls answer from.
func (s *Server) look() *view {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookLocked(s.opts.Engine())
}

func (s *Server) lookLocked(eng *downloader.Engine) *view {
	var snap downloader.Snapshot
	if eng != nil {
		snap = eng.Snapshot()
	}
	v, notes := s.t.observe(eng, snap)
	for _, n := range notes {
		s.broadcast(n)
	}
	return v
}

// openLocked is the engine to add to or configure, made if need be.
func (s *Server) openLocked() (*downloader.Engine, *Error) {
	if s.opts.Open != nil {
		eng, err := s.opts.Open()
		if err != nil {
			return nil, failf("%v", err)
		}
		return eng, nil
	}
	if eng := s.opts.Engine(); eng != nil {
		return eng, nil
	}
	return nil, failf("no download folder is open yet")
}

// poll takes a snapshot every Poll while a WebSocket client listens, so
// that clients hear of changes. It is the only poller of the server.
func (s *Server) poll() {
	defer s.wg.Done()
	tick := time.NewTicker(s.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
		}
		if s.listeners() > 0 {
			s.look()
		}
	}
}

// subscriber is one WebSocket connection's queue of messages to send.
type subscriber struct {
	out  chan []byte
	slow chan struct{} // closed when a notification found out full
	once sync.Once
}

// subscriberQueue bounds what waits for one WebSocket client: a client that
// lets this much pile up is disconnected (it can reconnect and ask again)
// rather than slowing the poller or the other clients.
const subscriberQueue = 1024

func (s *Server) listeners() int {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	return len(s.subs)
}

// subscribe adds a WebSocket client, and counts its connection in s.wg;
// nil once the server is closing.
func (s *Server) subscribe() *subscriber {
	sub := &subscriber{out: make(chan []byte, subscriberQueue), slow: make(chan struct{})}
	s.subMu.Lock()
	if s.ctx.Err() != nil {
		s.subMu.Unlock()
		return nil
	}
	s.wg.Add(1)
	s.subs[sub] = struct{}{}
	s.subMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return sub
}

func (s *Server) unsubscribe(sub *subscriber) {
	s.subMu.Lock()
	delete(s.subs, sub)
	s.subMu.Unlock()
	s.wg.Done()
}

// broadcast queues a notification for every client without ever waiting.
func (s *Server) broadcast(msg []byte) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for sub := range s.subs {
		select {
		case sub.out <- msg:
		default:
			sub.once.Do(func() { close(sub.slow) })
		}
	}
}

// ServeHTTP answers at Path: a WebSocket upgrade, a POST of a call or a
// batch, or aria2's GET form. Other paths are not found.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != Path {
		http.NotFound(w, r)
		return
	}
	// Browser extensions and web front-ends (AriaNg) call from origins of
	// their own. With a secret every call but the two lists needs it, so
	// any origin may call, as aria2's --rpc-allow-origin-all allows; with
	// none, browsers keep their same-origin rule.
	if s.opts.Secret != "" && r.Header.Get("Origin") != "" {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization, Accept")
	}
	var body []byte
	switch {
	case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		s.serveWebSocket(w, r)
		return
	case r.Method == http.MethodOptions:
		w.Header().Set("Access-Control-Max-Age", "1728000")
		w.WriteHeader(http.StatusOK)
		return
	case r.Method == http.MethodPost:
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large or cut short", http.StatusRequestEntityTooLarge)
			return
		}
		body = b
	case r.Method == http.MethodGet:
		body = getBody(r)
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		http.Error(w, "aria2 JSON-RPC takes POST or GET", http.StatusMethodNotAllowed)
		return
	}
	out, code := s.handle(body)
	w.Header().Set("Content-Type", "application/json-rpc")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	_, _ = w.Write(out)
}

// getBody turns aria2's GET form (?method=M&id=ID&params=BASE64-of-a-JSON-list)
// into the call it stands for; the id is a string, as aria2 takes it.
func getBody(r *http.Request) []byte {
	q := r.URL.Query()
	c := map[string]any{}
	if q.Has("method") {
		c["method"] = q.Get("method")
	}
	if q.Has("id") {
		c["id"] = q.Get("id")
	}
	if p := q.Get("params"); p != "" {
		raw, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			raw, err = base64.URLEncoding.DecodeString(p)
		}
		if err != nil || !json.Valid(raw) {
			return []byte("not JSON") // answered as a parse error
		}
		c["params"] = json.RawMessage(raw)
	}
	b, _ := json.Marshal(c)
	return b
}

// handle answers a body with the HTTP status aria2 gives it: 200, 400 for
// a call that failed, 500 for a body that is not JSON.
func (s *Server) handle(body []byte) ([]byte, int) {
	req, perr := decodeRequest(body)
	if perr != nil {
		out, _ := json.Marshal(response{ID: nullID, JSONRPC: "2.0", Error: perr})
		return out, http.StatusInternalServerError
	}
	resps := make([]response, len(req.Calls))
	for i, c := range req.Calls {
		resps[i] = response{ID: c.ID, JSONRPC: "2.0"}
		if c.Err != nil {
			resps[i].Error = c.Err
			continue
		}
		resps[i].Result, resps[i].Error = s.dispatch(c.Method, c.Params)
	}
	if req.Batch {
		out, _ := json.Marshal(resps)
		return out, http.StatusOK
	}
	out, err := json.Marshal(resps[0])
	if err != nil {
		out, _ = json.Marshal(response{ID: resps[0].ID, JSONRPC: "2.0", Error: failf("cannot encode the answer: %v", err)})
	}
	if resps[0].Error != nil {
		return out, http.StatusBadRequest
	}
	return out, http.StatusOK
}

// serveWebSocket answers calls over one WebSocket connection, in order, and
// pushes notifications to it.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// Any origin, as above: a browser extension's is its own scheme.
		InsecureSkipVerify: s.opts.Secret != "",
	})
	if err != nil {
		return // Accept has answered
	}
	c.SetReadLimit(maxBody)
	sub := s.subscribe()
	if sub == nil {
		c.Close(websocket.StatusGoingAway, "server stopping")
		return
	}
	defer s.unsubscribe(sub)
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the only writer
		defer wg.Done()
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-sub.out:
				wctx, done := context.WithTimeout(ctx, 30*time.Second)
				err := c.Write(wctx, websocket.MessageText, msg)
				done()
				if err != nil {
					return
				}
			}
		}
	}()
	go func() { // a client too slow for its queue is cut off, mid-write too
		defer wg.Done()
		select {
		case <-sub.slow:
			c.CloseNow() // no close handshake: it would not read that either
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			break
		}
		out, _ := s.handle(data)
		select {
		case sub.out <- out:
		case <-ctx.Done():
		}
	}
	cancel()
	wg.Wait()
	if s.ctx.Err() != nil {
		c.Close(websocket.StatusGoingAway, "server stopping")
	} else {
		c.CloseNow()
	}
}

// Listen listens on addr for a Server with the given secret: any address
// on loopback, another only with a secret, since a secret is all that keeps
// others from adding downloads.
func Listen(addr, secret string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w; write it as 127.0.0.1:6800", addr, err)
	}
	if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) && secret == "" {
		return nil, fmt.Errorf("listen address %q is reachable from other machines: give a secret (-secret), or listen on 127.0.0.1", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return l, nil
}

// Serve answers on l until ctx ends, then stops the HTTP server, closes the
// WebSocket connections and returns. It does not Close s.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle(Path, s)
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve aria2 JSON-RPC: %w", err)
	case <-ctx.Done():
	}
	sctx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	err := hs.Shutdown(sctx)
	<-errc
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stop aria2 JSON-RPC: %w", err)
	}
	return nil
}

// NewSecret returns a fresh random secret: 24 characters of URL-safe
// base64 (144 bits), easy to paste into a client.
func NewSecret() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make an RPC secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
