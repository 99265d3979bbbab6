package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

// pprofServer serves net/http/pprof on loopback while the program runs. It
// is owned by potokMain, which stops it when run returns.
type pprofServer struct {
	srv    *http.Server
	ln     net.Listener
	served chan struct{} // closed when Serve has returned, with err
	err    error
	stderr io.Writer
}

// startPprof serves net/http/pprof at addr, which must be 127.0.0.1:PORT
// (POTOK_PPROF). An empty addr serves nothing; one it cannot serve is
// reported on stderr. It returns nil when nothing is served; stop on nil does
// nothing.
func startPprof(addr string, stderr io.Writer) *pprofServer {
	if addr == "" {
		return nil
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		fmt.Fprintf(stderr, "potok: POTOK_PPROF=%q is not served: give a loopback address, 127.0.0.1:PORT\n", addr)
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "potok: POTOK_PPROF: %v; no profiles are served\n", err)
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", httppprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	p := &pprofServer{
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		ln:  ln, served: make(chan struct{}), stderr: stderr,
	}
	go func() {
		defer close(p.served)
		p.err = p.srv.Serve(ln)
	}()
	return p
}

// addr is the address the server listens on.
func (p *pprofServer) addr() string { return p.ln.Addr().String() }

// stop shuts the server down, waits for its goroutine, and reports on
// stderr if it had stopped serving before for another reason. A profile
// still being taken gets a second.
func (p *pprofServer) stop() {
	if p == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		p.srv.Close()
	}
	<-p.served
	if !errors.Is(p.err, http.ErrServerClosed) {
		fmt.Fprintf(p.stderr, "potok: the pprof server (POTOK_PPROF) stopped early: %v\n", p.err)
	}
}

// startCPUProfile writes a CPU profile to path (POTOK_CPUPROFILE) until the
// returned function is called. An empty path profiles nothing; a failure is
// reported on stderr and the program runs on without a profile.
func startCPUProfile(path string, stderr io.Writer) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "potok: POTOK_CPUPROFILE: %v; no profile is written\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "potok: POTOK_CPUPROFILE: %v; the profile may be incomplete\n", err)
		}
	}
}
