package signinsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// oauthError is an error as Entra's JSON endpoints (token, discovery)
// answer it, before the trace fields are added.
type oauthError struct {
	status int
	code   string // OAuth error code: invalid_grant, invalid_client, ...
	aadsts int    // Entra's AADSTS number
	msg    string // Entra's message, without the "AADSTSnnnn: " prefix
}

func newOAuthError(status int, code string, aadsts int, format string, args ...any) *oauthError {
	return &oauthError{status: status, code: code, aadsts: aadsts, msg: fmt.Sprintf(format, args...)}
}

// errMissing is Entra's answer to a missing parameter.
func errMissing(name string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "invalid_request", 900144,
		"The request body must contain the following parameter: '%s'.", name)
}

// errTenant is Entra's answer to a tenant it does not know; here, anything
// but a GUID.
func errTenant(tenant string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "invalid_tenant", 90002,
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)
}

// errorBody is Entra's JSON error body.
type errorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// describe fills in Entra's error body for e: the description repeats the
// trace and correlation ids and the time, which people paste into support
// tickets.
func (s *Server) describe(r *http.Request, e *oauthError) errorBody {
	trace := newGUID()
	// Entra echoes the client's client-request-id as the correlation id.
	corr := r.Header.Get("client-request-id")
	if !isGUID(corr) {
		corr = newGUID()
	}
	ts := s.now().UTC().Format("2006-01-02 15:04:05Z")
	return errorBody{
		Error: e.code,
		Description: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.aadsts, e.msg, trace, corr, ts),
		Codes:         []int{e.aadsts},
		Timestamp:     ts,
		TraceID:       trace,
		CorrelationID: corr,
		ErrorURI:      "https://login.microsoftonline.com/error?code=" + strconv.Itoa(e.aadsts),
	}
}

// writeOAuthError answers with e as Entra's JSON endpoints do.
func (s *Server) writeOAuthError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, e.status, s.describe(r, e))
}

// writeJSON writes v as the response body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "signinsim: encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// pageError is an error the authorization endpoint shows as a page,
// because it cannot (or must not) redirect: the redirect URI is unknown or
// not registered, or the sign-in page's form is stale.
type pageError struct {
	status int
	aadsts int    // 0: the simulator's own error, no AADSTS number
	ja     string // what went wrong, in Japanese
	en     string // the same in English (Entra's message where there is one)
}

// errPageTenant is errTenant as a page.
func errPageTenant(tenant string) *pageError {
	e := errTenant(tenant)
	return &pageError{status: e.status, aadsts: e.aadsts,
		ja: "テナント「" + tenant + "」が見つかりません。テナントIDを確認してください。", en: e.msg}
}

// pageTime formats the time in the page's footer, as Entra's error page
// shows it for support.
func pageTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
