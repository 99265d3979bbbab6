package downloader

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"potok/downloader/internal/checkedfile"
	"potok/downloader/internal/safefs"
)

// A segmented download keeps, beside its .part, a small file saying which
// byte ranges are still to come: "name.ext.part.segments", replaced
// atomically, in the frame of checkedfile.go, so a file cut short or edited
// by hand is detected and the download starts over rather than trusting it:
//
//	potok-segments 2
//	{"url": ..., "etag": ..., "size": ..., "boot": ...,
//	 "segments": [[start, pos, end], ...], "synced": [[start, pos, end], ...]}
//	sha256 <hex>
//
// Each segment is [start, end) of which [start, pos) is written; segments
// that finished are left out, so every byte outside [pos, end) of the listed
// ones is written. Two lists, because "written" has two strengths:
//   - segments: written to the .part, so in the page cache, which outlives
//     the process (a kill -9, a crash) but not the machine. Saved every
//     second without syncing anything, and trusted only in the boot that
//     wrote it (boot).
//   - synced: on disk, as of the last fdatasync of the .part (every few
//     seconds, and on pause, failure and close), so valid after a power cut.
//
// Syncing a .part every second would write the download to disk while it
// runs, costing a quarter of the CPU time of a fast download on a small
// machine; the page cache writes it anyway, later.
const (
	sidecarMagic   = "potok-segments"
	sidecarVersion = 2 // 1 carried the checksum in its header line
	// maxSidecar and maxSidecarSegments bound what is read: a live download
	// keeps at most about two segments per connection unfinished.
	maxSidecar         = 1 << 20
	maxSidecarSegments = 4096
	maxSidecarSize     = 1 << 60
)

// sidecar is the content of a segments file.
type sidecar struct {
	URL          string     `json:"url"` // the download's URL, as added
	ETag         string     `json:"etag,omitempty"`
	LastModified string     `json:"last_modified,omitempty"`
	Name         string     `json:"name,omitempty"` // from Content-Disposition
	Size         int64      `json:"size"`
	Boot         string     `json:"boot,omitempty"` // the boot Segments holds in; "" where unknown
	Segments     [][3]int64 `json:"segments"`       // unfinished: start, pos, end, as written
	Synced       [][3]int64 `json:"synced"`         // the same as of the last sync
}

var errBadSidecar = errors.New("segments file is damaged")

func sidecarPath(part string) string { return part + safefs.SegmentsSuffix }

// todo is the list of unfinished segments to trust: those written to the
// page cache if the machine has not restarted since, else those synced.
func (sc sidecar) todo() [][3]int64 {
	if sc.Boot != "" && sc.Boot == safefs.BootID() {
		return sc.Segments
	}
	return sc.Synced
}

// left is how many bytes the trusted segments still lack.
func (sc sidecar) left() int64 {
	var n int64
	for _, s := range sc.todo() {
		n += s[2] - s[1]
	}
	return n
}

// check refuses a sidecar whose ranges could not have been written by
// writeSidecar: out of the file, inverted, or overlapping.
func (sc sidecar) check() error {
	if _, err := ParseURL(sc.URL); err != nil {
		return err
	}
	if sc.Size <= 0 || sc.Size > maxSidecarSize {
		return fmt.Errorf("size %d", sc.Size)
	}
	if sc.Name != "" && !safefs.PlainName(sc.Name) {
		return fmt.Errorf("unsafe file name %q", sc.Name)
	}
	if len(sc.Boot) > 64 {
		return fmt.Errorf("boot id of %d bytes", len(sc.Boot))
	}
	for _, list := range [][][3]int64{sc.Segments, sc.Synced} {
		if len(list) > maxSidecarSegments {
			return fmt.Errorf("%d segments", len(list))
		}
		segs := append([][3]int64(nil), list...)
		sort.Slice(segs, func(i, j int) bool { return segs[i][0] < segs[j][0] })
		var prev int64
		for _, s := range segs {
			if s[0] < prev || s[0] > s[1] || s[1] > s[2] || s[0] == s[2] || s[2] > sc.Size {
				return fmt.Errorf("segment %v does not fit a file of %d bytes", s, sc.Size)
			}
			prev = s[2]
		}
	}
	return nil
}

// readSidecar parses a segments file; anything that does not check out is
// errBadSidecar.
func readSidecar(r io.Reader) (sidecar, error) {
	body, err := checkedfile.Read(r, maxSidecar, sidecarMagic, sidecarVersion, errBadSidecar)
	if err != nil {
		return sidecar{}, err
	}
	var sc sidecar
	if err := json.Unmarshal(body, &sc); err != nil {
		return sidecar{}, fmt.Errorf("%w: %v", errBadSidecar, err)
	}
	if err := sc.check(); err != nil {
		return sidecar{}, fmt.Errorf("%w: %v", errBadSidecar, err)
	}
	return sc, nil
}

// encodeSidecar is the exact content writeSidecar puts on disk.
func encodeSidecar(sc sidecar) ([]byte, error) {
	body, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("encode segments file: %w", err)
	}
	var b bytes.Buffer
	err = checkedfile.Write(&b, sidecarMagic, sidecarVersion, func(w io.Writer) error {
		_, err := w.Write(body)
		return err
	})
	return b.Bytes(), err
}

// loadSidecar reads the segments file at path; a missing one is fs.ErrNotExist.
func loadSidecar(path string) (sidecar, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|safefs.OpenNoFollow, 0)
	if err != nil {
		return sidecar{}, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return sidecar{}, fmt.Errorf("%w: not a regular file", errBadSidecar)
	}
	return readSidecar(bufio.NewReader(f))
}

// writeSidecar replaces the segments file at path with sc: written under a
// temporary name in the same folder, then renamed over it, so a crash leaves
// the old content or the new, never a mix. A symlink at path is replaced by
// the rename, not followed. durable syncs the file before the rename, and
// the folder after, for content that must survive a power cut: the first
// file of a download, which must exist before the .part is preallocated, and
// every one with a new synced list.
func writeSidecar(path string, sc sidecar, durable bool) error {
	data, err := encodeSidecar(sc)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	removeOurTemp(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// Not ours to remove: write beside it under a name of its own.
		f, err = os.CreateTemp(filepath.Dir(path), filepath.Base(tmp)+"*")
	}
	if err != nil {
		return fmt.Errorf("save segments file: %w", err)
	}
	tmp = f.Name()
	_, err = f.Write(data)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save segments file: %w", err)
	}
	if durable {
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			d.Sync() // best effort: some systems cannot sync a folder
			d.Close()
		}
	}
	return nil
}

// removeOurTemp removes a temporary segments file left by a crash. A file
// of that name that is not empty and does not start like a segments file
// belongs to someone else and stays.
func removeOurTemp(tmp string) {
	f, err := os.OpenFile(tmp, os.O_RDONLY|safefs.OpenNoFollow, 0)
	if err != nil {
		return
	}
	head := make([]byte, len(sidecarMagic))
	n, _ := io.ReadFull(f, head)
	fi, serr := f.Stat()
	f.Close()
	if serr == nil && fi.Mode().IsRegular() && (n == 0 || string(head[:n]) == sidecarMagic[:n]) {
		os.Remove(tmp)
	}
}

// removeSidecar removes the segments file of part, and its temporary file.
func removeSidecar(part string, log *slog.Logger) {
	p := sidecarPath(part)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && log != nil {
		log.Warn("cannot remove segments file", "path", p, "err", err)
	}
	removeOurTemp(p + ".tmp")
}

// partDone is how many bytes of a .part of partSize bytes are really there:
// partSize, unless a segments file says the preallocated file has holes.
// A damaged segments file means starting over: nothing.
func partDone(part string, partSize int64) int64 {
	sc, err := loadSidecar(sidecarPath(part))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return partSize
	case err != nil || sc.Size != partSize:
		return 0
	}
	return sc.Size - sc.left()
}
