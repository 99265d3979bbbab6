package safefs

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// OpenPart opens an existing .part for writing without following a symlink,
// and refuses anything but a plain file with one name: a hard link would let
// an append write into a file elsewhere.
func OpenPart(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|OpenNoFollow, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
		}
		return nil, fmt.Errorf("open partial file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open partial file: %w", err)
	}
	if !PlainFile(fi) {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return f, nil
}

// StillAt reports whether path still names the file f has open: after the
// transfer, nothing may have been swapped in under the name that the final
// rename is about to move.
func StillAt(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Lstat(path)
	return err1 == nil && err2 == nil && PlainFile(b) && os.SameFile(a, b)
}

// TruncatePart empties a .part without following a symlink put in its place.
func TruncatePart(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|OpenNoFollow, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !PlainFile(fi) {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return f.Truncate(0)
}
