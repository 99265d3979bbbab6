package main

import (
	"strings"
	"testing"

	dt "potok/downloader/demoserver"
)

// TestOutputShowsNoSecretsOrControls: whatever a list holds, potok get
// prints no password and no raw control character: bad lines, failures and
// the summary alike.
func TestOutputShowsNoSecretsOrControls(t *testing.T) {
	const secret = "hunter2"
	s := dt.NewServer(dt.WithStatus(404))
	defer s.Close()
	failing := strings.Replace(s.FileURL("gone.bin", 10), "http://", "http://me:"+secret+"@", 1)
	list := strings.Join([]string{
		"http://me:" + secret + "@host/a.bin extra fields here",
		"ftp://me:" + secret + "@host/b.bin",
		"\x1b]0;pwned\x07http://host/\x1b[2J",
		failing,
	}, "\n")
	code, out, errOut := runCLI(t, list, "get", "-plain", "-retries", "0", "-o", t.TempDir(), "-i", "-",
		"http://me:"+secret+"@[bad", failing)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, s := range []string{out, errOut} {
		if strings.Contains(s, secret) || strings.ContainsRune(s, 0x1b) || strings.ContainsRune(s, 0x07) {
			t.Fatalf("output shows a secret or a control character:\n%q", s)
		}
	}
	if !strings.Contains(errOut, `\x1b]0;pwned`) || !strings.Contains(errOut, "me:xxxxx@") {
		t.Fatalf("the bad lines are not shown escaped and masked:\n%s", errOut)
	}
}

// TestSummaryCountsBytesOfFailedFiles: a file that failed after bytes
// arrived says so in the summary, and that they are kept for the next run.
func TestSummaryCountsBytesOfFailedFiles(t *testing.T) {
	s := dt.NewServer(dt.WithShortBody(300_000), dt.WithRanges(false))
	defer s.Close()
	code, _, errOut := runCLI(t, "", "get", "-q", "-retries", "0", "-o", t.TempDir(), s.FileURL("cut.bin", 1_000_000))
	if code != 1 || !strings.Contains(errOut, "300 kB fetched") || !strings.Contains(errOut, "300 kB of the failed files are kept") {
		t.Fatalf("exit %d, summary:\n%s", code, errOut)
	}
}
