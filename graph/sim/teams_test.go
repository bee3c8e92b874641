package sim

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const botAppID = "3e5c1a2b-8f4d-4c6e-9a7b-1d2e3f4a5b6c"

func bind(appID string) map[string]any {
	return map[string]any{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/" + appID}
}

func TestInstallPersonalApp(t *testing.T) {
	t.Parallel()
	const (
		unlicensed = "d0d0d0d0-0000-4000-8000-000000000001"
		stranger   = "d0d0d0d0-0000-4000-8000-0000000000ff"
	)
	s := New(WithSeed(seedUsers(t)), WithSeed([]SeedUser{{ID: unlicensed, UserPrincipalName: "nolicence@contoso.example", Teams: new(bool)}}))
	base := startServer(t, s)
	apps := func(user string) string { return "/v1.0/users/" + user + "/teamwork/installedApps" }

	r := send(t, base, http.MethodPost, apps(suzukiID), bind(botAppID))
	if r.status != http.StatusCreated || len(r.body) != 0 {
		t.Fatalf("install: status %d, body %q; want 201 and no body", r.status, r.body)
	}
	runSteps(t, base, []step{
		{http.MethodPost, apps(suzukiID), bind(botAppID), 409, "Conflict", ""},
		{http.MethodPost, apps("ichiro.suzuki@contoso.example"), bind("3E5C1A2B-8F4D-4C6E-9A7B-1D2E3F4A5B6C"), 409, "Conflict", ""},
		{http.MethodPost, apps(unlicensed), bind(botAppID), 403, "Forbidden", ""},
		{http.MethodPost, apps(stranger), bind(botAppID), 404, codeItemNotFound, ""},
		{http.MethodGet, apps(stranger), nil, 404, codeItemNotFound, ""},
		{http.MethodPost, apps(suzukiID), map[string]any{"teamsApp@odata.bind": "appCatalogs/teamsApps/" + botAppID}, 400, codeBadRequest, ""},
		{http.MethodPost, apps(suzukiID), map[string]any{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/teamsApps/" + botAppID}, 400, codeBadRequest, ""},
		{http.MethodPost, apps(suzukiID), map[string]any{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/a b"}, 400, codeBadRequest, ""},
		{http.MethodPost, apps(suzukiID), map[string]any{"teamsApp@odata.bind": 42}, 400, codeBadRequest, ""},
		{http.MethodPost, apps(suzukiID), map[string]any{"teamsApp": botAppID}, 400, codeBadRequest, ""},
		{http.MethodPost, apps(suzukiID), "", 400, codeBadRequest, ""},
		{http.MethodDelete, apps(suzukiID), nil, 405, "methodNotAllowed", ""},
		// Microsoft's own apps have dotted catalog ids.
		{http.MethodPost, apps(suzukiID), bind("com.microsoft.teamspace.tab.planner"), 201, "", ""},
	})
	if _, known := s.users[stranger]; known {
		t.Error("an install for an unknown object id provisioned the user")
	}

	list := send(t, base, http.MethodGet, apps(suzukiID), nil).values(t)
	wantID := base64.StdEncoding.EncodeToString([]byte(suzukiID + "##" + botAppID))
	if len(list) != 2 || list[0]["id"] != wantID || list[0]["teamsApp"] != nil {
		t.Errorf("installed apps = %v; want 2, the first with id %s and no teamsApp unless expanded", list, wantID)
	}
	filtered := send(t, base, http.MethodGet, apps(suzukiID)+"?$expand=teamsApp&$filter=teamsApp/id%20eq%20'"+botAppID+"'", nil).values(t)
	if diff := cmp.Diff([]map[string]any{{"id": wantID, "teamsApp": map[string]any{"id": botAppID}}}, filtered); diff != "" {
		t.Errorf("filtered and expanded (-want +got):\n%s", diff)
	}
	runSteps(t, base, []step{
		{http.MethodGet, apps(suzukiID) + "?$filter=displayName%20eq%20'x'", nil, 400, codeBadRequest, ""},
		{http.MethodGet, apps(tanakaID), nil, 200, "", `"value":[]`},
	})
	if d := debugState(t, base, suzukiID); !cmp.Equal(d.InstalledApps, []string{botAppID, "com.microsoft.teamspace.tab.planner"}) || !d.Teams {
		t.Errorf("debug view: installedApps %v, teams %v", d.InstalledApps, d.Teams)
	}

	// A licence given later makes the install work.
	runSteps(t, base, []step{
		{http.MethodPatch, "/_sim/users/" + unlicensed, map[string]any{"teams": true}, 200, "", `"teams":true`},
		{http.MethodPost, apps(unlicensed), bind(botAppID), 201, "", ""},
	})
}
