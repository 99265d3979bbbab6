package lesson

import (
	"fmt"
	"strings"
)

// Mode is how a job's workers run.
type Mode int

const (
	// Goroutines runs each worker as a goroutine: Go as it is.
	Goroutines Mode = iota
	// Processes runs each worker in a child process of the program, started
	// for the run, given its share on stdin and answering on stdout.
	Processes
	// GIL runs each worker as a goroutine that holds one global lock while
	// it computes, as CPython's threads hold their interpreter lock.
	GIL
)

// Modes are the three modes, in the order they are explained.
var Modes = []Mode{Goroutines, Processes, GIL}

var modeNames = [...]string{Goroutines: "goroutines", Processes: "processes", GIL: "gil"}

// String is the mode's name: goroutines, processes or gil.
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode reads a mode's name.
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("%q is not a mode: choose goroutines, processes or gil", s)
}

// ParseModes reads a comma-separated list of modes, like "goroutines,gil",
// each at most once.
func ParseModes(s string) ([]Mode, error) {
	var out []Mode
	for _, f := range strings.Split(s, ",") {
		m, err := ParseMode(f)
		if err != nil {
			return nil, err
		}
		for _, seen := range out {
			if seen == m {
				return nil, fmt.Errorf("mode %s is listed twice in %q", m, s)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// MarshalText writes the mode's name, so JSON carries "gil", not 2.
func (m Mode) MarshalText() ([]byte, error) {
	if m < 0 || int(m) >= len(modeNames) {
		return nil, fmt.Errorf("no such mode: %d", int(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText reads a mode's name.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err == nil {
		*m = v
	}
	return err
}
