package downloader

import (
	"encoding/hex"
	"net/http"
	"path"
	"strings"

	"golang.org/x/net/http/httpguts"

	"potok/downloader/internal/safefs"
)

// Per-download options, as aria2's input files give them (a URL line, then
// indented key=value lines) and as its JSON-RPC's addUri does: so that lists
// and scripts made for aria2 work unchanged.

// entryOptions are the keys an Entry can take, in the order they are listed
// in messages.
var entryOptions = []string{"out", "dir", "header", "referer", "user-agent", "checksum"}

// SetOption sets one per-download option by its aria2 name (out, dir,
// header, referer, user-agent, checksum). A value that cannot be used is an
// error saying why; the Entry is then unchanged.
func (e *Entry) SetOption(key, value string) error {
	switch strings.ToLower(strings.TrimSpace(key)) {
	case "out":
		name := safefs.SafeName(value)
		if strings.TrimSpace(value) == "" || name != value {
			return inputError(InputOutName, "out=%q: a file name only, with no folder in it and no character a file system refuses", excerpt([]byte(value)))
		}
		e.Name = name
	case "dir":
		d, err := cleanSubdir(value)
		if err != nil {
			return err
		}
		e.Dir = d
	case "header":
		name, v, err := ParseHeader(value)
		if err != nil {
			return err
		}
		if e.Header == nil {
			e.Header = make(http.Header)
		}
		e.Header.Add(name, v)
	case "referer":
		if _, err := ParseURL(value); err != nil {
			return inputError(InputInOption, "%s=: %v", "referer", err).over(err)
		}
		e.Referer = value
	case "user-agent":
		if !httpguts.ValidHeaderFieldValue(value) {
			return inputError(InputOptionControl, "%s=%q: control characters are not allowed in a header", "user-agent", excerpt([]byte(value)))
		}
		e.UserAgent = value
	case "checksum":
		sum, err := parseAria2Checksum(value)
		if err != nil {
			return err
		}
		e.SHA256 = sum
	default:
		return inputError(InputUnknownOption, "unknown option %q: Potok takes %s", excerpt([]byte(key)), strings.Join(entryOptions, ", "))
	}
	return nil
}

// ParseHeader reads "Name: value", as curl's -H and aria2's header= take it.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	// A header's value may be a secret (Authorization: Bearer …): the
	// messages name the header, never echo its value.
	switch {
	case !ok || name == "":
		return "", "", inputError(InputHeaderNoName, "a header with no name before a colon: write it as Name: value")
	case !httpguts.ValidHeaderFieldName(name):
		return "", "", inputError(InputHeaderName, "header name %q is not one: write the header as Name: value", excerpt([]byte(name)))
	case !httpguts.ValidHeaderFieldValue(value):
		return "", "", inputError(InputHeaderControl, "header %s: control characters are not allowed in a header's value", excerpt([]byte(name)))
	}
	return http.CanonicalHeaderKey(name), value, nil
}

// parseAria2Checksum reads aria2's "sha-256=HEX" (and "sha256=HEX").
func parseAria2Checksum(s string) ([]byte, error) {
	algo, hexsum, ok := strings.Cut(s, "=")
	if !ok {
		return nil, inputError(InputChecksumForm, "checksum %q: write it as %s", excerpt([]byte(s)), "sha-256=<64 hex digits>")
	}
	if a := strings.ToLower(algo); a != "sha-256" && a != "sha256" {
		return nil, inputError(InputChecksumAlgo, "checksum %q: only SHA-256 is checked", excerpt([]byte(s)))
	}
	sum, err := hex.DecodeString(hexsum)
	if err != nil || len(sum) != 32 {
		return nil, inputError(InputChecksumLength, "checksum %q: a SHA-256 is 64 hex digits", excerpt([]byte(s)))
	}
	return sum, nil
}

// cleanSubdir checks a dir= option: a folder inside the download folder,
// named relative to it, every element a plain name. Never absolute, never
// "..": whatever a list says, files stay inside the chosen folder.
func cleanSubdir(s string) (string, error) {
	refuse := func() (string, error) {
		return "", inputError(InputDir, "dir=%q: only a folder inside the download folder can be named (relative, no ..)", excerpt([]byte(s)))
	}
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "/") || strings.Contains(s, `\`) || (len(s) > 1 && s[1] == ':') {
		return refuse()
	}
	var parts []string
	for _, p := range strings.Split(s, "/") {
		switch {
		case p == "" || p == ".":
			continue
		case p == ".." || !safefs.PlainName(p) || safefs.SafeName(p) != p:
			return refuse()
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 || len(parts) > 16 {
		return refuse()
	}
	return path.Join(parts...), nil
}
