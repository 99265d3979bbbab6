package rpc

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"potok/downloader"
)

// addURI is aria2.addUri(uris, options, position): one download of the
// first http(s) URI (aria2 would take the others as mirrors of it; Potok
// fetches from one). The options Potok takes are aria2's per-download ones
// it has: dir (a folder inside the engine's: relative to it, or absolute
// and beneath it), out, header (a string or a list), referer, user-agent,
// checksum (sha-256=HEX) and pause; other names are ignored, as aria2
// ignores names it does not know. position is checked but not used: a new
// download goes to the end.
func (s *Server) addURI(p params) (any, *Error) {
	var raw []json.RawMessage
	if ok, err := p.into(0, &raw); !ok {
		return nil, missing(0)
	} else if err != nil {
		return nil, err
	}
	opts, err := p.object(1)
	if err != nil {
		return nil, err
	}
	if p.has(2) {
		pos, err := p.integer(2)
		if err != nil {
			return nil, err
		}
		if pos < 0 {
			return nil, failf("Position must be greater than or equal to 0.")
		}
	}
	var uris []string
	for _, r := range raw {
		if u, ok := stringValue(r); ok {
			uris = append(uris, u)
		}
	}
	if len(uris) == 0 {
		return nil, failf("URI is not provided.")
	}
	var en downloader.Entry
	var why error
	for _, u := range uris {
		if _, err := downloader.ParseURL(u); err != nil {
			why = err
			continue
		}
		en.URL = u
		break
	}
	if en.URL == "" {
		return nil, failf("No URI to download. %v", why)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	eng, ferr := s.openLocked()
	if ferr != nil {
		return nil, ferr
	}
	s.lookLocked(eng) // the tracker is on this engine before the download is added
	kept, pause, ferr := entryOptions(&en, opts, eng.Dir())
	if ferr != nil {
		return nil, ferr
	}
	en.Tag = s.t.newGID() // kept with the download: the same gid after a restart
	ids, aerr := eng.Add(en)
	if aerr != nil || len(ids) != 1 {
		return nil, failf("%v", aerr)
	}
	e := s.t.add(ids[0], en.Tag, statusWaiting)
	e.opts = kept
	if pause {
		_ = eng.Pause(ids[0])
	}
	return e.gid, nil
}

// entryOptions sets en's options from addUri's, and returns those getOption
// tells back (aria2's names, header as aria2 shows it: one per line).
func entryOptions(en *downloader.Entry, opts map[string]json.RawMessage, folder string) (map[string]string, bool, *Error) {
	kept := map[string]string{}
	pause := false
	for _, k := range sortedKeys(opts) {
		if k == "header" {
			var lines strings.Builder
			for _, h := range stringList(opts[k]) {
				if err := en.SetOption(k, h); err != nil {
					return nil, false, optionError(k, err)
				}
				lines.WriteString(h + "\n")
			}
			if lines.Len() > 0 {
				kept[k] = lines.String()
			}
			continue
		}
		val, ok := stringValue(opts[k])
		if !ok {
			continue // aria2 ignores a value that is not a string
		}
		switch k {
		case "dir":
			sub, err := subfolder(val, folder)
			if err != nil {
				return nil, false, optionError(k, err)
			}
			if sub != "" {
				if err := en.SetOption(k, sub); err != nil {
					return nil, false, optionError(k, err)
				}
			}
		case "out", "referer", "user-agent", "checksum":
			if err := en.SetOption(k, val); err != nil {
				return nil, false, optionError(k, err)
			}
		case "pause":
			switch val {
			case "true":
				pause = true
			case "false":
			default:
				return nil, false, optionError(k, fmt.Errorf("%q: true or false", val))
			}
		default:
			continue
		}
		kept[k] = val
	}
	return kept, pause, nil
}

// subfolder turns a dir option into a folder relative to the engine's
// ("" for the folder itself): a relative one is taken as inside it, an
// absolute one must be the folder or beneath it. Anything else is refused:
// files are only ever written inside the chosen folder.
func subfolder(dir, folder string) (string, error) {
	if !filepath.IsAbs(dir) {
		return dir, nil
	}
	clean := filepath.Clean(dir)
	rel, err := filepath.Rel(folder, clean)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		// The same folder reached through a link is still the folder.
		if real, rerr := filepath.EvalSymlinks(clean); rerr == nil {
			if rel, err = filepath.Rel(folder, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return relOrEmpty(rel), nil
			}
		}
		return "", fmt.Errorf("%q is outside the download folder %s: name a folder inside it", dir, folder)
	}
	return relOrEmpty(rel), nil
}

func relOrEmpty(rel string) string {
	if rel == "." {
		return ""
	}
	return filepath.ToSlash(rel)
}
