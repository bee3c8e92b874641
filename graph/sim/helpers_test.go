package sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Object ids of the users in testdata/seed.json, and a few unseeded ones.
const (
	satoID    = "6f2b8c1e-4a7d-4e3b-9c51-2d8e0f1a3b4c"
	suzukiID  = "0a9d3e57-1b2c-4f6a-8e7d-5c4b3a291807"
	tanakaID  = "c3e1f4a2-7b6d-4c9e-a8f1-9d2e4b6a8c0f"
	tanakaPix = "a1b2c3d4-e5f6-4a1b-8c2d-3e4f5a6b7c8d"
	anonID    = "1a2b3c4d-0000-4000-8000-00000000beef"
	otherID   = "9e8d7c6b-1111-4111-8111-0000000000aa"
)

// t0 is the simulated "now" of most tests.
var t0 = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)

// testClock is a settable clock for one test.
type testClock struct{ ns atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

func (c *testClock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// seedUsers loads testdata/seed.json.
func seedUsers(t *testing.T) []SeedUser {
	t.Helper()
	users, err := LoadSeedFile("testdata/seed.json")
	if err != nil {
		t.Fatalf("LoadSeedFile: %v", err)
	}
	return users
}

// start serves a simulator with the test seed and a fixed clock over HTTP.
func start(t *testing.T, opts ...Option) (*Server, *httptest.Server) {
	t.Helper()
	opts = append([]Option{WithSeed(seedUsers(t)), WithClock(func() time.Time { return t0 })}, opts...)
	s := New(opts...)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// resp is a response read in full.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// values decodes a {"value":[...]} body.
func (r resp) values(t *testing.T) []map[string]any {
	t.Helper()
	var c struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return c.Value
}

// errCode returns error.code of a Graph error body.
func (r resp) errCode(t *testing.T) string {
	t.Helper()
	var e errorEnvelope
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return e.Error.Code
}

// send makes one request. body is nil (none), a string or []byte (raw), or
// anything else (JSON). header holds name, value pairs.
func send(t *testing.T, base, method, path string, body any, header ...string) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// methodsPath is the authentication path of a user.
func methodsPath(user, rest string) string {
	return "/v1.0/users/" + user + "/authentication/" + rest
}

// debugState fetches GET /_sim/users/{id}.
func debugState(t *testing.T, base, user string) debugUser {
	t.Helper()
	r := send(t, base, http.MethodGet, "/_sim/users/"+user, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /_sim/users/%s: status %d, body %s", user, r.status, r.body)
	}
	var d debugUser
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// testClient has a transport of its own: httptest.Server.Close closes the
// idle connections of http.DefaultTransport, which breaks a request another
// parallel test is just sending on one of them.
var testClient = &http.Client{Transport: &http.Transport{}}
