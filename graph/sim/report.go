package sim

import (
	"encoding/base64"
	"net/http"
	"slices"
	"time"
)

// codeNonPremium is Graph's error code for a report that needs Microsoft
// Entra ID P1 in a tenant without it.
const codeNonPremium = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

// Graph's methodsRegistered values, as the registration report spells them.
const (
	regMobilePhone          = "mobilePhone"
	regAlternateMobilePhone = "alternateMobilePhone"
	regOfficePhone          = "officePhone"
	regAuthenticatorPush    = "microsoftAuthenticatorPush"
	regSoftwareOTP          = "softwareOneTimePasscode"
	regPasskeyAuthenticator = "passKeyDeviceBoundAuthenticator"
	regPasskeyDeviceBound   = "passKeyDeviceBound"
	regEmail                = "email"
	regWindowsHello         = "windowsHelloForBusiness"
	regTemporaryAccessPass  = "temporaryAccessPass"
)

// wireRegistration is one userRegistrationDetails entry, with the
// properties Graph v1.0 has. The beta-only defaultMfaMethod is not among
// them: v1.0 names the person's choice userPreferredMethodForSecondaryAuthentication.
type wireRegistration struct {
	ID                           string   `json:"id"`
	UserPrincipalName            string   `json:"userPrincipalName"`
	UserDisplayName              string   `json:"userDisplayName"`
	UserType                     string   `json:"userType"` // "member" or "guest": lower case, unlike the user's userType
	IsAdmin                      bool     `json:"isAdmin"`
	IsMfaCapable                 bool     `json:"isMfaCapable"`
	IsMfaRegistered              bool     `json:"isMfaRegistered"`
	IsPasswordlessCapable        bool     `json:"isPasswordlessCapable"`
	IsSsprCapable                bool     `json:"isSsprCapable"`
	IsSsprEnabled                bool     `json:"isSsprEnabled"`
	IsSsprRegistered             bool     `json:"isSsprRegistered"`
	IsSystemPreferredEnabled     bool     `json:"isSystemPreferredAuthenticationMethodEnabled"`
	SystemPreferredMethods       []string `json:"systemPreferredAuthenticationMethods"`
	UserPreferredSecondaryMethod string   `json:"userPreferredMethodForSecondaryAuthentication"`
	MethodsRegistered            []string `json:"methodsRegistered"`
	LastUpdatedDateTime          *string  `json:"lastUpdatedDateTime"`
}

// registration is the user's entry in the registration report, derived
// from their methods as they are now: registering a passkey shows at once.
// Graph's report may lag behind; a simulator that lagged would only make
// tests wait.
//
// The simulated tenant has self-service password reset and system-preferred
// MFA switched off, so the isSspr* flags are false and the preferred method
// is the person's default.
func (u *user) registration() wireRegistration {
	w := wireRegistration{ID: u.id, UserPrincipalName: u.upn, UserDisplayName: u.displayName,
		UserType: "member", IsAdmin: len(u.roles) > 0, SystemPreferredMethods: []string{},
		MethodsRegistered: u.methodsRegistered(), UserPreferredSecondaryMethod: u.preferredSecondary()}
	if u.userType == userTypeGuest {
		w.UserType = "guest"
	}
	var updated time.Time
	for _, m := range u.methods {
		switch m.kind {
		case kindPhone, kindAuthenticator, kindSoftwareOath:
			w.IsMfaRegistered = true
		case kindFIDO2, kindWindowsHello:
			w.IsMfaRegistered, w.IsPasswordlessCapable = true, true
		}
		if m.created.After(updated) {
			updated = m.created
		}
	}
	// Every method is allowed by the simulated tenant's policy.
	w.IsMfaCapable = w.IsMfaRegistered
	if updated.IsZero() {
		updated = pastDate(u.id, "registration")
	}
	w.LastUpdatedDateTime = graphTime(updated)
	return w
}

// methodsRegistered names the user's methods as the report does, each
// value once, in a fixed order (phones, then the kinds in [allKinds]
// order). A passkey in Microsoft Authenticator (told by its AAGUID) is
// passKeyDeviceBoundAuthenticator, any other passKeyDeviceBound; the
// simulator does not tell synced passkeys apart (Graph's passKeySynced).
func (u *user) methodsRegistered() []string {
	// Graph's values, in the order listed; the user's methods mark theirs.
	values := [...]string{regMobilePhone, regAlternateMobilePhone, regOfficePhone, regAuthenticatorPush,
		regSoftwareOTP, regPasskeyAuthenticator, regPasskeyDeviceBound, regEmail, regWindowsHello, regTemporaryAccessPass}
	var has [len(values)]bool
	mark := func(v string) { has[slices.Index(values[:], v)] = true }
	for _, m := range u.methods {
		switch m.kind {
		case kindPhone:
			switch m.phoneType {
			case mobile:
				mark(regMobilePhone)
			case alternateMobile:
				mark(regAlternateMobilePhone)
			default:
				mark(regOfficePhone)
			}
		case kindAuthenticator:
			mark(regAuthenticatorPush)
		case kindSoftwareOath:
			mark(regSoftwareOTP)
		case kindFIDO2:
			if m.aaGUID == aaguidAuthenticatorIOS || m.aaGUID == aaguidAuthenticatorAndroid {
				mark(regPasskeyAuthenticator)
			} else {
				mark(regPasskeyDeviceBound)
			}
		case kindEmail:
			mark(regEmail)
		case kindWindowsHello:
			mark(regWindowsHello)
		case kindTAP:
			mark(regTemporaryAccessPass)
		}
	}
	out := make([]string, 0, len(values))
	for i, v := range values {
		if has[i] {
			out = append(out, v)
		}
	}
	return out
}

// preferredSecondary is userPreferredMethodForSecondaryAuthentication for
// the user's default method: "" without one, as Graph's own example shows
// for a guest with no methods. A passkey is never a default second factor
// at https://aka.ms/mysecurityinfo, and v1.0's value list has no name for
// one, so a passkey default (which only a seed can make) reads "none".
func (u *user) preferredSecondary() string {
	m := u.defaultMethod()
	if m == nil {
		return ""
	}
	switch {
	case m.kind == kindAuthenticator:
		return "push"
	case m.kind == kindSoftwareOath:
		return "oath"
	case m.kind == kindPhone && m.phoneType == mobile:
		return "sms"
	case m.kind == kindPhone && m.phoneType == alternateMobile:
		return "voiceAlternateMobile"
	case m.kind == kindPhone:
		return "voiceOffice"
	}
	return "none"
}

// registrationDetails serves GET /reports/authenticationMethods/userRegistrationDetails:
// every known user (seeded or provisioned), ordered by object id, a page
// at a time (see [Server.page]). A tenant without Microsoft Entra ID P1
// (see [WithPremium]) gets Graph's 403.
func (s *Server) registrationDetails(c *call) reply {
	if c.r.Method != http.MethodGet {
		return methodNotAllowed(c, http.MethodGet)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.premium {
		return errReply(newError(http.StatusForbidden, codeNonPremium,
			"Neither tenant is B2C or tenant doesn't have premium license"))
	}
	return s.page(c, metadata+"reports/authenticationMethods/userRegistrationDetails",
		func(u *user) (any, bool) { return u.registration(), true })
}

// page answers a listing of users in object id order: those for which
// entry says yes, at most $top of them (default and largest 999), after
// the user $skiptoken names. The caller holds s.mu.
//
// The simulator's $skiptoken is the last listed object id, base64url
// encoded: opaque to clients, as Graph's is, and robust to users added
// between pages, who show up on a later page if their id sorts after it.
// 999 is Graph's largest page of directory objects; the simulator also uses
// it as the default, as no Graph documentation gives one for these lists.
func (s *Server) page(c *call, context string, entry func(*user) (any, bool)) reply {
	q := c.r.URL.Query()
	top, apiErr := pageSize(q, maxPageSize)
	if apiErr != nil {
		return errReply(apiErr)
	}
	ids := s.sortedIDs()
	start := 0
	if v := q.Get("$skiptoken"); v != "" {
		last, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || !isGUID(string(last)) {
			return errReply(newError(http.StatusBadRequest, codeBadRequest, "Invalid $skiptoken."))
		}
		i, found := slices.BinarySearch(ids, string(last))
		if found {
			i++
		}
		start = i
	}
	out := collection{Context: context, Value: []any{}}
	last := ""
	for _, id := range ids[start:] {
		v, ok := entry(s.users[id])
		if !ok {
			continue
		}
		if len(out.Value) == top { // one more exists: link to the next page
			q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte(last)))
			out.NextLink = absoluteURL(c.r, q)
			break
		}
		out.Value = append(out.Value, v)
		last = id
	}
	return reply{status: http.StatusOK, body: out}
}
