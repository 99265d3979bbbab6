package downloader

import "fmt"

// InputError is what is wrong with a line of a URL list, a per-URL option
// or a header, for a caller that words it itself (in the user's language):
// a kind that stays the same from release to release and what it names.
// Error gives the engine's own words, in English.
type InputError struct {
	Kind InputKind
	// Args are what the words name, by kind: the limit for
	// InputLineTooLong; the line of the first for InputDuplicate; the URL's
	// line for InputDropsURL; the count for InputTooManyFields; the
	// parser's words for InputBadURL; the text as typed (shown, cut) for
	// InputNoScheme, InputChecksum*, InputOutName and InputDir, and the
	// form a checksum is written in for InputChecksumForm; the scheme
	// for InputScheme; the port for InputPort; the option and the value for
	// InputOptionControl; the option and the options taken for
	// InputUnknownOption; the header's name for InputHeaderName and
	// InputHeaderControl; the option for InputInOption.
	Args [2]string
	// Err is the error this one adds to: for InputDropsURL and
	// InputInOption the input error of the option, for InputDuplicate
	// ErrDuplicate; else nil.
	Err  error
	text string
}

func (e *InputError) Error() string { return e.text }
func (e *InputError) Unwrap() error { return e.Err }

// InputKind names a kind of input error.
type InputKind string

// The kinds of input error. A caller that words them itself keeps Error's
// words for kinds it does not know.
const (
	InputLineTooLong      InputKind = "line-too-long"
	InputDuplicate        InputKind = "duplicate"
	InputOptionWithoutURL InputKind = "option-without-url"
	InputDropsURL         InputKind = "drops-url"
	InputTooManyFields    InputKind = "too-many-fields"
	InputBadURL           InputKind = "bad-url"
	InputNoScheme         InputKind = "no-scheme"
	InputScheme           InputKind = "scheme"
	InputNoHost           InputKind = "no-host"
	InputPort             InputKind = "port"
	InputChecksumForm     InputKind = "checksum-form"
	InputChecksumLength   InputKind = "checksum-length"
	InputChecksumAlgo     InputKind = "checksum-algorithm"
	InputOutName          InputKind = "out-name"
	InputDir              InputKind = "dir"
	InputInOption         InputKind = "in-option"
	InputOptionControl    InputKind = "option-control"
	InputUnknownOption    InputKind = "unknown-option"
	InputHeaderNoName     InputKind = "header-no-name"
	InputHeaderName       InputKind = "header-name"
	InputHeaderControl    InputKind = "header-control"
)

// inputError makes an InputError of kind whose English words are format
// filled with args, as fmt.Sprintf fills it; the first two args, as
// fmt.Sprint writes them, are what it names.
func inputError(kind InputKind, format string, args ...any) *InputError {
	e := &InputError{Kind: kind, text: fmt.Sprintf(format, args...)}
	for i, a := range args {
		if i < len(e.Args) {
			e.Args[i] = fmt.Sprint(a)
		}
	}
	return e
}

// over makes e the input error that adds to err.
func (e *InputError) over(err error) *InputError {
	e.Err = err
	return e
}
