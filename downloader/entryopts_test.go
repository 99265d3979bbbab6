package downloader

import (
	"net/http"
	"strings"
	"testing"
)

// TestParseListAria2Options: aria2's input-file options on indented lines
// after a URL; a bad one is reported by its line and its URL not used, and
// the rest runs.
func TestParseListAria2Options(t *testing.T) {
	sum := strings.Repeat("cd", 32)
	in := strings.Join([]string{
		"http://h/a.iso",                 // 1
		"  out=renamed.iso",              // 2
		"\tdir=isos/2026",                // 3
		"  header=X-Token: abc",          // 4
		"  header=Accept-Language: ru",   // 5
		"  referer=https://h/page",       // 6
		"  user-agent=Mozilla/5.0 Potok", // 7
		"  checksum=sha-256=" + sum,      // 8
		"   # an indented comment",       // 9
		"http://h/b.bin",                 // 10
		"  dir=../escape",                // 11: bad, b.bin dropped
		"  out=fine.bin",                 // 12: ignored with it
		"http://h/c.bin",                 // 13
		"  colour=blue",                  // 14: unknown option, c.bin dropped
		"http://h/d.bin",                 // 15
		"  dir=/etc",                     // 16
		"http://h/e.bin",                 // 17
		"  checksum=md5=0123456789abcdef0123456789abcdef", // 18
		"http://h/f.bin",               // 19
		"  out=../../x",                // 20
		"http://h/g.bin",               // 21
		"  header=Bad Header: x",       // 22
		"http://h/h.bin sha256:" + sum, // 23
	}, "\n")
	l, err := ParseList(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, e := range l.Entries {
		urls = append(urls, e.URL)
	}
	if strings.Join(urls, " ") != "http://h/a.iso http://h/h.bin" {
		t.Fatalf("entries %q", urls)
	}
	a := l.Entries[0]
	want := Entry{URL: "http://h/a.iso", Name: "renamed.iso", Dir: "isos/2026", Referer: "https://h/page", UserAgent: "Mozilla/5.0 Potok",
		Header: http.Header{"X-Token": {"abc"}, "Accept-Language": {"ru"}}}
	if a.Name != want.Name || a.Dir != want.Dir || a.Referer != want.Referer || a.UserAgent != want.UserAgent ||
		a.Header.Get("X-Token") != "abc" || a.Header.Get("Accept-Language") != "ru" || len(a.SHA256) != 32 {
		t.Fatalf("a.iso = %+v", a)
	}
	var bad []int
	for _, p := range l.Problems {
		bad = append(bad, p.Line)
	}
	if !equalInts(bad, []int{11, 14, 16, 18, 20, 22}) {
		t.Fatalf("problems on lines %v: %v", bad, l.Problems)
	}
	if !strings.Contains(l.Problems[0].Error(), "line 10 is not used") {
		t.Fatalf("%v does not say which URL is dropped", l.Problems[0])
	}
}

func TestCleanSubdir(t *testing.T) {
	for in, want := range map[string]string{"a": "a", "a/b/": "a/b", "./a//b": "a/b", "Видео/2026": "Видео/2026"} {
		if got, err := cleanSubdir(in); err != nil || got != want {
			t.Errorf("cleanSubdir(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "/etc", "..", "a/../..", `a\b`, "C:/x", "a/\x00", "a/x.part", ".", "a/COM1"} {
		if got, err := cleanSubdir(in); err == nil {
			t.Errorf("cleanSubdir(%q) = %q, want refused", in, got)
		}
	}
}

func FuzzParseListOptions(f *testing.F) {
	f.Add("http://h/a\n  out=b\n  dir=c/d\n  header=X: y\n")
	f.Add("http://h/a\n  dir=../../etc\n")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ParseList(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, e := range l.Entries {
			if e.Dir != "" {
				if d, err := cleanSubdir(e.Dir); err != nil || d != e.Dir {
					t.Fatalf("accepted dir %q", e.Dir)
				}
			}
			if e.Name != "" && (strings.ContainsAny(e.Name, "/\\\x00") || e.Name == ".." || e.Name == ".") {
				t.Fatalf("accepted out %q", e.Name)
			}
		}
	})
}
