package gui

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// openSettings taps the Download tab's Settings button, as a user does, and
// returns the dialog it opened.
func openSettings(t *testing.T, tab *downloadTab) *settingsDialog {
	t.Helper()
	test.Tap(tab.Settings)
	if tab.settings == nil || tab.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Settings opened no dialog")
	}
	return tab.settings
}

// dialogObjects are the objects of the dialog on top of the window.
func dialogObjects(w fyne.Window) []fyne.CanvasObject {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	return test.LaidOutObjects(top)
}

// dialogText is the text of the labels of the dialog on top.
func dialogText(w fyne.Window) string {
	var b strings.Builder
	for _, o := range dialogObjects(w) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

// tapDialogButton taps the button labelled text on the dialog on top.
func tapDialogButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	for _, o := range dialogObjects(w) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q on the dialog on top (it says %q)", text, dialogText(w))
}

// lastRequest is the last request the server had for file name.
func lastRequest(t *testing.T, s *dt.Server, name string) dt.RequestRecord {
	t.Helper()
	reqs := s.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(reqs[i].Path, "/"+name) {
			return reqs[i]
		}
	}
	t.Fatalf("the server had no request for %s", name)
	return dt.RequestRecord{}
}

// download adds url to the tab and waits until it is the list's file n
// (from 1) and in state st.
func download(t *testing.T, tab *downloadTab, url string, n int, st downloader.State) {
	t.Helper()
	if err := tab.add([]downloader.Entry{{URL: url}}); err != nil {
		t.Fatal(err)
	}
	tickUntil(t, tab, fmt.Sprintf("file %d %s", n, st), func() bool { return len(tab.files) == n && tab.files[n-1].State == st })
}

// TestRequestSettingsReachTheEngineAndAreRemembered fills the Requests part
// of the dialog; the demo server sees every setting on the request, and a new
// tab on the same preferences shows them again.
func TestRequestSettingsReachTheEngineAndAreRemembered(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	home := t.TempDir()
	t.Setenv("HOME", home)
	writeFile(t, filepath.Join(home, ".netrc"), "machine 127.0.0.1 login ann password s3cret\n")
	cookies := filepath.Join(t.TempDir(), "cookies.txt")
	writeFile(t, cookies, "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc\n")

	tab := newTestTab(t)
	folder := filepath.Join(t.TempDir(), "made by the first download")
	tab.setFolder(folder)
	d := openSettings(t, tab)
	d.UserAgent.SetText("potok-test/1")
	d.Referer.SetText("http://ref.example/page")
	d.Headers.SetText("X-One: 1\n\nx-two:  two words ")
	d.CookieFile.SetText(cookies)
	d.UseNetrc.SetChecked(true)
	test.Tap(d.Apply)
	if top := tab.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("the dialog stays after Apply: %q", dialogText(tab.win))
	}
	if _, err := os.Stat(folder); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Apply made the folder before any download: %v", err)
	}
	download(t, tab, s.FileURL("r.bin", 100), 1, downloader.StateDone)
	h := lastRequest(t, s, "r.bin").Header
	want := map[string]string{
		"User-Agent": "potok-test/1", "Referer": "http://ref.example/page", "X-One": "1", "X-Two": "two words",
		"Cookie": "sid=abc", "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:s3cret")),
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("request header %s: %q, want %q", k, h.Get(k), v)
		}
	}

	tab.close() // one Potok per folder: the first lets go of it
	again := newDownloadTab(tab.app, tab.win)
	t.Cleanup(again.close)
	if again.net != tab.net {
		t.Fatalf("not remembered: %+v, want %+v", again.net, tab.net)
	}
	d2 := openSettings(t, again)
	if d2.UserAgent.Text != "potok-test/1" || d2.Referer.Text != "http://ref.example/page" || d2.CookieFile.Text != cookies ||
		!d2.UseNetrc.Checked || !strings.Contains(d2.Headers.Text, "x-two:") {
		t.Fatalf("the dialog of a new run shows %q %q %q %v %q", d2.UserAgent.Text, d2.Referer.Text, d2.CookieFile.Text, d2.UseNetrc.Checked, d2.Headers.Text)
	}

	// Back to the defaults: the engine says "potok" and sends none of them.
	d2.UserAgent.SetText("")
	d2.Referer.SetText("")
	d2.Headers.SetText("")
	d2.CookieFile.SetText("")
	d2.UseNetrc.SetChecked(false)
	test.Tap(d2.Apply)
	download(t, again, s.FileURL("r2.bin", 100), 2, downloader.StateDone)
	h = lastRequest(t, s, "r2.bin").Header
	if h.Get("User-Agent") != "potok" || h.Get("Referer")+h.Get("X-One")+h.Get("Cookie")+h.Get("Authorization") != "" {
		t.Fatalf("after clearing the settings the request carries %v", h)
	}
}

// TestManualProxyIsUsedAndItsPasswordNeverShown: downloads go through a
// manual proxy with its login; the password is kept, sent, and shown
// nowhere: not in the note, not in the URL field.
func TestManualProxyIsUsedAndItsPasswordNeverShown(t *testing.T) {
	origin := dt.NewServer()
	defer origin.Close()
	proxy := dt.NewServer() // serves what it is asked for through it, and records the request
	defer proxy.Close()
	// Go never proxies a loopback name or address; 0.0.0.0 reaches the
	// origin on this machine too when the proxy is not used.
	target := strings.Replace(origin.FileURL("p.bin", 1000), "127.0.0.1", "0.0.0.0", 1)

	tab := newTestTab(t)
	d := openSettings(t, tab)
	d.Proxy.SetSelected(choiceLabel(proxyChoices(), proxyManual))
	if d.ProxyURL.Disabled() || !d.Apply.Disabled() || !strings.Contains(d.Problem.Text, "http://host:port or socks5://host:port") {
		t.Fatalf("manual proxy without a URL: field disabled %v, Apply disabled %v, problem %q", d.ProxyURL.Disabled(), d.Apply.Disabled(), d.Problem.Text)
	}
	test.Type(d.ProxyURL, strings.Replace(proxy.URL, "http://", "http://ann@", 1))
	test.Type(d.ProxyPassword, "pr0xy-secret")
	if d.Apply.Disabled() || d.ProxyURL.Validate() != nil {
		t.Fatalf("a good proxy URL is refused: %q", d.Problem.Text)
	}
	test.Tap(d.Apply)
	if tab.ProxyNote.Hidden || !strings.Contains(tab.ProxyNote.Text, "ann:xxxxx@127.0.0.1") || strings.Contains(tab.ProxyNote.Text, "pr0xy-secret") {
		t.Fatalf("proxy note shown %v: %q", !tab.ProxyNote.Hidden, tab.ProxyNote.Text)
	}
	download(t, tab, target, 1, downloader.StateDone)
	if proxy.RequestCount("p.bin") != 1 || origin.RequestCount("p.bin") != 0 {
		t.Fatalf("requests: %d at the proxy, %d at the origin; want all at the proxy", proxy.RequestCount("p.bin"), origin.RequestCount("p.bin"))
	}
	r := lastRequest(t, proxy, "p.bin")
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:pr0xy-secret")); r.Header.Get("Proxy-Authorization") != want {
		t.Fatalf("Proxy-Authorization %q, want %q", r.Header.Get("Proxy-Authorization"), want)
	}
	if b := readFile(t, filepath.Join(tab.Folder.Text, "p.bin")); !bytes.Equal(b, dt.Content("p.bin", 1000)) {
		t.Fatal("p.bin differs")
	}

	tab.close()
	again := newDownloadTab(tab.app, tab.win)
	t.Cleanup(again.close)
	d2 := openSettings(t, again)
	if strings.Contains(d2.ProxyURL.Text, "secret") || d2.ProxyPassword.Text != "pr0xy-secret" || !d2.ProxyPassword.Password {
		t.Fatalf("a new run's dialog: URL %q, password field %q (hidden %v)", d2.ProxyURL.Text, d2.ProxyPassword.Text, d2.ProxyPassword.Password)
	}
	if strings.Contains(dialogText(again.win), "pr0xy-secret") || strings.Contains(again.ProxyNote.Text, "pr0xy-secret") { // the dialog names the RPC secret
		t.Fatal("the password is shown in a label")
	}

	// None: straight to the origin, whatever the proxy settings were.
	d2.Proxy.SetSelected(choiceLabel(proxyChoices(), proxyNone))
	if !d2.ProxyURL.Disabled() {
		t.Fatal("the proxy URL is editable with no proxy")
	}
	test.Tap(d2.Apply)
	download(t, again, strings.Replace(origin.FileURL("d.bin", 10), "127.0.0.1", "0.0.0.0", 1), 2, downloader.StateDone)
	if origin.RequestCount("d.bin") != 1 || proxy.RequestCount("d.bin") != 0 || !again.ProxyNote.Hidden {
		t.Fatalf("with no proxy: %d at the origin, %d at the proxy, note %q", origin.RequestCount("d.bin"), proxy.RequestCount("d.bin"), again.ProxyNote.Text)
	}
}

// TestBadEntriesAreSaidAndKeepApplyOff: a proxy written without a scheme and
// a header line that is not "Name: value" are said in words, by line.
func TestBadEntriesAreSaidAndKeepApplyOff(t *testing.T) {
	tab := newTestTab(t)
	d := openSettings(t, tab)
	d.Proxy.SetSelected(choiceLabel(proxyChoices(), proxyManual))
	test.Type(d.ProxyURL, "proxy.example:3128")
	if err := d.ProxyURL.Validate(); err == nil || !strings.Contains(err.Error(), "write it like http://host:port or socks5://host:port") {
		t.Fatalf("proxy without a scheme: %v", err)
	}
	if !d.Apply.Disabled() || d.Problem.Hidden {
		t.Fatal("Apply stays on with a bad proxy")
	}
	d.ProxyURL.SetText("ftp://proxy.example:21")
	if !strings.Contains(d.Problem.Text, "http, https, socks5 and socks5h") {
		t.Fatalf("ftp proxy: %q", d.Problem.Text)
	}
	d.ProxyURL.SetText("socks5h://127.0.0.1:1080")
	d.Headers.SetText("X-Ok: 1\nnot a header")
	if !d.Apply.Disabled() || !strings.Contains(d.Problem.Text, `line 2: a header with no name before a colon: write it as Name: value`) {
		t.Fatalf("bad header line: Apply disabled %v, %q", d.Apply.Disabled(), d.Problem.Text)
	}
	d.Headers.SetText("X-Ok: 1\n")
	if d.Apply.Disabled() {
		t.Fatalf("still refused: %q", d.Problem.Text)
	}
	test.Tap(d.Cancel)
	if tab.net != (netSettings{ProxyMode: proxySystem}) || loadNetSettings(tab.app.Preferences()) != tab.net {
		t.Fatalf("Cancel changed the settings: %+v", tab.net)
	}
}

// TestCACertificateAndInsecure: an HTTPS server with its own CA fails
// without it, is fetched with the CA file, and without it again once
// certificates are not checked; that setting shows a warning in every run.
func TestCACertificateAndInsecure(t *testing.T) {
	s := dt.NewTLSServer()
	defer s.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, ca, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})))

	tab := newTestTab(t)
	if !tab.InsecureWarning.Hidden {
		t.Fatal("the insecure warning shows by default")
	}
	download(t, tab, s.FileURL("a.bin", 100), 1, downloader.StateFailed)
	if !strings.Contains(tab.files[0].Err, "unknown authority") {
		t.Fatalf("without the CA: %q", tab.files[0].Err)
	}
	d := openSettings(t, tab)
	d.CACertFile.SetText(ca)
	test.Tap(d.Apply)
	download(t, tab, s.FileURL("b.bin", 100), 2, downloader.StateDone)

	d = openSettings(t, tab)
	d.CACertFile.SetText("")
	d.Insecure.SetChecked(true)
	test.Tap(d.Apply)
	if tab.InsecureWarning.Hidden || !strings.Contains(tab.InsecureWarning.Text, "not checked") {
		t.Fatalf("no warning: %q", tab.InsecureWarning.Text)
	}
	test.Tap(tab.RetryFailed)
	tickUntil(t, tab, "a.bin done without checks", func() bool { return allIn(tab, 2, downloader.StateDone) })

	tab.close()
	again := newDownloadTab(tab.app, tab.win)
	t.Cleanup(again.close)
	if again.InsecureWarning.Hidden || !again.net.Insecure {
		t.Fatal("the next run forgot the setting or its warning")
	}
}

// TestEngineErrorKeepsTheOldEngine: a CA file that holds no certificate is
// refused by the engine in its words; the running engine and its downloads
// go on, the old settings stay, and the dialog stays open to fix it.
func TestEngineErrorKeepsTheOldEngine(t *testing.T) {
	s := dt.NewServer(dt.WithRate(64 << 10))
	defer s.Close()
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, notPEM, "not a certificate\n")
	tab := newTestTab(t)
	startPartWay(t, tab, s.FileURL("slow.bin", 1<<20))
	old := tab.currentEngine()

	d := openSettings(t, tab)
	d.CACertFile.SetText(notPEM)
	test.Tap(d.Apply)
	if !strings.Contains(dialogText(tab.win), "Running downloads pause and continue with the new settings.") {
		t.Fatalf("no question before pausing: %q", dialogText(tab.win))
	}
	tapDialogButton(t, tab.win, "Apply now")
	if msg := dialogText(tab.win); !strings.Contains(msg, "holds no PEM certificate") {
		t.Fatalf("error dialog says %q", msg)
	}
	if tab.currentEngine() != old || tab.net.CACertFile != "" || loadNetSettings(tab.app.Preferences()).CACertFile != "" {
		t.Fatal("a refused setting replaced the engine or was kept")
	}
	tapDialogButton(t, tab.win, "OK")
	if tab.win.Canvas().Overlays().Top() == nil || d.CACertFile.Text != notPEM {
		t.Fatal("the Settings dialog closed on the error")
	}
	tab.tick()
	if tab.files[0].State != downloader.StateRunning {
		t.Fatalf("the download is %s after the refused change, want running", tab.files[0].State)
	}
	// A bad proxy in a preferences file edited by hand is said too.
	bad := tab.net
	bad.ProxyMode, bad.ProxyURL = proxyManual, "nonsense"
	if err := tab.applyNetwork(bad); err == nil || !strings.Contains(err.Error(), "write it like http://host:port") {
		t.Fatalf("a bad kept proxy: %v", err)
	}
}

// TestSettingsChangeContinuesRunningDownloads: with downloads running, Apply
// asks first; "Not now" changes nothing; "Apply now" makes a new engine that
// continues the running file with the new User-Agent from its .part, and
// leaves the file the user paused paused.
func TestSettingsChangeContinuesRunningDownloads(t *testing.T) {
	// Slow enough (about 9 s a file) that run.bin is still running at the
	// second Apply on a loaded machine.
	const size = 600_000
	s := dt.NewServer(dt.WithRate(64 << 10))
	defer s.Close()
	tab := newTestTab(t)
	startPartWay(t, tab, s.FileURL("run.bin", size), s.FileURL("held.bin", size))
	if err := tab.currentEngine().Pause(tab.files[1].ID); err != nil {
		t.Fatal(err)
	}
	old := tab.currentEngine()

	d := openSettings(t, tab)
	d.UserAgent.SetText("after/2")
	test.Tap(d.Apply)
	tapDialogButton(t, tab.win, "Not now")
	if tab.currentEngine() != old || tab.net.UserAgent != "" {
		t.Fatal("Not now applied the settings")
	}
	test.Tap(d.Apply)
	tapDialogButton(t, tab.win, "Apply now")
	if tab.currentEngine() == old || tab.net.UserAgent != "after/2" || tab.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("Apply now: new engine %v, user agent %q, dialog %q", tab.currentEngine() != old, tab.net.UserAgent, dialogText(tab.win))
	}
	tickUntil(t, tab, "run.bin done", func() bool { return len(tab.files) == 2 && tab.files[0].State == downloader.StateDone })
	if tab.files[1].State != downloader.StatePaused {
		t.Fatalf("the paused file is %s, want paused", tab.files[1].State)
	}
	r := lastRequest(t, s, "run.bin")
	if r.Header.Get("User-Agent") != "after/2" || r.Range == "" {
		t.Fatalf("the continued request: User-Agent %q, Range %q; want the new one, from the .part", r.Header.Get("User-Agent"), r.Range)
	}
	if b := readFile(t, filepath.Join(tab.Folder.Text, "run.bin")); !bytes.Equal(b, dt.Content("run.bin", size)) {
		t.Fatal("run.bin differs after the switch")
	}
}
