package safefs

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// OpenNoFollow makes an open fail on a symlink put where a .part or its
// segments file was, instead of following it.
const OpenNoFollow = unix.O_NOFOLLOW

// Preallocate makes f size bytes long with the blocks reserved, so that the
// segments' writes at any offset never meet a full disk half way and the file
// is laid out in one piece rather than in the order the segments arrive. The
// free space is checked first: a server that announces a petabyte gets a
// disk-full error at once. File systems without fallocate get a sparse file
// of the right length instead.
func Preallocate(f *os.File, size int64) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("Preallocate %s: %w", f.Name(), err)
	}
	if need := size - fi.Size(); need > 0 {
		var fs unix.Statfs_t
		if err := unix.Fstatfs(int(f.Fd()), &fs); err == nil {
			if free := int64(fs.Bavail) * int64(fs.Bsize); free >= 0 && uint64(need) > uint64(free) {
				return &SpaceError{Path: f.Name(), Need: size, Free: free}
			}
		}
	}
	err = unix.Fallocate(int(f.Fd()), 0, 0, size)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("Preallocate %d bytes for %s: %w", size, f.Name(), err)
	}
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("set the size of %s to %d bytes: %w", f.Name(), size, err)
	}
	return nil
}

// SyncData makes the bytes written to f durable; the file's times need not be.
func SyncData(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// BootID names this boot of the machine: what the page cache holds is valid
// for as long as it stays the same.
var BootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})
