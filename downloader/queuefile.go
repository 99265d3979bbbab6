package downloader

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// A queue file holds the downloads of one folder so that they survive a
// restart or a crash. Its first line is a header with a SHA-256 of the rest,
// so a file that was cut short or edited by hand is detected instead of
// half-read:
//
//	potok-queue 1 <sha256 of the JSON body, hex>
//	{"folder": ..., "saved": ..., "files": [...]}
const (
	queueMagic   = "potok-queue"
	queueVersion = 1
	// maxQueueFile bounds what ReadQueue reads: a million entries at about
	// 300 bytes each, so a hostile file cannot exhaust memory.
	maxQueueFile = 512 << 20
)

// ErrCorruptQueue reports a queue file that cannot be trusted.
var ErrCorruptQueue = errors.New("queue file is damaged")

// Record is one download as kept in a queue file.
type Record struct {
	URL          string `json:"url"`
	Name         string `json:"name"` // the file's name in the folder (reserved until done)
	Part         string `json:"part"` // the partial file's name in the folder
	State        string `json:"state"`
	SHA256       string `json:"sha256,omitempty"` // expected checksum, hex
	Size         int64  `json:"size"`             // -1 while unknown
	Done         int64  `json:"done"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	Err          string `json:"error,omitempty"`
}

// Queue is the content of a queue file.
type Queue struct {
	Folder string    `json:"folder"`
	Saved  time.Time `json:"saved"`
	Files  []Record  `json:"files"`
}

// WriteQueue writes q to path atomically: into a temporary file in the same
// folder, synced, then renamed over the old one, so a crash leaves either the
// old file or the new one, never a mix.
func WriteQueue(path string, q Queue) error {
	tmp, err := writeQueueTemp(path, q)
	if err != nil {
		return err
	}
	return commitQueue(tmp, path)
}

// writeQueueTemp writes and syncs q into a new temporary file beside path.
func writeQueueTemp(path string, q Queue) (string, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return "", fmt.Errorf("encode queue: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("create folder for the queue file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return "", fmt.Errorf("save queue: %w", err)
	}
	w := bufio.NewWriterSize(tmp, 64<<10)
	fmt.Fprintf(w, "%s %d %s\n", queueMagic, queueVersion, hex.EncodeToString(sum[:]))
	w.Write(body)
	w.WriteByte('\n')
	err = w.Flush()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("save queue: %w", err)
	}
	return tmp.Name(), nil
}

func commitQueue(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save queue: %w", err)
	}
	return nil
}

// ReadQueue parses a queue file. Anything that does not check out (header,
// checksum, JSON, a name that is not a plain file name, a URL that is not
// http(s), an unknown state) is ErrCorruptQueue: the file is written only by
// WriteQueue, so damage is the only way to get there.
func ReadQueue(r io.Reader) (Queue, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxQueueFile+1))
	if err != nil {
		return Queue{}, fmt.Errorf("read queue: %w", err)
	}
	if len(data) > maxQueueFile {
		return Queue{}, fmt.Errorf("%w: larger than %d MiB", ErrCorruptQueue, maxQueueFile>>20)
	}
	header, body, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return Queue{}, fmt.Errorf("%w: no header line", ErrCorruptQueue)
	}
	var magic, sumHex string
	var version int
	if n, _ := fmt.Sscanf(string(header), "%s %d %s", &magic, &version, &sumHex); n != 3 || magic != queueMagic {
		return Queue{}, fmt.Errorf("%w: not a queue file", ErrCorruptQueue)
	}
	if version != queueVersion {
		return Queue{}, fmt.Errorf("%w: version %d, this Potok reads version %d", ErrCorruptQueue, version, queueVersion)
	}
	body = bytes.TrimSuffix(body, []byte{'\n'})
	sum := sha256.Sum256(body)
	if want, err := hex.DecodeString(sumHex); err != nil || !bytes.Equal(want, sum[:]) {
		return Queue{}, fmt.Errorf("%w: checksum does not match (cut short or edited)", ErrCorruptQueue)
	}
	var q Queue
	if err := json.Unmarshal(body, &q); err != nil {
		return Queue{}, fmt.Errorf("%w: %v", ErrCorruptQueue, err)
	}
	for i, rec := range q.Files {
		if err := rec.check(); err != nil {
			return Queue{}, fmt.Errorf("%w: entry %d: %v", ErrCorruptQueue, i+1, err)
		}
	}
	return q, nil
}

// check refuses a record that could make the engine write outside its folder
// or act on something other than an http(s) URL.
func (r Record) check() error {
	if _, err := ParseURL(r.URL); err != nil {
		return err
	}
	for _, n := range []string{r.Name, r.Part} {
		if !plainFileName(n) {
			return fmt.Errorf("unsafe file name %q", n)
		}
	}
	if !strings.HasSuffix(r.Part, ".part") {
		return fmt.Errorf("partial file name %q does not end in .part", r.Part)
	}
	if _, ok := parseState(r.State); !ok {
		return fmt.Errorf("unknown state %q", r.State)
	}
	if r.SHA256 != "" {
		if b, err := hex.DecodeString(r.SHA256); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("bad sha256 %q", r.SHA256)
		}
	}
	if r.Size < -1 || r.Done < 0 {
		return fmt.Errorf("negative size or progress")
	}
	return nil
}

// plainFileName reports a name that stays inside the folder it is joined to:
// one path element, not "." or "..", no separators, NUL or control bytes.
func plainFileName(n string) bool {
	if n == "" || n == "." || n == ".." || len(n) > 255 || !utf8.ValidString(n) {
		return false
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return false
		}
	}
	return true
}

func parseState(s string) (State, bool) {
	for i, n := range stateNames {
		if n == s {
			return State(i), true
		}
	}
	return 0, false
}

// LoadQueue reads the queue file at path. A missing file is an empty queue.
// A damaged one is moved aside to "<path>.damaged-<time>" so that it is kept
// for inspection but never read again, and reported in the error, which
// wraps ErrCorruptQueue; the queue is then empty.
func LoadQueue(path string) (Queue, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Queue{}, nil
	}
	if err != nil {
		return Queue{}, fmt.Errorf("open queue file: %w", err)
	}
	q, err := ReadQueue(f)
	f.Close()
	if err == nil {
		return q, nil
	}
	if !errors.Is(err, ErrCorruptQueue) {
		return Queue{}, fmt.Errorf("read queue file %s: %w", path, err)
	}
	aside := path + ".damaged-" + time.Now().Format("20060102-150405")
	if rerr := os.Rename(path, aside); rerr != nil {
		return Queue{}, fmt.Errorf("%s: %w; could not move it aside either (%v): remove it by hand", path, err, rerr)
	}
	return Queue{}, fmt.Errorf("%s: %w; it was moved to %s and the queue starts empty", path, err, aside)
}

// DefaultQueueFile returns where the queue of the given download folder is
// kept: the user's config folder, one file per download folder.
func DefaultQueueFile(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve download folder: %w", err)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config folder for the queue file: %w", err)
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	base := SafeName(filepath.Base(abs))
	return filepath.Join(cfg, "potok", "queues", base+"-"+hex.EncodeToString(sum[:6])+".queue"), nil
}
