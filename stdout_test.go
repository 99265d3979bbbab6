package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	dt "potok/downloader/demoserver"
)

// potokProcess is the test binary started as the program itself (see
// TestMain), for a test that needs a process of its own but not a build.
func potokProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, args...)
	c.Args[0] = "potok"
	c.Env = append(os.Environ(), "LANG=en_US.UTF-8", "GORACE="+raceQuickExit())
	return c
}

// TestClosedOrFullStdout: a write to standard output that fails, on a pipe
// nobody reads any more or on a full disk, makes potok exit 1 and say so on
// stderr: not die of SIGPIPE (exit 141 in a shell), not exit 0 with the
// output lost. potok get still downloads every file.
func TestClosedOrFullStdout(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	for _, tc := range []struct {
		name, want string
		stdout     func(t *testing.T) *os.File
	}{
		{"closed pipe", "broken pipe", func(t *testing.T) *os.File {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			return w
		}},
		{"full disk", "no space left on device", func(t *testing.T) *os.File {
			f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skipf("no /dev/full: %v", err)
			}
			return f
		}},
	} {
		for _, command := range [][]string{
			{"pi", "-n", "200000", "-workers", "1", "-repeats", "1"},
			{"get", "-plain", "-no-queue", "-o", "DIR", s.FileURL("a.bin", 1000), s.FileURL("b.bin", 2000)},
		} {
			t.Run(tc.name+"/"+command[0], func(t *testing.T) {
				dir := t.TempDir()
				var args []string
				for _, a := range command {
					args = append(args, strings.Replace(a, "DIR", dir, 1))
				}
				c := potokProcess(t, args...)
				c.Stdout = tc.stdout(t)
				var stderr bytes.Buffer
				c.Stderr = &stderr
				err := c.Run()
				c.Stdout.(*os.File).Close()
				want := "potok: the output is incomplete: write /dev/stdout: " + tc.want + "\n"
				if code := c.ProcessState.ExitCode(); code != 1 || !strings.HasSuffix(stderr.String(), want) {
					t.Fatalf("exit %d (%v), stderr:\n%s\nwant exit 1 and it to end with %q", code, err, stderr.String(), want)
				}
				if args[0] == "get" {
					for name, size := range map[string]int64{"a.bin": 1000, "b.bin": 2000} {
						if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(b, dt.Content(name, size)) {
							t.Errorf("%s did not arrive whole: %v", name, err)
						}
					}
				}
			})
		}
	}
}

// failingWriter fails every write, counting them.
type failingWriter struct{ writes int }

func (f *failingWriter) Write([]byte) (int, error) {
	f.writes++
	return 0, syscall.ENOSPC
}

// TestFailedWriteEveryCommand: whatever the command, a failed write to
// stdout is tried once, then remembered: the command ends with exit 1 and
// says so, after doing its work (serve-demo at once: nobody has its list).
func TestFailedWriteEveryCommand(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"help", []string{"help"}},
		{"get", []string{"get", "-plain", "-no-queue", "-o", t.TempDir(), s.FileURL("a.bin", 100), s.FileURL("b.bin", 100)}},
		{"bench io", []string{"bench", "io", "-workers", "1", "-files", "1", "-size", "1KiB", "-latency", "0s"}},
		{"bench io -json", []string{"bench", "io", "-workers", "1", "-files", "1", "-size", "1KiB", "-latency", "0s", "-json"}},
		{"pi", []string{"pi", "-n", "2000", "-workers", "1", "-repeats", "1"}},
		{"pi -json", []string{"pi", "-n", "2000", "-workers", "1", "-repeats", "1", "-json"}},
		{"regress", []string{"regress", "-dataset", "diabetes", "-workers", "1", "-trees", "2", "-stages", "2"}},
		{"serve-demo", []string{"serve-demo", "-files", "2"}},
		{"bench lesson", []string{"bench", "lesson", "-n", "2000", "-workers", "1", "-repeats", "1", "-files", "1", "-size", "1KiB", "-latency", "1ms", "-mode", "gil,processes"}},
		{"race", []string{"race", "-goroutines", "2", "-adds", "10"}},
		{"deadlock -order same", []string{"deadlock", "-order", "same"}},
	} {
		args := tc.args
		t.Run(tc.name, func(t *testing.T) {
			var w failingWriter
			var stderr bytes.Buffer
			code := run(args, strings.NewReader(""), &w, &stderr)
			want := "potok: the output is incomplete: no space left on device\n"
			if code != 1 || w.writes != 1 || !strings.HasSuffix(stderr.String(), want) {
				t.Fatalf("exit %d after %d writes, stderr:\n%s\nwant exit 1 after one write, and %q", code, w.writes, stderr.String(), want)
			}
		})
	}
}

// TestServeDemo: serve-demo prints its list on stdout, serves it, and ends
// with exit 0 on Ctrl-C.
func TestServeDemo(t *testing.T) {
	r, w := io.Pipe()
	defer r.Close() // a write still blocked fails: the run ends
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		defer w.Close()
		done <- run([]string{"serve-demo", "-files", "3", "-size", "1000", "-latency", "0s", "-rate", "0"}, nil, w, &stderr)
	}()
	var list []string
	for sc := bufio.NewScanner(r); len(list) < 3 && sc.Scan(); {
		list = append(list, sc.Text())
	}
	if len(list) < 3 { // the run ended without printing its list
		t.Fatalf("serve-demo printed %q, exited %d:\n%s", list, <-done, stderr.String())
	}
	got, err := get(list[1])
	// The list is printed after serve-demo listens for Ctrl-C.
	kill := syscall.Kill(os.Getpid(), syscall.SIGINT)
	if code := <-done; code != 0 || kill != nil {
		t.Fatalf("serve-demo exited %d after Ctrl-C (%v):\n%s", code, kill, stderr.String())
	}
	if err != nil || !strings.HasSuffix(list[1], "/f/file2.bin?size=1000") || !bytes.Equal(got, dt.Content("file2.bin", 1000)) {
		t.Fatalf("list %q: %s served %d bytes (%v), not file2.bin's 1000", list, list[1], len(got), err)
	}
	if !strings.Contains(stderr.String(), "serving demo files at http://127.0.0.1:") {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
}

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// TestPprofServerIsOwned: the POTOK_PPROF server serves until stop, which
// shuts it down and waits for it; an error of its own is reported then, and
// an address it cannot or may not serve is said at once.
func TestPprofServerIsOwned(t *testing.T) {
	var stderr bytes.Buffer
	p := startPprof("127.0.0.1:0", &stderr)
	if p == nil {
		t.Fatalf("not served: %s", stderr.String())
	}
	url := "http://" + p.addr() + "/debug/pprof/cmdline"
	_, err := get(url)
	p.stop()
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if _, err := get(url); err == nil {
		t.Fatal("still served after stop")
	}
	if stderr.Len() != 0 {
		t.Fatalf("a clean stop said %q", stderr.String())
	}

	p = startPprof("127.0.0.1:0", &stderr)
	p.ln.Close() // the server fails under it
	<-p.served
	p.stop()
	if !strings.Contains(stderr.String(), "potok: the pprof server (POTOK_PPROF) stopped early: ") {
		t.Fatalf("its error was not reported: %q", stderr.String())
	}

	stderr.Reset()
	if p := startPprof("0.0.0.0:6060", &stderr); p != nil || !strings.Contains(stderr.String(), "give a loopback address, 127.0.0.1:PORT") {
		t.Fatalf("a non-loopback address: %v, %q", p, stderr.String())
	}
	busy := startPprof("127.0.0.1:0", &stderr)
	defer busy.stop()
	stderr.Reset()
	if p := startPprof(busy.addr(), &stderr); p != nil || !strings.Contains(stderr.String(), "address already in use; no profiles are served") {
		t.Fatalf("an address in use: %v, %q", p, stderr.String())
	}
	var nothing *pprofServer
	nothing.stop() // POTOK_PPROF unset: nothing to stop
}
