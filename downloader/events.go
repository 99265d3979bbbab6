package downloader

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
)

// EventKind says what an Event reports.
type EventKind int

// Kinds of events.
const (
	EventFinished EventKind = iota
	EventRetry
)

// Event is one line of the engine's log: a file finished, or an attempt failed
// and will be retried. Failures for good, pauses and cancels show in Snapshot.
type Event struct {
	Seq     uint64
	Time    time.Time
	Kind    EventKind
	ID      ID
	Worker  int           // the slot that ran it (1-based), for Finished
	Name    string        // file name, final once finished
	Bytes   int64         // file size, for Finished
	Took    time.Duration // time spent transferring, over all attempts
	Attempt int           // attempts made (Finished) or failures so far (Retry)
	Err     string        // why an attempt failed, for Retry: Problem.Text
	Problem Problem       // the same as a kind and what it names, for callers that word it themselves
	RetryIn time.Duration
}

func (ev Event) String() string {
	switch ev.Kind {
	case EventFinished:
		s := fmt.Sprintf("worker %d finished %s, %s in %s", ev.Worker, ev.Name,
			humanize.Bytes(uint64(max(ev.Bytes, 0))), humanDuration(ev.Took))
		if ev.Attempt > 1 {
			s += fmt.Sprintf(" (%d attempts)", ev.Attempt)
		}
		return s
	case EventRetry:
		return fmt.Sprintf("%s: %s; retry %d in %s", ev.Name, ev.Err, ev.Attempt, humanDuration(ev.RetryIn))
	}
	return ev.Name
}

// retryEvent is the event of it being tried again in wait, after the
// failure p.
func retryEvent(it *item, attempt int, p Problem, wait time.Duration) Event {
	return Event{Kind: EventRetry, ID: it.id, Name: filepath.Base(it.final), Attempt: attempt, Err: p.Text, Problem: p, RetryIn: wait}
}

// humanDuration prints "1.4 s", "250 ms", "2m3s".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// FormatETA prints a time left for people: "<1s", "42s", "3m7s", or whole
// minutes past an hour ("2h13m0s"); "" when unknown (negative).
func FormatETA(d time.Duration) string {
	switch {
	case d < 0:
		return ""
	case d < time.Second:
		return "<1s"
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}

// eventLog keeps the newest events in a ring.
type eventLog struct {
	mu   sync.Mutex
	max  int
	ring []Event
	next uint64 // Seq of the next event, from 1
}

func (l *eventLog) add(ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	ev.Seq = l.next
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if len(l.ring) < l.max {
		l.ring = append(l.ring, ev)
		return
	}
	l.ring[int((ev.Seq-1)%uint64(l.max))] = ev
}

// since returns the events with Seq > after that are still kept, oldest first.
func (l *eventLog) since(after uint64) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := uint64(1)
	if l.next > uint64(len(l.ring)) {
		first = l.next - uint64(len(l.ring)) + 1
	}
	first = max(first, after+1)
	var out []Event
	for s := first; s <= l.next; s++ {
		out = append(out, l.ring[int((s-1)%uint64(l.max))])
	}
	return out
}

// Events returns the log entries after sequence number after (0 for all kept).
// Pass the last Seq seen to get only new ones.
func (e *Engine) Events(after uint64) []Event { return e.events.since(after) }
