//go:build !linux

package safefs

import (
	"fmt"
	"os"
)

// OpenNoFollow is 0 here: the Lstat checks before each open stand alone.
const OpenNoFollow = 0

// Preallocate sets f's length to size. Without fallocate the file is sparse
// and a full disk shows only when a segment writes; no memory is spent
// either way.
func Preallocate(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("set the size of %s to %d bytes: %w", f.Name(), size, err)
	}
	return nil
}

// SyncData makes the bytes written to f durable.
func SyncData(f *os.File) error { return f.Sync() }

// BootID is unknown here: only synced progress is trusted on resume.
func BootID() string { return "" }
