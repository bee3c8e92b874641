package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Users in testdata/seed.json with a directory role or a group.
const (
	yamamotoID     = "7d4e2a19-3c5b-4f8e-b1a6-9e0d2c4f6a81" // Authentication Administrator
	itoID          = "e5b7c9d1-2f4a-4b6c-8d0e-1a3c5e7f9b20" // member of protectedGroup
	protectedGroup = "4b8e1f3a-6c2d-4e9f-a7b5-0d1c2e3f4a5b"
)

func rolesPath(user string) string {
	return "/v1.0/users/" + user + "/transitiveMemberOf/microsoft.graph.directoryRole"
}

func TestDirectoryRoles(t *testing.T) {
	t.Parallel()
	_, ts := start(t)

	r := send(t, ts.URL, http.MethodGet, rolesPath(yamamotoID), nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
	if got, want := r.obj(t)["@odata.context"], metadata+"directoryRoles"; got != want {
		t.Errorf("@odata.context = %v, want %s", got, want)
	}
	vals := r.values(t)
	if len(vals) != 1 {
		t.Fatalf("got %d roles, want 1: %s", len(vals), r.body)
	}
	want := map[string]any{
		"@odata.type":    "#microsoft.graph.directoryRole",
		"id":             hashUUID("directoryRole", "c4e39bd9-1100-46d3-8c65-fb160da0071f"),
		"displayName":    "Authentication Administrator",
		"roleTemplateId": "c4e39bd9-1100-46d3-8c65-fb160da0071f",
	}
	for k, v := range want {
		if vals[0][k] != v {
			t.Errorf("%s = %v, want %v", k, vals[0][k], v)
		}
	}

	runSteps(t, ts.URL, []step{
		// msgraph-sdk-go writes the cast with the namespace alias.
		{http.MethodGet, "/v1.0/users/kenta.yamamoto@contoso.example/transitiveMemberOf/graph.directoryRole", nil, 200, "", "Authentication Administrator"},
		{http.MethodGet, "/v1.0/users/" + yamamotoID + "/TransitiveMemberOf/Microsoft.Graph.DirectoryRole", nil, 200, "", "Authentication Administrator"},
		{http.MethodGet, rolesPath(anonID), nil, 200, "", `"value":[]`},
		{http.MethodGet, rolesPath(itoID), nil, 200, "", `"value":[]`},
		{http.MethodGet, rolesPath("ghost@contoso.example"), nil, 404, codeItemNotFound, ""},
		{http.MethodPost, rolesPath(yamamotoID), nil, 405, "methodNotAllowed", ""},
		{http.MethodGet, "/v1.0/users/" + yamamotoID + "/transitiveMemberOf/microsoft.graph.group", nil, 404, "resourceNotFound", ""},
		{http.MethodGet, rolesPath(yamamotoID) + "?$top=0", nil, 400, codeBadRequest, ""},
		{http.MethodGet, rolesPath(yamamotoID) + "?$top=1000", nil, 400, codeBadRequest, ""},
		{http.MethodGet, rolesPath(yamamotoID) + "?$skiptoken=x", nil, 400, codeBadRequest, ""},
	})
}

func TestDirectoryRolesPaging(t *testing.T) {
	t.Parallel()
	s := New(WithSeed(seedUsers(t)))
	mux := http.NewServeMux()
	mux.Handle("/graph-simulator/", http.StripPrefix("/graph-simulator", s))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	roles := []string{"Global Administrator", "Helpdesk Administrator", "Tenant Helpdesk Lead"}
	if r := send(t, ts.URL, http.MethodPatch, "/graph-simulator/_sim/users/"+anonID, map[string]any{"directoryRoles": roles}); r.status != http.StatusOK {
		t.Fatalf("PATCH roles: status %d, body %s", r.status, r.body)
	}
	var got []string
	next := ts.URL + "/graph-simulator" + rolesPath(anonID) + "?$top=2"
	for pages := 0; next != ""; pages++ {
		if pages == 3 {
			t.Fatal("more pages than roles")
		}
		if !strings.HasPrefix(next, ts.URL+"/graph-simulator/v1.0/users/") {
			t.Fatalf("page link %q lost the mount prefix", next)
		}
		res, err := testClient.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var page struct {
			Value []struct {
				DisplayName    string `json:"displayName"`
				RoleTemplateID string `json:"roleTemplateId"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(b, &page); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, body %s", next, res.StatusCode, b)
		}
		for _, v := range page.Value {
			if !isGUID(v.RoleTemplateID) {
				t.Errorf("role %q has template id %q", v.DisplayName, v.RoleTemplateID)
			}
			got = append(got, v.DisplayName)
		}
		next = page.NextLink
	}
	if strings.Join(got, "|") != strings.Join(roles, "|") {
		t.Errorf("roles = %q, want %q", got, roles)
	}
}

func TestSetRolesAndGroups(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	user := "/_sim/users/" + anonID
	runSteps(t, ts.URL, []step{
		// Provisioned users hold nothing.
		{http.MethodGet, user, nil, 200, "", `"directoryRoles":[],"groups":[]`},
		{http.MethodPatch, user, map[string]any{"directoryRoles": []string{"privileged authentication administrator"}, "groups": []string{strings.ToUpper(protectedGroup)}},
			200, "", `"directoryRoles":["Privileged Authentication Administrator"],"groups":["` + protectedGroup + `"]`},
		{http.MethodGet, rolesPath(anonID), nil, 200, "", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"},
		{http.MethodPost, "/v1.0/users/" + anonID + "/checkMemberGroups", map[string]any{"groupIds": []string{protectedGroup}}, 200, "", protectedGroup},
		// Nothing changes unless everything is valid.
		{http.MethodPatch, user, map[string]any{"directoryRoles": []string{"Global Administrator"}, "groups": []string{"sales"}}, 400, codeInvalidRequest, ""},
		{http.MethodPatch, user, map[string]any{"directoryRoles": []string{"Global Administrator"}, "defaultMethodId": passwordID}, 400, codeInvalidRequest, ""},
		{http.MethodPatch, user, map[string]any{"directoryRoles": []string{""}}, 400, codeInvalidRequest, ""},
		{http.MethodGet, user, nil, 200, "", `"directoryRoles":["Privileged Authentication Administrator"]`},
		// A field left out is kept; an empty list clears.
		{http.MethodPatch, user, map[string]any{"directoryRoles": []string{}}, 200, "", `"directoryRoles":[],"groups":["` + protectedGroup + `"]`},
		{http.MethodGet, rolesPath(anonID), nil, 200, "", `"value":[]`},
		{http.MethodPatch, "/_sim/users/ghost@contoso.example", map[string]any{"groups": []string{}}, 404, codeItemNotFound, ""},
		{http.MethodPatch, user, "{", 400, codeBadRequest, ""},
	})
}

func TestCheckMemberGroups(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	check := func(user string) string { return "/v1.0/users/" + user + "/checkMemberGroups" }
	ids := func(ids ...string) map[string]any { return map[string]any{"groupIds": append([]string{}, ids...)} }
	tooMany := make([]string, 21)
	for i := range tooMany {
		tooMany[i] = hashUUID("group", string(rune('a'+i)))
	}
	runSteps(t, ts.URL, []step{
		{http.MethodPost, check(itoID), ids(otherID, strings.ToUpper(protectedGroup)), 200, "", `"value":["` + protectedGroup + `"]`},
		{http.MethodPost, check("yumi.ito@contoso.example"), ids(protectedGroup), 200, "", protectedGroup},
		{http.MethodPost, check(itoID), ids(otherID), 200, "", `"value":[]`},
		{http.MethodPost, check(itoID), ids(), 200, "", `"value":[]`},
		{http.MethodPost, check(anonID), ids(protectedGroup), 200, "", `"value":[]`},
		{http.MethodPost, check(itoID), ids(protectedGroup), 200, "", metadata + "Collection(Edm.String)"},
		{http.MethodPost, check(itoID), map[string]any{}, 400, codeInvalidRequest, "groupIds"},
		{http.MethodPost, check(itoID), ids("sales"), 400, codeInvalidRequest, "Invalid object identifier"},
		{http.MethodPost, check(itoID), ids(tooMany...), 400, codeInvalidRequest, "At most 20"},
		{http.MethodPost, check(itoID), "not json", 400, codeBadRequest, ""},
		{http.MethodPost, check(itoID), nil, 400, codeBadRequest, ""},
		{http.MethodGet, check(itoID), nil, 405, "methodNotAllowed", ""},
		{http.MethodPost, check("ghost@contoso.example"), ids(protectedGroup), 404, codeItemNotFound, ""},
	})

	body, _ := json.Marshal(ids(protectedGroup))
	r := send(t, ts.URL, http.MethodPost, check(itoID), gzipped(t, body), "Content-Encoding", "gzip")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), protectedGroup) {
		t.Errorf("gzip body: status %d, body %s", r.status, r.body)
	}
}

func TestUserMail(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	runSteps(t, ts.URL, []step{
		{http.MethodGet, "/v1.0/users/" + itoID, nil, 200, "", `"mail":"yumi.ito@mail.contoso.example"`},
		{http.MethodGet, "/v1.0/users/" + yamamotoID, nil, 200, "", `"mail":"kenta.yamamoto@contoso.example"`},
		{http.MethodGet, "/v1.0/users/" + anonID, nil, 200, "", `"mail":"` + anonID[:8] + `@contoso.example"`},
	})
}

// userTypeOf reads GET /v1.0/users/{key}?{query} and returns its userType,
// and whether the property was there at all.
func userTypeOf(t *testing.T, base, key, query string) (string, bool) {
	t.Helper()
	r := send(t, base, http.MethodGet, "/v1.0/users/"+key+query, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET user %s%s: status %d, body %s", key, query, r.status, r.body)
	}
	v, ok := r.obj(t)["userType"]
	if !ok {
		return "", false
	}
	s, isString := v.(string)
	if !isString {
		t.Fatalf("userType = %#v, want a string; body %s", v, r.body)
	}
	return s, true
}

func TestUserType(t *testing.T) {
	t.Parallel()
	const guestID = "3c7a9e51-8b2d-4f6e-a1c3-5d7e9f0b2a46"
	guestUPN := "alice_example.org#EXT#@contoso.onmicrosoft.com"
	_, ts := start(t, WithSeed([]SeedUser{{ID: guestID, UserPrincipalName: guestUPN, UserType: "Guest"}}))

	t.Run("only on $select", func(t *testing.T) {
		tests := []struct {
			name, key, query string
			want             string
			wantThere        bool
		}{
			{"made-up user", anonID, "?$select=id,displayName,userType", "Member", true},
			{"seeded without userType", satoID, "?$select=userType", "Member", true},
			{"seeded guest", guestID, "?$select=id,userType", "Guest", true},
			{"guest by #EXT# UPN", url.PathEscape(guestUPN), "?$select=userType", "Guest", true},
			{"property name in any case", guestID, "?$select=id,%20UserType", "Guest", true},
			{"as msgraph-sdk-go encodes it", guestID, "?%24select=id%2CuserType", "Guest", true},
			{"no $select", guestID, "", "", false},
			{"$select without it", guestID, "?$select=id,displayName", "", false},
		}
		for _, tt := range tests {
			got, there := userTypeOf(t, ts.URL, tt.key, tt.query)
			if got != tt.want || there != tt.wantThere {
				t.Errorf("%s: userType = %q (present %v), want %q (present %v)", tt.name, got, there, tt.want, tt.wantThere)
			}
		}
	})

	t.Run("control endpoint", func(t *testing.T) {
		user := "/_sim/users/" + otherID
		runSteps(t, ts.URL, []step{
			{http.MethodGet, user, nil, 200, "", `"userType":"Member"`},
			{http.MethodGet, "/_sim/users/" + guestID, nil, 200, "", `"userType":"Guest"`},
			{http.MethodPatch, user, map[string]any{"userType": "Guest"}, 200, "", `"userType":"Guest"`},
			// Nothing changes unless everything is valid.
			{http.MethodPatch, user, map[string]any{"userType": "Member", "groups": []string{"sales"}}, 400, codeInvalidRequest, ""},
			{http.MethodPatch, user, map[string]any{"userType": "guest"}, 400, codeInvalidRequest, `userType \"guest\" is neither \"Member\" nor \"Guest\"`},
			{http.MethodPatch, user, map[string]any{"userType": "External"}, 400, codeInvalidRequest, "neither"},
			{http.MethodPatch, user, map[string]any{"userType": ""}, 400, codeInvalidRequest, "neither"},
			{http.MethodPatch, user, map[string]any{"userType": "Guest", "directoryRoles": []string{""}}, 400, codeInvalidRequest, ""},
			{http.MethodPatch, user, map[string]any{"userType": 1}, 400, codeBadRequest, ""},
			// Left out, it is kept.
			{http.MethodPatch, user, map[string]any{"groups": []string{protectedGroup}}, 200, "", `"userType":"Guest"`},
		})
		if got, _ := userTypeOf(t, ts.URL, otherID, "?$select=userType"); got != "Guest" {
			t.Errorf("after PATCH to Guest: userType = %q, want Guest", got)
		}
		runSteps(t, ts.URL, []step{
			{http.MethodPatch, user, map[string]any{"userType": "Member"}, 200, "", `"userType":"Member"`},
		})
		if got, _ := userTypeOf(t, ts.URL, otherID, "?$select=userType"); got != "Member" {
			t.Errorf("after PATCH back to Member: userType = %q, want Member", got)
		}
		if d := debugState(t, ts.URL, otherID); d.UserType != "Member" || len(d.Groups) != 1 {
			t.Errorf("debug state = userType %q groups %q, want Member and one group", d.UserType, d.Groups)
		}
	})
}
