package dataset

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		id, target   string
		wantFeatures []string
		wantCols     [][]float64
		wantY        []float64
		wantErr      []string // substrings of the error; nil means no error
	}{
		{
			name: "good", in: "a,b,target\n1,2,3\n4,5.5,6\n", target: "target",
			wantFeatures: []string{"a", "b"}, wantCols: [][]float64{{1, 4}, {2, 5.5}}, wantY: []float64{3, 6},
		},
		{
			name: "ID ignored, text IDs, target in the middle", in: "ID,target,a\n000d6aaf2,38000000.0,0\nx,1e5,2.5\n", id: "ID", target: "target",
			wantFeatures: []string{"a"}, wantCols: [][]float64{{0, 2.5}}, wantY: []float64{3.8e7, 1e5},
		},
		{
			name: "ID column absent", in: "a,target\n1,2\n", id: "ID", target: "target",
			wantFeatures: []string{"a"}, wantCols: [][]float64{{1}}, wantY: []float64{2},
		},
		{
			name: "pandas index column ignored", in: ",ID,target,a\n0,x,1,2\n1,y,3,4\n", id: "ID", target: "target",
			wantFeatures: []string{"a"}, wantCols: [][]float64{{2, 4}}, wantY: []float64{1, 3},
		},
		{
			name: "CRLF", in: "a,target\r\n1,2\r\n3,4\r\n", target: "target",
			wantFeatures: []string{"a"}, wantCols: [][]float64{{1, 3}}, wantY: []float64{2, 4},
		},
		{
			name: "quoted numbers and header", in: "\"a\",\"target\"\n\"1.5\",\"-2\"\n \"3\", 4 \n", target: "target",
			wantFeatures: []string{"a"}, wantCols: [][]float64{{1.5, 3}}, wantY: []float64{-2, 4},
		},
		{
			name: "BOM, no trailing newline, blank line", in: "\uFEFFa,target\n1,2\n\n3,4", target: "target",
			wantFeatures: []string{"a"}, wantCols: [][]float64{{1, 3}}, wantY: []float64{2, 4},
		},
		{
			name: "target only", in: "target\n1\n2\n", target: "target",
			wantFeatures: nil, wantCols: [][]float64{}, wantY: []float64{1, 2},
		},
		{
			name: "missing target column", in: "a,b\n1,2\n", target: "target",
			wantErr: []string{"line 1", `no column named "target"`, `"a", "b"`},
		},
		{
			name: "no target named", in: "a,b\n1,2\n", target: "",
			wantErr: []string{"no target column named"},
		},
		{
			name: "target twice", in: "target,target\n1,2\n", target: "target",
			wantErr: []string{"line 1", "appears twice"},
		},
		{
			name: "nan", in: "a,target\n1,2\nnan,3\n", target: "target",
			wantErr: []string{"line 3", `column "a"`, "NaN", "fill it in"},
		},
		{
			name: "NaN in target", in: "a,target\n1,NaN\n", target: "target",
			wantErr: []string{"line 2", `column "target"`, "NaN"},
		},
		{
			name: "infinite", in: "a,target\n1,2\n+Inf,3\n", target: "target",
			wantErr: []string{"line 3", `column "a"`, "infinite"},
		},
		{
			name: "empty cell", in: "a,b,target\n1,2,3\n4,,6\n", target: "target",
			wantErr: []string{"line 3", `column "b"`, "field 2", "empty"},
		},
		{
			name: "text cell", in: "a,b,target\n1,2,3\n4,five,6\n", target: "target",
			wantErr: []string{"line 3", `column "b"`, `"five" is not a number`},
		},
		{
			name: "out of range", in: "a,target\n1e999,3\n", target: "target",
			wantErr: []string{"line 2", `column "a"`, "out of the range"},
		},
		{
			name: "ragged row short", in: "a,b,target\n1,2,3\n4,5\n", target: "target",
			wantErr: []string{"line 3", "has 2 fields", "header has 3"},
		},
		{
			name: "ragged row long", in: "a,b,target\n1,2,3,4\n", target: "target",
			wantErr: []string{"line 2", "has 4 fields"},
		},
		{
			name: "line numbers count multi-line quoted fields", in: "a,target\n\"1\n\",2\nx,3\n", target: "target",
			wantErr: []string{"line 4", `"x" is not a number`},
		},
		{
			name: "bad quote", in: "a,target\n1,\"2\n", target: "target",
			wantErr: []string{"line 2", "quote"},
		},
		{
			name: "header only", in: "a,target\n", target: "target",
			wantErr: []string{"no data rows"},
		},
		{
			name: "empty input", in: "", target: "target",
			wantErr: []string{"empty", "header row"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadCSV(strings.NewReader(tt.in), tt.id, tt.target, nil)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, want one containing %q", tt.wantErr)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.Features, tt.wantFeatures) {
				t.Errorf("features %q, want %q", f.Features, tt.wantFeatures)
			}
			if len(f.Cols) != len(tt.wantCols) {
				t.Fatalf("%d columns, want %d", len(f.Cols), len(tt.wantCols))
			}
			for j := range f.Cols {
				if !slices.Equal(f.Cols[j], tt.wantCols[j]) {
					t.Errorf("column %d = %v, want %v", j, f.Cols[j], tt.wantCols[j])
				}
			}
			if !slices.Equal(f.Y, tt.wantY) {
				t.Errorf("Y = %v, want %v", f.Y, tt.wantY)
			}
			if f.Rows() != len(tt.wantY) {
				t.Errorf("Rows() = %d", f.Rows())
			}
		})
	}
}

func TestReadCSVFixture(t *testing.T) {
	file, err := os.Open("testdata/friedman1_n1000_p10_seed0.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	f, err := ReadCSV(file, "ID", "target", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows() != 1000 || len(f.Features) != 10 || f.Features[0] != "x0" {
		t.Fatalf("rows %d features %v", f.Rows(), f.Features)
	}
	// sklearn's make_friedman1 with noise 1: residuals of the formula ~ N(0,1).
	var sum, sq float64
	for i := range f.Rows() {
		r := f.Y[i] - friedmanMean(f.Row(i))
		sum += r
		sq += r * r
	}
	mean := sum / 1000
	sd := math.Sqrt(sq/1000 - mean*mean)
	if math.Abs(mean) > 0.15 || sd < 0.85 || sd > 1.15 {
		t.Errorf("residual mean %.3f sd %.3f, want about 0 and 1", mean, sd)
	}
}

// chunkReader returns at most n bytes per Read, like a slow network.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

func TestReadCSVProgress(t *testing.T) {
	// About 3.5 MiB of rows.
	var b bytes.Buffer
	b.WriteString("ID,a,b,target\n")
	for i := 0; b.Len() < 3*progressStep+progressStep/2; i++ {
		b.WriteString("123456,0.123456789,987654.321,42.5\n")
	}
	size := int64(b.Len())
	rows := strings.Count(b.String(), "\n") - 1
	var calls []int64
	f, err := ReadCSV(chunkReader{bytes.NewReader(b.Bytes()), 1000}, "ID", "target", func(n int64) { calls = append(calls, n) })
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows() != rows {
		t.Fatalf("rows %d, want %d", f.Rows(), rows)
	}
	if len(calls) != 4 {
		t.Fatalf("progress called %d times (%v), want 3 at each MiB and one at the end", len(calls), calls)
	}
	for k, c := range calls[:3] {
		if c < int64(k+1)*progressStep || c >= int64(k+1)*progressStep+4096 {
			t.Errorf("call %d at %d bytes, want just past %d", k, c, (k+1)*progressStep)
		}
	}
	if calls[3] != size {
		t.Errorf("last call %d, want %d", calls[3], size)
	}

	// A small file: one call, at the end.
	calls = nil
	if _, err := ReadCSV(strings.NewReader("a,target\n1,2\n"), "", "target", func(n int64) { calls = append(calls, n) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []int64{13}) {
		t.Errorf("calls %v, want [13]", calls)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadCSVReadError(t *testing.T) {
	_, err := ReadCSV(io.MultiReader(strings.NewReader("a,target\n1,2\n"), failingReader{}), "", "target", nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"a,target\n1,2\n",
		"ID,target,a\nx,1,2\r\ny,3,4\r\n",
		",ID,target,a\n0,x,1,2\n",
		"a,target\nnan,1\n",
		"a,target\n\"1\",\"2\"\n",
		"a,b,target\n1,2\n",
		"target\n",
		"",
		"\"",
		"a,target\n1,\"2\n",
		"\uFEFFtarget,target\n1,2\n",
		"a,target\n   \n1,2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadCSV(bytes.NewReader(data), "ID", "target", func(int64) {})
		if err != nil {
			if fr != nil {
				t.Fatal("frame and error both returned")
			}
			return
		}
		if fr.Rows() == 0 || len(fr.Cols) != len(fr.Features) {
			t.Fatalf("rows %d, %d cols for %d features", fr.Rows(), len(fr.Cols), len(fr.Features))
		}
		for _, v := range fr.Y {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite target %v", v)
			}
		}
		for j, col := range fr.Cols {
			if len(col) != fr.Rows() {
				t.Fatalf("column %d has %d values for %d rows", j, len(col), fr.Rows())
			}
			for _, v := range col {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite value %v", v)
				}
			}
		}
	})
}

// BenchmarkReadCSV reads the 1000 × 10 Friedman fixture (about 200 KB).
func BenchmarkReadCSV(b *testing.B) {
	raw, err := os.ReadFile("testdata/friedman1_n1000_p10_seed0.csv")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := ReadCSV(bytes.NewReader(raw), "ID", "target", nil); err != nil {
			b.Fatal(err)
		}
	}
}
