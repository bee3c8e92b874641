package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"golang.org/x/sync/singleflight"
)

// ConnectorScope is the scope of tokens for the Bot Connector service.
const ConnectorScope = "https://api.botframework.com/.default"

// App types, as Azure Bot resources name them (MicrosoftAppType).
const (
	SingleTenant    = "SingleTenant"
	MultiTenant     = "MultiTenant"
	UserAssignedMSI = "UserAssignedMSI"
)

// CredentialConfig says how the bot proves its identity to the Bot Connector.
type CredentialConfig struct {
	AppType  string
	AppID    string
	Password string
	TenantID string
	// AuthorityHost is the Entra authority, e.g. https://login.microsoftonline.com/.
	AuthorityHost string
	// Transport carries token requests; nil means azidentity's default.
	Transport policy.Transporter
}

// microsoftAuthorities are Entra's own hosts. Any other authority is a private
// or test one, where instance discovery (a call to Microsoft) must be off or
// token requests would try to leave the network.
var microsoftAuthorities = []string{
	"login.microsoftonline.com", "login.microsoftonline.us",
	"login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
}

// NewCredential returns the azidentity credential for cfg: a client secret
// for single- and multi-tenant bots, a user-assigned managed identity for
// UserAssignedMSI.
func NewCredential(cfg CredentialConfig) (azcore.TokenCredential, error) {
	host := cfg.AuthorityHost
	if host == "" {
		host = DefaultAuthorityHost
	}
	u, err := url.Parse(host)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("authority host %q must be an https URL", host)
	}
	opts := policy.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: host}, Transport: cfg.Transport}
	switch cfg.AppType {
	case SingleTenant, MultiTenant:
		tenant := cfg.TenantID
		if cfg.AppType == MultiTenant && tenant == "" {
			tenant = "botframework.com" // legacy multi-tenant bots
		}
		return azidentity.NewClientSecretCredential(tenant, cfg.AppID, cfg.Password, &azidentity.ClientSecretCredentialOptions{
			ClientOptions:            opts,
			DisableInstanceDiscovery: !slices.Contains(microsoftAuthorities, strings.ToLower(u.Hostname())),
		})
	case UserAssignedMSI:
		return azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
			ClientOptions: opts,
			ID:            azidentity.ClientID(cfg.AppID),
		})
	}
	return nil, fmt.Errorf("unknown app type %q", cfg.AppType)
}

// TokenCache hands out connector tokens: one fetch shared by all concurrent
// callers, reused until five minutes before it expires.
type TokenCache struct {
	cred   azcore.TokenCredential
	scope  string
	now    func() time.Time
	flight singleflight.Group

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewTokenCache returns the connector's token source for cred.
func NewTokenCache(cred azcore.TokenCredential) *TokenCache {
	return &TokenCache{cred: cred, scope: ConnectorScope, now: time.Now}
}

// Token returns a valid access token.
func (c *TokenCache) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	tok, exp := c.token, c.expires
	c.mu.Unlock()
	if tok != "" && c.now().Before(exp.Add(-5*time.Minute)) {
		return tok, nil
	}
	v, err, _ := c.flight.Do("token", func() (any, error) {
		// Detached from the first caller's context: its cancellation must
		// not fail everyone sharing this fetch.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		at, err := c.cred.GetToken(fctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
		if err != nil {
			return "", err
		}
		if at.Token == "" {
			return "", errors.New("token endpoint returned an empty token")
		}
		c.mu.Lock()
		c.token, c.expires = at.Token, at.ExpiresOn
		c.mu.Unlock()
		return at.Token, nil
	})
	if err != nil {
		return "", fmt.Errorf("connector token: %w", err)
	}
	return v.(string), nil
}
