//go:build !linux

package downloader

import "os"

// plainFile reports a regular file; link counts are not checked here.
func plainFile(fi os.FileInfo) bool { return fi.Mode().IsRegular() }

// pinnedPath is the plain path where /proc/self/fd does not exist.
func pinnedPath(_ *os.File, path string) string { return path }
