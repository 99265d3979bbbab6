package downloader

import (
	"path/filepath"
	"time"
)

// FileStatus is one download as seen at one moment.
type FileStatus struct {
	ID       ID
	URL      string
	Name     string // file name in the folder (final once done)
	Path     string // absolute final path
	PartPath string // where the partial file is kept while unfinished
	State    State
	Done     int64         // bytes on disk
	Fetched  int64         // bytes that arrived for it in this engine, also for a file that failed
	Size     int64         // -1 while unknown
	Speed    float64       // bytes per second now, 0 when idle
	ETA      time.Duration // -1 when unknown
	Attempts int
	Err      string // last error in words ("" when none): Problem.Text
	// Problem is the last error as a kind and what it names, for callers
	// that word it themselves (the window, in the user's language).
	Problem Problem
	// HTTPStatus is the status of the server's answer a failed download
	// ended with (404, say), 0 when it ended otherwise or has not failed.
	HTTPStatus int
	Tag        string    // Entry.Tag
	RetryAt    time.Time // when queued for a retry, the time of the next attempt
	Worker     int       // slot running it, 0 when not running
	Elapsed    time.Duration

	// Connections is how many connections fetch the file now: 0 when not
	// running, 1 for a single transfer, more for a segmented one.
	Connections int
	// Segments are the byte ranges of a file fetched in segments while it
	// runs; nil otherwise. A pointer keeps FileStatus comparable with ==:
	// it changes only when a range does.
	Segments *SegmentList
}

// SegmentList is the byte ranges of a segmented download, in file order.
type SegmentList []SegmentStatus

// SegmentStatus is one byte range of a segmented download: [Start, End),
// of which the first Done bytes are on disk.
type SegmentStatus struct {
	Start, End, Done int64
}

// Totals sums a Snapshot.
type Totals struct {
	Count, Queued, Running, Paused, Done, Failed, Cancelled int   // files in each state; Count is all
	BytesDone                                               int64 // on disk, of files not failed or cancelled
	BytesFetched                                            int64 // arrived in this engine, over all files
	BytesTotal                                              int64 // sum of known sizes, plus an estimate for unknown ones
	Unknown                                                 int   // files (not done) whose size is unknown yet
	Speed                                                   float64
	ETA                                                     time.Duration // -1 when unknown
	Elapsed                                                 time.Duration // since the current (or last) batch began
}

// Left is the number of files neither done, failed nor cancelled.
func (t Totals) Left() int { return t.Queued + t.Running + t.Paused }

// Snapshot is the engine's state at one moment.
type Snapshot struct {
	Taken  time.Time
	Limit  int // downloads allowed at once
	Active int // slots held now; above Limit for a while after it shrinks
	Files  []FileStatus
	Totals
}

// Snapshot returns the state of every download. It is safe to call from any
// goroutine at any rate; it never waits on a transfer.
func (e *Engine) Snapshot() Snapshot {
	now := time.Now()
	e.mu.Lock()
	items := e.items[:len(e.items):len(e.items)]
	active := e.active
	start, end := e.batchStart, e.batchEnd
	e.mu.Unlock()

	s := Snapshot{Taken: now, Limit: e.Limit(), Active: e.limit.Active(), Files: make([]FileStatus, len(items))}
	t := &s.Totals
	t.Count = len(items)
	var knownSum int64
	var known int
	for i, it := range items {
		f := e.status(it, now)
		s.Files[i] = f
		switch f.State {
		case StateQueued:
			t.Queued++
		case StateRunning:
			t.Running++
		case StatePaused:
			t.Paused++
		case StateDone:
			t.Done++
		case StateFailed:
			t.Failed++
		case StateCancelled:
			t.Cancelled++
		}
		t.BytesFetched += f.Fetched
		if f.State == StateCancelled || f.State == StateFailed {
			continue
		}
		t.BytesDone += f.Done
		t.Speed += f.Speed
		if f.Size >= 0 {
			knownSum += f.Size
			known++
		} else {
			t.Unknown++
		}
	}
	t.BytesTotal = knownSum
	if t.Unknown > 0 && known > 0 {
		t.BytesTotal += knownSum / int64(known) * int64(t.Unknown)
	}
	t.ETA = -1
	if left := t.BytesTotal - t.BytesDone; t.Speed > 0 && (known > 0 || t.Unknown == 0) {
		t.ETA = time.Duration(float64(max(left, 0)) / t.Speed * float64(time.Second))
	}
	if !start.IsZero() {
		if active > 0 {
			t.Elapsed = now.Sub(start)
		} else {
			t.Elapsed = end.Sub(start)
		}
	}
	return s
}

func (e *Engine) status(it *item, now time.Time) FileStatus {
	done, size := it.progress()
	f := FileStatus{
		ID:       it.id,
		URL:      it.url,
		State:    it.State(),
		Done:     done,
		Fetched:  it.received(),
		Size:     size,
		ETA:      -1,
		Attempts: int(it.attempts.Load()),
	}
	it.mu.Lock()
	f.Path = it.final
	f.PartPath = it.part
	f.Name = filepath.Base(it.final)
	f.Problem = it.problem
	f.Err = f.Problem.Text
	f.Tag = it.tag
	if f.State == StateFailed {
		f.HTTPStatus = it.httpStatus
	}
	f.RetryAt = it.retryAt
	f.Elapsed = it.active
	if f.State == StateRunning && !it.attemptAt.IsZero() {
		f.Worker = it.worker
		f.Connections = 1
		f.Elapsed += now.Sub(it.attemptAt)
		f.Speed = it.speed.observe(now, done)
	}
	it.mu.Unlock()
	if st := it.seg.Load(); st != nil {
		f.Segments, f.Connections = st.status()
	}
	if f.Speed > 0 && size >= 0 {
		f.ETA = time.Duration(float64(max(size-done, 0)) / f.Speed * float64(time.Second))
	}
	return f
}
