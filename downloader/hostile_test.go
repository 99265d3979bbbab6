package downloader_test

// Hostile and broken servers: every test here checks what became of the
// download AND that nothing else was touched (see fence).

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"potok/downloader"
	dt "potok/downloader/demoserver"
	"potok/downloader/internal/safefs"
)

// fence is a download folder with things around it that a download must never
// touch: a file of the user's beside the downloads, one in the parent folder,
// and, for the symlink tests, files and links planted by the test. check then
// proves that they are byte-identical and that nothing else appeared anywhere
// under the parent, inside the download folder or out of it.
type fence struct {
	t      *testing.T
	parent string // holds dir, outside.txt and whatever the test plants
	dir    string // the download folder
	files  map[string][]byte
	links  map[string]string
}

func newFence(t *testing.T) *fence {
	t.Helper()
	return newFenceIn(t, t.TempDir())
}

// newFenceIn builds the fence in parent, an empty folder.
func newFenceIn(t *testing.T, parent string) *fence {
	t.Helper()
	f := &fence{t: t, parent: parent, dir: filepath.Join(parent, "downloads"),
		files: map[string][]byte{}, links: map[string]string{}}
	if err := os.Mkdir(f.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.file(filepath.Join(f.dir, "sibling.txt"), "the user's own file, beside the downloads\n")
	f.file(filepath.Join(parent, "outside.txt"), "the user's own file, above the download folder\n")
	return f
}

// file plants a regular file that must keep its content.
func (f *fence) file(path, content string) string {
	f.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.files[path] = []byte(content)
	return path
}

// link plants a symlink that must stay as it is.
func (f *fence) link(path, target string) {
	f.t.Helper()
	if err := os.Symlink(target, path); err != nil {
		f.t.Fatal(err)
	}
	f.links[path] = target
}

// elsewhere returns a path outside the download folder, in a folder that
// exists, for symlink targets; the path itself is not created.
func (f *fence) elsewhere(name string) string {
	f.t.Helper()
	d := filepath.Join(f.parent, "elsewhere")
	if err := os.MkdirAll(d, 0o755); err != nil {
		f.t.Fatal(err)
	}
	return filepath.Join(d, name)
}

func (f *fence) engine(o downloader.Options) *downloader.Engine {
	f.t.Helper()
	o.Dir = f.dir
	return newEngine(f.t, o)
}

// check fails the test unless every planted file and link is unchanged and
// the tree under the parent holds nothing but them, the folders, and the
// names in want inside the download folder.
func (f *fence) check(want ...string) {
	t := f.t
	t.Helper()
	expect := map[string]bool{".": true, "downloads": true}
	rel := func(p string) string {
		r, err := filepath.Rel(f.parent, p)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	for p := range f.files {
		expect[rel(p)] = true
		expect[rel(filepath.Dir(p))] = true
	}
	for p := range f.links {
		expect[rel(p)] = true
	}
	if _, err := os.Lstat(filepath.Join(f.parent, "elsewhere")); err == nil {
		expect["elsewhere"] = true
	}
	for _, w := range want {
		expect["downloads/"+w] = true
	}
	var unexpected []string
	seen := map[string]bool{}
	err := filepath.WalkDir(f.parent, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r := rel(p)
		seen[r] = true
		if !expect[r] {
			unexpected = append(unexpected, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for r := range expect {
		if !seen[r] {
			missing = append(missing, r)
		}
	}
	slices.Sort(missing)
	if len(unexpected) > 0 || len(missing) > 0 {
		t.Errorf("under the parent folder: unexpected %q, missing %q", unexpected, missing)
	}
	for p, content := range f.files {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: %v %v, want the regular file planted there", rel(p), fi, err)
			continue
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, content) {
			t.Errorf("%s was changed: now %d bytes, starting %q", rel(p), len(got), got[:min(len(got), 40)])
		}
	}
	for p, target := range f.links {
		if got, err := os.Readlink(p); err != nil || got != target {
			t.Errorf("symlink %s: now %q %v, want it still to point at %q", rel(p), got, err, target)
		}
	}
}

// checkSafeName fails the test if name could escape the folder, confuse a
// terminal, or be unusable on a common file system.
func checkSafeName(t *testing.T, name string) {
	t.Helper()
	bad := name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\<>:"|?*`) ||
		!utf8.ValidString(name) || len(name) > safefs.MaxNameBytes || strings.HasPrefix(name, ".")
	for _, r := range name {
		bad = bad || r < 0x20 || r == 0x7f
	}
	if bad {
		t.Errorf("unsafe file name %q", name)
	}
}

// raw writes resp to the connection verbatim and closes it. net/http's server
// would repair a broken header (it drops an invalid Content-Length); a hostile
// server does not.
func raw(w http.ResponseWriter, resp string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	buf.WriteString(resp)
	buf.Flush()
}

// from returns N of a "bytes=N-" Range header, or -1.
func from(r *http.Request) int64 {
	v, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes=")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(v, "-"), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// serveBytes answers like an honest server with body, honouring "bytes=N-".
func serveBytes(w http.ResponseWriter, r *http.Request, body []byte) {
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	start, code := int64(0), http.StatusOK
	if n := from(r); n >= 0 && n < int64(len(body)) {
		start, code = n, http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(body)-1, len(body)))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)-int(start)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body[start:])
	}
}

func settled(t *testing.T, e *downloader.Engine, id downloader.ID, want downloader.State) downloader.FileStatus {
	t.Helper()
	wait(t, e)
	f := status(t, e, id)
	if f.State != want {
		t.Fatalf("%s: state %v (%q) after %d attempts, want %v", f.Name, f.State, f.Err, f.Attempts, want)
	}
	return f
}

// Case 1: names a server suggests must land inside the folder, safe, with
// the bytes the server sent.
func TestHostileContentDispositionNames(t *testing.T) {
	s := newServer(t)
	f := newFence(t)
	long := strings.Repeat("A", 10_000)
	tests := []struct {
		name, cd string
		want     string // "$url": the URL's name; "": any safe name
	}{
		{"no header", "", "$url"},
		{"dot-dot", `attachment; filename="../escaped1.txt"`, "escaped1.txt"},
		// Traversals and absolute paths all aim at the parent folder, so
		// that an engine that followed them would not litter the machine.
		{"dot-dot behind folders", `attachment; filename="sub/dir/../../../escaped2.txt"`, "escaped2.txt"},
		{"absolute into the parent", `attachment; filename="` + f.parent + `/abs.txt"`, "abs.txt"},
		{"absolute through the folder", `attachment; filename="` + f.dir + `/../abs2.txt"`, "abs2.txt"},
		{"backslashes", `attachment; filename="..\\..\\back.txt"`, "back.txt"},
		{"windows drive path", `attachment; filename="C:\\Windows\\win.ini"`, "win.ini"},
		{"UNC path", `attachment; filename="\\\\server\\share\\unc.txt"`, "unc.txt"},
		{"unquoted traversal is not a valid header", `attachment; filename=../bare.txt`, "$url"},
		{"RFC 5987 traversal", `attachment; filename*=UTF-8''..%2F..%2Frfc.txt`, "rfc.txt"},
		{"RFC 5987 backslashes", `attachment; filename*=UTF-8''..%5C..%5Crfcb.txt`, "rfcb.txt"},
		{"RFC 5987 wins over filename", `attachment; filename="plain.txt"; filename*=UTF-8''..%2F%2E%2E%2Fstar.txt`, "star.txt"},
		{"percent-encoded traversal", `attachment; filename="..%2F..%2Fpct.txt"`, "pct.txt"},
		{"percent-encoded dots only", `attachment; filename="%2E%2E"`, ""},
		{"RFC 5987 dots only", `attachment; filename*=UTF-8''%2E%2E%2F%2E%2E`, ""},
		{"double percent-encoding is decoded once", `attachment; filename="%252E%252E%252Fdbl.txt"`, "%2E%2E%2Fdbl.txt"},
		{"percent-encoded NUL", `attachment; filename="nul%00byte.txt"`, "nulbyte.txt"},
		{"RFC 5987 NUL truncation trick", `attachment; filename*=UTF-8''safe.txt%00.exe`, "safe.txt.exe"},
		{"RFC 5987 control characters", `attachment; filename*=UTF-8''a%00b%07c%1B%0A%0D%7Fd.txt`, "abcd.txt"},
		{"terminal escape", `attachment; filename*=UTF-8''%1B%5B31mred.txt`, "[31mred.txt"},
		{"bidi override", `attachment; filename*=UTF-8''evil%E2%80%AEtxt.exe`, "evil_txt.exe"},
		{"reserved CON", `attachment; filename="CON"`, "_CON"},
		{"reserved nul.txt", `attachment; filename="nul.txt"`, "_nul.txt"},
		{"reserved COM1", `attachment; filename="COM1"`, "_COM1"},
		{"reserved lpt9 with two extensions", `attachment; filename="lpt9.tar.gz"`, "_lpt9.tar.gz"},
		{"reserved aux, trailing space", `attachment; filename="aux .log"`, "_aux .log"},
		{"reserved behind a traversal", `attachment; filename*=UTF-8''..%2Fprn.txt`, "_prn.txt"},
		{"reserved COM with a superscript digit", `attachment; filename*=UTF-8''COM%C2%B9.txt`, "_COM\u00b9.txt"},
		{"characters Windows forbids", `attachment; filename="a<b>c:d|e?f*.txt"`, "a_b_c_d_e_f_.txt"},
		{"NTFS stream", `attachment; filename="report.txt::$DATA"`, "report.txt__$DATA"},
		{"trailing dots and spaces", `attachment; filename="trail.txt. . ."`, "trail.txt"},
		{"hidden", `attachment; filename=".bashrc"`, "bashrc"},
		{"10,000 characters", `attachment; filename="` + long + `.txt"`, long[:safefs.MaxNameBytes-4] + ".txt"},
		{"10,000 two-byte characters, RFC 5987", `attachment; filename*=UTF-8''` + strings.Repeat("%C3%A9", 10_000) + `.pdf`,
			strings.Repeat("é", (safefs.MaxNameBytes-4)/2) + ".pdf"},
		{"the user's file beside it", `attachment; filename="sibling.txt"`, "sibling (1).txt"},
		{"another download's name", `attachment; filename="n00.bin"`, "n00 (1).bin"},
		{"empty", `attachment; filename=""`, "$url"},
	}
	skip := map[string]string{}
	e := f.engine(downloader.Options{})
	var ids []downloader.ID
	for i, tc := range tests {
		u := s.FileURL(fmt.Sprintf("n%02d.bin", i), int64(1000+i))
		if tc.cd != "" {
			u += "&cd=" + urlq(tc.cd)
		}
		ids = append(ids, add(t, e, u)...)
	}
	wait(t, e)
	var names []string
	for i, tc := range tests {
		st := status(t, e, ids[i])
		names = append(names, st.Name)
		t.Run(tc.name, func(t *testing.T) {
			if st.State != downloader.StateDone {
				t.Fatalf("%v: %s", st.State, st.Err)
			}
			checkSafeName(t, st.Name)
			want := tc.want
			if want == "$url" {
				want = fmt.Sprintf("n%02d.bin", i)
			}
			if skip[tc.name] != "" && st.Name != want {
				t.Skip(skip[tc.name])
			}
			if want == "" {
				t.Logf("named %q", st.Name)
			} else if st.Name != want {
				t.Errorf("named %q, want %q", st.Name, want)
			}
			if st.Path != filepath.Join(f.dir, st.Name) {
				t.Errorf("path %q is not %q in the download folder", st.Path, st.Name)
			}
			checkFile(t, st.Path, fmt.Sprintf("n%02d.bin", i), int64(1000+i))
		})
	}
	f.check(names...)
}

// Raw control bytes in a header never reach the name: net/http refuses the
// whole answer, and the download fails without a file.
func TestContentDispositionRawControlBytes(t *testing.T) {
	for _, c := range []string{"\x00", "\x07", "\x1b", "\x7f"} {
		t.Run(strconv.Quote(c), func(t *testing.T) {
			body := dt.Content("ctl.bin", 100)
			s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
				raw(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n"+
					"Content-Disposition: attachment; filename=\"a"+c+"b.txt\"\r\n\r\n"+string(body))
				return true
			}))
			f := newFence(t)
			e := f.engine(downloader.Options{})
			ids := add(t, e, s.FileURL("ctl.bin", 100))
			wait(t, e)
			switch st := status(t, e, ids[0]); st.State {
			case downloader.StateFailed:
				if st.Attempts != 1 {
					t.Errorf("a malformed answer was retried: %d attempts", st.Attempts)
				}
				f.check()
			case downloader.StateDone:
				checkSafeName(t, st.Name)
				checkFile(t, st.Path, "ctl.bin", 100)
				f.check(st.Name)
			default:
				t.Fatalf("%v %q", st.State, st.Err)
			}
		})
	}
}

// A Content-Disposition name ending in ".part" must not become the .part of
// another download: the later download of that name would resume from it,
// putting the hostile server's bytes at the start of a file from elsewhere.
func TestContentDispositionNameIsAnotherPart(t *testing.T) {
	s := newServer(t)
	f := newFence(t)
	e := f.engine(downloader.Options{})
	a := add(t, e, s.FileURL("a.bin", 5000)+"&cd="+urlq(`attachment; filename="b.bin.part"`))
	fa := settled(t, e, a[0], downloader.StateDone)
	b := add(t, e, s.FileURL("b.bin", 9000))
	fb := settled(t, e, b[0], downloader.StateDone)
	checkFile(t, fb.Path, "b.bin", 9000)
	fa = status(t, e, a[0])
	if strings.HasSuffix(strings.ToLower(fa.Name), ".part") {
		t.Errorf("a finished download is named %q, like a partial file", fa.Name)
	}
	checkFile(t, fa.Path, "a.bin", 5000)
	f.check(fa.Name, fb.Name)
}

// Case 2: symlinks already in the folder, where the file or its .part would
// go, are never followed: the download takes another name.
func TestSymlinkedDestinations(t *testing.T) {
	s := newServer(t)
	f := newFence(t)
	victim := func(name string) string { return f.file(f.elsewhere(name), "victim "+name+"\n") }
	tests := []struct {
		name  string
		file  string // the URL's file name
		cd    string
		plant func()
		want  string
	}{
		{"file name is a symlink to a file outside", "s1.bin", "",
			func() { f.link(filepath.Join(f.dir, "s1.bin"), victim("v1")) }, "s1 (1).bin"},
		{"file name is a dangling symlink to outside", "s2.bin", "",
			func() { f.link(filepath.Join(f.dir, "s2.bin"), f.elsewhere("ghost2")) }, "s2 (1).bin"},
		{".part is a symlink to a file outside", "s3.bin", "",
			func() { f.link(filepath.Join(f.dir, "s3.bin.part"), victim("v3")) }, "s3 (1).bin"},
		{".part is a dangling symlink to outside", "s4.bin", "",
			func() { f.link(filepath.Join(f.dir, "s4.bin.part"), f.elsewhere("ghost4")) }, "s4 (1).bin"},
		{".part is a symlink to a folder outside", "s5.bin", "",
			func() { f.link(filepath.Join(f.dir, "s5.bin.part"), filepath.Dir(f.elsewhere("x"))) }, "s5 (1).bin"},
		{"file name is a relative symlink to the user's file", "s6.bin", "",
			func() { f.link(filepath.Join(f.dir, "s6.bin"), "sibling.txt") }, "s6 (1).bin"},
		{"the first two candidates are symlinks", "s7.bin", "",
			func() {
				f.link(filepath.Join(f.dir, "s7.bin"), victim("v7"))
				f.link(filepath.Join(f.dir, "s7 (1).bin.part"), victim("v7b"))
			}, "s7 (2).bin"},
		{"name from Content-Disposition is a symlink", "s8.bin", `attachment; filename="cdlink.txt"`,
			func() { f.link(filepath.Join(f.dir, "cdlink.txt"), victim("v8")) }, "cdlink (1).txt"},
		{"name from Content-Disposition is a dangling symlink", "s9.bin", `attachment; filename="cdghost.txt"`,
			func() { f.link(filepath.Join(f.dir, "cdghost.txt"), f.elsewhere("ghost9")) }, "cdghost (1).txt"},
	}
	for _, tc := range tests {
		tc.plant()
	}
	e := f.engine(downloader.Options{})
	var ids []downloader.ID
	for _, tc := range tests {
		u := s.FileURL(tc.file, 3000)
		if tc.cd != "" {
			u += "&cd=" + urlq(tc.cd)
		}
		ids = append(ids, add(t, e, u)...)
	}
	wait(t, e)
	var names []string
	for i, tc := range tests {
		st := status(t, e, ids[i])
		names = append(names, st.Name)
		t.Run(tc.name, func(t *testing.T) {
			if st.State != downloader.StateDone || st.Name != tc.want {
				t.Fatalf("%v %q named %q, want done as %q", st.State, st.Err, st.Name, tc.want)
			}
			checkFile(t, st.Path, tc.file, 3000)
		})
	}
	f.check(names...)
}

// A symlink planted where the .part goes while the request is in flight, after
// the engine looked: the bytes must still not go through it.
func TestSymlinkPlantedDuringRequest(t *testing.T) {
	f := newFence(t)
	victim := f.file(f.elsewhere("victim"), "victim, outside the download folder\n")
	part := filepath.Join(f.dir, "race.bin.part")
	var once atomic.Bool
	planted := make(chan struct{})
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && once.CompareAndSwap(false, true) {
			os.Remove(part) // as an attacker would: the engine made it before asking
			f.link(part, victim)
			close(planted)
		}
		return false
	}))
	e := f.engine(downloader.Options{Retries: -1})
	ids := add(t, e, s.FileURL("race.bin", 5000))
	wait(t, e)
	select {
	case <-planted:
	default:
		t.Fatal("no GET reached the server: nothing was planted")
	}
	st := status(t, e, ids[0])
	switch st.State {
	case downloader.StateDone:
		checkFile(t, st.Path, "race.bin", 5000)
		f.check(st.Name)
	case downloader.StateFailed:
		f.check()
	default:
		t.Fatalf("%v %q", st.State, st.Err)
	}
}

// A .part that is a hard link to a file elsewhere is a regular file to Lstat,
// but appending to it writes into the other file.
func TestHardLinkedPart(t *testing.T) {
	s := newServer(t)
	f := newFence(t)
	victim := f.file(f.elsewhere("victim"), "victim, outside the download folder\n")
	part := filepath.Join(f.dir, "hl.bin.part")
	if err := os.Link(victim, part); err != nil {
		t.Skipf("cannot hard link here: %v", err)
	}
	f.files[part] = f.files[victim] // the same file under two names: both must stay as they are
	e := f.engine(downloader.Options{})
	ids := add(t, e, s.FileURL("hl.bin", 5000))
	wait(t, e)
	st := status(t, e, ids[0])
	if got, _ := os.ReadFile(victim); !bytes.Equal(got, f.files[victim]) {
		t.Fatalf("the hard-linked file outside the folder was written: %d bytes", len(got))
	}
	// A .part with two names is not one of ours: the download takes the
	// next name and leaves both names of that file alone.
	if st.State != downloader.StateDone || st.Name != "hl (1).bin" {
		t.Fatalf("%v as %q (%q); want done as \"hl (1).bin\"", st.State, st.Name, st.Err)
	}
	checkFile(t, st.Path, "hl.bin", 5000)
	f.check(st.Name)
}

// Case 3: redirects to other schemes, loops and long chains.
func TestHostileRedirects(t *testing.T) {
	tests := []struct {
		name     string
		opts     []dt.Option
		to       string // for /redirect?to=
		loop     bool   // /loop redirects to itself
		done     bool
		errHas   []string
		requests int // requests the server saw (the first and every redirect followed), 0: not checked
	}{
		{name: "to file:", to: "file:///etc/passwd", errHas: []string{`"file"`, "refused"}},
		{name: "to FILE: in capitals", to: "FILE:///etc/passwd", errHas: []string{`"file"`, "refused"}},
		{name: "to ftp:", to: "ftp://127.0.0.1/x.bin", errHas: []string{`"ftp"`, "refused"}},
		{name: "to data:", to: "data:text/plain;base64,aGVsbG8=", errHas: []string{`"data"`, "refused"}},
		{name: "to javascript:", to: "javascript:alert(1)", errHas: []string{`"javascript"`, "refused"}},
		{name: "to a loop", loop: true, errHas: []string{"10 redirects"}, requests: 11},
		{name: "exactly 10 hops", opts: []dt.Option{dt.WithRedirects(10)}, done: true, requests: 11},
		{name: "11 hops", opts: []dt.Option{dt.WithRedirects(11)}, errHas: []string{"10 redirects"}, requests: 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if tc.loop {
				opts = append(opts, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
					if r.URL.Path == "/loop" {
						http.Redirect(w, r, "/loop", http.StatusFound)
						return true
					}
					return false
				}))
			}
			s := newServer(t, opts...)
			u := s.FileURL("r.bin", 1000)
			switch {
			case tc.loop:
				u = s.URL + "/loop"
			case tc.to != "":
				u = s.URL + "/redirect?to=" + urlq(tc.to)
			}
			f := newFence(t)
			e := f.engine(downloader.Options{})
			ids := add(t, e, u)
			wait(t, e)
			st := status(t, e, ids[0])
			if tc.done {
				if st.State != downloader.StateDone {
					t.Fatalf("%v %q", st.State, st.Err)
				}
				checkFile(t, st.Path, "r.bin", 1000)
				f.check("r.bin")
			} else {
				if st.State != downloader.StateFailed || st.Attempts != 1 {
					t.Fatalf("%v after %d attempts (%q), want failed at once", st.State, st.Attempts, st.Err)
				}
				for _, w := range tc.errHas {
					if !strings.Contains(st.Err, w) {
						t.Errorf("error %q does not say %q", st.Err, w)
					}
				}
				f.check()
			}
			if n := len(s.Requests()); tc.requests != 0 && n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

// Credentials in the URL go to its own origin and nowhere else after a redirect.
func TestRedirectDropsCredentials(t *testing.T) {
	for _, toLocalhost := range []bool{false, true} {
		name := "other port"
		if toLocalhost {
			name = "127.0.0.1 to localhost"
		}
		t.Run(name, func(t *testing.T) {
			b := newServer(t)
			target := b.FileURL("cred.bin", 4000)
			if toLocalhost {
				target = strings.Replace(target, "127.0.0.1", "localhost", 1)
			}
			a := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
				http.Redirect(w, r, target, http.StatusFound)
				return true
			}))
			f := newFence(t)
			e := f.engine(downloader.Options{})
			u := strings.Replace(a.FileURL("cred.bin", 4000), "http://", "http://user:s3cret@", 1)
			ids := add(t, e, u)
			st := settled(t, e, ids[0], downloader.StateDone)
			checkFile(t, st.Path, "cred.bin", 4000)
			f.check("cred.bin")

			basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:s3cret"))
			ra := a.Requests()
			if len(ra) != 1 || ra[0].Header.Get("Authorization") != basic {
				t.Fatalf("the URL's own server saw %d requests, Authorization %q; want the credentials once", len(ra), ra[0].Header.Get("Authorization"))
			}
			rb := b.Requests()
			if len(rb) == 0 {
				t.Fatal("the redirect target saw no request")
			}
			for _, r := range rb {
				for k, v := range r.Header {
					if strings.Contains(strings.Join(v, " "), "s3cret") || strings.Contains(strings.Join(v, " "), basic[6:]) {
						t.Errorf("the other server received the credentials in %s: %q", k, v)
					}
				}
				for _, h := range []string{"Authorization", "Cookie", "Cookie2"} {
					if v := r.Header.Get(h); v != "" {
						t.Errorf("the other server received %s: %q", h, v)
					}
				}
			}
		})
	}
}

// Case 4: lengths that lie, and bodies that are not what they seem.
func TestHostileContentLength(t *testing.T) {
	body := dt.Content("len.bin", 5000)
	answer := func(hdr string, b []byte) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			raw(w, "HTTP/1.1 200 OK\r\nConnection: close\r\n"+hdr+"\r\n"+string(b))
			return true
		}
	}
	tests := []struct {
		name     string
		hook     func(w http.ResponseWriter, r *http.Request) bool
		opts     []dt.Option
		done     bool
		errHas   string // or, for the petabyte, disk full: a check of free space first is as good
		attempts int    // 0: not checked; -n: at most n
		part     int64  // for a failure: the .part may hold at most this many bytes (-1: none may exist)
	}{
		{name: "1 PB declared, short body", hook: petabyteHook(body, false),
			errHas: "before the whole file arrived", attempts: -3, part: 1000},
		{name: "1 PB declared, short body, ranges accepted", hook: petabyteHook(body, true),
			errHas: "before the whole file arrived", attempts: -4, part: 1000}, // one start over when Range is ignored
		{name: "negative", hook: answer("Content-Length: -5\r\n", body), errHas: "Content-Length", attempts: 1, part: -1},
		{name: "malformed", hook: answer("Content-Length: 12abc\r\n", body), errHas: "Content-Length", attempts: 1, part: -1},
		{name: "beyond int64", hook: answer("Content-Length: 99999999999999999999999\r\n", body), errHas: "Content-Length", attempts: 1, part: -1},
		{name: "two that disagree", hook: answer("Content-Length: 5000\r\nContent-Length: 4000\r\n", body), errHas: "Content-Length", attempts: 1, part: -1},
		{name: "none, body ends with the connection", hook: answer("", body), done: true},
		{name: "none, chunked, cut short then resumed",
			opts: []dt.Option{dt.WithoutContentLength(), dt.WithShortBody(2000), dt.WithFaultCount(1)}, done: true, attempts: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if tc.hook != nil {
				opts = append(opts, dt.WithHandlerHook(tc.hook))
			}
			s := newServer(t, opts...)
			f := newFence(t)
			e := f.engine(downloader.Options{Retries: 2})
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			t0 := time.Now()
			ids := add(t, e, s.FileURL("len.bin", 5000))
			wait(t, e)
			took := time.Since(t0)
			runtime.ReadMemStats(&m1)
			st := status(t, e, ids[0])
			if took > 5*time.Second {
				t.Errorf("took %v", took)
			}
			if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 64<<20 {
				t.Errorf("allocated %d MiB", grew>>20)
			}
			if (tc.attempts > 0 && st.Attempts != tc.attempts) || (tc.attempts < 0 && st.Attempts > -tc.attempts) {
				t.Errorf("%d attempts, want %d (negative: at most) (%q)", st.Attempts, tc.attempts, st.Err)
			}
			if tc.done {
				if st.State != downloader.StateDone {
					t.Fatalf("%v %q", st.State, st.Err)
				}
				checkFile(t, st.Path, "len.bin", 5000)
				f.check("len.bin")
				return
			}
			petabyteDiskFull := strings.HasPrefix(tc.name, "1 PB") && strings.Contains(st.Err, "not enough space: the file needs")
			if st.State != downloader.StateFailed || !(strings.Contains(st.Err, tc.errHas) || petabyteDiskFull) {
				t.Fatalf("%v %q, want failed saying %q", st.State, st.Err, tc.errHas)
			}
			fi, err := os.Lstat(st.PartPath)
			switch {
			case tc.part < 0 && err == nil:
				t.Errorf(".part of %d bytes left for an answer that was refused", fi.Size())
				f.check("len.bin.part")
			case err != nil:
				f.check() // none is fine: at most a small .part
			case fi.Size() > tc.part:
				t.Errorf(".part of %d bytes, want at most %d", fi.Size(), tc.part)
			default:
				f.check("len.bin.part")
			}
		})
	}
}

// petabyteHook announces 1 PB and sends 1000 bytes: net/http then closes the
// connection, as for any body shorter than declared. It ignores Range.
func petabyteHook(body []byte, ranges bool) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if ranges {
			w.Header().Set("Accept-Ranges", "bytes")
		}
		w.Header().Set("Content-Length", strconv.FormatInt(1<<50, 10))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			w.Write(body[:1000])
		}
		return true
	}
}

// A gzip bomb is stored as sent: the engine asks for identity, never inflates
// what arrives, and its memory does not grow with what the body would inflate to.
func TestGzipBombStoredAsSent(t *testing.T) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	bomb := bytes.Repeat(member.Bytes(), 1024) // gzip members concatenate: 1 GiB of zeros
	if len(bomb) > 2<<20 {
		t.Fatalf("bomb of %d bytes", len(bomb))
	}
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/octet-stream")
		serveBytes(w, r, bomb)
		return true
	}))
	f := newFence(t)
	e := f.engine(downloader.Options{})
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	ids := add(t, e, s.URL+"/f/zeros.bin")
	st := settled(t, e, ids[0], downloader.StateDone)
	runtime.ReadMemStats(&m1)
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 64<<20 {
		t.Errorf("allocated %d MiB for a %d KiB body", grew>>20, len(bomb)>>10)
	}
	fi, err := os.Stat(st.Path) // not read whole before its size is known: it could be 1 GiB
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != int64(len(bomb)) || st.Size != int64(len(bomb)) {
		t.Fatalf("stored %d bytes (size %d), want the %d compressed bytes as sent", fi.Size(), st.Size, len(bomb))
	}
	if got, _ := os.ReadFile(st.Path); !bytes.Equal(got, bomb) {
		t.Fatal("the stored bytes are not the ones sent")
	}
	for _, r := range s.Requests() {
		if ae := r.Header.Get("Accept-Encoding"); ae != "identity" {
			t.Errorf("%s asked for Accept-Encoding %q, want identity", r.Method, ae)
		}
	}
	f.check("zeros.bin")
}

// Case 5: answers to a resume that do not fit the request. The .part holds
// wrong bytes, so only a real start over gives the right file.
func TestHostileRangeAnswers(t *testing.T) {
	const size, have = 300_000, 100_000
	full := dt.Content("rg.bin", size)
	partial := func(w http.ResponseWriter, code int, cr string, b []byte) {
		if cr != "" {
			w.Header().Set("Content-Range", cr)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(code)
		w.Write(b)
	}
	tests := []struct {
		name string
		// answer handles a GET; n counts GETs so far (1-based), at is the
		// Range start or -1. It returns false to answer honestly.
		answer func(w http.ResponseWriter, n int, at int64) bool
		done   bool
		errHas string
	}{
		{"416 to the resume", func(w http.ResponseWriter, n int, at int64) bool {
			if at < 0 {
				return false
			}
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return true
		}, true, ""},
		{"416 to everything", func(w http.ResponseWriter, n int, at int64) bool {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return true
		}, false, "416"},
		{"206 from another offset", func(w http.ResponseWriter, n int, at int64) bool {
			if at < 0 {
				return false
			}
			partial(w, http.StatusPartialContent, fmt.Sprintf("bytes 0-%d/%d", size-1, size), full)
			return true
		}, true, ""},
		{"206 with another total", func(w http.ResponseWriter, n int, at int64) bool {
			if at < 0 {
				return false
			}
			partial(w, http.StatusPartialContent, fmt.Sprintf("bytes %d-%d/%d", at, size-1, size+1), full[at:])
			return true
		}, true, ""},
		{"206 shorter than asked", func(w http.ResponseWriter, n int, at int64) bool {
			if at < 0 {
				return false
			}
			partial(w, http.StatusPartialContent, fmt.Sprintf("bytes %d-%d/%d", at, at+999, size), full[at:at+1000])
			return true
		}, true, ""},
		{"206 without Content-Range", func(w http.ResponseWriter, n int, at int64) bool {
			if at < 0 {
				return false
			}
			partial(w, http.StatusPartialContent, "", full[at:])
			return true
		}, true, ""},
		{"206 with a malformed Content-Range", func(w http.ResponseWriter, n int, at int64) bool {
			if at < 0 {
				return false
			}
			partial(w, http.StatusPartialContent, "bytes lots", full[at:])
			return true
		}, true, ""},
		{"206 to every request, plain ones too", func(w http.ResponseWriter, n int, at int64) bool {
			partial(w, http.StatusPartialContent, fmt.Sprintf("bytes 0-999/%d", size), full[:1000])
			return true
		}, false, "different byte range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var gets atomic.Int32
			s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodGet {
					return false
				}
				return tc.answer(w, int(gets.Add(1)), from(r))
			}))
			f := newFence(t)
			writePart(t, f.dir, "rg.bin", bytes.Repeat([]byte{0xEE}, have))
			e := f.engine(downloader.Options{Retries: 1})
			ids := add(t, e, s.FileURL("rg.bin", size))
			wait(t, e)
			st := status(t, e, ids[0])
			ranged := false
			for _, r := range s.Requests() {
				ranged = ranged || (r.Method == http.MethodGet && r.Range != "")
			}
			if !ranged {
				t.Fatal("the engine never asked for a range: the case tested nothing")
			}
			if tc.done {
				if st.State != downloader.StateDone {
					t.Fatalf("%v after %d attempts: %q", st.State, st.Attempts, st.Err)
				}
				checkFile(t, st.Path, "rg.bin", size)
				f.check("rg.bin")
				return
			}
			if st.State != downloader.StateFailed || !strings.Contains(st.Err, tc.errHas) {
				t.Fatalf("%v %q, want failed saying %q", st.State, st.Err, tc.errHas)
			}
			if fi, err := os.Stat(st.PartPath); err == nil {
				if b, _ := os.ReadFile(st.PartPath); len(b) > 0 && !bytes.Equal(b, full[:len(b)]) &&
					!bytes.Equal(b, bytes.Repeat([]byte{0xEE}, len(b))) {
					t.Errorf(".part of %d bytes holds a mix of bytes", fi.Size())
				}
				f.check("rg.bin.part")
			} else {
				f.check()
			}
		})
	}
}

// Case 6: a server that sends a byte now and then, with gaps longer than the
// stall timeout, fails each attempt at the timeout and keeps what arrived.
func TestSlowLoris(t *testing.T) {
	const size = 1000
	body := dt.Content("slow.bin", size)
	s := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		at := max(from(r), 0)
		w.Header().Set("Accept-Ranges", "bytes")
		w.Header().Set("Content-Length", strconv.FormatInt(size-at, 10))
		if at > 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", at, size-1, size))
			w.WriteHeader(http.StatusPartialContent)
		}
		if r.Method == http.MethodHead {
			return true
		}
		rc := http.NewResponseController(w)
		for i := at; i < size; i++ {
			w.Write(body[i : i+1])
			if rc.Flush() != nil {
				return true
			}
			select {
			case <-r.Context().Done():
				return true
			case <-time.After(10 * time.Second):
			}
		}
		return true
	}))
	f := newFence(t)
	e := f.engine(downloader.Options{Retries: 2, StallTimeout: 200 * time.Millisecond})
	t0 := time.Now()
	ids := add(t, e, s.FileURL("slow.bin", size))
	st := settled(t, e, ids[0], downloader.StateFailed)
	if took := time.Since(t0); took > 3*time.Second {
		t.Errorf("three stalled attempts took %v at a 200 ms stall timeout", took)
	}
	if st.Attempts != 3 || !strings.Contains(st.Err, "stalled") || st.Done != 3 {
		t.Fatalf("attempts %d done %d err %q; want 3 attempts, 3 bytes kept, stalled", st.Attempts, st.Done, st.Err)
	}
	b, err := os.ReadFile(st.PartPath)
	if err != nil || !bytes.Equal(b, body[:3]) {
		t.Fatalf(".part %q %v, want the first 3 bytes", b, err)
	}
	f.check("slow.bin.part")
}

// Case 6: a 503 with Retry-After is honoured like a 429 (TestRetryAfterHonoured).
func TestRetryAfter503(t *testing.T) {
	s := newServer(t, dt.WithFailFirst(1, http.StatusServiceUnavailable), dt.WithRetryAfter("1"))
	f := newFence(t)
	e := f.engine(downloader.Options{})
	t0 := time.Now()
	ids := add(t, e, s.FileURL("busy.bin", 10))
	waitFor(t, "retry scheduled", func() bool { return !status(t, e, ids[0]).RetryAt.IsZero() })
	if st := status(t, e, ids[0]); st.State != downloader.StateQueued || !strings.Contains(st.Err, "503") ||
		st.RetryAt.Sub(t0) < time.Second {
		t.Fatalf("while waiting: %v %q retry at +%v", st.State, st.Err, st.RetryAt.Sub(t0))
	}
	st := settled(t, e, ids[0], downloader.StateDone)
	if d := time.Since(t0); d < time.Second || st.Attempts != 2 {
		t.Fatalf("done after %v and %d attempts despite Retry-After: 1", d, st.Attempts)
	}
	checkFile(t, st.Path, "busy.bin", 10)
	f.check("busy.bin")
}

// A redirect to another origin carries no Referer: the URL it would name may
// hold a signed token in its query.
func TestRedirectDropsCrossOriginReferer(t *testing.T) {
	var mu sync.Mutex
	var referers []string
	b := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		referers = append(referers, r.Header.Get("Referer"))
		mu.Unlock()
		return false
	}))
	a := newServer(t, dt.WithHandlerHook(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, b.FileURL("ref.bin", 100), http.StatusFound)
		return true
	}))
	e := newEngine(t, downloader.Options{})
	ids := add(t, e, a.URL+"/f/ref.bin?token=s3cret")
	wait(t, e)
	if f := status(t, e, ids[0]); f.State != downloader.StateDone {
		t.Fatalf("%s %q", f.State, f.Err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, ref := range referers {
		if ref != "" {
			t.Fatalf("the other origin got Referer %q", ref)
		}
	}
	if len(referers) == 0 {
		t.Fatal("the redirect was not followed")
	}
}
