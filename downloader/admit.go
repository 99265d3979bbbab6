package downloader

import (
	"context"

	"potok/downloader/internal/limiter"
)

// admit waits for a per-host slot (when capped) and then a global one, in that
// order, so that files of a busy host never sit on global slots other hosts
// could use.
func (e *Engine) admit(ctx context.Context, host string) (release func(), worker int, err error) {
	hl := e.hostLimiter(host)
	hslot := 0
	if hl != nil {
		if hslot, err = hl.Acquire(ctx); err != nil {
			return nil, 0, err
		}
	}
	slot, err := e.limit.Acquire(ctx)
	if err != nil {
		if hl != nil {
			hl.Release(hslot)
		}
		return nil, 0, err
	}
	return func() {
		e.limit.Release(slot)
		if hl != nil {
			hl.Release(hslot)
		}
	}, slot, nil
}

// hostLimiter returns the per-host limiter of host, nil when there is no cap.
func (e *Engine) hostLimiter(host string) *limiter.Limiter {
	e.hostMu.Lock()
	defer e.hostMu.Unlock()
	if e.perHost <= 0 {
		return nil
	}
	hl := e.hosts[host]
	if hl == nil {
		hl = limiter.New(e.perHost)
		e.hosts[host] = hl
	}
	return hl
}

// tryAdmit takes a per-host and a global slot for an extra connection if
// both are free now and nobody waits for one.
func (e *Engine) tryAdmit(host string) (release func(), ok bool) {
	hl := e.hostLimiter(host)
	hslot := 0
	if hl != nil {
		if hslot, ok = hl.TryAcquire(); !ok {
			return nil, false
		}
	}
	slot, ok := e.limit.TryAcquire()
	if !ok {
		if hl != nil {
			hl.Release(hslot)
		}
		return nil, false
	}
	return func() {
		e.limit.Release(slot)
		if hl != nil {
			hl.Release(hslot)
		}
	}, true
}
