// Package lesson makes the notebooks' lessons on threads, processes, the GIL,
// locks and deadlocks something to run and measure.
//
// The notebooks ask why fetching 13 pages got faster with threads (4.4 s →
// 0.67 s) while integrating π did not (4.84 s → 4.87 s at 1, 4 and 8
// threads), and answer: CPython's global interpreter lock lets one thread
// run Python at a time, and a thread lets go of it while it waits for the
// network. Here the same work runs in three modes (mode.go):
//
//   - goroutines: Go as it is, every worker on any core;
//   - processes: the work split over child processes of the program itself,
//     as multiprocessing.Pool does (worker.go: each child gets its share on
//     stdin and answers on stdout);
//   - gil: goroutines that hold one global lock while they compute and let go
//     of it only while they wait, or every switch interval (gil.go).
//
// π (pi.go) and the regressors (regress.go) run in each mode with the same
// results to the last bit; downloads (downloads.go) too. Sweep (sweep.go)
// measures a job at several worker counts in each mode, and Lesson
// (lessonsweep.go) measures downloads and π together, the notebooks' question
// and its answer in one table. Race (race.go) loses updates of a shared
// counter without a lock, and Deadlock (deadlock.go) takes two locks in
// opposite orders, detects that both goroutines are stuck, and releases them.
//
// compute keeps the work itself; this package decides only how it runs.
// A program that uses processes mode must call ServeWorker when it is
// started with WorkerCommand as its first argument (potok's main does).
package lesson
