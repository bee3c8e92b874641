package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// teamsAppIDRE is what a Teams app catalog id may look like: a GUID for an
// app the organisation published, a dotted name for some of Microsoft's own
// ("com.microsoft.teamspace.tab.planner").
var teamsAppIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// installedAppsFilterRE is the one $filter the installed-apps listing
// understands: by the app's catalog id.
var installedAppsFilterRE = regexp.MustCompile(`(?i)^\s*teamsApp/id\s+eq\s+'([^']*)'\s*$`)

// wireInstallation is a userScopeTeamsAppInstallation. teamsApp appears
// only with $expand=teamsApp, as in Graph.
type wireInstallation struct {
	ID       string        `json:"id"`
	TeamsApp *wireTeamsApp `json:"teamsApp,omitempty"`
}

type wireTeamsApp struct {
	ID string `json:"id"`
}

// installationID is the installation's id, built as Graph's are: the user's
// and the app's ids joined by "##", base64 encoded.
func installationID(userID, appID string) string {
	return base64.StdEncoding.EncodeToString([]byte(userID + "##" + appID))
}

// installedApps serves /users/{key}/teamwork/installedApps. Unlike every
// other user path it never provisions an unknown object id: installing the
// bot for someone the directory doesn't hold must fail as Graph's 404 does.
//
// GET lists the apps in the user's personal scope ($filter=teamsApp/id eq
// '...' and $expand=teamsApp understood). POST installs one:
//
//	{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{id}"}
//
// and answers 201 with no body, as Graph documents; 409 "Conflict" when the
// app is installed already, 403 "Forbidden" for a user without a Teams
// licence, 400 for a bind that names no catalog app. The catalog itself is
// not simulated: any well-formed id installs.
func (s *Server) installedApps(c *call, key string) reply {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodPost {
		return methodNotAllowed(c, http.MethodGet, http.MethodPost)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.known(key)
	if e != nil {
		return errReply(e)
	}
	if c.r.Method == http.MethodGet {
		return listInstalledApps(c, u, key)
	}
	appID, e := bindTeamsApp(c)
	if e != nil {
		return errReply(e)
	}
	if u.noTeams {
		return errReply(newError(http.StatusForbidden, "Forbidden",
			"The user does not have a Microsoft Teams license, so no app can be installed for them."))
	}
	if slices.Contains(u.apps, appID) {
		return errReply(newError(http.StatusConflict, "Conflict",
			fmt.Sprintf("The app '%s' is already installed for this user.", appID)))
	}
	u.apps = append(u.apps, appID)
	return reply{status: http.StatusCreated}
}

func listInstalledApps(c *call, u *user, key string) reply {
	q := c.r.URL.Query()
	only := ""
	if f := q.Get("$filter"); f != "" {
		m := installedAppsFilterRE.FindStringSubmatch(f)
		if m == nil {
			return errReply(newError(http.StatusBadRequest, codeBadRequest,
				"The simulator understands only $filter=teamsApp/id eq '{id}'."))
		}
		only = strings.ToLower(m[1])
	}
	expand := strings.EqualFold(strings.TrimSpace(q.Get("$expand")), "teamsApp")
	out := collection{Context: fmt.Sprintf("%susers('%s')/teamwork/installedApps", metadata, key), Value: []any{}}
	for _, app := range u.apps {
		if only != "" && app != only {
			continue
		}
		w := wireInstallation{ID: installationID(u.id, app)}
		if expand {
			w.TeamsApp = &wireTeamsApp{ID: app}
		}
		out.Value = append(out.Value, w)
	}
	return reply{status: http.StatusOK, body: out}
}

// bindTeamsApp reads the catalog app id, lower case, from the body's
// teamsApp@odata.bind: an absolute URL ending in /appCatalogs/teamsApps/{id}.
// Other properties (msgraph-sdk-go adds @odata.type) are ignored.
func bindTeamsApp(c *call) (string, *apiError) {
	var in map[string]json.RawMessage
	if e := c.decode(&in); e != nil {
		return "", e
	}
	bad := newError(http.StatusBadRequest, codeBadRequest,
		"teamsApp@odata.bind must be a URL like https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{id}.")
	var bind string
	if err := json.Unmarshal(in["teamsApp@odata.bind"], &bind); err != nil {
		return "", bad
	}
	u, err := url.Parse(bind)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", bad
	}
	seg := strings.Split(strings.TrimSuffix(u.Path, "/"), "/")
	n := len(seg)
	if n < 3 || !strings.EqualFold(seg[n-3], "appCatalogs") || !strings.EqualFold(seg[n-2], "teamsApps") ||
		!teamsAppIDRE.MatchString(seg[n-1]) {
		return "", bad
	}
	return strings.ToLower(seg[n-1]), nil
}
