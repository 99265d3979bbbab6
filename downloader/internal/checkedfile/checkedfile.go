// Package checkedfile is the frame of Potok's own files (a folder's queue,
// a download's segments): a header line naming the kind and version, a JSON
// body, and a trailing SHA-256, so a file cut short or edited is detected.
package checkedfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/dustin/go-humanize"
)

// Potok's own files (a folder's queue, a download's segments) share one
// frame: a header line naming the kind and version, a JSON body, and a last
// line with the body's SHA-256, so a file that was cut short or edited by
// hand is detected instead of half-read:
//
//	potok-queue 1
//	{...}
//	sha256 <hex>
//
// The checksum trails the body so that a body can be streamed, a record at a
// time, without building the whole file in memory first.

// Write writes the frame of magic and version around what body
// writes.
func Write(out io.Writer, magic string, version int, body func(io.Writer) error) error {
	w := bufio.NewWriterSize(out, 64<<10)
	h := sha256.New()
	fmt.Fprintf(w, "%s %d\n", magic, version)
	if err := body(io.MultiWriter(w, h)); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsha256 %s\n", hex.EncodeToString(h.Sum(nil)))
	return w.Flush()
}

// Read reads at most limit bytes of a framed file and returns its
// body. A file that is not of this kind and version, too large, or whose
// checksum does not match is reported wrapping damaged; a failed read is not.
func Read(r io.Reader, limit int, magic string, version int, damaged error) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read %s file: %w", magic, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%w: larger than %s", damaged, humanize.IBytes(uint64(limit)))
	}
	header, rest, ok := bytes.Cut(data, []byte{'\n'})
	if !ok || string(header) != fmt.Sprintf("%s %d", magic, version) {
		if strings.HasPrefix(string(header), magic+" ") {
			return nil, fmt.Errorf("%w: %q is not version %d, the one this Potok reads", damaged, header, version)
		}
		return nil, fmt.Errorf("%w: not a %s file", damaged, magic)
	}
	rest = bytes.TrimSuffix(rest, []byte{'\n'})
	i := bytes.LastIndexByte(rest, '\n')
	if i < 0 {
		return nil, fmt.Errorf("%w: no checksum line (cut short)", damaged)
	}
	body, trailer := rest[:i], rest[i+1:]
	sumHex, ok := strings.CutPrefix(string(trailer), "sha256 ")
	sum := sha256.Sum256(body)
	if want, err := hex.DecodeString(sumHex); !ok || err != nil || !bytes.Equal(want, sum[:]) {
		return nil, fmt.Errorf("%w: checksum does not match (cut short or edited)", damaged)
	}
	return body, nil
}
