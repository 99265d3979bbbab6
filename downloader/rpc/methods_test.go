package rpc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"potok/downloader"
	"potok/downloader/demoserver"
)

var gidPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestAddURIAndStatus(t *testing.T) {
	f := newFixture(t)
	files, _ := newFiles(t)
	sum := sha256.Sum256(demoserver.Content("a.bin", 3000))
	gid := f.must("aria2.addUri", []string{"ftp://nope/x", files.FileURL("a.bin", 3000)}, map[string]any{
		"out": "renamed.bin", "dir": filepath.Join(f.dir, "sub"), "header": []string{"X-One: 1", "X-Two: 2"},
		"referer": "http://127.0.0.1/ref", "user-agent": "rpc-test/1", "checksum": "sha-256=" + hex.EncodeToString(sum[:]),
		"split": "5", "out-of-aria2": 7, // ignored: a name Potok does not take, a value that is not a string
	}, 0).(string)
	if !gidPattern.MatchString(gid) {
		t.Fatalf("gid %q", gid)
	}
	st := f.waitStatus(gid, "complete")
	path := filepath.Join(f.dir, "sub", "renamed.bin")
	want := map[string]any{
		"gid": gid, "status": "complete", "totalLength": "3000", "completedLength": "3000",
		"uploadLength": "0", "uploadSpeed": "0", "downloadSpeed": "0", "connections": "0",
		"pieceLength": "1048576", "numPieces": "1", "bitfield": "80", "dir": filepath.Join(f.dir, "sub"),
		"errorCode": "0", "errorMessage": "",
		"files": []any{map[string]any{"index": "1", "path": path, "length": "3000", "completedLength": "3000", "selected": "true",
			"uris": []any{map[string]any{"uri": files.FileURL("a.bin", 3000), "status": "used"}}}},
	}
	if !reflect.DeepEqual(st, want) {
		g, _ := json.Marshal(st)
		w, _ := json.Marshal(want)
		t.Fatalf("tellStatus\n got %s\nwant %s", g, w)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) != 3000 {
		t.Fatalf("file: %v", err)
	}
	var seen bool
	for _, r := range files.Requests() {
		if strings.HasSuffix(r.Path, "/a.bin") {
			seen = true
			if r.Header.Get("X-One") != "1" || r.Header.Get("X-Two") != "2" || r.Header.Get("Referer") != "http://127.0.0.1/ref" || r.Header.Get("User-Agent") != "rpc-test/1" {
				t.Fatalf("request headers %v", r.Header)
			}
		}
	}
	if !seen {
		t.Fatal("no request for a.bin")
	}
	// Key filtering, and the keys aria2 has only for a running download.
	if got := f.status(gid, "gid", "status", "nosuch"); !reflect.DeepEqual(got, map[string]any{"gid": gid, "status": "complete"}) {
		t.Fatalf("filtered: %v", got)
	}
	opts := f.must("aria2.getOption", gid).(map[string]any)
	if opts["out"] != "renamed.bin" || opts["dir"] != filepath.Join(f.dir, "sub") || opts["header"] != "X-One: 1\nX-Two: 2\n" || opts["user-agent"] != "rpc-test/1" {
		t.Fatalf("getOption %v", opts)
	}
	// A prefix of a gid finds it, as in aria2.
	if got := f.status(gid[:6], "gid"); got["gid"] != gid {
		t.Fatalf("prefix: %v", got)
	}
	if got := f.must("aria2.getFiles", gid).([]any); len(got) != 1 {
		t.Fatalf("getFiles %v", got)
	}
}

func TestAddURIRefusals(t *testing.T) {
	f := newFixture(t)
	files, _ := newFiles(t)
	u := files.FileURL("x.bin", 10)
	tests := []struct {
		uris []string
		opts map[string]any
		want string
	}{
		{[]string{u}, map[string]any{"dir": "/etc"}, `We encountered a problem while processing the option '--dir': "/etc" is outside the download folder`},
		{[]string{u}, map[string]any{"dir": filepath.Join(f.dir, "..")}, "is outside the download folder"},
		{[]string{u}, map[string]any{"dir": "../up"}, "only a folder inside the download folder"},
		{[]string{u}, map[string]any{"out": "../x.bin"}, "We encountered a problem while processing the option '--out'"},
		{[]string{u}, map[string]any{"checksum": "sha-1=abcd"}, "only SHA-256 is checked"},
		{[]string{u}, map[string]any{"header": "no colon"}, "write it as Name: value"},
		{[]string{u}, map[string]any{"pause": "maybe"}, "'--pause'"},
		{[]string{"ftp://host/x", "not a url"}, nil, "No URI to download."},
	}
	for _, tc := range tests {
		var args []any = []any{tc.uris}
		if tc.opts != nil {
			args = append(args, tc.opts)
		}
		_, err := f.call("aria2.addUri", args...)
		if err == nil || err.Code != 1 || !strings.Contains(err.Message, tc.want) {
			t.Errorf("addUri %v %v: %v, want %q", tc.uris, tc.opts, err, tc.want)
		}
	}
	if n := len(f.eng.Snapshot().Files); n != 0 {
		t.Fatalf("%d downloads added by refused calls", n)
	}
	// The folder itself, named absolutely, is the folder.
	gid := f.must("aria2.addUri", []string{u}, map[string]any{"dir": f.dir + "/"}).(string)
	if st := f.waitStatus(gid, "complete"); st["dir"] != f.dir {
		t.Fatalf("dir %v", st["dir"])
	}
}

func TestPauseUnpauseRemove(t *testing.T) {
	f := newFixture(t, func(eo *downloader.Options, _ *Options) { eo.Parallel = 1 })
	files, gates := newFiles(t)
	slow := f.must("aria2.addUri", []string{files.URL + "/gate/slow.bin?size=200000&at=65536"}).(string)
	f.waitStatus(slow, "active")
	queued := f.must("aria2.addUri", []string{files.FileURL("q.bin", 100)}).(string)
	if st := f.status(queued, "status", "files"); st["status"] != "waiting" ||
		st["files"].([]any)[0].(map[string]any)["path"] != "" ||
		st["files"].([]any)[0].(map[string]any)["uris"].([]any)[0].(map[string]any)["status"] != "waiting" {
		t.Fatalf("queued: %v", st)
	}
	if st := f.status(slow, "errorCode", "errorMessage"); len(st) != 0 {
		t.Fatalf("an active download has no errorCode: %v", st)
	}
	expectErr := func(want string, method string, args ...any) {
		t.Helper()
		if _, err := f.call(method, args...); err == nil || err.Message != want {
			t.Fatalf("%s %v: %v, want %q", method, args, err, want)
		}
	}
	f.must("aria2.pause", queued)
	f.waitStatus(queued, "paused")
	expectErr("GID#"+queued+" cannot be paused now", "aria2.pause", queued)
	expectErr("GID#"+slow+" cannot be unpaused now", "aria2.unpause", slow)
	waiting := f.must("aria2.tellWaiting", 0, 10, []string{"gid", "status"}).([]any)
	if len(waiting) != 1 || waiting[0].(map[string]any)["status"] != "paused" {
		t.Fatalf("tellWaiting %v", waiting)
	}
	waitFor(t, "the first bytes", func() bool { return f.status(slow)["completedLength"] == "65536" })
	f.must("aria2.forcePause", slow)
	st := f.waitStatus(slow, "paused")
	if st["completedLength"] != "65536" || st["connections"] != "0" || st["totalLength"] != "200000" {
		t.Fatalf("paused: %v", st)
	}
	f.must("aria2.unpause", slow)
	f.waitStatus(slow, "active")
	f.must("aria2.remove", queued)
	st = f.waitStatus(queued, "removed")
	if st["errorCode"] != "31" {
		t.Fatalf("removed: %v", st)
	}
	expectErr("Active Download not found for GID#"+queued, "aria2.remove", queued)
	expectErr("Could not remove download result of GID#"+slow, "aria2.removeDownloadResult", slow)
	gates.open("slow.bin")
	f.waitStatus(slow, "complete")
	expectErr("GID#"+slow+" cannot be paused now", "aria2.pause", slow)

	stoppedGIDs := func(offset, num int) []string {
		var out []string
		for _, d := range f.must("aria2.tellStopped", offset, num, []string{"gid"}).([]any) {
			out = append(out, d.(map[string]any)["gid"].(string))
		}
		return out
	}
	// In the order they stopped; from the end, backwards.
	if got := stoppedGIDs(0, 10); !reflect.DeepEqual(got, []string{queued, slow}) {
		t.Fatalf("tellStopped %v, want %v", got, []string{queued, slow})
	}
	if got := stoppedGIDs(-1, 1); !reflect.DeepEqual(got, []string{slow}) {
		t.Fatalf("tellStopped(-1, 1) %v", got)
	}
	f.must("aria2.removeDownloadResult", queued)
	expectErr("GID "+queued+" is not found", "aria2.tellStatus", queued)
	stat := f.must("aria2.getGlobalStat").(map[string]any)
	if stat["numStopped"] != "1" || stat["numStoppedTotal"] != "2" || stat["numActive"] != "0" {
		t.Fatalf("getGlobalStat %v", stat)
	}
	if f.must("aria2.purgeDownloadResult") != "OK" || len(stoppedGIDs(0, 10)) != 0 {
		t.Fatal("purge left results")
	}
	if n := len(f.eng.Snapshot().Files); n != 0 {
		t.Fatalf("purge left %d downloads in the engine", n)
	}
}

func TestErrorCodes(t *testing.T) {
	f := newFixture(t)
	files, _ := newFiles(t)
	missing := f.must("aria2.addUri", []string{files.URL + "/nothing/missing.bin"}).(string)
	badsum := f.must("aria2.addUri", []string{files.FileURL("b.bin", 100)}, map[string]any{"checksum": "sha-256=" + strings.Repeat("0", 64)}).(string)
	st := f.waitStatus(missing, "error")
	if st["errorCode"] != "3" || !strings.Contains(st["errorMessage"].(string), "404") || st["files"].([]any)[0].(map[string]any)["path"] != "" {
		t.Fatalf("404: %v", st)
	}
	if st := f.waitStatus(badsum, "error"); st["errorCode"] != "32" {
		t.Fatalf("bad checksum: %v", st)
	}
}

func TestPageRange(t *testing.T) {
	tests := []struct{ offset, num, size, lo, hi int64 }{
		{0, 10, 3, 0, 3}, {1, 1, 3, 1, 2}, {3, 1, 3, 0, 0}, {0, 0, 3, 0, 0}, {0, -1, 3, 0, 0},
		{-1, 1, 3, 2, 3}, {-1, 2, 3, 1, 3}, {-1, 10, 3, 0, 3}, {-3, 1, 3, 0, 1}, {-4, 1, 3, 0, 0}, {-2, 10, 3, 0, 2},
	}
	for _, tc := range tests {
		if lo, hi := pageRange(tc.offset, tc.num, tc.size); lo != tc.lo || hi != tc.hi {
			t.Errorf("pageRange(%d, %d, %d) = %d, %d; want %d, %d", tc.offset, tc.num, tc.size, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestGlobalOptions(t *testing.T) {
	var changed [][2]string
	f := newFixture(t, func(_ *downloader.Options, o *Options) {
		o.OnChange = func(k, v string) { changed = append(changed, [2]string{k, v}) }
	})
	if f.must("aria2.changeGlobalOption", map[string]any{"max-concurrent-downloads": "3", "max-overall-download-limit": "1M", "split": "4",
		"dir": f.dir, "some-aria2-option": "x", "max-tries": 5}) != "OK" {
		t.Fatal("not OK")
	}
	if f.eng.Limit() != 3 || f.eng.RateLimit() != 1<<20 || f.eng.Connections() != 4 {
		t.Fatalf("engine: %d %d %d", f.eng.Limit(), f.eng.RateLimit(), f.eng.Connections())
	}
	want := [][2]string{{"max-concurrent-downloads", "3"}, {"max-overall-download-limit", "1048576"}, {"split", "4"}}
	if !reflect.DeepEqual(changed, want) {
		t.Fatalf("OnChange %v", changed)
	}
	o := f.must("aria2.getGlobalOption").(map[string]any)
	if o["dir"] != f.dir || o["max-concurrent-downloads"] != "3" || o["max-overall-download-limit"] != "1048576" || o["split"] != "4" {
		t.Fatalf("getGlobalOption %v", o)
	}
	for opt, val := range map[string]string{"max-concurrent-downloads": "0", "max-overall-download-limit": "fast", "split": "99", "dir": "/tmp"} {
		_, err := f.call("aria2.changeGlobalOption", map[string]any{opt: val, "max-concurrent-downloads-ok": "1"})
		if err == nil || !strings.HasPrefix(err.Message, "We encountered a problem while processing the option '--"+opt+"'") {
			t.Errorf("%s=%s: %v", opt, val, err)
		}
	}
	// Nothing changes unless every value can be used.
	if _, err := f.call("aria2.changeGlobalOption", map[string]any{"max-concurrent-downloads": "7", "split": "0"}); err == nil || f.eng.Limit() != 3 {
		t.Fatalf("half applied: %v, limit %d", err, f.eng.Limit())
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{{"0", 0}, {"1024", 1024}, {"512K", 512 << 10}, {"2m", 2 << 20}} {
		if n, err := parseSize(tc.in); err != nil || n != tc.want {
			t.Errorf("parseSize(%q) = %d, %v", tc.in, n, err)
		}
	}
	for _, bad := range []string{"", "-1", "1G", "+5", "1.5M", "K"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) took it", bad)
		}
	}
}

func TestChangeOption(t *testing.T) {
	f := newFixture(t)
	files, _ := newFiles(t)
	gid := f.must("aria2.addUri", []string{files.URL + "/gate/c.bin?size=100000&at=1000"}).(string)
	f.waitStatus(gid, "active")
	if f.must("aria2.changeOption", gid, map[string]any{"max-download-limit": "0", "bt-max-peers": "9"}) != "OK" {
		t.Fatal("not OK")
	}
	if _, err := f.call("aria2.changeOption", gid, map[string]any{"out": "other.bin"}); err == nil || !strings.Contains(err.Message, "'--out': Potok cannot change it") {
		t.Fatalf("out: %v", err)
	}
	if _, err := f.call("aria2.changeOption", gid); err == nil || err.Message != "The parameter at 1 is required but missing." {
		t.Fatalf("no options: %v", err)
	}
	uris := f.must("aria2.getUris", gid).([]any)
	if len(uris) != 1 || uris[0].(map[string]any)["status"] != "used" {
		t.Fatalf("getUris %v", uris)
	}
	f.must("aria2.forceRemove", gid)
	f.waitStatus(gid, "removed")
	if _, err := f.call("aria2.changeOption", gid, map[string]any{"split": "1"}); err == nil || err.Message != "Cannot change option for GID#"+gid {
		t.Fatalf("stopped: %v", err)
	}
}

// TestNotifications follows downloads over a WebSocket: calls answered on
// it, and every change told once, in aria2's words.
func TestNotifications(t *testing.T) {
	f := newFixture(t)
	files, gates := newFiles(t)
	ctx := testContext(t)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.url(), "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	msgs := make(chan []byte, 64)
	go func() {
		defer close(msgs)
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			msgs <- b
		}
	}()
	send := func(method string, args ...any) {
		b, _ := json.Marshal(map[string]any{"id": 0, "method": method, "params": append([]any{"token:" + testSecret}, args...)})
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	// next returns the next notification, skipping answers into results.
	var results []any
	next := func() (string, string) {
		t.Helper()
		for {
			select {
			case b, ok := <-msgs:
				if !ok {
					t.Fatal("connection closed")
				}
				var m map[string]any
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatalf("%s: %v", b, err)
				}
				if _, has := m["id"]; has {
					if m["error"] != nil {
						t.Fatalf("error %v", m["error"])
					}
					results = append(results, m["result"])
					continue
				}
				if _, has := m["jsonrpc"]; !has {
					t.Fatalf("notification without jsonrpc: %v", m)
				}
				return m["method"].(string), m["params"].([]any)[0].(map[string]any)["gid"].(string)
			case <-time.After(20 * time.Second):
				t.Fatal("no notification")
			}
		}
	}
	send("aria2.addUri", []string{files.URL + "/gate/n.bin?size=100000&at=5000"})
	m, gid := next()
	if m != "aria2.onDownloadStart" || len(results) != 1 || results[0] != gid {
		t.Fatalf("%s %s, answers %v", m, gid, results)
	}
	send("aria2.pause", gid)
	if m, g := next(); m != "aria2.onDownloadPause" || g != gid {
		t.Fatalf("%s %s", m, g)
	}
	send("aria2.unpause", gid)
	if m, _ := next(); m != "aria2.onDownloadStart" {
		t.Fatal(m)
	}
	gates.open("n.bin")
	if m, _ := next(); m != "aria2.onDownloadComplete" {
		t.Fatal(m)
	}
	send("aria2.addUri", []string{files.URL + "/nothing/here"})
	if m, _ := next(); m != "aria2.onDownloadStart" {
		t.Fatal(m)
	}
	if m, _ := next(); m != "aria2.onDownloadError" {
		t.Fatal(m)
	}
	send("aria2.addUri", []string{files.URL + "/gate/r.bin?size=100000&at=5000"})
	_, r := next()
	send("aria2.remove", r)
	if m, g := next(); m != "aria2.onDownloadStop" || g != r {
		t.Fatalf("%s %s", m, g)
	}
	// A batch over the WebSocket is answered as one array.
	b, _ := json.Marshal([]any{map[string]any{"id": 1, "method": "system.listNotifications"}, map[string]any{"id": 2, "method": "aria2.getVersion"}})
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	raw := <-msgs
	if !strings.HasPrefix(string(raw), "[") || !strings.Contains(string(raw), `"Unauthorized"`) {
		t.Fatalf("batch: %s", raw)
	}
}

// TestSlowClientDropped checks that a client that reads nothing is
// disconnected once its queue is full, and that the others still hear.
func TestSlowClientDropped(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	ws := "ws" + strings.TrimPrefix(f.url(), "http")
	slow, _, err := websocket.Dial(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	waitFor(t, "the client to subscribe", func() bool { return f.srv.listeners() == 1 })
	// Large messages fill the socket's buffers and then the queue.
	big := []byte(`{"jsonrpc":"2.0","method":"aria2.onDownloadStart","params":[{"gid":"` + strings.Repeat("0", 64<<10) + `"}]}`)
	for i := 0; i < 100*subscriberQueue && f.srv.listeners() == 1; i++ {
		f.srv.broadcast(big)
	}
	waitFor(t, "the slow client to be dropped", func() bool { return f.srv.listeners() == 0 })
}

// TestEngineSwap checks that the server follows the getter to another
// engine, as the window's does when the folder changes.
func TestEngineSwap(t *testing.T) {
	files, _ := newFiles(t)
	var cur *downloader.Engine
	f := newFixture(t, func(_ *downloader.Options, o *Options) { o.Engine = func() *downloader.Engine { return cur } })
	if res := f.must("aria2.tellActive").([]any); len(res) != 0 {
		t.Fatalf("no engine: %v", res)
	}
	if _, err := f.call("aria2.addUri", []string{files.FileURL("x", 1)}); err == nil || !strings.Contains(err.Message, "no download folder") {
		t.Fatalf("addUri without an engine: %v", err)
	}
	cur = f.eng
	gid := f.must("aria2.addUri", []string{files.FileURL("x", 1)}).(string)
	f.waitStatus(gid, "complete")
	other, err := downloader.New(downloader.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	cur = other
	if _, err := f.call("aria2.tellStatus", gid); err == nil || !strings.Contains(err.Message, "is not found") {
		t.Fatalf("old gid on the new engine: %v", err)
	}
	if o := f.must("aria2.getGlobalOption").(map[string]any); o["dir"] != other.Dir() {
		t.Fatalf("dir %v", o["dir"])
	}
}

func TestListen(t *testing.T) {
	l, err := Listen("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		if _, err := Listen(addr, ""); err == nil || !strings.Contains(err.Error(), "give a secret") {
			t.Errorf("%s without a secret: %v", addr, err)
		}
	}
	if _, err := Listen("nonsense", "x"); err == nil {
		t.Error("a bad address was taken")
	}
	secret, err := NewSecret()
	if err != nil || len(secret) != 24 {
		t.Fatalf("NewSecret %q %v", secret, err)
	}
}

// TestServe checks that Serve answers on its listener and returns when its
// context ends, closing WebSocket clients.
func TestServe(t *testing.T) {
	f := newFixture(t)
	l, err := Listen("127.0.0.1:0", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(sctx, l) }()
	addr := l.Addr().(*net.TCPAddr)
	c, _, err := websocket.Dial(ctx, "ws://"+addr.String()+Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("the WebSocket stayed open after Close")
	}
}
