package gui

import (
	"errors"

	"potok/downloader"
)

// inputText words what is wrong with a list line, a per-URL option or a
// header in the window's language, from the stable kind the engine gives
// and what it names; an error of another sort keeps its own words.
func inputText(err error) string {
	var e *downloader.InputError
	if !errors.As(err, &e) {
		return err.Error()
	}
	a := e.Args
	switch e.Kind {
	case downloader.InputLineTooLong:
		return tr("line is longer than %s bytes", a[0])
	case downloader.InputDuplicate:
		return tr("duplicate URL (first on line %s), skipped", a[0])
	case downloader.InputOptionWithoutURL:
		return tr("an option line with no URL before it")
	case downloader.InputDropsURL:
		return tr("%s; the URL of line %s is not used", inputText(e.Err), a[0])
	case downloader.InputTooManyFields:
		return tr("expected a URL and at most one checksum, found %s fields", a[0])
	case downloader.InputBadURL:
		return tr("not a valid URL: %s", a[0])
	case downloader.InputNoScheme:
		return tr("%q has no scheme; write http:// or https:// in front", a[0])
	case downloader.InputScheme:
		return tr("scheme %q is not supported; only http and https are", a[0])
	case downloader.InputNoHost:
		return tr("URL has no host")
	case downloader.InputPort:
		return tr("port %q is not a number from 1 to 65535", a[0])
	case downloader.InputChecksumForm:
		return tr("checksum %q: write it as %s", a[0], a[1])
	case downloader.InputChecksumLength:
		return tr("checksum %q: a SHA-256 is 64 hex digits", a[0])
	case downloader.InputChecksumAlgo:
		return tr("checksum %q: only SHA-256 is checked", a[0])
	case downloader.InputOutName:
		return tr("out=%q: a file name only, with no folder in it and no character a file system refuses", a[0])
	case downloader.InputDir:
		return tr("dir=%q: only a folder inside the download folder can be named (relative, no ..)", a[0])
	case downloader.InputInOption:
		return tr("%s=: %s", a[0], inputText(e.Err))
	case downloader.InputOptionControl:
		return tr("%s=%q: control characters are not allowed in a header", a[0], a[1])
	case downloader.InputUnknownOption:
		return tr("unknown option %q: Potok takes %s", a[0], a[1])
	case downloader.InputHeaderNoName:
		return tr("a header with no name before a colon: write it as Name: value")
	case downloader.InputHeaderName:
		return tr("header name %q is not one: write the header as Name: value", a[0])
	case downloader.InputHeaderControl:
		return tr("header %s: control characters are not allowed in a header's value", a[0])
	}
	return e.Error()
}
