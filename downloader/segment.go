package downloader

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"potok/downloader/internal/safefs"
)

// Segmented downloads. A server that limits each connection (most mirrors and
// CDNs) sends one large file many times sooner over several connections, each
// asking for a byte range. The file's own slot is its first connection; each
// further one takes a global and a per-host slot without waiting, so files
// still queued keep their turn. Every connection writes its range at its
// offset into one preallocated .part; one that runs out of work takes the
// upper half of the largest range left (work stealing), so a slow connection
// never holds up the end. The ranges still to come are saved beside the .part
// (segment_sidecar.go) for resuming.

// Connections per file and the default segmenting threshold.
const (
	DefaultConnections      = 8
	MaxConnections          = 32
	DefaultSegmentThreshold = 16 << 20
)

const (
	// sidecarEvery is how often a running download saves its segments file;
	// a crash of the program costs at most this much transfer. syncEvery is
	// how often it also makes the .part durable; a crash of the machine
	// costs at most that much.
	sidecarEvery = time.Second
	syncEvery    = 10 * time.Second
	// segBufSize is each connection's read and write buffer: with 32
	// connections, 8 MiB in all.
	segBufSize = 256 << 10
)

var segBufPool = sync.Pool{New: func() any { b := make([]byte, segBufSize); return &b }}

func clampConnections(n int) int {
	if n <= 0 {
		return DefaultConnections
	}
	return min(n, MaxConnections)
}

// SetConnections changes how many connections one file may use (1–32; 0
// means the default, 8). A running segmented file grows to the new count as
// slots free, and shrinks as its extra connections finish their ranges.
func (e *Engine) SetConnections(n int) { e.conns.Store(int32(clampConnections(n))) }

// Connections returns how many connections one file may use.
func (e *Engine) Connections() int { return int(e.conns.Load()) }

// segmentable reports whether a fresh 200 answer of size bytes should be
// fetched in segments instead.
func (e *Engine) segmentable(it *item, hr *http.Response, size int64) bool {
	if size < e.opts.SegmentThreshold || e.Connections() < 2 || !acceptsByteRanges(hr.Header) {
		return false
	}
	if ce := hr.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return false // offsets into an encoded body are not offsets into the file
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	return !it.noSegments && !it.noResume // a server that got Range wrong once gets no more of them
}

func acceptsByteRanges(h http.Header) bool {
	for _, v := range h.Values("Accept-Ranges") {
		for _, unit := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(unit), "bytes") {
				return true
			}
		}
	}
	return false
}

// segmentClient is the engine's own client without HTTP/2. Over HTTP/2 every
// segment of a file would be a stream of one TCP connection, and a server
// that limits each connection would limit them all together: segments need
// connections of their own, as HTTP/1.1 gives.
func segmentClient(o *Options, n *network) *http.Client {
	c := newHTTPClient(o, n)
	if tr, ok := c.Transport.(*http.Transport); ok {
		var p http.Protocols
		p.SetHTTP1(true)
		tr.Protocols = &p
		tr.ForceAttemptHTTP2 = false
	}
	return c
}

// segment is one byte range [start, end) of the file. Its owner writes from
// pos on; a thief may lower end, but never below claimed, the end of what
// the owner is writing now, so no byte is written twice.
type segment struct {
	start int64
	pos   atomic.Int64 // bytes below pos are written
	// Guarded by segState.mu:
	end      int64
	claimed  int64
	owned    bool
	since    time.Time // when it was last taken, and
	sincePos int64     // pos then: the owner's speed, over retries too
}

// segState is one run of a segmented download.
type segState struct {
	e        *Engine
	it       *item
	f        *os.File
	part     string
	size     int64
	url      string // the download's URL, as added
	minSteal int64

	ctx    context.Context
	cancel context.CancelCauseFunc
	done   atomic.Int64 // bytes written
	conns  atomic.Int32 // live connections; changed under growMu
	growMu sync.Mutex
	over   chan struct{} // closed when the last connection ends

	mu        sync.Mutex
	segs      []*segment // by start
	target    string     // where the requests go: the URL after redirects
	etag      string
	lastMod   string
	cdName    string
	err       error        // the first failure that ends the run
	shown     *SegmentList // what status returned last
	saveMu    sync.Mutex
	savedDone int64
	saveFail  bool
	synced    [][3]int64 // the unfinished segments as of the last sync of the .part
}

// startSegments begins the segmented download of it, whose size and
// validators the first answer gave, from target (where redirects led). The
// segments file is written before the .part is preallocated, so a
// preallocated .part never stands without one.
func (e *Engine) startSegments(ctx context.Context, it *item, target string) error {
	size := it.size.Load()
	it.mu.Lock()
	sc := sidecar{URL: it.url, ETag: it.etag, LastModified: it.lastMod, Name: it.cdName, Size: size, Boot: safefs.BootID()}
	part := it.part
	it.mu.Unlock()
	n := int64(min(e.Connections(), MaxConnections))
	n = max(min(n, size), 1)
	for i := range n {
		a, b := size*i/n, size*(i+1)/n
		sc.Segments = append(sc.Segments, [3]int64{a, a, b})
	}
	sc.Synced = sc.Segments
	if err := writeSidecar(sidecarPath(part), sc, true); err != nil {
		return err
	}
	f, err := os.OpenFile(part, openPartFlags(), 0o644)
	if err == nil {
		err = safefs.Preallocate(f, size)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		// Nothing was fetched: leave no half-made files behind.
		os.Remove(part)
		removeSidecar(part, e.log)
		return err
	}
	return e.runSegments(ctx, e.newSegState(it, f, sc, target))
}

func openPartFlags() int { return os.O_RDWR | os.O_CREATE | safefs.OpenNoFollow }

// resumeSegments continues a segmented download from its segments file, if
// there is one, and reports whether it handled the attempt. A segments file
// that is damaged, of another URL, or does not match the .part beside it
// cannot be trusted: both are removed and the file starts over.
func (e *Engine) resumeSegments(ctx context.Context, it *item) (handled bool, err error) {
	it.mu.Lock()
	part := it.part
	it.mu.Unlock()
	sc, err := loadSidecar(sidecarPath(part))
	if errors.Is(err, fs.ErrNotExist) {
		// A .part of no bytes holds nothing: a plain GET, whose answer may
		// start segments, does better than grab's HEAD and Range.
		if fi, err := os.Lstat(part); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			os.Remove(part)
		}
		return false, nil
	}
	fi, perr := os.Lstat(part)
	var why string
	switch {
	case err != nil:
		why = err.Error()
	case perr != nil:
		why = "no partial file beside it"
	case !fi.Mode().IsRegular():
		return true, fmt.Errorf("%s: %w", part, safefs.ErrNotRegular)
	case sc.URL != it.url:
		why = "it belongs to another URL"
	case fi.Size() != sc.Size:
		why = fmt.Sprintf("the partial file holds %d bytes, not %d", fi.Size(), sc.Size)
	}
	if why != "" {
		e.log.Info("segments file not usable: starting the file over", "path", sidecarPath(part), "reason", why)
		// The .part first: a segments file without its .part is ignored,
		// while a preallocated .part without one would look finished.
		if err := os.Remove(part); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return true, fmt.Errorf("remove the partial file to start over: %w", err)
		}
		removeSidecar(part, e.log)
		it.done.Store(0)
		it.mu.Lock()
		it.etag, it.lastMod = "", ""
		it.mu.Unlock()
		e.changed()
		return false, nil
	}
	f, err := os.OpenFile(part, os.O_RDWR|safefs.OpenNoFollow, 0)
	if err != nil {
		return true, fmt.Errorf("open the partial file: %w", err)
	}
	it.mu.Lock()
	it.etag, it.lastMod = sc.ETag, sc.LastModified // of the bytes in this .part
	if it.cdName == "" {
		it.cdName = sc.Name
	}
	it.mu.Unlock()
	it.size.Store(sc.Size)
	e.changed()
	return true, e.runSegments(ctx, e.newSegState(it, f, sc, it.url))
}

func (e *Engine) newSegState(it *item, f *os.File, sc sidecar, target string) *segState {
	st := &segState{
		e: e, it: it, f: f, part: it.part, size: sc.Size, url: sc.URL,
		// A split costs a request, worth it for a large half only. Tied to
		// the threshold so that a lowered threshold also allows small steals.
		minSteal: min(max(e.opts.SegmentThreshold/16, 64<<10), 1<<20),
		over:     make(chan struct{}),
		target:   target, etag: sc.ETag, lastMod: sc.LastModified, cdName: sc.Name,
	}
	for _, s := range sc.todo() {
		seg := &segment{start: s[0], end: s[2], claimed: s[1]}
		seg.pos.Store(s[1])
		st.segs = append(st.segs, seg)
	}
	slices.SortFunc(st.segs, func(a, b *segment) int { return cmp.Compare(a.start, b.start) })
	st.done.Store(sc.Size - sc.left())
	st.savedDone = st.done.Load()
	st.synced = sc.Synced
	return st
}

// runSegments fetches what the segments lack, over the file's own slot and
// as many extra ones as it can get, saving the segments file every second,
// and finishes the file or leaves the .part and segments file consistent.
func (e *Engine) runSegments(ctx context.Context, st *segState) error {
	it := st.it
	it.done.Store(st.done.Load())
	it.seg.Store(st)
	defer func() {
		it.done.Store(st.done.Load())
		it.seg.Store(nil)
	}()
	st.ctx, st.cancel = context.WithCancelCause(ctx)
	defer st.cancel(nil)

	st.conns.Store(1)
	go st.conn(nil)
	st.grow()
	t := time.NewTicker(sidecarEvery)
	defer t.Stop()
	synced := time.Now()
wait:
	for {
		select {
		case <-st.over:
			break wait
		case now := <-t.C:
			if st.done.Load() != st.savedDone {
				sync := now.Sub(synced) >= syncEvery
				st.save(sync)
				if sync {
					synced = now
				}
			}
			st.grow() // slots other files gave back
		}
	}
	return st.end(ctx)
}

// end settles a run whose connections all ended.
func (st *segState) end(ctx context.Context) error {
	st.mu.Lock()
	err := st.err
	st.mu.Unlock()
	left := st.left()
	switch verdict := judgePart(err); {
	case verdict == partRangesUntrusted:
		// The whole file again, over one connection.
		st.it.mu.Lock()
		st.it.noSegments = true
		st.it.mu.Unlock()
		st.discard()
		return err
	case verdict == partOtherVersion:
		st.discard() // the bytes kept are of another file
		return err
	case err == nil && left == 0:
		st.it.slot.free() // all bytes are in: see heldSlot
		return st.finish()
	}
	st.save(true)
	st.f.Close()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err == nil {
		err = fmt.Errorf("%w: %d bytes were not fetched", ErrShortBody, left)
	}
	return err
}

// discard removes the .part and its segments file; the download loop starts
// the file over.
func (st *segState) discard() {
	st.f.Close()
	if err := os.Remove(st.part); err != nil && !errors.Is(err, fs.ErrNotExist) {
		st.e.log.Warn("cannot remove partial file", "path", st.part, "err", err)
	}
	removeSidecar(st.part, st.e.log)
	st.done.Store(0)
}

// finish moves the complete .part into place as a single transfer would, with
// the server's Last-Modified as its time, then drops the segments file.
func (st *segState) finish() error {
	e, it := st.e, st.it
	if err := st.f.Close(); err != nil {
		return fmt.Errorf("close the downloaded file: %w", err)
	}
	st.mu.Lock()
	lastMod, cd := st.lastMod, st.cdName
	st.mu.Unlock()
	if t, err := http.ParseTime(lastMod); err == nil {
		os.Chtimes(st.part, t, t)
	}
	it.mu.Lock()
	if it.cdName != "" {
		cd = it.cdName
	}
	it.mu.Unlock()
	err := e.complete(it, st.part, st.size, cd)
	switch {
	case err == nil, errors.Is(err, ErrChecksum): // the .part is gone either way
		removeSidecar(st.part, e.log)
	default:
		// Everything is fetched: say so on disk, so the next attempt only
		// tries the move again.
		if f, oerr := os.OpenFile(st.part, os.O_RDWR|safefs.OpenNoFollow, 0); oerr == nil {
			st.f = f
			st.save(true)
			f.Close()
		}
	}
	return err
}

func (st *segState) left() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	var n int64
	for _, s := range st.segs {
		n += s.end - s.pos.Load()
	}
	return n
}

// save records the positions written so far; with sync it first makes the
// .part durable and records the positions read before the sync as synced
// too (see segment_sidecar.go).
func (st *segState) save(sync bool) {
	st.saveMu.Lock()
	defer st.saveMu.Unlock()
	st.mu.Lock()
	sc := sidecar{URL: st.url, ETag: st.etag, LastModified: st.lastMod, Name: st.cdName, Size: st.size, Boot: safefs.BootID()}
	var done int64 = st.size
	for _, s := range st.segs {
		if pos := s.pos.Load(); pos < s.end {
			sc.Segments = append(sc.Segments, [3]int64{s.start, pos, s.end})
			done -= s.end - pos
		}
	}
	st.mu.Unlock()
	var err error
	if sync {
		if err = safefs.SyncData(st.f); err == nil {
			st.synced = sc.Segments
		}
	}
	sc.Synced = st.synced
	if err == nil {
		err = writeSidecar(sidecarPath(st.part), sc, sync)
	}
	if err != nil {
		if !st.saveFail {
			st.e.log.Warn("cannot save download progress", "path", sidecarPath(st.part), "err", err)
		}
		st.saveFail = true
		return
	}
	st.saveFail = false
	st.savedDone = done
}

// status lists the segments for a Snapshot: the same list as last time when
// nothing moved, so that FileStatus values compare equal.
func (st *segState) status() (*SegmentList, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	last := st.shown
	same := last != nil && len(*last) == len(st.segs)
	for i, s := range st.segs {
		if !same {
			break
		}
		same = (*last)[i] == SegmentStatus{Start: s.start, End: s.end, Done: s.pos.Load() - s.start}
	}
	if !same {
		out := make(SegmentList, len(st.segs))
		for i, s := range st.segs {
			out[i] = SegmentStatus{Start: s.start, End: s.end, Done: s.pos.Load() - s.start}
		}
		st.shown = &out
	}
	return st.shown, int(st.conns.Load())
}
