// The tests in this file run the OIDC client library the bot uses,
// discovery and ID token verification included, against the simulator.

package signinsim

import (
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func TestGoOIDC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		wantAMR  []string
		wantACRs []string
	}{
		{name: "mfa", method: "mfa", wantAMR: []string{"pwd", "mfa"}, wantACRs: []string{"c1"}},
		{name: "password only", method: "password", wantAMR: []string{"pwd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			ctx := oidc.ClientContext(r.ctx, r.ts.Client())
			provider, err := oidc.NewProvider(ctx, r.base+"/"+testTenant+"/v2.0")
			if err != nil {
				t.Fatalf("NewProvider: %v", err)
			}
			cfg := oauth2.Config{
				ClientID:     testClient,
				ClientSecret: testSecret,
				Endpoint:     provider.Endpoint(),
				RedirectURL:  testRedirect,
				Scopes:       []string{oidc.ScopeOpenID, "profile"},
			}
			r.cfg = cfg
			f := r.start(t, satoID, oauth2.SetAuthURLParam("claims", `{"id_token":{"acrs":{"essential":true,"value":"c1"}}}`))
			signedIn := time.Now()
			code := callback(t, r.answer(t, f.tx, tt.method, "")).Get("code")
			tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			raw, ok := tok.Extra("id_token").(string)
			if !ok {
				t.Fatalf("token response has no id_token")
			}
			idToken, err := provider.Verifier(&oidc.Config{ClientID: testClient}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if idToken.Nonce != f.nonce {
				t.Errorf("nonce = %q, want %q", idToken.Nonce, f.nonce)
			}
			var c struct {
				OID      string   `json:"oid"`
				TID      string   `json:"tid"`
				AuthTime int64    `json:"auth_time"`
				AMR      []string `json:"amr"`
				ACRs     []string `json:"acrs"`
			}
			if err := idToken.Claims(&c); err != nil {
				t.Fatalf("Claims: %v", err)
			}
			if c.OID != satoID || c.TID != testTenant {
				t.Errorf("oid, tid = %s, %s; want %s, %s", c.OID, c.TID, satoID, testTenant)
			}
			if d := time.Unix(c.AuthTime, 0).Sub(signedIn); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("auth_time is %v from the sign-in, want about 0", d)
			}
			if !slices.Equal(c.AMR, tt.wantAMR) || !slices.Equal(c.ACRs, tt.wantACRs) {
				t.Errorf("amr, acrs = %v, %v; want %v, %v", c.AMR, c.ACRs, tt.wantAMR, tt.wantACRs)
			}
		})
	}
}
