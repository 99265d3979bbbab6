package downloader

import (
	"strings"
	"testing"
	"time"
)

func TestParseNetrc(t *testing.T) {
	n, err := parseNetrc(strings.NewReader(`# logins
machine a.example login alice password "p1"
machine B.example
  login bob
  password p2 account x
macdef init
  cd /pub

machine a.example login later password ignored
default login anon password guest
`))
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]netrcLogin{"a.example": {"alice", "p1"}, "b.example": {"bob", "p2"}, "c.example": {"anon", "guest"}} {
		if got, ok := n.lookup(host); !ok || got != want {
			t.Errorf("lookup(%q) = %+v, %v; want %+v", host, got, ok, want)
		}
	}
	for _, bad := range []string{"machine", "login", "frobnicate x"} {
		if _, err := parseNetrc(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseCookieFile(t *testing.T) {
	now := time.Unix(2_000_000_000, 0)
	cs, err := parseCookieFile(strings.NewReader(strings.Join([]string{
		"# Netscape HTTP Cookie File",
		".example.com\tTRUE\t/\tFALSE\t2100000000\ta\t1",
		"#HttpOnly_host.example\tFALSE\t/p\tTRUE\t0\tb\t2",
		"old.example\tFALSE\t/\tFALSE\t1000\tc\t3",
		"",
	}, "\r\n")), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].domain != "example.com" || !cs[0].subdomains || cs[1].domain != "host.example" ||
		cs[1].subdomains || !cs[1].secure || cs[1].path != "/p" || !cs[1].expires.IsZero() {
		t.Fatalf("%+v", cs)
	}
	for _, bad := range []string{"a\tb", "h\tTRUE\t/\tFALSE\tsoon\tn\tv", "h\tTRUE\tnoslash\tFALSE\t0\tn\tv"} {
		if _, err := parseCookieFile(strings.NewReader(bad), now); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: %v, want an error naming line 1", bad, err)
		}
	}
}

func FuzzParseNetrc(f *testing.F) {
	f.Add("machine h login u password p\ndefault login a password b\n")
	f.Add("macdef x\n  y\n\nmachine h")
	f.Fuzz(func(t *testing.T, in string) {
		n, err := parseNetrc(strings.NewReader(in))
		if err == nil {
			n.lookup("h")
		}
	})
}

func FuzzParseCookieFile(f *testing.F) {
	f.Add(".example.com\tTRUE\t/\tFALSE\t0\ta\t1\n#HttpOnly_h\tFALSE\t/\tTRUE\t9\tb\t2\n")
	f.Fuzz(func(t *testing.T, in string) {
		cs, err := parseCookieFile(strings.NewReader(in), time.Unix(0, 0))
		for _, c := range cs {
			if err == nil && (c.domain == "" || c.name == "" || !strings.HasPrefix(c.path, "/")) {
				t.Fatalf("accepted %+v", c)
			}
		}
	})
}
