package sim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The sign-in log: GET /v1.0/auditLogs/signIns serves the attempts seeded
// for a person through POST /_sim/users/{id}/signins, in Graph's v1.0
// shape, so that the bot's explanations can be acted out. Graph refuses
// the log with 403 to a tenant without Microsoft Entra ID P1
// (Authentication_RequestFromNonPremiumTenantOrB2CTenant, see
// [WithPremium]) and to an app without AuditLog.Read.All
// (Authorization_RequestDenied); the simulator reads the permission from
// the "roles" claim of the bearer token, when the token has one (it
// checks no signature: it is the simulator's own token).

// wireSignIn is a signIn as Graph v1.0 writes it, with the properties the
// simulator keeps.
type wireSignIn struct {
	ID                      string              `json:"id"`
	CreatedDateTime         time.Time           `json:"createdDateTime"`
	UserID                  string              `json:"userId"`
	UserPrincipalName       string              `json:"userPrincipalName"`
	AppDisplayName          string              `json:"appDisplayName"`
	ClientAppUsed           string              `json:"clientAppUsed"`
	IPAddress               string              `json:"ipAddress"`
	ConditionalAccessStatus string              `json:"conditionalAccessStatus"`
	IsInteractive           bool                `json:"isInteractive"`
	Status                  wireSignInStatus    `json:"status"`
	Location                wireSignInLocation  `json:"location"`
	AuthenticationDetails   []wireAuthDetail    `json:"authenticationDetails"`
	AppliedCAPolicies       []map[string]string `json:"appliedConditionalAccessPolicies"`
}

type wireSignInStatus struct {
	ErrorCode         int    `json:"errorCode"`
	FailureReason     string `json:"failureReason"`
	AdditionalDetails string `json:"additionalDetails"`
}

type wireSignInLocation struct {
	City            string `json:"city"`
	State           string `json:"state"`
	CountryOrRegion string `json:"countryOrRegion"`
}

type wireAuthDetail struct {
	AuthenticationStepDateTime     time.Time `json:"authenticationStepDateTime"`
	AuthenticationMethod           string    `json:"authenticationMethod"`
	AuthenticationMethodDetail     string    `json:"authenticationMethodDetail"`
	Succeeded                      bool      `json:"succeeded"`
	AuthenticationStepResultDetail string    `json:"authenticationStepResultDetail"`
	AuthenticationStepRequirement  string    `json:"authenticationStepRequirement"`
}

// codeRequestDenied is Graph's code for a call the app has no permission
// for.
const codeRequestDenied = "Authorization_RequestDenied"

// signInFilter is the only $filter the simulator understands:
// userId eq '{id}' [and createdDateTime ge {time}].
var signInFilter = regexp.MustCompile(`^userId eq '([^']+)'(?: and createdDateTime ge (\S+))?$`)

// signIns serves GET /auditLogs/signIns: the attempts of the user the
// filter names, newest first, at most $top (default and largest 1000).
func (s *Server) signIns(c *call) reply {
	if c.r.Method != http.MethodGet {
		return methodNotAllowed(c, http.MethodGet)
	}
	if roles, ok := tokenRoles(c.r); ok && !slices.Contains(roles, "AuditLog.Read.All") {
		return errReply(newError(http.StatusForbidden, codeRequestDenied, "Insufficient privileges to complete the operation."))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.premium {
		return errReply(newError(http.StatusForbidden, codeNonPremium,
			"Neither tenant is B2C or tenant doesn't have premium license"))
	}
	q := c.r.URL.Query()
	m := signInFilter.FindStringSubmatch(q.Get("$filter"))
	if m == nil {
		return errReply(newError(http.StatusBadRequest, codeBadRequest, "Invalid filter clause: the simulator reads userId eq '...' [and createdDateTime ge ...]."))
	}
	var since time.Time
	if m[2] != "" {
		t, err := time.Parse(time.RFC3339, m[2])
		if err != nil {
			return errReply(newError(http.StatusBadRequest, codeBadRequest, "Invalid filter clause: createdDateTime is not a date and time."))
		}
		since = t
	}
	top, apiErr := pageSize(q, 1000)
	if apiErr != nil {
		return errReply(apiErr)
	}
	out := collection{Context: metadata + "auditLogs/signIns", Value: []any{}}
	for _, si := range s.signInLog[strings.ToLower(m[1])] { // newest first
		if si.CreatedDateTime.Before(since) || len(out.Value) == top {
			continue
		}
		out.Value = append(out.Value, si)
	}
	return reply{status: http.StatusOK, body: out}
}

// tokenRoles reads the roles claim of the request's bearer token, if it
// has one.
func tokenRoles(r *http.Request) ([]string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	parts := strings.Split(tok, ".")
	if !ok || len(parts) < 2 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims struct {
		Roles *[]string `json:"roles"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Roles == nil {
		return nil, false
	}
	return *claims.Roles, true
}

// controlSignIns seeds (POST: a JSON array of signIns in Graph's shape;
// id, userId, userPrincipalName and createdDateTime are filled in when
// missing, the last as now) or forgets (DELETE) a user's sign-in attempts.
func (s *Server) controlSignIns(c *call, key string) reply {
	if c.r.Method != http.MethodPost && c.r.Method != http.MethodDelete {
		return methodNotAllowed(c, http.MethodPost, http.MethodDelete)
	}
	var in []wireSignIn
	if c.r.Method == http.MethodPost {
		if e := c.decode(&in); e != nil {
			return errReply(e)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, e := s.lookup(key)
	if e != nil {
		return errReply(e)
	}
	if c.r.Method == http.MethodDelete {
		delete(s.signInLog, u.id)
		return reply{status: http.StatusNoContent}
	}
	log := s.signInLog[u.id]
	for _, si := range in {
		if si.ID == "" {
			si.ID = newUUID()
		}
		if si.CreatedDateTime.IsZero() {
			si.CreatedDateTime = c.now
		}
		si.UserID, si.UserPrincipalName = u.id, u.upn
		log = append(log, si)
	}
	slices.SortStableFunc(log, func(a, b wireSignIn) int { return b.CreatedDateTime.Compare(a.CreatedDateTime) })
	if len(log) > maxSignInLog {
		log = log[:maxSignInLog]
	}
	s.signInLog[u.id] = log
	return reply{status: http.StatusCreated, body: collection{Context: metadata + "auditLogs/signIns", Value: anySlice(log)}}
}

// maxSignInLog bounds the attempts kept per user.
const maxSignInLog = 1000

func anySlice[T any](in []T) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = v
	}
	return out
}
