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
	net  *network
	// segHTTP makes the requests of segmented downloads (see segmentClient).
	segHTTP watchClient
	// closeIdle releases the client's idle connections on Close.
	closeIdle func()
	rate      *byteRate
	gate      connGate // the first connection to each HTTPS origin
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
	nw, err := newNetwork(&opts)
	if err != nil {
		return nil, err
	}
	hc, segHC := opts.HTTPClient, opts.HTTPClient
	if hc == nil {
		hc, segHC = newHTTPClient(&opts, nw), segmentClient(&opts, nw)
	}
	ctx, stop := context.WithCancelCause(context.Background())
	e := &Engine{
		opts:      opts,
		dir:       dir,
		log:       slog.New(maskingHandler{opts.Logger.Handler()}),
		net:       nw,
		rate:      newByteRate(opts.RateLimit),
		gate:      connGate{wait: min(maxGateWait, opts.TLSTimeout)},
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
		HTTPClient: watchClient{c: hc, stall: opts.StallTimeout, header: opts.HeaderTimeout, net: nw, gil: opts.GIL},
		UserAgent:  opts.UserAgent,
	}
	e.segHTTP = watchClient{c: segHC, stall: opts.StallTimeout, header: opts.HeaderTimeout, net: nw, gil: opts.GIL}
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
	listing := folderListing{}
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
		} else if it, perr = e.newItemLocked(canon, en, listing); perr != nil {
			err = fmt.Errorf("add %s: %w", RedactURL(en.URL), perr)
			break
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

// newItemLocked makes the item of a new download of en (whose URL is canon),
// with its folder made and its name reserved.
func (e *Engine) newItemLocked(canon string, en Entry, listing folderListing) (*item, error) {
	u, _ := url.Parse(canon)
	folder := e.dir
	if en.Dir != "" {
		sub, err := cleanSubdir(en.Dir)
		if err != nil {
			return nil, err
		}
		if folder, err = safefs.MkdirBeneath(e.dir, sub); err != nil {
			return nil, err
		}
		en.Dir = sub
	}
	e.nextID++
	it := &item{id: e.nextID, url: canon, host: u.Host, origin: origin(u), sum: en.SHA256, subdir: en.Dir,
		header: en.Header.Clone(), referer: en.Referer, userAgent: en.UserAgent, fixedName: en.Name != "", tag: en.Tag}
	if e.q != nil {
		it.changes = &e.q.version
	}
	it.size.Store(-1)
	want := safefs.NameFromURL(canon)
	if en.Name != "" {
		want = safefs.SafeName(en.Name)
	}
	listed := listing.of(folder)
	name := e.reserveIn(it.subdir, want, it.id, listed)
	it.final = filepath.Join(folder, name)
	it.nameKey = nameKey(it.subdir, name)
	it.part = it.final + safefs.PartSuffix
	if listed == nil || listed[name+safefs.PartSuffix] {
		if fi, err := os.Lstat(it.part); err == nil && safefs.PlainFile(fi) {
			it.done.Store(partDone(it.part, fi.Size())) // a partial file from an earlier run: resumed
		}
	}
	return it, nil
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
		it.setErr(nil)
	case errors.Is(err, errInterrupted) && !e.closed && it.want == wantRun:
		it.mu.Unlock()
		return false
	case errors.Is(err, errInterrupted) && it.want == wantCancel && !e.closed:
		it.setState(StateCancelled)
		it.setErr(nil)
		e.removePartLocked(it)
	case errors.Is(err, errInterrupted):
		it.setState(StatePaused)
	default:
		it.setState(StateFailed)
		it.setErr(err)
		it.httpStatus = 0
		var se *StatusError
		if errors.As(err, &se) {
			it.httpStatus = se.Code
		}
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
