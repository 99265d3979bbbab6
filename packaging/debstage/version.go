package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"os"
	"strings"
	"time"
)

// appVersion reads [Details] Version from FyneApp.toml. The file is flat
// (sections of key = "string" lines), so a line scan does, without a TOML
// library in the module's direct dependencies for one value.
func appVersion(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || section != "Details" || strings.TrimSpace(key) != "Version" {
			continue
		}
		v := strings.Trim(strings.TrimSpace(value), `"`)
		if v == "" || strings.ContainsAny(v, " _") || v[0] < '0' || v[0] > '9' {
			return "", fmt.Errorf("%s:%d: Version %q is not a Debian version (digits first, no spaces or _)", path, n, v)
		}
		return v, nil
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s: no Version in [Details]", path)
}

// release is one AppStream <release>: what the changelog is made from.
type release struct {
	Version string   `xml:"version,attr"`
	Date    string   `xml:"date,attr"`
	Paras   []string `xml:"description>p"`
	Items   []string `xml:"description>ul>li"`
}

// readReleases returns the metainfo's releases, newest first as AppStream
// lists them, and checks that they are in that order with valid dates.
func readReleases(path string) ([]release, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Releases []release `xml:"releases>release"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Releases) == 0 {
		return nil, fmt.Errorf("%s: no <release>", path)
	}
	var later time.Time
	for i, r := range doc.Releases {
		d, err := time.Parse(time.DateOnly, r.Date)
		if err != nil {
			return nil, fmt.Errorf("%s: release %s: date %q is not YYYY-MM-DD", path, r.Version, r.Date)
		}
		if i > 0 && d.After(later) {
			return nil, fmt.Errorf("%s: release %s (%s) is listed after a release from before it: newest first", path, r.Version, r.Date)
		}
		later = d
	}
	return doc.Releases, nil
}
