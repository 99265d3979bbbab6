package downloader_test

import (
	"errors"
	"path/filepath"
	"testing"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TestTagStatusAndForget: an Entry's Tag and a failed download's HTTP status
// come back in FileStatus, also after a restart; Forget drops one ended
// download from the list and the queue, and refuses one that has not ended.
func TestTagStatusAndForget(t *testing.T) {
	s := newServer(t)
	missing := newServer(t, dt.WithStatus(404))
	dir, queue := t.TempDir(), filepath.Join(t.TempDir(), "q.queue")
	e1 := newEngine(t, downloader.Options{Dir: dir, QueueFile: queue, Retries: -1})
	ids, err := e1.Add(downloader.Entry{URL: s.FileURL("a.bin", 10), Tag: "gid-a"},
		downloader.Entry{URL: missing.FileURL("b.bin", 10), Tag: "gid-b"})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, e1)
	if a, b := status(t, e1, ids[0]), status(t, e1, ids[1]); a.Tag != "gid-a" || b.Tag != "gid-b" || b.HTTPStatus != 404 || a.HTTPStatus != 0 {
		t.Fatalf("a %q %d, b %q %d", a.Tag, a.HTTPStatus, b.Tag, b.HTTPStatus)
	}
	e1.Close()
	e2 := newEngine(t, downloader.Options{Dir: dir, QueueFile: queue})
	back := e2.Restore()
	if b := status(t, e2, back[1]); len(back) != 2 || b.Tag != "gid-b" || b.HTTPStatus != 404 || b.State != downloader.StateFailed {
		t.Fatalf("after the restart: %d back, b = %+v", len(back), b)
	}
	if err := e2.Forget(back[1]); err != nil {
		t.Fatal(err)
	}
	if err := e2.Forget(back[1]); !errors.Is(err, downloader.ErrUnknownID) {
		t.Fatalf("forgotten twice: %v", err)
	}
	slow := newServer(t, dt.WithRate(1000))
	running := add(t, e2, slow.FileURL("c.bin", 100_000))
	if err := e2.Forget(running[0]); err == nil {
		t.Fatal("a running download was forgotten")
	}
	e2.CancelAll()
	wait(t, e2)
	e2.Close()
	e3 := newEngine(t, downloader.Options{Dir: dir, QueueFile: queue})
	if got := e3.Restore(); len(got) != 1 || status(t, e3, got[0]).Tag != "gid-a" {
		t.Fatalf("the queue still holds %d downloads, want a.bin alone", len(got))
	}
}
