package sim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// TAP lifetime bounds (minutes) and default.
const (
	tapMinLifetime     = 10
	tapMaxLifetime     = 43200
	tapDefaultLifetime = 60
)

// route dispatches a Graph request by path. Path segments after the user
// key are matched case-insensitively, as Graph does.
func (s *Server) route(c *call) reply {
	path := c.r.URL.Path
	rest, ok := strings.CutPrefix(path, "/v1.0/")
	if !ok {
		return notFound(path)
	}
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for _, p := range seg {
		if p == "" {
			return notFound(path)
		}
	}
	if strings.EqualFold(seg[0], "me") {
		// The simulator, like an app-only token, has no signed-in user.
		return errReply(newError(http.StatusBadRequest, codeBadRequest,
			"/me request is only valid with delegated authentication flow."))
	}
	switch {
	case len(seg) == 1 && strings.HasPrefix(seg[0], "applications(appId="):
		return s.application(c, seg[0])
	case len(seg) == 3 && strings.EqualFold(seg[0], "reports") && strings.EqualFold(seg[1], "authenticationMethods") &&
		strings.EqualFold(seg[2], "userRegistrationDetails"):
		return s.registrationDetails(c)
	case len(seg) == 2 && strings.EqualFold(seg[0], "auditLogs") && strings.EqualFold(seg[1], "signIns"):
		return s.signIns(c)
	case len(seg) == 4 && strings.EqualFold(seg[0], "groups") && strings.EqualFold(seg[2], "transitiveMembers") && isUserCast(seg[3]):
		return s.groupUsers(c, seg[1])
	case !strings.EqualFold(seg[0], "users") || len(seg) < 2:
		return notFound(seg[0])
	}
	key := seg[1]
	switch {
	case len(seg) == 2:
		return s.withUser(c, key, []string{http.MethodGet}, func(u *user) reply {
			return reply{status: http.StatusOK, body: u.wire(metadata+"users/$entity", c.r)}
		})
	case len(seg) == 3 && strings.EqualFold(seg[2], "revokeSignInSessions"):
		return s.withUser(c, key, []string{http.MethodPost}, func(u *user) reply {
			u.sessionsValidFrom = c.now
			return reply{status: http.StatusOK, body: boolResult{Context: metadata + "Edm.Boolean", Value: true}}
		})
	case len(seg) == 3 && strings.EqualFold(seg[2], "sendMail"):
		return s.withUser(c, key, []string{http.MethodPost}, func(u *user) reply { return s.sendMail(c, u) })
	case len(seg) == 3 && strings.EqualFold(seg[2], "checkMemberGroups"):
		return s.withUser(c, key, []string{http.MethodPost}, func(u *user) reply { return checkMemberGroups(c, u) })
	case len(seg) == 4 && strings.EqualFold(seg[2], "transitiveMemberOf") && isDirectoryRoleCast(seg[3]):
		return s.transitiveRoles(c, key)
	case len(seg) == 4 && strings.EqualFold(seg[2], "teamwork") && strings.EqualFold(seg[3], "installedApps"):
		return s.installedApps(c, key)
	case len(seg) >= 4 && len(seg) <= 5 && strings.EqualFold(seg[2], "authentication"):
		return s.authentication(c, key, seg[3:])
	}
	return notFound(seg[len(seg)-1])
}

// authentication serves /users/{key}/authentication/{collection}[/{id}].
func (s *Server) authentication(c *call, key string, seg []string) reply {
	anyKind := strings.EqualFold(seg[0], "methods")
	k, ok := kindOf(seg[0])
	if !anyKind && !ok {
		return notFound(seg[0])
	}
	coll := seg[0]
	if !anyKind {
		coll = k.collection()
	}
	context := fmt.Sprintf("%susers('%s')/authentication/%s", metadata, key, coll)

	if len(seg) == 1 {
		allow := []string{http.MethodGet}
		if !anyKind && (k == kindPhone || k == kindEmail || k == kindTAP) {
			allow = append(allow, http.MethodPost)
		}
		return s.withUser(c, key, allow, func(u *user) reply {
			if c.r.Method == http.MethodPost {
				return create(c, u, k, context+"/$entity")
			}
			out := collection{Context: context, Value: []any{}}
			for _, m := range u.list(k, anyKind) {
				out.Value = append(out.Value, m.wire("", c.now, false))
			}
			return reply{status: http.StatusOK, body: out}
		})
	}

	allow := []string{http.MethodGet}
	if !anyKind && (k == kindPhone || k == kindEmail) {
		allow = append(allow, http.MethodPatch)
	}
	if !anyKind && k != kindPassword {
		allow = append(allow, http.MethodDelete)
	}
	id := seg[1]
	return s.withUser(c, key, allow, func(u *user) reply {
		m := u.find(k, anyKind, id)
		if m == nil {
			return errReply(newError(http.StatusNotFound, codeItemNotFound,
				fmt.Sprintf("The authentication method '%s' was not found for this user.", id)))
		}
		switch c.r.Method {
		case http.MethodPatch:
			return update(c, u, m)
		case http.MethodDelete:
			if e := u.remove(m); e != nil {
				return errReply(e)
			}
			return reply{status: http.StatusNoContent}
		}
		return reply{status: http.StatusOK, body: m.wire(context+"/$entity", c.now, false)}
	})
}

// withUser checks the HTTP method against allow, then runs fn with the user
// key names, holding the lock.
func (s *Server) withUser(c *call, key string, allow []string, fn func(u *user) reply) reply {
	allowed := false
	for _, m := range allow {
		allowed = allowed || c.r.Method == m
	}
	if !allowed {
		return methodNotAllowed(c, allow...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(key)
	if e != nil {
		return errReply(e)
	}
	return fn(u)
}

// create serves POST on the phone, email and Temporary Access Pass
// collections.
func create(c *call, u *user, k kind, context string) reply {
	var m *method
	switch k {
	case kindPhone:
		var in struct {
			PhoneNumber string `json:"phoneNumber"`
			PhoneType   string `json:"phoneType"`
		}
		if e := c.decode(&in); e != nil {
			return errReply(e)
		}
		var e *apiError
		if m, e = u.addPhone(in.PhoneType, in.PhoneNumber); e != nil {
			return errReply(e)
		}
	case kindEmail:
		var in struct {
			EmailAddress string `json:"emailAddress"`
		}
		if e := c.decode(&in); e != nil {
			return errReply(e)
		}
		var e *apiError
		if m, e = u.addEmail(in.EmailAddress); e != nil {
			return errReply(e)
		}
	default: // kindTAP
		var in struct {
			StartDateTime     *time.Time `json:"startDateTime"`
			LifetimeInMinutes *int       `json:"lifetimeInMinutes"`
			IsUsableOnce      *bool      `json:"isUsableOnce"`
		}
		if len(c.body) > 0 { // every property is optional, so is the body
			if e := c.decode(&in); e != nil {
				return errReply(e)
			}
		}
		m = &method{kind: kindTAP, id: newUUID(), created: c.now, tapPass: newTAP(),
			tapStart: c.now, tapLifetime: tapDefaultLifetime}
		if in.StartDateTime != nil {
			m.tapStart = *in.StartDateTime
		}
		if in.LifetimeInMinutes != nil {
			m.tapLifetime = *in.LifetimeInMinutes
		}
		if in.IsUsableOnce != nil {
			m.tapOnce = *in.IsUsableOnce
		}
		if m.tapLifetime < tapMinLifetime || m.tapLifetime > tapMaxLifetime {
			return errReply(newError(http.StatusBadRequest, codeInvalidRequest,
				fmt.Sprintf("lifetimeInMinutes must be between %d and %d.", tapMinLifetime, tapMaxLifetime)))
		}
		u.setTAP(m)
		return reply{status: http.StatusCreated, body: m.wire(context, c.now, true)}
	}
	return reply{status: http.StatusCreated, body: m.wire(context, c.now, false)}
}

// update serves PATCH on a phone or email method: 204, as Graph answers.
func update(c *call, u *user, m *method) reply {
	var in struct {
		PhoneNumber  string `json:"phoneNumber"`
		PhoneType    string `json:"phoneType"`
		EmailAddress string `json:"emailAddress"`
	}
	if e := c.decode(&in); e != nil {
		return errReply(e)
	}
	if m.kind == kindPhone {
		if e := u.updatePhone(m, in.PhoneType, in.PhoneNumber); e != nil {
			return errReply(e)
		}
		return reply{status: http.StatusNoContent}
	}
	if e := checkEmail(in.EmailAddress); e != nil {
		return errReply(e)
	}
	m.email = in.EmailAddress
	return reply{status: http.StatusNoContent}
}

// notFound answers a path the simulator does not serve. Graph itself says
// 400 "Resource not found for the segment"; 404 keeps "no such endpoint"
// apart from a rejected request, and the code is not itemNotFound so a
// client never mistakes a wrong URL for an already-deleted method.
func notFound(segment string) reply {
	return errReply(newError(http.StatusNotFound, "resourceNotFound",
		fmt.Sprintf("Resource not found for the segment '%s'.", segment)))
}
