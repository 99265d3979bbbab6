package downloader

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestShownText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"http://user:secret@host/x", "http://user:xxxxx@host/x"},
		{"get https://a:b@h:8080/p?q=1 failed", "get https://a:xxxxx@h:8080/p?q=1 failed"},
		{"two: http://u:p1@a/ and ftp://v:p2@b/", "two: http://u:xxxxx@a/ and ftp://v:xxxxx@b/"},
		{"user:secret@host/file", "user:xxxxx@host/file"},
		{"http://user@host/", "http://user@host/"},
		{"http://host/a:b@c", "http://host/a:b@c"}, // a path, not credentials
		{`"http://u:p@h/"`, `"http://u:xxxxx@h/"`},
		{"http://u:p@h/\x1b]0;owned\x07", `http://u:xxxxx@h/\x1b]0;owned\x07`},
		{"tab\tnew\nline\r", `tab\tnew\nline\r`},
		{"del\x7f c1\u009b", `del\x7f c1\u009b`},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"юникод остаётся", "юникод остаётся"},
	}
	for _, tc := range tests {
		if got := shownText(tc.in); got != tc.want {
			t.Errorf("shownText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := RedactURL("http://me:pw@example.com/f"); got != "http://me:xxxxx@example.com/f" {
		t.Errorf("RedactURL = %q", got)
	}
}

// TestListProblemsAreShowable: a bad line is reported with its password
// masked and its control characters escaped.
func TestListProblemsAreShowable(t *testing.T) {
	l, err := ParseList(strings.NewReader("http://user:hunter2@host/a b c\nftp://x:hunter2@h/\n\x1b[2Jhttp://h/\x1b[31m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 3 {
		t.Fatalf("%d problems, want 3", len(l.Problems))
	}
	for _, p := range l.Problems {
		for _, s := range []string{p.Text, p.Err.Error(), p.Error()} {
			if strings.Contains(s, "hunter2") || strings.ContainsRune(s, 0x1b) {
				t.Errorf("line %d shows %q", p.Line, s)
			}
		}
	}
}

func TestMaskingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(maskingHandler{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})})
	log.With("base", "http://a:w1@h/").Debug("get http://u:w2@h/ failed",
		"url", "http://u:w3@h/", "err", errors.New("dial http://u:w4@h/"),
		slog.Group("g", "u", "http://u:w5@h/"), "n", 3)
	out := buf.String()
	for _, secret := range []string{"w1", "w2", "w3", "w4", "w5"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line shows %s: %s", secret, out)
		}
	}
	if !strings.Contains(out, "n=3") {
		t.Errorf("other values lost: %s", out)
	}
}
