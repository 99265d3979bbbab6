package gui

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"potok/compute/lesson"
)

// locksTab is the Locks tab: the notebooks' race on a shared counter (no
// lock, a mutex, an atomic add) and their deadlock (two locks taken in
// opposite orders, found by a watchdog and released), as `potok race` and
// `potok deadlock` run them, and a word on the semaphore. Each runs off the
// UI goroutine; what it brings back the ticker applies (tick).
type locksTab struct {
	Goroutines, Adds *widget.Entry
	Race             *runJob // its Run and Cancel
	RaceStatus       *widget.Label
	RaceCells        [][]*widget.Label  // per variant: variant, expected, got, lost, time s
	Order            *widget.RadioGroup // the orders' names in the window's language
	orders           map[string]string  // Order's choice → lesson.OrderOpposite, OrderSame
	Timeout          *widget.Entry
	Deadlock         *runJob
	DeadResult       *widget.Label // what potok deadlock prints
	Content          fyne.CanvasObject

	async   func(func()) // runs a job off the UI goroutine; close waits for it
	jobs    sync.WaitGroup
	mu      sync.Mutex // guards the outcomes, shared with the jobs and the ticker
	raceOut *raceOutcome
	deadOut *deadlockOutcome
	busy    atomic.Int32 // jobs started whose outcome is not yet shown
	pending atomic.Bool  // a tick waits in fyne.Do's queue
}

type raceOutcome struct {
	results []lesson.RaceResult
	err     error
}

type deadlockOutcome struct {
	res lesson.DeadlockResult
	err error
}

// maxRaceGoroutines bounds the race's goroutines (each is a goroutine's stack).
const maxRaceGoroutines = 10000

func newLocksTab() *locksTab {
	k := &locksTab{}
	k.async = func(f func()) { k.jobs.Go(f) }
	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	wrapped := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}

	k.Goroutines = widget.NewEntry()
	k.Goroutines.SetText("4")
	k.Adds = widget.NewEntry()
	k.Adds.SetText("100000")
	k.Race = newRunJob(k.startRace, &k.busy)
	k.RaceStatus = wrapped("")
	grid := container.NewGridWithColumns(5)
	for i, h := range []string{tr("variant"), tr("expected"), tr("got"), tr("lost"), tr("time s")} {
		align := fyne.TextAlignTrailing // the numbers'
		if i == 0 {
			align = fyne.TextAlignLeading
		}
		grid.Add(widget.NewLabelWithStyle(h, align, fyne.TextStyle{Bold: true}))
	}
	for _, v := range lesson.RaceVariants {
		row := []*widget.Label{widget.NewLabelWithStyle(v, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})}
		for range 4 {
			row = append(row, widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
		}
		for _, c := range row {
			grid.Add(c)
		}
		k.RaceCells = append(k.RaceCells, row)
	}
	race := container.NewVBox(bold(tr("Race: goroutines adding 1 to one counter")),
		container.New(layout.NewFormLayout(), widget.NewLabel(tr("Goroutines")), k.Goroutines, widget.NewLabel(tr("Adds each")), k.Adds),
		container.NewHBox(k.Race.Run, k.Race.Cancel), k.RaceStatus, grid,
		wrapped(tr("nolock: each goroutine loads the counter, yields, and stores what it loaded plus 1, so a store another made meanwhile is overwritten (each step is atomic: no data race, yet updates are lost)")),
		wrapped(tr("mutex: the same steps, one goroutine at a time; atomic: one add that nothing can come between")))

	k.orders = map[string]string{tr("opposite"): lesson.OrderOpposite, tr("same"): lesson.OrderSame}
	k.Order = widget.NewRadioGroup([]string{tr("opposite"), tr("same")}, nil)
	k.Order.Horizontal = true
	k.Order.Required = true
	k.Order.SetSelected(tr("opposite"))
	k.Timeout = widget.NewEntry()
	k.Timeout.SetText(time.Second.String()) // as time.ParseDuration reads it
	k.Deadlock = newRunJob(k.startDeadlock, &k.busy)
	k.DeadResult = wrapped("")
	k.DeadResult.TextStyle = fyne.TextStyle{Monospace: true}
	deadlock := container.NewVBox(bold(tr("Deadlock: two goroutines, two locks")),
		container.New(layout.NewFormLayout(), widget.NewLabel(tr("Order")), k.Order, widget.NewLabel(tr("Watchdog after")), k.Timeout),
		container.NewHBox(k.Deadlock.Run, k.Deadlock.Cancel), k.DeadResult,
		wrapped(tr("Goroutine 1 takes lock A, then B; goroutine 2 takes B, then A (opposite) or A, then B (same), each holding its first while it asks for its second. In the opposite order both hold their first before either asks, so each waits for the other for ever: a watchdog looks after the timeout, finds each waiting for the lock the other holds, says so and releases both. In the same order the second waits for the first to finish, and both finish.")))

	semaphore := wrapped(tr("Semaphore: the Download tab's Parallel downloads slider is the notebooks' BoundedSemaphore: that many downloads hold a slot at once and the rest wait their turn."))
	k.Content = container.NewBorder(nil, semaphore, nil, nil,
		container.NewGridWithColumns(2, container.NewVScroll(race), container.NewVScroll(deadlock)))
	return k
}

// raceInputs reads the race's fields.
func (k *locksTab) raceInputs() (goroutines, adds int, err error) {
	goroutines, err1 := strconv.Atoi(strings.TrimSpace(k.Goroutines.Text))
	adds, err2 := strconv.Atoi(strings.TrimSpace(k.Adds.Text))
	if err1 != nil || err2 != nil || goroutines < 1 || goroutines > maxRaceGoroutines || adds < 1 {
		return 0, 0, errors.New(tr("goroutines must be a whole number from 1 to %d, and adds a whole number of at least 1", maxRaceGoroutines))
	}
	return goroutines, adds, nil
}

// startRace runs the three variants, one after the other, off the UI
// goroutine.
func (k *locksTab) startRace() {
	if k.Race.running {
		return
	}
	g, adds, err := k.raceInputs()
	if err != nil {
		k.RaceStatus.SetText(err.Error())
		return
	}
	ctx := k.Race.start()
	for _, row := range k.RaceCells {
		for _, c := range row[1:] {
			c.SetText("")
		}
	}
	k.RaceStatus.SetText(trn("%d goroutines each add 1 to one counter %s", g, trn("%d times", adds)))
	k.async(func() {
		var o raceOutcome
		for _, v := range lesson.RaceVariants {
			r, err := lesson.Race(ctx, v, g, adds)
			if err != nil {
				o.err = err
				break
			}
			o.results = append(o.results, r)
		}
		k.mu.Lock()
		k.raceOut = &o
		k.mu.Unlock()
	})
}

func (k *locksTab) raceFinished(o raceOutcome) {
	k.Race.finish()
	for i, r := range o.results {
		row := k.RaceCells[i]
		row[1].SetText(strconv.FormatInt(r.Expected, 10))
		row[2].SetText(strconv.FormatInt(r.Got, 10))
		row[3].SetText(strconv.FormatInt(r.Lost, 10))
		row[4].SetText(decimal(fmt.Sprintf("%.3f", r.Seconds)))
	}
	if o.err != nil {
		k.RaceStatus.SetText(tr("Stopped: %v", o.err))
	}
}

// startDeadlock has two goroutines take two locks in the chosen order, off
// the UI goroutine: a deadlock lasts until the watchdog releases it.
func (k *locksTab) startDeadlock() {
	if k.Deadlock.running {
		return
	}
	timeout, err := time.ParseDuration(strings.TrimSpace(k.Timeout.Text))
	if err != nil || timeout <= 0 {
		k.DeadResult.SetText(tr("The watchdog's timeout is a positive duration, like 1s or 250ms."))
		return
	}
	order := k.orders[k.Order.Selected]
	ctx := k.Deadlock.start()
	k.DeadResult.SetText(tr("Two goroutines take A and B; the watchdog looks after %v…", timeout))
	k.async(func() {
		r, err := lesson.Deadlock(ctx, order, timeout)
		k.mu.Lock()
		k.deadOut = &deadlockOutcome{res: r, err: err}
		k.mu.Unlock()
	})
}

func (k *locksTab) deadlockFinished(o deadlockOutcome) {
	k.Deadlock.finish()
	if o.err != nil {
		k.DeadResult.SetText(tr("Stopped: %v", o.err))
		return
	}
	lines := []string{deadlockText(o.res)}
	for _, w := range o.res.Waits {
		lines = append(lines, "  "+w)
	}
	k.DeadResult.SetText(strings.Join(lines, "\n"))
}

// deadlockText is what came of the deadlock, as lesson's Message says it,
// in the window's language. The timeout is written as the Watchdog field
// takes it (time.ParseDuration).
func deadlockText(r lesson.DeadlockResult) string {
	if r.Deadlock {
		return tr("deadlock: both goroutines wait for the lock the other holds (A→B and B→A); released after %v", time.Duration(math.Round(r.Timeout*float64(time.Second))))
	}
	return tr("no deadlock: both goroutines took A, then B, and finished in %s ms", decimal(strconv.FormatFloat(r.Seconds*1000, 'f', 3, 64)))
}

// close stops both jobs and waits for them: the window has closed.
func (k *locksTab) close() {
	k.Race.cancel()
	k.Deadlock.cancel()
	k.jobs.Wait()
}

// tick shows the outcomes that came in, in one fyne.Do; nothing running,
// it queues nothing. The Lesson tab's tick calls it.
func (k *locksTab) tick() {
	if k.busy.Load() == 0 || !k.pending.CompareAndSwap(false, true) {
		return
	}
	k.mu.Lock()
	ro, do := k.raceOut, k.deadOut
	k.raceOut, k.deadOut = nil, nil
	k.mu.Unlock()
	if ro == nil && do == nil {
		k.pending.Store(false)
		return
	}
	fyne.Do(func() {
		defer k.pending.Store(false)
		if ro != nil {
			k.raceFinished(*ro)
		}
		if do != nil {
			k.deadlockFinished(*do)
		}
	})
}
