// Package sim is an in-memory simulator of the Microsoft Graph v1.0
// authentication-methods API, and of the few endpoints around it the bot
// needs (the user, sign-out, mail, directory roles, group membership, the
// methods registration report, a group's members, installing the bot in
// Teams), faithful enough that msgraph-sdk-go talks to it over HTTP
// unmodified. The bot mounts it in local mode, and tests use it through
// httptest as the Graph the client code runs against.
//
// A [Server] serves paths starting with /v1.0/ (point the SDK's base URL at
// ".../v1.0"); mount it under a prefix with [http.StripPrefix]:
//
//	mux.Handle("/graph-simulator/", http.StripPrefix("/graph-simulator", sim.New()))
//
// Graph endpoints (user {id} is an object id or a userPrincipalName; an
// unknown object id is provisioned on first sight, see [New], except under
// teamwork/installedApps):
//
//	GET    /v1.0/users/{id}                  userType ("Member" or "Guest") and accountEnabled only when $select names them
//	POST   /v1.0/users/{id}/revokeSignInSessions
//	POST   /v1.0/users/{id}/sendMail
//	GET    /v1.0/users/{id}/transitiveMemberOf/microsoft.graph.directoryRole
//	POST   /v1.0/users/{id}/checkMemberGroups
//	GET    /v1.0/users/{id}/teamwork/installedApps     $filter=teamsApp/id eq '{appId}' and $expand=teamsApp understood
//	POST   /v1.0/users/{id}/teamwork/installedApps     {"teamsApp@odata.bind":".../appCatalogs/teamsApps/{appId}"}: 201, no body;
//	                                                   409 "Conflict" if installed, 403 without a Teams licence
//	GET    /v1.0/reports/authenticationMethods/userRegistrationDetails   every known user, by object id; 403 without P1
//	GET    /v1.0/auditLogs/signIns           $filter=userId eq '{id}' [and createdDateTime ge {time}], $top: the seeded attempts,
//	                                         newest first; 403 without P1, or when the token's roles lack AuditLog.Read.All
//	GET    /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user      $select userType, accountEnabled
//	GET    /v1.0/users/{id}/authentication/methods[/{methodId}]
//	GET    /v1.0/users/{id}/authentication/passwordMethods[/{methodId}]
//	GET    /v1.0/users/{id}/authentication/phoneMethods[/{methodId}]
//	POST   /v1.0/users/{id}/authentication/phoneMethods
//	PATCH  /v1.0/users/{id}/authentication/phoneMethods/{methodId}
//	DELETE /v1.0/users/{id}/authentication/phoneMethods/{methodId}
//	GET    /v1.0/users/{id}/authentication/emailMethods[/{methodId}]
//	POST   /v1.0/users/{id}/authentication/emailMethods
//	PATCH  /v1.0/users/{id}/authentication/emailMethods/{methodId}
//	DELETE /v1.0/users/{id}/authentication/emailMethods/{methodId}
//	GET    /v1.0/users/{id}/authentication/temporaryAccessPassMethods[/{methodId}]
//	POST   /v1.0/users/{id}/authentication/temporaryAccessPassMethods
//	DELETE /v1.0/users/{id}/authentication/temporaryAccessPassMethods/{methodId}
//	GET    /v1.0/users/{id}/authentication/{microsoftAuthenticator,softwareOath,fido2,windowsHelloForBusiness}Methods[/{methodId}]
//	DELETE /v1.0/users/{id}/authentication/{microsoftAuthenticator,softwareOath,fido2,windowsHelloForBusiness}Methods/{methodId}
//
// Passkeys are fido2Methods (and appear in /methods), with aaGuid, model,
// displayName, createdDateTime and attestationLevel. Those registered
// through the control endpoint have ids shaped like Graph's, which are not
// GUIDs ("-2_GRUg2-HYz6_1YG4YRAQ2"); seeded ones have GUIDs.
//
// Control endpoints, for tests and scripts (never part of Graph; not
// recorded in the request log and not subject to faults or latency):
//
//	GET    /_sim/requests                    JSON array of [Request]
//	DELETE /_sim/requests                    clear the log
//	GET    /_sim/faults                      active faults
//	POST   /_sim/faults                      inject a fault (JSON, see [Fault.UnmarshalJSON])
//	DELETE /_sim/faults                      clear all faults
//	GET    /_sim/users/{id}                  the user's full state, numbers unmasked
//	PATCH  /_sim/users/{id}                  {"defaultMethodId":"...","directoryRoles":[...],"groups":[...],"userType":"Guest",
//	                                         "accountEnabled":false,"teams":false}, each optional: the user picks another default
//	                                         method; an admin changes the user's directory roles (display names), groups (object ids;
//	                                         a list replaces the old one), userType ("Member" or "Guest"), disables or enables the
//	                                         account, or takes away or gives back their Teams licence
//	POST   /_sim/users/{id}/authenticators   {"displayName":"iPhone 15"}: the user registers Authenticator
//	POST   /_sim/users/{id}/passkeys         {"aaGuid":"...","model":"...","displayName":"...","attestationLevel":"notAttested"},
//	                                         each optional (and the body too): the user registers a passkey; 201 with the
//	                                         fido2AuthenticationMethod. aaGuid defaults to Microsoft Authenticator on iOS;
//	                                         displayName and model are at most 256 characters; "id" and "created" may be given
//	POST   /_sim/users/{id}/signins          [{signIn}, ...] in Graph's v1.0 shape: seeds the user's sign-in attempts (see signins.go)
//	DELETE /_sim/users/{id}/signins          forgets them
//	GET    /_sim/mail[?to=address]           {"value":[...]}: mail sent with sendMail, oldest first (see [SentMail]);
//	                                         to keeps the messages to that address (case-insensitive)
//	DELETE /_sim/mail                        forget the sent mail
//	GET    /_sim/tenant                      {"premium":true,"users":1234}
//	PATCH  /_sim/tenant                      {"premium":false}: the tenant loses Microsoft Entra ID P1 (see [WithPremium])
//	POST   /_sim/tenant/seed                 {"people":3000,"seed":1}: adds [TenantSeed](people, seed) (see [Server.AddUsers]);
//	                                         201 {"people":3000,"added":3000}, 200 when all were there already
//
// Lists of users (the registration report, a group's members) are ordered
// by object id and paged with $top (1-999, default 999) and an
// @odata.nextLink whose $skiptoken names the last id listed, so users added
// between pages are not skipped.
//
// Rules enforced as Graph does: phone numbers in the form "+81 9012345678"
// (optional "x123" extension), one phone per type, alternateMobile only with
// a mobile, mobile not deletable while an alternateMobile exists, phone type
// not changeable by PATCH, at most one Temporary Access Pass (a new one
// replaces it; lifetime 10-43200 minutes, default 60), and the pass itself
// only in the response to the POST that created it.
//
// Each user has a default MFA method: the first MFA-capable method (phone,
// Authenticator, software OATH, FIDO2) registered; for seeded users the mobile
// phone, else the first Authenticator. It cannot be deleted while another MFA
// method exists (400 invalidRequest); deleted as the last one, the user has
// no default until the next MFA method is registered. GET /_sim/users/{id}
// shows it and PATCH /_sim/users/{id} changes it.
//
// Where the simulator departs from Graph, the choice is commented where it
// is made: 409 conflict (code "conflict") for a second phone of one type,
// where Graph says 400; the default-method rule above, since v1.0 has no API
// for it; 404 "resourceNotFound" for unknown paths (Graph: 400 BadRequest);
// 405 "methodNotAllowed" for unsupported HTTP methods; 404 "itemNotFound"
// for an unknown userPrincipalName (Graph: "Request_ResourceNotFound");
// sendMail delivers nothing (the message is recorded, the latest 500 kept)
// and refuses a message without subject or body; a directory role's object
// id is the same in every "tenant" and the role list's $skiptoken is a plain
// offset; the registration report follows every change at once (Graph's
// may lag); installing a Teams app checks no app catalog; a group
// exists through its members only, so an unknown one lists nobody rather
// than 404; GET /users/{id} always returns the properties Graph returns by
// default (id, displayName, userPrincipalName, preferredLanguage, mail)
// whatever $select says, and userType and accountEnabled only when $select
// names them (so do a group's members); groups are flat, so a user's seeded
// groups are their transitive memberships; and no authentication at all
// (any bearer token, or none, is accepted).
package sim

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody is the largest request body accepted, before and after gzip
// decompression.
const maxBody = 1 << 20

// maxLog is how many requests the log keeps; older ones are dropped so a
// long-running local simulator does not grow without bound.
const maxLog = 10_000

// jsonContentType is what Graph sends on success.
const jsonContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// Server is a simulated Microsoft Graph. It is an [http.Handler] and is safe
// for concurrent use. Create it with [New].
type Server struct {
	now     func() time.Time
	latency time.Duration
	seed    []SeedUser

	mu      sync.Mutex
	users   map[string]*user  // by lower-case object id
	byUPN   map[string]string // lower-case userPrincipalName → object id
	order   []string          // every object id, sorted; rebuilt when users has grown (users are never removed)
	premium bool              // the tenant has Microsoft Entra ID P1: the registration report and sign-in log are available
	// signInLog holds each user's seeded sign-in attempts, newest first.
	signInLog map[string][]wireSignIn
	// appSecretEnd is when app registrations' client secret expires.
	appSecretEnd time.Time
	faults       []*activeFault
	requests     []Request
	mail         []SentMail // sent with sendMail, oldest first
}

// Option configures a [Server].
type Option func(*Server)

// WithSeed starts the simulator with these users (see [SeedUser] and
// [LoadSeedFile]). Later WithSeed options add to earlier ones.
func WithSeed(users []SeedUser) Option {
	return func(s *Server) { s.seed = append(s.seed, users...) }
}

// WithClock sets the clock used for creation times, Temporary Access Pass
// validity, error dates and the request log. The default (and what nil
// means) is [time.Now].
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithLatency delays every Graph response by d, as a real network round
// trip would. Control endpoints are not delayed.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// New returns a simulator holding the seeded users. Any other object id
// (GUID) is provisioned on first sight, deterministically from the id: see
// [SeedUser] for what a provisioned user has. A userPrincipalName that is
// neither seeded nor belongs to a provisioned user is 404.
//
// New panics if the seed is invalid (duplicate ids, malformed numbers, ...);
// [LoadSeedFile] reports the same problems as an error.
func New(opts ...Option) *Server {
	s := &Server{
		now:       time.Now,
		users:     map[string]*user{},
		signInLog: map[string][]wireSignIn{},
		byUPN:     map[string]string{},
		premium:   true,
	}
	s.appSecretEnd = time.Now().AddDate(1, 0, 0)
	for _, o := range opts {
		o(s)
	}
	users, err := buildSeed(s.seed)
	if err != nil {
		panic("sim: " + err.Error())
	}
	s.seed = nil // built: a large generated tenant need not stay in memory twice
	for _, u := range users {
		s.addUser(u)
	}
	return s
}

// Fault makes matching Graph requests fail or slow down, for tests of
// retries, timeouts and error handling. A request matches when its method
// and path match; the first matching fault (in the order injected) applies.
type Fault struct {
	// Method is the HTTP method to match; "" matches any.
	Method string
	// PathContains must occur in the request path (after any prefix was
	// stripped); "" matches any path.
	PathContains string
	// Status is the HTTP status to answer with (e.g. 429, 500, 503), with a
	// Graph error body. 0 (or anything outside 400-599) answers normally,
	// after Latency.
	Status int
	// Code is the error body's code; "" means the usual one for Status
	// ("activityLimitReached" for 429, "accessDenied" for 403, ...). Set it
	// to act out a particular refusal, such as 403
	// "Authorization_RequestDenied" for a missing permission.
	Code string
	// RetryAfter is sent as Retry-After, rounded up to whole seconds. A 429
	// always carries the header ("0" when RetryAfter is zero); other statuses
	// only when RetryAfter is positive.
	RetryAfter time.Duration
	// Latency delays the response, on top of [WithLatency].
	Latency time.Duration
	// Times limits the fault to the first Times matching requests; 0 means
	// every matching request until [Server.ClearFaults].
	Times int
}

type activeFault struct {
	Fault
	remaining int // < 0: forever
}

// Inject adds a fault. Faults never apply to the /_sim control endpoints.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rem := f.Times
	if rem <= 0 {
		rem = -1
	}
	s.faults = append(s.faults, &activeFault{Fault: f, remaining: rem})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// ClearFaultsMatching removes the faults whose PathContains contains sub,
// e.g. a user's id, leaving faults other tests injected.
func (s *Server) ClearFaultsMatching(sub string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.faults[:0]
	for _, f := range s.faults {
		if !strings.Contains(f.PathContains, sub) {
			kept = append(kept, f)
		}
	}
	s.faults = kept
}

// takeFault returns the first fault matching the request and counts it
// against its Times.
func (s *Server) takeFault(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) || !strings.Contains(path, f.PathContains) {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// Request is one Graph request the simulator received. Bodies are never
// recorded: they can hold phone numbers.
type Request struct {
	Method    string    `json:"method"`
	Path      string    `json:"path"` // as the simulator saw it, after any prefix was stripped
	Status    int       `json:"status"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
}

// IsWrite reports whether the request could have changed state (any method
// but GET, HEAD and OPTIONS).
func (r Request) IsWrite() bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// Requests returns the Graph requests received so far, oldest first,
// including those answered with an injected fault or an error. Control
// endpoints are not recorded. The log keeps the latest 10,000.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ClearRequests empties the request log.
func (s *Server) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxLog {
		s.requests = append(s.requests[:0], s.requests[len(s.requests)-maxLog+1:]...)
	}
	s.requests = append(s.requests, r)
}

// call is one request being served.
type call struct {
	r         *http.Request
	requestID string
	now       time.Time
	body      []byte // decompressed; nil when the request had none
}

// reply is a response before it is written. A body of type *apiError is
// written as Graph's error envelope.
type reply struct {
	status int
	body   any
	header http.Header
}

func errReply(e *apiError) reply { return reply{status: e.status, body: e} }

// ServeHTTP serves the Graph endpoints under /v1.0/ and the control
// endpoints under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{r: r, requestID: newUUID(), now: s.now()}
	w.Header().Set("request-id", c.requestID)
	if cid := r.Header.Get("client-request-id"); cid != "" {
		w.Header().Set("client-request-id", cid)
	}
	if r.URL.Path == "/_sim" || strings.HasPrefix(r.URL.Path, "/_sim/") {
		rep := s.control(c)
		s.write(w, c, rep)
		return
	}
	rep := s.serveGraph(c)
	// Recorded before the response is written, so a client that has its
	// answer always finds its request in the log.
	s.record(Request{Method: r.Method, Path: r.URL.Path, Status: rep.status, Time: c.now, RequestID: c.requestID})
	s.write(w, c, rep)
}

func (s *Server) serveGraph(c *call) reply {
	f, faulty := s.takeFault(c.r.Method, c.r.URL.Path)
	// The body is read before any delay: only once it is consumed does
	// net/http notice a client that hangs up, which cancels the context.
	body, bodyErr := readBody(c.r)
	if d := s.latency + f.Latency; d > 0 {
		if !sleepCtx(c.r.Context(), d) {
			// The client gave up: do not apply a write it no longer waits
			// for, so tests stay deterministic.
			return errReply(newError(http.StatusServiceUnavailable, "serviceNotAvailable", "The client closed the request."))
		}
	}
	if faulty && f.Status >= 400 && f.Status <= 599 {
		code := f.Code
		if code == "" {
			code = faultCode(f.Status)
		}
		rep := errReply(newError(f.Status, code,
			fmt.Sprintf("Simulated fault: %d %s.", f.Status, http.StatusText(f.Status))))
		if f.Status == http.StatusTooManyRequests || f.RetryAfter > 0 {
			secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
			rep.header = http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}
		}
		return rep
	}
	if bodyErr != nil {
		return errReply(bodyErr)
	}
	c.body = body
	return s.route(c)
}

// readBody reads the request body, gunzipping it when the client compressed
// it (msgraph-sdk-go does). Too large a body is 413, before or after
// decompression.
func readBody(r *http.Request) ([]byte, *apiError) {
	tooLarge := newError(http.StatusRequestEntityTooLarge, "requestEntityTooLarge",
		"The request body is larger than the simulator's limit of 1 MiB.")
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > maxBody {
		return nil, tooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, newError(http.StatusBadRequest, codeBadRequest, "Unable to read the request body.")
	}
	if len(raw) > maxBody {
		return nil, tooLarge
	}
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return raw, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, newError(http.StatusBadRequest, codeBadRequest, "The request body is not valid gzip.")
		}
		plain, err := io.ReadAll(io.LimitReader(zr, maxBody+1))
		if err != nil {
			return nil, newError(http.StatusBadRequest, codeBadRequest, "The request body is not valid gzip.")
		}
		if len(plain) > maxBody {
			return nil, tooLarge
		}
		return plain, nil
	default:
		return nil, newError(http.StatusUnsupportedMediaType, "unsupportedMediaType",
			fmt.Sprintf("Content-Encoding '%s' is not supported; use gzip or none.", enc))
	}
}

// decode parses the JSON request body into v.
func (c *call) decode(v any) *apiError {
	bad := newError(http.StatusBadRequest, codeBadRequest,
		"Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	if len(bytes.TrimSpace(c.body)) == 0 {
		return bad
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	if err := dec.Decode(v); err != nil {
		return bad
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bad // trailing data after the JSON value
	}
	return nil
}

// write sends rep. Error bodies get Graph's envelope with the request's ids.
func (s *Server) write(w http.ResponseWriter, c *call, rep reply) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	body := rep.body
	contentType := jsonContentType
	if e, ok := body.(*apiError); ok {
		cid := c.r.Header.Get("client-request-id")
		if cid == "" {
			cid = c.requestID // as Graph does when the client sent none
		}
		body = errorEnvelope{Error: errorBody{Code: e.code, Message: e.message, InnerError: innerError{
			Date:            c.now.UTC().Format("2006-01-02T15:04:05"),
			RequestID:       c.requestID,
			ClientRequestID: cid,
		}}}
		contentType = "application/json"
	}
	if body == nil {
		w.WriteHeader(rep.status)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "sim: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(rep.status)
	if c.r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// addUser stores u; the caller holds s.mu or owns s exclusively.
func (s *Server) addUser(u *user) {
	s.users[u.id] = u
	if _, taken := s.byUPN[strings.ToLower(u.upn)]; !taken {
		s.byUPN[strings.ToLower(u.upn)] = u.id
	}
}

// lookup finds the user an object id or userPrincipalName names,
// provisioning unknown object ids. The caller holds s.mu.
func (s *Server) lookup(key string) (*user, *apiError) {
	u, e := s.known(key)
	if e != nil && isGUID(key) {
		u, e = provision(strings.ToLower(key)), nil
		s.addUser(u)
	}
	return u, e
}

// known finds the user an object id or userPrincipalName names among those
// seeded or already provisioned; anyone else is 404. The caller holds s.mu.
func (s *Server) known(key string) (*user, *apiError) {
	id := strings.ToLower(key)
	if !isGUID(key) {
		id = s.byUPN[id]
	}
	if u, ok := s.users[id]; ok {
		return u, nil
	}
	return nil, newError(http.StatusNotFound, codeItemNotFound,
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", key))
}

// sortedIDs returns every user's object id in order, the order listings
// page through. The caller holds s.mu.
func (s *Server) sortedIDs() []string {
	if len(s.order) != len(s.users) {
		s.order = slices.Sorted(maps.Keys(s.users))
	}
	return s.order
}

// sleepCtx waits for d, or until ctx is done; it reports whether it waited
// the whole time.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
