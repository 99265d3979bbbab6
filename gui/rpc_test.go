package gui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// startRPC runs the window's RPC runner, as Run does, on any free port of
// loopback with the given secret, and waits until it answers.
func startRPC(t *testing.T, mw *mainWindow, secret string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r := mw.Downloads.rpc
	go func() {
		defer close(done)
		r.runner.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	r.apply(rpcConfig{On: true, Port: 0, Secret: secret}, mw.app.Preferences())
	tickWindowUntil(t, mw, "the RPC server answering", func() bool { return r.status.Addr != "" || r.status.Err != nil })
	if r.status.Err != nil {
		t.Fatal(r.status.Err)
	}
	return r.status.Addr
}

// rpcAnswer is a JSON-RPC answer: a result or an error.
type rpcAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call makes one aria2 call over HTTP POST, as a browser extension does,
// with token:secret first.
func call(t *testing.T, addr, secret, method string, params ...any) rpcAnswer {
	t.Helper()
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": "1", "method": method, "params": append([]any{"token:" + secret}, params...)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/jsonrpc", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a rpcAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// result is a call's result, failing the test on an error.
func result[T any](t *testing.T, a rpcAnswer) T {
	t.Helper()
	var v T
	if a.Error != nil {
		t.Fatalf("RPC error %d: %s", a.Error.Code, a.Error.Message)
	}
	if err := json.Unmarshal(a.Result, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func status(t *testing.T, addr, secret, gid string) string {
	t.Helper()
	return result[map[string]string](t, call(t, addr, secret, "aria2.tellStatus", gid, []string{"status"}))["status"]
}

// TestRPCAddURIIsARowAndFollowsTheEngine: a link a client adds by RPC,
// before any download (so the RPC makes the engine on the chosen folder),
// is a row of the window and a file in its folder. When the folder
// changes, the server follows the new engine; back on the first folder the
// download has its gid still (kept in the queue file).
func TestRPCAddURIIsARowAndFollowsTheEngine(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	mw, _, _ := newRecordedWindow(t)
	tab := mw.Downloads
	first := tab.Folder.Text
	const secret = "test-secret"
	addr := startRPC(t, mw, secret)
	if tab.currentEngine() != nil {
		t.Fatal("an engine before any download")
	}

	gid := result[string](t, call(t, addr, secret, "aria2.addUri", []string{s.FileURL("r.bin", 5000)}))
	tickUntil(t, tab, "the RPC's download a row, done", func() bool { return allIn(tab, 1, downloader.StateDone) })
	if tab.files[0].Tag != gid {
		t.Fatalf("row tag %q, gid %q", tab.files[0].Tag, gid)
	}
	if b := readFile(t, filepath.Join(first, "r.bin")); !bytes.Equal(b, dt.Content("r.bin", 5000)) {
		t.Fatal("r.bin differs")
	}
	if st := status(t, addr, secret, gid); st != "complete" {
		t.Fatalf("status %q", st)
	}
	if a := call(t, addr, "wrong", "aria2.tellActive"); a.Error == nil {
		t.Fatal("a wrong secret was taken")
	}

	second := t.TempDir()
	tab.setFolder(second)
	gid2 := result[string](t, call(t, addr, secret, "aria2.addUri", []string{s.FileURL("r2.bin", 10)}))
	tickUntil(t, tab, "the second folder's download done", func() bool { return allIn(tab, 1, downloader.StateDone) })
	readFile(t, filepath.Join(second, "r2.bin"))
	if a := call(t, addr, secret, "aria2.tellStatus", gid); a.Error == nil {
		t.Fatal("the first folder's gid is known on the second folder's engine")
	}

	tab.setFolder(first)
	tickUntil(t, tab, "the first folder's list back", func() bool { return len(tab.files) == 1 })
	if st := status(t, addr, secret, gid); st != "complete" {
		t.Fatalf("status after the folder came back: %q", st)
	}
	if gid2 == gid {
		t.Fatal("two downloads, one gid")
	}
}

// TestRPCOptionsMoveTheSliders: changeGlobalOption from a client moves the
// Parallel downloads and connections sliders and rewrites the speed
// limit, all remembered, as if the user had set them.
func TestRPCOptionsMoveTheSliders(t *testing.T) {
	mw, _, _ := newRecordedWindow(t)
	tab := mw.Downloads
	const secret = "s"
	addr := startRPC(t, mw, secret)
	opts := map[string]string{"max-concurrent-downloads": "3", "max-overall-download-limit": "512K", "split": "2"}
	if r := result[string](t, call(t, addr, secret, "aria2.changeGlobalOption", opts)); r != "OK" {
		t.Fatalf("changeGlobalOption: %q", r)
	}
	tickWindowUntil(t, mw, "the sliders moved", func() bool { return tab.Parallel.Value == 3 })
	p := mw.app.Preferences()
	if tab.Connections.Value != 2 || tab.RateLimit.Text != "512KiB" || p.Int(prefParallel) != 3 || p.String(prefRate) != "512KiB" {
		t.Fatalf("connections %v, rate %q, kept %d %q", tab.Connections.Value, tab.RateLimit.Text, p.Int(prefParallel), p.String(prefRate))
	}
	e := tab.currentEngine()
	if e.Limit() != 3 || e.RateLimit() != 512<<10 || e.Connections() != 2 {
		t.Fatalf("engine: limit %d, rate %d, connections %d", e.Limit(), e.RateLimit(), e.Connections())
	}
	// No limit again: the field empties.
	result[string](t, call(t, addr, secret, "aria2.changeGlobalOption", map[string]string{"max-overall-download-limit": "0"}))
	tickWindowUntil(t, mw, "the limit gone", func() bool { return tab.RateLimit.Text == "" })
}

func TestRateText(t *testing.T) {
	for n, want := range map[int64]string{0: "", 2 << 20: "2MiB", 512 << 10: "512KiB", 1500: "1500", 3<<20 + 1024: "3073KiB"} {
		if got := rateText(n); got != want {
			t.Errorf("rateText(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestRPCSecretIsKeptShownAndCopied: the secret made on the first start is
// kept; the Settings dialog shows it, Copy puts it on the clipboard, and a
// new secret takes effect on Apply (the old one is refused from then on).
func TestRPCSecretIsKeptShownAndCopied(t *testing.T) {
	mw, _, a := newRecordedWindow(t)
	tab := mw.Downloads
	secret := tab.rpc.config.Secret
	if len(secret) < 20 || a.Preferences().String(prefRPCSecret) != secret || !tab.rpc.config.On || tab.rpc.config.Port != 6800 {
		t.Fatalf("first start: %+v", tab.rpc.config)
	}
	again := newDownloadTab(a, tab.win)
	t.Cleanup(again.close)
	if again.rpc.config.Secret != secret {
		t.Fatal("the secret was not kept")
	}

	addr := startRPC(t, mw, secret)
	d := openSettings(t, tab)
	if d.RPCSecret.Text != secret || !d.RPCOn.Checked {
		t.Fatalf("the dialog shows %q, on %v", d.RPCSecret.Text, d.RPCOn.Checked)
	}
	if !strings.Contains(d.RPCStatus.Text, "http://"+addr+"/jsonrpc") {
		t.Fatalf("status %q", d.RPCStatus.Text)
	}
	test.Tap(d.CopySecret)
	if got := a.Clipboard().Content(); got != secret {
		t.Fatalf("clipboard %q", got)
	}
	test.Tap(d.NewSecret)
	fresh := d.RPCSecret.Text
	if fresh == secret || len(fresh) < 20 {
		t.Fatalf("new secret %q", fresh)
	}
	if tab.rpc.config.Secret != secret {
		t.Fatal("the new secret took effect before Apply")
	}
	d.RPCPort.SetText("0") // not a port the dialog takes
	if !d.Apply.Disabled() || !strings.Contains(d.Problem.Text, "port") {
		t.Fatalf("port 0: Apply disabled %v, problem %q", d.Apply.Disabled(), d.Problem.Text)
	}
	d.RPCPort.SetText(strconv.Itoa(freePort(t)))
	test.Tap(d.Apply)
	if a.Preferences().String(prefRPCSecret) != fresh {
		t.Fatal("the new secret was not kept")
	}
	tickWindowUntil(t, mw, "the server on the new port", func() bool { return tab.rpc.status.Addr != addr && tab.rpc.status.Addr != "" })
	addr = tab.rpc.status.Addr
	if a := call(t, addr, secret, "aria2.getVersion"); a.Error == nil {
		t.Fatal("the old secret still works")
	}
	result[map[string]any](t, call(t, addr, fresh, "aria2.getVersion"))
}

// freePort is a loopback port nothing listens on just now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestRPCBusyPortIsSaid: a port another program holds (a second Potok, or
// aria2c) is said in the Download tab and the dialog; the window goes on.
// Off, the note goes.
func TestRPCBusyPortIsSaid(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	mw, _, _ := newRecordedWindow(t)
	tab := mw.Downloads
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tab.rpc.runner.run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	tab.rpc.apply(rpcConfig{On: true, Port: port, Secret: "s"}, mw.app.Preferences())
	tickWindowUntil(t, mw, "the busy port said", func() bool { return tab.RPCNote.Visible() })
	if want := fmt.Sprintf("Port %d is in use", port); !strings.Contains(tab.RPCNote.Text, want) {
		t.Fatalf("note %q", tab.RPCNote.Text)
	}
	d := openSettings(t, tab)
	if d.RPCStatus.Text != tab.RPCNote.Text {
		t.Fatalf("the dialog says %q", d.RPCStatus.Text)
	}
	d.RPCOn.SetChecked(false)
	test.Tap(d.Apply)
	tickWindowUntil(t, mw, "the note gone", func() bool { return !tab.RPCNote.Visible() })
	if mw.app.Preferences().Bool(prefRPCOn) {
		t.Fatal("off was not kept")
	}
}
