package downloader

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Entry is one file to fetch: a URL and, optionally, the SHA-256 its body
// must have and options of its own (SetOption).
type Entry struct {
	URL    string
	SHA256 []byte // nil when no checksum was given

	Name      string      // the file's name; "" to take the server's or the URL's
	Dir       string      // a subfolder of the engine's folder, "" for the folder itself
	Header    http.Header // sent with every request of this download, after Options.Header
	Referer   string      // "" for Options.Referer
	UserAgent string      // "" for Options.UserAgent

	// Tag is the caller's: kept with the download (in the queue file too)
	// and given back in FileStatus.Tag; the aria2 RPC keeps a gid there.
	Tag string
}

// LineError says why one line of a list was not used. Line numbers start at 1.
type LineError struct {
	Line int
	Text string // the line fit to show: credentials masked, control characters escaped, cut to a readable length
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// maxLineLength bounds one line of a list; longer lines are reported, not read
// into memory whole (a pasted binary file must not exhaust memory).
const maxLineLength = 64 << 10

// List is the result of parsing a URL list: the usable entries in order, and
// the lines that were skipped with the reason for each.
type List struct {
	Entries  []Entry
	Problems []*LineError
}

// Bad reports the problems that are real faults (not duplicates).
func (l *List) Bad() []*LineError {
	var bad []*LineError
	for _, p := range l.Problems {
		if !errors.Is(p.Err, ErrDuplicate) {
			bad = append(bad, p)
		}
	}
	return bad
}

// ParseList reads a list of URLs, one per line. Blank lines and lines starting
// with '#' are skipped. A line may carry a second field "sha256:HEX". Only http
// and https URLs are accepted. As in aria2's input files, indented lines of
// "key=value" after a URL give it options (Entry.SetOption); a URL whose
// option cannot be used is reported with that option's line and not used. A
// URL seen before is dropped and reported with ErrDuplicate. Every other bad
// line is reported with its line number and the reason, and the good lines
// are still returned. The error is non-nil only when reading r failed; the
// entries read up to then are returned with it.
func ParseList(r io.Reader) (*List, error) {
	p := listParser{l: &List{}, seen: make(map[string]int)}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			p.flush()
			return p.l, fmt.Errorf("read URL list at line %d: %w", n, err)
		}
		if len(line) == 0 && errors.Is(err, io.EOF) && !tooLong {
			break
		}
		p.line(n, line, tooLong)
		if errors.Is(err, io.EOF) {
			break
		}
	}
	p.flush()
	return p.l, nil
}

// listParser holds the entry whose option lines may still follow.
type listParser struct {
	l       *List
	seen    map[string]int
	cur     *Entry
	curLine int
	curBad  bool // an option of cur could not be used: cur is dropped
}

func (p *listParser) problem(n int, line []byte, err error) {
	p.l.Problems = append(p.l.Problems, &LineError{Line: n, Text: excerpt(line), Err: err})
}

func (p *listParser) line(n int, line []byte, tooLong bool) {
	if tooLong {
		p.flush()
		p.problem(n, line, inputError(InputLineTooLong, "line is longer than %d bytes", maxLineLength))
		return
	}
	text := strings.TrimPrefix(string(line), "\ufeff") // a BOM from Windows editors
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return
	}
	if indented := text[0] == ' ' || text[0] == '\t'; indented && strings.Contains(trimmed, "=") {
		p.option(n, line, trimmed)
		return
	}
	p.flush()
	e, err := parseLine(trimmed)
	if err != nil {
		p.problem(n, line, err)
		return
	}
	if first, dup := p.seen[e.URL]; dup {
		p.problem(n, line, inputError(InputDuplicate, "%[2]v (first on line %[1]d), skipped", first, ErrDuplicate).over(ErrDuplicate))
		return
	}
	p.seen[e.URL] = n
	p.cur, p.curLine, p.curBad = e, n, false
}

func (p *listParser) option(n int, line []byte, kv string) {
	if p.cur == nil && !p.curBad {
		p.problem(n, line, inputError(InputOptionWithoutURL, "an option line with no URL before it"))
		return
	}
	if p.curBad {
		return // already reported; the URL is not used
	}
	key, value, _ := strings.Cut(kv, "=")
	if err := p.cur.SetOption(key, value); err != nil {
		p.problem(n, line, inputError(InputDropsURL, "%[2]v; the URL of line %[1]d is not used", p.curLine, err).over(err))
		p.cur, p.curBad = nil, true
	}
}

// flush ends the current entry: no more option lines belong to it.
func (p *listParser) flush() {
	if p.cur != nil {
		p.l.Entries = append(p.l.Entries, *p.cur)
	}
	p.cur, p.curBad = nil, false
}

// readLine returns the next line without its line ending. A line longer than
// maxLineLength is consumed to its end but only its start is returned.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLineLength {
			tooLong = true
			if len(buf) < 80 {
				buf = append(buf, chunk[:min(len(chunk), 80)]...)
			}
		} else {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		return buf, tooLong, err
	}
}

func parseLine(s string) (*Entry, error) {
	fields := strings.Fields(s)
	if len(fields) > 2 {
		return nil, inputError(InputTooManyFields, "expected a URL and at most one checksum, found %d fields", len(fields))
	}
	u, err := ParseURL(fields[0])
	if err != nil {
		return nil, err
	}
	e := &Entry{URL: u}
	if len(fields) == 2 {
		sum, err := ParseChecksum(fields[1])
		if err != nil {
			return nil, err
		}
		e.SHA256 = sum
	}
	return e, nil
}

// ParseURL checks that s is an absolute http or https URL with a host and
// returns it in canonical form (scheme and host lower-cased).
func ParseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", inputError(InputBadURL, "not a valid URL: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", inputError(InputNoScheme, "%q has no scheme; write http:// or https:// in front", excerpt([]byte(s)))
	default:
		return "", inputError(InputScheme, "scheme %q is not supported; only http and https are", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", inputError(InputNoHost, "URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, ok := parsePort(p); !ok || n == 0 {
			return "", inputError(InputPort, "port %q is not a number from 1 to 65535", p)
		}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment = "" // never sent to the server; two URLs that differ only here are one file
	u.RawFragment = ""
	return u.String(), nil
}

func parsePort(p string) (int, bool) {
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, false
		}
	}
	return n, true
}

// ParseChecksum parses "sha256:HEX" (64 hex digits, any case).
func ParseChecksum(s string) ([]byte, error) {
	algo, hexsum, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(algo, "sha256") {
		return nil, inputError(InputChecksumForm, "checksum %q: write it as %s", excerpt([]byte(s)), "sha256:<64 hex digits>")
	}
	sum, err := hex.DecodeString(hexsum)
	if err != nil || len(sum) != 32 {
		return nil, inputError(InputChecksumLength, "checksum %q: a SHA-256 is 64 hex digits", excerpt([]byte(s)))
	}
	return sum, nil
}

// excerpt keeps error messages readable and safe to show when a line is
// huge, binary, or holds a password.
func excerpt(b []byte) string {
	const max = 80
	s := shownText(string(b))
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
