package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Error is a JSON-RPC error as aria2 sends it: code 1 and a sentence for
// every failure of a method (a bad secret is "Unauthorized"); the JSON-RPC
// codes -32700, -32600 and -32602 only for a body that is not JSON, a call
// that is not one, and params that are not a list.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

// The protocol's own errors, worded as aria2 1.36 words them.
var (
	errParse          = &Error{Code: -32700, Message: "Parse error."}
	errInvalidRequest = &Error{Code: -32600, Message: "Invalid Request."}
	errInvalidParams  = &Error{Code: -32602, Message: "Invalid params."}
	errUnauthorized   = &Error{Code: 1, Message: "Unauthorized"}
)

// failf is a method's failure: code 1, as aria2 answers them all.
func failf(format string, a ...any) *Error {
	return &Error{Code: 1, Message: fmt.Sprintf(format, a...)}
}

// maxBody bounds what one HTTP request or WebSocket message may carry: a
// multicall adding some ten thousand links fits.
const maxBody = 8 << 20

// nullID is the id of an answer to a call whose id could not be read.
var nullID = json.RawMessage("null")

// call is one JSON-RPC call as decoded. Neither "jsonrpc" nor a non-zero id
// is required: aria2's clients send "json-rpc", misspelled, and count ids
// from 0. An id must be present (aria2 answers a call without one, a
// notification in JSON-RPC's terms, with Invalid Request); any JSON value is
// echoed as sent.
type call struct {
	ID     json.RawMessage // compact JSON, never empty
	Method string
	Params []json.RawMessage
	Err    *Error // non-nil: not a usable call; answer this
}

// request is a decoded body: one call, or a batch (a JSON array of calls,
// answered by an array in the same order; an empty batch by []).
type request struct {
	Batch bool
	Calls []call
}

// decodeRequest reads a body. It fails only when the body is not JSON at
// all (Parse error); a call that is JSON but not a call carries its own
// error, so that the rest of a batch is still answered.
func decodeRequest(body []byte) (request, *Error) {
	body = bytes.Trim(body, " \t\r\n") // JSON's own white space only
	if !json.Valid(body) {
		return request{}, errParse
	}
	if len(body) > 0 && body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return request{}, errParse
		}
		req := request{Batch: true, Calls: make([]call, len(items))}
		for i, it := range items {
			req.Calls[i] = decodeCall(it)
		}
		return req, nil
	}
	return request{Calls: []call{decodeCall(body)}}, nil
}

// decodeCall reads one call from valid JSON.
func decodeCall(raw json.RawMessage) call {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return call{ID: nullID, Err: errInvalidRequest}
	}
	c := call{ID: nullID}
	id, ok := fields["id"]
	if !ok {
		c.Err = errInvalidRequest
		return c
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, id); err == nil && buf.Len() > 0 {
		c.ID = buf.Bytes()
	}
	if m, ok := fields["method"]; !ok || isNull(m) || json.Unmarshal(m, &c.Method) != nil {
		c.Err = errInvalidRequest
		return c
	}
	if p, ok := fields["params"]; ok && !isNull(p) {
		if err := json.Unmarshal(p, &c.Params); err != nil {
			c.Err = errInvalidParams
			return c
		}
	}
	return c
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// response is one answer. The result of a call that succeeded is never nil.
type response struct {
	ID      json.RawMessage `json:"id"`
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// notification is what aria2 pushes over a WebSocket: no id, and the gid
// in a one-element list of objects.
type notification struct {
	JSONRPC string           `json:"jsonrpc"`
	Method  string           `json:"method"`
	Params  []map[string]any `json:"params"`
}

// params are a call's parameters once the token is taken off, with aria2's
// words for a missing or mistyped one (positions count from 0, after the
// token).
type params []json.RawMessage

func missing(i int) *Error { return failf("The parameter at %d is required but missing.", i) }
func wrongType(i int) *Error {
	return failf("The parameter at %d has wrong type.", i)
}

func (p params) has(i int) bool { return i < len(p) }

// into decodes parameter i into v; ok is false when it is absent.
func (p params) into(i int, v any) (ok bool, err *Error) {
	if !p.has(i) {
		return false, nil
	}
	if isNull(p[i]) || json.Unmarshal(p[i], v) != nil {
		return true, wrongType(i)
	}
	return true, nil
}

// str is a required string parameter.
func (p params) str(i int) (string, *Error) {
	var s string
	ok, err := p.into(i, &s)
	if !ok {
		return "", missing(i)
	}
	return s, err
}

// integer is a required integer parameter (a JSON number without fraction).
func (p params) integer(i int) (int64, *Error) {
	var n int64
	ok, err := p.into(i, &n)
	if !ok {
		return 0, missing(i)
	}
	return n, err
}

// object is an optional object parameter; nil when absent.
func (p params) object(i int) (map[string]json.RawMessage, *Error) {
	var m map[string]json.RawMessage
	if _, err := p.into(i, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// keys is the optional list of keys of tellStatus and its kin: the strings
// in it (aria2 skips anything else), nil for every key.
func (p params) keys(i int) (keySet, *Error) {
	var list []json.RawMessage
	if ok, err := p.into(i, &list); !ok || err != nil {
		return nil, err
	}
	ks := keySet{}
	for _, raw := range list {
		var k string
		if json.Unmarshal(raw, &k) == nil {
			ks[k] = true
		}
	}
	return ks, nil
}

// keySet is a tellStatus key filter; nil (or empty, as aria2 has it) keeps
// every key.
type keySet map[string]bool

func (k keySet) want(key string) bool { return len(k) == 0 || k[key] }

// stringValue reads an option's value: aria2 takes strings only and
// ignores an option given as a number, a boolean or null.
func stringValue(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// stringList reads a value that may be one string or a list of strings
// (header), skipping what is neither.
func stringList(raw json.RawMessage) []string {
	if s, ok := stringValue(raw); ok {
		return []string{s}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, it := range list {
		if s, ok := stringValue(it); ok {
			out = append(out, s)
		}
	}
	return out
}
