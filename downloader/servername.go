package downloader

import (
	"net/http"
	"strings"

	"potok/downloader/internal/safefs"
)

// serverName is the name the server gives the file it answered with: the
// Content-Disposition name, else, when redirects led elsewhere, the last
// element of the URL they led to (/download → /files/real-name.iso is saved
// as real-name.iso, as browsers do). "" when the server says nothing new.
func serverName(resp *http.Response, asked string) string {
	if name := safefs.NameFromContentDisposition(resp.Header.Get("Content-Disposition")); name != "" {
		return name
	}
	if resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	final := resp.Request.URL
	if p := strings.TrimSuffix(final.Path, "/"); p == "" || final.String() == asked {
		return "" // no name of its own: keep the one the URL gave
	}
	if name := safefs.NameFromURL(final.String()); name != safefs.NameFromURL(asked) {
		return name
	}
	return ""
}
