package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"

	"potok/compute/lesson"
)

// newFlagSet returns a FlagSet that reports errors instead of exiting, so that
// each command can return exit code 2 itself. Its usage (-h) ends with the
// paragraphs of notes.
func newFlagSet(name, synopsis string, stderr io.Writer, notes ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: potok %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
		for _, n := range notes {
			fmt.Fprintf(stderr, "\n%s\n", n)
		}
	}
	return fs
}

// parseFlags parses a command's flags. When parsing ends the command (-h, or
// a bad flag, already reported by the FlagSet) it returns the exit code and false.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// parseInterspersed lets flags come after positional arguments too
// ("potok get URL -j 4"), which the flag package alone does not.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// byteSize is a flag value like "2MiB", "32KiB", "1.5MB" or "4096".
type byteSize int64

func (b *byteSize) String() string {
	if *b == 0 {
		return ""
	}
	return humanize.IBytes(uint64(*b))
}

func (b *byteSize) Set(s string) error {
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil || n > 1<<50 {
		return fmt.Errorf("%q is not a size; write it like 32KiB, 2MiB or 1048576", s)
	}
	*b = byteSize(n)
	return nil
}

// intList is a flag value like "1,2,4,8".
type intList []int

func (l *intList) String() string {
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

func (l *intList) Set(s string) error {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 || v > 4096 {
			return fmt.Errorf("%q: expected counts from 1 to 4096 separated by commas, like 1,2,4,8", s)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

// modeList is a flag value like "goroutines,gil,processes": the modes to
// measure, one sweep each.
type modeList []lesson.Mode

func (l *modeList) String() string {
	parts := make([]string, len(*l))
	for i, m := range *l {
		parts[i] = m.String()
	}
	return strings.Join(parts, ",")
}

func (l *modeList) Set(s string) error {
	ms, err := lesson.ParseModes(s)
	if err != nil {
		return err
	}
	*l = ms
	return nil
}

// modeUsage is the -mode flag's line in -h.
const modeUsage = "how the workers run, comma-separated for one sweep each: goroutines, processes (child processes of potok) or gil (goroutines holding one global lock while they compute)"
