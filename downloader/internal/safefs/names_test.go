package safefs

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("é", 10000) + ".tar.gz"
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"b.bin.part", "b.bin_part"},
		{"B.BIN.PART", "B.BIN_PART"},
		{"x.part.segments", "x_part.segments"},
		{".part", "part"},
		{"COM¹.txt", "_COM¹.txt"},
		{"lpt³", "_lpt³"},
		{"COM10.txt", "COM10.txt"},
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\system32\cmd.exe`, "cmd.exe"},
		{"/abs/path/file.txt", "file.txt"},
		{"..", "download"},
		{".", "download"},
		{"", "download"},
		{"   ", "download"},
		{".bashrc", "bashrc"},
		{"a\x00b\x01c\x7fd\u0085e.txt", "abcde.txt"},
		{"new\nline.txt", "newline.txt"},
		{`a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"con", "_con"},
		{"CON.txt", "_CON.txt"},
		{"com1.log", "_com1.log"},
		{"lpt9", "_lpt9"},
		{"console.txt", "console.txt"},
		{"trailing dots...", "trailing dots"},
		{"evil\u202etxt.exe", "evil_txt.exe"},
		{"bad\xffutf8.bin", "bad_utf8.bin"},
		{"tab\there.txt", "tabhere.txt"},
		{"nbsp\u00a0here.txt", "nbsp here.txt"},
		{"файл.txt", "файл.txt"},
	}
	for _, tc := range tests {
		if got := SafeName(tc.in); got != tc.want {
			t.Errorf("SafeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := SafeName(long)
	if len(got) > MaxNameBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, ".tar.gz") {
		t.Errorf("long name: %d bytes, valid %v, %q…", len(got), utf8.ValidString(got), got[len(got)-10:])
	}
}

func TestNameFromURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h/f/file1.bin?size=8", "file1.bin"},
		{"http://h/", "index.html"},
		{"http://h", "index.html"},
		{"http://h/dir/", "dir"},
		{"http://h/a%20b%2Fc.txt", "c.txt"},
		{"http://h/%2e%2e", "download"},
		{"http://h/x/..%2f..%2fetc%2fpasswd", "passwd"},
		{"http://h/%E2%82%AC.txt", "€.txt"},
	}
	for _, tc := range tests {
		if got := NameFromURL(tc.in); got != tc.want {
			t.Errorf("NameFromURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNameFromContentDisposition(t *testing.T) {
	tests := []struct{ in, want string }{
		{`attachment; filename="report.pdf"`, "report.pdf"},
		{`attachment; filename="../../etc/passwd"`, "passwd"},
		{`attachment; filename="/etc/shadow"`, "shadow"},
		{`attachment; filename*=UTF-8''%E2%82%AC%20rates.txt`, "€ rates.txt"},
		{`attachment; filename="fallback.txt"; filename*=UTF-8''real.txt`, "real.txt"},
		{`attachment; filename="a%2Fb.txt"`, "b.txt"},
		{`inline`, ""},
		{``, ""},
		{`attachment; filename=`, ""},
		{`garbage;;;==`, ""},
		{`attachment; filename="nul.txt"`, "_nul.txt"},
	}
	for _, tc := range tests {
		if got := NameFromContentDisposition(tc.in); got != tc.want {
			t.Errorf("NameFromContentDisposition(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNumbered(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a.txt", 0, "a.txt"},
		{"a.txt", 1, "a (1).txt"},
		{"a.tar.gz", 2, "a (2).tar.gz"},
		{"README", 3, "README (3)"},
	}
	for _, tc := range tests {
		if got := Numbered(tc.in, tc.n); got != tc.want {
			t.Errorf("Numbered(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	if got := Numbered(strings.Repeat("x", MaxNameBytes), 12); len(got) > MaxNameBytes {
		t.Errorf("Numbered long name has %d bytes", len(got))
	}
}

// checkSafe is what every name the engine creates must satisfy.
func checkSafe(t *testing.T, in, got string) {
	t.Helper()
	if got == "" || got == "." || got == ".." || strings.ContainsAny(got, "/\\\x00") ||
		len(got) > MaxNameBytes || !utf8.ValidString(got) || strings.HasPrefix(got, ".") {
		t.Fatalf("unsafe name %q from %q", got, in)
	}
	for _, r := range got {
		if r < 0x20 || r == 0x7f {
			t.Fatalf("control character in %q from %q", got, in)
		}
	}
	if SafeName(got) != got {
		t.Fatalf("SafeName not idempotent: %q -> %q -> %q", in, got, SafeName(got))
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.txt", "../..", "con.txt", "\x00", "é.tar.gz", strings.Repeat("a", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, in, SafeName(in))
		checkSafe(t, in, Numbered(SafeName(in), 7))
	})
}

func FuzzContentDisposition(f *testing.F) {
	f.Add(`attachment; filename="../../x"`)
	f.Add(`attachment; filename*=UTF-8''%2e%2e%2f`)
	f.Fuzz(func(t *testing.T, in string) {
		if got := NameFromContentDisposition(in); got != "" {
			checkSafe(t, in, got)
		}
	})
}
