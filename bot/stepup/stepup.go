// Package stepup asks a person for a fresh, strong sign-in with Microsoft
// Entra before the bot changes how they sign in, and judges the result.
//
// It is an OpenID Connect relying party built from maintained libraries:
// golang.org/x/oauth2 runs the authorization code flow with PKCE, and
// github.com/coreos/go-oidc verifies the ID token (signature against the
// tenant's published keys, issuer, audience, lifetime). [Judge] then decides
// whether the verified sign-in proves what a write needs: the same person,
// signed in recently, with multifactor authentication. It returns a
// [Verdict] code; the words for people live in package cards.
package stepup

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config configures a [Provider].
type Config struct {
	// Authority is Entra's root, "https://login.microsoftonline.com/", or
	// the sign-in simulator's. Tenant-specific endpoints hang below it.
	Authority string
	// ClientID and ClientSecret are the app registration's; the redirect
	// URL must be registered there as a Web redirect URI.
	ClientID     string
	ClientSecret string
	RedirectURL  string
	// AuthContext is a Conditional Access authentication context id ("c1")
	// that the admin ties to an authentication strength and "sign-in
	// frequency: every time". When set, it is requested with a claims
	// challenge and required in the token's acrs claim. When empty, the
	// token must show a multifactor sign-in in amr.
	AuthContext string
	// MaxAge is how long ago the sign-in may have happened.
	MaxAge time.Duration
	// HTTPClient reaches the token endpoint and the keys; nil: a client
	// with a 20 s timeout.
	HTTPClient *http.Client
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Provider builds sign-in URLs and redeems their callbacks. It is safe for
// concurrent use.
type Provider struct {
	cfg Config

	mu        sync.Mutex
	verifiers map[string]*oidc.IDTokenVerifier // by tenant
}

// New returns a provider for cfg.
func New(cfg Config) *Provider {
	if !strings.HasSuffix(cfg.Authority, "/") {
		cfg.Authority += "/"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Provider{cfg: cfg, verifiers: map[string]*oidc.IDTokenVerifier{}}
}

// MaxAge is how old a sign-in may be.
func (p *Provider) MaxAge() time.Duration { return p.cfg.MaxAge }

// Request is one sign-in request's secrets: the state that comes back with
// the callback, the nonce that comes back inside the ID token, and the PKCE
// verifier that only the bot knows.
type Request struct {
	State    string
	Nonce    string
	Verifier string
}

// NewRequest returns fresh random secrets for one sign-in.
func NewRequest() (Request, error) {
	state, err := random(32)
	if err != nil {
		return Request{}, err
	}
	nonce, err := random(32)
	if err != nil {
		return Request{}, err
	}
	return Request{State: state, Nonce: nonce, Verifier: oauth2.GenerateVerifier()}, nil
}

// HashState is how a state is stored: the callback's state is looked up by
// its hash, so that a copy of the database holds no usable state.
func HashState(state string) string {
	h := sha256.Sum256([]byte(state))
	return hex.EncodeToString(h[:])
}

func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("stepup: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (p *Provider) oauth(tenant string) *oauth2.Config {
	base := p.cfg.Authority + tenant + "/oauth2/v2.0/"
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret,
		RedirectURL:  p.cfg.RedirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: base + "authorize", TokenURL: base + "token",
			AuthStyle: oauth2.AuthStyleInParams},
	}
}

// AuthURL is where the person signs in for request r in tenant. loginHint
// (their user principal name) pre-fills the account.
//
// prompt=login makes Entra ask for credentials even when the browser has a
// session; the token's auth_time is still checked, because a URL can be
// edited. With an authentication context, the claims parameter asks Entra to
// satisfy it (Conditional Access then demands the strength it is tied to).
func (p *Provider) AuthURL(tenant string, r Request, loginHint string) string {
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(r.Verifier),
		oauth2.SetAuthURLParam("nonce", r.Nonce),
		oauth2.SetAuthURLParam("prompt", "login"),
		oauth2.SetAuthURLParam("response_mode", "query"),
	}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	if c := p.cfg.AuthContext; c != "" {
		opts = append(opts, oauth2.SetAuthURLParam("claims", claimsChallenge(c)))
	}
	return p.oauth(tenant).AuthCodeURL(r.State, opts...)
}

// claimsChallenge asks for authentication context ctx in the ID token.
func claimsChallenge(ctx string) string {
	b, _ := json.Marshal(map[string]any{
		"id_token": map[string]any{"acrs": map[string]any{"essential": true, "value": ctx}},
	})
	return string(b)
}

// Claims is what a verified ID token says about the sign-in.
type Claims struct {
	OID      string    // the person's object id
	TID      string    // their tenant
	Name     string    // display name
	UPN      string    // preferred_username
	Nonce    string    // echoes the request's nonce
	AuthTime time.Time // when they entered credentials; zero if absent
	AMR      []string  // authentication methods: "pwd", "mfa", ...
	ACRS     []string  // authentication contexts satisfied
}

// ErrExchange reports that the identity provider refused the code (already
// redeemed, wrong verifier, expired) or could not be reached.
var ErrExchange = errors.New("stepup: code not redeemed")

// ErrToken reports an ID token that failed verification: a bad signature,
// another issuer or audience, expired, or missing.
var ErrToken = errors.New("stepup: ID token not valid")

// Redeem exchanges the callback's code for tokens (with the request's PKCE
// verifier) and verifies the ID token. It does not judge the claims: see
// [Provider.Judge].
func (p *Provider) Redeem(ctx context.Context, tenant, code string, r Request) (Claims, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.cfg.HTTPClient)
	tok, err := p.oauth(tenant).Exchange(ctx, code, oauth2.VerifierOption(r.Verifier))
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %s", ErrExchange, exchangeReason(err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, fmt.Errorf("%w: no id_token in the answer", ErrToken)
	}
	idt, err := p.verifier(tenant).Verify(ctx, raw)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrToken, err)
	}
	var c struct {
		OID      string   `json:"oid"`
		TID      string   `json:"tid"`
		Name     string   `json:"name"`
		UPN      string   `json:"preferred_username"`
		AuthTime int64    `json:"auth_time"`
		AMR      []string `json:"amr"`
		ACRS     []string `json:"acrs"`
	}
	if err := idt.Claims(&c); err != nil {
		return Claims{}, fmt.Errorf("%w: claims: %v", ErrToken, err)
	}
	out := Claims{OID: c.OID, TID: c.TID, Name: c.Name, UPN: c.UPN, Nonce: idt.Nonce, AMR: c.AMR, ACRS: c.ACRS}
	if c.AuthTime > 0 {
		out.AuthTime = time.Unix(c.AuthTime, 0).UTC()
	}
	return out, nil
}

// exchangeReason names the token endpoint's error code without its
// description, which may echo request details.
func exchangeReason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		return re.ErrorCode
	}
	return "token endpoint unreachable or unreadable"
}

// verifier returns the ID token verifier of a tenant: its v2.0 issuer, this
// app as the audience, RS256 keys from its published key set (fetched when
// first needed and again for a key id it does not know).
func (p *Provider) verifier(tenant string) *oidc.IDTokenVerifier {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.verifiers[tenant]; ok {
		return v
	}
	keys := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), p.cfg.HTTPClient),
		p.cfg.Authority+tenant+"/discovery/v2.0/keys")
	v := oidc.NewVerifier(p.cfg.Authority+tenant+"/v2.0", keys, &oidc.Config{
		ClientID: p.cfg.ClientID, SupportedSigningAlgs: []string{oidc.RS256}, Now: p.cfg.Now,
	})
	p.verifiers[tenant] = v
	return v
}

// Verdict is the outcome of judging a sign-in: [OK], or why it does not
// prove what a write needs.
type Verdict string

// The verdicts. Each refusal leaves the change unwritten.
const (
	OK          Verdict = "ok"
	OtherPerson Verdict = "other_person" // someone else signed in
	WrongTenant Verdict = "wrong_tenant" // a token of another organisation
	Replayed    Verdict = "replayed"     // the nonce is not this request's
	Stale       Verdict = "stale"        // signed in longer ago than MaxAge
	Weak        Verdict = "weak"         // no proof of a strong sign-in
)

// clockSkew tolerates clocks a little apart when reading auth_time.
const clockSkew = 2 * time.Minute

// Judge decides whether a verified sign-in, made for request r by the
// person with object id user in tenant, proves what a write needs. Each
// check follows Microsoft's documentation of Entra's tokens (README,
// "Security", lists the pages):
//   - nonce must be this request's (the OIDC flow's replay protection:
//     "if it doesn't match, your application should reject the token").
//   - tid is the tenant the person signed in to; oid their immutable
//     object id, which must be the person who asked in Teams (the
//     activity's aadObjectId). A login_hint only pre-fills the page, so
//     this check is what stops someone else's sign-in.
//   - auth_time, an optional claim the admin adds to the ID token, is
//     when the person last entered credentials, and must be within MaxAge.
//     iat is when the token was issued, not proof of a fresh sign-in, so a
//     token without auth_time is refused.
//   - With an authentication context, acrs must contain it: Conditional
//     Access adds it only when the policy tied to it (an authentication
//     strength, sign-in frequency "every time") was satisfied. Without
//     one, amr must contain "mfa" or "ngcmfa" ("equivalent to mfa").
//     Entra's v2.0 ID tokens carry no amr, so there every sign-in is
//     refused as weak until an authentication context is configured;
//     failing closed is the point (OWASP ASVS 6.8.4: a missing claim is
//     the weakest sign-in).
func (p *Provider) Judge(c Claims, user, tenant string, r Request) Verdict {
	now := p.cfg.Now()
	switch {
	case r.Nonce == "" || c.Nonce != r.Nonce: // a request always has a nonce; an empty one must not match a token without one
		return Replayed
	case c.TID == "" || !strings.EqualFold(c.TID, tenant):
		return WrongTenant
	case c.OID == "" || !strings.EqualFold(c.OID, user):
		return OtherPerson
	case c.AuthTime.IsZero() || c.AuthTime.After(now.Add(clockSkew)):
		return Weak
	case now.Sub(c.AuthTime) > p.cfg.MaxAge:
		return Stale
	}
	if ctx := p.cfg.AuthContext; ctx != "" {
		if !slices.Contains(c.ACRS, ctx) {
			return Weak
		}
		return OK
	}
	if !slices.Contains(c.AMR, "mfa") && !slices.Contains(c.AMR, "ngcmfa") {
		return Weak
	}
	return OK
}
