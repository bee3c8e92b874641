package signinsim

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

const (
	testTenant   = "4f5e6d7c-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
	testClient   = "0c2d9e1f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
	testSecret   = "s3cr3t~value+with/odd=chars"
	testRedirect = "http://127.0.0.1:3978/auth/callback?from=sim"
	satoID       = "1a2b3c4d-0000-4000-8000-00000000beef"
	otherID      = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	// testState has characters that must survive the round trip exactly.
	testState = "st/ate+1 ?&=é"
)

// rig is a simulator behind a real HTTP server, with an x/oauth2 client
// configured from its discovery document.
type rig struct {
	sim  *Server
	ts   *httptest.Server
	base string
	// browser does not follow redirects, so a test reads Location.
	browser *http.Client
	cfg     oauth2.Config
	ctx     context.Context
	disc    discovery
	now     func() time.Time
}

// newRig starts a simulator mounted as the bot mounts it. Without options
// it registers testClient; pass WithClient to register another app.
func newRig(t *testing.T, opts ...Option) *rig {
	t.Helper()
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	base := ts.URL + "/signin-simulator"
	if len(opts) == 0 {
		opts = []Option{WithClient(testClient, testSecret, testRedirect)}
	}
	sim := New(base, opts...)
	mux.Handle("/signin-simulator/", http.StripPrefix("/signin-simulator", sim))

	browser := *ts.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := &rig{sim: sim, ts: ts, base: base, browser: &browser, now: sim.now,
		ctx: context.WithValue(t.Context(), oauth2.HTTPClient, ts.Client())}

	res := r.get(t, base+"/"+testTenant+"/v2.0/.well-known/openid-configuration")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("discovery: got status %d, want 200", res.StatusCode)
	}
	decode(t, res, &r.disc)
	r.cfg = oauth2.Config{
		ClientID:     testClient,
		ClientSecret: testSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: r.disc.AuthorizationEndpoint, TokenURL: r.disc.TokenEndpoint},
		RedirectURL:  testRedirect,
		Scopes:       []string{"openid", "profile"},
	}
	return r
}

func (r *rig) get(t *testing.T, u string) *http.Response {
	t.Helper()
	res, err := r.browser.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// flow is one authorization request in progress.
type flow struct {
	verifier string
	nonce    string
	tx       string
	page     string
	res      *http.Response
}

// start opens the authorization URL as a browser would and returns the
// sign-in page's transaction. extra adds or overrides parameters.
func (r *rig) start(t *testing.T, hint string, extra ...oauth2.AuthCodeOption) *flow {
	t.Helper()
	f := &flow{verifier: oauth2.GenerateVerifier(), nonce: "n-" + randomToken(12)}
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(f.verifier),
		oauth2.SetAuthURLParam("nonce", f.nonce),
		oauth2.SetAuthURLParam("prompt", "login"),
	}
	if hint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	res := r.get(t, r.cfg.AuthCodeURL(testState, append(opts, extra...)...))
	f.res = res
	f.page = readAll(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("authorize: got status %d, want 200; page:\n%s", res.StatusCode, f.page)
	}
	m := regexp.MustCompile(`name="tx" value="([^"]+)"`).FindStringSubmatch(f.page)
	if m == nil {
		t.Fatalf("authorize: no tx field in page:\n%s", f.page)
	}
	f.tx = m[1]
	return f
}

// answer posts the sign-in page's form.
func (r *rig) answer(t *testing.T, tx, method, account string) *http.Response {
	t.Helper()
	form := url.Values{"tx": {tx}, "method": {method}}
	if account != "" {
		form.Set("account", account)
	}
	res, err := r.browser.PostForm(r.disc.AuthorizationEndpoint, form)
	if err != nil {
		t.Fatalf("POST authorize: %v", err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// answerJSON posts the sign-in page's answer as a script does.
func (r *rig) answerJSON(t *testing.T, tx, method, account string) *http.Response {
	t.Helper()
	body, _ := json.Marshal(submission{TX: tx, Method: method, Account: account})
	res, err := r.browser.Post(r.disc.AuthorizationEndpoint, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST authorize: %v", err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// callback checks that res redirects to testRedirect (keeping its query)
// with testState, and returns the redirect's query.
func callback(t *testing.T, res *http.Response) url.Values {
	t.Helper()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("got status %d, want 302; body:\n%s", res.StatusCode, readAll(t, res))
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", res.Header.Get("Location"), err)
	}
	want, _ := url.Parse(testRedirect)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != want.Scheme+"://"+want.Host+want.Path {
		t.Errorf("redirected to %s, want %s", got, want.Scheme+"://"+want.Host+want.Path)
	}
	q := loc.Query()
	if got := q.Get("from"); got != "sim" {
		t.Errorf("redirect query from = %q, want %q (the redirect URI's own query kept)", got, "sim")
	}
	if got := q.Get("state"); got != testState {
		t.Errorf("state = %q, want %q", got, testState)
	}
	return q
}

// verify checks an ID token's signature against the published JWKS, its
// algorithm, issuer, audience and times, as an OIDC client does, and
// returns its header and claims.
func (r *rig) verify(t *testing.T, raw string) (map[string]any, jwt.MapClaims) {
	t.Helper()
	res := r.get(t, r.disc.JWKSURI)
	var set struct {
		Keys []jwk `json:"keys"`
	}
	decode(t, res, &set)
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		for _, k := range set.Keys {
			if k.KID == tok.Header["kid"] && k.KTY == "RSA" && k.Use == "sig" && k.Alg == "RS256" {
				n, err1 := base64.RawURLEncoding.DecodeString(k.N)
				e, err2 := base64.RawURLEncoding.DecodeString(k.E)
				if err := errors.Join(err1, err2); err != nil {
					return nil, err
				}
				return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
			}
		}
		return nil, errors.New("no key with the token's kid in the JWKS")
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(r.disc.Issuer), jwt.WithAudience(r.cfg.ClientID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(r.now))
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	return tok.Header, claims
}

// tokenError unwraps the token endpoint's error answer.
func tokenError(t *testing.T, err error) (status int, body errorBody) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v, want an *oauth2.RetrieveError", err)
	}
	if err := json.Unmarshal(re.Body, &body); err != nil {
		t.Fatalf("error body %q: %v", re.Body, err)
	}
	return re.Response.StatusCode, body
}

// signins reads /_sim/signins.
func (r *rig) signins(t *testing.T) []signIn {
	t.Helper()
	var out []signIn
	decode(t, r.get(t, r.base+"/_sim/signins"), &out)
	return out
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func decode(t *testing.T, res *http.Response, v any) {
	t.Helper()
	b := readAll(t, res)
	if err := json.Unmarshal([]byte(b), v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
}

// stringList turns a JSON array claim into []string.
func stringList(v any) []string {
	xs, _ := v.([]any)
	var out []string
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// clock is a settable clock for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hasAll reports whether s contains every one of subs.
func hasAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
