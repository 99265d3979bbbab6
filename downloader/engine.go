package downloader

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cavaliergopher/grab/v3"

	"potok/downloader/internal/limiter"
	"potok/downloader/internal/safefs"
)

// Engine downloads files in parallel. All methods are safe for concurrent use.
type Engine struct {
	opts Options
	dir  string
	log  *slog.Logger
	grab *grab.Client
	// segHTTP makes the requests of segmented downloads (see segmentClient).
	segHTTP watchClient
	// closeIdle releases the client's idle connections on Close.
	closeIdle func()
	rate      *byteRate
	limit     *limiter.Limiter
	conns     atomic.Int32 // connections per file, for SetConnections

	hostMu  sync.Mutex
	perHost int
	hosts   map[string]*limiter.Limiter

	ctx  context.Context
	stop context.CancelCauseFunc
	wg   sync.WaitGroup

	mu         sync.Mutex // guards the fields below; taken before any item's mu
	items      []*item
	byID       map[ID]*item
	names      map[string]ID // reserved final names, lower-cased
	nextID     ID
	closed     bool
	active     int           // goroutines owning an item
	idle       chan struct{} // closed while active == 0
	batchStart time.Time
	batchEnd   time.Time

	events eventLog

	q *persister // nil when no queue file is kept
}

// New returns an engine that writes into opts.Dir, creating it if needed.
// With a queue file that another Potok holds it fails with *QueueBusyError.
func New(opts Options) (*Engine, error) {
	opts = opts.withDefaults()
	if opts.Dir == "" {
		return nil, errors.New("downloader: no folder given: set Options.Dir")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("resolve download folder %q: %w", opts.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create download folder: %w; choose a folder you can write to", err)
	}
	// One folder is one folder by whichever link it is reached: its queue,
	// its lock and the names in it are those of its real path.
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("resolve download folder %q: %w", opts.Dir, err)
	}
	hc, segHC := opts.HTTPClient, opts.HTTPClient
	if hc == nil {
		hc, segHC = newHTTPClient(&opts), segmentClient(&opts)
	}
	ctx, stop := context.WithCancelCause(context.Background())
	e := &Engine{
		opts:      opts,
		dir:       dir,
		log:       slog.New(maskingHandler{opts.Logger.Handler()}),
		rate:      newByteRate(opts.RateLimit),
		limit:     limiter.New(opts.Parallel),
		perHost:   opts.PerHost,
		hosts:     make(map[string]*limiter.Limiter),
		ctx:       ctx,
		stop:      stop,
		byID:      make(map[ID]*item),
		names:     make(map[string]ID),
		idle:      make(chan struct{}),
		closeIdle: func() { hc.CloseIdleConnections(); segHC.CloseIdleConnections() },
		events:    eventLog{max: opts.EventLog},
	}
	close(e.idle)
	e.conns.Store(int32(opts.Connections))
	if opts.QueueFile != "" {
		if err := e.openQueue(opts.QueueFile); err != nil {
			stop(nil)
			return nil, err
		}
	}
	e.grab = &grab.Client{
		HTTPClient: watchClient{c: hc, stall: opts.StallTimeout, header: opts.HeaderTimeout},
		UserAgent:  opts.UserAgent,
	}
	e.segHTTP = watchClient{c: segHC, stall: opts.StallTimeout, header: opts.HeaderTimeout}
	return e, nil
}

// Dir returns the absolute download folder.
func (e *Engine) Dir() string { return e.dir }

// Add queues entries and starts a goroutine for each; they run as slots free.
// Each entry gets its own file, even when two would have the same name. An
// entry the queue file knows continues where it was: same file name, same
// .part, and a file already downloaded is done at once.
func (e *Engine) Add(entries ...Entry) ([]ID, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	ids := make([]ID, 0, len(entries))
	fresh := make([]*item, 0, len(entries))
	var err error
	for _, en := range entries {
		canon, perr := ParseURL(en.URL)
		if perr != nil {
			err = fmt.Errorf("add %s: %w", RedactURL(en.URL), perr)
			break
		}
		var it *item
		if rec, ok := e.takeRecordLocked(canon); ok {
			it = e.itemFromRecord(rec, en.SHA256)
		} else {
			it = e.newItemLocked(canon, en.SHA256)
		}
		e.items = append(e.items, it)
		e.byID[it.id] = it
		ids = append(ids, it.id)
		if it.State() != StateDone {
			fresh = append(fresh, it)
		}
	}
	if e.q != nil && len(ids) > 0 {
		e.changed()
		e.saveQueueLocked()
	}
	for _, it := range fresh {
		e.spawnLocked(it)
	}
	return ids, err
}

func (e *Engine) newItemLocked(canon string, sum []byte) *item {
	u, _ := url.Parse(canon)
	e.nextID++
	it := &item{id: e.nextID, url: canon, host: u.Host, sum: sum}
	if e.q != nil {
		it.changes = &e.q.version
	}
	it.size.Store(-1)
	name := e.reserveLocked(safefs.NameFromURL(canon), it.id)
	it.final = filepath.Join(e.dir, name)
	it.nameKey = strings.ToLower(name)
	it.part = it.final + safefs.PartSuffix
	if fi, err := os.Lstat(it.part); err == nil && safefs.PlainFile(fi) {
		it.done.Store(partDone(it.part, fi.Size())) // a partial file from an earlier run: resumed
	}
	return it
}

// reserveLocked picks the first of name, "name (1)", ... that no other download
// of this engine holds and that does not exist in the folder, and holds it.
// Without a queue file, an existing "<name>.part" does not block a name: it
// is resumed. With one, every .part this engine may continue is on record,
// so any other is somebody else's and is left alone.
func (e *Engine) reserveLocked(name string, id ID) string {
	for n := 0; ; n++ {
		cand := safefs.Numbered(name, n)
		key := strings.ToLower(cand) // case-insensitive file systems would collide
		if _, taken := e.names[key]; taken {
			continue
		}
		p := filepath.Join(e.dir, cand)
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			continue // a finished file (or something we cannot inspect): never overwritten
		}
		if fi, err := os.Lstat(p + safefs.PartSuffix); err == nil && (!safefs.PlainFile(fi) || e.opts.QueueFile != "") {
			continue // a symlink or folder where the .part would go is never followed
		}
		if fi, err := os.Lstat(sidecarPath(p + safefs.PartSuffix)); err == nil && (!fi.Mode().IsRegular() || e.opts.QueueFile != "") {
			continue // the same for the segments file beside it
		}
		e.names[key] = id
		return cand
	}
}

// spawnLocked starts the goroutine that owns it. e.mu must be held.
func (e *Engine) spawnLocked(it *item) {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.want = wantRun
	if it.running {
		return // the owner sees want and carries on
	}
	it.running = true
	it.setState(StateQueued)
	if e.active == 0 {
		e.idle = make(chan struct{})
		e.batchStart = time.Now()
	}
	e.active++
	e.wg.Add(1)
	go e.run(it)
}

func (e *Engine) run(it *item) {
	defer e.wg.Done()
	for {
		ctx, cancel := context.WithCancelCause(e.ctx)
		it.mu.Lock()
		it.cancel = cancel
		if it.want != wantRun {
			// Paused or cancelled before this goroutine got here: the command
			// found no cancel function to call, so honour it now.
			cancel(errInterrupted)
		}
		it.mu.Unlock()
		err := e.download(ctx, it)
		if err != nil && ctx.Err() != nil {
			err = errInterrupted
		}
		cancel(nil)
		if e.settle(it, err) {
			return
		}
	}
}

// settle records how a run ended and reports whether the goroutine should exit.
// It stays when the user paused and resumed before the run noticed the pause.
func (e *Engine) settle(it *item, err error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	it.mu.Lock()
	it.cancel = nil
	switch {
	case err == nil:
		it.setState(StateDone)
		it.err = nil
	case errors.Is(err, errInterrupted) && !e.closed && it.want == wantRun:
		it.mu.Unlock()
		return false
	case errors.Is(err, errInterrupted) && it.want == wantCancel && !e.closed:
		it.setState(StateCancelled)
		it.err = nil
		e.removePartLocked(it)
	case errors.Is(err, errInterrupted):
		it.setState(StatePaused)
	default:
		it.setState(StateFailed)
		it.err = err
		e.log.Debug("download failed", "url", it.url, "err", err)
	}
	it.retryAt = time.Time{}
	it.worker = 0
	it.running = false
	it.mu.Unlock()
	e.active--
	if e.active == 0 {
		e.batchEnd = time.Now()
		close(e.idle)
	}
	return true
}

func (e *Engine) removePartLocked(it *item) {
	if err := os.Remove(it.part); err != nil && !errors.Is(err, fs.ErrNotExist) {
		e.log.Warn("cannot remove partial file", "path", it.part, "err", err)
	}
	removeSidecar(it.part, e.log)
	it.done.Store(0)
}

// Wait blocks until no download is queued or running (all are done, failed,
// paused or cancelled), or ctx is done.
func (e *Engine) Wait(ctx context.Context) error {
	for {
		e.mu.Lock()
		idle := e.idle
		e.mu.Unlock()
		select {
		case <-idle:
			e.mu.Lock()
			still := e.active == 0
			e.mu.Unlock()
			if still {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close stops every transfer, keeps their .part files (state paused), waits for
// all goroutines, and releases idle connections. Add fails afterwards.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.stop(errClosing)
	e.wg.Wait()
	e.closeQueue()
	e.closeIdle()
}

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
		it.err = nil
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
		it.err = nil
		it.restarted = false
	}
	it.mu.Unlock()
	if ok {
		e.spawnLocked(it)
	}
}

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
