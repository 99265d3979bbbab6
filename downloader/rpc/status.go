package rpc

import (
	"encoding/hex"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"potok/downloader"
)

// pieceLength is aria2's default piece length (--piece-length=1M): the unit
// of bitfield and numPieces. Potok has no pieces of its own; they are
// counted from the bytes on disk.
const pieceLength = 1 << 20

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// status is tellStatus's answer for one download: aria2's keys, every number
// a decimal string, filtered by keys. errorCode and errorMessage are there
// only once a download has stopped, as in aria2.
func status(r *row, keys keySet) map[string]any {
	f := &r.f
	total := max(f.Size, 0)
	done := f.Done
	if f.State == downloader.StateDone && f.Size >= 0 {
		done = f.Size
	}
	active := r.status == statusActive
	d := map[string]any{}
	put := func(k string, v any) {
		if keys.want(k) {
			d[k] = v
		}
	}
	put("gid", r.gid)
	put("status", r.status)
	put("totalLength", itoa(total))
	put("completedLength", itoa(done))
	put("uploadLength", "0")
	put("uploadSpeed", "0")
	speed, conns := "0", "0"
	if active && f.State == downloader.StateRunning {
		speed, conns = itoa(int64(f.Speed)), itoa(int64(f.Connections))
	}
	put("downloadSpeed", speed)
	put("connections", conns)
	n := (total + pieceLength - 1) / pieceLength
	put("pieceLength", itoa(pieceLength))
	put("numPieces", itoa(n))
	if n > 0 {
		put("bitfield", bitfield(f, n, done))
	}
	put("dir", filepath.Dir(f.Path))
	put("files", []any{file(r, total, done)})
	if stopped(r.status) {
		code, msg := errorOf(r)
		put("errorCode", code)
		put("errorMessage", msg)
	}
	return d
}

// file is the one entry of "files": Potok fetches one file per download.
// Its path is "" until the server has answered, as in aria2, because the
// name may still change (Content-Disposition, redirects).
func file(r *row, total, done int64) map[string]any {
	f := &r.f
	path := f.Path
	if f.Size < 0 && f.Done == 0 && f.State != downloader.StateDone {
		path = ""
	}
	uriStatus := "waiting"
	if r.used {
		uriStatus = "used"
	}
	return map[string]any{
		"index":           "1",
		"path":            path,
		"length":          itoa(total),
		"completedLength": itoa(done),
		"selected":        "true",
		"uris":            []any{map[string]any{"uri": downloader.RedactURL(f.URL), "status": uriStatus}},
	}
}

// bitfield is aria2's hex bitfield of the pieces on disk, the first piece
// in the highest bit: exact for a complete file and for one fetched in
// segments while it runs; otherwise the bytes on disk are taken to be the
// file's beginning, as they are for a file fetched over one connection.
func bitfield(f *downloader.FileStatus, n, done int64) string {
	bits := make([]byte, (n+7)/8)
	covered := func(lo, hi int64) bool { return hi <= done }
	if f.State == downloader.StateDone {
		covered = func(int64, int64) bool { return true }
	} else if f.Segments != nil {
		segs := append(downloader.SegmentList(nil), (*f.Segments)...)
		sort.Slice(segs, func(i, j int) bool { return segs[i].Start < segs[j].Start })
		covered = func(lo, hi int64) bool {
			at := lo
			for _, s := range segs {
				if s.Start <= at && s.Start+s.Done > at {
					at = s.Start + s.Done
				}
				if at >= hi {
					return true
				}
			}
			return false
		}
	}
	size := max(f.Size, 0)
	for p := int64(0); p < n; p++ {
		if covered(p*pieceLength, min((p+1)*pieceLength, size)) {
			bits[p/8] |= 0x80 >> (p % 8)
		}
	}
	return hex.EncodeToString(bits)
}

// statusCode finds the HTTP status in the engine's words for a failure
// ("server answered 404 Not Found: ..."), which are all FileStatus has, and
// all a failure restored from the queue file keeps.
var statusCode = regexp.MustCompile(`server answered (\d{3})\b`)

// errorOf is a stopped download's errorCode and errorMessage. The codes are
// aria2's exit codes (its manual, "Exit status"): 0 complete, 31 removed
// (what aria2 1.36 answers for a removed download), and for a failure the
// nearest of aria2's: 3 for 404 and 410 (resource not found), 24 for 401,
// 29 for 503, 22 for another HTTP status, 32 for a checksum mismatch, 9 for
// a full disk, 19 when the host has no address, 2 for a timeout or stall,
// 6 for a refused or cut connection, else 1 (unknown error). The message is
// Potok's own words, which say what to do.
func errorOf(r *row) (code, msg string) {
	switch r.status {
	case statusComplete:
		return "0", ""
	case statusRemoved:
		return "31", ""
	}
	words := r.f.Err
	low := strings.ToLower(words)
	c := "1"
	n := r.f.HTTPStatus
	if m := statusCode.FindStringSubmatch(words); n == 0 && m != nil {
		n, _ = strconv.Atoi(m[1]) // a failure kept by a Potok before HTTPStatus
	}
	if n != 0 {
		switch n {
		case http.StatusNotFound, http.StatusGone:
			c = "3"
		case http.StatusUnauthorized:
			c = "24"
		case http.StatusServiceUnavailable:
			c = "29"
		default:
			c = "22"
		}
	} else {
		switch {
		case strings.Contains(low, "checksum mismatch"):
			c = "32"
		case strings.Contains(low, "disk full"), strings.Contains(low, "not enough space"), strings.Contains(low, "quota exceeded"):
			c = "9"
		case strings.Contains(low, "no such host"), strings.Contains(low, "cannot look up"):
			c = "19"
		case strings.Contains(low, "timed out"), strings.Contains(low, "stalled"):
			c = "2"
		case strings.Contains(low, "connection refused"), strings.Contains(low, "connection reset"), strings.Contains(low, "connection closed"):
			c = "6"
		}
	}
	if words == "" {
		words = "unknown error"
	}
	return c, words
}
