package main

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// potokNotice opens the copyright file. Potok's source carries no license
// statement, and this file does not invent one.
const potokNotice = `Potok
=====

Copyright: the Potok authors.

License: none stated. The Potok source tree has no LICENSE file and states no
license terms for its own code.

/usr/bin/potok is a Go program linked statically with the Go standard library
and the Go modules listed below; their license files follow in full, as those
licenses ask of a binary distribution. It also calls the system's OpenGL and
X11 libraries, whose own packages carry their copyright files.
`

// licenseFile matches the names modules give their license and notice
// files: LICENSE, LICENSE.md, LICENSE-SIL, LICENSE_Inter.txt, COPYING,
// UNLICENSE, NOTICE, ... but not source files such as notice.go.
var licenseFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|unlicen[cs]e|notice)([-_][\w-]*)?(\.(txt|md|markdown|rst))?$`)

// module is what `go list -m -json` says of one module.
type module struct {
	Path    string
	Version string
	Dir     string
}

// copyright returns the text of /usr/share/doc/potok/copyright for bin: the
// notice above, then Go's license, then each module the binary was built
// from (its build information names them) with every license file in it.
// A module without one is an error: shipping it would be shipping code
// under terms nobody checked.
func copyright(bin, goCmd string) ([]byte, error) {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	var args []string
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		args = append(args, d.Path+"@"+d.Version)
	}
	mods, err := listModules(goCmd, args)
	if err != nil {
		return nil, err
	}
	goroot, err := goEnv(goCmd, "GOROOT")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(potokNotice)
	goLicense, err := os.ReadFile(filepath.Join(goroot, "LICENSE"))
	if err != nil {
		return nil, fmt.Errorf("the Go standard library's license: %w", err)
	}
	section(&b, "The Go standard library, "+info.GoVersion+": LICENSE", goLicense)
	for _, m := range mods {
		files, err := licenseFiles(m.Dir)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s@%s (%s) has no license file", m.Path, m.Version, m.Dir)
		}
		seen := map[string]bool{}
		for _, f := range files {
			text, err := os.ReadFile(filepath.Join(m.Dir, f))
			if err != nil {
				return nil, err
			}
			// The same text twice in one module (tomlv's COPYING beside the
			// module's) is said once.
			if key := string(bytes.TrimSpace(text)); !seen[key] {
				seen[key] = true
				section(&b, m.Path+" "+m.Version+": "+f, text)
			}
		}
	}
	return b.Bytes(), nil
}

// section appends one license file under a rule and a title line.
func section(b *bytes.Buffer, title string, text []byte) {
	fmt.Fprintf(b, "\n%s\n%s\n\n", strings.Repeat("-", 79), title)
	b.Write(bytes.TrimRight(text, "\n\t "))
	b.WriteString("\n")
}

// licenseFiles lists the license and notice files anywhere in a module's
// folder (fyne keeps its fonts' licenses in theme/font, go-text the
// HarfBuzz one in harfbuzz/), except test data, sorted, relative to dir.
func licenseFiles(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || (path != dir && strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		// FreeType-Go points its LICENSE at licenses/ftl.txt and gpl.txt.
		inLicenses := filepath.Base(filepath.Dir(path)) == "licenses"
		if licenseFile.MatchString(d.Name()) || (inLicenses && d.Type().IsRegular()) {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			found = append(found, rel)
		}
		return nil
	})
	// Top-level files first (the module's own license), then the rest.
	slices.SortFunc(found, func(a, b string) int {
		da, db := strings.Count(a, string(filepath.Separator)), strings.Count(b, string(filepath.Separator))
		if da != db {
			return da - db
		}
		return strings.Compare(a, b)
	})
	return found, err
}

// listModules asks the go command where each module is in the module cache.
// It reads only the cache: GOPROXY=off keeps `go list` from asking the
// network, so a module the build did not download is an error here, not a
// fetch.
func listModules(goCmd string, args []string) ([]module, error) {
	if len(args) == 0 {
		return nil, nil
	}
	cmd := exec.Command(goCmd, append([]string{"list", "-m", "-json"}, args...)...)
	cmd.Env = append(os.Environ(), "GOPROXY=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var mods []module
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m module
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -m: %w", err)
		}
		if m.Dir == "" {
			return nil, fmt.Errorf("%s@%s is not in the module cache (build the binary first)", m.Path, m.Version)
		}
		mods = append(mods, m)
	}
	return mods, nil
}

func goEnv(goCmd, name string) (string, error) {
	out, err := exec.Command(goCmd, "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		return "", fmt.Errorf("go env %s is empty", name)
	}
	return v, nil
}
