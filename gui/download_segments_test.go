package gui

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// shownRow is the row the list shows now for file id, found in the rendered
// list as a user would see it, or nil when no visible row shows it.
func shownRow(tab *downloadTab, id downloader.ID) *fileRow {
	var found *fileRow
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *rowBox:
			if v.r.shown && v.r.id == id {
				found = v.r
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(tab.Files)
	return found
}

// wantFractions is what the strip should draw for f.
func wantFractions(f downloader.FileStatus) []segmentFraction {
	total := float64(f.Size)
	var out []segmentFraction
	for _, g := range *f.Segments {
		out = append(out, segmentFraction{
			Start: float64(g.Start) / total, Filled: float64(g.Start+g.Done) / total, End: float64(g.End) / total,
		})
	}
	return out
}

func sameFractions(a, b []segmentFraction) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i].Start-b[i].Start) > 1e-9 || math.Abs(a[i].Filled-b[i].Filled) > 1e-9 ||
			math.Abs(a[i].End-b[i].End) > 1e-9 {
			return false
		}
	}
	return true
}

// downloadSlowly starts downloading one file of size bytes from a server
// that sends 256 KiB/s per connection, with files of 256 KiB or more fetched
// in segments.
func downloadSlowly(t *testing.T, name string, size int64) *downloadTab {
	t.Helper()
	s := dt.NewServer(dt.WithRate(256 << 10))
	t.Cleanup(s.Close)
	tab := newTestTab(t) // closed before the server: cleanups run last first
	tab.segmentMin = 256 << 10
	tab.URLs.SetText(s.FileURL(name, size))
	test.Tap(tab.Download)
	return tab
}

// TestSegmentedRowExpands downloads a file big enough to come in segments:
// its row offers the expand button while it runs, the button makes the row
// taller with a strip drawing the engine's segments, and the file ends
// byte-exact with the row collapsed again.
func TestSegmentedRowExpands(t *testing.T) {
	const size = 2 << 20 // 8 connections at 256 KiB/s each: about 1 s
	tab := downloadSlowly(t, "big.bin", size)

	var row *fileRow
	tickUntil(t, tab, "the file in segments with its expand button shown", func() bool {
		if len(tab.files) != 1 || tab.files[0].Segments == nil {
			return false
		}
		row = shownRow(tab, tab.files[0].ID)
		return row != nil && row.expand.Visible()
	})
	if row.detail.Visible() || row.expand.Icon != theme.MenuExpandIcon() {
		t.Fatal("a segmented row starts collapsed")
	}
	short := row.box.Size().Height
	test.Tap(row.expand)
	id := tab.files[0].ID
	row = shownRow(tab, id)
	if row == nil || !row.detail.Visible() || row.expand.Icon != theme.MenuDropDownIcon() {
		t.Fatal("tapping expand did not show the segments")
	}
	if h := row.box.Size().Height; h <= short {
		t.Fatalf("expanded row is %v high, collapsed %v", h, short)
	}

	// While it runs, the strip draws what the engine reports, and fills up.
	var filled bool
	tickUntil(t, tab, "segments filling in the strip", func() bool {
		f := tab.files[0]
		if f.State != downloader.StateRunning || f.Segments == nil {
			t.Fatalf("file %s before the strip filled", f.State)
		}
		row = shownRow(tab, id)
		if row == nil || !row.detail.Visible() {
			t.Fatal("the row collapsed by itself while running")
		}
		got, want := row.strip.Fractions(), wantFractions(f)
		if !sameFractions(got, want) {
			t.Fatalf("strip draws %v, engine reports %v", got, want)
		}
		if row.segText.Text != segmentsText(&f) || !strings.HasSuffix(row.segText.Text, trn("%d segments", len(*f.Segments))) {
			t.Fatalf("segments text %q for %d connections, %d segments", row.segText.Text, f.Connections, len(*f.Segments))
		}
		for _, g := range got {
			filled = filled || g.Filled > g.Start
		}
		return filled && f.Connections > 1 && len(got) > 1 && strings.Contains(row.info.Text, " connections")
	})

	tickUntil(t, tab, "done", func() bool { return allIn(tab, 1, downloader.StateDone) })
	row = shownRow(tab, id)
	if row.expand.Visible() || row.detail.Visible() || len(tab.tall) != 0 || len(tab.expanded) != 0 {
		t.Fatalf("a finished row still expanded: button %v, strip %v, tall rows %v", row.expand.Visible(), row.detail.Visible(), tab.tall)
	}
	if h := row.box.Size().Height; h != short {
		t.Fatalf("finished row is %v high, want %v", h, short)
	}
	b := readFile(t, filepath.Join(tab.Folder.Text, "big.bin"))
	if !bytes.Equal(b, dt.Content("big.bin", size)) {
		t.Fatal("big.bin differs")
	}
}

// TestSmallFileHasNoExpandButton: below the threshold a file runs on one
// connection and its row never offers segments.
func TestSmallFileHasNoExpandButton(t *testing.T) {
	const size = 128 << 10 // half a second at 256 KiB/s
	tab := downloadSlowly(t, "small.bin", size)
	ran := false
	tickUntil(t, tab, "done", func() bool {
		if len(tab.files) != 1 {
			return false
		}
		f := tab.files[0]
		ran = ran || f.State == downloader.StateRunning
		row := shownRow(tab, f.ID)
		if f.Segments != nil || f.Connections > 1 || (row != nil && (row.expand.Visible() || row.detail.Visible())) {
			t.Fatalf("a %d-byte file shows segments: %d connections", size, f.Connections)
		}
		return ran && row != nil && f.State == downloader.StateDone
	})
}

// TestExpandedRowFollowsItsFile: heights are kept by list index, so when a
// row above goes away the tall height moves with the expanded file.
func TestExpandedRowFollowsItsFile(t *testing.T) {
	tab := newTestTab(t)
	segs := &downloader.SegmentList{{Start: 0, End: 50, Done: 50}, {Start: 50, End: 100, Done: 10}}
	files := []downloader.FileStatus{
		{ID: 1, Name: "a", State: downloader.StateDone, Size: 10},
		{ID: 2, Name: "b", State: downloader.StateRunning, Size: 100, Connections: 2, Segments: segs},
		{ID: 3, Name: "c", State: downloader.StateRunning, Size: 100, Connections: 2, Segments: segs},
	}
	tab.apply(downloader.Snapshot{Files: files}, nil)
	tab.toggleSegments(3)
	if !tab.tall[2] || len(tab.tall) != 1 {
		t.Fatalf("tall rows %v, want index 2", tab.tall)
	}
	row := shownRow(tab, 3)
	if row == nil || !row.detail.Visible() || !sameFractions(row.strip.Fractions(), []segmentFraction{{0, 0.5, 0.5}, {0.5, 0.6, 1}}) {
		t.Fatalf("row of file 3: %+v", row)
	}
	if other := shownRow(tab, 2); other == nil || other.detail.Visible() || !other.expand.Visible() {
		t.Fatal("file 2 is not expanded but offers the button")
	}
	tab.apply(downloader.Snapshot{Files: files[1:]}, nil) // file 1 cleared
	if !tab.tall[1] || len(tab.tall) != 1 {
		t.Fatalf("tall rows %v after the first row went, want index 1", tab.tall)
	}
	if row := shownRow(tab, 3); row == nil || !row.detail.Visible() {
		t.Fatal("file 3 collapsed when the row above went away")
	}
	if row := shownRow(tab, 2); row == nil || row.detail.Visible() {
		t.Fatal("file 2 took file 3's expanded state")
	}
	tab.apply(downloader.Snapshot{Files: files[2:]}, nil) // file 2 cleared
	tab.toggleSegments(3)
	if len(tab.tall) != 0 || len(tab.expanded) != 0 {
		t.Fatalf("collapsed, yet tall %v expanded %v", tab.tall, tab.expanded)
	}
}
