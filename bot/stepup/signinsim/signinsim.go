// Package signinsim is a simulator of the Microsoft Entra ID v2.0 OpenID
// Connect endpoints: discovery, keys, the authorization endpoint (with a
// sign-in page a person or a browser test clicks through) and the token
// endpoint. The bot serves it in local mode, where Microsoft's cloud cannot
// be reached, so that its step-up sign-in (authorization code flow with
// PKCE, state and nonce) runs unchanged against it, with
// golang.org/x/oauth2 and github.com/coreos/go-oidc/v3 as the client.
//
// A [Server] serves paths starting with /{tenant}/; mount it under a prefix
// with [http.StripPrefix] and give [New] the absolute URL of that prefix:
//
//	base := "http://127.0.0.1:3978/signin-simulator"
//	mux.Handle("/signin-simulator/", http.StripPrefix("/signin-simulator", signinsim.New(base)))
//
// The issuer for tenant T is then base+"/T/v2.0", the URL to give
// oidc.NewProvider. Endpoints ({tenant} is a GUID, any GUID):
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration  discovery
//	GET  /{tenant}/discovery/v2.0/keys                     JWKS (one RSA key, made by New)
//	GET  /{tenant}/oauth2/v2.0/authorize                   authorization request → sign-in page (or JSON, see below)
//	POST /{tenant}/oauth2/v2.0/authorize                   the page's form (or JSON) → 302 to the redirect URI
//	POST /{tenant}/oauth2/v2.0/token                       authorization_code grant → ID token
//
// Control endpoint, for tests and scripts (never part of Entra):
//
//	GET  /_sim/signins  JSON array of completed sign-ins {"oid","tenant","method","at","clientId"}, oldest first
//
// The sign-in page offers three buttons (form field "method"): "mfa" signs
// in with a password and a second factor (amr ["pwd","mfa"]), "password"
// with a password only (amr ["pwd"]), "cancel" returns
// error=access_denied. The person is the one login_hint names (see
// [WithDirectory]) unless the form's "account" field names another object
// id. A script skips the page: it opens the authorization URL with
// "Accept: application/json" to get {"tx","expiresAt","person","acrs"}
// instead of the page, then POSTs JSON {"tx","method","account"}.
//
// The ID token carries the claims an Entra v2.0 ID token does, plus the
// optional claim auth_time and, when the authorization request's claims
// parameter asked for "acrs" and the person signed in with MFA, the
// requested authentication context ids.
//
// Where the simulator departs from Entra, the choice is commented where it
// is made. The larger ones: only the authorization code flow with PKCE
// (S256) and response_mode=query; state and nonce are required (Entra
// leaves them optional, and a client that forgets them should fail here
// first); no sessions, so every sign-in is fresh and prompt=none always
// answers login_required; no refresh tokens; the access token is an opaque
// string no resource server accepts; tenant ids are lowercased everywhere,
// as Entra writes its own tenant id.
package signinsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	// txLifetime is how long the sign-in page may stay open; Entra's own
	// page times out after a similar while.
	txLifetime = 10 * time.Minute
	// codeLifetime is Entra's authorization code lifetime.
	codeLifetime = 10 * time.Minute
	// tokenLifetime is the ID token's exp - iat, Entra's default.
	tokenLifetime = time.Hour
	// maxPending bounds the open transactions and the unexpired codes
	// (each), so a long-running local simulator, or a script that opens
	// the authorize URL in a loop, cannot grow it without bound.
	maxPending = 4096
	// maxSignins is how many completed sign-ins /_sim/signins keeps.
	maxSignins = 200
	// maxBody bounds request bodies; real ones are a few hundred bytes.
	maxBody = 64 << 10
)

// Server is a simulated Microsoft Entra ID sign-in. It is an
// [http.Handler] and is safe for concurrent use. Create it with [New].
type Server struct {
	base   string
	now    func() time.Time
	lookup func(hint string) (Person, bool)
	app    *app // nil: any client id, any secret, loopback redirect URIs

	key       *rsa.PrivateKey
	kid       string
	styleHash string // CSP source for the pages' one inline style element

	mu      sync.Mutex
	txs     map[string]*transaction // by transaction id
	codes   map[string]*grant       // by authorization code
	signins []signIn
}

// app is the one registered application.
type app struct {
	clientID     string
	secret       string
	redirectURIs []string
}

// Option configures a [Server].
type Option func(*Server)

// Person is someone who can sign in: the directory's answer for a
// login_hint or an object id.
type Person struct {
	// ID is the object id (the oid claim), a GUID.
	ID string `json:"id"`
	// Name is the display name (the name claim).
	Name string `json:"name"`
	// UPN is the user principal name (the preferred_username claim).
	UPN string `json:"upn"`
}

// WithClient registers the one application that may sign people in, as an
// app registration in Entra does: requests for another client id are
// refused (AADSTS700016), the redirect URI must equal one of redirectURIs
// exactly (AADSTS50011), and the token endpoint requires secret. Without
// it, any client id and any secret (or none) are accepted, and any http or
// https redirect URI on a loopback host (localhost, 127.0.0.0/8, ::1).
//
// [New] panics if clientID or secret is empty, or if a redirect URI is not
// an absolute http(s) URL without a fragment.
func WithClient(clientID, secret string, redirectURIs ...string) Option {
	return func(s *Server) {
		s.app = &app{clientID: clientID, secret: secret, redirectURIs: append([]string(nil), redirectURIs...)}
	}
}

// WithDirectory sets who a login_hint (and the sign-in page's "account"
// field, an object id) names. lookup answers false for nobody. The default
// knows everyone: a GUID is a made-up person as the Graph simulator
// provisions one (Name "Test User 1a2b" from the first four hex digits,
// UPN "<first 8 hex digits>@contoso.example"), and a hint with "@" is a
// person with that UPN, the part before "@" as Name and an object id
// derived from the UPN. lookup may be called from several requests at
// once.
func WithDirectory(lookup func(hint string) (Person, bool)) Option {
	return func(s *Server) {
		if lookup != nil {
			s.lookup = lookup
		}
	}
}

// WithClock sets the clock for sign-in times, token times and the expiry
// of transactions and codes. The default (and what nil means) is
// [time.Now].
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// New returns the simulator, with a freshly generated RSA-2048 signing key.
// base is the absolute URL it is served under, e.g.
// "http://127.0.0.1:3978/signin-simulator" (the caller mounts it with
// [http.StripPrefix]); issuer and endpoint URLs are built from it.
//
// New panics if base is not an absolute http(s) URL or an option is
// invalid (see [WithClient]): both are start-up configuration mistakes.
func New(base string, opts ...Option) *Server {
	s := &Server{
		base:   strings.TrimRight(base, "/"),
		now:    time.Now,
		lookup: defaultDirectory,
		txs:    map[string]*transaction{},
		codes:  map[string]*grant{},
	}
	for _, o := range opts {
		o(s)
	}
	if u, err := url.Parse(s.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		panic(fmt.Sprintf("signinsim: base %q is not an absolute http(s) URL", base))
	}
	if a := s.app; a != nil {
		if a.clientID == "" || a.secret == "" {
			panic("signinsim: WithClient needs a client id and a secret")
		}
		if len(a.redirectURIs) == 0 {
			panic("signinsim: WithClient needs at least one redirect URI")
		}
		for _, ru := range a.redirectURIs {
			if _, err := parseRedirectURI(ru); err != nil {
				panic(fmt.Sprintf("signinsim: WithClient: redirect URI %q: %v", ru, err))
			}
		}
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("signinsim: generate signing key: %v", err))
	}
	s.key = key
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		panic(fmt.Sprintf("signinsim: encode signing key: %v", err))
	}
	// Entra's kids are base64url SHA-1 thumbprints, 27 characters; a
	// truncated SHA-256 of the key looks the same and changes with it.
	sum := sha256.Sum256(der)
	s.kid = base64.RawURLEncoding.EncodeToString(sum[:20])

	css := sha256.Sum256([]byte(pageCSS))
	s.styleHash = "'sha256-" + base64.StdEncoding.EncodeToString(css[:]) + "'"
	return s
}

// ServeHTTP serves the endpoints listed in the package documentation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/_sim/signins" {
		s.serveSignins(w, r)
		return
	}
	tenant, rest, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !ok || strings.HasPrefix(p, "/_sim/") {
		http.NotFound(w, r)
		return
	}
	switch "/" + rest {
	case "/v2.0/.well-known/openid-configuration":
		s.serveDiscovery(w, r, tenant)
	case "/discovery/v2.0/keys":
		s.serveKeys(w, r, tenant)
	case "/oauth2/v2.0/authorize":
		s.serveAuthorize(w, r, tenant)
	case "/oauth2/v2.0/token":
		s.serveToken(w, r, tenant)
	default:
		http.NotFound(w, r)
	}
}

// tenantURL is the absolute URL of path under tenant.
func (s *Server) tenantURL(tenant, path string) string {
	return s.base + "/" + tenant + path
}

// issuer is the iss claim and the discovery document's issuer for tenant.
func (s *Server) issuer(tenant string) string { return s.tenantURL(tenant, "/v2.0") }

// randomToken returns n random bytes, base64url encoded: transaction ids,
// codes and access tokens, all unguessable.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
