package downloader

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"potok/downloader/internal/safefs"
)

// One connection of a segmented download: its requests, their checks, and
// its retries.

// conn is one connection: it fetches ranges until none is left. An extra
// connection (release != nil) gives its slots back after each range and
// takes them again only if nobody queued for them and the per-file count
// still allows it.
func (st *segState) conn(release func()) {
	bp := segBufPool.Get().(*[]byte)
	defer func() {
		segBufPool.Put(bp)
		if release != nil {
			release()
		}
		st.growMu.Lock()
		if st.conns.Add(-1) == 0 {
			close(st.over)
		}
		st.growMu.Unlock()
	}()
	for {
		seg, later := st.next()
		if seg == nil && later {
			t := time.NewTimer(stealWarmup / 5)
			select {
			case <-st.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		if seg == nil {
			return
		}
		if err := st.fetch(seg, *bp); err != nil {
			st.fail(err)
			return
		}
		if release != nil {
			release()
			release = nil
			if int(st.conns.Load()) > st.e.Connections() {
				return
			}
			r, ok := st.e.tryAdmit(st.it.host)
			if !ok {
				return
			}
			release = r
		}
		st.grow()
	}
}

// fail ends the run with err unless it is already ending.
func (st *segState) fail(err error) {
	st.mu.Lock()
	if st.err == nil && st.ctx.Err() == nil {
		st.err = err
	}
	st.mu.Unlock()
	st.cancel(err)
}

// fetch gets seg to its end, retrying on its own under the same policy as
// whole files (retrier): consecutive failures without a byte of progress
// count against Options.Retries.
func (st *segState) fetch(seg *segment, buf []byte) error {
	e := st.e
	retry := retrier{o: &e.opts}
	for {
		if st.ctx.Err() != nil {
			return context.Cause(st.ctx)
		}
		st.mu.Lock()
		pos, end := seg.pos.Load(), seg.end
		st.mu.Unlock()
		if pos >= end {
			return nil
		}
		wrote, err := st.get(seg, buf)
		if err == nil {
			retry = retrier{o: &e.opts}
			continue
		}
		progressed := wrote > 0 && wrote >= min(progressMin, end-pos)
		if st.ctx.Err() != nil {
			return context.Cause(st.ctx)
		}
		if judgePart(err) != partKept {
			return err // the whole run ends: see segState.end
		}
		at := seg.pos.Load()
		v := retry.next(err, progressed, time.Now())
		if v.err != nil {
			if !transient(err) {
				return err
			}
			return &gaveUpError{&placedError{at, v.err}}
		}
		e.events.add(retryEvent(st.it, retry.retries(), explain(&placedError{at, err}), v.wait))
		t := time.NewTimer(v.wait)
		select {
		case <-st.ctx.Done():
			t.Stop()
			return context.Cause(st.ctx)
		case <-t.C:
		}
	}
}

// get makes one request for what seg lacks and writes what arrives at its
// offset, stopping exactly at seg's end even when a thief lowers it meanwhile.
// It returns the bytes written.
func (st *segState) get(seg *segment, buf []byte) (int64, error) {
	e := st.e
	st.mu.Lock()
	pos, end, target := seg.pos.Load(), seg.end, st.target
	ifRange := ifRangeValue(st.etag, st.lastMod)
	st.mu.Unlock()
	req, err := http.NewRequestWithContext(st.ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, fmt.Errorf("build request for %s: %w", target, err)
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", pos, end-1))
	req.Header.Set("Accept-Encoding", "identity")
	e.decorate(req, st.it)
	if ifRange != "" {
		req.Header.Set("If-Range", ifRange)
	}
	resp, err := e.segHTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	stop, err := st.check(resp, pos, end)
	if err != nil {
		return 0, err
	}
	var wrote int64
	for pos < stop {
		n, rerr := resp.Body.Read(buf[:min(int64(len(buf)), stop-pos)])
		if n > 0 {
			st.mu.Lock()
			lim := min(seg.end, stop)
			w := max(min(int64(n), lim-pos), 0)
			seg.claimed = pos + w
			st.mu.Unlock()
			if w > 0 {
				if _, err := st.f.WriteAt(buf[:w], pos); err != nil {
					return wrote, fmt.Errorf("write %s: %w", st.part, err)
				}
				pos += w
				wrote += w
				seg.pos.Store(pos)
				st.done.Add(w)
				st.it.fetched.Add(w)
			}
			if err := e.rate.WaitN(st.ctx, n); err != nil {
				return wrote, err
			}
			if pos >= lim {
				return wrote, nil // the end, or a thief took the rest
			}
		}
		if rerr != nil {
			if rerr == io.EOF {
				rerr = fmt.Errorf("%w (%d bytes short)", ErrShortBody, stop-pos)
			}
			return wrote, rerr
		}
	}
	return wrote, nil
}

// check vets the answer to a request for [pos, end) (vetRange) and returns
// where its body ends; the answer's final URL and name are kept.
func (st *segState) check(resp *http.Response, pos, end int64) (stop int64, err error) {
	st.mu.Lock()
	known := version{etag: st.etag, lastMod: st.lastMod, size: st.size, recorded: true}
	st.mu.Unlock()
	if stop, err = vetRange(resp, pos, end, known); err != nil {
		return 0, err
	}
	st.mu.Lock()
	if u := resp.Request.URL.String(); u != st.target {
		st.target = u // redirected: the other connections go straight there
	}
	if st.cdName == "" {
		st.cdName = safefs.NameFromContentDisposition(resp.Header.Get("Content-Disposition"))
	}
	st.mu.Unlock()
	return stop, nil
}
