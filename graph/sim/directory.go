package sim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Directory paging: Graph's default and largest page of directory objects.
const (
	defaultPageSize = 100
	maxPageSize     = 999
)

// maxCheckGroups is how many group ids one checkMemberGroups call may name.
const maxCheckGroups = 20

// builtinRole returns the canonical display name and the roleTemplateId of
// a Microsoft Entra built-in role, matched case-insensitively. The template
// ids are the same in every tenant ("Microsoft Entra built-in roles"
// reference); only the roles a helpdesk bot cares about are listed.
func builtinRole(name string) (canonical, templateID string, ok bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "global administrator":
		return "Global Administrator", "62e90394-69f5-4237-9190-012177145e10", true
	case "global reader":
		return "Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451", true
	case "privileged role administrator":
		return "Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814", true
	case "privileged authentication administrator":
		return "Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", true
	case "authentication administrator":
		return "Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f", true
	case "authentication policy administrator":
		return "Authentication Policy Administrator", "0526716b-113d-4c15-b2c8-68e3c22b9f80", true
	case "helpdesk administrator":
		return "Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", true
	case "password administrator":
		return "Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d", true
	case "user administrator":
		return "User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", true
	case "security administrator":
		return "Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d", true
	case "conditional access administrator":
		return "Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", true
	case "application administrator":
		return "Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", true
	case "cloud application administrator":
		return "Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7", true
	case "exchange administrator":
		return "Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", true
	case "groups administrator":
		return "Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c", true
	case "intune administrator":
		return "Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5", true
	case "teams administrator":
		return "Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8", true
	}
	return "", "", false
}

// role is an activated directory role, as GET .../directoryRole shows it.
type role struct {
	id, displayName, templateID string
}

// roleNamed returns the directory role with this display name. A built-in
// role gets Microsoft's roleTemplateId; any other name a template id derived
// from it. The role's object id is tenant-specific in Graph; here it is
// derived from the template id, so it is the same for every user and run.
func roleNamed(name string) role {
	if canonical, tmpl, ok := builtinRole(name); ok {
		return role{id: hashUUID("directoryRole", tmpl), displayName: canonical, templateID: tmpl}
	}
	tmpl := hashUUID("roleTemplate", strings.ToLower(name))
	return role{id: hashUUID("directoryRole", tmpl), displayName: name, templateID: tmpl}
}

// checkRoles validates directory role names and returns them with built-in
// names in their canonical spelling: none empty, none twice.
func checkRoles(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, errors.New("a directory role name is empty")
		}
		r := roleNamed(n)
		if seen[r.templateID] {
			return nil, fmt.Errorf("directory role %q is listed twice", n)
		}
		seen[r.templateID] = true
		out = append(out, r.displayName)
	}
	return out, nil
}

// checkGroups validates group object ids and returns them in lower case:
// each a GUID, none twice.
func checkGroups(ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if !isGUID(id) {
			return nil, fmt.Errorf("group %q is not an object id (GUID)", id)
		}
		id = strings.ToLower(id)
		if seen[id] {
			return nil, fmt.Errorf("group %s is listed twice", id)
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

// checkUserType validates a userType: exactly "Member" or "Guest", as Graph
// spells them.
func checkUserType(t string) error {
	if t != userTypeMember && t != userTypeGuest {
		return fmt.Errorf("userType %q is neither %q nor %q", t, userTypeMember, userTypeGuest)
	}
	return nil
}

// isDirectoryRoleCast reports whether a path segment casts a directory
// object collection to directoryRole. msgraph-sdk-go writes the namespace
// alias "graph.directoryRole"; Graph accepts it as well as the full name.
func isDirectoryRoleCast(seg string) bool {
	return strings.EqualFold(seg, "microsoft.graph.directoryRole") || strings.EqualFold(seg, "graph.directoryRole")
}

// transitiveRoles serves GET /users/{key}/transitiveMemberOf/microsoft.graph.directoryRole:
// the user's directory roles, a page at a time ($top, default 100, at most
// 999). The next page's link carries $skiptoken, which here is simply the
// offset; Graph's is opaque.
// pageSize reads $top: def when absent, 400 as Graph answers when it is not
// a number from 1 to maxPageSize.
func pageSize(q url.Values, def int) (int, *apiError) {
	v := q.Get("$top")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, newError(http.StatusBadRequest, codeBadRequest,
			fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", v, maxPageSize))
	}
	return n, nil
}

func (s *Server) transitiveRoles(c *call, key string) reply {
	q := c.r.URL.Query()
	top, apiErr := pageSize(q, defaultPageSize)
	if apiErr != nil {
		return errReply(apiErr)
	}
	skip := 0
	if v := q.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errReply(newError(http.StatusBadRequest, codeBadRequest, "Invalid $skiptoken."))
		}
		skip = n
	}
	return s.withUser(c, key, []string{http.MethodGet}, func(u *user) reply {
		out := collection{Context: metadata + "directoryRoles", Value: []any{}}
		for i := skip; i < len(u.roles) && i < skip+top; i++ {
			r := roleNamed(u.roles[i])
			out.Value = append(out.Value, wireDirectoryRole{Type: "#microsoft.graph.directoryRole",
				ID: r.id, DisplayName: r.displayName, RoleTemplateID: r.templateID})
		}
		if skip+top < len(u.roles) {
			next := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {strconv.Itoa(skip + top)}}
			out.NextLink = absoluteURL(c.r, next)
		}
		return reply{status: http.StatusOK, body: out}
	})
}

// absoluteURL is the URL of the request's own path with query q, as the
// client addressed it: a prefix that http.StripPrefix removed is kept, so
// an @odata.nextLink works for a mounted simulator too.
func absoluteURL(r *http.Request, q url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := r.URL.Path
	if orig, err := url.ParseRequestURI(r.RequestURI); err == nil && strings.HasSuffix(orig.Path, path) {
		path = orig.Path
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// checkMemberGroups serves POST /users/{key}/checkMemberGroups: which of
// up to 20 groups the user is a member of, directly or transitively. The
// simulator's groups are flat: a seeded group id counts as transitive
// membership already.
func checkMemberGroups(c *call, u *user) reply {
	var in struct {
		GroupIDs *[]string `json:"groupIds"`
	}
	if e := c.decode(&in); e != nil {
		return errReply(e)
	}
	if in.GroupIDs == nil {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest, "groupIds is required."))
	}
	if len(*in.GroupIDs) > maxCheckGroups {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("At most %d groups can be checked in one request; got %d.", maxCheckGroups, len(*in.GroupIDs))))
	}
	out := collection{Context: metadata + "Collection(Edm.String)", Value: []any{}}
	seen := map[string]bool{}
	for _, id := range *in.GroupIDs {
		if !isGUID(id) {
			return errReply(newError(http.StatusBadRequest, codeInvalidRequest,
				fmt.Sprintf("Invalid object identifier '%s'.", id)))
		}
		id = strings.ToLower(id)
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, g := range u.groups {
			if g == id {
				out.Value = append(out.Value, id)
				break
			}
		}
	}
	return reply{status: http.StatusOK, body: out}
}

// isUserCast reports whether a path segment casts a directory object
// collection to user; like [isDirectoryRoleCast] it takes the SDK's alias
// "graph.user" as well as the full name.
func isUserCast(seg string) bool {
	return strings.EqualFold(seg, "microsoft.graph.user") || strings.EqualFold(seg, "graph.user")
}

// groupUsers serves GET /groups/{id}/transitiveMembers/microsoft.graph.user:
// the users whose groups hold the id, disabled accounts included, ordered
// and paged like the registration report (see [Server.page]). Each has the
// properties GET /users/{id} returns, userType and accountEnabled when
// $select names them. The simulator's groups exist only through their
// members, so an id nobody belongs to lists no one rather than 404.
func (s *Server) groupUsers(c *call, groupID string) reply {
	if c.r.Method != http.MethodGet {
		return methodNotAllowed(c, http.MethodGet)
	}
	if !isGUID(groupID) {
		return errReply(newError(http.StatusBadRequest, codeBadRequest,
			fmt.Sprintf("Invalid object identifier '%s'.", groupID)))
	}
	groupID = strings.ToLower(groupID)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.page(c, metadata+"users", func(u *user) (any, bool) {
		if !slices.Contains(u.groups, groupID) {
			return nil, false
		}
		return u.wire("", c.r), true
	})
}
