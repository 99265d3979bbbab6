package lesson

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTimes is the machine's busy CPU time (all cores, time stolen by the
// hypervisor included) and this process's own (its children's included,
// once they are waited for).
type cpuTimes struct{ busy, own time.Duration }

// clockTick is USER_HZ, the unit of /proc/stat: 100 a second on Linux.
const clockTick = 10 * time.Millisecond

func readCPUTimes(t testing.TB) cpuTimes {
	t.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		t.Fatalf("/proc/stat starts %q", line)
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		ticks += v
	}
	var own time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err != nil {
			t.Fatal(err)
		}
		own += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return cpuTimes{busy: time.Duration(ticks) * clockTick, own: own}
}

// TestPiSpeedupByMode is the notebooks' π question measured, at N = 200
// million: goroutines at 2 workers run at least 1.7× as fast as at 1, while
// under the GIL 2 workers run at most 1.15× as fast as 1 (the notebook: 4.84
// s at 1 thread, 4.87 s at 4). A run counts only when the rest of the machine
// left the cores alone meanwhile (other processes used less than a tenth of
// a core, from /proc/stat against this process's own CPU time; this machine
// is shared), and each configuration's best counted run is compared. The
// runs go round until every configuration has 3 counted runs, for at most
// 90 s; a configuration with none after that skips the test, saying how
// busy the machine was (`make test` runs this test alone, after the rest,
// so that the other packages' tests are not what keeps it busy).
func TestPiSpeedupByMode(t *testing.T) {
	if testing.Short() {
		t.Skip("200 million points, a dozen times over")
	}
	if runtime.NumCPU() < 2 || runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs 2 cores")
	}
	const n, wanted = 200_000_000, 3
	type config struct {
		mode    Mode
		workers int
	}
	configs := []config{{Goroutines, 1}, {Goroutines, 2}, {GIL, 1}, {GIL, 2}, {Processes, 1}, {Processes, 2}}
	best := map[config]float64{}
	counted := map[config]int{}
	disturbed := 0
	var worst time.Duration
	deadline := time.Now().Add(90 * time.Second)
	for done := false; !done && time.Now().Before(deadline); {
		done = true
		for _, c := range configs {
			if counted[c] >= wanted {
				continue
			}
			done = false
			before := readCPUTimes(t)
			r, err := Pi(context.Background(), c.mode, n, 10, c.workers, nil)
			after := readCPUTimes(t)
			if err != nil {
				t.Fatal(err)
			}
			wall := time.Duration(r.Seconds * float64(time.Second))
			others := (after.busy - before.busy) - (after.own - before.own)
			if others > wall/10+2*clockTick {
				disturbed++
				worst = max(worst, others)
				continue
			}
			counted[c]++
			if b, ok := best[c]; !ok || r.Seconds < b {
				best[c] = r.Seconds
			}
		}
	}
	var figures []string
	for _, c := range configs {
		figures = append(figures, fmt.Sprintf("%s×%d %.3f s (%d runs)", c.mode, c.workers, best[c], counted[c]))
	}
	t.Logf("best counted runs: %s; %d runs not counted (the busiest: other processes used %v)", strings.Join(figures, ", "), disturbed, worst)
	for _, c := range configs {
		if counted[c] == 0 {
			t.Skipf("the machine was never quiet enough: no run of %s at %d workers had the cores to itself within 90 s", c.mode, c.workers)
		}
	}
	speedup := func(m Mode) float64 { return best[config{m, 1}] / best[config{m, 2}] }
	t.Logf("speedup at 2 workers: goroutines %.2f×, gil %.2f×, processes %.2f×", speedup(Goroutines), speedup(GIL), speedup(Processes))
	if s := speedup(GIL); s > 1.15 {
		t.Errorf("under the GIL π ran %.2f× as fast at 2 workers as at 1: want at most 1.15×", s)
	}
	if s := speedup(Goroutines); s < 1.7 {
		t.Errorf("with goroutines π ran %.2f× as fast at 2 workers as at 1: want at least 1.7×", s)
	}
}
