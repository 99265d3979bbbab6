package downloader

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	"potok/downloader/internal/safefs"
)

// TestDescribeGivesAdvice: failures the user must act on say what to do.
func TestDescribeGivesAdvice(t *testing.T) {
	tests := []struct {
		err  error
		want []string
	}{
		{fmt.Errorf("open partial file: %w", &fs.PathError{Op: "open", Path: "/d/x.part", Err: syscall.EACCES}),
			[]string{"permission denied writing /d/x.part", "choose a folder you can write to"}},
		{&fs.PathError{Op: "open", Path: "/d/y.part", Err: syscall.EPERM}, []string{"permission denied writing /d/y.part"}},
		{syscall.ENOSPC, []string{"disk full", "free some space"}},
		{syscall.EROFS, []string{"read-only", "choose another folder"}},
	}
	for _, tc := range tests {
		got := explain(tc.err).Text
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("explain(%v).Text = %q, want it to say %q", tc.err, got, w)
			}
		}
	}
}

// TestExplainKinds: a failure's kind and what it names stay what callers that
// word failures themselves (the window, in Russian) rely on, wrapped or not.
func TestExplainKinds(t *testing.T) {
	tests := []struct {
		err  error
		kind ErrorKind
		args [2]string
	}{
		{&StatusError{Code: 404}, KindNotFound, [2]string{"404"}},
		{&StatusError{Code: 503}, KindHTTPStatus, [2]string{"503", "Service Unavailable"}},
		{fmt.Errorf("x: %w", ErrStalled), KindStalled, [2]string{}},
		{&safefsSpace, KindNoSpace, [2]string{"2.0 KiB", "1.0 KiB"}},
		{&fs.PathError{Op: "open", Path: "/d/x.part", Err: syscall.EACCES}, KindPermission, [2]string{"/d/x.part"}},
		{&placedError{7, &exhaustedError{err: ErrShortBody, attempts: 3}}, KindConnectionClosed, [2]string{}},
		{errors.New("something else"), KindOther, [2]string{}},
	}
	for _, tc := range tests {
		p := explain(tc.err)
		if p.Kind != tc.kind || p.Args != tc.args {
			t.Errorf("explain(%v) = %+v; want kind %s, args %q", tc.err, p, tc.kind, tc.args)
		}
	}
	p := explain(&placedError{7, &exhaustedError{err: ErrShortBody, attempts: 3}})
	if p.Where != "segment at byte 7" || !p.InSegment || p.SegmentAt != 7 ||
		p.GaveUp != "gave up after 3 attempts in a row that brought nothing" || p.GaveUpAttempts != 3 {
		t.Errorf("%+v", p)
	}
	p = explain(&exhaustedError{err: ErrStalled, after: 6 * time.Hour})
	if p.InSegment || p.GaveUpAfter != 6*time.Hour || p.GaveUp != "gave up: still failing 6h0m0s after the first failure" {
		t.Errorf("%+v", p)
	}
}

var safefsSpace = safefs.SpaceError{Path: "/d/x", Need: 2048, Free: 1024}
