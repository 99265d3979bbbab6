package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// debianChangelog renders the releases in the format of debian/changelog
// (deb-changelog(5)), the one lintian expects at
// /usr/share/doc/PACKAGE/changelog.gz of a native package. Each paragraph or
// list item of a release's description becomes one "*" entry.
func debianChangelog(pkg, maintainer string, rels []release) ([]byte, error) {
	var b bytes.Buffer
	for i, r := range rels {
		d, err := time.Parse(time.DateOnly, r.Date)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s (%s) unstable; urgency=medium\n\n", pkg, r.Version)
		entries := append(append([]string{}, r.Paras...), r.Items...)
		if len(entries) == 0 {
			entries = []string{"Release " + r.Version + "."}
		}
		for _, e := range entries {
			b.WriteString(wrap(strings.Join(strings.Fields(e), " "), "  * ", "    ", 79))
		}
		fmt.Fprintf(&b, "\n -- %s  %s\n", maintainer, d.UTC().Format(time.RFC1123Z))
	}
	return b.Bytes(), nil
}

// wrap breaks text into lines of at most width columns, the first prefixed
// by first and the rest by rest.
func wrap(text, first, rest string, width int) string {
	var b strings.Builder
	line := first
	fresh := true
	for _, w := range strings.Fields(text) {
		if !fresh && len([]rune(line))+1+len([]rune(w)) > width {
			b.WriteString(line + "\n")
			line, fresh = rest, true
		}
		if !fresh {
			line += " "
		}
		line += w
		fresh = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// writeGzip compresses data as gzip -9n does (best compression, no name, no
// time stamp), which is what Debian Policy asks of manual pages and
// changelogs, and keeps the package the same from one build to the next.
func writeGzip(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
