package downloader

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// A .netrc (as curl's --netrc and wget read it) gives a login and password
// per machine, and a default for the rest: the engine sends them as HTTP
// Basic to a server whose URL carries no credentials of its own.

type netrcLogin struct{ login, password string }

// netrcFile holds the machines of a .netrc; "" is the default entry.
type netrcFile map[string]netrcLogin

// loadNetrc reads the .netrc at path.
func loadNetrc(path string) (netrcFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the netrc file: %w", err)
	}
	defer f.Close()
	n, err := parseNetrc(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// parseNetrc reads netrc tokens: "machine NAME", "default", then "login",
// "password" (and "account", ignored) for it; "macdef" bodies, which end at
// a blank line, are skipped. The first entry for a machine wins, as in curl.
func parseNetrc(r io.Reader) (netrcFile, error) {
	out := netrcFile{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	var toks []string
	inMacro := false
	for sc.Scan() {
		line := sc.Text()
		if inMacro {
			inMacro = strings.TrimSpace(line) != ""
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		fields := strings.Fields(line)
		for i, f := range fields {
			if f == "macdef" {
				fields = fields[:i]
				inMacro = true
				break
			}
		}
		toks = append(toks, fields...)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	machine, have := "", false
	var cur netrcLogin
	commit := func() {
		if _, seen := out[machine]; have && !seen {
			out[machine] = cur
		}
	}
	for i := 0; i < len(toks); i++ {
		next := func() (string, error) {
			if i+1 >= len(toks) {
				return "", fmt.Errorf("%q at the end, with no value", toks[i])
			}
			i++
			return toks[i], nil
		}
		var err error
		switch toks[i] {
		case "machine":
			commit()
			cur, have = netrcLogin{}, true
			machine, err = next()
			machine = strings.ToLower(machine)
		case "default":
			commit()
			cur, have, machine = netrcLogin{}, true, ""
		case "login":
			cur.login, err = next()
		case "password":
			cur.password, err = next()
			// curl takes a quoted password; quotes are not part of it.
			if len(cur.password) >= 2 && cur.password[0] == '"' && cur.password[len(cur.password)-1] == '"' {
				cur.password = cur.password[1 : len(cur.password)-1]
			}
		case "account":
			_, err = next()
		default:
			return nil, fmt.Errorf("unexpected %q: a netrc holds machine, login, password, account, default and macdef", toks[i])
		}
		if err != nil {
			return nil, err
		}
	}
	commit()
	return out, nil
}

// lookup returns the login for host, or the default one.
func (n netrcFile) lookup(host string) (netrcLogin, bool) {
	if l, ok := n[strings.ToLower(host)]; ok {
		return l, true
	}
	l, ok := n[""]
	return l, ok
}
