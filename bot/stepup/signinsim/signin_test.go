package signinsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	const acrC1 = `{"id_token":{"acrs":{"essential":true,"value":"c1"}}}`
	tests := []struct {
		name    string
		hint    string
		claims  string
		method  string
		account string
		json    bool // answer as a script does
		// want
		oid, userName, upn string
		amr, acrs          []string
	}{
		{name: "mfa with acrs requested", hint: satoID, claims: acrC1, method: "mfa",
			oid: satoID, userName: "Test User 1a2b", upn: "1a2b3c4d@contoso.example",
			amr: []string{"pwd", "mfa"}, acrs: []string{"c1"}},
		{name: "mfa without claims", hint: satoID, method: "mfa",
			oid: satoID, userName: "Test User 1a2b", upn: "1a2b3c4d@contoso.example",
			amr: []string{"pwd", "mfa"}},
		{name: "password only gets no acrs", hint: satoID, claims: acrC1, method: "password",
			oid: satoID, userName: "Test User 1a2b", upn: "1a2b3c4d@contoso.example",
			amr: []string{"pwd"}},
		{name: "claims challenge for the access token with values", hint: satoID, method: "mfa",
			claims: `{"access_token":{"acrs":{"essential":true,"values":["c1","c2"]}},"id_token":{"acrs":{"value":"c2"}}}`,
			oid:    satoID, userName: "Test User 1a2b", upn: "1a2b3c4d@contoso.example",
			amr: []string{"pwd", "mfa"}, acrs: []string{"c2", "c1"}},
		{name: "another account", hint: satoID, method: "mfa", account: strings.ToUpper(otherID),
			oid: otherID, userName: "Test User 9f8e", upn: "9f8e7d6c@contoso.example",
			amr: []string{"pwd", "mfa"}},
		{name: "UPN hint", hint: "Hanako.Sato@contoso.example", method: "password",
			oid: defaultPerson(t, "hanako.sato@contoso.example").ID, userName: "Hanako.Sato", upn: "Hanako.Sato@contoso.example",
			amr: []string{"pwd"}},
		{name: "JSON body", hint: satoID, claims: acrC1, method: "mfa", json: true,
			oid: satoID, userName: "Test User 1a2b", upn: "1a2b3c4d@contoso.example",
			amr: []string{"pwd", "mfa"}, acrs: []string{"c1"}},
		{name: "JSON body with another account", method: "password", account: otherID, json: true,
			oid: otherID, userName: "Test User 9f8e", upn: "9f8e7d6c@contoso.example",
			amr: []string{"pwd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			var extra []oauth2.AuthCodeOption
			if tt.claims != "" {
				extra = append(extra, oauth2.SetAuthURLParam("claims", tt.claims))
			}
			f := r.start(t, tt.hint, extra...)
			answer := r.answer
			if tt.json {
				answer = r.answerJSON
			}
			before := time.Now()
			q := callback(t, answer(t, f.tx, tt.method, tt.account))
			code := q.Get("code")
			if code == "" {
				t.Fatalf("redirect has no code: %v", q)
			}

			tok, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if got := tok.TokenType; got != "Bearer" {
				t.Errorf("token_type = %q, want Bearer", got)
			}
			if got := tok.Extra("scope"); got != "openid profile" {
				t.Errorf("scope = %v, want %q", got, "openid profile")
			}
			raw, _ := tok.Extra("id_token").(string)
			header, c := r.verify(t, raw)
			if got := header["typ"]; got != "JWT" {
				t.Errorf("header typ = %v, want JWT", got)
			}

			want := map[string]any{
				"ver": "2.0", "iss": r.disc.Issuer, "aud": testClient, "tid": testTenant,
				"oid": tt.oid, "name": tt.userName, "preferred_username": tt.upn, "nonce": f.nonce,
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claim %s = %v, want %v", k, c[k], v)
				}
			}
			if diff := cmp.Diff(tt.amr, stringList(c["amr"])); diff != "" {
				t.Errorf("amr (-want +got):\n%s", diff)
			}
			if _, has := c["acrs"]; has != (tt.acrs != nil) {
				t.Errorf("acrs present = %v, want %v", has, tt.acrs != nil)
			}
			if diff := cmp.Diff(tt.acrs, stringList(c["acrs"])); diff != "" {
				t.Errorf("acrs (-want +got):\n%s", diff)
			}
			authTime, _ := c["auth_time"].(float64)
			if at := time.Unix(int64(authTime), 0); at.Before(before.Add(-time.Second)) || at.After(time.Now()) {
				t.Errorf("auth_time = %v, want the sign-in time (about %v)", at, before)
			}
			iat, _ := c["iat"].(float64)
			exp, _ := c["exp"].(float64)
			if got := exp - iat; got != 3600 {
				t.Errorf("exp - iat = %v, want 3600", got)
			}
			if sub, _ := c["sub"].(string); len(sub) != 43 || sub == tt.oid {
				t.Errorf("sub = %q, want a pairwise identifier, not the object id", sub)
			}

			got := r.signins(t)
			if len(got) != 1 {
				t.Fatalf("got %d sign-ins, want 1", len(got))
			}
			if s := got[0]; s.OID != tt.oid || s.Method != tt.method || s.Tenant != testTenant || s.ClientID != testClient {
				t.Errorf("sign-in = %+v, want oid %s method %s tenant %s client %s", s, tt.oid, tt.method, testTenant, testClient)
			}
		})
	}
}

// defaultPerson is whom the default directory makes of hint.
func defaultPerson(t *testing.T, hint string) Person {
	t.Helper()
	p, ok := defaultDirectory(hint)
	if !ok {
		t.Fatalf("defaultDirectory(%q) knows nobody", hint)
	}
	return p
}

func TestCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	f := r.start(t, satoID)
	q := callback(t, r.answer(t, f.tx, "cancel", ""))
	if got := q.Get("error"); got != "access_denied" {
		t.Errorf("error = %q, want access_denied", got)
	}
	if got := q.Get("error_description"); !strings.HasPrefix(got, "AADSTS") {
		t.Errorf("error_description = %q, want an AADSTS message", got)
	}
	if q.Has("code") {
		t.Errorf("a cancelled sign-in got a code")
	}
	if got := r.signins(t); len(got) != 0 {
		t.Errorf("got sign-ins %+v after a cancel, want none", got)
	}
	// The transaction is finished: a second answer cannot sign in.
	if res := r.answer(t, f.tx, "mfa", ""); res.StatusCode != http.StatusBadRequest {
		t.Errorf("answer after cancel: got status %d, want 400", res.StatusCode)
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// redeem makes the failing request; it gets a fresh code.
		redeem     func(r *rig, cfg oauth2.Config, code, verifier string) error
		wantStatus int
		wantError  string
		wantCode   int
	}{
		{
			name: "replayed code",
			redeem: func(r *rig, cfg oauth2.Config, code, verifier string) error {
				if _, err := cfg.Exchange(r.ctx, code, oauth2.VerifierOption(verifier)); err != nil {
					return err
				}
				_, err := cfg.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
				return err
			},
			wantStatus: 400, wantError: "invalid_grant", wantCode: 54005,
		},
		{
			name: "wrong verifier",
			redeem: func(r *rig, cfg oauth2.Config, code, _ string) error {
				_, err := cfg.Exchange(r.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
				return err
			},
			wantStatus: 400, wantError: "invalid_grant", wantCode: 501481,
		},
		{
			name: "wrong secret",
			redeem: func(r *rig, cfg oauth2.Config, code, verifier string) error {
				cfg.ClientSecret = "not-the-secret"
				_, err := cfg.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
				return err
			},
			wantStatus: 401, wantError: "invalid_client", wantCode: 7000215,
		},
		{
			name: "wrong secret in the form",
			redeem: func(r *rig, cfg oauth2.Config, code, verifier string) error {
				cfg.ClientSecret = "not-the-secret"
				cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
				_, err := cfg.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
				return err
			},
			wantStatus: 401, wantError: "invalid_client", wantCode: 7000215,
		},
		{
			name: "redirect URI differs from the authorization request's",
			redeem: func(r *rig, cfg oauth2.Config, code, verifier string) error {
				cfg.RedirectURL = "http://127.0.0.1:3978/auth/callback"
				_, err := cfg.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
				return err
			},
			wantStatus: 400, wantError: "invalid_grant", wantCode: 50011,
		},
		{
			name: "unknown code",
			redeem: func(r *rig, cfg oauth2.Config, _, verifier string) error {
				_, err := cfg.Exchange(r.ctx, "not-a-code", oauth2.VerifierOption(verifier))
				return err
			},
			wantStatus: 400, wantError: "invalid_grant", wantCode: 70000,
		},
		{
			name: "no verifier",
			redeem: func(r *rig, cfg oauth2.Config, code, _ string) error {
				_, err := cfg.Exchange(r.ctx, code)
				return err
			},
			wantStatus: 400, wantError: "invalid_request", wantCode: 900144,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			f := r.start(t, satoID)
			code := callback(t, r.answer(t, f.tx, "mfa", "")).Get("code")
			err := tt.redeem(r, r.cfg, code, f.verifier)
			status, body := tokenError(t, err)
			if status != tt.wantStatus || body.Error != tt.wantError {
				t.Errorf("got %d %s, want %d %s", status, body.Error, tt.wantStatus, tt.wantError)
			}
			if diff := cmp.Diff([]int{tt.wantCode}, body.Codes); diff != "" {
				t.Errorf("error_codes (-want +got):\n%s", diff)
			}
			if want := "AADSTS" + strconv.Itoa(tt.wantCode) + ": "; !strings.HasPrefix(body.Description, want) {
				t.Errorf("error_description = %q, want it to start %q", body.Description, want)
			}
			if !isGUID(body.TraceID) || !isGUID(body.CorrelationID) || body.Timestamp == "" {
				t.Errorf("trace_id %q, correlation_id %q, timestamp %q: want two GUIDs and a time",
					body.TraceID, body.CorrelationID, body.Timestamp)
			}
		})
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// wait is how long passes before the answer and before the redemption.
		beforeAnswer, beforeRedeem time.Duration
		wantAnswer                 int
		wantCode                   int // AADSTS of the redemption; 0: it succeeds
	}{
		{name: "prompt", beforeAnswer: 9 * time.Minute, beforeRedeem: 9 * time.Minute, wantAnswer: 302},
		{name: "page left open", beforeAnswer: 10 * time.Minute, wantAnswer: 400},
		{name: "code redeemed late", beforeRedeem: 10 * time.Minute, wantAnswer: 302, wantCode: 70008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			r := newRig(t, WithClient(testClient, testSecret, testRedirect), WithClock(c.now))
			f := r.start(t, satoID)
			c.advance(tt.beforeAnswer)
			res := r.answer(t, f.tx, "mfa", "")
			if res.StatusCode != tt.wantAnswer {
				t.Fatalf("answer: got status %d, want %d", res.StatusCode, tt.wantAnswer)
			}
			if res.StatusCode != http.StatusFound {
				return
			}
			code := callback(t, res).Get("code")
			c.advance(tt.beforeRedeem)
			tok, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier))
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("Exchange: %v", err)
				}
				_, claims := r.verify(t, tok.Extra("id_token").(string))
				at := c.now().Add(-tt.beforeRedeem)
				if got, want := claims["auth_time"], float64(at.Unix()); got != want {
					t.Errorf("auth_time = %v, want %v (when the person signed in)", got, want)
				}
				if got, want := claims["iat"], float64(c.now().Unix()); got != want {
					t.Errorf("iat = %v, want %v (when the token was issued)", got, want)
				}
				return
			}
			if _, body := tokenError(t, err); !slices.Equal(body.Codes, []int{tt.wantCode}) {
				t.Errorf("error_codes = %v, want [%d]", body.Codes, tt.wantCode)
			}
		})
	}
}

func TestReplayedTx(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	f := r.start(t, satoID)
	callback(t, r.answer(t, f.tx, "mfa", ""))
	for _, answer := range []func(*testing.T, string, string, string) *http.Response{r.answer, r.answerJSON} {
		res := answer(t, f.tx, "password", "")
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
			t.Errorf("replayed tx: got status %d Location %q, want 400 and no redirect",
				res.StatusCode, res.Header.Get("Location"))
		}
		if body := readAll(t, res); !strings.Contains(body, "AADSTS50089") {
			t.Errorf("replayed tx page does not name AADSTS50089:\n%s", body)
		}
	}
	if got := len(r.signins(t)); got != 1 {
		t.Errorf("got %d sign-ins, want 1", got)
	}
}

func TestAnswerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		hint    string
		tx      string // "" means the flow's
		method  string
		account string
		want    string
	}{
		{name: "account not a GUID", hint: satoID, method: "mfa", account: "sato", want: "is not a GUID"},
		{name: "no account", method: "mfa", want: "No account"},
		{name: "unknown hint and no account", hint: "nobody", method: "password", want: "No account"},
		{name: "unknown method", hint: satoID, method: "sms", want: "method must be"},
		{name: "unknown tx", hint: satoID, tx: "forged", method: "mfa", want: "AADSTS50089"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			f := r.start(t, tt.hint)
			tx := f.tx
			if tt.tx != "" {
				tx = tt.tx
			}
			res := r.answer(t, tx, tt.method, tt.account)
			body := readAll(t, res)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Errorf("got status %d, want 400 with %q; page:\n%s", res.StatusCode, tt.want, body)
			}
			// A mistake on the page does not use it up: the tester can fix it.
			callback(t, r.answer(t, f.tx, "mfa", otherID))
		})
	}
}

func TestConcurrentSignIns(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	const n = 16
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				t.Parallel()
				f := r.start(t, satoID)
				method := []string{"mfa", "password"}[i%2]
				code := callback(t, r.answer(t, f.tx, method, "")).Get("code")
				if _, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier)); err != nil {
					t.Errorf("Exchange: %v", err)
				}
			})
		}
	})
	if got := len(r.signins(t)); got != n {
		t.Errorf("got %d sign-ins, want %d", got, n)
	}
}

// A script signs in without the page: it asks the authorization endpoint
// for JSON and posts its answer as JSON.
func TestScriptedSignIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		hint       string
		wantPerson *Person
	}{
		{name: "hint", hint: satoID, wantPerson: &Person{ID: satoID, Name: "Test User 1a2b", UPN: "1a2b3c4d@contoso.example"}},
		{name: "no hint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			v := oauth2.GenerateVerifier()
			opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("nonce", "n"),
				oauth2.SetAuthURLParam("claims", `{"access_token":{"acrs":{"essential":true,"value":"c3"}}}`)}
			if tt.hint != "" {
				opts = append(opts, oauth2.SetAuthURLParam("login_hint", tt.hint))
			}
			req, _ := http.NewRequest("GET", r.cfg.AuthCodeURL(testState, opts...), nil)
			req.Header.Set("Accept", "application/json")
			res, err := r.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got txJSON
			decode(t, res, &got)
			if got.TX == "" || !got.ExpiresAt.After(time.Now().Add(9*time.Minute)) {
				t.Errorf("got tx %q expiring at %v, want a tx valid for 10 minutes", got.TX, got.ExpiresAt)
			}
			if diff := cmp.Diff(tt.wantPerson, got.Person); diff != "" {
				t.Errorf("person (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"c3"}, got.ACRs); diff != "" {
				t.Errorf("acrs (-want +got):\n%s", diff)
			}
			code := callback(t, r.answerJSON(t, got.TX, "mfa", otherID)).Get("code")
			tok, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(v))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			_, c := r.verify(t, tok.Extra("id_token").(string))
			if c["oid"] != otherID || !slices.Equal(stringList(c["acrs"]), []string{"c3"}) {
				t.Errorf("oid, acrs = %v, %v; want %s, [c3]", c["oid"], c["acrs"], otherID)
			}
		})
	}
}

// Abandoned sign-in pages do not pile up: past maxPending the oldest goes.
func TestPendingBounded(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := New("http://127.0.0.1:3978/signin-simulator", WithClock(c.now))
	q := url.Values{
		"client_id": {"app"}, "redirect_uri": {"http://localhost/cb"}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"s"}, "nonce": {"n"}, "login_hint": {satoID},
		"code_challenge": {oauth2.S256ChallengeFromVerifier("v")}, "code_challenge_method": {"S256"},
	}
	target := "/" + testTenant + "/oauth2/v2.0/authorize?" + q.Encode()
	var first string
	for i := range maxPending + 10 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("Accept", "application/json")
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: got status %d, want 200", i, rec.Code)
		}
		if i == 0 {
			var tx txJSON
			_ = json.Unmarshal(rec.Body.Bytes(), &tx)
			first = tx.TX
		}
		c.advance(time.Millisecond)
	}
	s.mu.Lock()
	n, kept := len(s.txs), s.txs[first] != nil
	s.mu.Unlock()
	if n != maxPending || kept {
		t.Errorf("got %d open transactions (first kept: %v), want %d without the first", n, kept, maxPending)
	}

	c.advance(txLifetime)
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", target, nil))
	s.mu.Lock()
	n = len(s.txs)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("after they expired: got %d open transactions, want 1", n)
	}
}
