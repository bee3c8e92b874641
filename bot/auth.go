package bot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BotFrameworkIssuer is the issuer of tokens the Bot Connector signs.
const BotFrameworkIssuer = "https://api.botframework.com"

// DefaultOpenIDMetadata is Bot Framework's public OpenID metadata document.
const DefaultOpenIDMetadata = "https://login.botframework.com/v1/.well-known/openidconfiguration"

// DefaultAuthorityHost is Microsoft Entra ID's public cloud authority.
const DefaultAuthorityHost = "https://login.microsoftonline.com/"

// clockSkew is how far token lifetimes may disagree with our clock; Bot
// Framework's own SDKs allow five minutes.
const clockSkew = 5 * time.Minute

// AuthConfig configures an [Authenticator].
type AuthConfig struct {
	AppID string // the bot's Microsoft App ID: every token's audience
	// TenantID, when set, makes the authenticator also accept tokens issued
	// by that Entra tenant (single-tenant bots may receive those).
	TenantID string
	// OpenIDMetadataURL is Bot Framework's metadata document; empty means
	// [DefaultOpenIDMetadata].
	OpenIDMetadataURL string
	// AuthorityHost is the Entra authority; empty means [DefaultAuthorityHost].
	AuthorityHost string
	// HTTPClient fetches metadata and keys; nil means a client with a 15 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Authenticator verifies the bearer token on every inbound activity. It is
// safe for concurrent use and fetches keys only when it has none, when they
// are a day old, or (at most once a minute) for an unknown key id.
type Authenticator struct {
	appID        string
	botFramework *keySet
	entra        *keySet // nil without a tenant
	entraIssuers []string
	parser       *jwt.Parser
	now          func() time.Time

	// verified remembers tokens whose signature and claims checked out, by
	// their SHA-256: the Bot Connector sends the same token for many
	// activities, and an RSA verification per request is the endpoint's
	// largest fixed cost. An entry lives until the token expires, at most
	// verifiedTTL.
	mu       sync.Mutex
	verified map[[32]byte]verifiedToken
}

type verifiedToken struct {
	id      Identity
	expires time.Time
}

// verifiedTTL bounds how long a verified token is trusted without checking
// its signature again; verifiedMax bounds the cache.
const (
	verifiedTTL = 10 * time.Minute
	verifiedMax = 4096
)

// NewAuthenticator returns an authenticator for cfg.
func NewAuthenticator(cfg AuthConfig) *Authenticator {
	if cfg.OpenIDMetadataURL == "" {
		cfg.OpenIDMetadataURL = DefaultOpenIDMetadata
	}
	if cfg.AuthorityHost == "" {
		cfg.AuthorityHost = DefaultAuthorityHost
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &Authenticator{
		now:          cfg.Now,
		verified:     map[[32]byte]verifiedToken{},
		appID:        cfg.AppID,
		botFramework: newKeySet(cfg.OpenIDMetadataURL, cfg.HTTPClient, cfg.Now),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}),
			jwt.WithLeeway(clockSkew),
			jwt.WithExpirationRequired(),
			jwt.WithAudience(cfg.AppID),
			jwt.WithTimeFunc(cfg.Now),
		),
	}
	if t := cfg.TenantID; t != "" {
		host := strings.TrimRight(cfg.AuthorityHost, "/")
		a.entra = newKeySet(host+"/"+t+"/v2.0/.well-known/openid-configuration", cfg.HTTPClient, cfg.Now)
		a.entraIssuers = []string{
			"https://login.microsoftonline.com/" + t + "/v2.0",
			"https://sts.windows.net/" + t + "/",
			host + "/" + t + "/v2.0", // a sovereign cloud or test authority
			host + "/" + t + "/",
		}
	}
	return a
}

// Warm fetches the signing keys ahead of the first request, so the first
// person to write does not wait for it. Failures are retried on demand.
func (a *Authenticator) Warm(ctx context.Context) error {
	err := a.botFramework.refresh(ctx)
	if a.entra != nil {
		err = errors.Join(err, a.entra.refresh(ctx))
	}
	return err
}

// Identity is what a verified token says about the request. The activity in
// the body must agree with it; see [Identity.Admits].
type Identity struct {
	Issuer string
	// ServiceURL is the token's serviceurl claim, empty if it has none.
	ServiceURL   string
	endorsements []string
	needsService bool
}

// AuthError is an authentication failure. Status is 401 for a token that is
// missing or wrong and 503 when keys could not be fetched (the sender should
// retry). Reason is safe to log and to return to the caller.
type AuthError struct {
	Status int
	Reason string
	Err    error
}

func (e *AuthError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *AuthError) Unwrap() error { return e.Err }

func unauthorized(reason string, err error) *AuthError {
	return &AuthError{Status: http.StatusUnauthorized, Reason: reason, Err: err}
}

// Authenticate verifies an Authorization header value: a Bearer JWT signed
// RS256/384/512 by a current Bot Framework key (or the tenant's Entra key),
// issued by a trusted issuer, for this bot, within its lifetime.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (*Identity, error) {
	scheme, raw, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return nil, unauthorized("missing bearer token", nil)
	}
	raw = strings.TrimSpace(raw)
	sum := sha256.Sum256([]byte(raw))
	now := a.now()
	a.mu.Lock()
	v, ok := a.verified[sum]
	a.mu.Unlock()
	if ok && now.Before(v.expires) {
		id := v.id
		return &id, nil
	}
	var (
		claims = jwt.MapClaims{}
		id     Identity
	)
	_, err := a.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		iss, err := claims.GetIssuer()
		if err != nil {
			return nil, err
		}
		keys := a.keysFor(iss)
		if keys == nil {
			return nil, fmt.Errorf("untrusted issuer %q", iss)
		}
		k, err := keys.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		id.Issuer = iss
		id.endorsements = k.endorsements
		id.needsService = keys == a.botFramework
		return k.pub, nil
	})
	if err != nil {
		if errors.Is(err, errKeysUnavailable) {
			return nil, &AuthError{Status: http.StatusServiceUnavailable, Reason: "signing keys unavailable", Err: err}
		}
		return nil, unauthorized("invalid token", err)
	}
	if v, present := claims["serviceurl"]; present {
		s, isString := v.(string)
		if !isString || s == "" {
			return nil, unauthorized("invalid token", errors.New("serviceurl claim is not a string"))
		}
		id.ServiceURL = s
	}
	if id.needsService && id.ServiceURL == "" {
		return nil, unauthorized("invalid token", errors.New("token has no serviceurl claim"))
	}
	exp, err := claims.GetExpirationTime()
	if err == nil && exp != nil {
		until := exp.Add(clockSkew)
		if limit := now.Add(verifiedTTL); limit.Before(until) {
			until = limit
		}
		a.mu.Lock()
		if len(a.verified) >= verifiedMax {
			clear(a.verified) // simple and bounded; the next requests re-verify
		}
		a.verified[sum] = verifiedToken{id: id, expires: until}
		a.mu.Unlock()
	}
	return &id, nil
}

func (a *Authenticator) keysFor(iss string) *keySet {
	if iss == BotFrameworkIssuer {
		return a.botFramework
	}
	if a.entra != nil && slices.Contains(a.entraIssuers, iss) {
		return a.entra
	}
	return nil
}

// Admits checks the activity against the token: the token must have been
// issued for this serviceUrl, and a key endorsed for specific channels must
// be endorsed for this one.
func (id *Identity) Admits(serviceURL, channelID string) error {
	if id.ServiceURL != "" && !sameServiceURL(id.ServiceURL, serviceURL) {
		return unauthorized("token not issued for this serviceUrl", nil)
	}
	if id.endorsements != nil && !slices.Contains(id.endorsements, channelID) {
		return unauthorized("signing key not endorsed for this channel", nil)
	}
	return nil
}

// sameServiceURL compares service URLs as Bot Framework does: ignoring case
// and a trailing slash.
func sameServiceURL(a, b string) bool {
	return strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/"))
}
