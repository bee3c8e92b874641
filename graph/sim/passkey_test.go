package sim

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// graphPasskeyID is the shape of Graph's FIDO2 method ids in its
// documentation: 22 base64url characters and the padding digit.
var graphPasskeyID = regexp.MustCompile(`^[A-Za-z0-9_-]{22}2$`)

// startServer serves s over HTTP for the test and returns its URL.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}

// addPasskey registers a passkey through the control endpoint.
func addPasskey(t *testing.T, base, user string, body any) map[string]any {
	t.Helper()
	r := send(t, base, http.MethodPost, "/_sim/users/"+user+"/passkeys", body)
	if r.status != http.StatusCreated {
		t.Fatalf("register passkey: status %d, want 201; body %s", r.status, r.body)
	}
	return r.obj(t)
}

func TestPasskeyControlDefaults(t *testing.T) {
	t.Parallel()
	for _, body := range []any{nil, map[string]any{}} {
		_, ts := start(t)
		got := addPasskey(t, ts.URL, suzukiID, body)
		id, _ := got["id"].(string)
		if !graphPasskeyID.MatchString(id) {
			t.Errorf("id = %q, want Graph's shape %s", id, graphPasskeyID)
		}
		want := map[string]any{
			"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": id,
			"aaGuid": aaguidAuthenticatorIOS, "model": "", "displayName": "Microsoft Authenticator",
			"createdDateTime": "2025-07-01T09:00:00Z", "attestationLevel": "attested", "attestationCertificates": []any{},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("body %v: registered passkey (-want +got):\n%s", body, diff)
		}
	}
}

func TestPasskeyLifecycle(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	fido2 := methodsPath(suzukiID, "fido2Methods")
	if got := send(t, ts.URL, http.MethodGet, fido2, nil).values(t); len(got) != 0 {
		t.Fatalf("before: %d passkeys, want none", len(got))
	}
	android := addPasskey(t, ts.URL, suzukiID, map[string]any{
		"aaGuid": strings.ToUpper(aaguidAuthenticatorAndroid), "model": "Microsoft Authenticator - Android",
		"displayName": "Pixel 8", "attestationLevel": "notAttested", "created": "2026-03-02T10:20:30Z",
	})
	key := addPasskey(t, ts.URL, suzukiID, map[string]any{
		"id": "-2_GRUg2-HYz6_1YG4YRAQ2", "aaGuid": "2fc0579f-8113-47ea-b116-bb5a8db9202a", "model": "YubiKey 5 Series with NFC",
	})
	if android["aaGuid"] != aaguidAuthenticatorAndroid || android["attestationLevel"] != "notAttested" ||
		android["displayName"] != "Pixel 8" || android["createdDateTime"] != "2026-03-02T10:20:30Z" {
		t.Errorf("Android passkey = %v", android)
	}
	if key["id"] != "-2_GRUg2-HYz6_1YG4YRAQ2" || key["displayName"] != "YubiKey 5 Series with NFC" {
		t.Errorf("security key = %v, want the given id and the model as its name", key)
	}

	list := send(t, ts.URL, http.MethodGet, fido2, nil)
	if list.status != http.StatusOK {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	if c := list.obj(t)["@odata.context"]; c != metadata+"users('"+suzukiID+"')/authentication/fido2Methods" {
		t.Errorf("@odata.context = %v", c)
	}
	if got := list.values(t); len(got) != 2 || got[0]["id"] != android["id"] || got[1]["id"] != key["id"] {
		t.Errorf("fido2Methods = %s, want the two passkeys in registration order", list.body)
	}
	one := send(t, ts.URL, http.MethodGet, fido2+"/"+key["id"].(string), nil)
	if one.status != http.StatusOK {
		t.Fatalf("get: %d %s", one.status, one.body)
	}
	want := map[string]any{"@odata.context": metadata + "users('" + suzukiID + "')/authentication/fido2Methods/$entity"}
	for k, v := range key {
		want[k] = v
	}
	if diff := cmp.Diff(want, one.obj(t)); diff != "" {
		t.Errorf("GET by id (-want +got):\n%s", diff)
	}
	all := send(t, ts.URL, http.MethodGet, methodsPath(suzukiID, "methods"), nil).values(t)
	var inAll []any
	for _, m := range all {
		if m["@odata.type"] == kindFIDO2.odataType() {
			inAll = append(inAll, m["id"])
			if m["aaGuid"] == "" || m["attestationLevel"] == "" {
				t.Errorf("/methods shows passkey %v without its details", m)
			}
		}
	}
	if diff := cmp.Diff([]any{android["id"], key["id"]}, inAll); diff != "" {
		t.Errorf("passkeys in /methods (-want +got):\n%s", diff)
	}

	if r := send(t, ts.URL, http.MethodDelete, fido2+"/"+key["id"].(string), nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := send(t, ts.URL, http.MethodGet, fido2+"/"+key["id"].(string), nil); r.status != http.StatusNotFound || r.errCode(t) != codeItemNotFound {
		t.Errorf("deleted passkey: %d %s, want 404 itemNotFound", r.status, r.body)
	}
	if r := send(t, ts.URL, http.MethodDelete, fido2+"/"+key["id"].(string), nil); r.status != http.StatusNotFound {
		t.Errorf("second delete: %d, want 404", r.status)
	}
	if got := send(t, ts.URL, http.MethodGet, fido2, nil).values(t); len(got) != 1 || got[0]["id"] != android["id"] {
		t.Errorf("after delete: %v, want the Android passkey only", got)
	}
	// Suzuki's default stays the mobile phone registered first.
	if d := debugState(t, ts.URL, suzukiID); d.DefaultMethod != "mobile" {
		t.Errorf("default = %q, want mobile", d.DefaultMethod)
	}
}

// A passkey is an MFA method: registered first, it becomes the default,
// and as the last MFA method it can still be deleted.
func TestPasskeyAsOnlyMethod(t *testing.T) {
	t.Parallel()
	const id = "2d7c9e41-8a3b-4f6d-b5e2-0c1a9f8e7d60"
	s := New(WithSeed([]SeedUser{{ID: id, UserPrincipalName: "only.password@contoso.example"}}))
	ts := startServer(t, s)
	if d := debugState(t, ts, id); d.DefaultMethodID != "" {
		t.Fatalf("default before = %q, want none", d.DefaultMethodID)
	}
	pk := addPasskey(t, ts, "only.password@contoso.example", nil)
	d := debugState(t, ts, id)
	if d.DefaultMethodID != pk["id"] || d.DefaultMethod != "fido2" {
		t.Errorf("default = %s (%s), want the passkey %v", d.DefaultMethodID, d.DefaultMethod, pk["id"])
	}
	if r := send(t, ts, http.MethodDelete, methodsPath(id, "fido2Methods/"+pk["id"].(string)), nil); r.status != http.StatusNoContent {
		t.Errorf("delete the only passkey: %d %s", r.status, r.body)
	}
	if d := debugState(t, ts, id); d.DefaultMethodID != "" {
		t.Errorf("default after = %q, want none", d.DefaultMethodID)
	}
}

func TestPasskeyControlRejects(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	path := "/_sim/users/" + suzukiID + "/passkeys"
	long := strings.Repeat("鍵", maxPasskeyText+1)
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"aaGuid not a GUID", http.MethodPost, path, map[string]any{"aaGuid": "authenticator"}, 400, codeInvalidRequest},
		{"aaGuid in braces", http.MethodPost, path, map[string]any{"aaGuid": "{" + aaguidAuthenticatorIOS + "}"}, 400, codeInvalidRequest},
		{"aaGuid too short", http.MethodPost, path, map[string]any{"aaGuid": aaguidAuthenticatorIOS[:35]}, 400, codeInvalidRequest},
		{"displayName too long", http.MethodPost, path, map[string]any{"displayName": long}, 400, codeInvalidRequest},
		{"model too long", http.MethodPost, path, map[string]any{"model": long}, 400, codeInvalidRequest},
		{"unknown attestation level", http.MethodPost, path, map[string]any{"attestationLevel": "Attested"}, 400, codeInvalidRequest},
		{"id with a slash", http.MethodPost, path, map[string]any{"id": "a/b"}, 400, codeInvalidRequest},
		{"id too long", http.MethodPost, path, map[string]any{"id": strings.Repeat("a", 129)}, 400, codeInvalidRequest},
		{"id taken", http.MethodPost, path, map[string]any{"id": mobileID}, 409, codeConflict},
		{"aaGuid a number", http.MethodPost, path, `{"aaGuid": 42}`, 400, codeBadRequest},
		{"bad created", http.MethodPost, path, map[string]any{"created": "yesterday"}, 400, codeBadRequest},
		{"not JSON", http.MethodPost, path, `{"aaGuid":`, 400, codeBadRequest},
		{"trailing data", http.MethodPost, path, `{} {}`, 400, codeBadRequest},
		{"unknown user", http.MethodPost, "/_sim/users/nobody@contoso.example/passkeys", nil, 404, codeItemNotFound},
		{"GET", http.MethodGet, path, nil, 405, "methodNotAllowed"},
		{"POST on Graph's collection", http.MethodPost, methodsPath(suzukiID, "fido2Methods"), map[string]any{}, 405, "methodNotAllowed"},
		{"PATCH a passkey", http.MethodPatch, methodsPath(tanakaID, "fido2Methods/"+hashUUID(tanakaID, "fido2Methods", "0")), map[string]any{"displayName": "x"}, 405, "methodNotAllowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := send(t, ts.URL, tt.method, tt.path, tt.body)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if got := r.errCode(t); got != tt.wantCode {
				t.Errorf("code = %q, want %q", got, tt.wantCode)
			}
		})
	}
	t.Cleanup(func() {
		// None of the refused registrations left a passkey behind.
		if got := send(t, ts.URL, http.MethodGet, methodsPath(suzukiID, "fido2Methods"), nil).values(t); len(got) != 0 {
			t.Errorf("refused registrations left %d passkeys", len(got))
		}
	})
}

func TestSeedPasskeyAAGUID(t *testing.T) {
	t.Parallel()
	const id = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"
	seed := `[{"id":"` + id + `","userPrincipalName":"keys@contoso.example","fido2":[
		{"displayName":"iPhone 16","aaGuid":"90A3CCDF-635C-4729-A248-9B709135078F","model":"Microsoft Authenticator - iOS"},
		{"displayName":"YubiKey 5 NFC","model":"YubiKey 5 Series with NFC"}]}]`
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	users, err := LoadSeedFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, New(WithSeed(users)))
	got := send(t, ts, http.MethodGet, methodsPath(id, "fido2Methods"), nil).values(t)
	if len(got) != 2 {
		t.Fatalf("%d passkeys, want 2", len(got))
	}
	if got[0]["aaGuid"] != aaguidAuthenticatorIOS || got[0]["model"] != "Microsoft Authenticator - iOS" {
		t.Errorf("seeded aaGuid: got %v, want the given one in lower case", got[0])
	}
	if got[1]["aaGuid"] != hashUUID("aaguid", "YubiKey 5 Series with NFC") {
		t.Errorf("derived aaGuid: got %v", got[1]["aaGuid"])
	}

	for _, tt := range []struct{ name, json, wantErr string }{
		{"bad aaGuid", `[{"id":"` + id + `","userPrincipalName":"a@c.example","fido2":[{"displayName":"Key","aaGuid":"yubikey"}]}]`, `aaGuid "yubikey" is not a GUID`},
		{"aaGuid on Authenticator", `[{"id":"` + id + `","userPrincipalName":"a@c.example","authenticators":[{"displayName":"iPhone","aaGuid":"` + aaguidAuthenticatorIOS + `"}]}]`, "fido2 passkeys only"},
		{"aaGuid on Windows Hello", `[{"id":"` + id + `","userPrincipalName":"a@c.example","windowsHello":[{"displayName":"PC","aaGuid":"` + aaguidAuthenticatorIOS + `"}]}]`, "fido2 passkeys only"},
	} {
		path := filepath.Join(t.TempDir(), "seed.json")
		if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSeedFile(path); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: LoadSeedFile error = %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestNewPasskeyIDs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := newPasskeyID()
		if !graphPasskeyID.MatchString(id) || isGUID(id) {
			t.Fatalf("id %q is not shaped like Graph's", id)
		}
		if seen[id] {
			t.Fatalf("id %q twice", id)
		}
		seen[id] = true
	}
	// A passkey without displayName is named after its model, else
	// "Passkey".
	_, ts := start(t)
	unknown := "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
	if got := addPasskey(t, ts.URL, satoID, map[string]any{"aaGuid": unknown, "model": "Contoso Key"}); got["displayName"] != "Contoso Key" {
		t.Errorf("displayName = %v, want the model", got["displayName"])
	}
	if got := addPasskey(t, ts.URL, satoID, map[string]any{"aaGuid": unknown}); got["displayName"] != "Passkey" {
		t.Errorf("displayName = %v, want Passkey", got["displayName"])
	}
}
