package queuefile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"potok/downloader/internal/checkedfile"
	"potok/downloader/internal/safefs"
)

// A queue file holds the downloads of one folder so that they survive a
// restart or a crash, in the frame of checkedfile.go:
//
//	potok-queue 1
//	{"folder": ..., "saved": ..., "files": [...]}
//	sha256 <hex>
const (
	queueMagic   = "potok-queue"
	queueVersion = 1
	// maxQueueFile bounds what Read reads: a million entries at about
	// 300 bytes each, so a hostile file cannot exhaust memory.
	maxQueueFile = 512 << 20
)

// ErrCorrupt reports a queue file that cannot be trusted.
var ErrCorrupt = errors.New("queue file is damaged")

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
	// OneConnection marks a server that got a Range wrong for this file:
	// no segments for it, even after a restart.
	OneConnection bool `json:"one_connection,omitempty"`
	// ServerName is the name the server gave the file (Content-Disposition,
	// or the last URL of its redirects), used when it is moved into place.
	ServerName string `json:"server_name,omitempty"`

	// What the download's Entry asked for of its own.
	Dir        string              `json:"dir,omitempty"` // a subfolder, relative to the folder
	FixedName  bool                `json:"fixed_name,omitempty"`
	Header     map[string][]string `json:"header,omitempty"`
	Referer    string              `json:"referer,omitempty"`
	UserAgent  string              `json:"user_agent,omitempty"`
	Tag        string              `json:"tag,omitempty"`         // the caller's, kept for it
	HTTPStatus int                 `json:"http_status,omitempty"` // of a failed download's last answer
	ErrKind    string              `json:"error_kind,omitempty"`
	ErrArgs    [2]string           `json:"error_args,omitempty"`
}

// Queue is the content of a queue file.
type Queue struct {
	Folder string    `json:"folder"`
	Saved  time.Time `json:"saved"`
	// Journal is the sequence number of the newest journal note this file
	// includes (queuejournal.go).
	Journal uint64   `json:"journal,omitempty"`
	Files   []Record `json:"files"`
}

// Write writes q to path atomically: into a temporary file in the same
// folder, synced, then renamed over the old one, so a crash leaves either the
// old file or the new one, never a mix.
func Write(path string, q Queue) error {
	tmp, err := WriteTemp(path, q, true)
	if err != nil {
		return err
	}
	return Commit(tmp, path)
}

// WriteTemp writes q into a new temporary file beside path, and syncs it
// to the disk when sync is set. Without sync a crash of the program still
// leaves a whole file (the rename is atomic); only a power cut could leave a
// damaged one, which Read detects.
func WriteTemp(path string, q Queue, sync bool) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("create folder for the queue file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return "", fmt.Errorf("save queue: %w", err)
	}
	err = encodeQueue(tmp, q)
	if err == nil && sync {
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

// encodeQueue streams q as a queue file: the same bytes as one json.Marshal
// of q, without holding them all.
func encodeQueue(out io.Writer, q Queue) error {
	return checkedfile.Write(out, queueMagic, queueVersion, func(body io.Writer) error {
		head, err := json.Marshal(struct {
			Folder  string    `json:"folder"`
			Saved   time.Time `json:"saved"`
			Journal uint64    `json:"journal,omitempty"`
		}{q.Folder, q.Saved, q.Journal})
		if err != nil {
			return fmt.Errorf("encode queue: %w", err)
		}
		body.Write(head[:len(head)-1]) // without the closing brace
		io.WriteString(body, `,"files":[`)
		for i, rec := range q.Files {
			b, err := json.Marshal(rec)
			if err != nil {
				return fmt.Errorf("encode queue: %w", err)
			}
			if i > 0 {
				io.WriteString(body, ",")
			}
			body.Write(b)
		}
		_, err = io.WriteString(body, "]}")
		return err
	})
}

func Commit(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save queue: %w", err)
	}
	return nil
}

// Read parses a queue file. Anything that does not check out (header,
// checksum, JSON, a name that is not a plain file name, a record that check,
// the engine's own test of URLs and states, refuses) is ErrCorrupt: the file
// is written only by Write, so damage is the only way to get there.
func Read(r io.Reader, check func(Record) error) (Queue, error) {
	body, err := checkedfile.Read(r, maxQueueFile, queueMagic, queueVersion, ErrCorrupt)
	if err != nil {
		return Queue{}, err
	}
	var q Queue
	if err := json.Unmarshal(body, &q); err != nil {
		return Queue{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for i, rec := range q.Files {
		if err := rec.check(check); err != nil {
			return Queue{}, fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i+1, err)
		}
	}
	return q, nil
}

// check refuses a record that could make the engine write outside its folder,
// and then what the engine's own test refuses (a URL that is not http(s), an
// unknown state).
func (r Record) check(engine func(Record) error) error {
	for _, n := range []string{r.Name, r.Part} {
		if !safefs.PlainName(n) {
			return fmt.Errorf("unsafe file name %q", n)
		}
	}
	if r.ServerName != "" && !safefs.PlainName(r.ServerName) {
		return fmt.Errorf("unsafe file name %q", r.ServerName)
	}
	if !strings.HasSuffix(r.Part, safefs.PartSuffix) {
		return fmt.Errorf("partial file name %q does not end in .part", r.Part)
	}
	if r.SHA256 != "" {
		if b, err := hex.DecodeString(r.SHA256); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("bad sha256 %q", r.SHA256)
		}
	}
	if r.Size < -1 || r.Done < 0 {
		return fmt.Errorf("negative size or progress")
	}
	return engine(r)
}

// Load reads the queue file at path, brought up to date with its
// journal. A missing file is an empty queue. A damaged one is moved aside to
// "<path>.damaged-<time>" (its journal beside it) so that it is kept for
// inspection but never read again, and reported in the error, which wraps
// ErrCorrupt; the queue is then empty.
func Load(path string, check func(Record) error) (Queue, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		// Notes about another queue's files, whose queue file was removed:
		// a new download under one of those names must not inherit them.
		os.Remove(journalPath(path))
		return Queue{}, nil
	}
	if err != nil {
		return Queue{}, fmt.Errorf("open queue file: %w", err)
	}
	q, err := Read(f, check)
	f.Close()
	if err == nil {
		notes, _, jerr := loadJournal(path)
		q.Journal = applyJournal(&q, notes)
		if jerr != nil {
			return q, fmt.Errorf("%s: %w", path, jerr)
		}
		return q, nil
	}
	if !errors.Is(err, ErrCorrupt) {
		return Queue{}, fmt.Errorf("read queue file %s: %w", path, err)
	}
	aside := path + ".damaged-" + time.Now().Format("20060102-150405")
	if rerr := os.Rename(path, aside); rerr != nil {
		return Queue{}, fmt.Errorf("%s: %w; could not move it aside either (%v): remove it by hand", path, err, rerr)
	}
	if rerr := os.Rename(journalPath(path), journalPath(aside)); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		os.Remove(journalPath(path))
	}
	return Queue{}, fmt.Errorf("%s: %w; it was moved to %s and the queue starts empty", path, err, aside)
}

// DefaultPath returns where the queue of the given download folder is
// kept: the user's config folder, one file per download folder, named after
// the folder's real path, so that a folder reached through a symlink has
// the same queue (and lock) as by its own name.
func DefaultPath(dir string) (string, error) {
	abs, err := realPath(dir)
	if err != nil {
		return "", fmt.Errorf("resolve download folder: %w", err)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config folder for the queue file: %w", err)
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	base := safefs.SafeName(filepath.Base(abs))
	return filepath.Join(cfg, "potok", "queues", base+"-"+hex.EncodeToString(sum[:6])+".queue"), nil
}

// realPath is the absolute path of dir with every symlink resolved, also for
// a folder that does not exist yet: the part of it that exists is resolved
// and the rest joined to it.
func realPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	var rest []string
	for p := abs; ; p = filepath.Dir(p) {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if p == filepath.Dir(p) {
			return abs, nil
		}
		rest = append([]string{filepath.Base(p)}, rest...)
	}
}

// ErrBusy reports a queue file another Potok holds.
var ErrBusy = errors.New("another Potok is using this folder")

// BusyError is returned by Lock when another Potok holds the folder's
// queue: two programs on one folder would resume the same .part files and
// race for the same names. PID is the holder's process, 0 when unknown.
type BusyError struct {
	Queue string
	PID   int
}

func (e *BusyError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%v (process %d): wait until it finishes, or choose another folder", ErrBusy, e.PID)
	}
	return fmt.Sprintf("%v: wait until it finishes, or choose another folder", ErrBusy)
}

func (e *BusyError) Unwrap() error { return ErrBusy }
