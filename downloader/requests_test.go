package downloader_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// What requests carry: headers, Referer and User-Agent from Options and per
// Entry, cookies from a cookies.txt, netrc logins; and what never leaves the
// download's origin.

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRequestsCarryHeadersCookiesAndLogins(t *testing.T) {
	// The server by a name (files.potok.test) rather than 127.0.0.1, which
	// cookie jars, as browsers, count as a secure origin.
	other := newServer(t) // another origin: another port
	s, base, tn := namedServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/away") {
			http.Redirect(w, r, other.FileURL("away.bin", 100), http.StatusFound)
			return true
		}
		return false
	}))
	future := time.Now().Add(time.Hour).Unix()
	cookies := writeFile(t, "cookies.txt", strings.Join([]string{
		"# Netscape HTTP Cookie File",
		fmt.Sprintf("."+testHost+"\tTRUE\t/\tFALSE\t%d\tsession\tabc123", future),
		"#HttpOnly_" + testHost + "\tFALSE\t/f/\tFALSE\t0\tonly_f\tyes",
		testHost + "\tFALSE\t/elsewhere/\tFALSE\t0\tnot_here\tno",
		fmt.Sprintf("."+testHost+"\tFALSE\t/\tTRUE\t%d\tsecure_only\tno", future),
		testHost + "\tFALSE\t/\tFALSE\t1000\texpired\tno",
	}, "\n")+"\n")
	netrc := writeFile(t, ".netrc", "machine "+testHost+" login alice password n3trc-pw\ndefault login nobody password none\n")
	e := newEngine(t, downloader.WithDial(downloader.Options{
		Header: http.Header{"X-Global": {"g"}}, Referer: "https://example.com/page", UserAgent: "potok-test",
		CookieFile: cookies, NetrcFile: netrc, Connections: 4, SegmentThreshold: 1 << 20,
	}, tn.dial))
	ids, err := e.Add(
		downloader.Entry{URL: base + "/f/plain.bin?size=1000"},
		downloader.Entry{URL: base + "/f/item.bin?size=" + itoa(3<<20), Header: http.Header{"X-Item": {"i"}}, UserAgent: "item-agent"},
		downloader.Entry{URL: base + "/away"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if snap := wait(t, e); snap.Done != 3 {
		t.Fatalf("%+v", snap.Totals)
	}
	checkFile(t, status(t, e, ids[1]).Path, "item.bin", 3<<20)
	for _, r := range s.Requests() {
		if r.Path == "/away" {
			continue
		}
		item := strings.Contains(r.Path, "item")
		ua, wantUA := r.Header.Get("User-Agent"), map[bool]string{true: "item-agent", false: "potok-test"}[item]
		cookie := r.Header.Get("Cookie")
		user, pass, _ := (&http.Request{Header: r.Header}).BasicAuth()
		switch {
		case r.Header.Get("X-Global") != "g" || (item && r.Header.Get("X-Item") != "i") || (!item && r.Header.Get("X-Item") != ""):
			t.Errorf("%s %s: headers %v", r.Method, r.Path, r.Header)
		case ua != wantUA || r.Header.Get("Referer") != "https://example.com/page":
			t.Errorf("%s %s: User-Agent %q, Referer %q", r.Method, r.Path, ua, r.Header.Get("Referer"))
		case !strings.Contains(cookie, "session=abc123") || !strings.Contains(cookie, "only_f=yes") ||
			strings.Contains(cookie, "not_here") || strings.Contains(cookie, "secure_only") || strings.Contains(cookie, "expired"):
			t.Errorf("%s %s (range %q): Cookie %q", r.Method, r.Path, r.Range, cookie)
		case user != "alice" || pass != "n3trc-pw":
			t.Errorf("%s %s: Basic %q:%q, want the netrc's", r.Method, r.Path, user, pass)
		}
	}
	// Redirected to another origin: the header and agent go on, the
	// cookies and the login do not.
	for _, r := range other.Requests() {
		if r.Header.Get("Cookie") != "" || r.Header.Get("Authorization") != "" {
			t.Errorf("another origin got Cookie %q, Authorization %q", r.Header.Get("Cookie"), r.Header.Get("Authorization"))
		}
		if r.Header.Get("X-Global") != "g" {
			t.Errorf("another origin lost the custom header: %v", r.Header)
		}
	}
}

// TestHeaderCookieStaysHome: a Cookie or Authorization given as a header goes
// to the download's origin only: not after a redirect, and not to the
// segments sent straight to where a redirect led.
func TestHeaderCookieStaysHome(t *testing.T) {
	far := newServer(t)
	home := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, far.FileURL("far.bin", 3<<20), http.StatusFound)
		return true
	}))
	e := newEngine(t, downloader.Options{Connections: 4, SegmentThreshold: 1 << 20,
		Header: http.Header{"Cookie": {"token=h3ader"}, "Authorization": {"Bearer h3ader"}}})
	add(t, e, home.URL+"/go")
	if snap := wait(t, e); snap.Done != 1 {
		t.Fatalf("%+v", snap.Totals)
	}
	if len(far.Requests()) < 2 {
		t.Fatalf("%d requests reached the far server: the file did not come in segments", len(far.Requests()))
	}
	for _, r := range far.Requests() {
		if r.Header.Get("Cookie") != "" || r.Header.Get("Authorization") != "" {
			t.Fatalf("%s %s (range %q) carried Cookie %q, Authorization %q", r.Method, r.Path, r.Range, r.Header.Get("Cookie"), r.Header.Get("Authorization"))
		}
	}
	if hr := home.Requests(); len(hr) == 0 || hr[0].Header.Get("Cookie") != "token=h3ader" {
		t.Fatalf("the home server did not get the Cookie header: %v", hr)
	}
}

// TestEntryNameAndFolder: out= names the file (the server's name does not
// replace it), dir= puts it in a subfolder made for it; a subfolder that is
// a symlink out of the folder is refused and nothing is written there; both
// survive a restart.
func TestEntryNameAndFolder(t *testing.T) {
	s := newServer(t, dt.WithContentDisposition(`attachment; filename="server.bin"`), dt.WithRate(400_000))
	f := newFence(t)
	dir, queue := f.dir, filepath.Join(t.TempDir(), "q.queue")
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	e1 := newEngine(t, downloader.Options{Dir: dir, QueueFile: queue})
	if _, err := e1.Add(downloader.Entry{URL: s.FileURL("x.bin", 10), Dir: "link/deeper"}); err == nil {
		t.Fatal("a subfolder through a symlink was accepted")
	}
	ids, err := e1.Add(downloader.Entry{URL: s.FileURL("a.bin", 400_000), Name: "mine.bin", Dir: "sub/dir",
		Header: http.Header{"X-Kept": {"yes"}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "part-way", func() bool { return status(t, e1, ids[0]).Done > 0 })
	e1.Close()
	e2 := newEngine(t, downloader.Options{Dir: dir, QueueFile: queue})
	e2.Restore()
	e2.ResumeAll()
	snap := wait(t, e2)
	got := snap.Files[0]
	if want := filepath.Join(dir, "sub", "dir", "mine.bin"); got.State != downloader.StateDone || got.Path != want {
		t.Fatalf("%s at %q (%q), want done at %q", got.State, got.Path, got.Err, want)
	}
	checkFile(t, got.Path, "a.bin", 400_000)
	rs := s.Requests()
	if last := rs[len(rs)-1]; last.Range == "" || last.Header.Get("X-Kept") != "yes" {
		t.Fatalf("the resume after the restart: range %q, X-Kept %q", last.Range, last.Header.Get("X-Kept"))
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("%d entries written through the symlink", len(ents))
	}
}
