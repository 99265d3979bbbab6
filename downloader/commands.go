package downloader

import "fmt"

// SetLimit changes how many downloads run at once, also while they run.
func (e *Engine) SetLimit(n int) { e.limit.SetLimit(n) }

// Limit returns how many downloads may run at once.
func (e *Engine) Limit() int { return e.limit.Limit() }

// SetPerHost changes the cap on downloads at once to one host; 0 removes it.
// It applies to downloads admitted from now on.
func (e *Engine) SetPerHost(n int) {
	e.hostMu.Lock()
	defer e.hostMu.Unlock()
	e.perHost = max(n, 0)
	for _, l := range e.hosts {
		l.SetLimit(max(n, 1))
	}
}

// SetRateLimit changes the total speed limit in bytes per second; 0 removes it.
func (e *Engine) SetRateLimit(bytesPerSec int64) { e.rate.Set(bytesPerSec) }

// RateLimit returns the total speed limit in bytes per second, 0 if none.
func (e *Engine) RateLimit() int64 { return e.rate.Get() }

func (e *Engine) lookup(id ID) (*item, error) {
	it, ok := e.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrUnknownID, id)
	}
	return it, nil
}

// Pause stops a queued or running download and keeps its .part file.
func (e *Engine) Pause(id ID) error { return e.command(id, e.pauseLocked) }

// Resume continues a paused download from its .part file.
func (e *Engine) Resume(id ID) error { return e.command(id, e.resumeLocked) }

// Cancel stops a download that is not done and removes its .part file.
func (e *Engine) Cancel(id ID) error { return e.command(id, e.cancelLocked) }

// Retry starts a failed or cancelled download again, with a fresh retry budget.
func (e *Engine) Retry(id ID) error { return e.command(id, e.retryLocked) }

// PauseAll pauses every queued or running download.
func (e *Engine) PauseAll() { e.all(e.pauseLocked) }

// ResumeAll resumes every paused download.
func (e *Engine) ResumeAll() { e.all(e.resumeLocked) }

// CancelAll cancels every download that is not done.
func (e *Engine) CancelAll() { e.all(e.cancelLocked) }

// RetryFailed retries every failed download.
func (e *Engine) RetryFailed() {
	e.all(func(it *item) {
		if it.State() == StateFailed {
			e.retryLocked(it)
		}
	})
}

func (e *Engine) command(id ID, f func(*item)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, err := e.lookup(id)
	if err != nil {
		return err
	}
	f(it)
	return nil
}

func (e *Engine) all(f func(*item)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, it := range e.items {
		f(it)
	}
}

func (e *Engine) pauseLocked(it *item) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.running {
		return
	}
	it.want = wantPause
	if it.cancel != nil {
		it.cancel(errInterrupted)
	}
}

func (e *Engine) resumeLocked(it *item) {
	if e.closed {
		return
	}
	it.mu.Lock()
	ok := it.State() == StatePaused || (it.running && it.want == wantPause)
	it.mu.Unlock()
	if ok {
		e.spawnLocked(it)
	}
}

func (e *Engine) cancelLocked(it *item) {
	it.mu.Lock()
	defer it.mu.Unlock()
	switch {
	case it.running:
		it.want = wantCancel
		if it.cancel != nil {
			it.cancel(errInterrupted)
		}
	case it.State() == StatePaused || it.State() == StateFailed:
		// No goroutine writes the .part now, so it can go at once.
		it.want = wantCancel
		it.setState(StateCancelled)
		it.setErr(nil)
		e.removePartLocked(it)
	}
}

func (e *Engine) retryLocked(it *item) {
	if e.closed {
		return
	}
	it.mu.Lock()
	s := it.State()
	ok := !it.running && (s == StateFailed || s == StateCancelled)
	if ok {
		it.attempts.Store(0)
		it.setErr(nil)
		it.restarted = false
	}
	it.mu.Unlock()
	if ok {
		e.spawnLocked(it)
	}
}
