package gui

import (
	"context"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2/widget"
)

// jobStop keeps the cancel of a job that may be running, shared by the UI
// goroutine, which starts and cancels the job, and the window's closing.
type jobStop struct {
	mu   sync.Mutex
	stop context.CancelFunc
}

// begin returns a new job's context, keeping its cancel.
func (j *jobStop) begin() context.Context {
	ctx, stop := context.WithCancel(context.Background())
	j.mu.Lock()
	j.stop = stop
	j.mu.Unlock()
	return ctx
}

// cancel stops the job, if one runs.
func (j *jobStop) cancel() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stop != nil {
		j.stop()
	}
}

// end cancels the job (its context released) and forgets it.
func (j *jobStop) end() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stop != nil {
		j.stop()
		j.stop = nil
	}
}

// runJob is a panel's Run and Cancel buttons and the one job they start and
// stop. busy counts, for the tab's ticker, the jobs started whose outcome
// is not shown yet.
type runJob struct {
	Run, Cancel *widget.Button
	running     bool // UI goroutine only
	busy        *atomic.Int32
	jobStop
}

func newRunJob(run func(), busy *atomic.Int32) *runJob {
	j := &runJob{busy: busy}
	j.Run = widget.NewButton(tr("Run"), run)
	j.Cancel = widget.NewButton(tr("Cancel"), j.cancel)
	j.Cancel.Disable()
	return j
}

// start marks the job as running and returns its context.
func (j *runJob) start() context.Context {
	j.running = true
	j.busy.Add(1)
	j.Run.Disable()
	j.Cancel.Enable()
	return j.begin()
}

// finish undoes start, once the job's outcome is shown.
func (j *runJob) finish() {
	j.end()
	j.running = false
	j.busy.Add(-1)
	j.Run.Enable()
	j.Cancel.Disable()
}
