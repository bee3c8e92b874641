package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const reportPath = "/v1.0/reports/authenticationMethods/userRegistrationDetails"

// listPage is one page of a user listing.
type listPage struct {
	Value    []map[string]any `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
}

// pageThrough follows a listing's @odata.nextLink from path to the end and
// returns every entry, calling between(page) after each page but the last.
func pageThrough(t *testing.T, base, path string, between func(page int)) []map[string]any {
	t.Helper()
	var all []map[string]any
	for page := 1; ; page++ {
		r := send(t, base, http.MethodGet, path, nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: status %d, body %s", path, r.status, r.body)
		}
		var p listPage
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Value...)
		if p.NextLink == "" {
			return all
		}
		if page > 10_000 {
			t.Fatal("the listing never ends")
		}
		u, err := url.Parse(p.NextLink)
		if err != nil || !strings.HasPrefix(p.NextLink, base) {
			t.Fatalf("nextLink %q does not point back at the simulator %s", p.NextLink, base)
		}
		path = u.RequestURI()
		if between != nil {
			between(page)
		}
	}
}

func ids(entries []map[string]any) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e["id"].(string))
	}
	return out
}

func TestRegistrationReportPaging(t *testing.T) {
	t.Parallel()
	s := New(WithSeed(seedUsers(t)), WithSeed(TenantSeed(230, 7)))
	base := startServer(t, s)
	before := s.sortedIDs()
	const added = 25
	pages := 1
	got := pageThrough(t, base, reportPath+"?$top=40", func(page int) {
		pages++
		if page == 2 { // people join mid-listing, ids sorting anywhere: nobody already there may be skipped or repeated
			for i := range added {
				if _, ok := s.Person(hashUUID("late", strconv.Itoa(i))); !ok {
					t.Fatal("could not provision a user")
				}
			}
		}
	})
	gotIDs := ids(got)
	if !slices.IsSorted(gotIDs) {
		t.Error("the report is not in object id order")
	}
	if len(slices.Compact(slices.Clone(gotIDs))) != len(gotIDs) {
		t.Error("the report lists someone twice")
	}
	for _, id := range before {
		if _, found := slices.BinarySearch(gotIDs, id); !found {
			t.Errorf("user %s, known before the listing began, is missing", id)
		}
	}
	if len(gotIDs) < len(before) || len(gotIDs) > len(before)+added {
		t.Errorf("listed %d users, want between %d and %d", len(gotIDs), len(before), len(before)+added)
	}
	if want := (len(before) + 39) / 40; pages < want {
		t.Errorf("%d pages for %d users at 40 a page, want at least %d", pages, len(before), want)
	}

	// Without $top the page is 999.
	r := send(t, base, http.MethodGet, reportPath, nil)
	var p listPage
	if err := json.Unmarshal(r.body, &p); err != nil || len(p.Value) != len(before)+added || p.NextLink != "" {
		t.Errorf("default page: %d entries, nextLink %q; want all %d on one page", len(p.Value), p.NextLink, len(before)+added)
	}
}

func TestRegistrationReportPagingErrors(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	runSteps(t, ts.URL, []step{
		{http.MethodGet, reportPath + "?$top=0", nil, 400, codeBadRequest, ""},
		{http.MethodGet, reportPath + "?$top=1000", nil, 400, codeBadRequest, ""},
		{http.MethodGet, reportPath + "?$top=ten", nil, 400, codeBadRequest, ""},
		{http.MethodGet, reportPath + "?$skiptoken=42", nil, 400, codeBadRequest, ""},
		{http.MethodGet, reportPath + "?$skiptoken=" + "bm90LWEtZ3VpZA", nil, 400, codeBadRequest, ""}, // "not-a-guid"
		{http.MethodPost, reportPath, map[string]any{}, 405, "methodNotAllowed", ""},
		{http.MethodGet, reportPath + "?$top=999", nil, 200, "", `"value":[`},
	})
}

func TestRegistrationEntries(t *testing.T) {
	t.Parallel()
	const (
		guestID = "5d6e7f80-1111-4222-8333-444455556666"
		adminID = "7d4e2a19-3c5b-4f8e-b1a6-9e0d2c4f6a81"
	)
	_, ts := start(t, WithSeed([]SeedUser{
		{ID: guestID, UserPrincipalName: "emily_example.com#EXT#@contoso.onmicrosoft.com", UserType: "Guest"},
		{ID: "9a9a9a9a-0000-4000-8000-000000000001", UserPrincipalName: "office.only@contoso.example",
			Phones: []SeedPhone{{Type: "office", Number: "+81 312345678"}}},
	}))
	entries := map[string]map[string]any{}
	for _, e := range pageThrough(t, ts.URL, reportPath, nil) {
		entries[e["id"].(string)] = e
	}
	tests := []struct {
		id      string
		methods []any
		want    map[string]any // the fields to check besides methodsRegistered
	}{
		{satoID, []any{"mobilePhone", "alternateMobilePhone", "officePhone", "microsoftAuthenticatorPush", "email"},
			map[string]any{"userType": "member", "isMfaRegistered": true, "isPasswordlessCapable": false,
				"userPreferredMethodForSecondaryAuthentication": "sms", "userDisplayName": "佐藤 花子",
				"userPrincipalName": "hanako.sato@contoso.example"}},
		{suzukiID, []any{"mobilePhone"}, map[string]any{"isAdmin": false, "isMfaCapable": true}},
		{tanakaID, []any{"microsoftAuthenticatorPush", "softwareOneTimePasscode", "passKeyDeviceBound", "windowsHelloForBusiness"},
			map[string]any{"isPasswordlessCapable": true, "userPreferredMethodForSecondaryAuthentication": "push"}},
		{"9a9a9a9a-0000-4000-8000-000000000001", []any{"officePhone"},
			map[string]any{"userPreferredMethodForSecondaryAuthentication": "voiceOffice"}},
		{guestID, []any{}, map[string]any{"userType": "guest", "isMfaRegistered": false, "isMfaCapable": false,
			"userPreferredMethodForSecondaryAuthentication": ""}},
		{adminID, nil, map[string]any{"isAdmin": true}},
	}
	for _, tt := range tests {
		e, ok := entries[tt.id]
		if !ok {
			t.Errorf("%s is not in the report", tt.id)
			continue
		}
		if tt.methods != nil {
			if diff := cmp.Diff(tt.methods, e["methodsRegistered"]); diff != "" {
				t.Errorf("%s methodsRegistered (-want +got):\n%s", tt.id, diff)
			}
		}
		for k, v := range tt.want {
			if e[k] != v {
				t.Errorf("%s %s = %v, want %v", tt.id, k, e[k], v)
			}
		}
		if e["lastUpdatedDateTime"] == nil {
			t.Errorf("%s has no lastUpdatedDateTime", tt.id)
		}
	}
}

// registrationOf reads one user's report entry.
func registrationOf(t *testing.T, base, id string) map[string]any {
	t.Helper()
	for _, e := range pageThrough(t, base, reportPath, nil) {
		if e["id"] == id {
			return e
		}
	}
	t.Fatalf("%s is not in the report", id)
	return nil
}

func TestPasskeyLeavesPhoneOnly(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	if got := registrationOf(t, ts.URL, suzukiID)["methodsRegistered"]; !cmp.Equal(got, []any{"mobilePhone"}) {
		t.Fatalf("before: methodsRegistered = %v, want only mobilePhone", got)
	}
	addPasskey(t, ts.URL, suzukiID, nil) // Microsoft Authenticator on iOS
	after := registrationOf(t, ts.URL, suzukiID)
	if got := after["methodsRegistered"]; !cmp.Equal(got, []any{"mobilePhone", "passKeyDeviceBoundAuthenticator"}) {
		t.Errorf("after an Authenticator passkey: methodsRegistered = %v", got)
	}
	if after["isPasswordlessCapable"] != true || after["lastUpdatedDateTime"] != "2025-07-01T09:00:00Z" {
		t.Errorf("after: passwordless %v, lastUpdated %v; want true and the registration time", after["isPasswordlessCapable"], after["lastUpdatedDateTime"])
	}
	addPasskey(t, ts.URL, suzukiID, map[string]any{"aaGuid": "2fc0579f-8113-47ea-b116-bb5a8db9202a"})
	if got := registrationOf(t, ts.URL, suzukiID)["methodsRegistered"]; !cmp.Equal(got,
		[]any{"mobilePhone", "passKeyDeviceBoundAuthenticator", "passKeyDeviceBound"}) {
		t.Errorf("after a security key: methodsRegistered = %v", got)
	}
}

func TestPremiumSwitch(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	runSteps(t, ts.URL, []step{
		{http.MethodGet, "/_sim/tenant", nil, 200, "", `"premium":true`},
		{http.MethodPatch, "/_sim/tenant", map[string]any{"premium": false}, 200, "", `"premium":false`},
		{http.MethodGet, reportPath, nil, 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", ""},
		// Only the report needs P1.
		{http.MethodGet, "/v1.0/users/" + suzukiID, nil, 200, "", ""},
		{http.MethodPatch, "/_sim/tenant", map[string]any{}, 200, "", `"premium":false`},
		{http.MethodPatch, "/_sim/tenant", map[string]any{"premium": true}, 200, "", `"premium":true`},
		{http.MethodGet, reportPath, nil, 200, "", suzukiID},
		{http.MethodPatch, "/_sim/tenant", "{", 400, codeBadRequest, ""},
		{http.MethodDelete, "/_sim/tenant", nil, 405, "methodNotAllowed", ""},
	})

	_, noP1 := start(t, WithPremium(false))
	if r := send(t, noP1.URL, http.MethodGet, reportPath, nil); r.status != http.StatusForbidden {
		t.Errorf("WithPremium(false): status %d, want 403", r.status)
	}
}

func TestGroupUsers(t *testing.T) {
	t.Parallel()
	const group = "8d3f6a21-5c4b-4e7a-9f10-2b3c4d5e6f70"
	seed := []SeedUser{{ID: "b0000000-0000-4000-8000-000000000000", UserPrincipalName: "outsider@contoso.example"}}
	for i, c := range "abcde" {
		su := SeedUser{ID: "a000000" + string(c) + "-0000-4000-8000-000000000000", UserPrincipalName: string(c) + "@contoso.example",
			Groups: []string{strings.ToUpper(group)}}
		if i == 1 {
			su.AccountEnabled = new(bool)
			su.UserType = "Guest"
		}
		seed = append(seed, su)
	}
	s := New(WithSeed(seed))
	base := startServer(t, s)
	path := "/v1.0/groups/" + group + "/transitiveMembers/microsoft.graph.user"

	got := pageThrough(t, base, path+"?$top=2&$select=id,displayName,accountEnabled,userType", nil)
	want := []string{"a000000a-0000-4000-8000-000000000000", "a000000b-0000-4000-8000-000000000000",
		"a000000c-0000-4000-8000-000000000000", "a000000d-0000-4000-8000-000000000000", "a000000e-0000-4000-8000-000000000000"}
	if diff := cmp.Diff(want, ids(got)); diff != "" {
		t.Fatalf("members (-want +got):\n%s", diff)
	}
	if got[1]["accountEnabled"] != false || got[1]["userType"] != "Guest" || got[0]["accountEnabled"] != true {
		t.Errorf("selected properties: %v and %v", got[0], got[1])
	}
	plain := pageThrough(t, base, "/v1.0/groups/"+group+"/transitiveMembers/graph.user", nil)
	if _, has := plain[0]["accountEnabled"]; has || len(plain) != 5 || plain[0]["userPrincipalName"] != "a@contoso.example" {
		t.Errorf("without $select: %v; want the default properties only, all 5 members", plain)
	}
	runSteps(t, base, []step{
		{http.MethodGet, "/v1.0/groups/9e8d7c6b-1111-4111-8111-0000000000aa/transitiveMembers/microsoft.graph.user", nil, 200, "", `"value":[]`},
		{http.MethodGet, "/v1.0/groups/sales/transitiveMembers/microsoft.graph.user", nil, 400, codeBadRequest, ""},
		{http.MethodPost, path, map[string]any{}, 405, "methodNotAllowed", ""},
	})
}

func TestAccountEnabled(t *testing.T) {
	t.Parallel()
	const id = "c0ffee00-0000-4000-8000-000000000001"
	_, ts := start(t, WithSeed([]SeedUser{{ID: id, UserPrincipalName: "left@contoso.example", AccountEnabled: new(bool)}}))
	runSteps(t, ts.URL, []step{
		{http.MethodGet, "/v1.0/users/" + id + "?$select=id,accountEnabled", nil, 200, "", `"accountEnabled":false`},
		{http.MethodGet, "/_sim/users/" + id, nil, 200, "", `"accountEnabled":false`},
		{http.MethodPatch, "/_sim/users/" + id, map[string]any{"accountEnabled": true}, 200, "", `"accountEnabled":true`},
		{http.MethodGet, "/v1.0/users/" + id + "?$select=accountEnabled", nil, 200, "", `"accountEnabled":true`},
		{http.MethodGet, "/v1.0/users/" + suzukiID + "?$select=AccountEnabled", nil, 200, "", `"accountEnabled":true`},
	})
	if r := send(t, ts.URL, http.MethodGet, "/v1.0/users/"+id, nil); strings.Contains(string(r.body), "accountEnabled") {
		t.Errorf("accountEnabled without $select: %s", r.body)
	}
}

func TestFaultCode(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	runSteps(t, ts.URL, []step{
		{http.MethodPost, "/_sim/faults", map[string]any{"pathContains": "/reports/", "status": 403, "code": "Authorization_RequestDenied", "times": 1},
			201, "", `"code":"Authorization_RequestDenied"`},
		{http.MethodGet, reportPath, nil, 403, "Authorization_RequestDenied", ""},
		{http.MethodPost, "/_sim/faults", map[string]any{"pathContains": "/reports/", "status": 403, "times": 1}, 201, "", ""},
		{http.MethodGet, reportPath, nil, 403, "accessDenied", ""},
	})
}
