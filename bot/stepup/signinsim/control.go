package signinsim

import (
	"net/http"
	"time"
)

// signIn is one completed sign-in as /_sim/signins lists it. It carries no
// code, state, nonce or token: the list is for scripts to assert on, and
// may end up in their logs.
type signIn struct {
	OID      string    `json:"oid"`
	Tenant   string    `json:"tenant"`
	Method   string    `json:"method"`
	At       time.Time `json:"at"`
	ClientID string    `json:"clientId"`
}

// serveSignins lists completed sign-ins, oldest first.
func (s *Server) serveSignins(w http.ResponseWriter, r *http.Request) {
	if refuseUnlessGet(w, r) {
		return
	}
	s.mu.Lock()
	out := append([]signIn{}, s.signins...)
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}
