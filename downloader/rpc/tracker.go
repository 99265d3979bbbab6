package rpc

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"

	"potok/downloader"
)

// aria2's statuses.
const (
	statusWaiting  = "waiting"
	statusActive   = "active"
	statusPaused   = "paused"
	statusComplete = "complete"
	statusError    = "error"
	statusRemoved  = "removed"
)

// aria2Status is a download's status in aria2's words. A download waiting
// out a retry's backoff is active, as aria2's own retries are.
func aria2Status(f *downloader.FileStatus) string {
	switch f.State {
	case downloader.StateQueued:
		if !f.RetryAt.IsZero() {
			return statusActive
		}
		return statusWaiting
	case downloader.StateRunning:
		return statusActive
	case downloader.StatePaused:
		return statusPaused
	case downloader.StateDone:
		return statusComplete
	case downloader.StateFailed:
		return statusError
	default:
		return statusRemoved
	}
}

func stopped(status string) bool {
	return status == statusComplete || status == statusError || status == statusRemoved
}

// entry is what the server keeps of one download of the engine: its gid,
// what it last told clients, and the options it was added with.
type entry struct {
	id      downloader.ID
	gid     string
	last    string // status at the last observation
	started bool   // onDownloadStart sent since it last stopped or paused
	used    bool   // a request was made for it (its URI is "used")
	stopSeq uint64 // when it stopped, in the order downloads stopped; 0 while not stopped
	seen    uint64 // generation of the last observation that saw it
	opts    map[string]string
}

// tracker maps one engine's IDs to gids and turns the changes between two
// snapshots into aria2's notifications. The engine never calls back, so
// whoever takes a snapshot (the poller, or a call) hands it here, under the
// server's lock, so that snapshots are observed in the order they were
// taken and no change is told twice.
type tracker struct {
	eng       *downloader.Engine
	byID      map[downloader.ID]*entry
	byGID     map[string]*entry
	forgotten map[downloader.ID]uint64 // results removed by RPC, with the generation that last saw them
	gen       uint64
	stopSeq   uint64
	stopTotal int // downloads stopped since the server started on this engine, the baseline's included
}

// row is one download as a call sees it: its status and what the tracker
// knows of it, copied so that the call can read it without the lock.
type row struct {
	f       downloader.FileStatus
	gid     string
	status  string
	used    bool
	stopSeq uint64
	opts    map[string]string
}

// view is the engine at one moment, as the calls see it. Downloads whose
// results a client removed are not in it.
type view struct {
	eng       *downloader.Engine // nil while there is none
	snap      downloader.Snapshot
	rows      []row
	stopTotal int
}

// find finds a row by its gid, or by a prefix of one as aria2 allows, with
// aria2's words when it cannot.
func (v *view) find(gid string) (*row, *Error) {
	if gid == "" || len(gid) > 16 || strings.Trim(strings.ToLower(gid), "0123456789abcdef") != "" {
		return nil, failf("Invalid GID %s", gid)
	}
	want := strings.ToLower(gid)
	var found *row
	for i := range v.rows {
		r := &v.rows[i]
		if r.gid == want {
			return r, nil
		}
		if strings.HasPrefix(r.gid, want) {
			if found != nil {
				return nil, failf("GID %s is not unique", gid)
			}
			found = r
		}
	}
	if found == nil || len(want) == 16 {
		return nil, failf("GID %s is not found", gid)
	}
	return found, nil
}

// observe takes in a snapshot of eng and returns the view it makes and
// the notifications it calls for, encoded. The first snapshot of an engine
// is the baseline: it tells nothing, since what happened before the server
// watched is not known.
func (t *tracker) observe(eng *downloader.Engine, snap downloader.Snapshot) (*view, [][]byte) {
	baseline := false
	if eng != t.eng || t.byID == nil {
		*t = tracker{eng: eng, byID: map[downloader.ID]*entry{}, byGID: map[string]*entry{}, forgotten: map[downloader.ID]uint64{}}
		baseline = true
	}
	t.gen++
	v := &view{eng: eng, snap: snap, rows: make([]row, 0, len(snap.Files))}
	var notes [][]byte
	kept, forgot := 0, 0
	for i := range snap.Files {
		f := &snap.Files[i]
		st := aria2Status(f)
		e := t.byID[f.ID]
		if e == nil {
			if _, ok := t.forgotten[f.ID]; ok {
				if stopped(st) {
					t.forgotten[f.ID] = t.gen
					forgot++
					continue
				}
				delete(t.forgotten, f.ID) // retried from the window: a download again
			}
			e = t.add(f.ID, f.Tag, statusWaiting)
			if baseline {
				e.last, e.started = st, st == statusActive
				if stopped(st) {
					t.stopSeq++
					e.stopSeq = t.stopSeq
					t.stopTotal++
				}
			}
		}
		e.seen = t.gen
		kept++
		notes = t.transition(e, f, st, notes)
		v.rows = append(v.rows, row{f: *f, gid: e.gid, status: st, used: e.used, stopSeq: e.stopSeq, opts: e.opts})
	}
	// Downloads the engine no longer has (ClearFinished) are forgotten.
	if kept != len(t.byID) {
		for id, e := range t.byID {
			if e.seen != t.gen {
				delete(t.byID, id)
				delete(t.byGID, e.gid)
			}
		}
	}
	if forgot != len(t.forgotten) {
		for id, g := range t.forgotten {
			if g != t.gen {
				delete(t.forgotten, id)
			}
		}
	}
	v.stopTotal = t.stopTotal
	return v, notes
}

// add gives a download of the engine its gid: the one kept in its tag when
// it has one (added by this server, before a restart too), else a new one.
func (t *tracker) add(id downloader.ID, tag, last string) *entry {
	gid := tag
	if _, taken := t.byGID[gid]; taken || !isGID(gid) {
		gid = t.newGID()
	}
	e := &entry{id: id, gid: gid, last: last}
	t.byID[id] = e
	t.byGID[e.gid] = e
	return e
}

// newGID is a random gid, 16 lowercase hex digits, unique in the server.
func (t *tracker) newGID() string {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // never fails (crypto/rand)
		g := hex.EncodeToString(b[:])
		if _, taken := t.byGID[g]; !taken && g != "0000000000000000" {
			return g
		}
	}
}

// forget takes a stopped download off the server's lists (purgeDownloadResult,
// removeDownloadResult); the engine keeps it until ClearFinished.
func (t *tracker) forget(id downloader.ID) {
	if e := t.byID[id]; e != nil {
		delete(t.byID, id)
		delete(t.byGID, e.gid)
		t.forgotten[id] = t.gen
	}
}

// transition notes what changed for e since it was last seen, as aria2
// would tell it: onDownloadStart when it becomes active (once, however many
// retries it takes), onDownloadPause when an active download pauses (a
// waiting one pausing tells nothing, as in aria2), onDownloadStop when it is
// removed, onDownloadComplete and onDownloadError when it ends. A download
// that started and ended between two snapshots is told to have started
// first, as aria2 always does.
func (t *tracker) transition(e *entry, f *downloader.FileStatus, st string, notes [][]byte) [][]byte {
	if st == statusActive || f.Attempts > 0 || (f.Done > 0 && st != statusRemoved) || st == statusComplete || st == statusError {
		e.used = true
	}
	prev := e.last
	if st == prev {
		return notes
	}
	e.last = st
	if stopped(prev) && !stopped(st) {
		e.stopSeq = 0
	}
	switch st {
	case statusActive:
		if !e.started {
			e.started = true
			notes = append(notes, note("aria2.onDownloadStart", e.gid))
		}
	case statusPaused:
		if prev == statusActive {
			notes = append(notes, note("aria2.onDownloadPause", e.gid))
		}
		e.started = false
	case statusComplete, statusError, statusRemoved:
		if st != statusRemoved && !e.started {
			notes = append(notes, note("aria2.onDownloadStart", e.gid))
		}
		method := map[string]string{statusComplete: "aria2.onDownloadComplete", statusError: "aria2.onDownloadError", statusRemoved: "aria2.onDownloadStop"}[st]
		notes = append(notes, note(method, e.gid))
		e.started = false
		if !stopped(prev) {
			t.stopSeq++
			e.stopSeq = t.stopSeq
			t.stopTotal++
		}
	}
	return notes
}

func note(method, gid string) []byte {
	b, _ := json.Marshal(notification{JSONRPC: "2.0", Method: method, Params: []map[string]any{{"gid": gid}}})
	return b
}

// isGID reports 16 lowercase hex digits, not all zero.
func isGID(s string) bool {
	if len(s) != 16 || s == "0000000000000000" {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
