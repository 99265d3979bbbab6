package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dt "potok/downloader/demoserver"
)

// The CLI soak: the load, through the real binary.
const (
	cliSoakFiles    = 10000
	cliSoakParallel = 64
	cliSoakMaxRSS   = 150_000_000 // bytes: the 150 MB
)

// cliSoakSize gives file i a size between 4 KiB and 16 KiB, mixed.
func cliSoakSize(i int) int64 { return 4<<10 + int64(i*7919)%(12<<10+1) }

func cliSoakName(i int) string { return fmt.Sprintf("file-%05d.bin", i) }

// soakEnv is the environment of the subprocess: the test's, with a temporary
// home and config folder (the CLI may keep its queue there; the user's must
// never be touched) and without settings that would change what is measured.
func soakEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "HOME" || k == "XDG_CONFIG_HOME" || k == "GOGC" || k == "GOMEMLIMIT" ||
			k == "GODEBUG" || strings.HasPrefix(k, "POTOK_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
}

// soakHelperEnv names the file where TestCLISoakHelperProcess writes what it
// measured; the helper runs only when it is set.
const soakHelperEnv = "SOAK_HELPER_RESULT"

// soakRun is how the helper saw potok end.
type soakRun struct {
	Code      int   // exit code
	MaxRSSKiB int64 // ru_maxrss of potok
	UserNS    int64 // CPU time
	SysNS     int64
	WallNS    int64
	HelperKiB int64 // the helper's own peak RSS when it started potok (VmHWM)
}

// TestCLISoakHelperProcess is not a test: TestCLISoak runs the test binary
// again with it to start potok and report potok's peak RSS. os/exec starts a
// child with vfork (CLONE_VM), so the child's ru_maxrss begins at the
// parent's high-water mark: started from the test process, which holds the
// loopback server, its records of 10,000 requests and, under -race, shadow
// memory, potok would be charged for all that (seen: 401 MB for a 140 MB
// run; /bin/true from a 300 MB process reports 310 MB). This small helper
// passes on only its own few MB, and says how many.
func TestCLISoakHelperProcess(t *testing.T) {
	result := os.Getenv(soakHelperEnv)
	if result == "" {
		t.Skip("a helper process of TestCLISoak")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, soakHelperEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// If TestCLISoak gives up on the helper and kills it, potok goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	r := soakRun{HelperKiB: vmHWM()}
	start := time.Now()
	err := cmd.Run()
	r.WallNS = int64(time.Since(start))
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "soak helper:", err)
		os.Exit(3)
	}
	r.Code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSKiB = ru.Maxrss // KiB on Linux
		r.UserNS, r.SysNS = ru.Utime.Nano(), ru.Stime.Nano()
	}
	b, _ := json.Marshal(r)
	if err := os.WriteFile(result, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "soak helper:", err)
		os.Exit(3)
	}
	os.Exit(0) // no test framework output mixed into potok's
}

// vmHWM returns this process's peak resident set size in KiB (Linux), 0 if
// unknown.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// TestCLISoak runs `potok get -q -j 64` on a list of 10,000 small files from
// the loopback server, as a separate process, and checks the exit code, every
// file byte for byte, that no .part is left, and the process's peak resident
// memory against the 150 MB target.
func TestCLISoak(t *testing.T) {
	bin := potokBinary(t)
	s := dt.NewServer()
	defer s.Close()

	work := t.TempDir()
	home := filepath.Join(work, "home")
	dir := filepath.Join(work, "out")
	list := filepath.Join(work, "list.txt")
	result := filepath.Join(work, "result.json")
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o755); err != nil {
		t.Fatal(err)
	}
	var lb bytes.Buffer
	var total int64
	for i := range cliSoakFiles {
		lb.WriteString(s.FileURL(cliSoakName(i), cliSoakSize(i)))
		lb.WriteByte('\n')
		total += cliSoakSize(i)
	}
	if err := os.WriteFile(list, lb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCLISoakHelperProcess$", "--",
		bin, "get", "-q", "-j", fmt.Sprint(cliSoakParallel), "-o", dir, "-i", list)
	cmd.Env = append(soakEnv(home), soakHelperEnv+"="+result)
	cmd.Dir = work
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var r soakRun
	if b, rerr := os.ReadFile(result); err != nil || rerr != nil || json.Unmarshal(b, &r) != nil || r.Code != 0 {
		t.Fatalf("potok get: exit %d (helper: %v %v)\nstdout:\n%s\nstderr:\n%s",
			r.Code, err, rerr, lastLines(stdout.String()), lastLines(stderr.String()))
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("%d done, 0 failed", cliSoakFiles)) {
		t.Errorf("summary:\n%s", lastLines(stderr.String()))
	}

	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != cliSoakFiles {
		t.Errorf("folder holds %d entries, want the %d files", len(ents), cliSoakFiles)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Fatalf("%s left behind", e.Name())
		}
	}
	for i := range cliSoakFiles {
		name := cliSoakName(i)
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, dt.Content(name, cliSoakSize(i))) {
			t.Fatalf("%s: %d bytes, not the served %d", name, len(got), cliSoakSize(i))
		}
	}
	// Whatever the CLI keeps between runs (a queue file) went to the
	// temporary home, never the user's.
	var kept []string
	filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				rel, _ := filepath.Rel(home, p)
				kept = append(kept, fmt.Sprintf("%s (%d bytes)", rel, fi.Size()))
			}
		}
		return nil
	})
	t.Logf("kept under the temporary HOME: %v", kept)

	wall, rss, floor := time.Duration(r.WallNS), r.MaxRSSKiB<<10, r.HelperKiB<<10
	t.Logf("potok get -j %d: %d files, %.1f MiB in %v wall (%.0f files/s), CPU %v user + %v system; "+
		"peak RSS %.1f MB (target < %d MB; the helper that started it: %.1f MB)",
		cliSoakParallel, cliSoakFiles, float64(total)/(1<<20), wall.Round(time.Millisecond),
		cliSoakFiles/wall.Seconds(), time.Duration(r.UserNS).Round(time.Millisecond),
		time.Duration(r.SysNS).Round(time.Millisecond), float64(rss)/1e6, cliSoakMaxRSS/1_000_000, float64(floor)/1e6)
	if rss >= cliSoakMaxRSS {
		t.Errorf("peak RSS %.1f MB (%d bytes), want under %d MB", float64(rss)/1e6, rss, cliSoakMaxRSS/1_000_000)
	}
	if floor >= cliSoakMaxRSS/2 {
		t.Errorf("the helper process already had %.1f MB resident: potok's own peak cannot be told apart", float64(floor)/1e6)
	}
}

// lastLines keeps the last lines of a long output for a failure message.
func lastLines(s string) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > 20 {
		lines = append([]string{"…"}, lines[len(lines)-20:]...)
	}
	return strings.Join(lines, "\n")
}
