package graph_test

import (
	"context"
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

// The real msgraph-sdk-go client against the simulator over HTTP: nothing
// of the SDK is mocked.

type fakeCredential struct{}

func (fakeCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

const alice = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9" // provisioned on first sight

// newClient starts a simulator and a client for it. Call it before
// t.Parallel: msgraph-sdk-go writes a package-level default whenever a
// client is built and reads it while decoding any response, so a client must
// never be built while another test's requests are in flight.
func newClient(t *testing.T, opts ...sim.Option) (*graph.Client, *sim.Server) {
	t.Helper()
	s := sim.New(opts...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := graph.New(graph.Config{Credential: fakeCredential{}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second, RetryWait: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

func mustPhone(t *testing.T, s string) graph.Phone {
	t.Helper()
	p, err := graph.ParsePhone(s, "JP")
	if err != nil {
		t.Fatalf("ParsePhone(%q): %v", s, err)
	}
	return p
}

func countWrites(s *sim.Server) (n int) {
	for _, r := range s.Requests() {
		if r.IsWrite() {
			n++
		}
	}
	return n
}

func TestReadUserAndMethods(t *testing.T) {
	c, _ := newClient(t)
	t.Parallel()
	ctx := t.Context()
	u, err := c.User(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != alice || u.UserPrincipalName == "" || u.DisplayName == "" {
		t.Errorf("user = %+v, want id, name and UPN", u)
	}
	byUPN, err := c.User(ctx, u.UserPrincipalName)
	if err != nil || byUPN.ID != alice {
		t.Errorf("user by UPN = %+v, %v; want the same user", byUPN, err)
	}
	m, err := c.Methods(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	mobile, ok := m.Phone(graph.Mobile)
	if !ok || len(m.Authenticators) != 1 || !m.HasPassword {
		t.Fatalf("methods = %+v, want a mobile, one Authenticator and a password", m)
	}
	if !strings.Contains(mobile.Masked, "••••") || strings.Contains(mobile.Masked, mobile.Number[len(mobile.Number)-8:]) {
		t.Errorf("masked number %q shows too much", mobile.Masked)
	}
	if m.Authenticators[0].DisplayName == "" || m.Authenticators[0].Created.IsZero() {
		t.Errorf("authenticator = %+v, want a device name and a date", m.Authenticators[0])
	}
	if m.MFACapable() != 2 {
		t.Errorf("MFACapable = %d, want 2", m.MFACapable())
	}
	if _, err := c.User(ctx, "nobody@contoso.example"); graph.KindOf(err) != graph.NotFound {
		t.Errorf("unknown UPN: got %v, want a NotFound error", err)
	}
}

func TestPhoneWrites(t *testing.T) {
	c, s := newClient(t)
	t.Parallel()
	ctx := t.Context()
	if _, err := c.Methods(ctx, alice); err != nil {
		t.Fatal(err)
	}

	alt, err := c.AddPhone(ctx, alice, graph.AlternateMobile, mustPhone(t, "080-1111-2222"), true)
	if err != nil {
		t.Fatalf("add alternate: %v", err)
	}
	if alt.Number != "+81 8011112222" || alt.ID != graph.PhoneMethodIDs[graph.AlternateMobile] {
		t.Errorf("added %+v, want +81 8011112222 in the alternate slot", alt)
	}

	writes := countWrites(s)
	_, err = c.AddPhone(ctx, alice, graph.AlternateMobile, mustPhone(t, "080-3333-4444"), true)
	var ge *graph.GuardError
	if !errors.As(err, &ge) {
		t.Errorf("second number in a taken slot: got %v, want a guardrail error", err)
	}
	if countWrites(s) != writes {
		t.Error("a refused change still reached Graph")
	}

	changed, err := c.ChangePhone(ctx, alice, graph.Mobile, mustPhone(t, "+81 90 5555 6666"), true)
	if err != nil || changed.Number != "+81 9055556666" {
		t.Fatalf("change mobile: %+v, %v", changed, err)
	}
	office, err := c.AddPhone(ctx, alice, graph.Office, mustPhone(t, "03-1234-5678"), false)
	if err != nil || office.Type != graph.Office {
		t.Fatalf("add office: %+v, %v", office, err)
	}
	if err := c.DeletePhone(ctx, alice, graph.Office, ""); err != nil {
		t.Fatalf("delete office: %v", err)
	}
	m, err := c.Methods(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Phone(graph.Office); ok {
		t.Error("office phone still there after delete")
	}
	if p, _ := m.Phone(graph.Mobile); p.Number != "+81 9055556666" {
		t.Errorf("mobile = %q after the change", p.Masked)
	}
}

func TestNeverLeavesAUserWithoutAMethod(t *testing.T) {
	c, s := newClient(t)
	t.Parallel()
	ctx := t.Context()
	m, err := c.Methods(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMethod(ctx, alice, graph.KindAuthenticator, m.Authenticators[0].ID, ""); err != nil {
		t.Fatalf("delete the Authenticator while a phone remains: %v", err)
	}
	writes := countWrites(s)
	err = c.DeletePhone(ctx, alice, graph.Mobile, "")
	var ge *graph.GuardError
	if !errors.As(err, &ge) || ge.Rule != graph.RuleLastMethod {
		t.Errorf("deleting the last method: got %v, want the LastMethod guardrail", err)
	}
	if countWrites(s) != writes {
		t.Error("the refused delete reached Graph")
	}
}

func TestTemporaryAccessPass(t *testing.T) {
	c, _ := newClient(t)
	t.Parallel()
	ctx := t.Context()
	tap, err := c.CreateTemporaryAccessPass(ctx, alice, 60, true)
	if err != nil {
		t.Fatal(err)
	}
	if tap.Pass == "" || tap.LifetimeMinutes != 60 || !tap.UsableOnce {
		t.Errorf("pass = %+v, want a one-time pass valid 60 minutes", tap)
	}
	m, err := c.Methods(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range m.Others {
		found = found || o.Kind == graph.KindTAP
	}
	if !found {
		t.Error("the pass does not show among the methods")
	}
	if _, err := c.CreateTemporaryAccessPass(ctx, alice, 5, false); graph.KindOf(err) != graph.Invalid {
		t.Errorf("a 5-minute pass: got %v, want Invalid", err)
	}
}

func TestThrottlingAndFailures(t *testing.T) {
	// Every client is built before any test runs in parallel: see newClient.
	type env struct {
		c *graph.Client
		s *sim.Server
	}
	mk := func() env { c, s := newClient(t); return env{c, s} }
	readRetried, longWait, addRetried, addFails := mk(), mk(), mk(), mk()
	kinds := []struct {
		status int
		want   graph.ErrorKind
		env    env
	}{{403, graph.Forbidden, mk()}, {404, graph.NotFound, mk()}, {409, graph.Conflict, mk()}, {500, graph.Unavailable, mk()}, {400, graph.Invalid, mk()}}
	t.Parallel()

	t.Run("a throttled read is retried after Retry-After", func(t *testing.T) {
		t.Parallel()
		c, s := readRetried.c, readRetried.s
		s.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/authentication/methods", Status: 429, RetryAfter: time.Second, Times: 1})
		start := time.Now()
		if _, err := c.Methods(t.Context(), alice); err != nil {
			t.Fatalf("got %v, want the retry to succeed", err)
		}
		if time.Since(start) < time.Second {
			t.Error("Retry-After was not honoured")
		}
	})
	t.Run("a long Retry-After comes back to the caller", func(t *testing.T) {
		t.Parallel()
		c, s := longWait.c, longWait.s
		s.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/authentication/methods", Status: 429, RetryAfter: time.Minute})
		_, err := c.Methods(t.Context(), alice)
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.Kind != graph.Throttled || ge.RetryAfter != time.Minute {
			t.Errorf("got %v, want Throttled with RetryAfter 1m", err)
		}
	})
	t.Run("a throttled add is re-read, then sent again once", func(t *testing.T) {
		t.Parallel()
		c, s := addRetried.c, addRetried.s
		s.Inject(sim.Fault{Method: http.MethodPost, PathContains: "/phoneMethods", Status: 429, RetryAfter: time.Second, Times: 1})
		if _, err := c.AddPhone(t.Context(), alice, graph.AlternateMobile, mustPhone(t, "080-1111-2222"), true); err != nil {
			t.Fatalf("got %v, want success after one retry", err)
		}
		posts := 0
		for _, r := range s.Requests() {
			if r.Method == http.MethodPost {
				posts++
			}
		}
		if posts != 2 {
			t.Errorf("%d POSTs, want 2 (the throttled one and the retry)", posts)
		}
	})
	t.Run("a write that keeps failing is reported, not half done", func(t *testing.T) {
		t.Parallel()
		c, s := addFails.c, addFails.s
		s.Inject(sim.Fault{Method: http.MethodPost, PathContains: "/phoneMethods", Status: 503})
		_, err := c.AddPhone(t.Context(), alice, graph.AlternateMobile, mustPhone(t, "080-1111-2222"), true)
		if graph.KindOf(err) != graph.Unavailable {
			t.Fatalf("got %v, want Unavailable", err)
		}
		s.ClearFaults()
		m, _ := c.Methods(t.Context(), alice)
		if _, ok := m.Phone(graph.AlternateMobile); ok {
			t.Error("the number was added although the client reported failure")
		}
		if strings.Contains(err.Error(), "8011112222") || strings.Contains(err.Error(), "1111-2222") {
			t.Errorf("error %q contains the phone number", err)
		}
	})
	for _, tc := range kinds {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			tc.env.s.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/authentication/methods", Status: tc.status})
			if _, err := tc.env.c.Methods(t.Context(), alice); graph.KindOf(err) != tc.want {
				t.Errorf("HTTP %d: got %v, want kind %v", tc.status, err, tc.want)
			}
		})
	}
}

// TestOddErrorBodies answers with error bodies Graph would never send; the
// client must classify them, not panic.
func TestOddErrorBodies(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		status                  int
		c                       *graph.Client
	}{
		{name: "no message", contentType: "application/json", body: `{"error":{"code":"badRequest"}}`, status: 400},
		{name: "empty error", contentType: "application/json", body: `{"error":{}}`, status: 400},
		{name: "not JSON", contentType: "text/html", body: `<html>gateway</html>`, status: 502},
		{name: "empty body", status: 503},
		{name: "JSON array", contentType: "application/json", body: `[1,2]`, status: 409},
	}
	for i := range cases {
		tc := &cases[i]
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.contentType != "" {
				w.Header().Set("Content-Type", tc.contentType)
			}
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		t.Cleanup(srv.Close)
		var err error
		if tc.c, err = graph.New(graph.Config{Credential: fakeCredential{}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second, RetryWait: time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	t.Parallel()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.c.Methods(t.Context(), alice)
			if err == nil || graph.KindOf(err) == graph.Unknown {
				t.Errorf("got %v, want a classified error", err)
			}
			_ = err.Error() // must not panic
		})
	}
}
