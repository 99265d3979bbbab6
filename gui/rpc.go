package gui

// The window answers aria2's JSON-RPC (downloader/rpc) on the Download
// tab's engine, so that the browser extensions made for aria2 hand it their
// links: the same rows, queue file, limits and rules as the window's own.
// It is on by default, on loopback only, and always guarded by a secret:
// one is made on the first start and kept in the preferences, and the
// Settings dialog shows it (settings_links.go).

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"syscall"

	"fyne.io/fyne/v2"

	"potok/downloader"
	"potok/downloader/rpc"
)

// Preference keys of the RPC.
const (
	prefRPCOn     = "rpcOn"
	prefRPCPort   = "rpcPort"
	prefRPCSecret = "rpcSecret"
)

// defaultRPCPort is aria2's, where its extensions look first.
const defaultRPCPort = 6800

// rpcConfig is how the server should run. It is comparable: a change is a !=.
type rpcConfig struct {
	On     bool
	Port   int // 1–65535 as the dialog takes it; 0, any free port, is for tests
	Secret string
}

func (c rpcConfig) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)) }

// loadRPCConfig reads the RPC settings, making and keeping a secret when
// none is kept yet (the first start).
func loadRPCConfig(p fyne.Preferences) rpcConfig {
	c := rpcConfig{On: p.BoolWithFallback(prefRPCOn, true), Port: p.IntWithFallback(prefRPCPort, defaultRPCPort), Secret: p.String(prefRPCSecret)}
	if c.Port < 0 || c.Port > 65535 {
		c.Port = defaultRPCPort
	}
	if c.Secret == "" {
		s, err := rpc.NewSecret()
		if err != nil {
			slog.Warn("the aria2 RPC stays off", "err", err) // the runner refuses to start without a secret
			return c
		}
		c.Secret = s
		p.SetString(prefRPCSecret, s)
	}
	return c
}

func (c rpcConfig) save(p fyne.Preferences) {
	p.SetBool(prefRPCOn, c.On)
	p.SetInt(prefRPCPort, c.Port)
	p.SetString(prefRPCSecret, c.Secret)
}

// rpcStatus is what the server does: where it answers, or why it does not.
type rpcStatus struct {
	Addr string // host:port; "" while it does not answer
	Err  error  // why it does not, when it should
}

// rpcService is the Download tab's side of the server: the settings in
// force and the last status, both on the UI goroutine, and the runner.
type rpcService struct {
	config rpcConfig
	status rpcStatus
	runner *rpcRunner
}

// newRPCService makes the service of t; nothing listens until the
// runner runs (Run starts it).
func newRPCService(t *downloadTab) *rpcService {
	return &rpcService{
		config: loadRPCConfig(t.app.Preferences()),
		runner: newRPCRunner(rpc.Options{
			Engine:   t.currentEngine,
			Open:     t.openForRPC,
			OnChange: t.inbox.option,
			Version:  t.app.Metadata().Version,
		}, t.inbox.rpcStatus),
	}
}

// apply keeps c and has the runner start, restart or stop the server. The
// same settings again retry a server that could not start.
func (s *rpcService) apply(c rpcConfig, p fyne.Preferences) {
	if c != s.config {
		s.config = c
		c.save(p)
	}
	s.runner.set(c)
}

// openForRPC is the server's Open: the engine, made on the chosen folder
// when there is none yet (a link that comes before any download).
// ensureEngine reads the widgets, so it runs on the UI goroutine; the UI
// goroutine never waits for the server (the runner does), so this cannot
// deadlock.
func (t *downloadTab) openForRPC() (*downloader.Engine, error) {
	if e := t.currentEngine(); e != nil {
		return e, nil
	}
	var e *downloader.Engine
	var err error
	fyne.DoAndWait(func() { e, err = t.ensureEngine() })
	if e == nil && err == nil { // Fyne drops what is queued while the window closes
		err = errors.New(tr("the Potok window is closing"))
	}
	return e, err
}

// applyRPCOption shows what an RPC client changed with changeGlobalOption
// (the engine has it already): the sliders move, the speed limit is
// rewritten, and they are remembered as if the user had set them. The
// Parallel downloads slider stops at 64: a client's 100 becomes 64.
func (t *downloadTab) applyRPCOption(key, value string) {
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return
	}
	switch key {
	case "max-concurrent-downloads":
		t.Parallel.SetValue(float64(n))
	case "split":
		t.Connections.SetValue(float64(n))
	case "max-overall-download-limit":
		t.RateLimit.SetText(rateText(n))
	}
}

// rateText writes a speed limit in bytes per second as the field takes it,
// exactly: "2MiB", "512KiB", "1500"; "" for none.
func rateText(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

// showRPCStatus shows the server's status: in the Download tab only when
// it should answer and cannot, in the Settings dialog always.
func (t *downloadTab) showRPCStatus(st rpcStatus) {
	t.rpc.status = st
	text, problem := rpcStatusText(t.rpc.config, st)
	if problem {
		setText(t.RPCNote, text)
		t.RPCNote.Show()
	} else {
		t.RPCNote.Hide()
	}
	if t.settings != nil {
		t.settings.showRPCStatus()
	}
}

// rpcStatusText says what the server does, and whether that is a problem.
func rpcStatusText(c rpcConfig, st rpcStatus) (string, bool) {
	switch {
	case !c.On:
		return tr("Off: browser extensions cannot hand links to this window."), false
	case errors.Is(st.Err, syscall.EADDRINUSE):
		return tr("Port %d is in use (by another Potok, or aria2c?), so browser extensions cannot reach this window. Choose another port in Settings, Links from the browser.", c.Port), true
	case st.Err != nil:
		return tr("Browser extensions cannot reach this window: %v", st.Err), true
	case st.Addr != "":
		return tr("Answering at http://%s/jsonrpc (WebSocket: ws://%s/jsonrpc).", st.Addr, st.Addr), false
	}
	return tr("Starting…"), false
}

// rpcRunner owns the server: its goroutine (run) starts, restarts and
// stops it as set asks, so that the UI goroutine never waits for a server
// to stop, while a call of that server may be waiting for the UI goroutine
// (openForRPC). It tells each new status to report.
type rpcRunner struct {
	opts   rpc.Options // without the secret
	report func(rpcStatus)
	mu     sync.Mutex
	want   rpcConfig
	wake   chan struct{}
}

func newRPCRunner(opts rpc.Options, report func(rpcStatus)) *rpcRunner {
	return &rpcRunner{opts: opts, report: report, wake: make(chan struct{}, 1)}
}

// set asks for c; the last one asked wins. Any goroutine may call it.
func (r *rpcRunner) set(c rpcConfig) {
	r.mu.Lock()
	r.want = c
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// serving is one server and its listener.
type serving struct {
	config rpcConfig
	srv    *rpc.Server
	cancel context.CancelFunc
	served chan error // Serve's error; it returns when cancel is called
}

// stop stops the HTTP server (waiting for the calls under way), then the
// server's poller and WebSocket connections. s may be nil.
func (s *serving) stop() {
	if s == nil {
		return
	}
	s.cancel()
	if err := <-s.served; err != nil {
		slog.Warn("aria2 RPC", "err", err)
	}
	s.srv.Close()
}

// run serves as set asks until ctx ends, then stops the server.
func (r *rpcRunner) run(ctx context.Context) {
	var cur *serving
	defer func() { cur.stop() }()
	for {
		var failed <-chan error
		if cur != nil {
			failed = cur.served
		}
		select {
		case <-ctx.Done():
			return
		case err := <-failed: // the listener failed under it
			cur.srv.Close()
			cur = nil
			r.report(rpcStatus{Err: err})
			continue
		case <-r.wake:
		}
		r.mu.Lock()
		c := r.want
		r.mu.Unlock()
		if cur != nil && cur.config == c {
			continue
		}
		cur.stop()
		cur = nil
		if !c.On {
			r.report(rpcStatus{})
			continue
		}
		var st rpcStatus
		cur, st = r.start(c)
		r.report(st)
	}
}

func (r *rpcRunner) start(c rpcConfig) (*serving, rpcStatus) {
	if c.Secret == "" {
		return nil, rpcStatus{Err: errors.New(tr("no secret could be made"))}
	}
	l, err := rpc.Listen(c.addr(), c.Secret)
	if err != nil {
		return nil, rpcStatus{Err: err}
	}
	o := r.opts
	o.Secret = c.Secret
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{config: c, srv: rpc.New(o), cancel: cancel, served: make(chan error, 1)}
	go func() { s.served <- s.srv.Serve(ctx, l) }()
	return s, rpcStatus{Addr: l.Addr().String()}
}
