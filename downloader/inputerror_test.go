package downloader

import (
	"errors"
	"strings"
	"testing"
)

// TestInputErrorsHaveKinds: every problem a list line can have comes with a
// stable kind and what it names, for a window that words it itself; the
// English words stay the engine's.
func TestInputErrorsHaveKinds(t *testing.T) {
	tests := []struct {
		list string
		kind InputKind
		args [2]string
		text string
	}{
		{"http://a/x sha256:00 extra", InputTooManyFields, [2]string{"3"}, "found 3 fields"},
		{"ftp://a/x", InputScheme, [2]string{"ftp"}, `scheme "ftp" is not supported`},
		{"a/x", InputNoScheme, [2]string{"a/x"}, "has no scheme"},
		{"http:///x", InputNoHost, [2]string{}, "URL has no host"},
		{"http://a:99999/x", InputPort, [2]string{"99999"}, "is not a number from 1 to 65535"},
		{"http://a/%zz", InputBadURL, [2]string{`invalid URL escape "%zz"`}, "not a valid URL"},
		{"http://a/x md5:00", InputChecksumForm, [2]string{"md5:00", "sha256:<64 hex digits>"}, "write it as sha256:"},
		{"http://a/x sha256:00", InputChecksumLength, [2]string{"sha256:00"}, "64 hex digits"},
		{"  out=x", InputOptionWithoutURL, [2]string{}, "no URL before it"},
		{"http://a/x\nhttp://a/x", InputDuplicate, [2]string{"1", "duplicate URL"}, "first on line 1"},
		{"http://a/x\n  out=../y", InputDropsURL, [2]string{"1", `out="../y": a file name only, with no folder in it and no character a file system refuses`}, "the URL of line 1 is not used"},
		{"http://a/x\n  colour=red", InputDropsURL, [2]string{"1", `unknown option "colour": Potok takes out, dir, header, referer, user-agent, checksum`}, "unknown option"},
		{strings.Repeat("x", maxLineLength+1), InputLineTooLong, [2]string{"65536"}, "longer than 65536 bytes"},
	}
	for _, tc := range tests {
		l, err := ParseList(strings.NewReader(tc.list))
		if err != nil || len(l.Problems) != 1 {
			t.Fatalf("%q: %v, %d problems", tc.list, err, len(l.Problems))
		}
		var ie *InputError
		if !errors.As(l.Problems[0].Err, &ie) || ie.Kind != tc.kind || ie.Args != tc.args || !strings.Contains(ie.Error(), tc.text) {
			t.Errorf("%q: %#v (%v); want kind %s, args %q, words with %q", tc.list, ie, l.Problems[0].Err, tc.kind, tc.args, tc.text)
		}
	}
	// An option's own problem is under the one that drops the URL, for the
	// window to word both.
	l, _ := ParseList(strings.NewReader("http://a/x\n  checksum=md5=00"))
	var drop, inner *InputError
	if errors.As(l.Problems[0].Err, &drop) && errors.As(drop.Err, &inner) {
		if inner.Kind != InputChecksumAlgo || inner.Args[0] != "md5=00" {
			t.Errorf("inner %#v", inner)
		}
	} else {
		t.Errorf("%v is not an input error over another", l.Problems[0].Err)
	}
	if !errors.Is(mustProblem(t, "http://a/x\nhttp://a/x"), ErrDuplicate) {
		t.Error("a duplicate is no longer ErrDuplicate")
	}
	for _, tc := range []struct {
		in   string
		kind InputKind
	}{{"Name value", InputHeaderNoName}, {"Bad Name: v", InputHeaderName}, {"X: a\x01b", InputHeaderControl}} {
		_, _, err := ParseHeader(tc.in)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Kind != tc.kind || strings.Contains(ie.Error(), "a\x01b") {
			t.Errorf("ParseHeader(%q): %v", tc.in, err)
		}
	}
}

func mustProblem(t *testing.T, list string) error {
	t.Helper()
	l, err := ParseList(strings.NewReader(list))
	if err != nil || len(l.Problems) == 0 {
		t.Fatalf("%q: %v, no problem", list, err)
	}
	return l.Problems[0].Err
}
