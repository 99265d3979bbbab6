package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

// TestClipboardOffersLinksOnce: with watching on, a copied link is offered
// once (Ignore, and it is not offered again, even copied anew); plain text
// never; what the clipboard held when watching began is not; a copied list
// is added by Add. Off (the default), nothing is looked at.
func TestClipboardOffersLinksOnce(t *testing.T) {
	s := dt.NewServer()
	defer s.Close()
	mw, _, a := newRecordedWindow(t)
	tab := mw.Downloads
	clip := a.Clipboard()
	offered := func() bool { mw.tickWindow(true, false); return mw.Offer.box.Visible() }

	clip.SetContent("https://example.com/before.iso")
	if offered() {
		t.Fatal("offered with watching off")
	}
	d := openSettings(t, tab)
	if d.WatchClipboard.Checked {
		t.Fatal("clipboard watching is on by default")
	}
	d.WatchClipboard.SetChecked(true)
	test.Tap(d.Apply)
	if offered() {
		t.Fatal("what the clipboard held before watching began was offered")
	}

	one := s.FileURL("copied.bin", 10)
	clip.SetContent(one)
	if !offered() || !strings.Contains(mw.Offer.Text.Text, "copied.bin") {
		t.Fatalf("a copied link not offered: %q", mw.Offer.Text.Text)
	}
	test.Tap(mw.Offer.Ignore)
	if offered() {
		t.Fatal("offered again after Ignore")
	}
	for _, text := range []string{"just some words", "see https://example.com/x.iso here", one} {
		clip.SetContent(text)
		if offered() {
			t.Fatalf("%q offered", text)
		}
	}
	if len(tab.files) != 0 {
		t.Fatal("something was added without Add")
	}

	clip.SetContent(s.FileURL("l1.bin", 10) + "\n" + s.FileURL("l2.bin", 20) + "\n")
	if !offered() || !strings.HasPrefix(mw.Offer.Text.Text, "Copied 2 links") {
		t.Fatalf("a copied list: %q", mw.Offer.Text.Text)
	}
	mw.Tabs.SelectIndex(1)
	test.Tap(mw.Offer.Add)
	if mw.Offer.box.Visible() || mw.Tabs.SelectedIndex() != 0 {
		t.Fatal("the offer stays after Add, or the Download tab is not shown")
	}
	tickUntil(t, tab, "the two links done", func() bool { return allIn(tab, 2, downloader.StateDone) })

	// Hidden in the tray, a notification says there is an offer.
	mw.hidden = true
	want := fyne.NewNotification("Potok: links copied", "Show Potok from its tray icon to add them.")
	test.AssertNotificationSent(t, want, func() {
		clip.SetContent(s.FileURL("hidden.bin", 10))
		if !offered() {
			t.Fatal("not offered while hidden")
		}
	})
}
