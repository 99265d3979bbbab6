//go:build !linux

package downloader

import "errors"

func renameat2NoReplace(oldpath, newpath string) error { return errors.ErrUnsupported }
