package signinsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

// authURL is a valid authorization request for testClient, changed by set
// (an empty value deletes the parameter).
func (r *rig) authURL(set map[string]string) string {
	q := url.Values{
		"client_id":             {testClient},
		"redirect_uri":          {testRedirect},
		"response_type":         {"code"},
		"scope":                 {"openid profile"},
		"state":                 {testState},
		"nonce":                 {"n-0S6_WzA2Mj"},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
		"login_hint":            {satoID},
	}
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return r.disc.AuthorizationEndpoint + "?" + q.Encode()
}

func TestAuthorizeRefusesToRedirect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		set  map[string]string
		want string // AADSTS code on the page
	}{
		{name: "redirect URI not registered", set: map[string]string{"redirect_uri": "https://evil.example/cb"}, want: "AADSTS50011"},
		{name: "redirect URI differs in its query", set: map[string]string{"redirect_uri": "http://127.0.0.1:3978/auth/callback"}, want: "AADSTS50011"},
		{name: "no redirect URI", set: map[string]string{"redirect_uri": ""}, want: "AADSTS900144"},
		{name: "unknown client", set: map[string]string{"client_id": "d2d2d2d2-0000-4000-8000-000000000000"}, want: "AADSTS700016"},
		{name: "no client", set: map[string]string{"client_id": ""}, want: "AADSTS900144"},
	}
	r := newRig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := r.get(t, r.authURL(tt.set))
			body := readAll(t, res)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("got status %d, want 400", res.StatusCode)
			}
			if loc := res.Header.Get("Location"); loc != "" {
				t.Errorf("redirected to %q, want no redirect", loc)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want an HTML page", ct)
			}
			if !strings.Contains(body, tt.want) || strings.Contains(body, `name="tx"`) {
				t.Errorf("page lacks %s or has a sign-in form:\n%s", tt.want, body)
			}
		})
	}
}

func TestAuthorizeErrorRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		set       map[string]string
		wantError string
		wantCode  string
	}{
		{name: "no PKCE", set: map[string]string{"code_challenge": "", "code_challenge_method": ""}, wantError: "invalid_request", wantCode: "AADSTS9002325"},
		{name: "plain PKCE", set: map[string]string{"code_challenge_method": "plain"}, wantError: "invalid_request", wantCode: "AADSTS9002325"},
		{name: "short challenge", set: map[string]string{"code_challenge": "abc"}, wantError: "invalid_request", wantCode: "AADSTS501491"},
		{name: "no openid scope", set: map[string]string{"scope": "profile User.Read"}, wantError: "invalid_request", wantCode: "AADSTS70011"},
		{name: "no nonce", set: map[string]string{"nonce": ""}, wantError: "invalid_request", wantCode: "AADSTS900144"},
		{name: "claims not JSON", set: map[string]string{"claims": "{acrs"}, wantError: "invalid_request", wantCode: "AADSTS90100"},
		{name: "acrs value not a string", set: map[string]string{"claims": `{"id_token":{"acrs":{"value":1}}}`}, wantError: "invalid_request", wantCode: "AADSTS90100"},
		{name: "bad max_age", set: map[string]string{"max_age": "-1"}, wantError: "invalid_request", wantCode: "AADSTS90100"},
		{name: "unknown prompt", set: map[string]string{"prompt": "always"}, wantError: "invalid_request", wantCode: "AADSTS90100"},
		{name: "implicit flow", set: map[string]string{"response_type": "id_token"}, wantError: "unsupported_response_type", wantCode: "AADSTS700054"},
		{name: "silent sign-in", set: map[string]string{"prompt": "none"}, wantError: "login_required", wantCode: "AADSTS50058"},
	}
	r := newRig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := callback(t, r.get(t, r.authURL(tt.set)))
			if got := q.Get("error"); got != tt.wantError {
				t.Errorf("error = %q, want %q", got, tt.wantError)
			}
			if got := q.Get("error_description"); !strings.HasPrefix(got, tt.wantCode+": ") {
				t.Errorf("error_description = %q, want it to start %q", got, tt.wantCode+": ")
			}
		})
	}
}

func TestTenantNotGUID(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tests := []struct {
		name, method, path string
		wantHTML           bool
	}{
		{name: "discovery", method: "GET", path: "/contoso.example/v2.0/.well-known/openid-configuration"},
		{name: "keys", method: "GET", path: "/common/discovery/v2.0/keys"},
		{name: "token", method: "POST", path: "/common/oauth2/v2.0/token"},
		{name: "authorize", method: "GET", path: "/common/oauth2/v2.0/authorize?client_id=" + testClient, wantHTML: true},
		{name: "authorize answer", method: "POST", path: "/common/oauth2/v2.0/authorize", wantHTML: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, r.base+tt.path, strings.NewReader("grant_type=authorization_code"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := r.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body := readAll(t, res)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "AADSTS90002") {
				t.Errorf("got %d, want 400 naming AADSTS90002; body:\n%s", res.StatusCode, body)
			}
			if tt.wantHTML {
				return
			}
			var e errorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != "invalid_tenant" || len(e.Codes) != 1 || e.Codes[0] != 90002 {
				t.Errorf("got %+v (%v), want invalid_tenant [90002]", e, err)
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	upper := r.get(t, r.base+"/"+strings.ToUpper(testTenant)+"/v2.0/.well-known/openid-configuration")
	var got discovery
	decode(t, upper, &got)
	prefix := r.base + "/" + testTenant
	want := discovery{
		Issuer:                            prefix + "/v2.0",
		AuthorizationEndpoint:             prefix + "/oauth2/v2.0/authorize",
		TokenEndpoint:                     prefix + "/oauth2/v2.0/token",
		JWKSURI:                           prefix + "/discovery/v2.0/keys",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic"},
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ScopesSupported:                   []string{"openid", "profile", "email", "offline_access"},
		ClaimsSupported: []string{"ver", "iss", "aud", "iat", "nbf", "exp", "sub", "oid", "tid", "name",
			"preferred_username", "nonce", "auth_time", "amr", "acrs", "uti"},
		ClaimsParameterSupported: true,
	}
	// An upper-case tenant in the URL still yields Entra's lower-case issuer.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("discovery (-want +got):\n%s", diff)
	}

	var set struct {
		Keys []jwk `json:"keys"`
	}
	decode(t, r.get(t, got.JWKSURI), &set)
	if len(set.Keys) != 1 {
		t.Fatalf("got %d keys, want 1", len(set.Keys))
	}
	k := set.Keys[0]
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	if k.KTY != "RSA" || k.Use != "sig" || k.Alg != "RS256" || k.E != "AQAB" || len(n)*8 != 2048 || k.KID == "" {
		t.Errorf("key = %+v (%d-bit), want an RSA-2048 RS256 signing key with a kid", k, len(n)*8)
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	f := r.start(t, satoID, oauth2.SetAuthURLParam("claims", `{"id_token":{"acrs":{"essential":true,"value":"c1"}}}`))
	h := f.res.Header
	for k, want := range map[string]string{
		"Cache-Control":   "no-store",
		"X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer",
		"Content-Type":    "text/html; charset=utf-8",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(f.page)
	if style == nil {
		t.Fatalf("page has no style element")
	}
	sum := sha256.Sum256([]byte(style[1]))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if !hasAll(csp, "default-src 'none'", "style-src "+hash+";", "form-action 'self' http://127.0.0.1:3978;", "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q, want default-src 'none', the style's hash %s, form-action for the redirect origin", csp, hash)
	}
	if regexp.MustCompile(`(?i)<script|src=|href=|@import|url\(`).MatchString(f.page) {
		t.Errorf("page loads or runs something:\n%s", f.page)
	}
	for _, want := range []string{
		`id="mfa" name="method" value="mfa"`,
		`id="password" name="method" value="password"`,
		`id="cancel" name="method" value="cancel"`,
		`id="account" name="account"`,
		"Test User 1a2b としてサインイン",
		"Sign in as Test User 1a2b",
		"1a2b3c4d@contoso.example",
		"<code>c1</code>",
	} {
		if !strings.Contains(f.page, want) {
			t.Errorf("page lacks %q:\n%s", want, f.page)
		}
	}
}

func TestPageEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		hint string
	}{
		{name: "unknown hint", hint: `<script>alert(1)</script>`},
		{name: "name from a UPN hint", hint: `<script>alert(1)</script>@contoso.example`},
		{name: "attribute break-out", hint: `"><img src=x onerror=alert(1)>`},
	}
	r := newRig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := r.start(t, tt.hint)
			if strings.Contains(f.page, "<script") || strings.Contains(f.page, "<img") {
				t.Errorf("hint %q reached the page unescaped:\n%s", tt.hint, f.page)
			}
			if !strings.Contains(f.page, "&lt;") {
				t.Errorf("hint %q is not shown escaped:\n%s", tt.hint, f.page)
			}
		})
	}
}

func TestTokenRequests(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tests := []struct {
		name       string
		method     string
		form       url.Values
		basic      bool
		wantStatus int
		wantError  string
	}{
		{name: "GET", method: "GET", wantStatus: 405, wantError: "invalid_request"},
		{name: "unsupported grant", method: "POST", form: url.Values{"grant_type": {"password"}, "client_id": {testClient}},
			wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "no grant type", method: "POST", form: url.Values{"client_id": {testClient}}, wantStatus: 400, wantError: "invalid_request"},
		{name: "no secret", method: "POST", form: url.Values{"grant_type": {"authorization_code"}, "client_id": {testClient}, "code": {"x"}},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "two authentication methods", method: "POST", basic: true,
			form:       url.Values{"grant_type": {"authorization_code"}, "client_secret": {testSecret}, "code": {"x"}},
			wantStatus: 400, wantError: "invalid_request"},
		{name: "another app", method: "POST",
			form:       url.Values{"grant_type": {"authorization_code"}, "client_id": {"other"}, "client_secret": {testSecret}, "code": {"x"}},
			wantStatus: 400, wantError: "unauthorized_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tt.method, r.disc.TokenEndpoint, strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic {
				req.SetBasicAuth(url.QueryEscape(testClient), url.QueryEscape(testSecret))
			}
			res, err := r.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got errorBody
			decode(t, res, &got)
			if res.StatusCode != tt.wantStatus || got.Error != tt.wantError {
				t.Errorf("got %d %q, want %d %q (%s)", res.StatusCode, got.Error, tt.wantStatus, tt.wantError, got.Description)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestSigninsLog(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var secrets []string
	for range maxSignins + 3 {
		f := r.start(t, satoID)
		q := callback(t, r.answer(t, f.tx, "mfa", ""))
		secrets = append(secrets, f.tx, f.nonce, q.Get("code"))
	}
	res := r.get(t, r.base+"/_sim/signins")
	raw := readAll(t, res)
	var got []signIn
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != maxSignins {
		t.Errorf("got %d sign-ins, want the last %d", len(got), maxSignins)
	}
	for _, s := range append(secrets, testState, url.QueryEscape(testState)) {
		if strings.Contains(raw, s) {
			t.Fatalf("/_sim/signins shows %q (a code, state, nonce or transaction id)", s)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].At.Before(got[i-1].At) {
			t.Fatalf("sign-ins out of order at %d: %v before %v", i, got[i-1].At, got[i].At)
		}
	}
	if res := r.get(t, r.base+"/_sim/nothing"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/_sim/nothing: got %d, want 404", res.StatusCode)
	}
}

// Without WithClient any app on this machine can sign people in, and each
// app sees its own pairwise sub for one person.
func TestWithoutClient(t *testing.T) {
	t.Parallel()
	r := newRig(t, WithDirectory(defaultDirectory))
	subs := map[string]string{}
	for _, c := range []struct{ client, redirect string }{
		{"app-a", "http://localhost:8080/cb"},
		{"app-a", "http://[::1]:9000/cb"},
		{"app-b", "http://127.0.0.2/cb"},
	} {
		cfg := r.cfg
		cfg.ClientID, cfg.ClientSecret, cfg.RedirectURL = c.client, "", c.redirect
		v := oauth2.GenerateVerifier()
		res := r.get(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v),
			oauth2.SetAuthURLParam("nonce", "n"), oauth2.SetAuthURLParam("login_hint", satoID)))
		page := readAll(t, res)
		m := regexp.MustCompile(`name="tx" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no sign-in page (status %d):\n%s", c.redirect, res.StatusCode, page)
		}
		ans := r.answer(t, m[1], "mfa", "")
		loc, _ := url.Parse(ans.Header.Get("Location"))
		tok, err := cfg.Exchange(r.ctx, loc.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatalf("%s: Exchange: %v", c.redirect, err)
		}
		rc := *r
		rc.cfg = cfg
		_, claims := rc.verify(t, tok.Extra("id_token").(string))
		sub, _ := claims["sub"].(string)
		if prev, ok := subs[c.client]; ok && prev != sub {
			t.Errorf("%s: sub changed from %q to %q for the same person and app", c.client, prev, sub)
		}
		subs[c.client] = sub
	}
	if subs["app-a"] == subs["app-b"] {
		t.Errorf("two apps got the same sub %q for one person", subs["app-a"])
	}

	res := r.get(t, r.authURL(map[string]string{"redirect_uri": "http://bot.example/cb"}))
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
		t.Errorf("non-loopback redirect URI: got %d Location %q, want 400 and no redirect",
			res.StatusCode, res.Header.Get("Location"))
	}
}

func TestDirectory(t *testing.T) {
	t.Parallel()
	directory := func(hint string) (Person, bool) {
		if hint == "hanako.sato@contoso.example" || hint == satoID {
			return Person{ID: satoID, Name: "佐藤 花子", UPN: "hanako.sato@contoso.example"}, true
		}
		return Person{}, false
	}
	r := newRig(t, WithClient(testClient, testSecret, testRedirect), WithDirectory(directory))
	f := r.start(t, "hanako.sato@contoso.example")
	if !strings.Contains(f.page, "佐藤 花子 としてサインイン") {
		t.Errorf("page does not greet the directory's person:\n%s", f.page)
	}
	if res := r.answer(t, f.tx, "mfa", otherID); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an account the directory does not know: got %d, want 400", res.StatusCode)
	}
	code := callback(t, r.answer(t, f.tx, "mfa", "")).Get("code")
	tok, err := r.cfg.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	_, claims := r.verify(t, tok.Extra("id_token").(string))
	if claims["oid"] != satoID || claims["name"] != "佐藤 花子" {
		t.Errorf("oid, name = %v, %v; want %s, 佐藤 花子", claims["oid"], claims["name"], satoID)
	}
}

func TestDefaultDirectory(t *testing.T) {
	t.Parallel()
	upnID := defaultPerson(t, "hanako.sato@contoso.example").ID
	tests := []struct {
		hint   string
		want   Person
		wantOK bool
	}{
		{hint: satoID, want: Person{ID: satoID, Name: "Test User 1a2b", UPN: "1a2b3c4d@contoso.example"}, wantOK: true},
		{hint: strings.ToUpper(satoID), want: Person{ID: satoID, Name: "Test User 1a2b", UPN: "1a2b3c4d@contoso.example"}, wantOK: true},
		{hint: "hanako.sato@contoso.example", want: Person{ID: upnID, Name: "hanako.sato", UPN: "hanako.sato@contoso.example"}, wantOK: true},
		{hint: "HANAKO.SATO@contoso.example", want: Person{ID: upnID, Name: "HANAKO.SATO", UPN: "HANAKO.SATO@contoso.example"}, wantOK: true},
		{hint: "hanako"},
		{hint: "@contoso.example"},
		{hint: "1a2b3c4d-0000-4000-8000-00000000beeg"},
	}
	for _, tt := range tests {
		t.Run(tt.hint, func(t *testing.T) {
			t.Parallel()
			got, ok := defaultDirectory(tt.hint)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("defaultDirectory(%q) = %+v, %v; want %+v, %v", tt.hint, got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if !isGUID(upnID) || upnID == defaultPerson(t, "ichiro.suzuki@contoso.example").ID {
		t.Errorf("UPN-derived id %q is not a GUID or not distinct", upnID)
	}
}

func TestNewPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		base string
		opts []Option
	}{
		{name: "relative base", base: "/signin-simulator"},
		{name: "no secret", base: "http://127.0.0.1/s", opts: []Option{WithClient(testClient, "", testRedirect)}},
		{name: "no redirect URI", base: "http://127.0.0.1/s", opts: []Option{WithClient(testClient, testSecret)}},
		{name: "redirect URI with fragment", base: "http://127.0.0.1/s", opts: []Option{WithClient(testClient, testSecret, "http://127.0.0.1/cb#x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Errorf("New did not panic")
				}
			}()
			New(tt.base, tt.opts...)
		})
	}
}
