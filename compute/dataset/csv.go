package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// progressStep is how many bytes pass between two progress callbacks.
const progressStep = 1 << 20

// countingReader counts the bytes read through it and reports them to
// progress each time another progressStep bytes have gone by.
type countingReader struct {
	r        io.Reader
	n        int64
	next     int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	if c.progress != nil && c.n >= c.next {
		c.progress(c.n)
		for c.next <= c.n {
			c.next += progressStep
		}
	}
	return k, err
}

// ReadCSV streams a CSV file with a header row into a Frame.
//
// idCol (e.g. "ID") is ignored if present (its values may be text); pass ""
// if there is none. targetCol (e.g. "target") is the value to predict and
// must be present. A column whose header is empty (the row index pandas
// writes with to_csv, shown by pandas as "Unnamed: 0") is ignored too. Every
// other column is a feature and must hold finite numbers in every row.
// Fields are separated by commas; quoted fields, CRLF line ends, spaces
// around numbers and a UTF-8 byte-order mark are accepted.
//
// Errors name the line (1 is the header) and the column, and say what to
// do: a NaN or infinite value, an empty cell, a non-number, a row with the
// wrong number of fields, a missing target column, a file with no data rows.
//
// progress, if not nil, is called with the number of bytes read so far each
// time another 1 MiB has been read, and once more at the end of the input.
func ReadCSV(r io.Reader, idCol, targetCol string, progress func(bytesRead int64)) (*Frame, error) {
	if targetCol == "" {
		return nil, errors.New("dataset: no target column named; pass the header of the column to predict (e.g. \"target\")")
	}
	cr := &countingReader{r: r, progress: progress, next: progressStep}
	cs := csv.NewReader(cr)
	cs.FieldsPerRecord = -1 // checked here, with a clearer message
	cs.ReuseRecord = true
	cs.TrimLeadingSpace = true

	names, err := readHeader(cs)
	if err != nil {
		return nil, err
	}
	roles, features, err := columnRoles(names, idCol, targetCol)
	if err != nil {
		return nil, err
	}
	f := &Frame{Features: features, Cols: make([][]float64, len(features))}
	if err := readRows(cs, names, roles, f); err != nil {
		return nil, err
	}
	if progress != nil {
		progress(cr.n)
	}
	if len(f.Y) == 0 {
		return nil, errors.New("dataset: the CSV has a header but no data rows; add at least one row of values below the header")
	}
	return f, nil
}

// readHeader reads the header row: the column names, trimmed, without a
// UTF-8 byte-order mark.
func readHeader(cs *csv.Reader) ([]string, error) {
	header, err := cs.Read()
	if err == io.EOF {
		return nil, errors.New("dataset: the CSV is empty; expected a header row naming the columns, then one row per sample")
	}
	if err != nil {
		return nil, csvError(err)
	}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.TrimSpace(h)
	}
	if len(names) > 0 {
		names[0] = strings.TrimPrefix(names[0], "\uFEFF")
	}
	return names, nil
}

// The role of a field that is not a feature (a feature's role is its index
// j >= 0 in Frame.Cols).
const (
	roleIgnored = -1 // the ID column, or one with an empty header
	roleTarget  = -2
)

// columnRoles gives each column of the header its role and names the
// features, in file order. The target must be there, the target and the ID
// column once each.
func columnRoles(names []string, idCol, targetCol string) (roles []int, features []string, err error) {
	roles = make([]int, len(names))
	targetAt, idAt := -1, -1
	for i, name := range names {
		switch {
		case name == targetCol:
			if targetAt >= 0 {
				return nil, nil, fmt.Errorf("dataset: line 1: the target column %q appears twice (fields %d and %d); rename one of them", targetCol, targetAt+1, i+1)
			}
			targetAt = i
			roles[i] = roleTarget
		case idCol != "" && name == idCol:
			if idAt >= 0 {
				return nil, nil, fmt.Errorf("dataset: line 1: the ID column %q appears twice (fields %d and %d); rename one of them", idCol, idAt+1, i+1)
			}
			idAt = i
			roles[i] = roleIgnored
		case name == "":
			roles[i] = roleIgnored
		default:
			roles[i] = len(features)
			features = append(features, name)
		}
	}
	if targetAt < 0 {
		return nil, nil, fmt.Errorf("dataset: line 1: no column named %q to predict; the header has %s; rename the target column or choose another one",
			targetCol, describeHeader(names))
	}
	return roles, features, nil
}

// readRows reads the data rows into f's columns and target, each field by
// its role.
func readRows(cs *csv.Reader, names []string, roles []int, f *Frame) error {
	for {
		rec, err := cs.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := cs.FieldPos(0)
		if len(rec) != len(names) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(names) > 1 {
				// A line of spaces only; encoding/csv already skips empty lines.
				continue
			}
			return fmt.Errorf("dataset: line %d has %d fields, the header has %d; every row needs one value per column (look for a missing or extra comma)",
				line, len(rec), len(names))
		}
		for i, field := range rec {
			role := roles[i]
			if role == roleIgnored {
				continue
			}
			v, err := parseCell(field)
			if err != nil {
				l, c := cs.FieldPos(i)
				return fmt.Errorf("dataset: line %d, column %q (field %d, character %d): %v", l, names[i], i+1, c, err)
			}
			if role == roleTarget {
				f.Y = append(f.Y, v)
			} else {
				f.Cols[role] = append(f.Cols[role], v)
			}
		}
	}
}

// parseCell reads one numeric cell, with an error that says what to do.
func parseCell(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("the cell is empty; fill in a number (or drop the row or column)")
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is out of the range of float64; rescale the column", t)
		}
		return 0, fmt.Errorf("%q is not a number; every column except the ID must be numeric (encode text categories as numbers, or drop the column)", truncate(t, 40))
	}
	if math.IsNaN(v) {
		return 0, fmt.Errorf("%q is a missing value (NaN); fill it in (e.g. with the column's mean) or drop the row", t)
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is infinite; replace it with a finite number or drop the row", t)
	}
	return v, nil
}

// csvError rewords encoding/csv's errors, which already carry the line.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		hint := "check the file is a comma-separated CSV"
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			hint = "a quote (\") inside a field must be doubled, and a quoted field must end with a quote"
		}
		return fmt.Errorf("dataset: line %d, character %d: %v; %s", pe.Line, pe.Column, pe.Err, hint)
	}
	return fmt.Errorf("dataset: reading the CSV: %w", err)
}

func describeHeader(names []string) string {
	const show = 8
	var quoted []string
	for i, n := range names {
		if i == show {
			quoted = append(quoted, fmt.Sprintf("… (%d columns in all)", len(names)))
			break
		}
		quoted = append(quoted, strconv.Quote(truncate(n, 40)))
	}
	return strings.Join(quoted, ", ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
