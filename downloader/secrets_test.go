package downloader_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"potok/downloader"
	dt "potok/downloader/demoserver"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsNeverShown: downloads of user:password@ URLs that fail in
// several ways leave the password in no error, event or log line.
func TestSecretsNeverShown(t *testing.T) {
	const secret = "s3cr3t-pw"
	missing := newServer(t, dt.WithStatus(404))
	slow := newServer(t, dt.WithTTFB(5*time.Second))
	flaky := newServer(t, dt.WithFailFirst(1, 503))
	var logs syncBuffer
	e := newEngine(t, downloader.Options{Retries: 1, StallTimeout: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	withPassword := func(u string) string { return strings.Replace(u, "http://", "http://user:"+secret+"@", 1) }
	add(t, e, withPassword(missing.FileURL("a.bin", 10)), withPassword(slow.FileURL("b.bin", 10)),
		withPassword(flaky.FileURL("c.bin", 10)))
	_, err := e.Add(downloader.Entry{URL: "ftp://user:" + secret + "@host/x"})
	snap := wait(t, e)
	var shown []string
	if err != nil {
		shown = append(shown, err.Error())
	}
	for _, f := range snap.Files {
		shown = append(shown, f.Err, downloader.RedactURL(f.URL))
	}
	for _, ev := range e.Events(0) {
		shown = append(shown, ev.String(), ev.Err)
	}
	shown = append(shown, logs.String())
	for _, s := range shown {
		if strings.Contains(s, secret) {
			t.Errorf("the password is shown in %q", s)
		}
	}
	if snap.Failed != 2 || snap.Done != 1 {
		t.Fatalf("%+v", snap.Totals)
	}
}
