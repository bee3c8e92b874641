package graph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/reports"
)

// The passkey campaign's reads and its one write: find the people whose
// only second factors are phones (Microsoft retires SMS and voice codes on
// 1 February 2027) and install the bot for them, so it can walk them
// through registering a passkey.

// maxPageSize is the largest page Graph serves of directory objects, and
// what the campaign's listings ask for at most.
const maxPageSize = 999

// Registration is one person's row in the authentication methods
// registration report.
type Registration struct {
	UserID            string
	UserPrincipalName string
	DisplayName       string
	// UserType is the report's userType: "member" or "guest", lower case
	// (unlike [User].UserType); see [Registration.External].
	UserType string
	// IsAdmin reports whether the person holds an admin role.
	IsAdmin bool
	// Methods is Graph's methodsRegistered as given ("mobilePhone",
	// "microsoftAuthenticatorPush", "passKeyDeviceBoundAuthenticator", ...);
	// see [PhoneOnly] and [MethodMix].
	Methods []string
	// DefaultMethod is the second factor the person chose as their default,
	// v1.0's userPreferredMethodForSecondaryAuthentication ("push", "oath",
	// "sms", "voiceMobile", "voiceAlternateMobile", "voiceOffice", "none");
	// "" when Graph did not say.
	DefaultMethod string
}

// External reports whether the person is not one of the tenant's own
// members, as [User.External] does: fails closed, so a missing userType or
// a "#EXT#" userPrincipalName counts as external.
func (r Registration) External() bool {
	return !strings.EqualFold(r.UserType, "member") ||
		strings.Contains(strings.ToUpper(r.UserPrincipalName), "#EXT#")
}

// RegistrationDetails streams the tenant's authentication methods
// registration report (GET /reports/authenticationMethods/userRegistrationDetails)
// to yield, one person at a time, a page of pageSize at a time (below 1:
// Graph's default; above 999: 999), following @odata.nextLink. Only one page
// is held at a time, and each page has the client's timeout to itself, so
// a tenant of any size can be read; yield runs outside that timeout.
//
// If yield returns an error, the stream stops and that error comes back as
// it is. A page Graph throttles or fails with 503 or 504 is retried after
// Retry-After, by the SDK's middleware and then up to 3 more times here. If
// Graph refuses the report (403: no Microsoft Entra ID P1, or no
// AuditLog.Read.All), the error wraps [ErrReportUnavailable].
//
// It needs the application permission AuditLog.Read.All. The report is
// not rewritten the moment someone registers a method, and Microsoft
// promises no delay: someone who registered a passkey a moment ago may
// still show phones only, so check [Client.Methods] before nagging anyone.
func (c *Client) RegistrationDetails(ctx context.Context, pageSize int, yield func(Registration) error) error {
	const op = "read registration report"
	b := c.sdk.Reports().AuthenticationMethods().UserRegistrationDetails()
	first := &reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetRequestConfiguration{
		QueryParameters: &reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetQueryParameters{Top: top(pageSize)},
	}
	return stream(ctx, c, op, func(ctx context.Context, next string) (models.UserRegistrationDetailsCollectionResponseable, error) {
		var page models.UserRegistrationDetailsCollectionResponseable
		var err error
		if next == "" {
			page, err = b.Get(ctx, first)
		} else {
			page, err = b.WithUrl(next).Get(ctx, nil)
		}
		return page, refused(wrap(op, err), ErrReportUnavailable, http.StatusForbidden)
	}, func(page models.UserRegistrationDetailsCollectionResponseable) error {
		for _, d := range page.GetValue() {
			r := Registration{UserID: str(d.GetId()), UserPrincipalName: str(d.GetUserPrincipalName()),
				DisplayName: str(d.GetUserDisplayName()), Methods: d.GetMethodsRegistered()}
			if t := d.GetUserType(); t != nil {
				r.UserType = t.String()
			}
			if a := d.GetIsAdmin(); a != nil {
				r.IsAdmin = *a
			}
			if m := d.GetUserPreferredMethodForSecondaryAuthentication(); m != nil {
				r.DefaultMethod = m.String()
			}
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// GroupMembers streams the users among a group's members, nested groups'
// members included (GET /groups/{id}/transitiveMembers/microsoft.graph.user),
// to yield, paged and retried as [Client.RegistrationDetails] is. Each comes
// with what [Client.User] reads (id, name, UPN, preferred language, mail,
// userType, accountEnabled); disabled accounts are listed too (see
// [User].Disabled). A yield error stops the stream and comes back as it is.
//
// It is the campaign's way to its people when the registration report is
// unavailable ([ErrReportUnavailable]). It needs the application
// permissions GroupMember.Read.All and User.Read.All.
func (c *Client) GroupMembers(ctx context.Context, groupID string, pageSize int, yield func(User) error) error {
	const op = "list group members"
	if groupID == "" {
		return &Error{Op: op, Kind: Invalid, Err: errors.New("no group id")}
	}
	b := c.sdk.Groups().ByGroupId(groupID).TransitiveMembers().GraphUser()
	first := &groups.ItemTransitiveMembersGraphUserRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemTransitiveMembersGraphUserRequestBuilderGetQueryParameters{
			Top:    top(pageSize),
			Select: []string{"id", "displayName", "userPrincipalName", "preferredLanguage", "mail", "userType", "accountEnabled"},
		},
	}
	return stream(ctx, c, op, func(ctx context.Context, next string) (models.UserCollectionResponseable, error) {
		var page models.UserCollectionResponseable
		var err error
		if next == "" {
			page, err = b.Get(ctx, first)
		} else {
			page, err = b.WithUrl(next).Get(ctx, nil)
		}
		return page, wrap(op, err)
	}, func(page models.UserCollectionResponseable) error {
		for _, u := range page.GetValue() {
			if err := yield(userOf(u)); err != nil {
				return err
			}
		}
		return nil
	})
}

// top is the $top for a page size: nil (Graph's default) below 1, at most
// [maxPageSize].
func top(pageSize int) *int32 {
	if pageSize < 1 {
		return nil
	}
	n := int32(min(pageSize, maxPageSize))
	return &n
}

// stream fetches the first page of a listing with get(ctx, ""), then each
// @odata.nextLink with get(ctx, link), and hands every page to each before
// fetching the next, so only one page is held at a time. Each fetch runs
// under the client's timeout and, when Graph throttles or fails with 503
// or 504, is retried as [Client.again] does. An error from each stops the
// stream and comes back as it is.
func stream[P interface{ GetOdataNextLink() *string }](ctx context.Context, c *Client, op string,
	get func(ctx context.Context, next string) (P, error), each func(P) error) error {
	next := ""
	for {
		var page P
		err := c.again(ctx, func(ctx context.Context) error {
			var err error
			page, err = get(ctx, next)
			return err
		}, http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout)
		if err != nil {
			return err
		}
		if any(page) == nil { // a 2xx without a body: a truncated listing must not pass for a complete one
			return &Error{Op: op, Kind: Unavailable, Err: errors.New("a page came back empty")}
		}
		if err := each(page); err != nil {
			return err
		}
		if next = str(page.GetOdataNextLink()); next == "" {
			return nil
		}
	}
}

// InstallPersonalApp installs the Teams app teamsAppID (its id in the
// tenant's app catalog, which for an app the organisation uploaded is not
// the id in its manifest) for the person, in their personal scope: POST
// /users/{id}/teamwork/installedApps. It reports installed true when this
// call installed it, false (and no error) when it was installed already
// (Graph's 409).
//
// Installing twice does no harm (the second answer is 409), so it is
// retried after 429, 503 and 504, while Retry-After is within
// [Config].RetryWait. An earlier attempt may thus have installed the app
// and the retry report false. If Graph answers 403 or 404 (no Teams licence,
// the app blocked by a permission policy, no such user), the error wraps
// [ErrUnreachable].
//
// It needs the application permission
// TeamsAppInstallation.ReadWriteSelfForUser.All, which only lets the app
// install itself: teamsAppID must be the calling app's own.
// (TeamsAppInstallation.ReadWriteForUser.All works too but can install any
// app.)
func (c *Client) InstallPersonalApp(ctx context.Context, userID, teamsAppID string) (installed bool, err error) {
	const op = "install app"
	if userID == "" || teamsAppID == "" {
		return false, &Error{Op: op, Kind: Invalid, Err: errors.New("no user or no app id")}
	}
	bind := c.baseURL + "/appCatalogs/teamsApps/" + url.PathEscape(teamsAppID)
	err = c.again(ctx, func(ctx context.Context) error {
		body := models.NewUserScopeTeamsAppInstallation()
		body.SetAdditionalData(map[string]any{"teamsApp@odata.bind": bind})
		_, err := c.user(userID).Teamwork().InstalledApps().Post(ctx, body, nil)
		return refused(wrap(op, err), ErrUnreachable, http.StatusForbidden, http.StatusNotFound)
	}, http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout)
	switch {
	case err == nil:
		return true, nil
	case KindOf(err) == Conflict:
		return false, nil
	}
	return false, err
}

// The labels of [MethodMix], stable codes for counting people in a dry run.
const (
	// MixPhoneOnly: phones are the only second factor ([PhoneOnly]).
	MixPhoneOnly = "phone-only"
	// MixPasskey: a passkey or FIDO2 security key, whatever else.
	MixPasskey = "passkey"
	// MixAuthenticator: Microsoft Authenticator (push or passwordless
	// phone sign-in) and no passkey.
	MixAuthenticator = "authenticator"
	// MixOther: some other second factor (an OATH token, Windows Hello, a
	// platform credential, an external method, a value this code does not
	// know), and neither passkey nor Authenticator.
	MixOther = "other"
	// MixNone: no second factor at all; email, security questions, app
	// passwords, a QR code with PIN and a Temporary Access Pass don't count.
	MixNone = "none"
)

// methodClass is what a methodsRegistered value means for the campaign.
type methodClass int

const (
	notMFA methodClass = iota // not a second factor, or a temporary one
	phoneMethod
	passkeyMethod
	authenticatorMethod
	otherMethod
)

// classify places a methodsRegistered value, matched case-insensitively.
// The values are those of Microsoft Entra's registration report (Graph's
// userRegistrationDetails; the authentication method names of Graph's
// sign-in usage reports), a list that grows as Entra adds methods. A QR
// code with PIN is no second factor: Graph's qrCodePinAuthenticationMethod
// calls it single-factor. Anything not named here is taken for a second
// factor that is not a phone, so a new kind of method never makes someone
// look phone-only and get nagged.
func classify(v string) methodClass {
	l := strings.ToLower(v)
	switch l {
	case "mobilephone", "alternatemobilephone", "officephone":
		return phoneMethod
	case "email", "securityquestion", "apppassword", "temporaryaccesspass", "qrcodepin", "qrcode", "none", "":
		return notMFA
	case "microsoftauthenticatorpush", "microsoftauthenticatorpasswordless":
		return authenticatorMethod
	}
	if strings.HasPrefix(l, "passkey") || strings.HasPrefix(l, "fido2") {
		return passkeyMethod // passKeyDeviceBound, ...Authenticator, ...WindowsHello, passKeySynced, fido2SecurityKey
	}
	return otherMethod
}

// PhoneOnly reports whether methodsRegistered (as [Registration].Methods
// holds it) has a phone (mobilePhone, alternateMobilePhone, officePhone) and
// no other second factor: the people who lose their way to sign in when
// SMS and voice codes end. Email, security questions, app passwords, a QR
// code with PIN and a Temporary Access Pass (it expires) are no second
// factor; any other value, including one unknown here, is, so someone who
// may already be fine is not counted.
func PhoneOnly(methodsRegistered []string) bool {
	phone := false
	for _, v := range methodsRegistered {
		switch classify(v) {
		case phoneMethod:
			phone = true
		case notMFA:
		default:
			return false
		}
	}
	return phone
}

// MethodMix labels methodsRegistered for a dry run's counts: [MixPhoneOnly],
// [MixPasskey], [MixAuthenticator], [MixOther] or [MixNone], the first that
// fits in that order (phone-only first: it is decided by the absence of the
// others).
func MethodMix(methodsRegistered []string) string {
	if PhoneOnly(methodsRegistered) {
		return MixPhoneOnly
	}
	var passkey, authenticator, other bool
	for _, v := range methodsRegistered {
		switch classify(v) {
		case passkeyMethod:
			passkey = true
		case authenticatorMethod:
			authenticator = true
		case otherMethod:
			other = true
		}
	}
	switch {
	case passkey:
		return MixPasskey
	case authenticator:
		return MixAuthenticator
	case other:
		return MixOther
	}
	return MixNone
}
