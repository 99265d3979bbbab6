package downloader

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	dt "potok/downloader/demoserver"
)

// After the machine restarts, the page cache is gone: only what the segments
// file calls synced is trusted. Here a power cut lost every byte of the .part
// (all zeros again), while the positions written before it claim much was
// done: the file must still come out right.
func TestSegmentsAfterRestartTrustOnlySynced(t *testing.T) {
	const size = 1 << 20
	s := dt.NewServer(dt.WithRate(256 << 10))
	defer s.Close()
	dir := t.TempDir()
	url := s.FileURL("boot.bin", size)
	opts := Options{Dir: dir, Connections: 4, SegmentThreshold: 64 << 10, BackoffBase: time.Millisecond}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := e.Add(Entry{URL: url})
	waitFor(t, "a quarter on disk", func() bool { return e.Snapshot().Files[0].Done >= size/4 })
	e.Pause(ids[0])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	part := e.Snapshot().Files[0].PartPath
	e.Close()

	sc, err := loadSidecar(sidecarPath(part))
	if err != nil || sc.left() >= size {
		t.Fatalf("paused segments file: %+v, %v", sc, err)
	}
	// Same boot: the written positions stand.
	if got := partDone(part, size); got != size-sc.left() {
		t.Fatalf("same boot: %d bytes counted done, the segments file says %d", got, size-sc.left())
	}
	// Another boot, with nothing synced and the .part's bytes lost.
	sc.Boot = "a boot before the power cut"
	sc.Synced = [][3]int64{{0, 0, size}}
	if err := writeSidecar(sidecarPath(part), sc, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := partDone(part, size); got != 0 {
		t.Fatalf("after a restart with nothing synced: %d bytes counted done", got)
	}
	e2, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	e2.Add(Entry{URL: url})
	if err := e2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	f := e2.Snapshot().Files[0]
	got, err := os.ReadFile(f.Path)
	if f.State != StateDone || err != nil || !bytes.Equal(got, dt.Content("boot.bin", size)) {
		t.Fatalf("%v %q: the file is not the served content (%v)", f.State, f.Err, err)
	}
}
