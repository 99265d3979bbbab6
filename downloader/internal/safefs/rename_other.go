//go:build !linux

package safefs

import "errors"

func renameat2NoReplace(oldpath, newpath string) error { return errors.ErrUnsupported }
