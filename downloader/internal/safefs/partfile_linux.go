package safefs

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

// PlainFile reports a regular file with a single name.
func PlainFile(fi os.FileInfo) bool {
	if !fi.Mode().IsRegular() {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || st.Nlink <= 1
}

var procFD = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
})

// PinnedPath names the file f has open in a way no rename or symlink in the
// download folder can redirect: grab opens its destination by name, so it is
// given /proc/self/fd/N, which reopens this very file. Without /proc it is
// the plain path.
func PinnedPath(f *os.File, path string) string {
	if !procFD() {
		return path
	}
	return fmt.Sprintf("/proc/self/fd/%d", f.Fd())
}
