package downloader

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Everything the engine says about its input (list lines, URLs, names,
// errors) reaches a terminal, a window, a log file or a screenshot. Two
// things must never get there: a password from a user:password@ URL, and
// raw control characters, with which a list or a server could move the
// cursor, retitle the terminal or hide a line. shownText is the one filter
// all of it passes through.

// shownText returns s fit to show: credentials in URLs masked, control
// characters escaped, invalid UTF-8 replaced.
func shownText(s string) string {
	return escapeControl(maskCredentials(strings.ToValidUTF8(s, "\uFFFD")))
}

// RedactURL returns a URL fit to show: its password, if any, masked as
// "xxxxx", and control characters escaped.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return escapeControl(u.Redacted())
	}
	return shownText(raw)
}

// maskedPassword replaces a password, as url.URL.Redacted does.
const maskedPassword = "xxxxx"

// maskCredentials masks the password of every "scheme://user:password@host"
// in s, and of a leading "user:password@host" with no scheme.
func maskCredentials(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		start := 0
		if i >= 0 {
			start = i + 3
		} else if !userinfoFirst(s) {
			b.WriteString(s)
			return b.String()
		}
		// The authority ends at the first character that cannot be in it.
		end := start + strings.IndexFunc(s[start:], func(r rune) bool {
			return r == '/' || r == '?' || r == '#' || r == ' ' || r == '\t' || r == '"' || r == '\'' || r == '<' || r == '>' || r < 0x20
		})
		if end < start {
			end = len(s)
		}
		auth := s[start:end]
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			if colon := strings.IndexByte(auth[:at], ':'); colon >= 0 && colon+1 < at {
				auth = auth[:colon+1] + maskedPassword + auth[at:]
			}
		}
		b.WriteString(s[:start])
		b.WriteString(auth)
		s = s[end:]
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
	}
}

// userinfoFirst reports a string that starts like "user:password@host",
// a URL given without its scheme.
func userinfoFirst(s string) bool {
	at := strings.IndexByte(s, '@')
	colon := strings.IndexByte(s, ':')
	return colon > 0 && at > colon+1 && !strings.ContainsAny(s[:at], "/ \t")
}

// escapeControl writes control characters (C0, DEL and C1) as Go escapes,
// so that they are seen instead of obeyed.
func escapeControl(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < utf8.RuneSelf && isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// maskingHandler passes the engine's log records on with every message and
// value fit to show, so that no log line carries a password whatever a
// caller logs.
type maskingHandler struct{ h slog.Handler }

func (m maskingHandler) Enabled(ctx context.Context, l slog.Level) bool { return m.h.Enabled(ctx, l) }

func (m maskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, shownText(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return m.h.Handle(ctx, out)
}

func (m maskingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return maskingHandler{m.h.WithAttrs(masked)}
}

func (m maskingHandler) WithGroup(name string) slog.Handler {
	return maskingHandler{m.h.WithGroup(name)}
}

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, shownText(v.String()))
	case slog.KindGroup:
		g := v.Group()
		masked := make([]any, len(g))
		for i, ga := range g {
			masked[i] = maskAttr(ga)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, shownText(err.Error()))
		}
		return slog.String(a.Key, shownText(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
