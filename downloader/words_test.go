package downloader

import (
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
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
		got := describe(tc.err)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("describe(%v) = %q, want it to say %q", tc.err, got, w)
			}
		}
	}
}
