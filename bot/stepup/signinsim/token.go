package signinsim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// tokenResponse is Entra's successful token response, minus the refresh
// token the simulator never issues.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
}

// serveToken is the token endpoint: it redeems an authorization code.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.writeOAuthError(w, r, newOAuthError(http.StatusMethodNotAllowed, "invalid_request", 900561,
			"The endpoint only accepts POST requests. Received a %s request.", r.Method))
		return
	}
	if !isGUID(tenant) {
		s.writeOAuthError(w, r, errTenant(tenant))
		return
	}
	tenant = strings.ToLower(tenant)
	g, clientID, e := s.redeem(w, r, tenant)
	if e != nil {
		if e.code == "invalid_client" {
			if _, _, basic := r.BasicAuth(); basic {
				// RFC 6749 section 5.2: a client that tried Basic hears
				// which scheme to use.
				w.Header().Set("WWW-Authenticate", `Basic realm="signinsim"`)
			}
		}
		s.writeOAuthError(w, r, e)
		return
	}
	idToken, err := s.idToken(g, clientID)
	if err != nil {
		s.writeOAuthError(w, r, newOAuthError(http.StatusInternalServerError, "server_error", 90033,
			"A transient error has occurred. Please try again."))
		return
	}
	// No refresh token is issued, so offline_access is not granted.
	scopes := slices.DeleteFunc(slices.Clone(g.scopes), func(sc string) bool { return sc == "offline_access" })
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		TokenType:    "Bearer",
		Scope:        strings.Join(scopes, " "),
		ExpiresIn:    int(tokenLifetime.Seconds()),
		ExtExpiresIn: int(tokenLifetime.Seconds()),
		AccessToken:  randomToken(32),
		IDToken:      idToken,
	})
}

// redeem checks a token request and marks its code redeemed. It returns
// the code's grant and the authenticated client id. A failed request does
// not use up the code: x/oauth2, not knowing how the server wants the
// client to authenticate, repeats a failed request with the other method,
// and the second answer should name the same mistake as the first.
func (s *Server) redeem(w http.ResponseWriter, r *http.Request, tenant string) (*grant, string, *oauthError) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return nil, "", newOAuthError(http.StatusBadRequest, "invalid_request", 9000411,
			"The request is not properly formatted: the body must be application/x-www-form-urlencoded.")
	}
	f := r.PostForm
	for _, k := range []string{"grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret"} {
		if len(f[k]) > 1 {
			return nil, "", newOAuthError(http.StatusBadRequest, "invalid_request", 9000411,
				"The request is not properly formatted. The parameter '%s' is duplicated.", k)
		}
	}
	switch gt := f.Get("grant_type"); gt {
	case "":
		return nil, "", errMissing("grant_type")
	case "authorization_code":
	default:
		return nil, "", newOAuthError(http.StatusBadRequest, "unsupported_grant_type", 70003,
			"The app requested an unsupported grant type '%s'.", gt)
	}
	clientID, e := s.authenticate(r, tenant)
	if e != nil {
		return nil, "", e
	}
	code, verifier := f.Get("code"), f.Get("code_verifier")
	if code == "" {
		return nil, "", errMissing("code")
	}
	if verifier == "" {
		return nil, "", errMissing("code_verifier")
	}
	invalidGrant := func(aadsts int, format string, args ...any) *oauthError {
		return newOAuthError(http.StatusBadRequest, "invalid_grant", aadsts, format, args...)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.codes[code]
	switch {
	case g == nil || g.tenant != tenant:
		return nil, "", invalidGrant(70000, "Provided grant is invalid or malformed.")
	case g.redeemed:
		return nil, "", invalidGrant(54005,
			"OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case !now.Before(g.expires):
		return nil, "", invalidGrant(70008,
			"The provided authorization code or refresh token has expired due to inactivity. "+
				"Send a new interactive authorization request for this user and resource.")
	case g.clientID != clientID:
		return nil, "", invalidGrant(70000, "Provided grant is invalid or malformed: the code was issued to another application.")
	case f.Get("redirect_uri") != g.redirectURI:
		return nil, "", invalidGrant(50011,
			"The redirect URI '%s' specified in the request does not match the redirect URI of the authorization request.",
			f.Get("redirect_uri"))
	case !verifierMatches(verifier, g.challenge):
		return nil, "", invalidGrant(501481,
			"The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	g.redeemed = true
	return g, clientID, nil
}

// authenticate returns the client id of the request, with its secret
// checked if an app is registered. The secret may come in the form
// (client_secret_post) or as HTTP Basic (client_secret_basic), not both.
func (s *Server) authenticate(r *http.Request, tenant string) (string, *oauthError) {
	f := r.PostForm
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	if id, sec, ok := r.BasicAuth(); ok {
		// RFC 6749 section 2.3.1: both parts are form-encoded first, and
		// x/oauth2 does encode them.
		uid, err1 := url.QueryUnescape(id)
		usec, err2 := url.QueryUnescape(sec)
		switch {
		case err1 != nil || err2 != nil:
			return "", newOAuthError(http.StatusBadRequest, "invalid_request", 9000411,
				"The request is not properly formatted: the Authorization header is not valid.")
		case secret != "" || (clientID != "" && clientID != uid):
			return "", newOAuthError(http.StatusBadRequest, "invalid_request", 9000411,
				"The request is not properly formatted: it uses more than one client authentication method.")
		}
		clientID, secret = uid, usec
	}
	if clientID == "" {
		return "", errMissing("client_id")
	}
	a := s.app
	if a == nil {
		return clientID, nil
	}
	switch {
	case clientID != a.clientID:
		return "", newOAuthError(http.StatusBadRequest, "unauthorized_client", 700016,
			"Application with identifier '%s' was not found in the directory '%s'.", clientID, tenant)
	case secret == "":
		return "", newOAuthError(http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	case subtle.ConstantTimeCompare([]byte(secret), []byte(a.secret)) != 1:
		return "", newOAuthError(http.StatusUnauthorized, "invalid_client", 7000215,
			"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "+
				"not the client secret ID, for a secret added to app '%s'.", a.clientID)
	}
	return clientID, nil
}

// verifierMatches reports whether the PKCE S256 transform of verifier is
// challenge (RFC 7636 section 4.6).
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// idToken signs the ID token for a redeemed grant, with the claims an
// Entra v2.0 ID token carries, plus auth_time (an optional claim the
// tenant's admin adds so the bot can demand a fresh sign-in) and acrs.
func (s *Server) idToken(g *grant, clientID string) (string, error) {
	now := s.now()
	amr := []string{"pwd"}
	if g.method == methodMFA {
		amr = append(amr, "mfa")
	}
	claims := jwt.MapClaims{
		"ver":                "2.0",
		"iss":                s.issuer(g.tenant),
		"aud":                clientID,
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(tokenLifetime).Unix(),
		"sub":                pairwiseSubject(g.person.ID, clientID),
		"oid":                g.person.ID,
		"tid":                g.tenant,
		"name":               g.person.Name,
		"preferred_username": g.person.UPN,
		"nonce":              g.nonce,
		"auth_time":          g.authTime.Unix(),
		"amr":                amr,
		"uti":                randomToken(16),
	}
	if len(g.acrs) > 0 {
		claims["acrs"] = g.acrs
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.kid
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("signinsim: sign ID token: %w", err)
	}
	return signed, nil
}

// pairwiseSubject is the sub claim: like Entra's, stable for one person and
// one app, different for another app, so apps cannot correlate people by it.
func pairwiseSubject(oid, clientID string) string {
	sum := sha256.Sum256([]byte("signinsim sub\x00" + strings.ToLower(oid) + "\x00" + clientID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
