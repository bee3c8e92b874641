package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// ErrorKind classifies what went wrong with a Graph call, so that callers
// can answer the person without knowing Graph.
type ErrorKind int

// Error kinds.
const (
	Unknown     ErrorKind = iota
	NotFound              // 404: no such user or method
	Forbidden             // 401/403: the app lacks a permission, or the tenant refuses
	Throttled             // 429: too many requests; RetryAfter says when to try again
	Invalid               // 400: Graph refused the input (a bad number, a rule)
	Conflict              // 409: the thing exists already / changed meanwhile
	Unavailable           // 5xx, timeouts, transport errors: try later
)

var kindNames = map[ErrorKind]string{Unknown: "unknown", NotFound: "not found", Forbidden: "forbidden",
	Throttled: "throttled", Invalid: "invalid", Conflict: "conflict", Unavailable: "unavailable"}

func (k ErrorKind) String() string { return kindNames[k] }

// Error is a failed Graph call. Its text never contains phone numbers or
// other personal data: only the operation, the status and Graph's code.
type Error struct {
	Op         string // "add phone", "list methods", ...
	Kind       ErrorKind
	Status     int
	Code       string // Graph's error code, e.g. "invalidRequest"
	RequestID  string // for a support ticket with Microsoft
	RetryAfter time.Duration
	Err        error // the underlying error, if not an HTTP answer
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph: %s: %s", e.Op, e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Refusal is a refusal a caller acts on in a way of its own, beyond what
// its [ErrorKind] says: the [*Error] Graph's answer became wraps it, and
// errors.Is finds it. Its value is a stable code, safe to log.
type Refusal string

// Error returns the code.
func (r Refusal) Error() string { return string(r) }

// The refusals.
const (
	// ErrReportUnavailable: Graph refused the authentication methods
	// registration report (HTTP 403). Either the tenant has no Microsoft
	// Entra ID P1 (code Authentication_RequestFromNonPremiumTenantOrB2CTenant)
	// or the app lacks AuditLog.Read.All (code Authorization_RequestDenied).
	// The people to reach can still be read from a group ([Client.GroupMembers]).
	ErrReportUnavailable Refusal = "report_unavailable"
	// ErrUnreachable: the app cannot be installed for this person (HTTP 403
	// or 404): they have no Teams licence, a Teams app permission policy
	// blocks the app, or the directory has no such user. Nothing more can
	// be done for them through Teams. If it comes back for everyone, suspect
	// the app's catalog id or the app's permission instead.
	ErrUnreachable Refusal = "unreachable"
)

// refused wraps the refusal into err, an *Error from [wrap], when Graph
// answered with one of the statuses; other errors come back unchanged.
func refused(err error, r Refusal, statuses ...int) error {
	if ge, ok := err.(*Error); ok && slices.Contains(statuses, ge.Status) {
		ge.Err = r
	}
	return err
}

// KindOf returns the kind of a Graph error, Unknown for anything else.
func KindOf(err error) ErrorKind {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Kind
	}
	return Unknown
}

// wrap turns whatever the SDK returned into an *Error. It never calls the
// SDK error's Error(): ODataError's panics when the body has no message.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op}
	var oe *odataerrors.ODataError
	var ae *abstractions.ApiError
	switch {
	case errors.As(err, &oe):
		e.Status = oe.GetStatusCode()
		if main := oe.GetErrorEscaped(); main != nil {
			if c := main.GetCode(); c != nil {
				e.Code = *c
			}
		}
		e.RequestID, e.RetryAfter = headers(oe.GetResponseHeaders())
	case errors.As(err, &ae):
		e.Status = ae.GetStatusCode()
		e.RequestID, e.RetryAfter = headers(ae.GetResponseHeaders())
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		e.Kind, e.Err = Unavailable, err
		return e
	default:
		e.Kind, e.Err = Unavailable, redactTransport(err)
		return e
	}
	e.Kind = kindForStatus(e.Status)
	return e
}

func kindForStatus(status int) ErrorKind {
	switch {
	case status == http.StatusNotFound:
		return NotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return Forbidden
	case status == http.StatusTooManyRequests:
		return Throttled
	case status == http.StatusConflict:
		return Conflict
	case status >= 500:
		return Unavailable
	case status >= 400:
		return Invalid
	}
	return Unknown
}

func headers(h *abstractions.ResponseHeaders) (requestID string, retryAfter time.Duration) {
	if h == nil {
		return "", 0
	}
	get := func(k string) string {
		for _, key := range []string{k, strings.ToLower(k)} {
			if v := h.Get(key); len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	requestID = get("request-id")
	if s, err := strconv.Atoi(strings.TrimSpace(get("Retry-After"))); err == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	return requestID, retryAfter
}

// redactTransport keeps a transport error's kind but not its URL, which
// carries the user's id (in the path, or in the sign-in log's filter).
func redactTransport(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && (strings.Contains(err.Error(), "/users/") || strings.Contains(err.Error(), "auditLogs")) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
