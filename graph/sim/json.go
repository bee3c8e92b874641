package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// metadata prefixes every @odata.context, as Graph writes it.
const metadata = "https://graph.microsoft.com/v1.0/$metadata#"

// Graph error codes the simulator uses.
const (
	codeInvalidRequest = "invalidRequest"
	codeBadRequest     = "BadRequest"
	codeItemNotFound   = "itemNotFound"
	codeConflict       = "conflict"
)

// apiError is a Graph error before it is wrapped in the OData envelope.
type apiError struct {
	status  int
	code    string
	message string
}

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

// errorEnvelope is Graph's error body.
type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError innerError `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// collection is a Graph list response.
type collection struct {
	Context  string `json:"@odata.context"`
	Value    []any  `json:"value"`
	NextLink string `json:"@odata.nextLink,omitempty"` // the next page's URL, if there is one
}

// boolResult is the response of an action returning Edm.Boolean.
type boolResult struct {
	Context string `json:"@odata.context"`
	Value   bool   `json:"value"`
}

type wireUser struct {
	Context           string `json:"@odata.context,omitempty"`
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
	PreferredLanguage string `json:"preferredLanguage"`
	Mail              string `json:"mail"`
	// UserType and AccountEnabled are left out unless $select asks for
	// them, as Graph does: they are not among the properties a user comes
	// with by default.
	UserType       *string `json:"userType,omitempty"`
	AccountEnabled *bool   `json:"accountEnabled,omitempty"`
}

type wireDirectoryRole struct {
	Type           string `json:"@odata.type"`
	ID             string `json:"id"`
	DisplayName    string `json:"displayName"`
	RoleTemplateID string `json:"roleTemplateId"`
}

type wirePassword struct {
	Context         string  `json:"@odata.context,omitempty"`
	Type            string  `json:"@odata.type"`
	ID              string  `json:"id"`
	Password        *string `json:"password"`
	CreatedDateTime *string `json:"createdDateTime"`
}

type wirePhone struct {
	Context        string `json:"@odata.context,omitempty"`
	Type           string `json:"@odata.type"`
	ID             string `json:"id"`
	PhoneNumber    string `json:"phoneNumber"`
	PhoneType      string `json:"phoneType"`
	SMSSignInState string `json:"smsSignInState"`
}

type wireAuthenticator struct {
	Context         string  `json:"@odata.context,omitempty"`
	Type            string  `json:"@odata.type"`
	ID              string  `json:"id"`
	DisplayName     string  `json:"displayName"`
	DeviceTag       string  `json:"deviceTag"`
	PhoneAppVersion string  `json:"phoneAppVersion"`
	CreatedDateTime *string `json:"createdDateTime"`
}

type wireSoftwareOath struct {
	Context   string  `json:"@odata.context,omitempty"`
	Type      string  `json:"@odata.type"`
	ID        string  `json:"id"`
	SecretKey *string `json:"secretKey"`
}

type wireFIDO2 struct {
	Context                 string   `json:"@odata.context,omitempty"`
	Type                    string   `json:"@odata.type"`
	ID                      string   `json:"id"`
	DisplayName             string   `json:"displayName"`
	CreatedDateTime         *string  `json:"createdDateTime"`
	AAGUID                  string   `json:"aaGuid"`
	Model                   string   `json:"model"`
	AttestationCertificates []string `json:"attestationCertificates"`
	AttestationLevel        string   `json:"attestationLevel"`
}

type wireEmail struct {
	Context      string `json:"@odata.context,omitempty"`
	Type         string `json:"@odata.type"`
	ID           string `json:"id"`
	EmailAddress string `json:"emailAddress"`
}

type wireWindowsHello struct {
	Context         string  `json:"@odata.context,omitempty"`
	Type            string  `json:"@odata.type"`
	ID              string  `json:"id"`
	DisplayName     string  `json:"displayName"`
	CreatedDateTime *string `json:"createdDateTime"`
	KeyStrength     string  `json:"keyStrength"`
}

type wireTAP struct {
	Context               string  `json:"@odata.context,omitempty"`
	Type                  string  `json:"@odata.type"`
	ID                    string  `json:"id"`
	TemporaryAccessPass   *string `json:"temporaryAccessPass"`
	CreatedDateTime       *string `json:"createdDateTime"`
	StartDateTime         *string `json:"startDateTime"`
	LifetimeInMinutes     int     `json:"lifetimeInMinutes"`
	IsUsableOnce          bool    `json:"isUsableOnce"`
	IsUsable              bool    `json:"isUsable"`
	MethodUsabilityReason string  `json:"methodUsabilityReason"`
}

// wire renders m as Graph does. context is the @odata.context of a single
// entity response ("" inside a collection). The Temporary Access Pass itself
// appears only when withPass is set, which only the POST that created it
// does.
func (m *method) wire(context string, now time.Time, withPass bool) any {
	typ, created := m.kind.odataType(), graphTime(m.created)
	switch m.kind {
	case kindPassword:
		return wirePassword{Context: context, Type: typ, ID: m.id, CreatedDateTime: created}
	case kindPhone:
		return wirePhone{Context: context, Type: typ, ID: m.id, PhoneNumber: m.phoneNumber,
			PhoneType: m.phoneType, SMSSignInState: smsSignInState(m.phoneType)}
	case kindAuthenticator:
		return wireAuthenticator{Context: context, Type: typ, ID: m.id, DisplayName: m.displayName,
			DeviceTag: m.deviceTag, PhoneAppVersion: m.appVersion, CreatedDateTime: created}
	case kindSoftwareOath:
		return wireSoftwareOath{Context: context, Type: typ, ID: m.id}
	case kindFIDO2:
		return wireFIDO2{Context: context, Type: typ, ID: m.id, DisplayName: m.displayName,
			CreatedDateTime: created, AAGUID: m.aaGUID, Model: m.model,
			AttestationCertificates: []string{}, AttestationLevel: m.attestationLevel()}
	case kindEmail:
		return wireEmail{Context: context, Type: typ, ID: m.id, EmailAddress: m.email}
	case kindWindowsHello:
		return wireWindowsHello{Context: context, Type: typ, ID: m.id, DisplayName: m.displayName,
			CreatedDateTime: created, KeyStrength: m.keyStrength}
	default:
		usable, reason := m.tapUsability(now)
		w := wireTAP{Context: context, Type: typ, ID: m.id, CreatedDateTime: created,
			StartDateTime: graphTime(m.tapStart), LifetimeInMinutes: m.tapLifetime,
			IsUsableOnce: m.tapOnce, IsUsable: usable, MethodUsabilityReason: reason}
		if withPass {
			pass := m.tapPass
			w.TemporaryAccessPass = &pass
		}
		return w
	}
}

// wire renders u as GET /users/{id} does. The properties Graph returns by
// default are always there, whatever $select says; userType and
// accountEnabled only when the request's $select names them.
func (u *user) wire(context string, r *http.Request) wireUser {
	w := wireUser{Context: context, ID: u.id, DisplayName: u.displayName,
		UserPrincipalName: u.upn, PreferredLanguage: u.lang, Mail: u.mail}
	if selects(r, "userType") {
		t := u.userType
		w.UserType = &t
	}
	if selects(r, "accountEnabled") {
		enabled := !u.disabled
		w.AccountEnabled = &enabled
	}
	return w
}

// selects reports whether the request's $select names property. Graph
// matches property names case-insensitively.
func selects(r *http.Request, property string) bool {
	for _, p := range strings.Split(r.URL.Query().Get("$select"), ",") {
		if strings.EqualFold(strings.TrimSpace(p), property) {
			return true
		}
	}
	return false
}

// debugUser is the simulator's view of a user, for GET /_sim/users/{id}:
// full phone numbers, the default method, when sign-in sessions were last
// revoked, user type, account state, Teams licence and installed apps,
// directory roles and groups. Temporary Access Pass values are never shown.
type debugUser struct {
	ID                string   `json:"id"`
	DisplayName       string   `json:"displayName"`
	UserPrincipalName string   `json:"userPrincipalName"`
	Mail              string   `json:"mail"`
	PreferredLanguage string   `json:"preferredLanguage"`
	UserType          string   `json:"userType"` // "Member" or "Guest"
	AccountEnabled    bool     `json:"accountEnabled"`
	Teams             bool     `json:"teams"`         // has a Teams licence
	InstalledApps     []string `json:"installedApps"` // Teams app catalog ids, personal scope
	DefaultMethodID   string   `json:"defaultMethodId"`
	DefaultMethod     string   `json:"defaultMethod"` // "mobile", "microsoftAuthenticator", ...; "" if none
	SessionsValidFrom *string  `json:"signInSessionsValidFromDateTime"`
	DirectoryRoles    []string `json:"directoryRoles"` // display names
	Groups            []string `json:"groups"`         // object ids
	Methods           []any    `json:"methods"`
}

func (u *user) debug(now time.Time) debugUser {
	d := debugUser{ID: u.id, DisplayName: u.displayName, UserPrincipalName: u.upn,
		Mail: u.mail, PreferredLanguage: u.lang, UserType: u.userType, DefaultMethodID: u.defaultID,
		AccountEnabled: !u.disabled, Teams: !u.noTeams, InstalledApps: append([]string{}, u.apps...),
		SessionsValidFrom: graphTime(u.sessionsValidFrom), Methods: []any{},
		DirectoryRoles: append([]string{}, u.roles...), Groups: append([]string{}, u.groups...)}
	if m := u.defaultMethod(); m != nil {
		d.DefaultMethod = m.label()
	}
	for _, m := range u.list(0, true) {
		d.Methods = append(d.Methods, m.wire("", now, false))
	}
	return d
}

// graphTime formats t as Graph does (UTC, whole seconds); nil for the zero
// time, which Graph reports as null.
func graphTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05Z")
	return &s
}

// jsonDuration is a duration on the control endpoint's wire: a Go duration
// string ("1500ms", "2s") or a number of seconds (2, 0.5).
type jsonDuration time.Duration

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	if s, err := strconv.Unquote(string(b)); err == nil {
		v, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		*d = jsonDuration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration: want a string such as \"2s\" or a number of seconds, got %s", b)
	}
	if secs < 0 || secs > math.MaxInt64/float64(time.Second) {
		return fmt.Errorf("duration: %v seconds is out of range", secs)
	}
	*d = jsonDuration(secs * float64(time.Second))
	return nil
}

// faultJSON is a [Fault] on the control endpoint's wire.
type faultJSON struct {
	Method       string       `json:"method,omitempty"`
	PathContains string       `json:"pathContains,omitempty"`
	Status       int          `json:"status,omitempty"`
	Code         string       `json:"code,omitempty"`
	RetryAfter   jsonDuration `json:"retryAfter,omitempty"`
	Latency      jsonDuration `json:"latency,omitempty"`
	Times        int          `json:"times,omitempty"`
	Remaining    *int         `json:"remaining,omitempty"` // only in GET /_sim/faults
}

// MarshalJSON writes f as the control endpoint does, with durations as Go
// duration strings.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultJSON{Method: f.Method, PathContains: f.PathContains, Status: f.Status, Code: f.Code,
		RetryAfter: jsonDuration(f.RetryAfter), Latency: jsonDuration(f.Latency), Times: f.Times})
}

// UnmarshalJSON reads the control endpoint's form of a fault:
//
//	{"method":"POST","pathContains":"/phoneMethods","status":429,"retryAfter":"2s","latency":0.5,"times":1}
//
// "code" sets the error body's code (see [Fault].Code). Durations are Go
// duration strings or numbers of seconds.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w faultJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Fault{Method: w.Method, PathContains: w.PathContains, Status: w.Status, Code: w.Code,
		RetryAfter: time.Duration(w.RetryAfter), Latency: time.Duration(w.Latency), Times: w.Times}
	return nil
}

// faultCode is the Graph error code a simulated failure with this status
// carries.
func faultCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return codeBadRequest
	case http.StatusUnauthorized:
		return "InvalidAuthenticationToken"
	case http.StatusForbidden:
		return "accessDenied"
	case http.StatusNotFound:
		return codeItemNotFound
	case http.StatusConflict:
		return codeConflict
	case http.StatusTooManyRequests:
		return "activityLimitReached"
	case http.StatusInternalServerError:
		return "generalException"
	case http.StatusBadGateway:
		return "badGateway"
	case http.StatusServiceUnavailable:
		return "serviceNotAvailable"
	case http.StatusGatewayTimeout:
		return "gatewayTimeout"
	}
	return "unknownError"
}
