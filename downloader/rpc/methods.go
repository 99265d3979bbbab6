package rpc

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"potok/downloader"
)

// aria2Version is the aria2 release whose RPC the server follows, told by
// getVersion so that clients that check it work.
const aria2Version = "1.36.0"

// method is one RPC method: its params have the token taken off.
type method func(s *Server, p params) (any, *Error)

// methodNames lists the methods in the order system.listMethods tells them
// (aria2's order, without what Potok does not do: torrents, metalinks,
// positions, URI changes, peers, servers, sessions saved, shutdown).
var methodNames = []string{
	"aria2.addUri", "aria2.remove", "aria2.pause", "aria2.forcePause", "aria2.pauseAll",
	"aria2.forcePauseAll", "aria2.unpause", "aria2.unpauseAll", "aria2.forceRemove",
	"aria2.tellStatus", "aria2.getUris", "aria2.getFiles", "aria2.tellActive",
	"aria2.tellWaiting", "aria2.tellStopped", "aria2.getOption", "aria2.changeOption",
	"aria2.getGlobalOption", "aria2.changeGlobalOption", "aria2.purgeDownloadResult",
	"aria2.removeDownloadResult", "aria2.getVersion", "aria2.getSessionInfo",
	"aria2.getGlobalStat", "system.multicall", "system.listMethods", "system.listNotifications",
}

var notificationNames = []string{
	"aria2.onDownloadStart", "aria2.onDownloadPause", "aria2.onDownloadStop",
	"aria2.onDownloadComplete", "aria2.onDownloadError",
}

var methods map[string]method

func init() {
	methods = map[string]method{
		"aria2.addUri":               (*Server).addURI,
		"aria2.remove":               (*Server).remove,
		"aria2.forceRemove":          (*Server).remove,
		"aria2.pause":                (*Server).pause,
		"aria2.forcePause":           (*Server).pause,
		"aria2.pauseAll":             func(s *Server, _ params) (any, *Error) { return s.all((*downloader.Engine).PauseAll) },
		"aria2.forcePauseAll":        func(s *Server, _ params) (any, *Error) { return s.all((*downloader.Engine).PauseAll) },
		"aria2.unpause":              (*Server).unpause,
		"aria2.unpauseAll":           func(s *Server, _ params) (any, *Error) { return s.all((*downloader.Engine).ResumeAll) },
		"aria2.tellStatus":           (*Server).tellStatus,
		"aria2.getUris":              (*Server).getURIs,
		"aria2.getFiles":             (*Server).getFiles,
		"aria2.tellActive":           (*Server).tellActive,
		"aria2.tellWaiting":          (*Server).tellWaiting,
		"aria2.tellStopped":          (*Server).tellStopped,
		"aria2.getOption":            (*Server).getOption,
		"aria2.changeOption":         (*Server).changeOption,
		"aria2.getGlobalOption":      (*Server).getGlobalOption,
		"aria2.changeGlobalOption":   (*Server).changeGlobalOption,
		"aria2.purgeDownloadResult":  (*Server).purgeDownloadResult,
		"aria2.removeDownloadResult": (*Server).removeDownloadResult,
		"aria2.getVersion":           (*Server).getVersion,
		"aria2.getSessionInfo":       func(s *Server, _ params) (any, *Error) { return map[string]any{"sessionId": s.session}, nil },
		"aria2.getGlobalStat":        (*Server).getGlobalStat,
		"system.listMethods":         func(*Server, params) (any, *Error) { return methodNames, nil },
		"system.listNotifications":   func(*Server, params) (any, *Error) { return notificationNames, nil },
	}
}

// dispatch runs one call. As in aria2, a first param "token:SECRET" is
// taken off whatever the method; every method but the two lists needs the
// secret, an unknown one too (Unauthorized before "No such method"); a
// multicall has no token of its own, each of its calls has one.
func (s *Server) dispatch(name string, raw []json.RawMessage) (any, *Error) {
	if name == "system.multicall" {
		return s.multicall(params(raw))
	}
	p := params(raw)
	token, given := "", false
	if len(p) > 0 {
		if t, ok := stringValue(p[0]); ok && strings.HasPrefix(t, "token:") {
			token, given, p = strings.TrimPrefix(t, "token:"), true, p[1:]
		}
	}
	open := name == "system.listMethods" || name == "system.listNotifications"
	if !open && !s.authorized(token, given) {
		return nil, errUnauthorized
	}
	m, ok := methods[name]
	if !ok {
		return nil, failf("No such method: %s", name)
	}
	return m(s, p)
}

// multicall runs each call of a list: a success is answered as [result], a
// failure as the bare error object, as aria2 does.
func (s *Server) multicall(p params) (any, *Error) {
	var specs []json.RawMessage
	if ok, err := p.into(0, &specs); !ok {
		return nil, missing(0)
	} else if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(specs))
	for _, spec := range specs {
		var m map[string]json.RawMessage
		if json.Unmarshal(spec, &m) != nil || m == nil {
			out = append(out, failf("system.multicall expected struct."))
			continue
		}
		name, ok := stringValue(m["methodName"])
		if !ok {
			out = append(out, failf("Missing methodName."))
			continue
		}
		if name == "system.multicall" {
			out = append(out, failf("Recursive system.multicall forbidden."))
			continue
		}
		var raw []json.RawMessage
		_ = json.Unmarshal(m["params"], &raw) // anything but a list is no params, as in aria2
		res, err := s.dispatch(name, raw)
		if err != nil {
			out = append(out, err)
		} else {
			out = append(out, []any{res})
		}
	}
	return out, nil
}

// gidRow finds the download a call's first param names.
func (s *Server) gidRow(p params) (*view, *row, *Error) {
	gid, err := p.str(0)
	if err != nil {
		return nil, nil, err
	}
	v := s.look()
	r, err := v.find(gid)
	return v, r, err
}

func (s *Server) pause(p params) (any, *Error) {
	v, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	if (r.status != statusWaiting && r.status != statusActive) || v.eng.Pause(r.f.ID) != nil {
		return nil, failf("GID#%s cannot be paused now", r.gid)
	}
	return r.gid, nil
}

func (s *Server) unpause(p params) (any, *Error) {
	v, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	if r.status != statusPaused || v.eng.Resume(r.f.ID) != nil {
		return nil, failf("GID#%s cannot be unpaused now", r.gid)
	}
	return r.gid, nil
}

// remove cancels a download that has not stopped. Unlike aria2, which
// keeps the partial file, Potok's Cancel removes the .part.
func (s *Server) remove(p params) (any, *Error) {
	v, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	if stopped(r.status) || v.eng.Cancel(r.f.ID) != nil {
		return nil, failf("Active Download not found for GID#%s", r.gid)
	}
	return r.gid, nil
}

func (s *Server) all(f func(*downloader.Engine)) (any, *Error) {
	if v := s.look(); v.eng != nil {
		f(v.eng)
	}
	return "OK", nil
}

func (s *Server) tellStatus(p params) (any, *Error) {
	keys, err := p.keys(1)
	if err != nil {
		return nil, err
	}
	_, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	return status(r, keys), nil
}

func (s *Server) getFiles(p params) (any, *Error) {
	_, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	return status(r, keySet{"files": true})["files"], nil
}

func (s *Server) getURIs(p params) (any, *Error) {
	_, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	if stopped(r.status) {
		return nil, failf("No URI data is available for GID#%s", r.gid)
	}
	return status(r, keySet{"files": true})["files"].([]any)[0].(map[string]any)["uris"], nil
}

// list answers tellActive and its kin with the rows that keep.
func list(rows []*row, keys keySet) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = status(r, keys)
	}
	return out
}

func (v *view) select_(keep func(*row) bool) []*row {
	var out []*row
	for i := range v.rows {
		if keep(&v.rows[i]) {
			out = append(out, &v.rows[i])
		}
	}
	return out
}

func (s *Server) tellActive(p params) (any, *Error) {
	keys, err := p.keys(0)
	if err != nil {
		return nil, err
	}
	v := s.look()
	return list(v.select_(func(r *row) bool { return r.status == statusActive }), keys), nil
}

// tellWaiting lists waiting and paused downloads, in the order they were
// added; tellStopped lists stopped ones in the order they stopped.
func (s *Server) tellWaiting(p params) (any, *Error) {
	return s.page(p, func(v *view) []*row {
		return v.select_(func(r *row) bool { return r.status == statusWaiting || r.status == statusPaused })
	})
}

func (s *Server) tellStopped(p params) (any, *Error) {
	return s.page(p, func(v *view) []*row {
		rows := v.select_(func(r *row) bool { return stopped(r.status) })
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].stopSeq < rows[j].stopSeq })
		return rows
	})
}

// page is aria2's pagination: offset from the start, or from the end when
// negative (then listed backwards), num at most.
func (s *Server) page(p params, pick func(*view) []*row) (any, *Error) {
	offset, err := p.integer(0)
	if err != nil {
		return nil, err
	}
	num, err := p.integer(1)
	if err != nil {
		return nil, err
	}
	keys, err := p.keys(2)
	if err != nil {
		return nil, err
	}
	rows := pick(s.look())
	lo, hi := pageRange(offset, num, int64(len(rows)))
	out := list(rows[lo:hi], keys)
	if offset < 0 {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// pageRange is the part [lo, hi) of size items that offset and num pick.
func pageRange(offset, num, size int64) (lo, hi int64) {
	if num <= 0 {
		return 0, 0
	}
	if offset < 0 {
		last := offset + size
		if last < 0 {
			return 0, 0
		}
		lo = last - (num - 1)
		if lo < 0 {
			return 0, last + 1
		}
		return lo, last + 1
	}
	if offset >= size {
		return 0, 0
	}
	return offset, min(size, offset+num)
}

func (s *Server) getGlobalStat(params) (any, *Error) {
	v := s.look()
	var active, waiting, stoppedN int
	var speed float64
	for i := range v.rows {
		switch r := &v.rows[i]; {
		case r.status == statusActive:
			active++
			if r.f.State == downloader.StateRunning {
				speed += r.f.Speed
			}
		case stopped(r.status):
			stoppedN++
		default:
			waiting++
		}
	}
	return map[string]any{
		"downloadSpeed":   itoa(int64(speed)),
		"uploadSpeed":     "0",
		"numActive":       strconv.Itoa(active),
		"numWaiting":      strconv.Itoa(waiting),
		"numStopped":      strconv.Itoa(stoppedN),
		"numStoppedTotal": strconv.Itoa(v.stopTotal),
	}, nil
}

func (s *Server) getVersion(params) (any, *Error) {
	v := map[string]any{
		"version":         aria2Version,
		"enabledFeatures": []string{"HTTPS", "Message Digest"},
	}
	if s.opts.Version != "" {
		v["potok"] = s.opts.Version
	}
	return v, nil
}

// purgeDownloadResult takes every stopped download off the list: complete
// and removed ones out of the engine (the window's list too, as its "Clear
// done" does), failed ones off the server's lists only, since the engine
// keeps them for Retry.
func (s *Server) purgeDownloadResult(params) (any, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.lookLocked(s.opts.Engine())
	if v.eng != nil {
		v.eng.ClearFinished()
	}
	for i := range v.rows {
		if stopped(v.rows[i].status) {
			s.t.forget(v.rows[i].f.ID)
		}
	}
	return "OK", nil
}

// removeDownloadResult takes one stopped download off the lists: the
// server's, the window's and the queue file's (Engine.Forget).
func (s *Server) removeDownloadResult(p params) (any, *Error) {
	gid, err := p.str(0)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.lookLocked(s.opts.Engine())
	r, err := v.find(gid)
	if err != nil {
		return nil, err
	}
	if !stopped(r.status) {
		return nil, failf("Could not remove download result of GID#%s", r.gid)
	}
	if eng := s.opts.Engine(); eng != nil {
		_ = eng.Forget(r.f.ID) // an engine that no longer has it has forgotten it already
	}
	s.t.forget(r.f.ID)
	return "OK", nil
}

// getOption tells a download's options: its folder and file name, and
// those it was added with by this server (the engine does not tell them).
func (s *Server) getOption(p params) (any, *Error) {
	_, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	o := map[string]any{"dir": filepath.Dir(r.f.Path)}
	if r.f.Path != "" {
		o["out"] = filepath.Base(r.f.Path)
	}
	for k, val := range r.opts {
		o[k] = val
	}
	return o, nil
}

// unchangeable are the options a download is added with that Potok cannot
// change afterwards: changeOption refuses them rather than pretend.
var unchangeable = map[string]bool{"out": true, "dir": true, "header": true, "referer": true,
	"user-agent": true, "checksum": true, "max-download-limit": true, "pause": true}

func (s *Server) changeOption(p params) (any, *Error) {
	_, r, err := s.gidRow(p)
	if err != nil {
		return nil, err
	}
	opts, err := p.object(1)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		return nil, missing(1)
	}
	if stopped(r.status) {
		return nil, failf("Cannot change option for GID#%s", r.gid)
	}
	for _, k := range sortedKeys(opts) {
		val, ok := stringValue(opts[k])
		if !ok || !unchangeable[k] {
			continue // aria2 ignores what it does not know, and values that are not strings
		}
		if n, err := parseSize(val); k == "max-download-limit" && err == nil && n == 0 {
			continue // no limit of its own: what it has
		}
		return nil, optionError(k, fmt.Errorf("Potok cannot change it once a download is added; remove the download and add it again with the option"))
	}
	return "OK", nil
}

func optionError(key string, err error) *Error {
	return failf("We encountered a problem while processing the option '--%s': %v", key, err)
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *Server) getGlobalOption(params) (any, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	eng, err := s.openLocked()
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"dir":                        eng.Dir(),
		"max-concurrent-downloads":   strconv.Itoa(eng.Limit()),
		"max-overall-download-limit": itoa(eng.RateLimit()),
		"split":                      strconv.Itoa(eng.Connections()),
		// What Potok always does, in aria2's words.
		"continue":           "true",
		"allow-overwrite":    "false",
		"auto-file-renaming": "true",
	}, nil
}

// changeGlobalOption sets max-concurrent-downloads (the window's "Parallel
// downloads"), max-overall-download-limit (its speed limit) and split
// (connections per file). dir can only be the folder the engine has.
// Other options are ignored, as aria2 ignores names it does not know.
// Nothing is changed unless every value can be used.
func (s *Server) changeGlobalOption(p params) (any, *Error) {
	opts, err := p.object(0)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		return nil, missing(0)
	}
	s.mu.Lock()
	eng, err := s.openLocked()
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var apply []func()
	var told [][2]string
	for _, k := range sortedKeys(opts) {
		val, ok := stringValue(opts[k])
		if !ok {
			continue
		}
		switch k {
		case "max-concurrent-downloads":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 1 || n > 4096 {
				s.mu.Unlock()
				return nil, optionError(k, fmt.Errorf("%q: a whole number from 1 to 4096", val))
			}
			apply = append(apply, func() { eng.SetLimit(n) })
			told = append(told, [2]string{k, strconv.Itoa(n)})
		case "max-overall-download-limit":
			n, err := parseSize(val)
			if err != nil {
				s.mu.Unlock()
				return nil, optionError(k, err)
			}
			apply = append(apply, func() { eng.SetRateLimit(n) })
			told = append(told, [2]string{k, itoa(n)})
		case "split":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n < 1 || n > downloader.MaxConnections {
				s.mu.Unlock()
				return nil, optionError(k, fmt.Errorf("%q: connections per file, from 1 to %d", val, downloader.MaxConnections))
			}
			apply = append(apply, func() { eng.SetConnections(n) })
			told = append(told, [2]string{k, strconv.Itoa(n)})
		case "dir":
			if filepath.Clean(val) != eng.Dir() {
				s.mu.Unlock()
				return nil, optionError(k, fmt.Errorf("the download folder is %s; choose another in the window, or start serve-rpc with -dir", eng.Dir()))
			}
		}
	}
	for _, f := range apply {
		f()
	}
	s.mu.Unlock()
	if s.opts.OnChange != nil {
		for _, kv := range told {
			s.opts.OnChange(kv[0], kv[1])
		}
	}
	return "OK", nil
}

// parseSize reads aria2's speeds and sizes: bytes, or K and M for KiB and
// MiB ("1M", "512K", "0").
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"), strings.HasSuffix(t, "k"):
		mult, t = 1<<10, t[:len(t)-1]
	case strings.HasSuffix(t, "M"), strings.HasSuffix(t, "m"):
		mult, t = 1<<20, t[:len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult || strings.HasPrefix(t, "+") {
		return 0, fmt.Errorf("%q: bytes per second, like 0 (no limit), 512K or 2M", s)
	}
	return n * mult, nil
}
