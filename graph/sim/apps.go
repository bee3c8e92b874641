package sim

import (
	"net/http"
	"strings"
	"time"
)

// The simulated tenant's app registration: any appId is found, with one
// client secret that expires at the tenant's appSecretExpires (a year from
// the simulator's start unless set). Reading it needs Application.Read.All
// in Graph; the simulator checks no permission.

// WithAppSecretExpiry sets when the app registrations' client secret
// expires.
func WithAppSecretExpiry(at time.Time) Option {
	return func(s *Server) { s.appSecretEnd = at }
}

// SetAppSecretExpiry changes it on a running simulator.
func (s *Server) SetAppSecretExpiry(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appSecretEnd = at
}

// application serves GET /applications(appId='{id}').
func (s *Server) application(c *call, seg string) reply {
	id, ok := strings.CutPrefix(seg, "applications(appId='")
	if !ok || !strings.HasSuffix(id, "')") {
		return notFound(seg)
	}
	id = strings.TrimSuffix(id, "')")
	if c.r.Method != http.MethodGet {
		return methodNotAllowed(c, http.MethodGet)
	}
	if !isGUID(id) {
		return errReply(newError(http.StatusBadRequest, codeBadRequest, "Invalid object identifier '"+id+"'."))
	}
	s.mu.Lock()
	end := s.appSecretEnd
	s.mu.Unlock()
	return reply{status: http.StatusOK, body: map[string]any{
		"@odata.context": metadata + "applications/$entity",
		"id":             newUUID(),
		"appId":          id,
		"passwordCredentials": []map[string]any{{
			"keyId": "5e9c6a43-0f00-4b5c-9d3e-2b7f1a1c0d01", "displayName": "mfadesk", "hint": "mfa",
			"startDateTime": end.AddDate(-1, 0, 0).UTC().Format(time.RFC3339), "endDateTime": end.UTC().Format(time.RFC3339),
		}},
		"keyCredentials": []any{},
	}}
}
