package gui

import "potok/downloader"

// A file fetched in segments can show them under its row. widget.List keeps
// row heights by index, so the expanded state is kept by file ID in the tab
// and turned into heights by index whenever the list changes.

// toggleSegments expands or collapses the segments of file id.
func (t *downloadTab) toggleSegments(id downloader.ID) {
	if t.expanded[id] {
		delete(t.expanded, id)
	} else {
		if t.expanded == nil {
			t.expanded = make(map[downloader.ID]bool)
		}
		t.expanded[id] = true
	}
	t.syncRowHeights()
	t.Files.Refresh() // rows skip themselves unless their file or this state changed
}

// rowExpanded says whether the row of f shows its segments.
func (t *downloadTab) rowExpanded(f *downloader.FileStatus) bool {
	return f.Segments != nil && t.expanded[f.ID]
}

// syncRowHeights gives the expanded rows of t.files the tall height and every
// other row the template's. It costs nothing while no row is expanded (and
// the list keeps its fast path of uniform rows until one is); otherwise one
// pass over the files. It forgets files that are gone or finished.
func (t *downloadTab) syncRowHeights() {
	if len(t.expanded) == 0 && len(t.tall) == 0 {
		return
	}
	want := make(map[int]bool, len(t.expanded))
	seen := 0
	for i := range t.files {
		f := &t.files[i]
		if !t.expanded[f.ID] {
			continue
		}
		seen++
		switch {
		case f.State == downloader.StateDone || f.State == downloader.StateCancelled:
			delete(t.expanded, f.ID)
		case f.Segments != nil:
			want[i] = true
		}
	}
	if seen < len(t.expanded) { // some files left the list
		keep := make(map[downloader.ID]bool, seen)
		for i := range t.files {
			if t.expanded[t.files[i].ID] {
				keep[t.files[i].ID] = true
			}
		}
		t.expanded = keep
	}
	short, tall := t.rowHeights()
	for i := range t.tall {
		if !want[i] {
			delete(t.tall, i)
			t.Files.SetItemHeight(i, short)
		}
	}
	for i := range want {
		if !t.tall[i] {
			if t.tall == nil {
				t.tall = make(map[int]bool)
			}
			t.tall[i] = true
			t.Files.SetItemHeight(i, tall)
		}
	}
}

// rowHeights are a row's height collapsed (the list's template height) and
// expanded.
func (t *downloadTab) rowHeights() (short, tall float32) {
	if t.shortH == 0 {
		r := t.newRow()
		t.shortH = r.box.MinSize().Height
		r.detail.Show()
		t.tallH = r.box.MinSize().Height
	}
	return t.shortH, t.tallH
}

// segmentsText is the line beside the strip: "8 connections · 23 segments".
func segmentsText(f *downloader.FileStatus) string {
	n := 0
	if f.Segments != nil {
		n = len(*f.Segments)
	}
	return trn("%d connections", f.Connections) + " · " + trn("%d segments", n)
}
