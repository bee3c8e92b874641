package signinsim

import (
	"encoding/base64"
	"math/big"
	"net/http"
	"strings"
)

// discovery is the OpenID Provider metadata, the subset of Entra's document
// that describes what the simulator does.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
}

// jwk is one RSA public key as Entra publishes it (without the x5c
// certificate chain, which the simulator has no CA for).
type jwk struct {
	KID string `json:"kid"`
	KTY string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// refuseUnlessGet answers 405 unless r is a GET or HEAD, and reports
// whether it did.
func refuseUnlessGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return true
}

// serveDiscovery serves the OpenID Provider metadata for tenant.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request, tenant string) {
	if refuseUnlessGet(w, r) {
		return
	}
	if !isGUID(tenant) {
		s.writeOAuthError(w, r, errTenant(tenant))
		return
	}
	// Entra writes its own tenant id in lower case, whatever the URL said.
	tenant = strings.ToLower(tenant)
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            s.issuer(tenant),
		AuthorizationEndpoint:             s.tenantURL(tenant, "/oauth2/v2.0/authorize"),
		TokenEndpoint:                     s.tenantURL(tenant, "/oauth2/v2.0/token"),
		JWKSURI:                           s.tenantURL(tenant, "/discovery/v2.0/keys"),
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic"},
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ScopesSupported:                   []string{"openid", "profile", "email", "offline_access"},
		ClaimsSupported: []string{"ver", "iss", "aud", "iat", "nbf", "exp", "sub", "oid", "tid", "name",
			"preferred_username", "nonce", "auth_time", "amr", "acrs", "uti"},
		ClaimsParameterSupported: true,
	})
}

// serveKeys serves the JWKS with the one signing key.
func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request, tenant string) {
	if refuseUnlessGet(w, r) {
		return
	}
	if !isGUID(tenant) {
		s.writeOAuthError(w, r, errTenant(tenant))
		return
	}
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string][]jwk{"keys": {{
		KID: s.kid,
		KTY: "RSA",
		Use: "sig",
		Alg: "RS256",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}
