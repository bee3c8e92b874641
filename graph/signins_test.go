package graph_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

// seedSignIns gives user attempts in the simulator, in Graph's shape.
func seedSignIns(t *testing.T, s *sim.Server, user, body string) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_sim/users/"+user+"/signins", strings.NewReader(body)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seed: %d %s", rec.Code, rec.Body)
	}
}

// TestSignIns: a person's attempts since a time, newest first, with what
// the bot explains from (error code, MFA steps, Conditional Access, the
// country); nothing older, and nobody else's.
func TestSignIns(t *testing.T) {
	s := sim.New()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	var asked []string
	c, err := graph.New(graph.Config{Credential: fakeCredential{}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second,
		Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			asked = append(asked, r.URL.Query().Get("$select"))
			return http.DefaultTransport.RoundTrip(r)
		})})
	if err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	seedSignIns(t, s, alice, `[
		{"createdDateTime":"`+at(2*time.Hour)+`","status":{"errorCode":500121,"failureReason":"Authentication failed during strong authentication request."},
		 "conditionalAccessStatus":"notApplied","location":{"city":"Osaka","countryOrRegion":"JP"},"ipAddress":"203.0.113.9","appDisplayName":"Office 365 Exchange Online",
		 "authenticationDetails":[{"authenticationMethod":"Password","succeeded":true},
		   {"authenticationMethod":"Text message","succeeded":false,"authenticationStepResultDetail":"Authentication in progress","authenticationStepDateTime":"`+at(2*time.Hour)+`"}]},
		{"createdDateTime":"`+at(time.Hour)+`","status":{"errorCode":53003},"conditionalAccessStatus":"failure","location":{"countryOrRegion":"FR"}},
		{"createdDateTime":"`+at(48*time.Hour)+`","status":{"errorCode":0}}]`)
	seedSignIns(t, s, "1b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", `[{"status":{"errorCode":500121}}]`)

	got, err := c.SignIns(t.Context(), alice, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d attempts, want the 2 of the last day: %+v", len(got), got)
	}
	if got[0].ErrorCode != 53003 || got[0].ConditionalAccess != "failure" || got[0].Country != "FR" {
		t.Errorf("newest = %+v, want the Conditional Access block from FR", got[0])
	}
	old := got[1]
	if old.ErrorCode != 500121 || old.App != "Office 365 Exchange Online" || !old.At.Equal(now.Add(-2*time.Hour)) || len(old.Steps) != 2 ||
		old.Steps[1] != (graph.SignInStep{Method: "Text message", Detail: "Authentication in progress", At: now.Add(-2 * time.Hour)}) {
		t.Errorf("older = %+v, want the SMS step that never finished", old)
	}
	if len(asked) != 1 || strings.Contains(asked[0], "ipAddress") || strings.Contains(asked[0], "authenticationDetails") || !strings.Contains(asked[0], "status") {
		t.Errorf("asked for %q: want only the fields needed, no IP address", asked)
	}
	if _, err := c.SignIns(t.Context(), "x' or userId ne '", now); graph.KindOf(err) != graph.Invalid {
		t.Errorf("a user id that is no object id: %v, want refused before Graph", err)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rolesCredential is an app-only token with the given roles, as the
// simulator's own token is (unsigned).
type rolesCredential struct{ roles string }

func (r rolesCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	enc := base64.RawURLEncoding.EncodeToString
	return azcore.AccessToken{Token: enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"roles":[`+r.roles+`]}`)) + ".", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// TestSignInsRefused: without Entra ID P1, or without AuditLog.Read.All,
// Graph answers 403 with its own code, and the error says which.
func TestSignInsRefused(t *testing.T) {
	noP1, _ := newClient(t, sim.WithPremium(false))
	s := sim.New()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	noPermission, err := graph.New(graph.Config{Credential: rolesCredential{`"User.Read.All"`}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	granted, err := graph.New(graph.Config{Credential: rolesCredential{`"User.Read.All","AuditLog.Read.All"`}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	since := time.Now().Add(-time.Hour)
	for name, tc := range map[string]struct {
		c    *graph.Client
		want error
	}{"no Entra ID P1": {noP1, graph.ErrNoPremium}, "no AuditLog.Read.All": {noPermission, graph.ErrNoAuditPermission}, "granted": {granted, nil}} {
		_, err := tc.c.SignIns(t.Context(), alice, since)
		if tc.want == nil && err != nil || tc.want != nil && (!errors.Is(err, tc.want) || graph.KindOf(err) != graph.Forbidden) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
