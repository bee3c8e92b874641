package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// SignIn is one sign-in attempt of a person, as the sign-in log records
// it: what the bot needs to explain a failed MFA step, and nothing more.
// It holds no IP address and no place beyond the country.
type SignIn struct {
	At time.Time
	// ErrorCode is the attempt's result: 0 for a success, else Entra's
	// AADSTS number (500121: the strong authentication failed; 53003:
	// Conditional Access blocked it).
	ErrorCode     int
	FailureReason string
	// AdditionalDetails is status.additionalDetails, which often says what
	// happened at the MFA step ("MFA denied; user did not respond to
	// mobile app notification").
	AdditionalDetails string
	// ConditionalAccess is conditionalAccessStatus: success, failure,
	// notApplied or unknownFutureValue.
	ConditionalAccess string
	Country           string // location.countryOrRegion, two letters
	App               string // appDisplayName
	Steps             []SignInStep
}

// SignInStep is one entry of authenticationDetails: a method tried during
// the sign-in and what came of it.
type SignInStep struct {
	Method    string // "Text message", "Mobile app notification", ...
	Succeeded bool
	Detail    string // authenticationStepResultDetail
	At        time.Time
}

// The refusals of the sign-in log.
const (
	// ErrNoAuditPermission: Graph refused the sign-in log (HTTP 403
	// Authorization_RequestDenied): the app lacks AuditLog.Read.All.
	ErrNoAuditPermission Refusal = "no_audit_permission"
	// ErrNoPremium: Graph refused the sign-in log because the tenant has
	// no Microsoft Entra ID P1 (HTTP 403
	// Authentication_RequestFromNonPremiumTenantOrB2CTenant).
	ErrNoPremium Refusal = "no_premium"
)

// codeNonPremium is Graph's error code for a report or log that needs
// Microsoft Entra ID P1, in a tenant without it.
const codeNonPremium = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

// signInFields are the only properties asked for: no IP address, no
// device. v1.0's signIn has no authenticationDetails (beta has): what
// happened at the MFA step is in status.additionalDetails ("MFA denied;
// user declined the authentication"). Asking for a property v1.0 does not
// have would fail the request; one that comes anyway is read.
var signInFields = []string{"createdDateTime", "userId", "status", "conditionalAccessStatus", "location", "appDisplayName"}

// objectID is an Entra object id (a GUID).
var objectID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// maxSignIns bounds the attempts read: a person's last day rarely has more.
const maxSignIns = 50

// SignIns reads person userID's sign-in attempts since since, newest first
// (GET /auditLogs/signIns, filtered by userId and createdDateTime, only
// the properties in [SignIn]). Steps are filled only where Graph gives
// authenticationDetails (not v1.0). It needs AuditLog.Read.All and a tenant
// with Microsoft Entra ID P1; without them the error wraps
// [ErrNoAuditPermission] or [ErrNoPremium]. Throttling is retried as for
// every read; a Retry-After longer than the client waits comes back as a
// Throttled error.
//
// The body is decoded by this package, not by the SDK's model, so that
// authenticationDetails is read when a Graph gives it: the SDK still
// builds the request, authenticates it and retries it.
func (c *Client) SignIns(ctx context.Context, userID string, since time.Time) ([]SignIn, error) {
	const op = "read sign-in log"
	if !objectID.MatchString(userID) {
		// It goes into an OData filter: an object id, nothing else.
		return nil, &Error{Op: op, Kind: Invalid, Err: errors.New("not an object id")}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	filter := "userId eq '" + userID + "' and createdDateTime ge " + since.UTC().Format("2006-01-02T15:04:05Z")
	top := int32(maxSignIns)
	info, err := c.sdk.AuditLogs().SignIns().ToGetRequestInformation(ctx, &auditlogs.SignInsRequestBuilderGetRequestConfiguration{
		QueryParameters: &auditlogs.SignInsRequestBuilderGetQueryParameters{
			Filter: &filter, Top: &top, Select: signInFields}, // newest first, as Graph lists them
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	raw, err := c.sdk.GetAdapter().SendPrimitive(ctx, info, "[]byte", abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		err = wrap(op, err)
		if ge, ok := err.(*Error); ok && ge.Status == http.StatusForbidden {
			ge.Err = ErrNoAuditPermission
			if ge.Code == codeNonPremium {
				ge.Err = ErrNoPremium
			}
		}
		return nil, err
	}
	body, _ := raw.([]byte)
	var page struct {
		Value []wireSignIn `json:"value"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, &Error{Op: op, Kind: Unknown, Err: err}
	}
	out := make([]SignIn, 0, len(page.Value))
	for _, w := range page.Value {
		s := SignIn{At: w.CreatedDateTime, ErrorCode: w.Status.ErrorCode, FailureReason: w.Status.FailureReason,
			AdditionalDetails: w.Status.AdditionalDetails, ConditionalAccess: w.ConditionalAccessStatus,
			Country: w.Location.CountryOrRegion, App: w.AppDisplayName}
		for _, d := range w.AuthenticationDetails {
			s.Steps = append(s.Steps, SignInStep{Method: d.AuthenticationMethod, Succeeded: d.Succeeded,
				Detail: d.AuthenticationStepResultDetail, At: d.AuthenticationStepDateTime})
		}
		out = append(out, s)
	}
	return out, nil
}

// wireSignIn is the part of Graph's signIn the bot reads.
type wireSignIn struct {
	CreatedDateTime time.Time `json:"createdDateTime"`
	Status          struct {
		ErrorCode         int    `json:"errorCode"`
		FailureReason     string `json:"failureReason"`
		AdditionalDetails string `json:"additionalDetails"`
	} `json:"status"`
	ConditionalAccessStatus string `json:"conditionalAccessStatus"`
	Location                struct {
		CountryOrRegion string `json:"countryOrRegion"`
	} `json:"location"`
	AppDisplayName        string `json:"appDisplayName"`
	AuthenticationDetails []struct {
		AuthenticationMethod           string    `json:"authenticationMethod"`
		Succeeded                      bool      `json:"succeeded"`
		AuthenticationStepResultDetail string    `json:"authenticationStepResultDetail"`
		AuthenticationStepDateTime     time.Time `json:"authenticationStepDateTime"`
	} `json:"authenticationDetails"`
}
