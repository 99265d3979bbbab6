package safefs

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes bounds a sanitized file name. File systems allow 255 bytes; the
// rest is kept free for " (123)" and ".part".
const MaxNameBytes = 200

// fallbackName is used when nothing usable is left of a name.
const fallbackName = "download"

// SafeName turns a name suggested by a URL or a server into one that is safe to
// create inside the download folder on any common file system: no path
// separators, no "." or "..", no control characters, no characters Windows
// forbids, no reserved device names, valid UTF-8, at most MaxNameBytes bytes.
// Only the last path element of s is kept, so "../../etc/passwd" gives "passwd".
func SafeName(s string) string {
	s = strings.ToValidUTF8(s, "_")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// control characters: dropped, they only confuse terminals and logs
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		case r == utf8.RuneError, unicode.Is(unicode.Bidi_Control, r):
			// bidi overrides can make "exe.txt" display as "txt.exe"
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	// Leading dots would hide the file (or make "." and ".."); trailing dots and
	// spaces are silently dropped by Windows, so two names could collide there.
	s = strings.TrimLeft(s, ". ")
	s = strings.TrimRight(s, ". ")
	if s == "" {
		return fallbackName
	}
	if isReservedWindowsName(s) {
		s = "_" + s
	}
	return notWorkFile(truncateName(s, MaxNameBytes))
}

// workSuffixes end the names of the engine's own files beside a download: a
// finished file named like one could be taken for another download's partial
// file (and resumed into) or its segment record.
var workSuffixes = []string{PartSuffix, PartSuffix + SegmentsSuffix}

// The engine's own files beside a download: NAME.part holds its bytes until
// it is complete, and NAME.part.segments, for a file fetched in segments,
// which of them are written.
const (
	PartSuffix     = ".part"
	SegmentsSuffix = ".segments"
)

// notWorkFile renames "x.part" to "x_part", so no download is ever named like
// the engine's work files.
func notWorkFile(s string) string {
	for _, suf := range workSuffixes {
		if len(s) > len(suf) && strings.EqualFold(s[len(s)-len(suf):], suf) {
			s = s[:len(s)-len(suf)] + "_" + s[len(s)-len(suf)+1:]
		}
	}
	return s
}

// isReservedWindowsName reports names Windows maps to devices ("con.txt" too).
func isReservedWindowsName(s string) bool {
	stem := s
	if i := strings.IndexByte(stem, '.'); i >= 0 {
		stem = stem[:i]
	}
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	// COM0-9 and LPT0-9, and with the superscript digits ¹ ² ³ too.
	if rest, ok := strings.CutPrefix(stem, "COM"); ok {
		stem = rest
	} else if rest, ok := strings.CutPrefix(stem, "LPT"); ok {
		stem = rest
	} else {
		return false
	}
	r, n := utf8.DecodeRuneInString(stem)
	return n == len(stem) && (r >= '0' && r <= '9' || r == '¹' || r == '²' || r == '³')
}

// truncateName cuts s to at most max bytes on a rune boundary, keeping a short
// extension so the file still opens with the right program.
func truncateName(s string, max int) string {
	if len(s) <= max {
		return s
	}
	stem, ext := splitExt(s)
	if len(ext) > 16 {
		stem, ext = s, ""
	}
	keep := max - len(ext)
	for keep > 0 && !utf8.RuneStart(stem[keep]) {
		keep--
	}
	return strings.TrimRight(stem[:keep], ". ") + ext
}

// splitExt splits "a.tar.gz" into "a" and ".tar.gz", "b.txt" into "b" and ".txt".
func splitExt(name string) (stem, ext string) {
	ext = path.Ext(name)
	if ext == name { // ".bashrc"-like: no stem
		return name, ""
	}
	stem = strings.TrimSuffix(name, ext)
	if e2 := path.Ext(stem); strings.EqualFold(e2, ".tar") {
		return strings.TrimSuffix(stem, e2), e2 + ext
	}
	return stem, ext
}

// Numbered returns the n-th alternative of name: "a.txt", "a (1).txt", ...
func Numbered(name string, n int) string {
	if n == 0 {
		return name
	}
	stem, ext := splitExt(name)
	if len(ext) > 16 { // not an extension to keep, as in truncateName
		stem, ext = name, ""
	}
	suffix := " (" + strconv.Itoa(n) + ")"
	return truncateName(stem, MaxNameBytes-len(suffix)-len(ext)) + suffix + ext
}

// NameFromURL suggests a file name from the last element of a URL's path,
// percent-decoded. The query is ignored, so "/f/a.bin?size=8" gives "a.bin".
func NameFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return fallbackName
	}
	p := u.Path
	if strings.HasSuffix(p, "/") || p == "" {
		if p == "" || p == "/" {
			return "index.html"
		}
		p = strings.TrimSuffix(p, "/")
	}
	return SafeName(path.Base(p))
}

// NameFromContentDisposition returns the sanitized file name a
// Content-Disposition header suggests, preferring the RFC 5987 "filename*"
// form, or "" when the header gives none.
func NameFromContentDisposition(v string) string {
	if v == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(v)
	if err != nil {
		return ""
	}
	name := params["filename"] // mime decodes filename* into "filename"
	if name == "" {
		return ""
	}
	// Some servers percent-encode the plain filename parameter.
	if strings.Contains(name, "%") {
		if dec, err := url.PathUnescape(name); err == nil {
			name = dec
		}
	}
	return SafeName(name)
}

// PlainName reports a name that stays inside the folder it is joined to:
// one path element, not "." or "..", no separators, NUL or control bytes.
func PlainName(n string) bool {
	if n == "" || n == "." || n == ".." || len(n) > 255 || !utf8.ValidString(n) {
		return false
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return false
		}
	}
	return true
}

// MkdirBeneath makes the folder rel (slash-separated, each element a plain
// name) inside root and returns its path. No element may be anything but a
// real folder: a symlink planted at any of them, which would lead the
// download out of root, is refused with ErrNotRegular.
func MkdirBeneath(root, rel string) (string, error) {
	dir := root
	for _, el := range strings.Split(rel, "/") {
		if !PlainName(el) || el == "." || el == ".." {
			return "", fmt.Errorf("folder %q: %q is not a plain name", rel, el)
		}
		dir = filepath.Join(dir, el)
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("make the folder %s: %w", dir, err)
		}
		fi, err := os.Lstat(dir)
		if err != nil {
			return "", fmt.Errorf("make the folder %s: %w", dir, err)
		}
		if !fi.IsDir() {
			return "", fmt.Errorf("%s: %w (a folder is needed there)", dir, ErrNotRegular)
		}
	}
	return dir, nil
}
