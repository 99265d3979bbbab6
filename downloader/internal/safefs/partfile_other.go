//go:build !linux

package safefs

import "os"

// PlainFile reports a regular file; link counts are not checked here.
func PlainFile(fi os.FileInfo) bool { return fi.Mode().IsRegular() }

// PinnedPath is the plain path where /proc/self/fd does not exist.
func PinnedPath(_ *os.File, path string) string { return path }
