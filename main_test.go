package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	dt "potok/downloader/demoserver"
)

// runCLI runs the program as the shell would and returns exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestGetInterruptKeepsPartsThenResumes: Ctrl-C stops potok get with exit 1
// and keeps the .part files; the same command resumes them with ranged GETs.
// (A Go test, not a script: the signal goes to the process that runs it.)
func TestGetInterruptKeepsPartsThenResumes(t *testing.T) {
	const size = 2 << 20
	s := dt.NewServer(dt.WithRate(512 << 10))
	defer s.Close()
	dir := t.TempDir()
	urls := []string{s.FileURL("slow1.bin", size), s.FileURL("slow2.bin", size)}
	done := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, "", append([]string{"get", "-q", "-o", dir}, urls...)...)
		done <- code
	}()
	interrupted := false
	defer func() {
		if !interrupted { // the test failed first: stop the run and join it
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			<-done
		}
	}()
	part := filepath.Join(dir, "slow1.bin.part")
	waitUntil(t, "bytes in "+part, func() bool {
		fi, err := os.Stat(part)
		return err == nil && fi.Size() > 0
	})
	// What the user's Ctrl-C sends; runGet listens for it while it runs.
	interrupted = true
	err := syscall.Kill(os.Getpid(), syscall.SIGINT)
	if code := <-done; err != nil || code != 1 {
		t.Fatalf("interrupted run exited %d, want 1 (%v)", code, err)
	}
	fi, err := os.Stat(part)
	if err != nil || fi.Size() == 0 || fi.Size() >= size {
		t.Fatalf("partial file after Ctrl-C: %v %v", fi, err)
	}
	kept := fi.Size()

	// The same command again resumes from the kept bytes, from a server at
	// the same address (so the same URLs) that now runs at full speed.
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Close()
	s2, err := dt.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	code, _, errOut := runCLI(t, "", append([]string{"get", "-q", "-o", dir}, urls...)...)
	if code != 0 {
		t.Fatalf("resume run exited %d: %s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "slow1.bin"))
	if err != nil || !bytes.Equal(b, dt.Content("slow1.bin", size)) {
		t.Fatalf("resumed file differs from the served one (%v)", err)
	}
	resumed := false
	for _, r := range s2.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "slow1.bin") && r.Range == "bytes="+itoa(kept)+"-" {
			resumed = true
		}
	}
	if !resumed {
		t.Fatalf("no Range request from byte %d: %+v", kept, s2.Requests())
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 2 {
		t.Fatalf("folder holds %d entries (%v), want the 2 files", len(ents), err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFlagValues(t *testing.T) {
	var b byteSize
	for in, want := range map[string]int64{"2MiB": 2 << 20, "32KiB": 32 << 10, "1.5MB": 1_500_000, "4096": 4096} {
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("byteSize %q = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"fast", "-1", "9EiB"} {
		if err := b.Set(in); err == nil {
			t.Errorf("byteSize accepted %q", in)
		}
	}
	var l intList
	if err := l.Set("1, 2,4"); err != nil || l.String() != "1,2,4" {
		t.Errorf("intList: %v %v", l, err)
	}
	for _, in := range []string{"", "1,,2", "0", "a"} {
		if err := l.Set(in); err == nil {
			t.Errorf("intList accepted %q", in)
		}
	}
}
