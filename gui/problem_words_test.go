package gui

import (
	"strings"
	"testing"
	"time"

	"potok/downloader"
)

// allKinds are the engine's kinds of failure, each with what it names.
var allKinds = []downloader.Problem{
	{Kind: downloader.KindHTTPStatus, Args: [2]string{"503", "Service Unavailable"}},
	{Kind: downloader.KindNotFound, Args: [2]string{"404"}},
	{Kind: downloader.KindAccessDenied, Args: [2]string{"403"}},
	{Kind: downloader.KindRangeNotSatisfiable, Args: [2]string{"416"}},
	{Kind: downloader.KindStalled},
	{Kind: downloader.KindConnectionClosed},
	{Kind: downloader.KindConnectionReset},
	{Kind: downloader.KindConnectionRefused},
	{Kind: downloader.KindNoSpace, Args: [2]string{"2.0 GiB", "1.0 GiB"}},
	{Kind: downloader.KindDiskFull},
	{Kind: downloader.KindQuota},
	{Kind: downloader.KindFileTooLarge},
	{Kind: downloader.KindReadOnly},
	{Kind: downloader.KindChecksum},
	{Kind: downloader.KindPermission, Args: [2]string{"/d/x.part"}},
	{Kind: downloader.KindNoSuchHost, Args: [2]string{"nohost.example"}},
	{Kind: downloader.KindLookup, Args: [2]string{"host.example", "server misbehaving"}},
	{Kind: downloader.KindConnectTimeout, Args: [2]string{"10.0.0.1:80"}},
	{Kind: downloader.KindTLSTimeout},
	{Kind: downloader.KindAnswerTimeout},
	{Kind: downloader.KindTimeout},
	{Kind: downloader.KindProxyLogin},
	{Kind: downloader.KindProxyUnreachable, Args: [2]string{"127.0.0.1:3128", "connection refused"}},
	{Kind: downloader.KindCertificateUnknown},
	{Kind: downloader.KindCertificateExpired},
	{Kind: downloader.KindCertificateName, Args: [2]string{"example.com"}},
	{Kind: downloader.KindCertificateInvalid},
}

// TestProblemsAreWordedInRussian: the window words every kind of failure
// itself, in Russian too, naming what the engine named; a kind it does not
// know keeps the engine's English.
func TestProblemsAreWordedInRussian(t *testing.T) {
	const engine = "the engine's words"
	inLanguage(t, langRussian, func() {
		for _, p := range allKinds {
			p.Text = engine
			got := problemText(p)
			if got == engine || strings.ContainsAny(got, "abcdefghijklmnopqrstuvwxyz") && !strings.ContainsFunc(got, func(r rune) bool { return r >= 'а' && r <= 'я' }) {
				t.Errorf("%s: %q is not Russian", p.Kind, got)
			}
			for _, a := range p.Args {
				if a != "" && !strings.Contains(got, a) {
					t.Errorf("%s: %q leaves out %q", p.Kind, got, a)
				}
			}
		}
		if got := problemText(downloader.Problem{Kind: "new-kind", Text: engine}); got != engine {
			t.Errorf("an unknown kind: %q", got)
		}
		p := downloader.Problem{Kind: downloader.KindConnectionReset, InSegment: true, SegmentAt: 1048576, GaveUpAttempts: 5}
		if got, want := problemText(p), "сегмент с байта 1048576: сервер сбросил соединение (попытки прекращены: 5 попыток подряд ничего не принесли)"; got != want {
			t.Errorf("segment, gave up:\n got %q\nwant %q", got, want)
		}
		p = downloader.Problem{Kind: downloader.KindStalled, GaveUpAfter: 6 * time.Hour}
		if got, want := problemText(p), "зависло: данные слишком долго не приходили (попытки прекращены: ошибки продолжаются 6 ч после первой)"; got != want {
			t.Errorf("gave up after a time:\n got %q\nwant %q", got, want)
		}
	})
	p := downloader.Problem{Kind: downloader.KindNotFound, Args: [2]string{"404"}, GaveUpAttempts: 1}
	if got, want := problemText(p), "HTTP 404: the file is not there; check the URL (gave up after 1 attempt that brought nothing)"; got != want {
		t.Errorf("English:\n got %q\nwant %q", got, want)
	}
}
