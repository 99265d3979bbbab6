package downloader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"potok/downloader/internal/safefs"

	"github.com/cavaliergopher/grab/v3"
)

// download runs attempts until the file is done, fails for good, or ctx ends.
func (e *Engine) download(ctx context.Context, it *item) error {
	retry := retrier{o: &e.opts}
	for {
		it.setState(StateQueued)
		release, worker, err := e.admit(ctx, it.host)
		if err != nil {
			return err
		}
		e.begin(it, worker)
		it.slot = &heldSlot{release: release}
		err = e.attempt(ctx, it)
		e.end(it)
		it.slot.free()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if errors.Is(err, errBiggerBuffer) {
			it.attempts.Add(-1) // a change of buffer, not a try that failed
			if fi, serr := os.Lstat(it.part); serr == nil && fi.Size() == 0 {
				os.Remove(it.part) // so the next request is a plain GET, not a resume
			}
			continue
		}
		if e.startOver(it, err) {
			it.attempts.Add(-1) // the answer refused the resume: a step, not a try that failed
			continue
		}
		var gaveUp *gaveUpError
		if errors.As(err, &gaveUp) {
			return gaveUp.err // a segment already spent the retries on its own
		}
		v := retry.next(err, retry.progress(it.done.Load(), it.size.Load()), time.Now())
		if v.err != nil {
			return v.err
		}
		it.mu.Lock()
		it.setErr(err)
		it.retryAt = time.Now().Add(v.wait)
		p := it.problem
		it.mu.Unlock()
		it.setState(StateQueued)
		e.events.add(retryEvent(it, retry.retries(), p, v.wait))
		t := time.NewTimer(v.wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
	}
}

// startOver handles the answers that mean the partial file cannot be continued:
// it is emptied and the next attempt fetches the whole file, at once and without
// counting a failure, but only once per run so a broken server cannot loop us.
func (e *Engine) startOver(it *item, err error) bool {
	verdict := judgePart(err)
	if verdict == partKept {
		return false
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.restarted {
		return false
	}
	it.restarted = true
	it.noResume = verdict == partRangesUntrusted
	it.etag, it.lastMod = "", ""
	if terr := safefs.TruncatePart(it.part); terr != nil && !errors.Is(terr, fs.ErrNotExist) {
		return false
	}
	it.done.Store(0)
	e.log.Debug("starting over", "url", it.url, "reason", err)
	return true
}

func (e *Engine) begin(it *item, worker int) {
	now := time.Now()
	it.mu.Lock()
	it.worker = worker
	it.attemptAt = now
	it.retryAt = time.Time{}
	it.speed.reset()
	it.speed.observe(now, it.done.Load())
	it.mu.Unlock()
	it.attempts.Add(1)
	it.setState(StateRunning)
}

func (e *Engine) end(it *item) {
	it.mu.Lock()
	it.active += time.Since(it.attemptAt)
	it.attemptAt = time.Time{}
	it.mu.Unlock()
}

// attempt makes one try at the file through grab and, when the body arrived
// whole, verifies it and moves it to its final name.
func (e *Engine) attempt(ctx context.Context, it *item) error {
	it.mu.Lock()
	part := it.part
	it.mu.Unlock()
	if fi, err := os.Lstat(part); err == nil && !safefs.PlainFile(fi) {
		return fmt.Errorf("%s: %w", part, safefs.ErrNotRegular)
	}
	// A segmented .part is preallocated to its full size, which grab would
	// take for a finished file: only the segments code may open it.
	if handled, err := e.resumeSegments(ctx, it); handled {
		return err
	}
	kept, err := openKept(part)
	if err != nil {
		return err
	}
	if kept != nil {
		defer kept.f.Close()
	}
	ctx, opened, err := e.gate.pass(ctx, it.origin)
	if err != nil {
		return err
	}
	defer opened()
	req, err := e.grabRequest(ctx, it, kept)
	if err != nil {
		return err
	}
	resp := e.transfer(it, req, kept)
	if err := resp.Err(); err != nil {
		if errors.Is(err, errSegmented) {
			// The segments go to where redirects led, asked of once.
			return e.startSegments(ctx, it, resp.HTTPResponse.Request.URL.String())
		}
		if fi, serr := os.Lstat(part); serr == nil {
			it.done.Store(fi.Size()) // what is really kept for the next attempt
		}
		return e.wrapGrabError(resp, err)
	}
	if kept != nil && !safefs.StillAt(kept.f, part) {
		return fmt.Errorf("%s was replaced during the download: %w", part, safefs.ErrNotRegular)
	}
	it.slot.free() // the network part is over: the next file may start while this one is checked and moved
	return e.finish(it, resp)
}

// heldSlot is the slot an attempt runs in, given back once: as soon as the
// bytes are all in, so that checking and moving a file (a checksum of a large
// one takes seconds) never holds a connection's turn from the next file.
type heldSlot struct {
	once    sync.Once
	release func()
}

func (h *heldSlot) free() {
	if h != nil {
		h.once.Do(h.release)
	}
}

// keptPart is a .part that is there when an attempt begins, opened by the
// engine itself, never through a symlink: grab writes to that open file
// through /proc/self/fd (path), so a link planted under the name meanwhile
// cannot send the bytes elsewhere.
type keptPart struct {
	f    *os.File
	path string
	size int64
}

// openKept opens the .part if there is one; nil when there is none. A new
// .part is created by grab instead (creating it here would make grab
// truncate it, and on ext4 a file truncated to zero is flushed to disk when
// closed: 0.35 s more per GiB, and a flush per small file); it is checked
// before the first byte is written.
func openKept(part string) (*keptPart, error) {
	f, err := safefs.OpenPart(part)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	k := &keptPart{f: f, path: safefs.PinnedPath(f, part)}
	if fi, err := f.Stat(); err == nil {
		k.size = fi.Size()
	}
	return k, nil
}

// grabRequest builds the request of one attempt: a resume of kept when
// there is one (one ranged GET with If-Range), else the whole file into a
// new .part, vetted by checkResponse before grab writes a byte.
func (e *Engine) grabRequest(ctx context.Context, it *item, kept *keptPart) (*grab.Request, error) {
	it.mu.Lock()
	part, noResume, ifRange := it.part, it.noResume, ifRangeValue(it.etag, it.lastMod)
	it.mu.Unlock()
	path := part
	if kept != nil {
		path = kept.path
	}
	req, err := grab.NewRequest(path, it.url)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", RedactURL(it.url), err)
	}
	if kept != nil && !noResume {
		ctx = withLocalHead(ctx, it.size.Load()) // a resume is one ranged GET
	}
	req = req.WithContext(ctx)
	e.decorate(req.HTTPRequest, it)
	req.HTTPRequest.Header.Set("Accept-Encoding", "identity")
	if ifRange != "" {
		// A server whose file changed since the .part began then answers
		// with the whole new file, which checkResponse turns into a start
		// over, instead of sending the rest of a different file.
		req.HTTPRequest.Header.Set("If-Range", ifRange)
	}
	req.BufferSize = e.chunkFor(it.size.Load())
	req.NoCreateDirectories = true
	req.NoResume = noResume
	req.RateLimiter = e.rate
	req.BeforeCopy = func(r *grab.Response) error {
		if kept == nil {
			// grab has just created the .part by name: it must be a plain
			// file of ours, not a link planted since the Lstat above.
			if fi, err := os.Lstat(part); err != nil || !safefs.PlainFile(fi) || fi.Size() != 0 {
				return fmt.Errorf("%s changed while the request was sent: %w", part, safefs.ErrNotRegular)
			}
		}
		return e.checkResponse(it, r)
	}
	return req, nil
}

// transfer runs req through grab to its end, with its progress visible to
// Snapshot meanwhile, and counts the bytes that arrived.
func (e *Engine) transfer(it *item, req *grab.Request, kept *keptPart) *grab.Response {
	var had int64
	if kept != nil {
		had = kept.size
	}
	it.liveBase.Store(had)
	resp := e.grab.Do(req)
	it.live.Store(resp)
	<-resp.Done
	it.done.Store(resp.BytesComplete())
	it.live.Store(nil)
	if !resp.DidResume {
		had = 0 // grab started the .part over
	}
	it.fetched.Add(max(resp.BytesComplete()-had, 0))
	return resp
}

// checkResponse runs after the response headers arrive and before any byte is
// written. grab v3.0.1 appends whatever body comes back to a resumed file, so a
// server that ignores Range would corrupt it: that is refused here, as is a
// range of another version of the file, or of a version nobody recorded.
func (e *Engine) checkResponse(it *item, r *grab.Response) error {
	hr := r.HTTPResponse
	resumed := r.DidResume && hr.StatusCode == http.StatusPartialContent
	switch {
	case r.DidResume:
		it.mu.Lock()
		known := version{etag: it.etag, lastMod: it.lastMod, size: it.size.Load()}
		it.mu.Unlock()
		if _, err := vetRange(hr, max(rangeStart(r.Request.HTTPRequest.Header.Get("Range")), 0), -1, known); err != nil {
			return err
		}
	case hr.StatusCode == http.StatusPartialContent:
		// Not asked for a range, and given one: only the whole file, as a
		// range from its first byte, can be taken as the file.
		if start, _, total, ok := parseContentRange(hr.Header.Get("Content-Range")); !ok || start != 0 || (total >= 0 && total != r.Size()) {
			return fmt.Errorf("%w: asked for the whole file, got %q", ErrBadContentRange, hr.Header.Get("Content-Range"))
		}
	}
	it.size.Store(r.Size())
	name := serverName(hr, it.url)
	it.mu.Lock()
	if name != "" && (it.cdName == "" || safefs.NameFromContentDisposition(hr.Header.Get("Content-Disposition")) != "") {
		it.cdName = name
	}
	it.mu.Unlock()
	if !resumed {
		// The .part is (re)started from this answer: record what it is a
		// copy of, on disk, before grab writes its first byte, so that a
		// later resume, even after a crash a moment from now, can tell
		// whether the file changed.
		it.mu.Lock()
		it.etag, it.lastMod = hr.Header.Get("ETag"), hr.Header.Get("Last-Modified")
		it.mu.Unlock()
		e.changed()
		e.noteValidators(it)
	}
	if !r.DidResume && hr.StatusCode == http.StatusOK && e.segmentable(it, hr, r.Size()) {
		return errSegmented // nothing written yet: the segments take over (and record it)
	}
	if e.opts.ChunkSize == 0 && r.Request.BufferSize < e.chunkFor(r.Size()) {
		return errBiggerBuffer // nothing written yet: ask again with a big buffer
	}
	return nil
}

// chunkFor returns the buffer size for a file of the given size (-1: unknown).
func (e *Engine) chunkFor(size int64) int {
	switch {
	case e.opts.ChunkSize > 0:
		return e.opts.ChunkSize
	case size >= bigFile:
		return bigChunk
	}
	return smallChunk
}

func (e *Engine) wrapGrabError(resp *grab.Response, err error) error {
	var code grab.StatusCodeError
	if errors.As(err, &code) {
		se := &StatusError{Code: int(code)}
		if resp.HTTPResponse != nil {
			se.RetryAfter = parseRetryAfter(resp.HTTPResponse.Header.Get("Retry-After"), time.Now())
		}
		return se
	}
	return err
}

// finish checks what arrived, then moves the .part to its final name.
func (e *Engine) finish(it *item, resp *grab.Response) error {
	it.mu.Lock()
	part, cd := it.part, it.cdName
	it.mu.Unlock()
	fi, err := os.Lstat(part)
	if err != nil {
		return fmt.Errorf("check downloaded file: %w", err)
	}
	got, size := fi.Size(), resp.Size()
	if size >= 0 && got != size {
		return fmt.Errorf("%w (%d of %d bytes)", ErrShortBody, got, size)
	}
	if cd == "" && resp.HTTPResponse != nil { // grab found the file complete by a HEAD alone
		cd = safefs.NameFromContentDisposition(resp.HTTPResponse.Header.Get("Content-Disposition"))
	}
	return e.complete(it, part, got, cd)
}

// complete verifies a whole .part of got bytes (sha256, when the list gave
// one), moves it to its final name and reports the file finished. Single and
// segmented transfers both end here.
func (e *Engine) complete(it *item, part string, got int64, cd string) error {
	it.size.Store(got)
	it.done.Store(got)
	if it.sum != nil {
		if err := verifySHA256(part, it.sum); err != nil {
			if rerr := os.Remove(part); rerr == nil {
				it.done.Store(0)
			}
			return err
		}
	}
	final, err := e.place(it, part, cd)
	if err != nil {
		return err
	}
	it.mu.Lock()
	it.final = final
	worker, took := it.worker, it.active+time.Since(it.attemptAt)
	it.mu.Unlock()
	e.events.add(Event{Kind: EventFinished, ID: it.id, Worker: worker, Name: filepath.Base(final),
		Bytes: got, Took: took, Attempt: int(it.attempts.Load())})
	return nil
}

func verifySHA256(path string, want []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open for checksum: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("read for checksum: %w", err)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		return fmt.Errorf("%w: got sha256 %s, the list says %s", ErrChecksum, hex.EncodeToString(got), hex.EncodeToString(want))
	}
	return nil
}

// ifRangeValue picks the validator for If-Range: a strong ETag, else the
// Last-Modified date. A weak ETag cannot be used there (RFC 9110, 13.1.5).
func ifRangeValue(etag, lastMod string) string {
	switch {
	case etag != "" && !strings.HasPrefix(etag, "W/"):
		return etag
	case lastMod != "":
		return lastMod
	}
	return ""
}
