package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dt "potok/downloader/demoserver"
)

func TestServeRPCUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"serve-rpc", "extra"}, 2, "no arguments"},
		{[]string{"serve-rpc", "-j", "0"}, 2, "-j must be at least 1"},
		{[]string{"serve-rpc", "-listen", "0.0.0.0:0", "-dir", t.TempDir()}, 2, "give a secret"},
		{[]string{"serve-rpc", "-listen", "nonsense"}, 2, "write it as 127.0.0.1:6800"},
		{[]string{"serve-rpc", "-h"}, 0, "usage: potok serve-rpc"},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.err)
		}
	}
}

// rpcProcess is a running potok serve-rpc.
type rpcProcess struct {
	cmd   *exec.Cmd
	lines chan string // stderr, line by line
	url   string
	said  []string
}

var rpcURLLine = regexp.MustCompile(`aria2 JSON-RPC at (http://\S+/jsonrpc)`)

func startServeRPC(t *testing.T, bin, home string, args ...string) *rpcProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve-rpc", "-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = soakEnv(home)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &rpcProcess{cmd: cmd, lines: make(chan string, 64)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	deadline := time.After(30 * time.Second)
	for p.url == "" {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("serve-rpc ended: %q", p.said)
			}
			p.said = append(p.said, line)
			if m := rpcURLLine.FindStringSubmatch(line); m != nil {
				p.url = m[1]
			}
		case <-deadline:
			t.Fatalf("serve-rpc said no URL: %q", p.said)
		}
	}
	return p
}

// stop sends sig and returns the exit code and the rest of stderr.
func (p *rpcProcess) stop(t *testing.T, sig syscall.Signal) (int, string) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for line := range p.lines {
		rest = append(rest, line)
	}
	err := p.cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, strings.Join(rest, "\n")
}

func (p *rpcProcess) call(t *testing.T, secret, method string, params ...any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"id": 0, "method": method, "params": append([]any{"token:" + secret}, params...)})
	resp, err := http.Post(p.url, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %q", method, b)
	}
	return m
}

// TestServeRPC runs potok serve-rpc as a process: it prints where it
// answers and the secret it made, downloads what a client adds into its
// folder, stops cleanly on SIGTERM, and a second run on the same folder
// has the download back from the queue.
func TestServeRPC(t *testing.T) {
	bin := potokBinary(t)
	home, dir := t.TempDir(), t.TempDir()
	files := dt.NewServer()
	defer files.Close()

	p := startServeRPC(t, bin, home, "-dir", dir, "-j", "3")
	var secret string
	waitUntil(t, "the secret", func() bool {
		select {
		case line := <-p.lines:
			p.said = append(p.said, line)
			if s, ok := strings.CutPrefix(line, "potok serve-rpc: secret for this run (give it to your client as the RPC secret): "); ok {
				secret = s
			}
		default:
		}
		return secret != ""
	})
	if len(secret) != 24 {
		t.Fatalf("secret %q", secret)
	}
	if m := p.call(t, "wrong", "aria2.getVersion"); m["error"].(map[string]any)["message"] != "Unauthorized" {
		t.Fatalf("wrong secret: %v", m)
	}
	if m := p.call(t, secret, "aria2.getGlobalOption"); m["result"].(map[string]any)["max-concurrent-downloads"] != "3" {
		t.Fatalf("getGlobalOption: %v", m)
	}
	gid, _ := p.call(t, secret, "aria2.addUri", []string{files.FileURL("rpc.bin", 5000)}, map[string]any{"out": "got.bin"})["result"].(string)
	if gid == "" {
		t.Fatal("no gid")
	}
	waitUntil(t, "the download", func() bool {
		return p.call(t, secret, "aria2.tellStatus", gid, []string{"status"})["result"].(map[string]any)["status"] == "complete"
	})
	if b, err := os.ReadFile(filepath.Join(dir, "got.bin")); err != nil || len(b) != 5000 {
		t.Fatalf("got.bin: %v", err)
	}
	if code, rest := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d after SIGTERM: %s", code, rest)
	}

	// The folder's queue brings the download back; a secret given is not printed.
	p = startServeRPC(t, bin, home, "-dir", dir, "-secret", "given-secret")
	if strings.Contains(strings.Join(p.said, "\n"), "given-secret") {
		t.Fatalf("the given secret was printed: %q", p.said)
	}
	m := p.call(t, "given-secret", "aria2.tellStopped", 0, 10, []string{"status", "files"})
	list, _ := m["result"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["status"] != "complete" ||
		list[0].(map[string]any)["files"].([]any)[0].(map[string]any)["path"] != filepath.Join(dir, "got.bin") {
		t.Fatalf("after a restart: %v", m)
	}
	if code, rest := p.stop(t, syscall.SIGINT); code != 0 || strings.Contains(rest, "given-secret") {
		t.Fatalf("exit %d after SIGINT: %s", code, rest)
	}
}
