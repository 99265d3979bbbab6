// Command debstage makes the files of Potok's .deb that are generated rather
// than kept in the repository, into one folder that packaging/nfpm.yaml reads:
//
//	hicolor/SIZExSIZE/apps/io.github.potok.png  the icon at each size, from assets/icon.png
//	potok.1.gz                                   the manual page, compressed as gzip -9n would
//	changelog.gz                                 a Debian changelog made from the metainfo's releases
//	copyright                                    Potok's notice and the license files of every
//	                                             Go module compiled into the binary
//
// It first checks that the metainfo's newest release is FyneApp.toml's
// Version, the one place the version is set, so the package, the AppStream
// data and the changelog cannot disagree.
//
//	go run ./packaging/debstage -bin bin/potok -out bin/deb -maintainer 'Name <mail>'
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	bin := flag.String("bin", "bin/potok", "the built binary whose Go modules the copyright file lists")
	out := flag.String("out", "bin/deb", "folder to write into (emptied first)")
	root := flag.String("root", ".", "the repository's root")
	maintainer := flag.String("maintainer", "", "the changelog's signer, like the package's Maintainer field")
	goCmd := flag.String("go", "go", "the go command, to find the module cache and GOROOT")
	flag.Parse()
	if err := stage(*root, *bin, *out, *maintainer, *goCmd); err != nil {
		fmt.Fprintln(os.Stderr, "debstage:", err)
		os.Exit(1)
	}
}

func stage(root, bin, out, maintainer, goCmd string) error {
	if maintainer == "" {
		return fmt.Errorf("-maintainer is empty")
	}
	version, err := appVersion(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		return err
	}
	rels, err := readReleases(filepath.Join(root, "packaging", "io.github.potok.metainfo.xml"))
	if err != nil {
		return err
	}
	if rels[0].Version != version {
		return fmt.Errorf("the metainfo's newest release is %s but FyneApp.toml's Version is %s: add a <release> for %s",
			rels[0].Version, version, version)
	}
	// Emptied first, so an icon size or file dropped from this program does
	// not linger in the next package.
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := writeIcons(filepath.Join(root, "assets", "icon.png"), filepath.Join(out, "hicolor")); err != nil {
		return err
	}
	man, err := os.ReadFile(filepath.Join(root, "packaging", "potok.1"))
	if err != nil {
		return err
	}
	if err := writeGzip(filepath.Join(out, "potok.1.gz"), man); err != nil {
		return err
	}
	changes, err := debianChangelog("potok", maintainer, rels)
	if err != nil {
		return err
	}
	if err := writeGzip(filepath.Join(out, "changelog.gz"), changes); err != nil {
		return err
	}
	notice, err := copyright(bin, goCmd)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "copyright"), notice, 0o644)
}
