package safefs

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/dustin/go-humanize"
)

// ErrNotRegular reports a destination that exists and is not a regular file
// (a symlink, say); it is never followed or replaced.
var ErrNotRegular = errors.New("destination exists and is not a regular file")

// SpaceError reports a file larger than the free space left for it, found
// before any byte is written. It wraps ENOSPC, like a disk that fills up.
type SpaceError struct {
	Path       string
	Need, Free int64
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("%s: the file needs %s, %s are free", e.Path, humanize.IBytes(uint64(e.Need)), humanize.IBytes(uint64(max(e.Free, 0))))
}

func (e *SpaceError) Unwrap() error { return syscall.ENOSPC }
