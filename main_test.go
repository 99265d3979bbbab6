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
	"time"

	dt "potok/downloader/demoserver"
)

// runCLI runs the program as the shell would and returns exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestGetExitCodes(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	missing := s.URL + "/nothing-here" // 404
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		err   string // in stderr
	}{
		{name: "all arrive", args: []string{s.FileURL("a.bin", 100), s.FileURL("b.bin", 200)}, code: 0, err: "2 done, 0 failed"},
		{name: "one fails", args: []string{s.FileURL("a.bin", 100), missing, "-retries", "0"}, code: 1, err: "404"},
		{name: "no urls", args: nil, code: 2, err: "no URLs given"},
		{name: "unknown flag", args: []string{"-nope"}, code: 2, err: "flag provided but not defined"},
		{name: "bad -j", args: []string{"-j", "0", s.FileURL("a", 1)}, code: 2, err: "-j must be"},
		{name: "bad -rate", args: []string{"-rate", "fast", s.FileURL("a", 1)}, code: 2, err: "not a size"},
		{name: "only bad lines", stdin: "ftp://x/y\nnot a url\n", args: []string{"-i", "-"}, code: 2, err: "standard input:1:"},
		{name: "bad line among good", stdin: s.FileURL("ok.bin", 10) + "\nftp://x/y\n", args: []string{"-i", "-"}, code: 1, err: "standard input:2: scheme"},
		{name: "duplicates are fine", stdin: s.FileURL("d.bin", 10) + "\n" + s.FileURL("d.bin", 10) + "\n", args: []string{"-i", "-"}, code: 0, err: "duplicate URL"},
		{name: "missing list file", args: []string{"-i", "/no/such/list.txt"}, code: 2, err: "open URL list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"get", "-o", t.TempDir()}, tc.args...)
			code, _, errOut := runCLI(t, tc.stdin, args...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Fatalf("exit %d, want %d; stderr:\n%s\nwant it to contain %q", code, tc.code, errOut, tc.err)
			}
		})
	}
}

func TestGetPlainOutputAndFiles(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	dir := t.TempDir()
	// Flags after the URLs work too.
	code, out, errOut := runCLI(t, "", "get", s.FileURL("one.bin", 5000), s.FileURL("two.bin", 7000), "-o", dir, "-j", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Count(out, " finished ") != 2 || !strings.Contains(out, "worker ") {
		t.Fatalf("stdout:\n%s", out)
	}
	for name, size := range map[string]int64{"one.bin": 5000, "two.bin": 7000} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(b, dt.Content(name, size)) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func TestGetInterruptKeepsPartsThenResumes(t *testing.T) {
	const size = 2 << 20
	s := dt.NewServer(dt.WithRate(512 << 10))
	defer s.Close()
	dir := t.TempDir()
	urls := []string{s.FileURL("slow1.bin", size), s.FileURL("slow2.bin", size)}
	done := make(chan int)
	go func() {
		code, _, _ := runCLI(t, "", append([]string{"get", "-q", "-o", dir}, urls...)...)
		done <- code
	}()
	part := filepath.Join(dir, "slow1.bin.part")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(part); err == nil && fi.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no partial file appeared")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// What the user's Ctrl-C sends; runGet listens for it while it runs.
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 1 {
		t.Fatalf("interrupted run exited %d, want 1", code)
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
	b, _ := os.ReadFile(filepath.Join(dir, "slow1.bin"))
	if !bytes.Equal(b, dt.Content("slow1.bin", size)) {
		t.Fatal("resumed file differs from the served one")
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
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Fatalf("folder holds %d entries, want the 2 files", len(ents))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBenchIOSmall(t *testing.T) {
	code, out, errOut := runCLI(t, "", "bench", "io", "-workers", "1,4", "-files", "8", "-size", "8KiB", "-latency", "20ms", "-rate", "0")
	if code != 0 || !strings.Contains(out, "efficiency") || strings.Count(out, "\n") < 4 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "bench", "io", "-workers", "2", "-files", "2", "-size", "1KiB", "-latency", "0s", "-json")
	if code != 0 || !strings.Contains(out, `"efficiency"`) {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "", "bench", "cpu"); code != 2 {
		t.Fatalf("unknown benchmark exited %d", code)
	}
	if code, _, _ := runCLI(t, "", "bench", "io", "-workers", "0"); code != 2 {
		t.Fatalf("-workers 0 exited %d", code)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, errOut := runCLI(t, "", "fetch"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, out, _ := runCLI(t, "", "help"); code != 0 || !strings.Contains(out, "potok get") {
		t.Fatalf("help: %d %s", code, out)
	}
}

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

func TestPiCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "pi", "-n", "200000", "-workers", "1,2", "-repeats", "1")
	if code != 0 || !strings.Contains(out, "π ≈ 3.14159") || !strings.Contains(out, "efficiency") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "pi", "-n", "5000000", "-workers", "2", "-repeats", "1", "-json")
	if code != 0 || !strings.Contains(out, `"value": 3.1415926532923013`) {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{{"pi", "-n", "1"}, {"pi", "-intervals", "0"}, {"pi", "-workers", "0"}, {"pi", "extra"}} {
		if code, _, _ := runCLI(t, "", bad...); code != 2 {
			t.Errorf("%v exited %d, want 2", bad, code)
		}
	}
}

func TestRegressCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "regress", "-dataset", "diabetes", "-workers", "1,2", "-trees", "20")
	if code != 0 || !strings.Contains(out, "train 296, test 146") || strings.Count(out, "gradient boosting") != 2 ||
		!strings.Contains(out, "both evaluations in parallel") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	csv := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(csv, []byte("ID,a,target\n1,0.5,1\n2,nan,2\n"), 0o644)
	if code, _, errOut := runCLI(t, "", "regress", "-data", csv); code != 2 || !strings.Contains(errOut, "line 3") {
		t.Fatalf("NaN row: exit %d: %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "", "regress", "-dataset", "nope"); code != 2 {
		t.Fatalf("unknown dataset exited %d", code)
	}
}

func TestFailedURLPasswordHidden(t *testing.T) {
	s := dt.NewServer(dt.WithStatus(http.StatusNotFound))
	defer s.Close()
	u := strings.Replace(s.FileURL("p.bin", 10), "http://", "http://user:s3cret@", 1)
	code, _, errOut := runCLI(t, "", "get", "-q", "-no-queue", "-o", t.TempDir(), u)
	if code != 1 || !strings.Contains(errOut, "failed: http://user:xxxxx@") || strings.Contains(errOut, "s3cret") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}
