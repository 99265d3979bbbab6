package downloader

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"potok/downloader/internal/queuefile"
)

// FuzzReadQueue feeds the queue file reader, with the engine's own record
// check, anything: it must refuse with ErrCorruptQueue or give back a queue
// that writes and reads back the same.
func FuzzReadQueue(f *testing.F) {
	path := filepath.Join(f.TempDir(), "q")
	if err := queuefile.Write(path, queuefile.Queue{Folder: "/tmp/x", Files: []queuefile.Record{
		{URL: "https://example.com/a.iso", Name: "a.iso", Part: "a.iso.part", State: "paused", Size: 10, Done: 3, ETag: `"x"`},
		{URL: "http://example.com/b", Name: "b (1)", Part: "b.part", State: "done", Size: -1, SHA256: strings.Repeat("ab", 32)},
	}}); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	f.Add(good)
	f.Add([]byte("potok-queue 1\n{}\nsha256 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := queuefile.Read(bytes.NewReader(data), checkRecord)
		if err != nil {
			if !errors.Is(err, ErrCorruptQueue) {
				t.Fatalf("error that is not ErrCorruptQueue: %v", err)
			}
			return
		}
		for _, r := range q.Files {
			for _, n := range []string{r.Name, r.Part} {
				if filepath.Base(n) != n || n == ".." || n == "." || strings.ContainsAny(n, "/\\\x00") {
					t.Fatalf("accepted unsafe name %q", n)
				}
			}
		}
		// What was read writes back and reads again the same.
		p := filepath.Join(t.TempDir(), "q")
		if err := queuefile.Write(p, q); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		if _, err := queuefile.Read(bytes.NewReader(b), checkRecord); err != nil {
			t.Fatalf("a queue read back fails: %v", err)
		}
	})
}
