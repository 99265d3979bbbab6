package downloader

// State is where a download stands.
type State int32

// The states a download moves through. Queued covers waiting for a free slot
// and waiting out a retry backoff (FileStatus.RetryAt tells which).
const (
	StateQueued State = iota
	StateRunning
	StatePaused
	StateDone
	StateFailed
	StateCancelled
)

var stateNames = [...]string{"queued", "running", "paused", "done", "failed", "cancelled"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Finished reports whether nothing more will happen without a command.
func (s State) Finished() bool {
	return s == StateDone || s == StateFailed || s == StateCancelled
}

// want is what the user last asked of a download.
type want int

const (
	wantRun want = iota
	wantPause
	wantCancel
)

func parseState(s string) (State, bool) {
	for i, n := range stateNames {
		if n == s {
			return State(i), true
		}
	}
	return 0, false
}
