package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGetUser(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	tests := []struct {
		name, key  string
		wantStatus int
		wantUPN    string
		wantName   string
	}{
		{"seeded by id", satoID, 200, "hanako.sato@contoso.example", "佐藤 花子"},
		{"seeded by UPN", "ichiro.suzuki@contoso.example", 200, "ichiro.suzuki@contoso.example", "鈴木 一郎"},
		{"UPN any case", "Misaki.Tanaka@Contoso.Example", 200, "misaki.tanaka@contoso.example", "田中 美咲"},
		{"UPN percent-encoded", "hanako.sato%40contoso.example", 200, "hanako.sato@contoso.example", "佐藤 花子"},
		{"id upper case", strings.ToUpper(satoID), 200, "hanako.sato@contoso.example", "佐藤 花子"},
		{"unknown id provisioned", anonID, 200, "1a2b3c4d@contoso.example", "Test User 1a2b"},
		{"unknown UPN", "nobody@contoso.example", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, http.MethodGet, "/v1.0/users/"+tt.key+"?$select=id,displayName", nil)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantStatus != 200 {
				if got := r.errCode(t); got != codeItemNotFound {
					t.Errorf("code = %q, want %q", got, codeItemNotFound)
				}
				if !strings.Contains(string(r.body), "does not exist") {
					t.Errorf("message %s lacks \"does not exist\"", r.body)
				}
				return
			}
			got := r.obj(t)
			if got["userPrincipalName"] != tt.wantUPN || got["displayName"] != tt.wantName {
				t.Errorf("got upn %v name %v, want %v %v", got["userPrincipalName"], got["displayName"], tt.wantUPN, tt.wantName)
			}
			for _, k := range []string{"@odata.context", "id", "preferredLanguage", "mail"} {
				if _, ok := got[k]; !ok {
					t.Errorf("missing %q in %s", k, r.body)
				}
			}
		})
	}
}

// TestMethodShapes pins the JSON of every kind of method to Graph v1.0's.
func TestMethodShapes(t *testing.T) {
	t.Parallel()
	s, ts := start(t)
	// A pass, so the TAP shape is covered too.
	tap := send(t, ts.URL, http.MethodPost, methodsPath(tanakaID, "temporaryAccessPassMethods"), map[string]any{"lifetimeInMinutes": 120})
	if tap.status != http.StatusCreated {
		t.Fatalf("create TAP: %d %s", tap.status, tap.body)
	}
	tapID := tap.obj(t)["id"].(string)
	galaxy := hashUUID(tanakaID, "microsoftAuthenticatorMethods", "1")
	oath := hashUUID(tanakaID, "softwareOath", "0")
	fido := hashUUID(tanakaID, "fido2Methods", "0")
	hello := hashUUID(tanakaID, "windowsHelloForBusinessMethods", "0")
	galaxyCreated := *graphTime(pastDate(tanakaID, "microsoftAuthenticatorMethods", "1"))
	helloCreated := *graphTime(pastDate(tanakaID, "windowsHelloForBusinessMethods", "0"))
	fidoCreated := *graphTime(pastDate(tanakaID, "fido2Methods", "0"))
	_ = s

	ctx := func(user, coll string) string {
		return metadata + "users('" + user + "')/authentication/" + coll + "/$entity"
	}
	tests := []struct {
		name, path string
		want       string
	}{
		{"password", methodsPath(tanakaID, "passwordMethods/"+passwordID), `{
			"@odata.context": "` + ctx(tanakaID, "passwordMethods") + `",
			"@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
			"id": "28c10230-6103-485e-b985-444c60001490", "password": null, "createdDateTime": null}`},
		{"phone", methodsPath(satoID, "phoneMethods/"+officeID), `{
			"@odata.context": "` + ctx(satoID, "phoneMethods") + `",
			"@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
			"id": "e37fc753-ff3b-4958-9484-eaa9425c82bc", "phoneNumber": "+81 312345678x204",
			"phoneType": "office", "smsSignInState": "notSupported"}`},
		{"authenticator", methodsPath(tanakaID, "microsoftAuthenticatorMethods/"+tanakaPix), `{
			"@odata.context": "` + ctx(tanakaID, "microsoftAuthenticatorMethods") + `",
			"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
			"id": "` + tanakaPix + `", "displayName": "Pixel 7", "deviceTag": "SoftwareTokenActivated",
			"phoneAppVersion": "6.8.16", "createdDateTime": "2023-02-14T01:30:00Z"}`},
		{"authenticator derived", methodsPath(tanakaID, "microsoftAuthenticatorMethods/"+galaxy), `{
			"@odata.context": "` + ctx(tanakaID, "microsoftAuthenticatorMethods") + `",
			"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
			"id": "` + galaxy + `", "displayName": "Galaxy S24", "deviceTag": "SoftwareTokenActivated",
			"phoneAppVersion": "6.8.16", "createdDateTime": "` + galaxyCreated + `"}`},
		{"software oath", methodsPath(tanakaID, "softwareOathMethods/"+oath), `{
			"@odata.context": "` + ctx(tanakaID, "softwareOathMethods") + `",
			"@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
			"id": "` + oath + `", "secretKey": null}`},
		{"fido2", methodsPath(tanakaID, "fido2Methods/"+fido), `{
			"@odata.context": "` + ctx(tanakaID, "fido2Methods") + `",
			"@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
			"id": "` + fido + `", "displayName": "YubiKey 5 NFC", "createdDateTime": "` + fidoCreated + `",
			"aaGuid": "` + hashUUID("aaguid", "YubiKey 5 Series with NFC") + `", "model": "YubiKey 5 Series with NFC",
			"attestationCertificates": [], "attestationLevel": "attested"}`},
		{"email", methodsPath(satoID, "emailMethods/"+emailID), `{
			"@odata.context": "` + ctx(satoID, "emailMethods") + `",
			"@odata.type": "#microsoft.graph.emailAuthenticationMethod",
			"id": "3ddfcfc8-9383-446f-83cc-3ab9be4be18f", "emailAddress": "hanako.sato.home@example.jp"}`},
		{"windows hello", methodsPath(tanakaID, "windowsHelloForBusinessMethods/"+hello), `{
			"@odata.context": "` + ctx(tanakaID, "windowsHelloForBusinessMethods") + `",
			"@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
			"id": "` + hello + `", "displayName": "TANAKA-PC01", "createdDateTime": "` + helloCreated + `",
			"keyStrength": "normal"}`},
		{"temporary access pass without the pass", methodsPath(tanakaID, "temporaryAccessPassMethods/"+tapID), `{
			"@odata.context": "` + ctx(tanakaID, "temporaryAccessPassMethods") + `",
			"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
			"id": "` + tapID + `", "temporaryAccessPass": null,
			"createdDateTime": "2025-07-01T09:00:00Z", "startDateTime": "2025-07-01T09:00:00Z",
			"lifetimeInMinutes": 120, "isUsableOnce": false, "isUsable": true, "methodUsabilityReason": "EnabledByPolicy"}`},
		{"any method by id", "/v1.0/users/" + satoID + "/authentication/methods/" + mobileID, `{
			"@odata.context": "` + metadata + "users('" + satoID + `')/authentication/methods/$entity",
			"@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
			"id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+81 9000001234",
			"phoneType": "mobile", "smsSignInState": "ready"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, http.MethodGet, tt.path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
			}
			var want any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if diff := cmp.Diff(want, any(r.obj(t))); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json...", ct)
			}
		})
	}
}

func TestListMethods(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	type kindCount map[string]int
	tests := []struct {
		name, path string
		want       kindCount // @odata.type suffix → count
	}{
		{"all of sato", methodsPath(satoID, "methods"), kindCount{"passwordAuthenticationMethod": 1,
			"phoneAuthenticationMethod": 3, "microsoftAuthenticatorAuthenticationMethod": 1, "emailAuthenticationMethod": 1}},
		{"all of tanaka", methodsPath(tanakaID, "methods"), kindCount{"passwordAuthenticationMethod": 1,
			"microsoftAuthenticatorAuthenticationMethod": 2, "softwareOathAuthenticationMethod": 1,
			"fido2AuthenticationMethod": 1, "windowsHelloForBusinessAuthenticationMethod": 1}},
		{"all of provisioned", methodsPath(anonID, "methods"), kindCount{"passwordAuthenticationMethod": 1,
			"phoneAuthenticationMethod": 1, "microsoftAuthenticatorAuthenticationMethod": 1}},
		{"phones", methodsPath(satoID, "phoneMethods"), kindCount{"phoneAuthenticationMethod": 3}},
		{"phones none", methodsPath(tanakaID, "phoneMethods"), kindCount{}},
		{"authenticators", methodsPath(tanakaID, "microsoftAuthenticatorMethods"), kindCount{"microsoftAuthenticatorAuthenticationMethod": 2}},
		{"software oath", methodsPath(tanakaID, "softwareOathMethods"), kindCount{"softwareOathAuthenticationMethod": 1}},
		{"fido2", methodsPath(tanakaID, "fido2Methods"), kindCount{"fido2AuthenticationMethod": 1}},
		{"email", methodsPath(satoID, "emailMethods"), kindCount{"emailAuthenticationMethod": 1}},
		{"windows hello", methodsPath(tanakaID, "windowsHelloForBusinessMethods"), kindCount{"windowsHelloForBusinessAuthenticationMethod": 1}},
		{"password", methodsPath(suzukiID, "passwordMethods"), kindCount{"passwordAuthenticationMethod": 1}},
		{"tap none", methodsPath(suzukiID, "temporaryAccessPassMethods"), kindCount{}},
		{"segment case-insensitive", methodsPath(satoID, "PhoneMethods"), kindCount{"phoneAuthenticationMethod": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, http.MethodGet, tt.path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
			}
			body := r.obj(t)
			if c, _ := body["@odata.context"].(string); !strings.HasPrefix(c, metadata+"users('") {
				t.Errorf("@odata.context = %q", c)
			}
			if _, ok := body["value"].([]any); !ok {
				t.Fatalf("value is not an array: %s", r.body)
			}
			got := kindCount{}
			for _, m := range r.values(t) {
				typ, _ := m["@odata.type"].(string)
				got[strings.TrimPrefix(typ, "#microsoft.graph.")]++
				if m["id"] == nil {
					t.Errorf("method without id: %v", m)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// step is one request of a scenario and what it must answer.
type step struct {
	method, path string
	body         any
	wantStatus   int
	wantCode     string // error code, when wantStatus >= 400
	wantIn       string // a substring the body must contain
}

func runSteps(t *testing.T, base string, steps []step) {
	t.Helper()
	for i, st := range steps {
		r := send(t, base, st.method, st.path, st.body)
		if r.status != st.wantStatus {
			t.Fatalf("step %d %s %s: status = %d, want %d; body %s", i+1, st.method, st.path, r.status, st.wantStatus, r.body)
		}
		if st.wantCode != "" {
			if got := r.errCode(t); got != st.wantCode {
				t.Errorf("step %d: code = %q, want %q", i+1, got, st.wantCode)
			}
		}
		if st.wantIn != "" && !strings.Contains(string(r.body), st.wantIn) {
			t.Errorf("step %d: body %s lacks %q", i+1, r.body, st.wantIn)
		}
	}
}

func TestPhoneRules(t *testing.T) {
	t.Parallel()
	phones := func(u string) string { return methodsPath(u, "phoneMethods") }
	phone := func(u, id string) string { return methodsPath(u, "phoneMethods/"+id) }
	add := func(typ, num string) map[string]string {
		return map[string]string{"phoneType": typ, "phoneNumber": num}
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"add office", []step{
			{http.MethodPost, phones(anonID), add("office", "+81 312345678"), 201, "", `"id":"` + officeID + `"`},
			{http.MethodGet, phone(anonID, officeID), nil, 200, "", `"smsSignInState":"notSupported"`},
		}},
		{"add mobile is ready for SMS", []step{
			{http.MethodPost, phones(tanakaID), add("mobile", "+81 8012345678"), 201, "", `"smsSignInState":"ready"`},
		}},
		{"add alternateMobile with extension", []step{
			{http.MethodPost, phones(anonID), add("alternateMobile", "+1 2065555555x123"), 201, "", `"id":"` + alternateMobileID + `"`},
		}},
		{"second mobile conflicts", []step{
			{http.MethodPost, phones(anonID), add("mobile", "+81 8012345678"), 409, codeConflict, ""},
		}},
		{"alternateMobile needs mobile", []step{
			{http.MethodPost, phones(tanakaID), add("alternateMobile", "+81 8012345678"), 400, codeInvalidRequest, "mobile"},
		}},
		{"invalid type", []step{
			{http.MethodPost, phones(anonID), add("home", "+81 312345678"), 400, codeInvalidRequest, ""},
			{http.MethodPost, phones(anonID), map[string]string{"phoneNumber": "+81 312345678"}, 400, codeInvalidRequest, ""},
		}},
		{"invalid numbers", []step{
			{http.MethodPost, phones(tanakaID), add("mobile", "+819012345678"), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodPost, phones(tanakaID), add("mobile", "090-1234-5678"), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodPost, phones(tanakaID), add("mobile", "+81 90 1234 5678"), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodPost, phones(tanakaID), add("mobile", "+8100 9012345678"), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodPost, phones(tanakaID), add("mobile", "+81 123"), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodPost, phones(tanakaID), add("mobile", "+81 9012345678x"), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodPost, phones(tanakaID), add("mobile", ""), 400, codeInvalidRequest, "Invalid phone number"},
			{http.MethodGet, phones(tanakaID), nil, 200, "", `"value":[]`},
		}},
		{"update number keeps type", []step{
			{http.MethodPatch, phone(anonID, mobileID), map[string]string{"phoneNumber": "+81 7011112222"}, 204, "", ""},
			{http.MethodGet, phone(anonID, mobileID), nil, 200, "", `"phoneNumber":"+81 7011112222"`},
			{http.MethodPatch, phone(anonID, mobileID), add("mobile", "+81 7033334444"), 204, "", ""},
		}},
		{"update cannot change type", []step{
			{http.MethodPatch, phone(anonID, mobileID), add("office", "+81 312345678"), 400, codeInvalidRequest, "cannot be changed"},
		}},
		{"update invalid number", []step{
			{http.MethodPatch, phone(anonID, mobileID), map[string]string{"phoneNumber": "09011112222"}, 400, codeInvalidRequest, ""},
			{http.MethodPatch, phone(anonID, mobileID), map[string]string{}, 400, codeInvalidRequest, ""},
		}},
		{"update missing phone", []step{
			{http.MethodPatch, phone(anonID, officeID), map[string]string{"phoneNumber": "+81 312345678"}, 404, codeItemNotFound, ""},
		}},
		{"mobile cannot go while alternateMobile exists", []step{
			{http.MethodDelete, phone(satoID, mobileID), nil, 400, codeInvalidRequest, "alternateMobile"},
			{http.MethodDelete, phone(satoID, alternateMobileID), nil, 204, "", ""},
			{http.MethodGet, phone(satoID, alternateMobileID), nil, 404, codeItemNotFound, ""},
		}},
		{"default method is kept while others exist", []step{
			// Provisioned: mobile (default) and one Authenticator.
			{http.MethodDelete, phone(anonID, mobileID), nil, 400, codeInvalidRequest, "default"},
			{http.MethodGet, "/_sim/users/" + anonID, nil, 200, "", `"defaultMethod":"mobile"`},
		}},
		{"default may go as the last MFA method", []step{
			{http.MethodGet, methodsPath(anonID, "microsoftAuthenticatorMethods/"+hashUUID(anonID, "authenticator", "0")), nil, 200, "", ""},
			{http.MethodDelete, methodsPath(anonID, "microsoftAuthenticatorMethods/"+hashUUID(anonID, "authenticator", "0")), nil, 204, "", ""},
			{http.MethodDelete, phone(anonID, mobileID), nil, 204, "", ""},
			{http.MethodGet, "/_sim/users/" + anonID, nil, 200, "", `"defaultMethodId":""`},
			// The next MFA method registered becomes the default.
			{http.MethodPost, phones(anonID), add("office", "+81 312345678"), 201, "", ""},
			{http.MethodGet, "/_sim/users/" + anonID, nil, 200, "", `"defaultMethod":"office"`},
		}},
		{"changing the default frees the old one", []step{
			{http.MethodPatch, "/_sim/users/" + anonID, map[string]string{"defaultMethodId": hashUUID(anonID, "authenticator", "0")}, 200, "", `"defaultMethod":"microsoftAuthenticator"`},
			{http.MethodDelete, phone(anonID, mobileID), nil, 204, "", ""},
			{http.MethodPatch, "/_sim/users/" + anonID, map[string]string{"defaultMethodId": passwordID}, 400, codeInvalidRequest, ""},
		}},
		{"delete unknown phone", []step{
			{http.MethodDelete, phone(tanakaID, mobileID), nil, 404, codeItemNotFound, ""},
			{http.MethodDelete, phone(anonID, "not-a-method"), nil, 404, codeItemNotFound, ""},
		}},
		{"unknown user", []step{
			{http.MethodPost, phones("ghost@contoso.example"), add("office", "+81 312345678"), 404, codeItemNotFound, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ts := start(t)
			runSteps(t, ts.URL, tt.steps)
		})
	}
}

func TestOtherMethods(t *testing.T) {
	t.Parallel()
	pixel := methodsPath(tanakaID, "microsoftAuthenticatorMethods/"+tanakaPix)
	tests := []struct {
		name  string
		steps []step
	}{
		{"authenticator: default kept, other deleted", []step{
			{http.MethodDelete, pixel, nil, 400, codeInvalidRequest, "default"},
			{http.MethodDelete, methodsPath(tanakaID, "microsoftAuthenticatorMethods/"+hashUUID(tanakaID, "microsoftAuthenticatorMethods", "1")), nil, 204, "", ""},
			{http.MethodGet, methodsPath(tanakaID, "microsoftAuthenticatorMethods"), nil, 200, "", "Pixel 7"},
		}},
		{"software oath and fido2 delete", []step{
			{http.MethodDelete, methodsPath(tanakaID, "softwareOathMethods/"+hashUUID(tanakaID, "softwareOath", "0")), nil, 204, "", ""},
			{http.MethodDelete, methodsPath(tanakaID, "fido2Methods/"+hashUUID(tanakaID, "fido2Methods", "0")), nil, 204, "", ""},
			{http.MethodGet, methodsPath(tanakaID, "softwareOathMethods"), nil, 200, "", `"value":[]`},
			{http.MethodGet, methodsPath(tanakaID, "fido2Methods"), nil, 200, "", `"value":[]`},
		}},
		{"windows hello delete", []step{
			{http.MethodDelete, methodsPath(tanakaID, "windowsHelloForBusinessMethods/"+hashUUID(tanakaID, "windowsHelloForBusinessMethods", "0")), nil, 204, "", ""},
		}},
		{"wrong collection for the id", []step{
			{http.MethodGet, methodsPath(tanakaID, "fido2Methods/"+tanakaPix), nil, 404, codeItemNotFound, ""},
		}},
		{"email", []step{
			{http.MethodPost, methodsPath(satoID, "emailMethods"), map[string]string{"emailAddress": "x@example.jp"}, 409, codeConflict, ""},
			{http.MethodPatch, methodsPath(satoID, "emailMethods/"+emailID), map[string]string{"emailAddress": "hanako@example.jp"}, 204, "", ""},
			{http.MethodGet, methodsPath(satoID, "emailMethods"), nil, 200, "", "hanako@example.jp"},
			{http.MethodPatch, methodsPath(satoID, "emailMethods/"+emailID), map[string]string{"emailAddress": "not an address"}, 400, codeInvalidRequest, ""},
			{http.MethodDelete, methodsPath(satoID, "emailMethods/"+emailID), nil, 204, "", ""},
			{http.MethodPost, methodsPath(satoID, "emailMethods"), map[string]string{"emailAddress": "hanako@example.jp"}, 201, "", emailID},
		}},
		{"revoke sign-in sessions", []step{
			{http.MethodPost, "/v1.0/users/" + suzukiID + "/revokeSignInSessions", nil, 200, "", `"value":true`},
			{http.MethodGet, "/_sim/users/" + suzukiID, nil, 200, "", `"signInSessionsValidFromDateTime":"2025-07-01T09:00:00Z"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ts := start(t)
			runSteps(t, ts.URL, tt.steps)
		})
	}
}

func TestRevokeBody(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	r := send(t, ts.URL, http.MethodPost, "/v1.0/users/"+satoID+"/revokeSignInSessions", nil)
	want := map[string]any{"@odata.context": metadata + "Edm.Boolean", "value": true}
	if diff := cmp.Diff(want, r.obj(t)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	tests := []struct {
		method, path string
		wantAllow    string
	}{
		{http.MethodPut, methodsPath(satoID, "phoneMethods/"+mobileID), "GET, PATCH, DELETE"},
		{http.MethodPost, methodsPath(satoID, "phoneMethods/"+mobileID), "GET, PATCH, DELETE"},
		{http.MethodDelete, methodsPath(satoID, "phoneMethods"), "GET, POST"},
		{http.MethodPatch, methodsPath(tanakaID, "microsoftAuthenticatorMethods/"+tanakaPix), "GET, DELETE"},
		{http.MethodPost, methodsPath(tanakaID, "microsoftAuthenticatorMethods"), "GET"},
		{http.MethodDelete, methodsPath(satoID, "passwordMethods/"+passwordID), "GET"},
		{http.MethodPost, methodsPath(satoID, "methods"), "GET"},
		{http.MethodDelete, methodsPath(satoID, "methods/"+mobileID), "GET"},
		{http.MethodPatch, methodsPath(satoID, "temporaryAccessPassMethods/x"), "GET, DELETE"},
		{http.MethodGet, "/v1.0/users/" + satoID + "/revokeSignInSessions", "POST"},
		{http.MethodDelete, "/v1.0/users/" + satoID, "GET"},
		{http.MethodPut, "/_sim/faults", "GET, POST, DELETE"},
		{http.MethodPost, "/_sim/requests", "GET, DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, tt.method, tt.path, "{}")
			if r.status != http.StatusMethodNotAllowed {
				t.Fatalf("status = %d, want 405; body %s", r.status, r.body)
			}
			if got := r.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if got := r.errCode(t); got != "methodNotAllowed" {
				t.Errorf("code = %q, want methodNotAllowed", got)
			}
		})
	}
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	tests := []struct {
		path       string
		wantStatus int
		wantCode   string
	}{
		{"/v1.0/groups", 404, "resourceNotFound"},
		{"/v1.0/users", 404, "resourceNotFound"},
		{"/v1.0/users/" + satoID + "/manager", 404, "resourceNotFound"},
		{"/v1.0/users/" + satoID + "/authentication", 404, "resourceNotFound"},
		{"/v1.0/users/" + satoID + "/authentication/smsMethods", 404, "resourceNotFound"},
		{"/v1.0/users/" + satoID + "/authentication/phoneMethods/" + mobileID + "/extra", 404, "resourceNotFound"},
		{"/v1.0/users//authentication/methods", 404, "resourceNotFound"},
		{"/beta/users/" + satoID + "/authentication/signInPreferences", 404, "resourceNotFound"},
		{"/", 404, "resourceNotFound"},
		{"/_sim/nothing", 404, "resourceNotFound"},
		{"/v1.0/me/authentication/methods", 400, codeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, http.MethodGet, tt.path, nil)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if got := r.errCode(t); got != tt.wantCode {
				t.Errorf("code = %q, want %q", got, tt.wantCode)
			}
		})
	}
}

func TestErrorEnvelope(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	tests := []struct {
		name      string
		header    []string
		wantCliID string // "" means: equal to request-id
	}{
		{"client-request-id echoed", []string{"client-request-id", "c0ffee00-1111-4222-8333-444455556666"}, "c0ffee00-1111-4222-8333-444455556666"},
		{"no client-request-id", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, http.MethodGet, methodsPath(satoID, "phoneMethods/nope"), nil, tt.header...)
			if r.status != http.StatusNotFound {
				t.Fatalf("status = %d, want 404", r.status)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			reqID := r.header.Get("request-id")
			if !isGUID(reqID) {
				t.Fatalf("request-id header = %q, want a GUID", reqID)
			}
			var env errorEnvelope
			if err := json.Unmarshal(r.body, &env); err != nil {
				t.Fatal(err)
			}
			want := errorEnvelope{Error: errorBody{Code: codeItemNotFound, Message: env.Error.Message,
				InnerError: innerError{Date: "2025-07-01T09:00:00", RequestID: reqID, ClientRequestID: tt.wantCliID}}}
			if tt.wantCliID == "" {
				want.Error.InnerError.ClientRequestID = reqID
			} else if got := r.header.Get("client-request-id"); got != tt.wantCliID {
				t.Errorf("client-request-id header = %q, want %q", got, tt.wantCliID)
			}
			if diff := cmp.Diff(want, env); diff != "" {
				t.Errorf("envelope (-want +got):\n%s", diff)
			}
			if env.Error.Message == "" {
				t.Error("error.message is empty; msgraph-sdk-go needs one")
			}
		})
	}
}

func TestRequestIDOnEveryResponse(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	seen := map[string]bool{}
	for _, p := range []string{"/v1.0/users/" + satoID, methodsPath(satoID, "methods"), "/nowhere", "/_sim/requests"} {
		r := send(t, ts.URL, http.MethodGet, p, nil)
		id := r.header.Get("request-id")
		if !isGUID(id) || seen[id] {
			t.Errorf("GET %s: request-id %q, want a fresh GUID", p, id)
		}
		seen[id] = true
	}
}

func TestBodies(t *testing.T) {
	t.Parallel()
	valid := []byte(`{"phoneNumber":"+81 312345678","phoneType":"office"}`)
	huge := []byte(`{"phoneNumber":"+81 312345678","phoneType":"office","pad":"` + strings.Repeat("x", maxBody) + `"}`)
	tests := []struct {
		name       string
		body       []byte
		header     []string
		wantStatus int
		wantCode   string
	}{
		{"plain JSON", valid, nil, 201, ""},
		{"gzip JSON", gzipped(t, valid), []string{"Content-Encoding", "gzip"}, 201, ""},
		{"gzip upper case", gzipped(t, valid), []string{"Content-Encoding", "GZIP"}, 201, ""},
		{"not gzip", valid, []string{"Content-Encoding", "gzip"}, 400, codeBadRequest},
		{"other encoding", valid, []string{"Content-Encoding", "br"}, 415, "unsupportedMediaType"},
		{"malformed JSON", []byte(`{"phoneNumber":`), nil, 400, codeBadRequest},
		{"trailing garbage", append(append([]byte{}, valid...), "}"...), nil, 400, codeBadRequest},
		{"not an object", []byte(`["+81 312345678"]`), nil, 400, codeBadRequest},
		{"wrong type", []byte(`{"phoneNumber":81312345678,"phoneType":"office"}`), nil, 400, codeBadRequest},
		{"empty", []byte{}, nil, 400, codeBadRequest},
		{"too large", huge, nil, 413, "requestEntityTooLarge"},
		{"too large once unzipped", gzipped(t, huge), []string{"Content-Encoding", "gzip"}, 413, "requestEntityTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ts := start(t)
			r := send(t, ts.URL, http.MethodPost, methodsPath(anonID, "phoneMethods"), tt.body, tt.header...)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantCode != "" {
				if got := r.errCode(t); got != tt.wantCode {
					t.Errorf("code = %q, want %q", got, tt.wantCode)
				}
			}
		})
	}
}
