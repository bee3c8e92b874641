package interop

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/mfadesk/mfadesk/graph/sim"
)

const (
	satoUPN   = "hanako.sato@contoso.example"
	tanakaID  = "c3e1f4a2-7b6d-4c9e-a8f1-9d2e4b6a8c0f"
	anonID    = "1a2b3c4d-0000-4000-8000-00000000beef"
	officeID  = "e37fc753-ff3b-4958-9484-eaa9425c82bc"
	mobileID  = "3179e48a-750b-4051-897c-87b9720928f7"
	seedPath  = "../testdata/seed.json"
	mountedAt = "/graph-simulator"
)

// encodings records the Content-Encoding of every request with a body.
type encodings struct {
	mu  sync.Mutex
	got []string
}

func (e *encodings) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			e.mu.Lock()
			e.got = append(e.got, r.Header.Get("Content-Encoding"))
			e.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// setup mounts a seeded simulator under /graph-simulator, as the bot does,
// and returns an SDK client pointed at it.
//
// The tests in this package do not run in parallel: msgraph.NewGraphServiceClient
// writes package-level state of kiota (store.BackingStoreFactoryInstance and
// the default serializer registries), so creating clients concurrently, or
// while another client is working, is a data race inside the SDK.
func setup(t *testing.T) (*sim.Server, *msgraph.GraphServiceClient, *encodings) {
	t.Helper()
	seed, err := sim.LoadSeedFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.WithSeed(seed))
	enc := &encodings{}
	mux := http.NewServeMux()
	mux.Handle(mountedAt+"/", http.StripPrefix(mountedAt, enc.wrap(s)))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	adapter, err := msgraph.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(ts.URL + mountedAt + "/v1.0")
	return s, msgraph.NewGraphServiceClient(adapter), enc
}

// odata unwraps a Graph error into its status and code.
func odata(t *testing.T, err error) (int, string) {
	t.Helper()
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T) is not an ODataError", err, err)
	}
	code := ""
	if m := oe.GetErrorEscaped(); m != nil && m.GetCode() != nil {
		code = *m.GetCode()
	}
	if m := oe.GetErrorEscaped(); m == nil || m.GetMessage() == nil || m.GetInnerError() == nil {
		t.Errorf("error without message or innerError: %v", err)
	}
	return oe.GetStatusCode(), code
}

func ptr[T any](v T) *T { return &v }

func TestSDKReadsEveryMethodKind(t *testing.T) {
	_, client, _ := setup(t)
	ctx := context.Background()

	u, err := client.Users().ByUserId(satoUPN).Get(ctx, nil)
	if err != nil {
		t.Fatalf("get user: %v", err)
	}
	if got := *u.GetDisplayName(); got != "佐藤 花子" {
		t.Errorf("displayName = %q, want 佐藤 花子", got)
	}
	if got := *u.GetPreferredLanguage(); got != "ja-JP" {
		t.Errorf("preferredLanguage = %q", got)
	}

	for _, id := range []string{satoUPN, tanakaID} {
		res, err := client.Users().ByUserId(id).Authentication().Methods().Get(ctx, nil)
		if err != nil {
			t.Fatalf("list methods of %s: %v", id, err)
		}
		for _, m := range res.GetValue() {
			switch m := m.(type) {
			case models.PhoneAuthenticationMethodable:
				if m.GetPhoneNumber() == nil || m.GetPhoneType() == nil || m.GetSmsSignInState() == nil {
					t.Errorf("phone %s incomplete", *m.GetId())
				}
			case models.MicrosoftAuthenticatorAuthenticationMethodable:
				if m.GetDisplayName() == nil || m.GetCreatedDateTime() == nil || m.GetCreatedDateTime().IsZero() {
					t.Errorf("authenticator %s incomplete", *m.GetId())
				}
			case models.Fido2AuthenticationMethodable:
				if m.GetModel() == nil || m.GetAttestationLevel() == nil {
					t.Errorf("fido2 %s incomplete", *m.GetId())
				}
			case models.WindowsHelloForBusinessAuthenticationMethodable:
				if m.GetKeyStrength() == nil {
					t.Errorf("windows hello %s incomplete", *m.GetId())
				}
			case models.EmailAuthenticationMethodable:
				if m.GetEmailAddress() == nil {
					t.Errorf("email %s incomplete", *m.GetId())
				}
			case models.PasswordAuthenticationMethodable, models.SoftwareOathAuthenticationMethodable:
			default:
				t.Errorf("%s: method %s decoded as %T, want a concrete type", id, *m.GetId(), m)
			}
		}
	}
	auths, err := client.Users().ByUserId(tanakaID).Authentication().MicrosoftAuthenticatorMethods().Get(ctx, nil)
	if err != nil || len(auths.GetValue()) != 2 {
		t.Fatalf("authenticators: %v, %v", auths, err)
	}
	want := time.Date(2023, 2, 14, 1, 30, 0, 0, time.UTC)
	if got := auths.GetValue()[0].GetCreatedDateTime(); got == nil || !got.Equal(want) {
		t.Errorf("createdDateTime = %v, want %v", got, want)
	}
}

// TestSDKPasskeys reads a passkey the person registered through the
// fido2Methods collection and deletes it by its id, which like Graph's is
// no GUID and holds '-' and '_'.
func TestSDKPasskeys(t *testing.T) {
	s, client, _ := setup(t)
	ctx := context.Background()
	const id = "-2_GRUg2-HYz6_1YG4YRAQ2" // Graph's documented example id
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_sim/users/"+satoUPN+"/passkeys",
		strings.NewReader(`{"id":"`+id+`","aaGuid":"de1e552d-db1d-4423-a619-566b625cdc84","displayName":"Pixel 8","attestationLevel":"notAttested"}`)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("register passkey: %d %s", rec.Code, rec.Body)
	}
	fido2 := client.Users().ByUserId(satoUPN).Authentication().Fido2Methods()
	list, err := fido2.Get(ctx, nil)
	if err != nil || len(list.GetValue()) != 1 {
		t.Fatalf("list passkeys: %v, %v", list, err)
	}
	p := list.GetValue()[0]
	if *p.GetId() != id || *p.GetAaGuid() != "de1e552d-db1d-4423-a619-566b625cdc84" || *p.GetDisplayName() != "Pixel 8" ||
		p.GetAttestationLevel() == nil || *p.GetAttestationLevel() != models.NOTATTESTED_ATTESTATIONLEVEL ||
		p.GetCreatedDateTime() == nil || p.GetModel() == nil {
		t.Errorf("passkey = id %v aaGuid %v name %v level %v created %v", p.GetId(), p.GetAaGuid(), p.GetDisplayName(), p.GetAttestationLevel(), p.GetCreatedDateTime())
	}
	got, err := fido2.ByFido2AuthenticationMethodId(id).Get(ctx, nil)
	if err != nil || *got.GetId() != id {
		t.Fatalf("get passkey: %v, %v", got, err)
	}
	if err := fido2.ByFido2AuthenticationMethodId(id).Delete(ctx, nil); err != nil {
		t.Fatalf("delete passkey: %v", err)
	}
	_, err = fido2.ByFido2AuthenticationMethodId(id).Get(ctx, nil)
	if status, code := odata(t, err); status != http.StatusNotFound || code != "itemNotFound" {
		t.Errorf("deleted passkey: %d %s, want 404 itemNotFound", status, code)
	}
}

func TestSDKPhoneLifecycle(t *testing.T) {
	s, client, enc := setup(t)
	ctx := context.Background()
	phones := client.Users().ByUserId(anonID).Authentication().PhoneMethods()

	body := models.NewPhoneAuthenticationMethod()
	body.SetPhoneNumber(ptr("+81 312345678"))
	office := models.OFFICE_AUTHENTICATIONPHONETYPE
	body.SetPhoneType(&office)
	created, err := phones.Post(ctx, body, nil)
	if err != nil {
		t.Fatalf("add office phone: %v", err)
	}
	if *created.GetId() != officeID || created.GetSmsSignInState().String() != "notSupported" {
		t.Errorf("created %s, sms %s", *created.GetId(), created.GetSmsSignInState())
	}

	upd := models.NewPhoneAuthenticationMethod()
	upd.SetPhoneNumber(ptr("+81 355556666"))
	if _, err := phones.ByPhoneAuthenticationMethodId(officeID).Patch(ctx, upd, nil); err != nil {
		t.Fatalf("update office phone: %v", err)
	}
	got, err := phones.ByPhoneAuthenticationMethodId(officeID).Get(ctx, nil)
	if err != nil || *got.GetPhoneNumber() != "+81 355556666" {
		t.Fatalf("read back: %v, %v", got, err)
	}

	tests := []struct {
		name       string
		call       func() error
		wantStatus int
		wantCode   string
	}{
		{"invalid number", func() error {
			b := models.NewPhoneAuthenticationMethod()
			b.SetPhoneNumber(ptr("090-1234-5678"))
			mob := models.ALTERNATEMOBILE_AUTHENTICATIONPHONETYPE
			b.SetPhoneType(&mob)
			_, err := phones.Post(ctx, b, nil)
			return err
		}, 400, "invalidRequest"},
		{"second mobile", func() error {
			b := models.NewPhoneAuthenticationMethod()
			b.SetPhoneNumber(ptr("+81 9012345678"))
			mob := models.MOBILE_AUTHENTICATIONPHONETYPE
			b.SetPhoneType(&mob)
			_, err := phones.Post(ctx, b, nil)
			return err
		}, 409, "conflict"},
		{"default method", func() error {
			return phones.ByPhoneAuthenticationMethodId(mobileID).Delete(ctx, nil)
		}, 400, "invalidRequest"},
		{"unknown user", func() error {
			_, err := client.Users().ByUserId("nobody@contoso.example").Authentication().PhoneMethods().Get(ctx, nil)
			return err
		}, 404, "itemNotFound"},
	}
	for _, tt := range tests {
		status, code := odata(t, tt.call())
		if status != tt.wantStatus || code != tt.wantCode {
			t.Errorf("%s: got %d %s, want %d %s", tt.name, status, code, tt.wantStatus, tt.wantCode)
		}
	}

	if err := phones.ByPhoneAuthenticationMethodId(officeID).Delete(ctx, nil); err != nil {
		t.Fatalf("delete office phone: %v", err)
	}
	enc.mu.Lock()
	defer enc.mu.Unlock()
	gz := 0
	for _, e := range enc.got {
		if strings.EqualFold(e, "gzip") {
			gz++
		}
	}
	if gz == 0 {
		t.Errorf("no request body was gzip-compressed (encodings %q); the gzip path went untested", enc.got)
	}
	writes := 0
	for _, r := range s.Requests() {
		if r.IsWrite() {
			writes++
		}
	}
	if writes != 6 { // POST, PATCH, POST, POST, DELETE (refused), DELETE
		t.Errorf("%d writes reached the simulator, want 6", writes)
	}
}

func TestSDKTemporaryAccessPassAndRevoke(t *testing.T) {
	_, client, _ := setup(t)
	ctx := context.Background()
	auth := client.Users().ByUserId(tanakaID).Authentication()

	body := models.NewTemporaryAccessPassAuthenticationMethod()
	body.SetLifetimeInMinutes(ptr(int32(120)))
	body.SetIsUsableOnce(ptr(true))
	tap, err := auth.TemporaryAccessPassMethods().Post(ctx, body, nil)
	if err != nil {
		t.Fatalf("create TAP: %v", err)
	}
	if tap.GetTemporaryAccessPass() == nil || len(*tap.GetTemporaryAccessPass()) != 8 {
		t.Errorf("temporaryAccessPass = %v", tap.GetTemporaryAccessPass())
	}
	if !*tap.GetIsUsable() || *tap.GetLifetimeInMinutes() != 120 || !*tap.GetIsUsableOnce() || *tap.GetMethodUsabilityReason() != "EnabledByPolicy" {
		t.Errorf("TAP = usable %v lifetime %v once %v reason %v", *tap.GetIsUsable(), *tap.GetLifetimeInMinutes(), *tap.GetIsUsableOnce(), *tap.GetMethodUsabilityReason())
	}
	list, err := auth.TemporaryAccessPassMethods().Get(ctx, nil)
	if err != nil || len(list.GetValue()) != 1 || list.GetValue()[0].GetTemporaryAccessPass() != nil {
		t.Errorf("list TAPs: %v, %v", list, err)
	}

	res, err := client.Users().ByUserId(tanakaID).RevokeSignInSessions().PostAsRevokeSignInSessionsPostResponse(ctx, nil)
	if err != nil || res.GetValue() == nil || !*res.GetValue() {
		t.Errorf("revokeSignInSessions: %v, %v", res, err)
	}
}

// TestSDKRetriesThrottling checks that the SDK's retry handler reads the
// simulator's 429 and Retry-After as it would Graph's.
func TestSDKRetriesThrottling(t *testing.T) {
	s, client, _ := setup(t)
	s.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/methods", Status: http.StatusTooManyRequests, Times: 2})
	if _, err := client.Users().ByUserId(tanakaID).Authentication().Methods().Get(context.Background(), nil); err != nil {
		t.Fatalf("list methods through two 429s: %v", err)
	}
	var statuses []int
	for _, r := range s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if len(statuses) != 3 || statuses[0] != 429 || statuses[1] != 429 || statuses[2] != 200 {
		t.Errorf("statuses = %v, want [429 429 200]", statuses)
	}

	s.Inject(sim.Fault{Status: http.StatusInternalServerError, Times: 1})
	_, err := client.Users().ByUserId(tanakaID).Get(context.Background(), nil)
	if status, code := odata(t, err); status != 500 || code != "generalException" {
		t.Errorf("500 fault: got %d %s", status, code)
	}
}
