package downloader

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"potok/downloader/internal/safefs"
)

func sampleSidecar() sidecar {
	return sidecar{
		URL: "http://127.0.0.1:8080/f/a.bin?size=100", ETag: `"abc"`, LastModified: "Mon, 01 Jan 2024 00:00:00 GMT",
		Name: "a.bin", Size: 100, Boot: safefs.BootID(),
		Segments: [][3]int64{{0, 10, 50}, {75, 75, 100}},
		Synced:   [][3]int64{{0, 5, 50}, {50, 60, 100}},
	}
}

func TestSidecarRoundTripAndAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.bin.part.segments")
	sc := sampleSidecar()
	if err := writeSidecar(p, sc, true); err != nil {
		t.Fatal(err)
	}
	got, err := loadSidecar(p)
	if err != nil || !reflect.DeepEqual(got, sc) {
		t.Fatalf("read back %+v, %v; wrote %+v", got, err, sc)
	}
	if got.left() != 65 {
		t.Fatalf("left %d, want 65", got.left())
	}
	// Written in another boot: only what was synced is sure to be there.
	got.Boot = "another boot"
	if got.left() != 85 {
		t.Fatalf("left %d after a restart, want the synced 85", got.left())
	}
	// A symlink where the segments file goes is replaced, never written through.
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	os.Remove(p)
	if err := os.Symlink(victim, p); err != nil {
		t.Skip("no symlinks here")
	}
	if _, err := loadSidecar(p); err == nil {
		t.Fatal("a symlinked segments file was read")
	}
	if err := writeSidecar(p, sc, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("the symlink's target was overwritten: %q", b)
	}
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("segments file is %v, %v", fi, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Fatalf("folder holds %d entries: a temporary file was left", len(ents))
	}
}

func TestSidecarRejectsDamage(t *testing.T) {
	good, err := encodeSidecar(sampleSidecar())
	if err != nil {
		t.Fatal(err)
	}
	reseal := resealed
	for name, data := range map[string][]byte{
		"empty":     nil,
		"cut short": good[:len(good)-10],
		"edited":    bytes.Replace(good, []byte(`[0,10,50]`), []byte(`[0,50,50]`), 1),
		"not ours":  []byte("potok-queue 1 00\n{}\n"),
		"new version": bytes.Replace(good, []byte(fmt.Sprintf("%s %d\n", sidecarMagic, sidecarVersion)),
			[]byte(fmt.Sprintf("%s %d\n", sidecarMagic, sidecarVersion+1)), 1),
		"overlap":     reseal(`{"url":"http://h/a","size":100,"segments":[[0,0,60],[50,50,100]]}`),
		"synced bad":  reseal(`{"url":"http://h/a","size":100,"segments":[],"synced":[[0,0,60],[50,50,100]]}`),
		"past end":    reseal(`{"url":"http://h/a","size":100,"segments":[[0,0,101]]}`),
		"pos < start": reseal(`{"url":"http://h/a","size":100,"segments":[[10,5,20]]}`),
		"empty range": reseal(`{"url":"http://h/a","size":100,"segments":[[10,10,10]]}`),
		"no size":     reseal(`{"url":"http://h/a","size":0,"segments":[]}`),
		"bad url":     reseal(`{"url":"file:///etc/passwd","size":10,"segments":[]}`),
		"bad name":    reseal(`{"url":"http://h/a","name":"../x","size":10,"segments":[]}`),
	} {
		if _, err := readSidecar(bytes.NewReader(data)); !errors.Is(err, errBadSidecar) {
			t.Errorf("%s: err %v, want errBadSidecar", name, err)
		}
	}
}

// resealed frames body with its correct checksum, as if written by a program
// that got the format wrong.
func resealed(body string) []byte {
	sum := sha256.Sum256([]byte(body))
	return []byte(fmt.Sprintf("%s %d\n%s\nsha256 %s\n", sidecarMagic, sidecarVersion, body, hex.EncodeToString(sum[:])))
}

func TestPartDone(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "a.bin.part")
	os.WriteFile(part, make([]byte, 100), 0o644)
	if got := partDone(part, 100); got != 100 {
		t.Fatalf("without a segments file: %d, want the size", got)
	}
	writeSidecar(sidecarPath(part), sampleSidecar(), false)
	if got := partDone(part, 100); got != 35 {
		t.Fatalf("with a segments file: %d, want 35", got)
	}
	if got := partDone(part, 99); got != 0 {
		t.Fatalf("a segments file of another size: %d, want 0", got)
	}
	os.WriteFile(sidecarPath(part), []byte("junk"), 0o644)
	if got := partDone(part, 100); got != 0 {
		t.Fatalf("a damaged segments file: %d, want 0", got)
	}
}

// FuzzReadSidecar: the segments file comes from disk, where anything can be.
// Whatever parses must be safe to act on and survive a round trip.
func FuzzReadSidecar(f *testing.F) {
	good, _ := encodeSidecar(sampleSidecar())
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("potok-segments 1 \n"))
	f.Add(resealed(`{"url":"http://h/a","size":100,"segments":[[0,0,60],[60,70,100]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := readSidecar(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, errBadSidecar) {
				t.Fatalf("error %v is not errBadSidecar", err)
			}
			return
		}
		if err := sc.check(); err != nil {
			t.Fatalf("accepted a sidecar that fails its check: %v", err)
		}
		if left := sc.left(); left < 0 || left > sc.Size {
			t.Fatalf("left %d of %d", left, sc.Size)
		}
		if strings.ContainsAny(sc.Name, "/\\") {
			t.Fatalf("unsafe name %q", sc.Name)
		}
		b, err := encodeSidecar(sc)
		if err != nil {
			t.Fatal(err)
		}
		back, err := readSidecar(bytes.NewReader(b))
		if err != nil || !reflect.DeepEqual(back, sc) {
			t.Fatalf("round trip: %+v %v, want %+v", back, err, sc)
		}
	})
}

// A file named like the temporary segments file that is not one is left
// alone; a torn temporary file of ours is cleared away.
func TestSidecarTempOfSomeoneElse(t *testing.T) {
	dir := t.TempDir()
	part := filepath.Join(dir, "a.bin.part")
	tmp := sidecarPath(part) + ".tmp"
	os.WriteFile(tmp, []byte("a user's file"), 0o644)
	if err := writeSidecar(sidecarPath(part), sampleSidecar(), false); err != nil {
		t.Fatal(err)
	}
	removeSidecar(part, nil)
	if b, err := os.ReadFile(tmp); string(b) != "a user's file" {
		t.Fatalf("someone else's file became %q, %v", b, err)
	}
	os.WriteFile(tmp, []byte(sidecarMagic[:5]), 0o644)
	if err := writeSidecar(sidecarPath(part), sampleSidecar(), false); err != nil {
		t.Fatal(err)
	}
	removeSidecar(part, nil)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left %v", ents)
	}
}
