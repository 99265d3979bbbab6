package downloader_test

import (
	"os"
	"path/filepath"
	"testing"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TestNameAfterRedirects: /redirect → 302 → /f/real-name.iso, with no
// Content-Disposition, is saved as real-name.iso, the name of where the
// redirects led, as browsers do; in segments too.
// Content-Disposition still wins, and every name rule holds: a file of
// that name already there is not replaced.
func TestNameAfterRedirects(t *testing.T) {
	const small, big = 1000, 2 << 20
	tests := []struct {
		name     string
		opts     []dt.Option
		file     string // what the redirect leads to
		size     int64
		existing string // a file already in the folder
		want     string
	}{
		{name: "one connection", file: "real-name.iso", size: small, want: "real-name.iso"},
		{name: "segments", file: "big-real.iso", size: big, want: "big-real.iso"},
		{name: "content-disposition wins", opts: []dt.Option{dt.WithContentDisposition(`attachment; filename="cd.bin"`)},
			file: "real-name.iso", size: small, want: "cd.bin"},
		{name: "never replaces", file: "real-name.iso", size: small, existing: "real-name.iso", want: "real-name (1).iso"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.opts...)
			dir := t.TempDir()
			if tc.existing != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.existing), []byte("mine"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			e := newEngine(t, downloader.Options{Dir: dir, Connections: 4, SegmentThreshold: 1 << 20})
			ids := add(t, e, s.URL+"/redirect?to="+urlq(s.FileURL(tc.file, tc.size)))
			wait(t, e)
			f := status(t, e, ids[0])
			if f.State != downloader.StateDone || f.Name != tc.want {
				t.Fatalf("%s as %q (%q), want done as %q", f.State, f.Name, f.Err, tc.want)
			}
			if tc.existing != "" {
				if b, _ := os.ReadFile(filepath.Join(dir, tc.existing)); string(b) != "mine" {
					t.Fatal("the file already there was replaced")
				}
			}
			fname := tc.file
			if tc.name == "content-disposition wins" {
				fname = "real-name.iso"
			}
			checkFile(t, f.Path, fname, tc.size)
		})
	}
}

// TestNameAfterRedirectsSurvivesRestart: the name the redirects gave is kept
// in the queue file, so a file continued after a restart gets it too.
func TestNameAfterRedirectsSurvivesRestart(t *testing.T) {
	const size = 400_000
	s := newServer(t, dt.WithRate(400_000))
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	e1 := queueEngine(t, dir, queue)
	u := s.URL + "/redirect?to=" + urlq(s.FileURL("after.iso", size))
	add(t, e1, u)
	waitFor(t, "part-way", func() bool { return e1.Snapshot().Files[0].Done > 0 })
	e1.Close()
	e2 := queueEngine(t, dir, queue)
	e2.Restore()
	e2.ResumeAll()
	snap := wait(t, e2)
	if f := snap.Files[0]; f.State != downloader.StateDone || f.Name != "after.iso" {
		t.Fatalf("%s as %q (%q), want done as after.iso", f.State, f.Name, f.Err)
	}
	checkFile(t, snap.Files[0].Path, "after.iso", size)
}
