//go:build !unix

package queuefile

// Lock does nothing where flock is missing: one Potok per folder is then
// the user's to ensure.
func Lock(string) (func(), error) { return func() {}, nil }
