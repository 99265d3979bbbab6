package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"potok/compute/lesson"
)

// scalingDoc is what speedup and efficiency mean, in every table and JSON
// of bench io, bench segments and pi (see scaling); their -h says it.
const scalingDoc = `speedup is the time at the first count, times that count, over the time at
this count: T1/Tn when the first count is 1.
efficiency is speedup / count: 1 when every worker (or connection) added paid
in full, 0.5 when each paid half.`

// scaling is what a speedup measurement says of one count of workers (or
// connections) against the first count measured:
//
//	speedup    = seconds at the first count × the first count / seconds at this count
//	efficiency = speedup / count
//
// This is the one definition of both for the command line; compute.Sweep
// computes the same for its rows, in the same order of operations.
type scaling struct {
	Speedup    float64 `json:"speedup"`
	Efficiency float64 `json:"efficiency"`
}

// sweep gathers a speedup measurement, one count at a time, and lays it out.
type sweep struct {
	unit    string // "workers" or "connections": the count's column
	counts  []int
	seconds []float64
	scaled  []scaling
}

// add records count's time and returns its scaling against the first count.
func (s *sweep) add(count int, seconds float64) scaling {
	s.counts = append(s.counts, count)
	s.seconds = append(s.seconds, seconds)
	sp := s.seconds[0] * float64(s.counts[0]) / seconds
	sc := scaling{Speedup: sp, Efficiency: sp / float64(count)}
	s.scaled = append(s.scaled, sc)
	return sc
}

// column is a table column: its title and row i's cell.
type column struct {
	title string
	cell  func(i int) string
}

// table lays the sweep out: the count, mid's columns, speedup and
// efficiency, then tail's columns; under it, when the first count is not 1,
// what speedup is relative to.
func (s *sweep) table(mid, tail []column) table {
	cols := []column{{s.unit, func(i int) string { return strconv.Itoa(s.counts[i]) }}}
	cols = append(cols, mid...)
	cols = append(cols,
		column{"speedup", func(i int) string { return fmt.Sprintf("%.2f", s.scaled[i].Speedup) }},
		column{"efficiency", func(i int) string { return fmt.Sprintf("%.2f", s.scaled[i].Efficiency) }})
	cols = append(cols, tail...)
	var t table
	for _, c := range cols {
		t.header = append(t.header, c.title)
	}
	for i := range s.counts {
		row := make([]string, len(cols))
		for j, c := range cols {
			row[j] = c.cell(i)
		}
		t.rows = append(t.rows, row)
	}
	if len(s.counts) > 0 && s.counts[0] != 1 {
		t.notes = append(t.notes, fmt.Sprintf("speedup is relative to %d %s, scaled by %d", s.counts[0], s.unit, s.counts[0]))
	}
	return t
}

// byMode lays out one table per mode as one: a mode column first, each
// mode's rows in turn, and the notes of all, each once.
func byMode(modes []lesson.Mode, tables []table) table {
	keys := make([][]string, len(modes))
	for i, m := range modes {
		keys[i] = []string{m.String()}
	}
	return byKeys([]string{"mode"}, keys, tables)
}

// byKeys lays out tables as one: the titles' columns first, with keys[i]
// in every row of tables[i], and the notes of all, each once.
func byKeys(titles []string, keys [][]string, tables []table) table {
	var t table
	for i, k := range keys {
		if i == 0 {
			t.header = append(slices.Clone(titles), tables[i].header...)
		}
		for _, r := range tables[i].rows {
			t.rows = append(t.rows, append(slices.Clone(k), r...))
		}
		for _, n := range tables[i].notes {
			if !slices.Contains(t.notes, n) {
				t.notes = append(t.notes, n)
			}
		}
	}
	return t
}

// table is text in right-aligned columns, with lines of notes under it.
type table struct {
	header []string
	rows   [][]string
	notes  []string
}

func (t table) print(w io.Writer) {
	if len(t.header) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(t.header, "\t")+"\t")
		for _, r := range t.rows {
			fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
		}
		tw.Flush()
	}
	for _, n := range t.notes {
		fmt.Fprintln(w, n)
	}
}

// printer is how bench, pi and regress print what they measured: lines and
// a table for a person, or with -json one JSON value and nothing else. A
// failed write is not its business: standard output remembers it (see
// checkedWriter) and run reports it.
type printer struct {
	w    io.Writer
	json bool
}

// linef prints a line of text; with -json, nothing.
func (p printer) linef(format string, args ...any) {
	if !p.json {
		fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// result prints t, or with -json v, indented. It fails only when v has no
// JSON form (a NaN or an infinity, say).
func (p printer) result(t table, v any) error {
	if !p.json {
		t.print(p.w)
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("print the result as JSON: %w", err)
	}
	_, _ = p.w.Write(append(b, '\n'))
	return nil
}

// failed reports err as the failure of the command named cmd ("pi",
// "bench io") and returns the exit code for it, 1.
func failed(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "potok %s: %v\n", cmd, err)
	return 1
}
