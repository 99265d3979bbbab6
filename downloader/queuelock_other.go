//go:build !unix

package downloader

// lockQueue does nothing where flock is missing: one Potok per folder is then
// the user's to ensure.
func lockQueue(string) (func(), error) { return func() {}, nil }
