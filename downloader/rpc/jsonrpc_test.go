package rpc

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"potok/downloader"
)

// TestWire pins aria2c 1.36's answers to what clients send, observed with
// curl against aria2c --enable-rpc: the HTTP status, and the answer.
func TestWire(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		body string
		code int
		want string // the answer, as JSON
	}{
		{"misspelled json-rpc and id 0", `{"json-rpc":"2.0","id":0,"method":"aria2.getSessionInfo","params":["token:s3cret"]}`, 200, `{"id":0,"jsonrpc":"2.0","result":{"sessionId":"*"}}`},
		{"no jsonrpc at all, string id", `{"id":"x","method":"aria2.getGlobalStat","params":["token:s3cret"]}`, 200, `{"id":"x","jsonrpc":"2.0","result":{"downloadSpeed":"0","numActive":"0","numStopped":"0","numStoppedTotal":"0","numWaiting":"0","uploadSpeed":"0"}}`},
		{"id null is an id", `{"id":null,"method":"system.listNotifications"}`, 200, `{"id":null,"jsonrpc":"2.0","result":["aria2.onDownloadStart","aria2.onDownloadPause","aria2.onDownloadStop","aria2.onDownloadComplete","aria2.onDownloadError"]}`},
		{"object id echoed", `{"id":{"a":[1, 2]},"method":"system.listNotifications"}`, 200, `{"id":{"a":[1,2]},"jsonrpc":"2.0","result":"*"}`},
		{"no id: Invalid Request", `{"method":"aria2.getVersion","params":["token:s3cret"]}`, 400, `{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request."}}`},
		{"method not a string", `{"id":1,"method":5}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request."}}`},
		{"params an object", `{"id":1,"method":"aria2.getVersion","params":{"a":1}}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params."}}`},
		{"params a string", `{"id":1,"method":"aria2.getVersion","params":"token:s3cret"}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params."}}`},
		{"not JSON", `{bad json`, 500, `{"id":null,"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error."}}`},
		{"not an object", `"aria2.getVersion"`, 400, `{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request."}}`},
		{"empty batch", `[]`, 200, `[]`},
		{"batch answered in order", `[{"id":1,"method":"aria2.getVersion","params":["token:s3cret"]},{"id":2,"method":"aria2.nope"},7]`, 200,
			`[{"id":1,"jsonrpc":"2.0","result":{"enabledFeatures":["HTTPS","Message Digest"],"version":"1.36.0"}},{"id":2,"jsonrpc":"2.0","error":{"code":1,"message":"Unauthorized"}},{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request."}}]`},
		{"wrong secret", `{"id":1,"method":"aria2.getVersion","params":["token:bad"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"Unauthorized"}}`},
		{"no secret", `{"id":1,"method":"aria2.getVersion"}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"Unauthorized"}}`},
		{"secret not first", `{"id":1,"method":"aria2.tellActive","params":[[],"token:s3cret"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"Unauthorized"}}`},
		{"unknown method, with the secret", `{"id":1,"method":"aria2.nope","params":["token:s3cret"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"No such method: aria2.nope"}}`},
		{"lists need no secret", `{"id":1,"method":"system.listMethods","params":["token:wrong"]}`, 200, `{"id":1,"jsonrpc":"2.0","result":"*"}`},
		{"missing param", `{"id":1,"method":"aria2.tellStatus","params":["token:s3cret"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 0 is required but missing."}}`},
		{"param of wrong type", `{"id":1,"method":"aria2.tellStatus","params":["token:s3cret",5]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 0 has wrong type."}}`},
		{"keys of wrong type", `{"id":1,"method":"aria2.tellStatus","params":["token:s3cret","0123456789abcdef","gid"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 1 has wrong type."}}`},
		{"gid not hex", `{"id":1,"method":"aria2.tellStatus","params":["token:s3cret","zz"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"Invalid GID zz"}}`},
		{"gid too long", `{"id":1,"method":"aria2.pause","params":["token:s3cret","0123456789abcdef0"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"Invalid GID 0123456789abcdef0"}}`},
		{"gid unknown", `{"id":1,"method":"aria2.tellStatus","params":["token:s3cret","0123456789abcdef"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"GID 0123456789abcdef is not found"}}`},
		{"tellWaiting wants integers", `{"id":1,"method":"aria2.tellWaiting","params":["token:s3cret","0",10]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 0 has wrong type."}}`},
		{"addUri without URIs", `{"id":1,"method":"aria2.addUri","params":["token:s3cret",[]]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"URI is not provided."}}`},
		{"addUri of a string", `{"id":1,"method":"aria2.addUri","params":["token:s3cret","http://127.0.0.1/x"]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 0 has wrong type."}}`},
		{"addUri options a list", `{"id":1,"method":"aria2.addUri","params":["token:s3cret",["http://127.0.0.1/x"],[]]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 1 has wrong type."}}`},
		{"multicall with a token of its own", `{"id":1,"method":"system.multicall","params":["token:s3cret",[]]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 0 has wrong type."}}`},
		{"multicall without calls", `{"id":1,"method":"system.multicall","params":[]}`, 400, `{"id":1,"jsonrpc":"2.0","error":{"code":1,"message":"The parameter at 0 is required but missing."}}`},
		{"multicall shapes", `{"id":1,"method":"system.multicall","params":[[
			{"methodName":"aria2.getGlobalStat","params":["token:s3cret"]},
			{"methodName":"aria2.tellStatus","params":["token:s3cret","ffffffffffffffff"]},
			{"methodName":"aria2.getVersion","params":["token:bad"]},
			{"methodName":"system.multicall","params":[]},
			{"methodName":"aria2.nope"},
			{"params":[]},
			5,
			{"methodName":"system.listNotifications","params":"not a list"}]]}`, 200,
			`{"id":1,"jsonrpc":"2.0","result":[[{"downloadSpeed":"0","numActive":"0","numStopped":"0","numStoppedTotal":"0","numWaiting":"0","uploadSpeed":"0"}],` +
				`{"code":1,"message":"GID ffffffffffffffff is not found"},{"code":1,"message":"Unauthorized"},{"code":1,"message":"Recursive system.multicall forbidden."},` +
				`{"code":1,"message":"Unauthorized"},{"code":1,"message":"Missing methodName."},{"code":1,"message":"system.multicall expected struct."},` +
				`[["aria2.onDownloadStart","aria2.onDownloadPause","aria2.onDownloadStop","aria2.onDownloadComplete","aria2.onDownloadError"]]]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, got := f.post(tc.body)
			var want any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if code != tc.code || !matches(got, want) {
				g, _ := json.Marshal(got)
				t.Fatalf("HTTP %d %s\nwant %d %s", code, g, tc.code, tc.want)
			}
		})
	}
}

// matches compares decoded JSON, with "*" in want matching anything.
func matches(got, want any) bool {
	if want == "*" {
		return true
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			if gv, ok := g[k]; !ok || !matches(gv, v) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !matches(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

// TestGetForm checks aria2's GET form: the params base64-encoded, the id a
// string.
func TestGetForm(t *testing.T) {
	f := newFixture(t)
	p := base64.StdEncoding.EncodeToString([]byte(`["token:s3cret"]`))
	resp, err := http.Get(f.url() + "?method=aria2.getVersion&id=7&params=" + p)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), `{"id":"7","jsonrpc":"2.0","result":{`) {
		t.Fatalf("HTTP %d %s", resp.StatusCode, b)
	}
	resp, err = http.Get(f.url() + "?method=aria2.getVersion&id=7&params=!!!!")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("bad base64: HTTP %d", resp.StatusCode)
	}
}

// TestHTTPEdges checks the other paths and methods, and CORS for browsers.
func TestHTTPEdges(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.http.URL + "/other")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/other: HTTP %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPut, f.url(), strings.NewReader("{}"))
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: HTTP %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodOptions, f.url(), nil)
	req.Header.Set("Origin", "chrome-extension://abc")
	req.Header.Set("Access-Control-Request-Method", "POST")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight: HTTP %d, %v", resp.StatusCode, resp.Header)
	}
	big := `{"id":1,"method":"aria2.getVersion","params":["` + strings.Repeat("x", maxBody) + `"]}`
	if resp, err = http.Post(f.url(), "application/json", strings.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a body over %d bytes: HTTP %d", maxBody, resp.StatusCode)
	}

	// Without a secret, browsers keep their same-origin rule.
	open := newFixture(t, func(_ *downloader.Options, o *Options) { o.Secret = "" })
	req, _ = http.NewRequest(http.MethodPost, open.url(), strings.NewReader(`{"id":1,"method":"aria2.getVersion"}`))
	req.Header.Set("Origin", "http://evil.example")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no secret: HTTP %d, %v", resp.StatusCode, resp.Header)
	}
}

// FuzzDecodeRequest checks that any body decodes without panicking into
// calls that can be answered: a batch answers each element, every call has
// a method or an error, and every id is JSON that can be sent back.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":0,"method":"aria2.getVersion","params":["token:x"]}`,
		`{"json-rpc":"2.0","id":"q","method":"aria2.addUri","params":["token:x",["http://a/b"],{"out":"c"}]}`,
		`[{"id":1,"method":"a"},{"id":2},3,[],null]`,
		`{"id":null,"method":null,"params":null}`,
		`{"id":1e400,"method":"x","params":{}}`,
		`[]`, `{}`, `null`, `"x"`, ` [ { } ] `, `{"id":{"a":[1,{"b":null}]},"method":"m","params":[1,"2",[3],{"4":5}]}`,
		"{\"id\":\"\\ud800\",\"method\":\"\\u0000\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeRequest(body)
		if err != nil {
			if err != errParse || json.Valid(body) {
				t.Fatalf("error %v for %q", err, body)
			}
			return
		}
		if !req.Batch && len(req.Calls) != 1 {
			t.Fatalf("%d calls in a single request", len(req.Calls))
		}
		if req.Batch {
			var items []json.RawMessage
			if json.Unmarshal(body, &items) != nil || len(items) != len(req.Calls) {
				t.Fatalf("batch of %d answered with %d", len(items), len(req.Calls))
			}
		}
		for _, c := range req.Calls {
			if !json.Valid(c.ID) {
				t.Fatalf("id %q is not JSON", c.ID)
			}
			if _, err := json.Marshal(response{ID: c.ID, JSONRPC: "2.0", Error: c.Err}); err != nil {
				t.Fatalf("answer cannot be encoded: %v", err)
			}
			if c.Err == nil && c.Method == "" && !strings.Contains(string(body), `"method"`) {
				t.Fatalf("a call without a method and without an error: %q", body)
			}
		}
	})
}
