//go:build race

package downloader_test

// raceEnabled is true when the tests run under the race detector, which makes
// goroutine-heavy tests several times slower: soak tests use smaller loads.
const raceEnabled = true
