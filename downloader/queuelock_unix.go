//go:build unix

package downloader

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockQueue takes an exclusive lock beside the queue file, so that two
// programs never write the same queue or resume the same .part files. The
// lock goes with the process, so a crash never leaves it held.
func lockQueue(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create folder for the queue file: %w", err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open queue lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}
