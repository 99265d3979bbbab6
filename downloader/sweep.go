package downloader

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// SweepRow is one worker count of a speedup measurement.
type SweepRow struct {
	Workers int
	Seconds float64 // wall time from the first request to the last file settled
	Done    int     // files that arrived
	Failed  int
}

// Sweep downloads the same entries once per worker count, each time into a
// fresh temporary folder that is removed afterwards, and times each run. Its
// progress can be polled from any goroutine while Run works.
type Sweep struct {
	entries []Entry
	workers []int
	base    Options

	run     atomic.Int32 // index of the run under way, from 0
	engine  atomic.Pointer[Engine]
	started atomic.Bool
}

// SweepProgress says how far a Sweep has got.
type SweepProgress struct {
	Run, Runs   int // runs finished, runs in all
	Workers     int // worker count of the run under way (0 when none)
	Done, Files int // files settled in the run under way, and per run
}

// NewSweep prepares a measurement of entries at each worker count. base gives
// the other engine options; its Dir and Parallel are ignored.
func NewSweep(entries []Entry, workers []int, base Options) *Sweep {
	return &Sweep{entries: entries, workers: workers, base: base}
}

// Progress returns the current progress.
func (s *Sweep) Progress() SweepProgress {
	p := SweepProgress{Run: int(s.run.Load()), Runs: len(s.workers), Files: len(s.entries)}
	if e := s.engine.Load(); e != nil {
		t := e.Snapshot().Totals
		p.Done = t.Done + t.Failed
		p.Workers = e.Limit()
	}
	return p
}

// Run measures every worker count in order and returns a row for each. It
// stops early, returning the rows so far and the context's error, when ctx ends.
func (s *Sweep) Run(ctx context.Context) ([]SweepRow, error) {
	if !s.started.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("downloader: a Sweep runs once")
	}
	var rows []SweepRow
	for i, w := range s.workers {
		s.run.Store(int32(i))
		row, err := s.once(ctx, w)
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	s.run.Store(int32(len(s.workers)))
	return rows, nil
}

func (s *Sweep) once(ctx context.Context, workers int) (SweepRow, error) {
	dir, err := os.MkdirTemp(s.base.Dir, "potok-sweep-")
	if err != nil {
		return SweepRow{}, fmt.Errorf("make a temporary folder for the measurement: %w", err)
	}
	defer os.RemoveAll(dir)
	o := s.base
	o.Dir, o.Parallel = dir, workers
	e, err := New(o)
	if err != nil {
		return SweepRow{}, err
	}
	s.engine.Store(e)
	defer func() {
		s.engine.Store(nil)
		e.Close()
	}()
	t0 := time.Now()
	if _, err := e.Add(s.entries...); err != nil {
		return SweepRow{}, err
	}
	if err := e.Wait(ctx); err != nil {
		return SweepRow{}, err
	}
	t := e.Snapshot().Totals
	return SweepRow{Workers: workers, Seconds: time.Since(t0).Seconds(), Done: t.Done, Failed: t.Failed}, nil
}
