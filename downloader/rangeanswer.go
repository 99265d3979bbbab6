package downloader

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The one place where an answer to a Range request is judged, for single
// transfers (a resume) and segments alike: is its body the bytes asked for,
// of the version of the file the bytes already kept are of?

// version is what the bytes kept of a file are recorded to be a copy of.
// recorded says the record is real even when it holds no validator (a
// segments file written from a first answer that had none); otherwise empty
// validators mean nobody recorded any.
type version struct {
	etag, lastMod string
	size          int64 // -1 when unknown
	recorded      bool
}

// vetRange judges resp, the answer to a request for the bytes from pos up to
// end (exclusive; -1 for "to the end of the file"), and returns the offset
// its body stops at.
//   - 206 with the bytes asked (or fewer, from pos), same size, same
//     validators, not encoded: the body is to be written at pos.
//   - 200: the whole file instead. With other validators or another length,
//     the file changed (If-Range at work); else the server ignores ranges.
//   - 416: the file is now shorter than the bytes asked.
//   - other answers: a StatusError, or ranges not honoured.
func vetRange(resp *http.Response, pos, end int64, known version) (stop int64, err error) {
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	changed := validatorChanged(known.etag, etag) || validatorChanged(known.lastMod, lastMod)
	switch code := resp.StatusCode; {
	case code == http.StatusPartialContent:
	case code == http.StatusOK:
		if changed || (known.size >= 0 && resp.ContentLength >= 0 && resp.ContentLength != known.size) {
			return 0, ErrRemoteChanged
		}
		return 0, ErrRangeIgnored
	case code == http.StatusRequestedRangeNotSatisfiable:
		return 0, fmt.Errorf("%w: bytes from %d are past its end now", ErrRemoteChanged, pos)
	case code < 200 || code > 299:
		return 0, &StatusError{Code: code, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	default:
		return 0, fmt.Errorf("%w: answered %d", ErrRangeIgnored, code)
	}
	if changed {
		return 0, ErrRemoteChanged
	}
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		// Offsets into an encoded body are not offsets into the file.
		return 0, fmt.Errorf("%w: the range came encoded (%s)", ErrBadContentRange, ce)
	}
	cr := resp.Header.Get("Content-Range")
	start, last, total, ok := parseContentRange(cr)
	switch {
	case ok && total >= 0 && known.size >= 0 && total != known.size:
		return 0, fmt.Errorf("%w: it is %d bytes now, was %d", ErrRemoteChanged, total, known.size)
	case !ok || start != pos || (end >= 0 && last >= end) || (resp.ContentLength >= 0 && resp.ContentLength != last-start+1),
		end < 0 && total >= 0 && last != total-1:
		// A segment may get fewer bytes than asked (it asks for the rest
		// next); a resume to the end must get all of them. Any other range
		// is not what would be written where it is written.
		return 0, fmt.Errorf("%w: asked for bytes from %d, got %q", ErrBadContentRange, pos, cr)
	case !known.recorded && known.etag == "" && known.lastMod == "" && (etag != "" || lastMod != ""):
		// Kept bytes of no recorded version, from a server that names its
		// versions: there is no telling which version they are of.
		return 0, errUnknownVersion
	}
	return last + 1, nil
}

// parseContentRange reads "bytes START-END/TOTAL" (TOTAL may be "*": -1);
// END is the last byte sent, inclusive.
func parseContentRange(v string) (start, end, total int64, ok bool) {
	v, ok = strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return 0, 0, 0, false
	}
	rng, tot, ok := strings.Cut(v, "/")
	if !ok {
		return 0, 0, 0, false
	}
	s, e, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, 0, false
	}
	start, err1 := strconv.ParseInt(s, 10, 64)
	end, err2 := strconv.ParseInt(e, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, 0, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || t <= end {
			return 0, 0, 0, false
		}
		total = t
	}
	return start, end, total, true
}

// rangeStart reads the first byte of a "bytes=N-" Range header; -1 if none.
func rangeStart(rg string) int64 {
	if v, ok := strings.CutPrefix(rg, "bytes="); ok {
		if first, _, ok := strings.Cut(v, "-"); ok {
			if n, err := strconv.ParseInt(first, 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// validatorChanged reports a validator that was known and now differs. One
// that was unknown, or that the server stopped sending, proves nothing.
func validatorChanged(was, now string) bool {
	return was != "" && now != "" && was != now
}
