package downloader

import (
	"math"
	"time"
)

// Which connection fetches what: free ranges first, then work stealing.

// next gives a connection a range to fetch: one nobody owns, else the upper
// half of the range that will take longest to finish. It returns nil when
// there is none; later then says one may be worth taking soon.
func (st *segState) next() (seg *segment, later bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.segs {
		if !s.owned && s.pos.Load() < s.end {
			st.ownLocked(s)
			return s, false
		}
	}
	i, later := st.victimLocked(time.Now())
	if i < 0 {
		return nil, later
	}
	v := st.segs[i]
	mid := v.claimed + (v.end-v.claimed)/2
	ns := &segment{start: mid, end: v.end, claimed: mid}
	ns.pos.Store(mid)
	st.ownLocked(ns)
	v.end = mid
	st.segs = append(st.segs, nil)
	copy(st.segs[i+2:], st.segs[i+1:])
	st.segs[i+1] = ns
	return ns, false
}

func (st *segState) ownLocked(s *segment) {
	s.owned, s.since, s.sincePos = true, time.Now(), s.pos.Load()
}

// Work stealing costs a new request, and the bytes already on their way to
// the connection that is cut short are thrown away (on a fast link, whole
// socket buffers). It pays only against a range that would still take a
// while at its owner's speed, measured over a while: a stuck one at once.
const (
	stealWarmup = 250 * time.Millisecond
	stealMinETA = 500 * time.Millisecond
)

// victimLocked picks the owned segment worth splitting that its owner would
// take longest to finish, -1 if none is; later reports segments whose speed is
// not known yet.
func (st *segState) victimLocked(now time.Time) (best int, later bool) {
	best = -1
	var bestETA time.Duration
	for i, s := range st.segs {
		rest := s.end - s.claimed
		if !s.owned || rest/2 < st.minSteal {
			continue
		}
		age := now.Sub(s.since)
		if age < stealWarmup {
			later = true
			continue
		}
		eta := time.Duration(math.MaxInt64)
		if got := s.pos.Load() - s.sincePos; got > 0 {
			eta = time.Duration(float64(age) * float64(rest) / float64(got))
		}
		if eta >= stealMinETA && eta > bestETA {
			best, bestETA = i, eta
		}
	}
	return best, later
}

// workForMore reports whether another connection would find a range now.
func (st *segState) workForMore() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.segs {
		if !s.owned && s.pos.Load() < s.end {
			return true
		}
	}
	i, _ := st.victimLocked(time.Now())
	return i >= 0
}

// grow adds connections while the per-file count, free slots and the work
// left allow.
func (st *segState) grow() {
	st.growMu.Lock()
	defer st.growMu.Unlock()
	for {
		n := st.conns.Load()
		if n == 0 || int(n) >= st.e.Connections() || st.ctx.Err() != nil || !st.workForMore() {
			return
		}
		release, ok := st.e.tryAdmit(st.it.host)
		if !ok {
			return
		}
		st.conns.Add(1)
		go st.conn(release)
	}
}
