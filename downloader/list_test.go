package downloader

import (
	"errors"
	"strings"
	"testing"
)

func TestParseList(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	tests := []struct {
		name     string
		in       string
		urls     []string
		sums     int   // entries with a checksum
		badLines []int // lines reported as faults
		dupLines []int // lines reported as duplicates
	}{
		{name: "empty", in: ""},
		{name: "blank and comments", in: "\n  \n# a comment\n   # indented comment\n"},
		{name: "one url no newline", in: "http://a.example/x.bin", urls: []string{"http://a.example/x.bin"}},
		{name: "crlf and bom", in: "\ufeffhttps://a.example/1\r\nhttps://a.example/2\r\n",
			urls: []string{"https://a.example/1", "https://a.example/2"}},
		{name: "checksum", in: "http://h/f sha256:" + sum + "\n", urls: []string{"http://h/f"}, sums: 1},
		{name: "checksum upper case algo and hex", in: "http://h/f SHA256:" + strings.ToUpper(sum), urls: []string{"http://h/f"}, sums: 1},
		{name: "bad checksum kept going", in: "http://h/a sha256:abc\nhttp://h/b\n", urls: []string{"http://h/b"}, badLines: []int{1}},
		{name: "md5 refused", in: "http://h/a md5:" + sum[:32], badLines: []int{1}},
		{name: "three fields", in: "http://h/a sha256:" + sum + " extra", badLines: []int{1}},
		{name: "schemes", in: "ftp://h/a\nfile:///etc/passwd\njavascript:alert(1)\nhttps://h/ok\n",
			urls: []string{"https://h/ok"}, badLines: []int{1, 2, 3}},
		{name: "no scheme", in: "example.com/file.zip", badLines: []int{1}},
		{name: "no host", in: "http:///path\nhttp://:80/x", badLines: []int{1, 2}},
		{name: "bad port", in: "http://h:99999/x\nhttp://h:0/x\nhttp://h:8080/x", urls: []string{"http://h:8080/x"}, badLines: []int{1, 2}},
		{name: "bad escape", in: "http://h/%zz", badLines: []int{1}},
		{name: "duplicates dropped once", in: "http://h/a\nhttp://h/b\nhttp://h/a\nHTTP://H/a\nhttp://h/a#frag\n",
			urls: []string{"http://h/a", "http://h/b"}, dupLines: []int{3, 4, 5}},
		{name: "line numbers count blank lines", in: "\n\nnot a url\n", badLines: []int{3}},
		{name: "too long line then good", in: "http://h/" + strings.Repeat("x", maxLineLength+10) + "\nhttp://h/ok",
			urls: []string{"http://h/ok"}, badLines: []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseList(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			sums := 0
			for _, e := range l.Entries {
				got = append(got, e.URL)
				if e.SHA256 != nil {
					sums++
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.urls, " ") {
				t.Errorf("urls = %q, want %q", got, tc.urls)
			}
			if sums != tc.sums {
				t.Errorf("checksums = %d, want %d", sums, tc.sums)
			}
			var bad, dup []int
			for _, p := range l.Problems {
				if !strings.HasPrefix(p.Error(), "line ") {
					t.Errorf("problem %q does not name its line", p.Error())
				}
				if errors.Is(p, ErrDuplicate) {
					dup = append(dup, p.Line)
				} else {
					bad = append(bad, p.Line)
				}
			}
			if !equalInts(bad, tc.badLines) || !equalInts(dup, tc.dupLines) {
				t.Errorf("bad lines %v dup lines %v, want %v and %v (%v)", bad, dup, tc.badLines, tc.dupLines, l.Problems)
			}
			if len(l.Bad()) != len(tc.badLines) {
				t.Errorf("Bad() = %d, want %d", len(l.Bad()), len(tc.badLines))
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseListLarge(t *testing.T) {
	var b strings.Builder
	for i := range 50000 {
		b.WriteString("https://mirror.example/files/")
		b.WriteString(strings.Repeat("a", i%7))
		b.WriteString("/f")
		b.WriteString(strings.Repeat("0", 1+i%3))
		b.WriteString("?i=")
		b.WriteString(string(rune('0' + i%10)))
		b.WriteString(itoa(i))
		b.WriteString("\n")
	}
	l, err := ParseList(strings.NewReader(b.String()))
	if err != nil || len(l.Entries) != 50000 || len(l.Problems) != 0 {
		t.Fatalf("entries %d problems %d err %v", len(l.Entries), len(l.Problems), err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

func FuzzParseList(f *testing.F) {
	f.Add("http://a/b\n# c\n\nhttps://x/y sha256:" + strings.Repeat("0", 64))
	f.Add("\ufeffhttp://h:1/%41\r\nftp://x\n")
	f.Add("http://[::1]:80/a b c")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ParseList(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(in, "\n") + 1
		seen := map[string]bool{}
		for _, e := range l.Entries {
			if !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
				t.Fatalf("accepted %q", e.URL)
			}
			if seen[e.URL] {
				t.Fatalf("duplicate %q returned", e.URL)
			}
			seen[e.URL] = true
			if again, err := ParseURL(e.URL); err != nil || again != e.URL {
				t.Fatalf("canonical URL %q does not parse to itself: %q %v", e.URL, again, err)
			}
			if e.SHA256 != nil && len(e.SHA256) != 32 {
				t.Fatalf("checksum of %d bytes", len(e.SHA256))
			}
		}
		for _, p := range l.Problems {
			if p.Line < 1 || p.Line > lines || p.Err == nil {
				t.Fatalf("problem with line %d of %d: %v", p.Line, lines, p.Err)
			}
		}
	})
}
