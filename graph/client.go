package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// DefaultBaseURL is Microsoft Graph v1.0 in the public cloud.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// Config configures a [Client].
type Config struct {
	// Credential gets Graph tokens: azidentity.DefaultAzureCredential in
	// production, any TokenCredential against the simulator.
	Credential azcore.TokenCredential
	// BaseURL is Graph's v1.0 root; empty means [DefaultBaseURL].
	BaseURL string
	// Timeout bounds each call, retries included; 0 means 30 s.
	Timeout time.Duration
	// Transport carries the requests; nil means Go's default transport.
	Transport http.RoundTripper
	// RetryWait is the longest Retry-After the client waits out by itself;
	// a longer one comes back as a Throttled error. 0 means 10 s.
	RetryWait time.Duration
}

// Client reads and changes people's authentication methods through
// msgraph-sdk-go. It needs the application permissions
// UserAuthenticationMethod.ReadWrite.All and User.Read.All, and for the
// calls that use them Mail.Send ([Client.SendMail]),
// RoleManagement.Read.Directory ([Client.DirectoryRoles]),
// GroupMember.Read.All ([Client.MemberOfGroups], [Client.GroupMembers]),
// AuditLog.Read.All ([Client.RegistrationDetails], in a tenant with
// Microsoft Entra ID P1) and TeamsAppInstallation.ReadWriteSelfForUser.All
// ([Client.InstallPersonalApp]).
type Client struct {
	sdk       *msgraph.GraphServiceClient
	baseURL   string // Graph's v1.0 root, without a trailing slash
	timeout   time.Duration
	retryWait time.Duration
}

// New returns a client for cfg. Build clients before any Graph request is in
// flight (at start-up): msgraph-sdk-go sets a package-level default in every
// NewGraphServiceClient that decoding any response reads, so building one
// while another client decodes is a data race.
func New(cfg Config) (*Client, error) {
	if cfg.Credential == nil {
		return nil, fmt.Errorf("graph: no credential")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.RetryWait == 0 {
		cfg.RetryWait = 10 * time.Second
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("graph: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	scope := "https://graph.microsoft.com/.default"
	if !strings.HasSuffix(u.Hostname(), "graph.microsoft.com") {
		scope = u.Scheme + "://" + u.Host + "/.default" // a national cloud or the simulator
	}
	// A host missing from validHosts silently gets no Authorization header.
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cfg.Credential, []string{scope}, []string{u.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph: auth provider: %w", err)
	}
	retryWait := cfg.RetryWait
	kiota, err := khttp.GetDefaultMiddlewaresWithOptions(&khttp.RetryHandlerOptions{
		MaxRetries:   3,
		DelaySeconds: 1,
		// Only requests that are safe to repeat are retried here: reads and
		// deletes. A write is retried by its own method, after re-reading
		// whether the first attempt took effect.
		ShouldRetry: func(_ time.Duration, _ int, req *http.Request, resp *http.Response) bool {
			if req.Method != http.MethodGet && req.Method != http.MethodDelete {
				return false
			}
			return retryAfter(resp) <= retryWait
		},
	})
	if err != nil {
		return nil, fmt.Errorf("graph: middleware: %w", err)
	}
	opts := core.GraphClientOptions{GraphServiceVersion: "v1.0"}
	mws := append([]khttp.Middleware{core.NewGraphTelemetryHandler(&opts), khttp.NewUrlReplaceHandler(true, core.ReplacementPairs)}, kiota...)
	hc := khttp.GetDefaultClient(mws...)
	if cfg.Transport != nil {
		hc.Transport = khttp.NewCustomTransportWithParentTransport(cfg.Transport, mws...)
	}
	hc.Timeout = cfg.Timeout
	adapter, err := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
	if err != nil {
		return nil, fmt.Errorf("graph: request adapter: %w", err)
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	adapter.SetBaseUrl(base)
	return &Client{sdk: msgraph.NewGraphServiceClient(adapter), baseURL: base, timeout: cfg.Timeout, retryWait: cfg.RetryWait}, nil
}

func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("Retry-After")), 64)
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

func (c *Client) user(id string) *users.UserItemRequestBuilder { return c.sdk.Users().ByUserId(id) }

// User reads a person's name, UPN, preferred language, mail address, user
// type (Member or Guest; see [User.External]) and whether the account is
// disabled. Graph returns userType and accountEnabled only when asked for
// them by $select, as they are here.
func (c *Client) User(ctx context.Context, id string) (User, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u, err := c.user(id).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName", "userPrincipalName", "preferredLanguage", "mail", "userType", "accountEnabled"},
		},
	})
	if err != nil {
		return User{}, wrap("read user", err)
	}
	return userOf(u), nil
}

// userOf is a Graph user as the bot sees it.
func userOf(u models.Userable) User {
	return User{ID: str(u.GetId()), DisplayName: str(u.GetDisplayName()),
		UserPrincipalName: str(u.GetUserPrincipalName()), PreferredLanguage: str(u.GetPreferredLanguage()),
		Mail: str(u.GetMail()), UserType: str(u.GetUserType()),
		Disabled: u.GetAccountEnabled() != nil && !*u.GetAccountEnabled()}
}

// maxRolePages bounds how many pages of directory roles DirectoryRoles
// follows: 10 pages of Graph's default 100 is more roles than exist.
const maxRolePages = 10

// DirectoryRoles returns the names of the Microsoft Entra directory roles
// the person holds, directly or through a group; none is an empty list.
// Only active assignments show: a role the person is merely eligible for in
// Privileged Identity Management appears once activated.
//
// It needs the application permission RoleManagement.Read.Directory (or
// Directory.Read.All) besides User.Read.All. With User.Read.All alone Graph
// still lists the roles but without their names; such a role is named by
// its roleTemplateId (or id), so "holds a role" stays true. Pages are
// followed through @odata.nextLink.
func (c *Client) DirectoryRoles(ctx context.Context, userID string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	b := c.user(userID).TransitiveMemberOf().GraphDirectoryRole()
	resp, err := b.Get(ctx, &users.ItemTransitiveMemberOfGraphDirectoryRoleRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.ItemTransitiveMemberOfGraphDirectoryRoleRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName", "roleTemplateId"},
		},
	})
	var names []string
	for page := 1; ; page++ {
		if err != nil {
			return nil, wrap("read directory roles", err)
		}
		for _, r := range resp.GetValue() {
			name := str(r.GetDisplayName())
			if name == "" {
				name = str(r.GetRoleTemplateId())
			}
			if name == "" {
				name = str(r.GetId())
			}
			if name != "" {
				names = append(names, name)
			}
		}
		next := str(resp.GetOdataNextLink())
		if next == "" || page == maxRolePages {
			return names, nil
		}
		resp, err = b.WithUrl(next).Get(ctx, nil)
	}
}

// maxCheckGroups is how many groups Graph's checkMemberGroups takes at once.
const maxCheckGroups = 20

// MemberOfGroups returns those of groupIDs (object ids) that the person is a
// member of, directly or through nested groups, spelt as in groupIDs; none
// is an empty list. Graph checks 20 groups a call; more are checked 20 at a
// time. The call is a POST that only reads, so unlike a write it is retried
// after 429, 503 and 504.
//
// It needs the application permissions User.Read.All and
// GroupMember.Read.All (or Group.Read.All, or Directory.Read.All).
func (c *Client) MemberOfGroups(ctx context.Context, userID string, groupIDs []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for start := 0; start < len(groupIDs); start += maxCheckGroups {
		chunk := groupIDs[start:min(start+maxCheckGroups, len(groupIDs))]
		var member []string
		err := c.again(ctx, func(ctx context.Context) error {
			body := users.NewItemCheckMemberGroupsPostRequestBody()
			body.SetGroupIds(chunk)
			resp, err := c.user(userID).CheckMemberGroups().PostAsCheckMemberGroupsPostResponse(ctx, body, nil)
			if err != nil {
				return wrap("check group membership", err)
			}
			member = resp.GetValue()
			return nil
		}, http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout)
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			if !seen[strings.ToLower(id)] && containsFold(member, id) {
				seen[strings.ToLower(id)] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// SendMail sends m as plain text from the mailbox from (an object id or
// userPrincipalName), keeping no copy in its Sent Items. Graph answers 202
// once it has accepted the message for delivery.
//
// It needs the application permission Mail.Send, which by itself lets the
// app send as any mailbox in the tenant: limit it to the one sender mailbox
// with Exchange Online RBAC for Applications (or, the older way, an
// application access policy).
//
// A send is retried only after a 429, which Graph answers before it takes
// the message, and only while Retry-After is within [Config].RetryWait. Any
// other failure comes back to the caller: a second attempt after, say, a
// 504 could deliver the message twice. Errors carry neither the address nor
// the text.
func (c *Client) SendMail(ctx context.Context, from string, m Mail) error {
	if from == "" {
		return &Error{Op: "send mail", Kind: Invalid, Err: errors.New("no sender mailbox")}
	}
	if at := strings.LastIndex(m.To, "@"); at < 1 || at == len(m.To)-1 || strings.ContainsAny(m.To, " \t\r\n") {
		return &Error{Op: "send mail", Kind: Invalid, Err: errors.New("the recipient is not an email address")}
	}
	return c.again(ctx, func(ctx context.Context) error {
		content := models.TEXT_BODYTYPE
		body := models.NewItemBody()
		body.SetContentType(&content)
		body.SetContent(&m.Body)
		addr := models.NewEmailAddress()
		addr.SetAddress(&m.To)
		to := models.NewRecipient()
		to.SetEmailAddress(addr)
		msg := models.NewMessage()
		msg.SetSubject(&m.Subject)
		msg.SetBody(body)
		msg.SetToRecipients([]models.Recipientable{to})
		req := users.NewItemSendMailPostRequestBody()
		req.SetMessage(msg)
		save := false
		req.SetSaveToSentItems(&save)
		return wrap("send mail", c.user(from).SendMail().Post(ctx, req, nil))
	}, http.StatusTooManyRequests)
}

// Methods lists everything a person has registered, in one request to
// GET /users/{id}/authentication/methods. Its passkeys (FIDO2 methods) come
// with AAGUID, model and attestation level: Graph's list returns every
// method with all the properties of its type, as its example response shows
// for a fido2AuthenticationMethod
// (https://learn.microsoft.com/graph/api/authentication-list-methods).
func (c *Client) Methods(ctx context.Context, userID string) (Methods, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.user(userID).Authentication().Methods().Get(ctx, nil)
	if err != nil {
		return Methods{}, wrap("list methods", err)
	}
	var m Methods
	for _, am := range resp.GetValue() {
		switch v := am.(type) {
		case *models.PhoneAuthenticationMethod:
			p := PhoneMethod{ID: str(v.GetId()), Number: str(v.GetPhoneNumber())}
			if t := v.GetPhoneType(); t != nil {
				p.Type = PhoneType(t.String())
			}
			if s := v.GetSmsSignInState(); s != nil {
				p.SMS = SMSSignInState(s.String())
			}
			p.Masked = MaskNumber(p.Number)
			m.Phones = append(m.Phones, p)
		case *models.MicrosoftAuthenticatorAuthenticationMethod:
			m.Authenticators = append(m.Authenticators, AuthenticatorDevice{ID: str(v.GetId()), DisplayName: str(v.GetDisplayName()),
				DeviceTag: str(v.GetDeviceTag()), AppVersion: str(v.GetPhoneAppVersion()), Created: tm(v.GetCreatedDateTime())})
		case *models.SoftwareOathAuthenticationMethod:
			m.Others = append(m.Others, OtherMethod{ID: str(v.GetId()), Kind: KindSoftwareOATH})
		case *models.Fido2AuthenticationMethod:
			p := passkeyOf(v)
			name := p.DisplayName
			if name == "" {
				name = p.Model
			}
			m.Others = append(m.Others, OtherMethod{ID: p.ID, Kind: KindFIDO2, DisplayName: name, Created: p.Created})
			m.Passkeys = append(m.Passkeys, p)
		case *models.EmailAuthenticationMethod:
			m.Others = append(m.Others, OtherMethod{ID: str(v.GetId()), Kind: KindEmail, DisplayName: maskEmail(str(v.GetEmailAddress()))})
		case *models.WindowsHelloForBusinessAuthenticationMethod:
			m.Others = append(m.Others, OtherMethod{ID: str(v.GetId()), Kind: KindWindowsHello, DisplayName: str(v.GetDisplayName()), Created: tm(v.GetCreatedDateTime())})
		case *models.TemporaryAccessPassAuthenticationMethod:
			m.Others = append(m.Others, OtherMethod{ID: str(v.GetId()), Kind: KindTAP, Created: tm(v.GetCreatedDateTime())})
		case *models.PasswordAuthenticationMethod:
			m.HasPassword = true
		}
	}
	return m, nil
}

// Passkeys lists the person's passkeys (FIDO2 methods, wherever they live)
// through GET /users/{id}/authentication/fido2Methods, which needs the same
// permission as [Client.Methods] (UserAuthenticationMethod.Read.All or
// ReadWrite.All) and returns the same passkeys. It is the read to repeat
// while waiting for a person to finish registering one: the answer holds
// passkeys only, no phone numbers. See [NewPasskeys] for telling the new one
// apart.
func (c *Client) Passkeys(ctx context.Context, userID string) ([]Passkey, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.user(userID).Authentication().Fido2Methods().Get(ctx, nil)
	if err != nil {
		return nil, wrap("list passkeys", err)
	}
	var out []Passkey
	for _, v := range resp.GetValue() {
		if v != nil {
			out = append(out, passkeyOf(v))
		}
	}
	return out, nil
}

// passkeyOf is a FIDO2 method as the bot sees it.
func passkeyOf(v models.Fido2AuthenticationMethodable) Passkey {
	p := Passkey{ID: str(v.GetId()), DisplayName: str(v.GetDisplayName()), AAGUID: normalizeAAGUID(str(v.GetAaGuid())),
		Model: str(v.GetModel()), Created: tm(v.GetCreatedDateTime())}
	if l := v.GetAttestationLevel(); l != nil {
		p.Attested = *l == models.ATTESTED_ATTESTATIONLEVEL
	}
	return p
}

// AddPhone registers a number in an empty slot, after the guardrails. A
// throttled or failed attempt is re-read before it is tried once more, so
// the number is never added twice and never reported missing when it was
// added.
func (c *Client) AddPhone(ctx context.Context, userID string, t PhoneType, p Phone, wantSMS bool) (PhoneMethod, error) {
	m, err := c.Methods(ctx, userID)
	if err != nil {
		return PhoneMethod{}, err
	}
	if err := CheckAddPhone(m, t, p, wantSMS); err != nil {
		return PhoneMethod{}, err
	}
	write := func(ctx context.Context) error {
		body := models.NewPhoneAuthenticationMethod()
		body.SetPhoneNumber(&p.Graph)
		pt, err := models.ParseAuthenticationPhoneType(string(t))
		if err != nil {
			return err
		}
		body.SetPhoneType(pt.(*models.AuthenticationPhoneType))
		_, err = c.user(userID).Authentication().PhoneMethods().Post(ctx, body, nil)
		return wrap("add phone", err)
	}
	return c.writePhone(ctx, userID, t, p, write)
}

// ChangePhone replaces the number in an occupied slot, after the guardrails.
func (c *Client) ChangePhone(ctx context.Context, userID string, t PhoneType, p Phone, wantSMS bool) (PhoneMethod, error) {
	m, err := c.Methods(ctx, userID)
	if err != nil {
		return PhoneMethod{}, err
	}
	if err := CheckChangePhone(m, t, p, wantSMS); err != nil {
		return PhoneMethod{}, err
	}
	write := func(ctx context.Context) error {
		body := models.NewPhoneAuthenticationMethod()
		body.SetPhoneNumber(&p.Graph)
		_, err := c.user(userID).Authentication().PhoneMethods().ByPhoneAuthenticationMethodId(PhoneMethodIDs[t]).Patch(ctx, body, nil)
		return wrap("change phone", err)
	}
	return c.writePhone(ctx, userID, t, p, write)
}

// writePhone runs a phone write; if Graph throttled it or failed, it checks
// whether the write took effect anyway and otherwise tries once more.
func (c *Client) writePhone(ctx context.Context, userID string, t PhoneType, p Phone, write func(context.Context) error) (PhoneMethod, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*c.timeout)
	defer cancel()
	done := func() (PhoneMethod, bool) {
		m, err := c.Methods(ctx, userID)
		if err != nil {
			return PhoneMethod{}, false
		}
		got, ok := m.Phone(t)
		return got, ok && got.Number == p.Graph
	}
	err := c.call(ctx, write)
	for attempt := 0; err != nil && attempt < 1; attempt++ {
		k := KindOf(err)
		if k != Throttled && k != Unavailable {
			break
		}
		if ge, _ := err.(*Error); ge != nil && ge.RetryAfter > c.retryWait {
			break // longer than a person should wait in a chat
		}
		if !sleep(ctx, waitFor(err)) {
			break
		}
		if got, ok := done(); ok {
			return got, nil
		}
		err = c.call(ctx, write)
	}
	if err != nil {
		return PhoneMethod{}, err
	}
	if got, ok := done(); ok {
		return got, nil
	}
	return PhoneMethod{ID: PhoneMethodIDs[t], Type: t, Number: p.Graph, Masked: p.Masked}, nil
}

// DeletePhone removes the number in slot t, after the guardrails.
// defaultMethodID may be "" when unknown.
func (c *Client) DeletePhone(ctx context.Context, userID string, t PhoneType, defaultMethodID string) error {
	m, err := c.Methods(ctx, userID)
	if err != nil {
		return err
	}
	if err := CheckDeletePhone(m, t, defaultMethodID); err != nil {
		return err
	}
	return c.deleted(c.call(ctx, func(ctx context.Context) error {
		return wrap("delete phone", c.user(userID).Authentication().PhoneMethods().ByPhoneAuthenticationMethodId(PhoneMethodIDs[t]).Delete(ctx, nil))
	}))
}

// DeleteMethod removes an Authenticator device, a software OATH token or a
// passkey (FIDO2 key; kind [KindFIDO2], id from [Passkey].ID), after the
// guardrails.
func (c *Client) DeleteMethod(ctx context.Context, userID string, kind MethodKind, id, defaultMethodID string) error {
	m, err := c.Methods(ctx, userID)
	if err != nil {
		return err
	}
	if err := CheckDeleteMethod(m, kind, id, defaultMethodID); err != nil {
		return err
	}
	auth := c.user(userID).Authentication()
	return c.deleted(c.call(ctx, func(ctx context.Context) error {
		switch kind {
		case KindAuthenticator:
			return wrap("delete authenticator", auth.MicrosoftAuthenticatorMethods().ByMicrosoftAuthenticatorAuthenticationMethodId(id).Delete(ctx, nil))
		case KindSoftwareOATH:
			return wrap("delete software oath", auth.SoftwareOathMethods().BySoftwareOathAuthenticationMethodId(id).Delete(ctx, nil))
		case KindFIDO2:
			return wrap("delete fido2", auth.Fido2Methods().ByFido2AuthenticationMethodId(id).Delete(ctx, nil))
		}
		return &Error{Op: "delete method", Kind: Invalid, Err: fmt.Errorf("methods of kind %s cannot be deleted here", kind)}
	}))
}

// deleted treats "not found" as done: a retried delete whose first attempt
// went through finds nothing, and the guardrails already read the method.
func (c *Client) deleted(err error) error {
	if KindOf(err) == NotFound {
		return nil
	}
	return err
}

// CreateTemporaryAccessPass issues a pass, replacing any existing one. It
// is not retried: a second attempt would replace the first pass.
func (c *Client) CreateTemporaryAccessPass(ctx context.Context, userID string, lifetimeMinutes int, usableOnce bool) (TemporaryAccessPass, error) {
	if lifetimeMinutes < 10 || lifetimeMinutes > 43200 {
		return TemporaryAccessPass{}, &Error{Op: "create temporary access pass", Kind: Invalid, Err: fmt.Errorf("lifetime %d minutes is outside 10..43200", lifetimeMinutes)}
	}
	var out TemporaryAccessPass
	err := c.call(ctx, func(ctx context.Context) error {
		body := models.NewTemporaryAccessPassAuthenticationMethod()
		lt := int32(lifetimeMinutes)
		body.SetLifetimeInMinutes(&lt)
		body.SetIsUsableOnce(&usableOnce)
		res, err := c.user(userID).Authentication().TemporaryAccessPassMethods().Post(ctx, body, nil)
		if err != nil {
			return wrap("create temporary access pass", err)
		}
		out = TemporaryAccessPass{ID: str(res.GetId()), Pass: str(res.GetTemporaryAccessPass()), Start: tm(res.GetStartDateTime()),
			LifetimeMinutes: lifetimeMinutes, UsableOnce: usableOnce}
		if v := res.GetLifetimeInMinutes(); v != nil {
			out.LifetimeMinutes = int(*v)
		}
		if v := res.GetIsUsableOnce(); v != nil {
			out.UsableOnce = *v
		}
		return nil
	})
	return out, err
}

// RevokeSessions signs the person out everywhere (a lost phone).
func (c *Client) RevokeSessions(ctx context.Context, userID string) error {
	return c.call(ctx, func(ctx context.Context) error {
		_, err := c.user(userID).RevokeSignInSessions().PostAsRevokeSignInSessionsPostResponse(ctx, nil)
		return wrap("revoke sessions", err)
	})
}

// again runs op, and while Graph answers with one of the statuses, waits
// out Retry-After (1 s without one) and runs it again, at most 3 more
// times, as the middleware does for reads. A Retry-After longer than
// retryWait comes back to the caller. It is for calls that the middleware
// leaves alone (it retries no POST), each attempt building its request
// anew.
func (c *Client) again(ctx context.Context, op func(context.Context) error, statuses ...int) error {
	err := c.call(ctx, op)
	for attempt := 0; err != nil && attempt < 3; attempt++ {
		ge, ok := err.(*Error)
		if !ok || !slices.Contains(statuses, ge.Status) || ge.RetryAfter > c.retryWait {
			break
		}
		if !sleep(ctx, waitFor(err)) {
			break
		}
		err = c.call(ctx, op)
	}
	return err
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// call runs one Graph operation under the client's timeout.
func (c *Client) call(ctx context.Context, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return op(ctx)
}

func waitFor(err error) time.Duration {
	if ge, ok := err.(*Error); ok && ge.RetryAfter > 0 {
		return ge.RetryAfter
	}
	return time.Second
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func tm(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// maskEmail keeps the first letter and the domain: "t•••@example.ac.jp".
func maskEmail(addr string) string {
	at := strings.LastIndex(addr, "@")
	if at < 1 {
		return "•••"
	}
	return addr[:1] + "•••" + addr[at:]
}
