package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestTenantSeedDeterministic(t *testing.T) {
	t.Parallel()
	a, b := TenantSeed(600, 1), TenantSeed(600, 1)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same people and seed gave different tenants")
	}
	if longer := TenantSeed(900, 1); !reflect.DeepEqual(a, longer[:600]) {
		t.Error("TenantSeed(600, 1) is not the first 600 of TenantSeed(900, 1)")
	}
	other := TenantSeed(600, 2)
	same := 0
	for i := range a {
		if a[i].ID == other[i].ID {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 1 and 2 share %d object ids", same)
	}
	if len(TenantSeed(0, 1)) != 0 || len(TenantSeed(-3, 1)) != 0 {
		t.Error("no people should make no users")
	}
}

// mix labels methodsRegistered as the campaign does (graph.MethodMix, which
// this package cannot import without building the SDK).
func mix(methods []string) string {
	phone, passkey, authenticator, other := false, false, false, false
	for _, m := range methods {
		switch {
		case m == regMobilePhone || m == regAlternateMobilePhone || m == regOfficePhone:
			phone = true
		case strings.HasPrefix(m, "passKey"):
			passkey = true
		case m == regAuthenticatorPush:
			authenticator = true
		case m == regEmail || m == regTemporaryAccessPass:
		default:
			other = true
		}
	}
	switch {
	case passkey:
		return "passkey"
	case authenticator && phone:
		return "phone+authenticator"
	case authenticator:
		return "authenticator"
	case other:
		return "other"
	case phone:
		return "phone-only"
	}
	return "none"
}

func TestTenantSeedMix(t *testing.T) {
	t.Parallel()
	const people = 20_000
	seed := TenantSeed(people, 1)
	users, err := buildSeed(seed)
	if err != nil {
		t.Fatalf("the generated tenant is not a valid seed: %v", err)
	}
	counts := map[string]int{}
	upns := map[string]bool{}
	for i, u := range users {
		counts[mix(u.methodsRegistered())]++
		if upns[strings.ToLower(u.upn)] {
			t.Fatalf("userPrincipalName %s twice", u.upn)
		}
		upns[strings.ToLower(u.upn)] = true
		su := seed[i]
		if su.UserType == userTypeGuest {
			counts["guest"]++
			if !strings.Contains(su.UserPrincipalName, "#EXT#@") {
				t.Errorf("guest UPN %s lacks #EXT#", su.UserPrincipalName)
			}
		}
		if u.disabled {
			counts["disabled"]++
		}
		if len(u.roles) > 0 {
			counts["admin"]++
		}
		if u.noTeams {
			counts["no Teams"]++
		}
		if u.lang == "en-US" {
			counts["en-US"]++
		}
		if u.phone(mobile) != nil && u.phone(alternateMobile) != nil || u.phone(office) != nil {
			counts["second or office phone"]++
		}
	}
	tests := []struct {
		label string
		share float64
	}{
		{"phone-only", 0.35}, {"phone+authenticator", 0.25}, {"authenticator", 0.15},
		{"passkey", 0.08}, {"none", 0.05}, {"other", 0.12},
		{"guest", 0.03}, {"disabled", 0.02}, {"admin", 0.01}, {"no Teams", 0.02}, {"en-US", 0.15},
	}
	for _, tt := range tests {
		got := float64(counts[tt.label]) / people
		// Three standard deviations of a binomial share, plus a little.
		tol := 3*math.Sqrt(tt.share*(1-tt.share)/people) + 0.002
		if math.Abs(got-tt.share) > tol {
			t.Errorf("%s: %.3f of people, want %.3f ± %.3f", tt.label, got, tt.share, tol)
		}
	}
	if counts["second or office phone"] == 0 {
		t.Error("nobody has an alternate mobile or office phone")
	}
}

func TestTenantSeedControl(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	seed := func(people int, seed uint64) map[string]any { return map[string]any{"people": people, "seed": seed} }
	runSteps(t, ts.URL, []step{
		{http.MethodPost, "/_sim/tenant/seed", seed(300, 1), 201, "", `"added":300`},
		{http.MethodPost, "/_sim/tenant/seed", seed(300, 1), 200, "", `"added":0`},
		{http.MethodPost, "/_sim/tenant/seed", seed(500, 1), 201, "", `"added":200`},
		{http.MethodGet, "/_sim/tenant", nil, 200, "", fmt.Sprintf(`"users":%d`, 500+len(seedUsers(t)))},
		{http.MethodPost, "/_sim/tenant/seed", seed(0, 1), 400, codeInvalidRequest, ""},
		{http.MethodPost, "/_sim/tenant/seed", seed(MaxTenantPeople+1, 1), 400, codeInvalidRequest, ""},
		{http.MethodPost, "/_sim/tenant/seed", "{}", 400, codeInvalidRequest, ""},
		{http.MethodGet, "/_sim/tenant/seed", nil, 405, "methodNotAllowed", ""},
	})
	// Another seed makes other people, some with names already taken:
	// refused whole, not half added.
	runSteps(t, ts.URL, []step{
		{http.MethodPost, "/_sim/tenant/seed", seed(500, 2), 409, codeConflict, "already belongs to"},
		{http.MethodGet, "/_sim/tenant", nil, 200, "", fmt.Sprintf(`"users":%d`, 500+len(seedUsers(t)))},
	})
	first := TenantSeed(1, 1)[0]
	if d := debugState(t, ts.URL, first.ID); d.UserPrincipalName != first.UserPrincipalName {
		t.Errorf("seeded user %s: %+v", first.ID, d)
	}
}

// BenchmarkRegistrationReport50k pages through the registration report of
// a 50,000-person tenant, 999 a page, as a campaign's dry run would. It
// reports the tenant's heap as MB and, per op (the whole report),
// allocations.
func BenchmarkRegistrationReport50k(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New(WithSeed(TenantSeed(50_000, 1)))
	runtime.GC()
	runtime.ReadMemStats(&after)

	b.ReportAllocs()
	for b.Loop() {
		path := reportPath + "?$top=999"
		n := 0
		for path != "" {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			page := rec.Body.String()
			n += strings.Count(page, `"userPrincipalName"`)
			path = ""
			if _, quoted, ok := strings.Cut(page, `"@odata.nextLink":`); ok {
				var link string
				if err := json.NewDecoder(strings.NewReader(quoted)).Decode(&link); err != nil {
					b.Fatal(err)
				}
				path = link[strings.Index(link, "/v1.0/"):]
			}
		}
		if n != 50_000 {
			b.Fatalf("paged through %d users, want 50000", n)
		}
	}
	// After the loop: b.Loop's first call resets the timer, which clears
	// metrics reported before it.
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "tenant-MB")
	runtime.KeepAlive(s)
}
