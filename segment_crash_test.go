package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	dt "potok/downloader/demoserver"
)

// segmentsLeft reads a segments file (see downloader/segment_sidecar.go) and
// returns the file's size and how many bytes it says are still to come.
func segmentsLeft(t *testing.T, path string) (size, left int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n")) // header, body, checksum
	var sc struct {
		Size     int64      `json:"size"`
		Segments [][3]int64 `json:"segments"`
	}
	if len(lines) < 3 || json.Unmarshal(lines[1], &sc) != nil {
		t.Fatalf("%s is not a segments file: %q", path, data)
	}
	for _, s := range sc.Segments {
		left += s[2] - s[1]
	}
	return sc.Size, left
}

// TestKillNineSegmentedThenResume kills `potok get -x 8` with SIGKILL while one
// large file comes in eight segments, and runs the same command again: the
// file must come out byte-exact, and the second run must fetch exactly what
// the segments file said was missing.
func TestKillNineSegmentedThenResume(t *testing.T) {
	const size = 48 << 20
	const name = "big.bin"
	bin := potokBinary(t)
	s := dt.NewServer(dt.WithRate(1 << 20)) // per connection: about 6 s at 8 connections
	addr := strings.TrimPrefix(s.URL, "http://")
	dir := t.TempDir()
	cfg := t.TempDir()
	url := s.FileURL(name, size)
	cmd := func() *exec.Cmd { return getCommand(bin, cfg, "-q", "-x", "8", "-o", dir, url) }
	// Kill half way, when the segments file has been saved a few times.
	killWhen(t, cmd(), "half of the file sent", func() bool { return s.BytesSent() >= size/2 })
	sentFirst := s.BytesSent()
	part := filepath.Join(dir, name+".part")
	fi, err := os.Stat(part)
	if err != nil || fi.Size() != size {
		t.Fatalf("after the kill the .part is %v, %v; want it preallocated to %d bytes", fi, err, size)
	}
	total, missing := segmentsLeft(t, part+".segments")
	if total != size || missing <= 0 || missing >= size || size-missing > sentFirst {
		t.Fatalf("segments file: %d of %d bytes missing, %d were sent before the kill", missing, total, sentFirst)
	}
	ranged := 0
	for _, r := range s.Requests() {
		if r.Range != "" {
			ranged++
		}
	}
	if ranged < 8 {
		t.Fatalf("%d ranged requests before the kill: the file was not fetched in segments", ranged)
	}

	// The same command again, against the same URL at full speed.
	s.Close()
	s2, err := dt.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	second := cmd()
	if err := second.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, second.Stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, dt.Content(name, size)) {
		t.Fatal("the resumed file is not the served content")
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 1 {
		t.Fatalf("folder holds %d entries (%v), want only the file (no .part, no segments file)", len(ents), err)
	}
	fetched := s2.BytesSent()
	t.Logf("killed with %d of %d bytes sent; the segments file said %d missing; the second run fetched %d",
		sentFirst, size, missing, fetched)
	if fetched < missing || fetched > missing+64<<10 {
		t.Fatalf("second run fetched %d bytes, the segments file said %d were missing", fetched, missing)
	}
	for _, r := range s2.Requests() {
		if r.Method == http.MethodGet && r.Range == "" {
			t.Fatalf("the second run asked for the whole file (%s): it did not resume from the segments file", r.Path)
		}
	}
}

// -x sets connections per file, and raises -j to match unless -j is given.
func TestGetConnectionsFlag(t *testing.T) {
	const size = 20 << 20
	for _, tc := range []struct {
		args      []string
		least     int // ranged requests at least
		peakLimit int // requests at once at most
		peakLeast int
	}{
		{args: []string{"-x", "12"}, least: 12, peakLimit: 12 + 1, peakLeast: 9},
		{args: []string{"-x", "12", "-j", "3"}, least: 12, peakLimit: 3 + 1, peakLeast: 3},
		{args: []string{"-x", "1"}, least: 0, peakLimit: 1 + 1, peakLeast: 1},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			s := dt.NewServer(dt.WithRate(8 << 20))
			defer s.Close()
			args := append([]string{"get", "-q", "-no-queue", "-o", t.TempDir()}, tc.args...)
			code, _, errOut := runCLI(t, "", append(args, s.FileURL("x.bin", size))...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			ranged := 0
			for _, r := range s.Requests() {
				if r.Range != "" {
					ranged++
				}
			}
			// The server counts a dropped first answer (segments, or a
			// larger buffer at one connection) a moment longer, and a
			// connection whose range was stolen: one over the limit at most.
			if p := s.PeakInflight(); ranged < tc.least || (tc.least == 0 && ranged != 0) || p > tc.peakLimit || p < tc.peakLeast {
				t.Fatalf("%d ranged requests, %d at once; want at least %d ranged, %d to %d at once",
					ranged, p, tc.least, tc.peakLeast, tc.peakLimit)
			}
		})
	}
	if code, _, errOut := runCLI(t, "", "get", "-x", "33", "http://127.0.0.1:1/a"); code != 2 || !strings.Contains(errOut, "-x from 1 to 32") {
		t.Fatalf("-x 33: exit %d, %s", code, errOut)
	}
}

func TestBenchSegments(t *testing.T) {
	code, out, errOut := runCLI(t, "", "bench", "segments", "-size", "8MiB", "-rate", "4MiB", "-connections", "1,4", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct {
		Connections int     `json:"connections"`
		Seconds     float64 `json:"seconds"`
		Speedup     float64 `json:"speedup"`
		OK          bool    `json:"sha256_ok"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("%v: %s", err, out)
	}
	if !rows[0].OK || !rows[1].OK || rows[1].Speedup < 2.5 {
		t.Fatalf("rows %+v: want verified files and 4 connections at least 2.5 times faster", rows)
	}
	code, out, _ = runCLI(t, "", "bench", "segments", "-size", "1MiB", "-rate", "8MiB", "-connections", "2")
	if code != 0 || !strings.Contains(out, "connections") || !strings.Contains(out, "ok") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "", "bench", "segments", "-connections", "64"); code != 2 {
		t.Fatalf("-connections 64 exited %d, want 2", code)
	}
}
