package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const root = "../.."

// The package's metadata lives in four files; the names and the version must
// agree across them, or the menu shows no icon, the software centre finds no
// launcher, or the package and its AppStream release disagree.
func TestRepoMetadataAgrees(t *testing.T) {
	version, err := appVersion(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	rels, err := readReleases(filepath.Join(root, "packaging", "io.github.potok.metainfo.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if rels[0].Version != version {
		t.Errorf("newest metainfo release %s, FyneApp.toml Version %s", rels[0].Version, version)
	}
	toml := read(t, filepath.Join(root, "FyneApp.toml"))
	id := regexp.MustCompile(`(?m)^ID = "([^"]+)"`).FindStringSubmatch(toml)
	if id == nil {
		t.Fatal("FyneApp.toml has no ID")
	}
	desktop := read(t, filepath.Join(root, "packaging", id[1]+".desktop"))
	for _, want := range []string{"Icon=" + id[1] + "\n", "Exec=potok %F\n", "Categories=Network;FileTransfer;\n", "Terminal=false\n"} {
		if !strings.Contains(desktop, want) {
			t.Errorf("%s.desktop lacks %q", id[1], want)
		}
	}
	meta := read(t, filepath.Join(root, "packaging", id[1]+".metainfo.xml"))
	for _, want := range []string{"<id>" + id[1] + "</id>", `<launchable type="desktop-id">` + id[1] + ".desktop</launchable>", "<binary>potok</binary>"} {
		if !strings.Contains(meta, want) {
			t.Errorf("%s.metainfo.xml lacks %s", id[1], want)
		}
	}
	nfpm := read(t, filepath.Join(root, "packaging", "nfpm.yaml"))
	for _, want := range []string{"/usr/share/applications/" + id[1] + ".desktop", "/usr/share/metainfo/" + id[1] + ".metainfo.xml"} {
		if !strings.Contains(nfpm, want) {
			t.Errorf("nfpm.yaml does not install %s", want)
		}
	}
}

func TestAppVersion(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		toml, want string
	}{
		{"[Details]\nName = \"P\"\nVersion = \"1.2.3\"\n", "1.2.3"},
		{"[Other]\nVersion = \"9\"\n[Details]\nVersion = \"0.4\"\n", "0.4"},
		{"[Details]\nVersion = \"v1.0\"\n", ""},
		{"[Details]\nVersion = \"1 0\"\n", ""},
		{"[Details]\nName = \"P\"\n", ""},
	} {
		path := filepath.Join(dir, "FyneApp.toml")
		if err := os.WriteFile(path, []byte(c.toml), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := appVersion(path)
		if c.want == "" {
			if err == nil {
				t.Errorf("%q: got %q, want an error", c.toml, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.toml, got, err, c.want)
		}
	}
}

func TestReadReleasesNewestFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.xml")
	write := func(releases string) {
		t.Helper()
		if err := os.WriteFile(path, []byte("<component><releases>"+releases+"</releases></component>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`<release version="0.2" date="2027-01-02"/><release version="0.1" date="2026-12-01"/>`)
	if rels, err := readReleases(path); err != nil || len(rels) != 2 || rels[0].Version != "0.2" {
		t.Errorf("got %v, %v", rels, err)
	}
	write(`<release version="0.1" date="2026-12-01"/><release version="0.2" date="2027-01-02"/>`)
	if _, err := readReleases(path); err == nil {
		t.Error("oldest first: no error")
	}
	write(`<release version="0.1" date="1 Dec 2026"/>`)
	if _, err := readReleases(path); err == nil {
		t.Error("bad date: no error")
	}
	write(``)
	if _, err := readReleases(path); err == nil {
		t.Error("no release: no error")
	}
}

func TestDebianChangelog(t *testing.T) {
	rels := []release{
		{Version: "0.2.0", Date: "2027-01-02", Items: []string{"Faster.", strings.Repeat("word ", 30)}},
		{Version: "0.1.0", Date: "2026-12-01", Paras: []string{"  First\n   release. "}},
	}
	got, err := debianChangelog("potok", "A B <a@b.example>", rels)
	if err != nil {
		t.Fatal(err)
	}
	want := "potok (0.2.0) unstable; urgency=medium\n\n" +
		"  * Faster.\n" +
		"  * " + strings.TrimSpace(strings.Repeat("word ", 15)) + "\n" +
		"    " + strings.TrimSpace(strings.Repeat("word ", 15)) + "\n" +
		"\n -- A B <a@b.example>  Sat, 02 Jan 2027 00:00:00 +0000\n" +
		"\npotok (0.1.0) unstable; urgency=medium\n\n" +
		"  * First release.\n" +
		"\n -- A B <a@b.example>  Tue, 01 Dec 2026 00:00:00 +0000\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(string(got), "\n") {
		if len(line) > 80 {
			t.Errorf("line longer than 80 columns: %q", line)
		}
	}
}

func TestWriteIcons(t *testing.T) {
	dir := t.TempDir()
	if err := writeIcons(filepath.Join(root, "assets", "icon.png"), dir); err != nil {
		t.Fatal(err)
	}
	for _, n := range iconSizes {
		path := filepath.Join(dir, fmt.Sprintf("%dx%d", n, n), "apps", "io.github.potok.png")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != n || cfg.Height != n {
			t.Errorf("%s: %dx%d, %v; want %dx%d", path, cfg.Width, cfg.Height, err, n, n)
		}
	}
}

// writeGzip's output must read back, and carry no name and no time stamp
// (gzip -9n), or lintian complains and two builds differ.
func TestWriteGzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.gz")
	if err := writeGzip(path, []byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || string(body) != "hello\n" {
		t.Errorf("read back %q, %v", body, err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("header has name %q, time %v", zr.Name, zr.ModTime)
	}
}

// The copyright file of this test binary: Potok's notice, Go's license and
// the license of each module linked in (x/image, through icons.go).
func TestCopyrightListsModules(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text, err := copyright(exe, goCmd)
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	for _, want := range []string{
		"License: none stated.",
		"The Go standard library, go",
		"golang.org/x/image v",
		"Redistribution and use in source and binary forms",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("copyright lacks %q", want)
		}
	}
}

func TestLicenseFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"LICENSE", "README.md", "font/LICENSE_Inter.txt", "licenses/ftl.txt", "testdata/LICENSE", ".git/COPYING", "notice.go", "NOTICE.md", "LICENSE-link.txt", "COPYING"} {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := licenseFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"COPYING", "LICENSE", "LICENSE-link.txt", "NOTICE.md", "font/LICENSE_Inter.txt", "licenses/ftl.txt"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
