package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

func TestPasskeyName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, aaguid, model, want string
	}{
		{"Authenticator iOS", "90a3ccdf-635c-4729-a248-9b709135078f", "", "Microsoft Authenticator (iOS)"},
		{"Authenticator Android", "de1e552d-db1d-4423-a619-566b625cdc84", "", "Microsoft Authenticator (Android)"},
		{"known AAGUID beats the model", graph.AAGUIDAuthenticatorIOS, "Some model", "Microsoft Authenticator (iOS)"},
		{"upper case, braces and spaces", " {DE1E552D-DB1D-4423-A619-566B625CDC84} ", "", "Microsoft Authenticator (Android)"},
		{"iCloud Keychain", "fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "", "iCloud Keychain (Apple Passwords)"},
		{"iCloud Keychain managed", "dd4ec289-e01d-41c9-bb89-70fa845d4bf2", "", "iCloud Keychain (managed)"},
		{"Google Password Manager", "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "", "Google Password Manager"},
		{"Windows Hello 1", "08987058-cadc-4b81-b6e1-30de50dcbe96", "", "Windows Hello"},
		{"Windows Hello 2", "9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "", "Windows Hello"},
		{"Windows Hello 3", "6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "", "Windows Hello"},
		{"Samsung Pass", "53414d53-554e-4700-0000-000000000000", "", "Samsung Pass"},
		{"1Password", "bada5566-a7aa-401f-bd96-45619a55120d", "", "1Password"},
		{"Bitwarden", "d548826e-79b4-db40-a3d8-11116f7e8349", "", "Bitwarden"},
		{"YubiKey 5 NFC fw 5.2", "2fc0579f-8113-47ea-b116-bb5a8db9202a", "", "YubiKey 5 Series with NFC"},
		{"YubiKey 5 NFC fw 5.7", "a25342c0-3cdc-4414-8e46-f4807fca511c", "", "YubiKey 5 Series with NFC"},
		{"YubiKey 5 fw 5.1", "cb69481e-8ff7-4039-93ec-0a2729a154a8", "", "YubiKey 5 Series"},
		{"YubiKey 5Ci", "c5ef55ff-ad9a-4b9f-b580-adebafe026d0", "", "YubiKey 5 Series with Lightning"},
		{"YubiKey 5 FIPS", "73bb0cd4-e502-49b8-9c6f-b59445bf720b", "", "YubiKey 5 FIPS Series"},
		// Graph's documentation examples are one digit off real YubiKeys.
		{"doc example, not a YubiKey", "2fc0579f-8113-47ea-b116-555a8db9202a", "NFC key", "NFC key"},
		{"doc example 2, not a YubiKey", "c5ef55ff-ad9a-4b9f-b580-ababafe026d0", "USB key", "USB key"},
		{"unknown AAGUID: the model", "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6", "  Feitian ePass  ", "Feitian ePass"},
		{"all-zero AAGUID: the model", "00000000-0000-0000-0000-000000000000", "Key", "Key"},
		{"nothing known", "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6", " ", graph.DefaultPasskeyName},
		{"nothing at all", "", "", "passkey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := graph.PasskeyName(tt.aaguid, tt.model); got != tt.want {
				t.Errorf("PasskeyName(%q, %q) = %q, want %q", tt.aaguid, tt.model, got, tt.want)
			}
		})
	}
}

func TestPasskeyNameAndKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		p       graph.Passkey
		want    string
		authApp bool
	}{
		{"known AAGUID first", graph.Passkey{AAGUID: graph.AAGUIDAuthenticatorAndroid, Model: "m", DisplayName: "Pixel 8"}, "Microsoft Authenticator (Android)", true},
		{"then the model", graph.Passkey{AAGUID: "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6", Model: "Contoso Key", DisplayName: "My key"}, "Contoso Key", false},
		{"then the display name", graph.Passkey{AAGUID: "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6", DisplayName: " My key "}, "My key", false},
		{"else passkey", graph.Passkey{DisplayName: "  "}, graph.DefaultPasskeyName, false},
		{"Authenticator in upper case", graph.Passkey{AAGUID: "90A3CCDF-635C-4729-A248-9B709135078F"}, "Microsoft Authenticator (iOS)", true},
		{"Windows Hello is not Authenticator", graph.Passkey{AAGUID: "9ddd1817-af5a-4672-a2b9-3e3dd95000a9"}, "Windows Hello", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Name(); got != tt.want {
				t.Errorf("Name() = %q, want %q", got, tt.want)
			}
			if got := tt.p.InAuthenticator(); got != tt.authApp {
				t.Errorf("InAuthenticator() = %v, want %v", got, tt.authApp)
			}
		})
	}
}

func TestNewPasskeys(t *testing.T) {
	t.Parallel()
	a, b, c := graph.Passkey{ID: "a"}, graph.Passkey{ID: "b"}, graph.Passkey{ID: "c"}
	tests := []struct {
		name          string
		before, after []graph.Passkey
		want          []graph.Passkey
	}{
		{"none before", nil, []graph.Passkey{a}, []graph.Passkey{a}},
		{"one added", []graph.Passkey{a, b}, []graph.Passkey{a, c, b}, []graph.Passkey{c}},
		{"one removed, none added", []graph.Passkey{a, b}, []graph.Passkey{b}, nil},
		{"nothing", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, graph.NewPasskeys(tt.before, tt.after)); diff != "" {
				t.Errorf("NewPasskeys (-want +got):\n%s", diff)
			}
		})
	}
}

// registerPasskey acts out a person registering a passkey, through the
// simulator's control endpoint.
func registerPasskey(t *testing.T, s *sim.Server, user string, body map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_sim/users/"+user+"/passkeys", bytes.NewReader(b)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("register passkey: %d %s", rec.Code, rec.Body)
	}
}

// TestReadPasskeys reads passkeys through the real SDK from the simulator,
// before and after the person registers new ones, and names them.
func TestReadPasskeys(t *testing.T) {
	const keyUser = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
	yubikeyAdded := time.Date(2024, 5, 1, 3, 4, 5, 0, time.UTC)
	c, s := newClient(t, sim.WithSeed([]sim.SeedUser{{
		ID: keyUser, UserPrincipalName: "keys@contoso.example",
		Phones: []sim.SeedPhone{{Type: "mobile", Number: "+81 9012345678"}},
		FIDO2: []sim.SeedDevice{{DisplayName: "Blue key", Model: "YubiKey 5 Series with NFC",
			AAGUID: "2fc0579f-8113-47ea-b116-bb5a8db9202a", Created: yubikeyAdded}},
	}}))
	faulty, fs := newClient(t)
	t.Parallel()
	ctx := t.Context()

	before, err := c.Passkeys(ctx, keyUser)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before[0].AAGUID != "2fc0579f-8113-47ea-b116-bb5a8db9202a" || before[0].Model != "YubiKey 5 Series with NFC" ||
		before[0].DisplayName != "Blue key" || !before[0].Created.Equal(yubikeyAdded) || !before[0].Attested || before[0].ID == "" {
		t.Fatalf("seeded passkeys = %+v", before)
	}

	registerPasskey(t, s, keyUser, map[string]any{}) // Authenticator on iOS, the default
	registerPasskey(t, s, keyUser, map[string]any{"aaGuid": "0E4DDF8A-1B2C-4D3E-8F90-A1B2C3D4E5F6", "model": "Contoso Key", "attestationLevel": "notAttested"})
	registerPasskey(t, s, keyUser, map[string]any{"id": "_jpuR-TGZgk6aQCLF3BQjA2", "aaGuid": "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6", "displayName": "Red key"})

	after, err := c.Passkeys(ctx, keyUser)
	if err != nil {
		t.Fatal(err)
	}
	added := graph.NewPasskeys(before, after)
	var names []string
	for _, p := range added {
		names = append(names, p.Name())
	}
	if diff := cmp.Diff([]string{"Microsoft Authenticator (iOS)", "Contoso Key", "Red key"}, names); diff != "" {
		t.Fatalf("new passkeys' names (-want +got):\n%s", diff)
	}
	if app := added[0]; !app.InAuthenticator() || app.AAGUID != graph.AAGUIDAuthenticatorIOS || app.Created.IsZero() || !app.Attested {
		t.Errorf("Authenticator passkey = %+v", app)
	}
	if added[1].AAGUID != "0e4ddf8a-1b2c-4d3e-8f90-a1b2c3d4e5f6" || added[1].Attested || added[1].InAuthenticator() {
		t.Errorf("unattested passkey = %+v, want its AAGUID in lower case and not attested", added[1])
	}
	if got := before[0].Name(); got != "YubiKey 5 Series with NFC" {
		t.Errorf("seeded key's name = %q", got)
	}

	// Methods reads the same passkeys from the methods list, and keeps them
	// among Others for the guardrails and removal.
	m, err := c.Methods(ctx, keyUser)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(after, m.Passkeys); diff != "" {
		t.Errorf("Methods().Passkeys differs from Passkeys() (-fido2Methods +methods):\n%s", diff)
	}
	var fido []string
	for _, o := range m.Others {
		if o.Kind == graph.KindFIDO2 {
			fido = append(fido, o.ID)
		}
	}
	var ids []string
	for _, p := range after {
		ids = append(ids, p.ID)
	}
	if diff := cmp.Diff(ids, fido); diff != "" {
		t.Errorf("FIDO2 ids among Others (-want +got):\n%s", diff)
	}
	if m.MFACapable() != 5 {
		t.Errorf("MFACapable = %d, want 5 (a phone and four passkeys, each once)", m.MFACapable())
	}

	// A passkey goes away by its Graph id, which is no GUID.
	if err := c.DeleteMethod(ctx, keyUser, graph.KindFIDO2, "_jpuR-TGZgk6aQCLF3BQjA2", ""); err != nil {
		t.Fatalf("delete passkey: %v", err)
	}
	if err := c.DeleteMethod(ctx, keyUser, graph.KindFIDO2, added[0].ID, ""); err != nil {
		t.Fatalf("delete passkey: %v", err)
	}
	left, err := c.Passkeys(ctx, keyUser)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0].ID != before[0].ID || left[1].ID != added[1].ID {
		t.Errorf("after deleting two: %+v", left)
	}

	// A provisioned user has none; errors are classified as elsewhere.
	if none, err := faulty.Passkeys(ctx, alice); err != nil || len(none) != 0 {
		t.Errorf("provisioned user: %v, %v; want no passkeys", none, err)
	}
	fs.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/fido2Methods", Status: http.StatusForbidden})
	if _, err := faulty.Passkeys(ctx, alice); graph.KindOf(err) != graph.Forbidden {
		t.Errorf("403: got %v, want Forbidden", err)
	}
}
