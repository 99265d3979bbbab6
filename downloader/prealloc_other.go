//go:build !linux

package downloader

import (
	"fmt"
	"os"
)

// openNoFollow is 0 here: the Lstat checks before each open stand alone.
const openNoFollow = 0

// preallocate sets f's length to size. Without fallocate the file is sparse
// and a full disk shows only when a segment writes; no memory is spent
// either way.
func preallocate(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("set the size of %s to %d bytes: %w", f.Name(), size, err)
	}
	return nil
}

// syncData makes the bytes written to f durable.
func syncData(f *os.File) error { return f.Sync() }

// bootID is unknown here: only synced progress is trusted on resume.
func bootID() string { return "" }
