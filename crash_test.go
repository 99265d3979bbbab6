package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	dt "potok/downloader/demoserver"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// potokBinary builds the command-line program (no window: -tags ci) once per
// test run, without the race detector, so that it can be killed and measured
// like the real one; TestMain removes it. It skips the test when no go tool
// is on PATH.
func potokBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool on PATH to build the binary: %v", err)
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "potok-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "potok")
		out, err := exec.Command(gobin, "build", "-tags", "ci", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// TestKillNineThenResume kills `potok get` with SIGKILL in the middle of 50
// downloads and runs the same command again: every file must come out
// byte-exact, and the second run must fetch about what was missing, not
// everything again.
func TestKillNineThenResume(t *testing.T) {
	const n, size = 50, 256 << 10
	bin := potokBinary(t)
	s := dt.NewServer(dt.WithRate(256 << 10)) // per response: a run takes about 6 s
	addr := strings.TrimPrefix(s.URL, "http://")
	dir := t.TempDir()
	list := filepath.Join(t.TempDir(), "list.txt")
	var names []string
	var lines bytes.Buffer
	for i := range n {
		name := fmt.Sprintf("k%02d.bin", i)
		names = append(names, name)
		fmt.Fprintln(&lines, s.FileURL(name, size))
	}
	if err := os.WriteFile(list, lines.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := t.TempDir()
	cmd := func() *exec.Cmd { return getCommand(bin, cfg, "-q", "-j", "16", "-o", dir, "-i", list) }

	// Kill once about a third of all bytes are on disk, with some files done
	// and others part-way.
	killWhen(t, cmd(), "a third of the bytes on disk", func() bool { return onDisk(t, dir) >= n*size/3 })
	kept := onDisk(t, dir)
	parts, _ := filepath.Glob(filepath.Join(dir, "*.part"))
	if len(parts) == 0 {
		t.Fatal("no .part file left by the killed run: the test did not kill it mid-way")
	}

	// The same command again, against the same URLs at full speed.
	s.Close()
	s2, err := dt.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	second := cmd()
	if err := second.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, second.Stderr)
	}
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, dt.Content(name, size)) {
			t.Fatalf("%s is not the served content", name)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != n {
		t.Fatalf("folder holds %d entries (%v), want the %d files (no .part, no duplicates)", len(ents), err, n)
	}
	missing := int64(n*size) - kept
	fetched := s2.BytesSent()
	t.Logf("killed with %d of %d bytes on disk (%d .part files); the second run fetched %d bytes for %d missing",
		kept, n*size, len(parts), fetched, missing)
	// Resumed, not restarted: at most a few chunks more than were missing.
	if fetched < missing || fetched > missing+int64(len(parts))*64<<10 {
		t.Fatalf("second run fetched %d bytes, want about the %d that were missing", fetched, missing)
	}
}

// getCommand is `potok get args...` with a config folder of its own, so that
// its queue file is the test's.
func getCommand(bin, cfg string, args ...string) *exec.Cmd {
	c := exec.Command(bin, append([]string{"get"}, args...)...)
	c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+cfg)
	c.Stderr = new(bytes.Buffer)
	return c
}

// killWhen starts c and kills it with SIGKILL once reached holds (see
// waitUntil); it is killed and waited for however the test ends.
func killWhen(t *testing.T, c *exec.Cmd, what string, reached func() bool) {
	t.Helper()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Wait()         // an error: it was killed
	defer c.Process.Kill() // when waitUntil gives up, too
	waitUntil(t, what, reached)
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// onDisk sums the sizes of the files and partial files in dir.
func onDisk(t *testing.T, dir string) int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			sum += fi.Size()
		}
	}
	return sum
}
