package downloader

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"potok/downloader/internal/safefs"
)

// nameKey is how a reserved name is known: its path in the engine's
// folder, lower-cased, as case-insensitive file systems would collide.
func nameKey(subdir, name string) string { return strings.ToLower(path.Join(subdir, name)) }

// reserveLocked picks the first of name, "name (1)", ... that no other download
// of this engine holds and that does not exist in the folder subdir (of the
// engine's), and holds it.
// Without a queue file, an existing "<name>.part" does not block a name: it
// is resumed. With one, every .part this engine may continue is on record,
// so any other is somebody else's and is left alone.
func (e *Engine) reserveLocked(subdir, name string, id ID) string {
	return e.reserveIn(subdir, name, id, nil)
}

// reserveIn is reserveLocked with what the folder held when the caller
// listed it (nil: not listed): a name in no listing is free on disk without
// asking, so that adding a list of 500 files to an empty folder costs one
// directory read, not 2000 stat calls before the first request goes out.
func (e *Engine) reserveIn(subdir, name string, id ID, listed map[string]bool) string {
	folder := filepath.Join(e.dir, filepath.FromSlash(subdir))
	for n := 0; ; n++ {
		cand := safefs.Numbered(name, n)
		key := nameKey(subdir, cand)
		if _, taken := e.names[key]; taken {
			continue
		}
		if listed != nil && !listed[cand] && !listed[cand+safefs.PartSuffix] && !listed[cand+safefs.PartSuffix+safefs.SegmentsSuffix] {
			e.names[key] = id
			return cand
		}
		p := filepath.Join(folder, cand)
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			continue // a finished file (or something we cannot inspect): never overwritten
		}
		if fi, err := os.Lstat(p + safefs.PartSuffix); err == nil && (!safefs.PlainFile(fi) || e.opts.QueueFile != "") {
			continue // a symlink or folder where the .part would go is never followed
		}
		if fi, err := os.Lstat(sidecarPath(p + safefs.PartSuffix)); err == nil && (!fi.Mode().IsRegular() || e.opts.QueueFile != "") {
			continue // the same for the segments file beside it
		}
		e.names[key] = id
		return cand
	}
}

// place renames the .part to the item's final name without ever replacing a
// file: when the server named the file (Content-Disposition, redirects) and
// the user did not, that name is reserved now; when the name was taken
// meanwhile the next free one is used.
func (e *Engine) place(it *item, part, serverName string) (string, error) {
	e.mu.Lock()
	final, subdir := it.final, it.subdir
	if serverName != "" && !it.fixedName && !strings.EqualFold(serverName, filepath.Base(final)) {
		delete(e.names, it.nameKey)
		name := e.reserveLocked(subdir, serverName, it.id)
		it.nameKey = nameKey(subdir, name)
		final = filepath.Join(filepath.Dir(final), name)
	}
	e.mu.Unlock()
	for range 100 {
		err := safefs.RenameNoReplace(part, final)
		if err == nil {
			return final, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("move finished file into place: %w", err)
		}
		e.mu.Lock()
		delete(e.names, it.nameKey)
		name := e.reserveLocked(subdir, filepath.Base(final), it.id)
		it.nameKey = nameKey(subdir, name)
		final = filepath.Join(filepath.Dir(final), name)
		e.mu.Unlock()
	}
	return "", fmt.Errorf("move finished file into place: no free name near %q", filepath.Base(final))
}

// serverName is the name the server gives the file it answered with: the
// Content-Disposition name, else, when redirects led elsewhere, the last
// element of the URL they led to (/download → /files/real-name.iso is saved
// as real-name.iso, as browsers do). "" when the server says nothing new.
func serverName(resp *http.Response, asked string) string {
	if name := safefs.NameFromContentDisposition(resp.Header.Get("Content-Disposition")); name != "" {
		return name
	}
	if resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	final := resp.Request.URL
	if p := strings.TrimSuffix(final.Path, "/"); p == "" || final.String() == asked {
		return "" // no name of its own: keep the one the URL gave
	}
	if name := safefs.NameFromURL(final.String()); name != safefs.NameFromURL(asked) {
		return name
	}
	return ""
}

// folderListing remembers, for one Add, what each folder it reserves names
// in holds.
type folderListing map[string]map[string]bool

// of returns the names in folder, nil when it cannot be read (then every
// name is asked of the disk).
func (l folderListing) of(folder string) map[string]bool {
	if names, ok := l[folder]; ok {
		return names
	}
	var names map[string]bool
	if ents, err := os.ReadDir(folder); err == nil {
		names = make(map[string]bool, len(ents))
		for _, en := range ents {
			names[en.Name()] = true
		}
	}
	l[folder] = names
	return names
}
