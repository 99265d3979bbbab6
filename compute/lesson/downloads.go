package lesson

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"potok/downloader"
)

// DownloadRow is one worker count of a download sweep in a mode.
type DownloadRow struct {
	Mode    Mode    `json:"mode"`
	Workers int     `json:"workers"`
	Seconds float64 `json:"seconds"` // from the first request (processes: the first start) to the last file settled
	Done    int     `json:"files_ok"`
	Failed  int     `json:"files_failed"`
}

// DownloadSweep fetches the same entries once per worker count in a mode,
// each run into a fresh temporary folder that is removed afterwards:
//
//   - Goroutines: downloader.Sweep, workers downloads at once.
//   - GIL: the same, with one GlobalLock as downloader.Options.GIL: every
//     transfer holds it while it handles bytes and lets go of it while it
//     waits for the network, as CPython's threads do. It still scales.
//   - Processes: the list split into workers contiguous shares, each fetched
//     by a child process (an engine with Parallel 1, into a folder of its
//     own), timed from the parent, the children's start included. A child
//     takes base's ChunkSize, Retries, network settings (proxy, certificates,
//     headers, cookies, logins, per-host cap) and its share of RateLimit.
//
// Its progress can be polled from any goroutine while Run works.
type DownloadSweep struct {
	mode    Mode
	entries []downloader.Entry
	workers []int
	base    downloader.Options
	gil     *GlobalLock

	inner   atomic.Pointer[downloader.Sweep] // goroutines and gil modes
	run     atomic.Int32
	current atomic.Int32 // workers of the processes run under way
	started atomic.Bool
}

// NewDownloadSweep prepares a measurement of entries at each worker count
// in mode. base gives the other engine options; its Dir, Parallel and GIL
// are ignored.
func NewDownloadSweep(mode Mode, entries []downloader.Entry, workers []int, base downloader.Options) *DownloadSweep {
	base.GIL = nil
	return &DownloadSweep{mode: mode, entries: entries, workers: workers, base: base}
}

// GILStats is what the sweep's GlobalLock counted (gil mode; zero otherwise).
func (s *DownloadSweep) GILStats() GILStats {
	if s.gil == nil {
		return GILStats{}
	}
	return s.gil.Stats()
}

// Progress says how far the sweep has got. In processes mode Done counts
// nothing until the run's children answer.
func (s *DownloadSweep) Progress() downloader.SweepProgress {
	if in := s.inner.Load(); in != nil {
		return in.Progress()
	}
	p := downloader.SweepProgress{Run: int(s.run.Load()), Runs: len(s.workers), Files: len(s.entries)}
	p.Workers = int(s.current.Load())
	return p
}

// Run measures every worker count in order and returns a row for each. It
// stops early, returning the rows so far and an error, when ctx ends.
func (s *DownloadSweep) Run(ctx context.Context) ([]DownloadRow, error) {
	if !s.started.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("lesson: a DownloadSweep runs once")
	}
	switch s.mode {
	case Goroutines, GIL:
		o := s.base
		if s.mode == GIL {
			s.gil = new(GlobalLock)
			o.GIL = s.gil
		}
		in := downloader.NewSweep(s.entries, s.workers, o)
		s.inner.Store(in)
		measured, err := in.Run(ctx)
		rows := make([]DownloadRow, len(measured))
		for i, m := range measured {
			rows[i] = DownloadRow{Mode: s.mode, Workers: m.Workers, Seconds: m.Seconds, Done: m.Done, Failed: m.Failed}
		}
		return rows, err
	case Processes:
		var rows []DownloadRow
		for i, w := range s.workers {
			s.run.Store(int32(i))
			s.current.Store(int32(w))
			row, err := s.inProcesses(ctx, w)
			if err != nil {
				return rows, err
			}
			rows = append(rows, row)
		}
		s.run.Store(int32(len(s.workers)))
		s.current.Store(0)
		return rows, nil
	}
	return nil, fmt.Errorf("downloads: no such mode %v", s.mode)
}

// getRequest is a child's share of a download run; getAnswer what came of it.
type (
	getRequest struct {
		Entries   []downloader.Entry `json:"entries"`
		Dir       string             `json:"dir"`
		ChunkSize int                `json:"chunk_size,omitempty"`
		Retries   int                `json:"retries,omitempty"`
		RateLimit int64              `json:"rate_limit,omitempty"`
		Net       childNet           `json:"net"`
	}
	getAnswer struct {
		Done    int     `json:"done"`
		Failed  int     `json:"failed"`
		Bytes   int64   `json:"bytes"`
		Seconds float64 `json:"seconds"`
	}
)

// inProcesses is one run: workers children, a share of the list each.
func (s *DownloadSweep) inProcesses(ctx context.Context, workers int) (DownloadRow, error) {
	dir, err := os.MkdirTemp(s.base.Dir, "potok-sweep-")
	if err != nil {
		return DownloadRow{}, fmt.Errorf("make a temporary folder for the measurement: %w", err)
	}
	defer os.RemoveAll(dir)
	k := min(workers, len(s.entries))
	shares := make([]*child, k)
	for c := range shares {
		lo, hi := shareRange(len(s.entries), k, c)
		shares[c] = &child{answer: new(getAnswer), header: getRequest{
			Entries: s.entries[lo:hi], Dir: filepath.Join(dir, fmt.Sprintf("worker-%d", c+1)),
			ChunkSize: s.base.ChunkSize, Retries: s.base.Retries, Net: netOf(s.base),
			// One limit for the run, shared out: each child gets its part.
			RateLimit: ceilDiv(s.base.RateLimit, int64(k))}}
	}
	t0 := time.Now()
	if err := runChildren(ctx, jobGet, shares); err != nil {
		return DownloadRow{}, err
	}
	row := DownloadRow{Mode: Processes, Workers: workers, Seconds: time.Since(t0).Seconds()}
	for _, c := range shares {
		a := c.answer.(*getAnswer)
		row.Done += a.Done
		row.Failed += a.Failed
	}
	return row, nil
}

// serveGet is the child's side: one engine, one download at a time, into
// the request's folder.
func serveGet(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	var req getRequest
	if _, err := readMessage(stdin, &req); err != nil {
		return err
	}
	if len(req.Entries) == 0 || req.Dir == "" {
		return errNoWork
	}
	o := downloader.Options{Dir: req.Dir, Parallel: 1, ChunkSize: req.ChunkSize,
		Retries: req.Retries, RateLimit: req.RateLimit}
	req.Net.apply(&o)
	e, err := downloader.New(o)
	if err != nil {
		return err
	}
	defer e.Close()
	t0 := time.Now()
	if _, err := e.Add(req.Entries...); err != nil {
		return err
	}
	if err := e.Wait(ctx); err != nil {
		return err
	}
	t := e.Snapshot().Totals
	return writeMessage(stdout, getAnswer{Done: t.Done, Failed: t.Failed, Bytes: t.BytesFetched, Seconds: time.Since(t0).Seconds()})
}

// childNet is what a child's engine takes of the parent's network settings:
// the same proxy, certificates, headers, cookies and logins as the window's.
type childNet struct {
	Header     map[string][]string `json:"header,omitempty"`
	UserAgent  string              `json:"user_agent,omitempty"`
	Referer    string              `json:"referer,omitempty"`
	CookieFile string              `json:"cookie_file,omitempty"`
	NetrcFile  string              `json:"netrc_file,omitempty"`
	Proxy      string              `json:"proxy,omitempty"`
	NoProxy    string              `json:"no_proxy,omitempty"`
	CACertFile string              `json:"ca_cert_file,omitempty"`
	Insecure   bool                `json:"insecure,omitempty"`
	PerHost    int                 `json:"per_host,omitempty"`
}

func netOf(o downloader.Options) childNet {
	return childNet{Header: o.Header, UserAgent: o.UserAgent, Referer: o.Referer, CookieFile: o.CookieFile,
		NetrcFile: o.NetrcFile, Proxy: o.Proxy, NoProxy: o.NoProxy, CACertFile: o.CACertFile, Insecure: o.Insecure,
		PerHost: o.PerHost}
}

func (n childNet) apply(o *downloader.Options) {
	o.Header, o.UserAgent, o.Referer = n.Header, n.UserAgent, n.Referer
	o.CookieFile, o.NetrcFile, o.Proxy, o.NoProxy = n.CookieFile, n.NetrcFile, n.Proxy, n.NoProxy
	o.CACertFile, o.Insecure, o.PerHost = n.CACertFile, n.Insecure, n.PerHost
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return a
	}
	return (a + b - 1) / b
}
