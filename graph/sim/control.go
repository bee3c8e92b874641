package sim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// control serves the /_sim endpoints that tests and scripts use to inspect
// and steer the simulator. They are listed in the package documentation.
func (s *Server) control(c *call) reply {
	body, e := readBody(c.r)
	if e != nil {
		return errReply(e)
	}
	c.body = body
	seg := strings.Split(strings.Trim(strings.TrimPrefix(c.r.URL.Path, "/_sim"), "/"), "/")
	switch {
	case len(seg) == 1 && seg[0] == "requests":
		return s.controlRequests(c)
	case len(seg) == 1 && seg[0] == "faults":
		return s.controlFaults(c)
	case len(seg) == 2 && seg[0] == "users":
		return s.controlUser(c, seg[1])
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "authenticators":
		return s.controlAddAuthenticator(c, seg[1])
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "signins":
		return s.controlSignIns(c, seg[1])
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "passkeys":
		return s.controlAddPasskey(c, seg[1])
	case len(seg) == 1 && seg[0] == "mail":
		return s.controlMail(c)
	case len(seg) == 1 && seg[0] == "tenant":
		return s.controlTenant(c)
	case len(seg) == 2 && seg[0] == "tenant" && seg[1] == "seed":
		return s.controlTenantSeed(c)
	}
	return notFound(seg[len(seg)-1])
}

// methodNotAllowed answers 405 with an Allow header. Graph's own 405 bodies
// vary by workload; the code "methodNotAllowed" names the problem plainly.
func methodNotAllowed(c *call, allow ...string) reply {
	rep := errReply(newError(http.StatusMethodNotAllowed, "methodNotAllowed",
		fmt.Sprintf("The HTTP method '%s' is not allowed on this resource.", c.r.Method)))
	rep.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
	return rep
}

func (s *Server) controlRequests(c *call) reply {
	switch c.r.Method {
	case http.MethodGet:
		reqs := s.Requests()
		if reqs == nil {
			reqs = []Request{}
		}
		return reply{status: http.StatusOK, body: reqs}
	case http.MethodDelete:
		s.ClearRequests()
		return reply{status: http.StatusNoContent}
	}
	return methodNotAllowed(c, http.MethodGet, http.MethodDelete)
}

func (s *Server) controlFaults(c *call) reply {
	switch c.r.Method {
	case http.MethodGet:
		s.mu.Lock()
		defer s.mu.Unlock()
		out := []faultJSON{}
		for _, f := range s.faults {
			w := faultJSON{Method: f.Method, PathContains: f.PathContains, Status: f.Status, Code: f.Code,
				RetryAfter: jsonDuration(f.RetryAfter), Latency: jsonDuration(f.Latency), Times: f.Times}
			if f.remaining > 0 {
				rem := f.remaining
				w.Remaining = &rem
			}
			out = append(out, w)
		}
		return reply{status: http.StatusOK, body: out}
	case http.MethodPost:
		var f Fault
		if e := c.decode(&f); e != nil {
			return errReply(e)
		}
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) || f.Times < 0 {
			return errReply(newError(http.StatusBadRequest, codeInvalidRequest,
				"A fault needs status 0 (latency only) or 400-599, and times >= 0."))
		}
		s.Inject(f)
		return reply{status: http.StatusCreated, body: f}
	case http.MethodDelete:
		s.ClearFaults()
		return reply{status: http.StatusNoContent}
	}
	return methodNotAllowed(c, http.MethodGet, http.MethodPost, http.MethodDelete)
}

func (s *Server) controlUser(c *call, key string) reply {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodPatch {
		return methodNotAllowed(c, http.MethodGet, http.MethodPatch)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(key)
	if e != nil {
		return errReply(e)
	}
	if c.r.Method == http.MethodPatch {
		// Each field is optional; nothing changes unless all are valid.
		var in struct {
			DefaultMethodID *string   `json:"defaultMethodId"`
			DirectoryRoles  *[]string `json:"directoryRoles"`
			Groups          *[]string `json:"groups"`
			UserType        *string   `json:"userType"`
			AccountEnabled  *bool     `json:"accountEnabled"`
			Teams           *bool     `json:"teams"`
		}
		if e := c.decode(&in); e != nil {
			return errReply(e)
		}
		var roles, groups []string
		var err error
		if in.DirectoryRoles != nil {
			if roles, err = checkRoles(*in.DirectoryRoles); err != nil {
				return errReply(newError(http.StatusBadRequest, codeInvalidRequest, err.Error()))
			}
		}
		if in.Groups != nil {
			if groups, err = checkGroups(*in.Groups); err != nil {
				return errReply(newError(http.StatusBadRequest, codeInvalidRequest, err.Error()))
			}
		}
		if in.UserType != nil {
			if err := checkUserType(*in.UserType); err != nil {
				return errReply(newError(http.StatusBadRequest, codeInvalidRequest, err.Error()))
			}
		}
		if in.DefaultMethodID != nil {
			if e := u.setDefault(*in.DefaultMethodID); e != nil {
				return errReply(e)
			}
		}
		if in.DirectoryRoles != nil {
			u.roles = roles
		}
		if in.Groups != nil {
			u.groups = groups
		}
		if in.UserType != nil {
			u.userType = *in.UserType
		}
		if in.AccountEnabled != nil {
			u.disabled = !*in.AccountEnabled
		}
		if in.Teams != nil {
			u.noTeams = !*in.Teams
		}
	}
	return reply{status: http.StatusOK, body: u.debug(c.now)}
}

// controlAddAuthenticator registers Microsoft Authenticator for a user, as
// the user would at https://aka.ms/mysecurityinfo (Graph cannot).
func (s *Server) controlAddAuthenticator(c *call, key string) reply {
	if c.r.Method != http.MethodPost {
		return methodNotAllowed(c, http.MethodPost)
	}
	var in struct {
		DisplayName     string    `json:"displayName"`
		DeviceTag       string    `json:"deviceTag"`
		PhoneAppVersion string    `json:"phoneAppVersion"`
		Created         time.Time `json:"created"`
	}
	if e := c.decode(&in); e != nil {
		return errReply(e)
	}
	if in.DisplayName == "" {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest, "displayName is required."))
	}
	m := &method{kind: kindAuthenticator, id: newUUID(), displayName: in.DisplayName,
		deviceTag: in.DeviceTag, appVersion: in.PhoneAppVersion, created: in.Created}
	if m.deviceTag == "" {
		m.deviceTag = "SoftwareTokenActivated"
	}
	if m.appVersion == "" {
		m.appVersion = "6.8.16"
	}
	return s.register(c, key, m, (*user).addAuthenticator)
}

// controlAddPasskey registers a passkey (a FIDO2 method) for a user, as the
// user would in Microsoft Authenticator, in a password manager, with Windows
// Hello or a security key, at https://aka.ms/mysecurityinfo (Graph v1.0
// cannot create one). Every field is optional, and so is the body:
//
//	{"aaGuid": "...", "model": "...", "displayName": "...",
//	 "attestationLevel": "attested" | "notAttested", "created": "...", "id": "..."}
//
// aaGuid defaults to Microsoft Authenticator on iOS; displayName to
// "Microsoft Authenticator" for an Authenticator AAGUID, else the model,
// else "Passkey" (the simulator's choice: Entra's own default names are not
// documented); model to none; attestationLevel to "attested"; created to
// now; id to a new one shaped like Graph's (see newPasskeyID).
func (s *Server) controlAddPasskey(c *call, key string) reply {
	if c.r.Method != http.MethodPost {
		return methodNotAllowed(c, http.MethodPost)
	}
	var in struct {
		ID               string    `json:"id"`
		AAGUID           string    `json:"aaGuid"`
		Model            string    `json:"model"`
		DisplayName      string    `json:"displayName"`
		AttestationLevel string    `json:"attestationLevel"`
		Created          time.Time `json:"created"`
	}
	if len(c.body) > 0 {
		if e := c.decode(&in); e != nil {
			return errReply(e)
		}
	}
	invalid := func(format string, args ...any) reply {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest, fmt.Sprintf(format, args...)))
	}
	m := &method{kind: kindFIDO2, id: in.ID, aaGUID: strings.ToLower(in.AAGUID), model: in.Model,
		displayName: in.DisplayName, attestation: in.AttestationLevel, created: in.Created}
	switch {
	case m.id != "" && !passkeyIDRE.MatchString(m.id):
		return invalid("id must be 1-128 characters A-Z, a-z, 0-9, '-' or '_'.")
	case m.aaGUID != "" && !isGUID(m.aaGUID):
		return invalid("aaGuid '%s' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).", in.AAGUID)
	case utf8.RuneCountInString(m.model) > maxPasskeyText:
		return invalid("model must be at most %d characters.", maxPasskeyText)
	case utf8.RuneCountInString(m.displayName) > maxPasskeyText:
		return invalid("displayName must be at most %d characters.", maxPasskeyText)
	case m.attestation != "" && m.attestation != attested && m.attestation != notAttested:
		return invalid("attestationLevel must be '%s' or '%s'.", attested, notAttested)
	}
	if m.id == "" {
		m.id = newPasskeyID()
	}
	if m.aaGUID == "" {
		m.aaGUID = aaguidAuthenticatorIOS
	}
	if m.displayName == "" {
		switch {
		case m.aaGUID == aaguidAuthenticatorIOS || m.aaGUID == aaguidAuthenticatorAndroid:
			m.displayName = "Microsoft Authenticator"
		case m.model != "":
			m.displayName = m.model
		default:
			m.displayName = "Passkey"
		}
	}
	if m.attestation == "" {
		m.attestation = attested
	}
	return s.register(c, key, m, (*user).addPasskey)
}

// register adds m, acted out by the person at mysecurityinfo, to the user
// key names with add, dated now unless it says otherwise, and answers 201
// with the method as Graph shows it.
func (s *Server) register(c *call, key string, m *method, add func(*user, *method) *apiError) reply {
	if m.created.IsZero() {
		m.created = c.now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(key)
	if e != nil {
		return errReply(e)
	}
	if e := add(u, m); e != nil {
		return errReply(e)
	}
	return reply{status: http.StatusCreated, body: m.wire("", c.now, false)}
}
