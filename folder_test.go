package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dt "potok/downloader/demoserver"
)

// One folder, one queue, one Potok.

// TestSymlinkedFolderIsOneFolder kills `potok get` with SIGKILL while it
// writes through a symlink to the folder, then runs it on the folder's own
// name: the same queue must continue the same .part, not start a fresh
// "name (1).bin" beside it.
func TestSymlinkedFolderIsOneFolder(t *testing.T) {
	const size = 256 << 10
	bin := potokBinary(t)
	s := dt.NewServer(dt.WithRate(256 << 10))
	defer s.Close()
	base, cfg := t.TempDir(), t.TempDir()
	out, link := filepath.Join(base, "out"), filepath.Join(base, "outlink")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(out, link); err != nil {
		t.Fatal(err)
	}
	u := s.FileURL("s.bin", size)
	killWhen(t, getCommand(bin, cfg, "-q", "-o", link, u), "bytes in the .part", func() bool {
		fi, err := os.Stat(filepath.Join(out, "s.bin.part"))
		return err == nil && fi.Size() > 0
	})
	second := getCommand(bin, cfg, "-q", "-o", out, u)
	if err := second.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, second.Stderr)
	}
	ents, err := os.ReadDir(out)
	if err != nil || len(ents) != 1 || ents[0].Name() != "s.bin" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("folder holds %q (%v), want only s.bin", names, err)
	}
	got, err := os.ReadFile(filepath.Join(out, "s.bin"))
	if err != nil || !bytes.Equal(got, dt.Content("s.bin", size)) {
		t.Fatalf("s.bin is not the served content (%v)", err)
	}
}

// TestBusyFolderIsRefused: a second `potok get` on a folder another one is
// using fails at once with exit 1, naming the process that holds it, and
// touches nothing; with -wait it waits for the first to finish, then counts
// its file as done.
func TestBusyFolderIsRefused(t *testing.T) {
	const size = 512 << 10
	bin := potokBinary(t)
	s := dt.NewServer(dt.WithRate(256 << 10))
	defer s.Close()
	dir, cfg := t.TempDir(), t.TempDir()
	u := s.FileURL("busy.bin", size)
	first := getCommand(bin, cfg, "-q", "-o", dir, u)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Wait()
	waitUntil(t, "the first run's .part", func() bool {
		fi, err := os.Stat(filepath.Join(dir, "busy.bin.part"))
		return err == nil && fi.Size() > 0
	})

	refused := getCommand(bin, cfg, "-q", "-o", dir, u)
	err := refused.Run()
	stderr := refused.Stderr.(*bytes.Buffer).String()
	if code := refused.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr, fmt.Sprint(first.Process.Pid)) {
		t.Fatalf("second run: exit %d (%v), stderr %q; want exit 1 naming process %d", code, err, stderr, first.Process.Pid)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "busy (*")); len(matches) > 0 {
		t.Fatalf("the refused run left %q", matches)
	}

	waiter := getCommand(bin, cfg, "-o", dir, "-wait", u)
	if err := waiter.Run(); err != nil {
		t.Fatalf("-wait: %v\n%s", err, waiter.Stderr)
	}
	if out := waiter.Stderr.(*bytes.Buffer).String(); !strings.Contains(out, "waiting") || !strings.Contains(out, "1 done") {
		t.Fatalf("-wait said %q", out)
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 1 {
		t.Fatalf("folder holds %d entries (%v), want busy.bin alone", len(ents), err)
	}
}
