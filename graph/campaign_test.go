package graph_test

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

func TestPhoneOnlyAndMethodMix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		methods   []string
		phoneOnly bool
		mix       string
	}{
		{"mobile", []string{"mobilePhone"}, true, graph.MixPhoneOnly},
		{"every phone", []string{"mobilePhone", "alternateMobilePhone", "officePhone"}, true, graph.MixPhoneOnly},
		{"office phone", []string{"officePhone"}, true, graph.MixPhoneOnly},
		{"phone and no second factors", []string{"email", "mobilePhone", "securityQuestion", "appPassword", "temporaryAccessPass", ""}, true, graph.MixPhoneOnly},
		{"any case", []string{"MOBILEPHONE"}, true, graph.MixPhoneOnly},
		{"phone and Authenticator", []string{"mobilePhone", "microsoftAuthenticatorPush"}, false, graph.MixAuthenticator},
		{"phone sign-in", []string{"microsoftAuthenticatorPasswordless"}, false, graph.MixAuthenticator},
		{"Authenticator passkey", []string{"mobilePhone", "microsoftAuthenticatorPush", "passKeyDeviceBoundAuthenticator"}, false, graph.MixPasskey},
		{"security key", []string{"fido2SecurityKey"}, false, graph.MixPasskey},
		{"device-bound passkey", []string{"mobilePhone", "passKeyDeviceBound"}, false, graph.MixPasskey},
		{"Windows Hello passkey", []string{"passKeyDeviceBoundWindowsHello"}, false, graph.MixPasskey},
		{"synced passkey", []string{"officePhone", "passKeySynced"}, false, graph.MixPasskey},
		{"software OATH", []string{"mobilePhone", "softwareOneTimePasscode"}, false, graph.MixOther},
		{"hardware OATH", []string{"hardwareOneTimePasscode"}, false, graph.MixOther},
		{"Windows Hello", []string{"mobilePhone", "windowsHelloForBusiness"}, false, graph.MixOther},
		{"macOS", []string{"macOsSecureEnclaveKey"}, false, graph.MixOther},
		{"platform credential", []string{"platformCredential"}, false, graph.MixOther},
		{"external method", []string{"mobilePhone", "externalAuthenticationMethod"}, false, graph.MixOther},
		{"QR code and PIN is single-factor", []string{"mobilePhone", "qrCodePin"}, true, graph.MixPhoneOnly},
		{"unknown value fails safe", []string{"mobilePhone", "brainwaveScan"}, false, graph.MixOther},
		{"unknownFutureValue fails safe", []string{"officePhone", "unknownFutureValue"}, false, graph.MixOther},
		{"nothing", nil, false, graph.MixNone},
		{"email only", []string{"email"}, false, graph.MixNone},
		{"pass only", []string{"temporaryAccessPass", "none"}, false, graph.MixNone},
	}
	for _, tt := range tests {
		if got := graph.PhoneOnly(tt.methods); got != tt.phoneOnly {
			t.Errorf("%s: PhoneOnly(%q) = %v, want %v", tt.name, tt.methods, got, tt.phoneOnly)
		}
		if got := graph.MethodMix(tt.methods); got != tt.mix {
			t.Errorf("%s: MethodMix(%q) = %q, want %q", tt.name, tt.methods, got, tt.mix)
		}
	}
}

func TestRegistrationExternal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    graph.Registration
		want bool
	}{
		{graph.Registration{UserType: "member", UserPrincipalName: "a@contoso.example"}, false},
		{graph.Registration{UserType: "guest", UserPrincipalName: "a_example.com#EXT#@contoso.onmicrosoft.com"}, true},
		{graph.Registration{UserType: "member", UserPrincipalName: "a_example.com#ext#@contoso.onmicrosoft.com"}, true},
		{graph.Registration{UserPrincipalName: "a@contoso.example"}, true},
	}
	for _, tt := range tests {
		if got := tt.r.External(); got != tt.want {
			t.Errorf("%+v.External() = %v, want %v", tt.r, got, tt.want)
		}
	}
}

// registrations reads the whole report.
func registrations(t *testing.T, c *graph.Client, pageSize int) []graph.Registration {
	t.Helper()
	var all []graph.Registration
	if err := c.RegistrationDetails(t.Context(), pageSize, func(r graph.Registration) error {
		all = append(all, r)
		return nil
	}); err != nil {
		t.Fatalf("RegistrationDetails: %v", err)
	}
	return all
}

func TestRegistrationDetailsPaging(t *testing.T) {
	tenant := sim.TenantSeed(230, 3)
	c, _, w := newWiredClient(t, nil, sim.WithSeed(tenant))
	t.Parallel()

	got := registrations(t, c, 50)
	var gotIDs, wantIDs []string
	for _, r := range got {
		gotIDs = append(gotIDs, r.UserID)
	}
	for _, su := range tenant {
		wantIDs = append(wantIDs, su.ID)
	}
	slices.Sort(wantIDs)
	if !slices.Equal(gotIDs, wantIDs) {
		t.Fatalf("the report streamed %d people, want each of the %d seeded once, in id order", len(gotIDs), len(wantIDs))
	}
	if n := len(w.requests(http.MethodGet, "/userRegistrationDetails")); n != 5 {
		t.Errorf("%d requests for 230 people 50 a page, want 5", n)
	}

	first := tenant[0]
	i := slices.Index(gotIDs, first.ID)
	r := got[i]
	if r.UserPrincipalName != first.UserPrincipalName || r.DisplayName != first.DisplayName ||
		r.External() != (first.UserType == "Guest") {
		t.Errorf("registration %+v does not match the seeded person %+v", r, first)
	}
	if n := len(registrations(t, c, 5000)); n != 230 {
		t.Errorf("a page size above 999 streamed %d people, want 230", n)
	}
}

func TestRegistrationDetailsStopsOnYieldError(t *testing.T) {
	c, _, w := newWiredClient(t, nil, sim.WithSeed(sim.TenantSeed(40, 5)))
	t.Parallel()
	stop := errors.New("enough")
	seen := 0
	err := c.RegistrationDetails(t.Context(), 10, func(graph.Registration) error {
		seen++
		if seen == 13 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("got %v, want the yield's own error", err)
	}
	if seen != 13 {
		t.Errorf("yield called %d times, want 13 (it must stop at once)", seen)
	}
	if n := len(w.requests(http.MethodGet, "/userRegistrationDetails")); n != 2 {
		t.Errorf("%d pages read, want 2: none after the one that failed", n)
	}
}

func TestRegistrationDetailsRetries(t *testing.T) {
	c, s := newClient(t, sim.WithSeed(sim.TenantSeed(30, 6)))
	t.Parallel()
	// Graph throttles the second page: the stream waits and goes on.
	seen := 0
	start := time.Now()
	err := c.RegistrationDetails(t.Context(), 20, func(graph.Registration) error {
		if seen++; seen == 1 {
			s.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/userRegistrationDetails", Status: 429, RetryAfter: time.Second, Times: 1})
		}
		return nil
	})
	if err != nil || seen != 30 {
		t.Fatalf("got %v after %d people, want all 30", err, seen)
	}
	if time.Since(start) < time.Second {
		t.Error("Retry-After was not honoured")
	}
	statuses := []int{}
	for _, r := range s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []int{200, 429, 200}) {
		t.Errorf("statuses %v, want the first page, the throttled second and its retry", statuses)
	}
}

func TestRegistrationDetailsUnavailable(t *testing.T) {
	noP1, _ := newClient(t, sim.WithPremium(false))
	noPermission, noPermissionSim := newClient(t)
	broken, brokenSim := newClient(t)
	t.Parallel()
	noPermissionSim.Inject(sim.Fault{PathContains: "/reports/", Status: 403, Code: "Authorization_RequestDenied"})
	brokenSim.Inject(sim.Fault{PathContains: "/reports/", Status: 500})
	tests := []struct {
		name        string
		c           *graph.Client
		unavailable bool
		kind        graph.ErrorKind
	}{
		{"no Entra ID P1", noP1, true, graph.Forbidden},
		{"no AuditLog.Read.All", noPermission, true, graph.Forbidden},
		{"a server error is something else", broken, false, graph.Unavailable},
	}
	for _, tt := range tests {
		called := false
		err := tt.c.RegistrationDetails(t.Context(), 0, func(graph.Registration) error { called = true; return nil })
		if errors.Is(err, graph.ErrReportUnavailable) != tt.unavailable || graph.KindOf(err) != tt.kind {
			t.Errorf("%s: got %v; want report unavailable %v, kind %v", tt.name, err, tt.unavailable, tt.kind)
		}
		if called {
			t.Errorf("%s: yield was called", tt.name)
		}
	}
}

func TestGroupMembers(t *testing.T) {
	const group = "8d3f6a21-5c4b-4e7a-9f10-2b3c4d5e6f70"
	no := false
	seed := []sim.SeedUser{
		{ID: "a0000000-0000-4000-8000-000000000001", UserPrincipalName: "hina.sato@contoso.example", DisplayName: "佐藤 陽菜", Groups: []string{group}},
		{ID: "a0000000-0000-4000-8000-000000000002", UserPrincipalName: "left@contoso.example", Groups: []string{group}, AccountEnabled: &no},
		{ID: "a0000000-0000-4000-8000-000000000003", UserPrincipalName: "emily_example.com#EXT#@contoso.onmicrosoft.com",
			UserType: "Guest", PreferredLanguage: "en-US", Groups: []string{group}},
		{ID: "a0000000-0000-4000-8000-000000000004", UserPrincipalName: "ren.ito@contoso.example", Groups: []string{group}},
		{ID: "a0000000-0000-4000-8000-000000000005", UserPrincipalName: "outsider@contoso.example"},
	}
	c, _, w := newWiredClient(t, nil, sim.WithSeed(seed))
	t.Parallel()

	var got []graph.User
	if err := c.GroupMembers(t.Context(), group, 3, func(u graph.User) error { got = append(got, u); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []graph.User{
		{ID: seed[0].ID, UserPrincipalName: "hina.sato@contoso.example", DisplayName: "佐藤 陽菜", PreferredLanguage: "ja-JP", UserType: "Member",
			Mail: "hina.sato@contoso.example"},
		{ID: seed[1].ID, UserPrincipalName: "left@contoso.example", DisplayName: "left", PreferredLanguage: "ja-JP", UserType: "Member",
			Mail: "left@contoso.example", Disabled: true},
		{ID: seed[2].ID, UserPrincipalName: seed[2].UserPrincipalName, DisplayName: "emily_example.com#EXT#", PreferredLanguage: "en-US",
			UserType: "Guest", Mail: seed[2].UserPrincipalName},
		{ID: seed[3].ID, UserPrincipalName: "ren.ito@contoso.example", DisplayName: "ren.ito", PreferredLanguage: "ja-JP", UserType: "Member",
			Mail: "ren.ito@contoso.example"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("members:\n got %+v\nwant %+v", got, want)
	}
	if n := len(w.requests(http.MethodGet, "/graph.user")); n != 2 {
		t.Errorf("%d requests for 4 members 3 a page, want 2", n)
	}

	stop := errors.New("stop")
	if err := c.GroupMembers(t.Context(), group, 3, func(graph.User) error { return stop }); err != stop {
		t.Errorf("a failing yield: got %v, want its error", err)
	}
	if err := c.GroupMembers(t.Context(), "", 3, func(graph.User) error { return nil }); graph.KindOf(err) != graph.Invalid {
		t.Errorf("no group id: got %v, want Invalid", err)
	}
	if err := c.GroupMembers(t.Context(), "sales", 3, func(graph.User) error { return nil }); graph.KindOf(err) != graph.Invalid {
		t.Errorf("a group id that is no object id: got %v, want Invalid", err)
	}
}

func TestUserDisabled(t *testing.T) {
	no := false
	const left = "a0000000-0000-4000-8000-000000000002"
	c, _ := newClient(t, sim.WithSeed([]sim.SeedUser{{ID: left, UserPrincipalName: "left@contoso.example", AccountEnabled: &no}}))
	t.Parallel()
	for id, want := range map[string]bool{left: true, alice: false} {
		u, err := c.User(t.Context(), id)
		if err != nil || u.Disabled != want {
			t.Errorf("User(%s).Disabled = %v, %v; want %v", id, u.Disabled, err, want)
		}
	}
}

func TestInstallPersonalApp(t *testing.T) {
	const (
		app        = "3e5c1a2b-8f4d-4c6e-9a7b-1d2e3f4a5b6c"
		unlicensed = "d0d0d0d0-0000-4000-8000-000000000001"
		stranger   = "d0d0d0d0-0000-4000-8000-0000000000ff"
	)
	no := false
	seed := sim.WithSeed([]sim.SeedUser{{ID: unlicensed, UserPrincipalName: "nolicence@contoso.example", Teams: &no}})
	c, s := newClient(t, seed)
	throttled, throttledSim := newClient(t)
	t.Parallel()
	ctx := t.Context()

	// alice is provisioned by reading her: installs never provision.
	for _, c := range []*graph.Client{c, throttled} {
		if _, err := c.User(ctx, alice); err != nil {
			t.Fatal(err)
		}
	}
	if installed, err := c.InstallPersonalApp(ctx, alice, app); !installed || err != nil {
		t.Errorf("first install: %v, %v; want installed", installed, err)
	}
	if installed, err := c.InstallPersonalApp(ctx, alice, app); installed || err != nil {
		t.Errorf("second install: %v, %v; want already installed, no error", installed, err)
	}
	for _, tt := range []struct {
		user string
		kind graph.ErrorKind
	}{{unlicensed, graph.Forbidden}, {stranger, graph.NotFound}} {
		installed, err := c.InstallPersonalApp(ctx, tt.user, app)
		if installed || !errors.Is(err, graph.ErrUnreachable) || graph.KindOf(err) != tt.kind {
			t.Errorf("install for %s: %v, %v; want unreachable (%v)", tt.user, installed, err, tt.kind)
		}
	}
	before := len(s.Requests())
	if _, err := c.InstallPersonalApp(ctx, alice, ""); graph.KindOf(err) != graph.Invalid || len(s.Requests()) != before {
		t.Errorf("no app id: got %v, and %d requests; want Invalid before any request", err, len(s.Requests())-before)
	}

	throttledSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: "/installedApps", Status: 429, RetryAfter: time.Second, Times: 1})
	start := time.Now()
	if installed, err := throttled.InstallPersonalApp(ctx, alice, app); !installed || err != nil {
		t.Errorf("after a 429: %v, %v; want installed", installed, err)
	}
	if time.Since(start) < time.Second || countWrites(throttledSim) != 2 {
		t.Errorf("%d POSTs in %v; want 2, a second apart", countWrites(throttledSim), time.Since(start))
	}
}

// TestCampaignDryRun counts a generated tenant the way a campaign's dry run
// would, then watches one phone-only person leave the count by registering
// a passkey.
func TestCampaignDryRun(t *testing.T) {
	const people = 3000
	c, s := newClient(t, sim.WithSeed(sim.TenantSeed(people, 1)))
	t.Parallel()

	count := func() (map[string]int, []string) {
		mix := map[string]int{}
		var phoneOnly []string
		if err := c.RegistrationDetails(t.Context(), 999, func(r graph.Registration) error {
			mix[graph.MethodMix(r.Methods)]++
			if graph.PhoneOnly(r.Methods) {
				phoneOnly = append(phoneOnly, r.UserID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return mix, phoneOnly
	}
	mix, phoneOnly := count()
	for label, share := range map[string]float64{graph.MixPhoneOnly: 0.35, graph.MixAuthenticator: 0.40,
		graph.MixPasskey: 0.08, graph.MixNone: 0.05, graph.MixOther: 0.12} {
		got := float64(mix[label]) / people
		if tol := 3*math.Sqrt(share*(1-share)/people) + 0.005; math.Abs(got-share) > tol {
			t.Errorf("%s: %.3f of people, want %.2f ± %.3f", label, got, share, tol)
		}
	}

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_sim/users/"+phoneOnly[0]+"/passkeys", strings.NewReader(`{}`)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("register a passkey: %d %s", rec.Code, rec.Body)
	}
	after, stillPhoneOnly := count()
	if after[graph.MixPhoneOnly] != mix[graph.MixPhoneOnly]-1 || after[graph.MixPasskey] != mix[graph.MixPasskey]+1 ||
		slices.Contains(stillPhoneOnly, phoneOnly[0]) {
		t.Errorf("after a passkey: %v, want one fewer phone-only and one more passkey than %v", after, mix)
	}
}
