package downloader

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"potok/downloader/internal/queuefile"
	"potok/downloader/internal/safefs"
)

// saveEvery is how often the queue file is rewritten while something changes.
// A crash loses at most this much state, and state is only a convenience on
// top of what is on disk: a .part's size is its progress.
const saveEvery = 500 * time.Millisecond

// persister keeps an engine's queue in a file.
type persister struct {
	path    string
	unlock  func()
	version atomic.Uint64      // bumped by every change worth saving
	saveMu  sync.Mutex         // one writer at a time
	saved   uint64             // version last written; guarded by saveMu
	records []queuefile.Record // the last save's records, reused; guarded by saveMu
	gen     uint64             // files written; guarded by Engine.mu
	stop    chan struct{}
	done    chan struct{}
	closed  sync.Once
	final   bool // the last save, at Close: synced to the disk
	journal *queuefile.Journal

	// Guarded by Engine.mu:
	carried []queuefile.Record // downloads from the file that are not (yet) in the engine
	problem error              // what went wrong loading or saving, for QueueProblem
}

// openQueue locks the queue file for this engine, loads it, and reserves
// the names of its downloads so that new ones never take them. A queue
// another Potok holds is refused (*QueueBusyError). e.mu need not be held:
// the engine is not shared yet.
func (e *Engine) openQueue(path string) error {
	q := &persister{path: path, stop: make(chan struct{}), done: make(chan struct{})}
	unlock, err := queuefile.Lock(path)
	if err != nil {
		return err
	}
	q.unlock = unlock
	saved, err := queuefile.Load(path, checkRecord)
	if err != nil {
		q.problem = err
		e.log.Warn("queue file set aside", "err", err)
	}
	q.journal, err = queuefile.OpenJournal(path, saved.Journal)
	if err != nil {
		e.log.Warn("queue journal not kept: a crash may cost partial files", "err", err)
	}
	if saved.Folder != "" && saved.Folder != e.dir {
		saved.Files = nil // another folder's queue under a colliding name
	}
	for _, rec := range saved.Files {
		if e.keepRecord(rec) {
			q.carried = append(q.carried, rec)
			e.names[nameKey(rec.Dir, rec.Name)] = 0
			e.names[nameKey(rec.Dir, strings.TrimSuffix(rec.Part, safefs.PartSuffix))] = 0
		}
	}
	e.q = q
	go e.saveLoop()
	return nil
}

// checkRecord is the engine's part of reading a queue file: a record's URL
// must be one it fetches, and its state one it knows.
func checkRecord(r queuefile.Record) error {
	if _, err := ParseURL(r.URL); err != nil {
		return err
	}
	if _, ok := parseState(r.State); !ok {
		return fmt.Errorf("unknown state %q", r.State)
	}
	if r.Dir != "" {
		if d, err := cleanSubdir(r.Dir); err != nil || d != r.Dir {
			return fmt.Errorf("folder %q is not a plain subfolder", r.Dir)
		}
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			if _, _, err := ParseHeader(k + ": " + v); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepRecord drops downloads that left nothing behind worth remembering:
// cancelled ones, and finished ones whose file has since been removed.
func (e *Engine) keepRecord(rec queuefile.Record) bool {
	switch s, _ := parseState(rec.State); s {
	case StateCancelled:
		return false
	case StateDone:
		fi, err := os.Lstat(filepath.Join(e.dir, rec.Name))
		return err == nil && fi.Mode().IsRegular()
	}
	return true
}

// QueueProblem returns what went wrong loading or saving the queue file
// (damaged and set aside, disk full), or nil.
func (e *Engine) QueueProblem() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.q != nil {
		return e.q.problem
	}
	return nil
}

// takeRecordLocked returns the saved record for a URL, if any, and stops
// carrying it: the engine now owns that download.
func (e *Engine) takeRecordLocked(canon string) (queuefile.Record, bool) {
	if e.q == nil {
		return queuefile.Record{}, false
	}
	for i, rec := range e.q.carried {
		if rec.URL == canon {
			e.q.carried = append(e.q.carried[:i], e.q.carried[i+1:]...)
			return rec, true
		}
	}
	return queuefile.Record{}, false
}

// itemFromRecord makes the item of a saved download, with its names,
// validators and state. A download that was running when the program
// stopped comes back paused; one whose file is in place is done.
func (e *Engine) itemFromRecord(rec queuefile.Record, sum []byte) *item {
	u, _ := url.Parse(rec.URL)
	e.nextID++
	it := &item{id: e.nextID, url: rec.URL, host: u.Host, origin: origin(u), sum: sum, changes: &e.q.version}
	if it.sum == nil && rec.SHA256 != "" {
		it.sum, _ = hex.DecodeString(rec.SHA256)
	}
	folder := filepath.Join(e.dir, filepath.FromSlash(rec.Dir))
	if rec.Dir != "" {
		if f, err := safefs.MkdirBeneath(e.dir, rec.Dir); err == nil {
			folder = f
		} else {
			e.log.Warn("the folder of a kept download cannot be used", "dir", rec.Dir, "err", err)
		}
	}
	it.subdir = rec.Dir
	it.final = filepath.Join(folder, rec.Name)
	it.part = filepath.Join(folder, rec.Part)
	it.nameKey = nameKey(rec.Dir, rec.Name)
	e.names[it.nameKey] = it.id
	e.names[nameKey(rec.Dir, strings.TrimSuffix(rec.Part, safefs.PartSuffix))] = it.id
	it.fixedName, it.referer, it.userAgent, it.tag = rec.FixedName, rec.Referer, rec.UserAgent, rec.Tag
	it.httpStatus = rec.HTTPStatus
	if len(rec.Header) > 0 {
		it.header = http.Header(rec.Header).Clone()
	}
	it.etag, it.lastMod = rec.ETag, rec.LastModified
	it.cdName = rec.ServerName
	it.noSegments = rec.OneConnection
	it.size.Store(rec.Size)
	state, _ := parseState(rec.State)
	partFI, partErr := os.Lstat(it.part)
	finalFI, finalErr := os.Lstat(it.final)
	finalThere := finalErr == nil && finalFI.Mode().IsRegular() && (rec.Size < 0 || finalFI.Size() == rec.Size)
	switch {
	case state == StateDone && finalThere,
		// Renamed into place, then stopped before the queue said so.
		state != StateDone && errors.Is(partErr, os.ErrNotExist) && finalThere && rec.Size > 0:
		it.setState(StateDone)
		it.size.Store(finalFI.Size())
		it.done.Store(finalFI.Size())
		return it
	case state == StateFailed:
		it.setState(StateFailed)
		it.err = errors.New(rec.Err)
		it.problem = Problem{Kind: ErrorKind(rec.ErrKind), Args: rec.ErrArgs, Text: rec.Err}
		if it.problem.Kind == "" {
			it.problem.Kind = KindOther // kept by a Potok before kinds
		}
	default:
		it.setState(StatePaused)
	}
	if partErr == nil && partFI.Mode().IsRegular() {
		if _, err := os.Lstat(sidecarPath(it.part)); rec.Size > 0 && partFI.Size() == rec.Size && errors.Is(err, os.ErrNotExist) {
			// As large as the whole file but with no segments file: a
			// preallocated .part whose record of written ranges is gone
			// (holes would pass for data), or one finished a moment before
			// a crash. Only the first is dangerous, and they cannot be told
			// apart: fetched again.
			e.log.Info("partial file without its segments file: starting it over", "path", it.part)
			if err := os.Remove(it.part); err == nil {
				partFI = nil
			}
		}
	}
	if partFI != nil && partErr == nil && partFI.Mode().IsRegular() {
		it.done.Store(partDone(it.part, partFI.Size()))
	}
	return it
}

// Restore puts back every download of the queue file that is not in the
// engine yet, in the order they were added, and returns their IDs. Finished
// ones come back done, failed ones failed, and the rest paused: ResumeAll
// (or Resume) continues them from their .part files.
func (e *Engine) Restore() []ID {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.q == nil || e.closed {
		return nil
	}
	var ids []ID
	for _, rec := range e.q.carried {
		it := e.itemFromRecord(rec, nil)
		e.items = append(e.items, it)
		e.byID[it.id] = it
		ids = append(ids, it.id)
	}
	e.q.carried = nil
	e.changed()
	return ids
}

// ClearFinished takes done and cancelled downloads off the list, and out of
// the queue file. Their files stay where they are.
func (e *Engine) ClearFinished() {
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := e.items[:0:0]
	for _, it := range e.items {
		it.mu.Lock()
		gone := !it.running && (it.State() == StateDone || it.State() == StateCancelled)
		it.mu.Unlock()
		if !gone {
			kept = append(kept, it)
			continue
		}
		e.dropLocked(it)
	}
	e.items = kept
	if e.q != nil {
		carried := e.q.carried[:0]
		for _, rec := range e.q.carried {
			if s, _ := parseState(rec.State); s != StateDone && s != StateCancelled {
				carried = append(carried, rec)
			}
		}
		e.q.carried = carried
	}
	e.changed()
}

// errNotEnded is returned by Forget for a download that is queued, running
// or paused: only one that ended can be forgotten.
var errNotEnded = errors.New("downloader: the download has not ended: cancel it first")

// Forget takes one download that ended (done, failed or cancelled) off the
// list and out of the queue file, as ClearFinished does for all done ones.
// Its file, or a failed one's .part, stays where it is.
func (e *Engine) Forget(id ID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, err := e.lookup(id)
	if err != nil {
		return err
	}
	it.mu.Lock()
	ended := !it.running && (it.State() == StateDone || it.State() == StateFailed || it.State() == StateCancelled)
	it.mu.Unlock()
	if !ended {
		return fmt.Errorf("forget download %d: %w", id, errNotEnded)
	}
	for i, other := range e.items {
		if other == it {
			e.items = append(e.items[:i:i], e.items[i+1:]...)
			break
		}
	}
	e.dropLocked(it)
	e.changed()
	return nil
}

// dropLocked forgets it: its ID and the names it holds. An item holds at most
// two names: its file's, and its .part's stem when a server renamed the file.
func (e *Engine) dropLocked(it *item) {
	delete(e.byID, it.id)
	for _, k := range []string{it.nameKey, nameKey(it.subdir, strings.TrimSuffix(filepath.Base(it.part), safefs.PartSuffix))} {
		if e.names[k] == it.id {
			delete(e.names, k)
		}
	}
}

// changed marks the queue as worth saving.
func (e *Engine) changed() {
	if e.q != nil {
		e.q.version.Add(1)
	}
}

func (e *Engine) saveLoop() {
	defer close(e.q.done)
	t := time.NewTicker(saveEvery)
	defer t.Stop()
	var next time.Time
	for {
		select {
		case <-e.q.stop:
			return
		case now := <-t.C:
			if now.Before(next) || e.q.version.Load() == e.savedVersion() {
				continue
			}
			e.saveQueue()
			// A long list takes a while to encode and write: at most
			// about 4 % of the time goes to saving it (10,000 files: a
			// save every second or so instead of every half second).
			next = now.Add(25 * time.Since(now))
		}
	}
}

func (e *Engine) savedVersion() uint64 {
	e.q.saveMu.Lock()
	defer e.q.saveMu.Unlock()
	return e.q.saved
}

// saveQueue writes the queue file now. Encoding and writing happen outside
// e.mu, so transfers and snapshots do not wait for the disk; only the rename
// is under it, so that a newer file written by Add is never replaced by this
// older content.
func (e *Engine) saveQueue() {
	e.q.saveMu.Lock()
	defer e.q.saveMu.Unlock()
	v := e.q.version.Load()
	e.mu.Lock()
	q, gen := e.queueLocked(e.q.records[:0]), e.q.gen
	e.mu.Unlock()
	e.q.records = q.Files // reused by the next save: saves take saveMu in turn
	tmp, err := queuefile.WriteTemp(e.q.path, q, e.q.final)
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case err != nil:
	case e.q.gen != gen:
		os.Remove(tmp) // Add wrote newer content meanwhile; version says save again
		return
	default:
		err = queuefile.Commit(tmp, e.q.path)
	}
	e.noteSaveLocked(err)
	if err == nil {
		e.q.gen++
		e.q.saved = v
		e.journalSaved(q.Journal)
	}
}

// saveQueueLocked writes the queue file before Add starts any transfer, so
// that every .part the engine creates is on record as its own.
func (e *Engine) saveQueueLocked() {
	q := e.queueLocked(nil)
	tmp, err := queuefile.WriteTemp(e.q.path, q, false)
	if err == nil {
		err = queuefile.Commit(tmp, e.q.path)
	}
	e.noteSaveLocked(err)
	if err == nil {
		e.q.gen++
		e.journalSaved(q.Journal)
	}
}

func (e *Engine) journalSaved(seq uint64) {
	if err := e.q.journal.Saved(seq); err != nil {
		e.log.Warn("queue journal", "err", err)
	}
}

// noteValidators puts what the .part of it is a copy of (validators, size,
// the server's name for it) in the queue journal. It runs before the first
// body byte of a fresh or restarted .part is written, after the item holds
// the same values, so that a crash at any moment leaves a .part whose
// origin is on record (see queuejournal.go).
func (e *Engine) noteValidators(it *item) {
	if e.q == nil {
		return
	}
	it.mu.Lock()
	n := queuefile.Note{Part: filepath.Base(it.part), ETag: it.etag, LastModified: it.lastMod,
		Size: it.size.Load(), ServerName: it.cdName}
	it.mu.Unlock()
	if _, err := e.q.journal.Add(n); err != nil {
		e.q.journal.WarnOnce(e.log, err)
	}
}

func (e *Engine) noteSaveLocked(err error) {
	switch {
	case err != nil:
		if e.q.problem == nil {
			e.log.Warn("cannot save the queue", "path", e.q.path, "err", err)
		}
		e.q.problem = fmt.Errorf("save the queue: %w", err)
	case e.q.problem != nil && strings.HasPrefix(e.q.problem.Error(), "save the queue"):
		e.q.problem = nil
	}
}

// queueLocked builds the queue file's content. e.mu must be held.
func (e *Engine) queueLocked(buf []queuefile.Record) queuefile.Queue {
	q := queuefile.Queue{Folder: e.dir, Saved: time.Now().UTC(), Journal: e.q.journal.Last(), Files: buf[:0]}
	for _, it := range e.items {
		done, size := it.progress()
		it.mu.Lock()
		rec := queuefile.Record{
			URL:           it.url,
			Name:          filepath.Base(it.final),
			Part:          filepath.Base(it.part),
			State:         it.State().String(),
			Size:          size,
			Done:          done,
			ETag:          it.etag,
			LastModified:  it.lastMod,
			OneConnection: it.noSegments,
			ServerName:    it.cdName,
			Dir:           it.subdir,
			FixedName:     it.fixedName,
			Header:        it.header,
			Referer:       it.referer,
			UserAgent:     it.userAgent,
			Tag:           it.tag,
			HTTPStatus:    it.httpStatus,
		}
		if it.err != nil && it.State() == StateFailed {
			rec.Err, rec.ErrKind, rec.ErrArgs = it.problem.Text, string(it.problem.Kind), it.problem.Args
		}
		it.mu.Unlock()
		if it.sum != nil {
			rec.SHA256 = hex.EncodeToString(it.sum)
		}
		q.Files = append(q.Files, rec)
	}
	q.Files = append(q.Files, e.q.carried...)
	return q
}

// closeQueue stops the saver, writes the final state, and unlocks the file.
func (e *Engine) closeQueue() {
	if e.q == nil {
		return
	}
	e.q.closed.Do(func() {
		close(e.q.stop)
		<-e.q.done
		e.q.final = true
		e.saveQueue()
		e.q.journal.Close()
		e.q.unlock()
	})
}

// DefaultQueueFile returns where the queue of the given download folder is
// kept: the user's config folder, one file per download folder, named after
// the folder's real path, so that a folder reached through a symlink has
// the same queue (and lock) as by its own name.
func DefaultQueueFile(dir string) (string, error) { return queuefile.DefaultPath(dir) }
