package stepup_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mfadesk/mfadesk/bot/stepup"
	"github.com/mfadesk/mfadesk/bot/stepup/signinsim"
)

const (
	tenant      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	otherTenant = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	user        = "1a2b3c4d-0000-4000-8000-00000000beef"
	otherUser   = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	clientID    = "0c2d9e1f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
	secret      = "s3cr3t~value+with/odd=chars"
	redirectURL = "https://mfadesk.example/auth/callback"
)

func TestJudge(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	const maxAge = 5 * time.Minute
	req := stepup.Request{State: "state", Nonce: "nonce-1", Verifier: "verifier"}
	// good is a sign-in that passes without an authentication context.
	good := func() stepup.Claims {
		return stepup.Claims{OID: user, TID: tenant, Nonce: req.Nonce, AuthTime: now.Add(-time.Minute),
			AMR: []string{"pwd", "mfa"}}
	}
	tests := []struct {
		name        string
		authContext string
		edit        func(*stepup.Claims)
		want        stepup.Verdict
	}{
		{name: "mfa sign-in", want: stepup.OK},
		{name: "nonce of another request", edit: func(c *stepup.Claims) { c.Nonce = "nonce-2" }, want: stepup.Replayed},
		{name: "no nonce", edit: func(c *stepup.Claims) { c.Nonce = "" }, want: stepup.Replayed},
		{name: "nonce in another case", edit: func(c *stepup.Claims) { c.Nonce = strings.ToUpper(req.Nonce) }, want: stepup.Replayed},
		{name: "nonce checked before everything else", want: stepup.Replayed, edit: func(c *stepup.Claims) {
			c.Nonce, c.TID, c.OID, c.AuthTime, c.AMR = "nonce-2", otherTenant, otherUser, time.Time{}, nil
		}},
		{name: "other tenant", edit: func(c *stepup.Claims) { c.TID = otherTenant }, want: stepup.WrongTenant},
		{name: "no tenant", edit: func(c *stepup.Claims) { c.TID = "" }, want: stepup.WrongTenant},
		{name: "tenant in upper case", edit: func(c *stepup.Claims) { c.TID = strings.ToUpper(tenant) }, want: stepup.OK},
		{name: "tenant checked before the person", edit: func(c *stepup.Claims) { c.TID, c.OID = otherTenant, otherUser }, want: stepup.WrongTenant},
		{name: "other person", edit: func(c *stepup.Claims) { c.OID = otherUser }, want: stepup.OtherPerson},
		{name: "no object id", edit: func(c *stepup.Claims) { c.OID = "" }, want: stepup.OtherPerson},
		{name: "object id in upper case", edit: func(c *stepup.Claims) { c.OID = strings.ToUpper(user) }, want: stepup.OK},
		{name: "person checked before the sign-in's strength", edit: func(c *stepup.Claims) { c.OID, c.AMR = otherUser, []string{"pwd"} }, want: stepup.OtherPerson},
		{name: "no auth_time", edit: func(c *stepup.Claims) { c.AuthTime = time.Time{} }, want: stepup.Weak},
		{name: "auth_time beyond the clock skew", edit: func(c *stepup.Claims) { c.AuthTime = now.Add(3 * time.Minute) }, want: stepup.Weak},
		{name: "auth_time within the clock skew", edit: func(c *stepup.Claims) { c.AuthTime = now.Add(time.Minute) }, want: stepup.OK},
		{name: "signed in just now", edit: func(c *stepup.Claims) { c.AuthTime = now }, want: stepup.OK},
		{name: "signed in exactly MaxAge ago", edit: func(c *stepup.Claims) { c.AuthTime = now.Add(-maxAge) }, want: stepup.OK},
		{name: "signed in longer ago than MaxAge", edit: func(c *stepup.Claims) { c.AuthTime = now.Add(-maxAge - time.Second) }, want: stepup.Stale},
		{name: "stale mfa sign-in is stale, not weak", edit: func(c *stepup.Claims) { c.AuthTime = now.Add(-time.Hour) }, want: stepup.Stale},
		{name: "password only", edit: func(c *stepup.Claims) { c.AMR = []string{"pwd"} }, want: stepup.Weak},
		{name: "no amr", edit: func(c *stepup.Claims) { c.AMR = nil }, want: stepup.Weak},
		{name: "windows hello (ngcmfa)", edit: func(c *stepup.Claims) { c.AMR = []string{"ngcmfa"} }, want: stepup.OK},
		{name: "acrs without an authentication context proves nothing", edit: func(c *stepup.Claims) {
			c.AMR, c.ACRS = []string{"pwd"}, []string{"c1"}
		}, want: stepup.Weak},
		{name: "context: acrs has it", authContext: "c1", edit: func(c *stepup.Claims) { c.ACRS = []string{"c1"} }, want: stepup.OK},
		{name: "context: acrs has it among others", authContext: "c1", edit: func(c *stepup.Claims) { c.ACRS = []string{"c2", "c1"} }, want: stepup.OK},
		{name: "context: amr is irrelevant", authContext: "c1", edit: func(c *stepup.Claims) {
			c.AMR, c.ACRS = []string{"pwd"}, []string{"c1"}
		}, want: stepup.OK},
		{name: "context: no acrs although amr says mfa", authContext: "c1", want: stepup.Weak},
		{name: "context: another context", authContext: "c1", edit: func(c *stepup.Claims) { c.ACRS = []string{"c2"} }, want: stepup.Weak},
		{name: "context: stale", authContext: "c1", edit: func(c *stepup.Claims) {
			c.ACRS, c.AuthTime = []string{"c1"}, now.Add(-maxAge-time.Second)
		}, want: stepup.Stale},
		{name: "context: no auth_time", authContext: "c1", edit: func(c *stepup.Claims) {
			c.ACRS, c.AuthTime = []string{"c1"}, time.Time{}
		}, want: stepup.Weak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := stepup.New(stepup.Config{Authority: "https://login.example/", ClientID: clientID, MaxAge: maxAge,
				AuthContext: tt.authContext, Now: func() time.Time { return now }})
			c := good()
			if tt.edit != nil {
				tt.edit(&c)
			}
			if got := p.Judge(c, user, tenant, req); got != tt.want {
				t.Errorf("Judge(%+v) = %q, want %q", c, got, tt.want)
			}
		})
	}
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	a, err := stepup.NewRequest()
	if err != nil {
		t.Fatal(err)
	}
	b, err := stepup.NewRequest()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{a.State, a.Nonce, a.Verifier} {
		if len(s) < 43 {
			t.Errorf("secret %q is %d characters, want at least 43 (256 bits)", s, len(s))
		}
	}
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || a.State == a.Nonce {
		t.Errorf("two requests share secrets: %+v, %+v", a, b)
	}
	if h := stepup.HashState(a.State); h == a.State || len(h) != 64 || h != stepup.HashState(a.State) || h == stepup.HashState(b.State) {
		t.Errorf("HashState(%q) = %q, want a stable hex SHA-256 unlike the state", a.State, h)
	}
}

func TestAuthURL(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	tests := []struct {
		name        string
		authContext string
		hint        string
		wantACRs    []string
	}{
		{name: "with authentication context and hint", authContext: "c1", hint: user, wantACRs: []string{"c1"}},
		{name: "without authentication context", hint: user},
		{name: "without hint", authContext: "c1", wantACRs: []string{"c1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := sim.provider(tt.authContext, nil)
			req, err := stepup.NewRequest()
			if err != nil {
				t.Fatal(err)
			}
			raw := p.AuthURL(tenant, req, tt.hint)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("AuthURL %q: %v", raw, err)
			}
			if got, want := u.Scheme+"://"+u.Host+u.Path, sim.base+"/"+tenant+"/oauth2/v2.0/authorize"; got != want {
				t.Errorf("endpoint = %s, want %s", got, want)
			}
			q := u.Query()
			sum := sha256.Sum256([]byte(req.Verifier))
			want := map[string]string{
				"client_id": clientID, "redirect_uri": redirectURL, "response_type": "code", "response_mode": "query",
				"scope": "openid profile", "state": req.State, "nonce": req.Nonce, "prompt": "login",
				"code_challenge_method": "S256", "code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]),
				"login_hint": tt.hint,
			}
			for k, v := range want {
				if got := q.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if q.Has("code_verifier") || strings.Contains(raw, req.Verifier) {
				t.Errorf("the URL carries the PKCE verifier: %s", raw)
			}
			if q.Has("client_secret") || strings.Contains(raw, url.QueryEscape(secret)) {
				t.Errorf("the URL carries the client secret: %s", raw)
			}
			if tt.hint == "" && q.Has("login_hint") {
				t.Errorf("login_hint = %q, want none", q.Get("login_hint"))
			}
			var claims struct {
				IDToken struct {
					ACRS struct {
						Essential bool   `json:"essential"`
						Value     string `json:"value"`
					} `json:"acrs"`
				} `json:"id_token"`
			}
			switch c := q.Get("claims"); {
			case tt.authContext == "" && c != "":
				t.Errorf("claims = %s, want none without an authentication context", c)
			case tt.authContext != "":
				if err := json.Unmarshal([]byte(c), &claims); err != nil {
					t.Fatalf("claims %q: %v", c, err)
				}
				if a := claims.IDToken.ACRS; !a.Essential || a.Value != tt.authContext {
					t.Errorf("claims = %s, want id_token.acrs essential with value %q", c, tt.authContext)
				}
			}

			// The simulator, which refuses what Entra would, takes it.
			tx := sim.open(t, raw)
			if !cmp.Equal(tx.ACRs, tt.wantACRs) {
				t.Errorf("the sign-in page asks for acrs %v, want %v", tx.ACRs, tt.wantACRs)
			}
			if tt.hint != "" && (tx.Person == nil || tx.Person.ID != tt.hint) {
				t.Errorf("the sign-in page offers %+v, want the hinted person %s", tx.Person, tt.hint)
			}
		})
	}
}

func TestRedeem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		authContext string
		method      string
		account     string
		wantOID     string
		wantAMR     []string
		wantACRS    []string
		want        stepup.Verdict
	}{
		{name: "mfa with authentication context", authContext: "c1", method: "mfa",
			wantOID: user, wantAMR: []string{"pwd", "mfa"}, wantACRS: []string{"c1"}, want: stepup.OK},
		{name: "password only with authentication context", authContext: "c1", method: "password",
			wantOID: user, wantAMR: []string{"pwd"}, want: stepup.Weak},
		{name: "mfa without authentication context", method: "mfa",
			wantOID: user, wantAMR: []string{"pwd", "mfa"}, want: stepup.OK},
		{name: "password only without authentication context", method: "password",
			wantOID: user, wantAMR: []string{"pwd"}, want: stepup.Weak},
		{name: "another person's mfa", authContext: "c1", method: "mfa", account: otherUser,
			wantOID: otherUser, wantAMR: []string{"pwd", "mfa"}, wantACRS: []string{"c1"}, want: stepup.OtherPerson},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newSim(t)
			p := sim.provider(tt.authContext, nil)
			req, err := stepup.NewRequest()
			if err != nil {
				t.Fatal(err)
			}
			code := sim.signIn(t, p.AuthURL(tenant, req, user), tt.method, tt.account, req.State)
			c, err := p.Redeem(t.Context(), tenant, code, req)
			if err != nil {
				t.Fatalf("Redeem: %v", err)
			}
			if c.OID != tt.wantOID || c.TID != tenant || c.Nonce != req.Nonce {
				t.Errorf("oid, tid, nonce = %s, %s, %s; want %s, %s, %s", c.OID, c.TID, c.Nonce, tt.wantOID, tenant, req.Nonce)
			}
			if !c.AuthTime.Equal(sim.clock.now()) {
				t.Errorf("auth_time = %v, want the sign-in's time %v", c.AuthTime, sim.clock.now())
			}
			if !cmp.Equal(c.AMR, tt.wantAMR) || !cmp.Equal(c.ACRS, tt.wantACRS) {
				t.Errorf("amr, acrs = %v, %v; want %v, %v", c.AMR, c.ACRS, tt.wantAMR, tt.wantACRS)
			}
			if c.UPN == "" || c.Name == "" {
				t.Errorf("name, preferred_username = %q, %q; want the directory's", c.Name, c.UPN)
			}
			if got := p.Judge(c, user, tenant, req); got != tt.want {
				t.Errorf("Judge = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedeemRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// signInTenant is where the person signs in; "" is tenant.
		signInTenant string
		// redeem redeems the code; nil redeems it once with the request.
		redeem func(t *testing.T, p *stepup.Provider, code string, req stepup.Request) error
		// tamper rewrites the token endpoint's exchanges.
		tamper   func(*http.Request, []byte) []byte
		advance  time.Duration // the simulator's clock moves on before redeeming
		ahead    time.Duration // the provider's clock runs ahead of the simulator's
		wantErr  error
		wantText string // in the error
	}{
		{name: "code replayed", wantErr: stepup.ErrExchange, wantText: "invalid_grant",
			redeem: func(t *testing.T, p *stepup.Provider, code string, req stepup.Request) error {
				if _, err := p.Redeem(t.Context(), tenant, code, req); err != nil {
					t.Fatalf("first Redeem: %v", err)
				}
				_, err := p.Redeem(t.Context(), tenant, code, req)
				return err
			}},
		{name: "wrong verifier", wantErr: stepup.ErrExchange, wantText: "invalid_grant",
			redeem: func(t *testing.T, p *stepup.Provider, code string, req stepup.Request) error {
				other, _ := stepup.NewRequest()
				req.Verifier = other.Verifier
				_, err := p.Redeem(t.Context(), tenant, code, req)
				return err
			}},
		{name: "unknown code", wantErr: stepup.ErrExchange, wantText: "invalid_grant",
			redeem: func(t *testing.T, p *stepup.Provider, code string, req stepup.Request) error {
				_, err := p.Redeem(t.Context(), tenant, code+"x", req)
				return err
			}},
		{name: "code expired", advance: 11 * time.Minute, wantErr: stepup.ErrExchange, wantText: "invalid_grant"},
		{name: "code of another tenant", signInTenant: otherTenant, wantErr: stepup.ErrExchange, wantText: "invalid_grant"},
		{name: "ID token payload tampered", wantErr: stepup.ErrToken, wantText: "signature",
			tamper: func(_ *http.Request, body []byte) []byte {
				return editIDToken(body, func(parts []string) {
					var c map[string]any
					payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
					json.Unmarshal(payload, &c)
					c["oid"] = otherUser
					b, _ := json.Marshal(c)
					parts[1] = base64.RawURLEncoding.EncodeToString(b)
				})
			}},
		{name: "ID token signature cut", wantErr: stepup.ErrToken, wantText: "signature",
			tamper: func(_ *http.Request, body []byte) []byte {
				return editIDToken(body, func(parts []string) { parts[2] = "" })
			}},
		{name: "ID token unsigned (alg none)", wantErr: stepup.ErrToken, wantText: "algorithm",
			tamper: func(_ *http.Request, body []byte) []byte {
				return editIDToken(body, func(parts []string) {
					parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
					parts[2] = ""
				})
			}},
		{name: "no ID token", wantErr: stepup.ErrToken, wantText: "id_token",
			tamper: func(_ *http.Request, body []byte) []byte {
				var m map[string]any
				json.Unmarshal(body, &m)
				delete(m, "id_token")
				b, _ := json.Marshal(m)
				return b
			}},
		// The simulator signs every tenant's tokens with one key, so only
		// the issuer check tells this token apart: the exchange is sent to
		// the other tenant's token endpoint, which issues its own token.
		{name: "token issued by another tenant", signInTenant: otherTenant, wantErr: stepup.ErrToken, wantText: "issue",
			tamper: func(r *http.Request, body []byte) []byte { return body }},
		{name: "ID token expired", ahead: 2 * time.Hour, wantErr: stepup.ErrToken, wantText: "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newSim(t)
			var tr http.RoundTripper = sim.transport()
			if tt.tamper != nil {
				tr = &tamperer{next: tr, tamper: tt.tamper, fromTenant: tenant, toTenant: tt.signInTenant}
			}
			p := stepup.New(stepup.Config{Authority: sim.base, ClientID: clientID, ClientSecret: secret, RedirectURL: redirectURL,
				AuthContext: "c1", MaxAge: 5 * time.Minute, HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
				Now: func() time.Time { return sim.clock.now().Add(tt.ahead) }})
			req, err := stepup.NewRequest()
			if err != nil {
				t.Fatal(err)
			}
			at := tenant
			if tt.signInTenant != "" {
				at = tt.signInTenant
			}
			code := sim.signIn(t, p.AuthURL(at, req, user), "mfa", "", req.State)
			sim.clock.advance(tt.advance)
			redeem := tt.redeem
			if redeem == nil {
				redeem = func(t *testing.T, p *stepup.Provider, code string, req stepup.Request) error {
					c, err := p.Redeem(t.Context(), tenant, code, req)
					if err == nil {
						t.Logf("claims of the accepted token: %+v", c)
					}
					return err
				}
			}
			err = redeem(t, p, code, req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Redeem: got error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Redeem: got error %q, want it to say %q", err, tt.wantText)
			}
			for _, s := range []string{code, req.Verifier, req.Nonce, secret, "AADSTS"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error %q contains %q", err, s)
				}
			}
		})
	}
}

// simRig is the sign-in simulator behind a real HTTP server, with the app
// registered, on a settable clock.
type simRig struct {
	base    string
	srv     *httptest.Server
	clock   *clock
	browser *http.Client // does not follow redirects: the callback is read from Location
}

func newSim(t *testing.T) *simRig {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r := &simRig{base: srv.URL + "/signin-simulator", srv: srv, clock: &clock{t: time.Now().Truncate(time.Second)}}
	s := signinsim.New(r.base, signinsim.WithClient(clientID, secret, redirectURL), signinsim.WithClock(r.clock.now))
	mux.Handle("/signin-simulator/", http.StripPrefix("/signin-simulator", s))
	r.browser = &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return r
}

// transport is a transport of the test's own (see the bot harness on
// http.DefaultTransport and httptest.Server.Close).
func (r *simRig) transport() http.RoundTripper { return &http.Transport{} }

// provider is the relying party for the simulator; client nil: its own.
func (r *simRig) provider(authContext string, client *http.Client) *stepup.Provider {
	if client == nil {
		client = &http.Client{Transport: r.transport(), Timeout: 10 * time.Second}
	}
	return stepup.New(stepup.Config{Authority: r.base, ClientID: clientID, ClientSecret: secret, RedirectURL: redirectURL,
		AuthContext: authContext, MaxAge: 5 * time.Minute, HTTPClient: client, Now: r.clock.now})
}

// txInfo is the sign-in page's content as a script reads it.
type txInfo struct {
	TX     string            `json:"tx"`
	Person *signinsim.Person `json:"person"`
	ACRs   []string          `json:"acrs"`
}

// open opens an authorization URL as a script does.
func (r *simRig) open(t *testing.T, authURL string) txInfo {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, authURL, nil)
	req.Header.Set("Accept", "application/json")
	res, err := r.browser.Do(req)
	if err != nil {
		t.Fatalf("GET authorize: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET authorize: got status %d, want 200: %s", res.StatusCode, body)
	}
	var tx txInfo
	if err := json.Unmarshal(body, &tx); err != nil || tx.TX == "" {
		t.Fatalf("GET authorize: %q is no transaction (%v)", body, err)
	}
	return tx
}

// signIn completes a sign-in at authURL and returns the callback's code,
// checking that the state comes back unchanged.
func (r *simRig) signIn(t *testing.T, authURL, method, account, state string) string {
	t.Helper()
	tx := r.open(t, authURL)
	body, _ := json.Marshal(map[string]string{"tx": tx.TX, "method": method, "account": account})
	endpoint, _, _ := strings.Cut(authURL, "?")
	res, err := r.browser.Post(endpoint, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST authorize: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("POST authorize: got status %d, want 302: %s", res.StatusCode, b)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURL {
		t.Errorf("redirected to %s, want %s", got, redirectURL)
	}
	if got := loc.Query().Get("state"); got != state {
		t.Errorf("callback state = %q, want %q", got, state)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("callback without a code: %s", loc)
	}
	return code
}

// tamperer rewrites the token endpoint's answers with tamper, and, when
// toTenant is set, sends the exchange to that tenant's token endpoint
// instead of fromTenant's.
type tamperer struct {
	next                 http.RoundTripper
	tamper               func(*http.Request, []byte) []byte
	fromTenant, toTenant string
}

func (tr *tamperer) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		return tr.next.RoundTrip(r)
	}
	if tr.toTenant != "" {
		r = r.Clone(r.Context())
		r.URL.Path = strings.Replace(r.URL.Path, "/"+tr.fromTenant+"/", "/"+tr.toTenant+"/", 1)
	}
	res, err := tr.next.RoundTrip(r)
	if err != nil || res.StatusCode != http.StatusOK {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	body = tr.tamper(r, body)
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return res, nil
}

// editIDToken edits the three parts of the token response's id_token.
func editIDToken(body []byte, edit func(parts []string)) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	raw, _ := m["id_token"].(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return body
	}
	edit(parts)
	m["id_token"] = strings.Join(parts, ".")
	b, _ := json.Marshal(m)
	return b
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

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
