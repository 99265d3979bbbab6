package safefs

import (
	"errors"
	"io/fs"
	"os"
)

// RenameNoReplace moves oldpath to newpath and fails with fs.ErrExist instead
// of replacing a file that is already there (another program may have created
// it since the name was chosen). On Linux this is one renameat2 call; where the
// file system does not support that, a hard link then unlink; where links are
// not supported either, a check then a rename (a small race, but no worse).
func RenameNoReplace(oldpath, newpath string) error {
	err := renameat2NoReplace(oldpath, newpath)
	if err == nil || errors.Is(err, fs.ErrExist) || !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if err := os.Link(oldpath, newpath); err == nil {
		return os.Remove(oldpath)
	} else if errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, err := os.Lstat(newpath); err == nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: fs.ErrExist}
	}
	return os.Rename(oldpath, newpath)
}
