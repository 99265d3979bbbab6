package gui

import (
	"potok/downloader"
)

// problemText words a download's failure in the window's language, from the
// stable kind the engine gives and what it names. A kind this window does not
// know keeps the engine's English words.
func problemText(p downloader.Problem) string {
	s := problemWords(p)
	if p.InSegment {
		s = tr("segment at byte %d: %s", p.SegmentAt, s)
	}
	switch {
	case p.GaveUpAttempts > 0:
		s += " (" + trn("gave up after %d attempts in a row that brought nothing", p.GaveUpAttempts) + ")"
	case p.GaveUpAfter > 0:
		s += " (" + tr("gave up: still failing %s after the first failure", durationText(p.GaveUpAfter)) + ")"
	}
	if !p.RetryAt.IsZero() {
		s += "; " + tr("the server asks to retry after %s, try again then", p.RetryAt.Local().Format("2006-01-02 15:04"))
	}
	return s
}

// busyText says that another Potok holds the folder, and what to do.
func busyText(e *downloader.QueueBusyError) string {
	if e.PID > 0 {
		return tr("another Potok (process %d) is using this folder: wait until it finishes, or choose another folder", e.PID)
	}
	return tr("another Potok is using this folder: wait until it finishes, or choose another folder")
}

func problemWords(p downloader.Problem) string {
	a := p.Args
	switch p.Kind {
	case "":
		return p.Text
	case downloader.KindNotFound:
		return tr("HTTP %s: the file is not there; check the URL", a[0])
	case downloader.KindAccessDenied:
		return tr("HTTP %s: access denied", a[0])
	case downloader.KindRangeNotSatisfiable:
		return tr("HTTP %s: the partial file does not fit the server's file", a[0])
	case downloader.KindHTTPStatus:
		return tr("the server answered HTTP %s %s", a[0], a[1])
	case downloader.KindStalled:
		return tr("stalled: no data arrived for too long")
	case downloader.KindConnectionClosed:
		return tr("connection closed before the whole file arrived")
	case downloader.KindConnectionReset:
		return tr("connection reset by the server")
	case downloader.KindConnectionRefused:
		return tr("connection refused: is the server running?")
	case downloader.KindNoSpace:
		return tr("not enough space: the file needs %s and the folder's disk has %s free; free some space or choose another folder, then Retry", a[0], a[1])
	case downloader.KindDiskFull:
		return tr("disk full: free some space, then Retry (the partial file is kept)")
	case downloader.KindQuota:
		return tr("disk quota exceeded: free some space or ask for a larger quota, then Retry (the partial file is kept)")
	case downloader.KindFileTooLarge:
		return tr("file too large for this file system (FAT32 stops at 4 GiB): choose a download folder on another file system")
	case downloader.KindReadOnly:
		return tr("the download folder is on a read-only file system: choose another folder")
	case downloader.KindChecksum:
		return tr("the file's SHA-256 does not match the one given (the damaged partial file was removed)")
	case downloader.KindPermission:
		return tr("permission denied writing %s: choose a folder you can write to, or give yourself write access to it, then Retry", a[0])
	case downloader.KindNoSuchHost:
		return tr("no such host %q", a[0])
	case downloader.KindLookup:
		return tr("cannot look up %q: %s", a[0], a[1])
	case downloader.KindConnectTimeout:
		return tr("timed out connecting to %s: check the address and your network", a[0])
	case downloader.KindTLSTimeout:
		return tr("timed out setting up the secure connection (the TLS handshake): the server, or something between, stopped answering")
	case downloader.KindAnswerTimeout:
		return tr("timed out waiting for the server to answer")
	case downloader.KindTimeout:
		return tr("timed out")
	case downloader.KindProxyLogin:
		return tr("the proxy wants a user name and password: give them in Settings, Proxy URL and Proxy password")
	case downloader.KindProxyUnreachable:
		return tr("cannot reach the proxy %s (%s): check Settings, Proxy and HTTPS", a[0], a[1])
	case downloader.KindCertificateUnknown:
		return tr("the server's certificate is signed by an unknown authority; if you trust it, add its CA in Settings, CA certificate")
	case downloader.KindCertificateExpired:
		return tr("the server's certificate has expired or is not valid yet: check this computer's date and time; if they are right, the site must renew it")
	case downloader.KindCertificateName:
		return tr("the server's certificate is not for %s: check the URL; the server may not be the one meant", a[0])
	case downloader.KindCertificateInvalid:
		return tr("the server's certificate cannot be used")
	}
	return p.Text
}
