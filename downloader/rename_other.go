//go:build !linux

package downloader

func renameat2NoReplace(oldpath, newpath string) error { return errUnsupported }
