package graph

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func mustPhone(t *testing.T, in string) Phone {
	t.Helper()
	p, err := ParsePhone(in, "JP")
	if err != nil {
		t.Fatalf("ParsePhone(%q): %v", in, err)
	}
	return p
}

func phoneIn(t PhoneType, number string) PhoneMethod {
	return PhoneMethod{ID: PhoneMethodIDs[t], Type: t, Number: number, Masked: MaskNumber(number)}
}

func authenticators(n int) []AuthenticatorDevice {
	var out []AuthenticatorDevice
	for i := range n {
		out = append(out, AuthenticatorDevice{ID: "auth-" + string(rune('a'+i)), DisplayName: "iPhone"})
	}
	return out
}

var (
	mobilePhone    = phoneIn(Mobile, "+81 9012345678")
	mobileTrunk0   = phoneIn(Mobile, "+81 09012345678") // as someone typed it at aka.ms/mysecurityinfo
	alternatePhone = phoneIn(AlternateMobile, "+81 8012345678")
	officePhone    = phoneIn(Office, "+81 312345678")
	officeWithExt  = phoneIn(Office, "+81 312345678x12")
	oath           = OtherMethod{ID: "oath-1", Kind: KindSoftwareOATH}
	fido           = OtherMethod{ID: "fido-1", Kind: KindFIDO2, DisplayName: "YubiKey 5"}
	email          = OtherMethod{ID: "email-1", Kind: KindEmail}
	tap            = OtherMethod{ID: "tap-1", Kind: KindTAP}
)

// checkRule asserts err is nil when want is "", else a *GuardError for want.
func checkRule(t *testing.T, err error, want Rule) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	var ge *GuardError
	if !errors.As(err, &ge) {
		t.Fatalf("got %v, want *GuardError %q", err, want)
	}
	if ge.Rule != want {
		t.Errorf("got rule %q, want %q", ge.Rule, want)
	}
	if !strings.Contains(err.Error(), string(want)) || strings.ContainsAny(err.Error(), "0123456789") {
		t.Errorf("Error() = %q: want the rule code and no digits", err.Error())
	}
}

func TestGuardAddPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		m       Methods
		slot    PhoneType
		number  string
		wantSMS bool
		want    Rule
	}{
		{"first mobile, SMS", Methods{}, Mobile, "090-1234-5678", true, ""},
		{"first mobile, voice", Methods{}, Mobile, "090-1234-5678", false, ""},
		{"landline as mobile, voice (manual 000 allows it)", Methods{}, Mobile, "03-1234-5678", false, ""},
		{"landline as mobile, SMS", Methods{}, Mobile, "03-1234-5678", true, RuleNoSMSOnLandline},
		{"050 IP phone, voice", Methods{}, Mobile, "050-1234-5678", false, ""},
		{"050 IP phone, SMS", Methods{}, Mobile, "050-1234-5678", true, RuleNoSMSOnLandline},
		{"US mobile-or-fixed, SMS", Methods{}, Mobile, "+1 415 555 2671", true, ""},
		{"mobile slot taken", Methods{Phones: []PhoneMethod{mobilePhone}}, Mobile, "080-9999-0000", false, RuleSlotTaken},
		{"office slot taken", Methods{Phones: []PhoneMethod{officePhone}}, Office, "06-1234-5678", false, RuleSlotTaken},
		{"alternate without mobile", Methods{Phones: []PhoneMethod{officePhone}}, AlternateMobile, "080-1234-5678", false, RuleAlternateNeedsMobile},
		{"alternate with mobile", Methods{Phones: []PhoneMethod{mobilePhone}}, AlternateMobile, "080-1234-5678", false, ""},
		{"alternate with the mobile's number", Methods{Phones: []PhoneMethod{mobilePhone}}, AlternateMobile, "090-1234-5678", false, RuleDuplicateNumber},
		{"alternate with the mobile's number stored with trunk 0", Methods{Phones: []PhoneMethod{mobileTrunk0}}, AlternateMobile, "+81 90 1234 5678", false, RuleDuplicateNumber},
		{"office with the mobile's number", Methods{Phones: []PhoneMethod{mobilePhone}}, Office, "090-1234-5678", false, RuleDuplicateNumber},
		{"mobile with the office number", Methods{Phones: []PhoneMethod{officePhone}}, Mobile, "03-1234-5678", false, RuleDuplicateNumber},
		{"mobile with the office's main number (office has an extension)", Methods{Phones: []PhoneMethod{officeWithExt}}, Mobile, "03-1234-5678", false, ""},
		{"office, voice", Methods{Phones: []PhoneMethod{mobilePhone}}, Office, "03-1234-5678", false, ""},
		{"office, SMS on a mobile number", Methods{}, Office, "080-1234-5678", true, RuleOfficeVoiceOnly},
		{"office, SMS on a landline", Methods{}, Office, "03-1234-5678", true, RuleOfficeVoiceOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkRule(t, CheckAddPhone(tc.m, tc.slot, mustPhone(t, tc.number), tc.wantSMS), tc.want)
		})
	}
}

func TestGuardChangePhone(t *testing.T) {
	t.Parallel()
	all := Methods{Phones: []PhoneMethod{mobilePhone, alternatePhone, officePhone}}
	tests := []struct {
		name    string
		m       Methods
		slot    PhoneType
		number  string
		wantSMS bool
		want    Rule
	}{
		{"new mobile number, SMS", all, Mobile, "070-1111-2222", true, ""},
		{"new mobile number, voice", all, Mobile, "070-1111-2222", false, ""},
		{"empty slot", Methods{Phones: []PhoneMethod{mobilePhone}}, Office, "03-1234-5678", false, RuleSlotEmpty},
		{"nothing registered", Methods{}, Mobile, "090-1234-5678", false, RuleSlotEmpty},
		{"same number", all, Mobile, "090-1234-5678", true, RuleSameNumber},
		{"same number, typed differently", all, Mobile, "＋８１ ９０−１２３４−５６７８", false, RuleSameNumber},
		{"same number, stored with trunk 0", Methods{Phones: []PhoneMethod{mobileTrunk0}}, Mobile, "090-1234-5678", false, RuleSameNumber},
		{"dropping the office extension is a change", Methods{Phones: []PhoneMethod{mobilePhone, officeWithExt}}, Office, "03-1234-5678", false, ""},
		{"alternate to the mobile's number", all, AlternateMobile, "090-1234-5678", false, RuleDuplicateNumber},
		{"mobile to the office number", all, Mobile, "03-1234-5678", false, RuleDuplicateNumber},
		{"office, SMS", all, Office, "06-1234-5678", true, RuleOfficeVoiceOnly},
		{"office, voice", all, Office, "06-1234-5678", false, ""},
		{"mobile to a landline, SMS", all, Mobile, "06-1234-5678", true, RuleNoSMSOnLandline},
		{"mobile to a landline, voice", all, Mobile, "06-1234-5678", false, ""},
		{"alternate to 050, SMS", all, AlternateMobile, "050-1234-5678", true, RuleNoSMSOnLandline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkRule(t, CheckChangePhone(tc.m, tc.slot, mustPhone(t, tc.number), tc.wantSMS), tc.want)
		})
	}
}

func TestGuardRefusesZeroPhone(t *testing.T) {
	t.Parallel()
	for name, err := range map[string]error{
		"add":    CheckAddPhone(Methods{}, Mobile, Phone{}, false),
		"change": CheckChangePhone(Methods{Phones: []PhoneMethod{mobilePhone}}, Mobile, Phone{}, false),
	} {
		var pe *PhoneError
		if !errors.As(err, &pe) || pe.Reason != PhoneEmpty {
			t.Errorf("%s with a zero Phone: got %v, want a PhoneError %q", name, err, PhoneEmpty)
		}
	}
}

func TestGuardDeletePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		m         Methods
		slot      PhoneType
		defaultID string
		want      Rule
	}{
		{name: "only method", m: Methods{Phones: []PhoneMethod{mobilePhone}, HasPassword: true}, slot: Mobile, want: RuleLastMethod},
		{name: "only method besides email", m: Methods{Phones: []PhoneMethod{officePhone}, Others: []OtherMethod{email}}, slot: Office, want: RuleLastMethod},
		{name: "a pass remains", m: Methods{Phones: []PhoneMethod{mobilePhone}, Others: []OtherMethod{tap}}, slot: Mobile},
		{name: "an Authenticator remains", m: Methods{Phones: []PhoneMethod{mobilePhone}, Authenticators: authenticators(1)}, slot: Mobile},
		{name: "a FIDO2 key remains", m: Methods{Phones: []PhoneMethod{officePhone}, Others: []OtherMethod{fido}}, slot: Office},
		{name: "mobile while alternate exists", m: Methods{Phones: []PhoneMethod{mobilePhone, alternatePhone}}, slot: Mobile, want: RuleMobileWithAlternate},
		{name: "alternate while mobile exists", m: Methods{Phones: []PhoneMethod{mobilePhone, alternatePhone}}, slot: AlternateMobile},
		{name: "default, others exist", m: Methods{Phones: []PhoneMethod{mobilePhone}, Authenticators: authenticators(1)}, slot: Mobile, defaultID: PhoneMethodIDs[Mobile], want: RuleDefaultMethod},
		{name: "default office, others exist", m: Methods{Phones: []PhoneMethod{mobilePhone, officePhone}}, slot: Office, defaultID: PhoneMethodIDs[Office], want: RuleDefaultMethod},
		{name: "default unknown", m: Methods{Phones: []PhoneMethod{mobilePhone}, Authenticators: authenticators(1)}, slot: Mobile, defaultID: ""},
		{name: "another method is the default", m: Methods{Phones: []PhoneMethod{mobilePhone}, Authenticators: authenticators(1)}, slot: Mobile, defaultID: "auth-a"},
		{name: "default and the last method", m: Methods{Phones: []PhoneMethod{mobilePhone}}, slot: Mobile, defaultID: PhoneMethodIDs[Mobile], want: RuleLastMethod},
		{name: "empty slot: nothing to protect, a retry succeeds", m: Methods{Phones: []PhoneMethod{mobilePhone}}, slot: Office},
		{name: "nothing registered", m: Methods{}, slot: Mobile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkRule(t, CheckDeletePhone(tc.m, tc.slot, tc.defaultID), tc.want)
		})
	}
}

func TestGuardDeleteMethod(t *testing.T) {
	t.Parallel()
	withPhone := func(m Methods) Methods {
		m.Phones = []PhoneMethod{mobilePhone}
		return m
	}
	tests := []struct {
		name      string
		m         Methods
		kind      MethodKind
		id        string
		defaultID string
		want      Rule
	}{
		{name: "last Authenticator", m: Methods{Authenticators: authenticators(1), HasPassword: true}, kind: KindAuthenticator, id: "auth-a", want: RuleLastMethod},
		{name: "last Authenticator besides email", m: Methods{Authenticators: authenticators(1), Others: []OtherMethod{email}}, kind: KindAuthenticator, id: "auth-a", want: RuleLastMethod},
		{name: "Authenticator, a phone remains", m: withPhone(Methods{Authenticators: authenticators(1)}), kind: KindAuthenticator, id: "auth-a"},
		{name: "one of two Authenticators", m: Methods{Authenticators: authenticators(2)}, kind: KindAuthenticator, id: "auth-b"},
		{name: "default Authenticator, others exist", m: withPhone(Methods{Authenticators: authenticators(1)}), kind: KindAuthenticator, id: "auth-a", defaultID: "auth-a", want: RuleDefaultMethod},
		{name: "Authenticator, default unknown", m: withPhone(Methods{Authenticators: authenticators(1)}), kind: KindAuthenticator, id: "auth-a", defaultID: ""},
		{name: "Authenticator, another default", m: withPhone(Methods{Authenticators: authenticators(1)}), kind: KindAuthenticator, id: "auth-a", defaultID: PhoneMethodIDs[Mobile]},
		{name: "last software OATH", m: Methods{Others: []OtherMethod{oath}}, kind: KindSoftwareOATH, id: "oath-1", want: RuleLastMethod},
		{name: "software OATH, a key remains", m: Methods{Others: []OtherMethod{oath, fido}}, kind: KindSoftwareOATH, id: "oath-1"},
		{name: "default software OATH", m: Methods{Others: []OtherMethod{oath, fido}}, kind: KindSoftwareOATH, id: "oath-1", defaultID: "oath-1", want: RuleDefaultMethod},
		{name: "last FIDO2 key", m: Methods{Others: []OtherMethod{fido, email}}, kind: KindFIDO2, id: "fido-1", want: RuleLastMethod},
		{name: "FIDO2 key, a pass remains", m: Methods{Others: []OtherMethod{fido, tap}}, kind: KindFIDO2, id: "fido-1"},
		{name: "default FIDO2 key", m: withPhone(Methods{Others: []OtherMethod{fido}}), kind: KindFIDO2, id: "fido-1", defaultID: "fido-1", want: RuleDefaultMethod},
		{name: "gone already: a retry succeeds", m: Methods{Others: []OtherMethod{oath}}, kind: KindAuthenticator, id: "auth-a"},
		{name: "id of another kind", m: Methods{Others: []OtherMethod{oath}}, kind: KindFIDO2, id: "oath-1"},
		{name: "email", m: withPhone(Methods{Others: []OtherMethod{email}}), kind: KindEmail, id: "email-1", want: RuleUnsupportedMethod},
		{name: "phone", m: withPhone(Methods{Authenticators: authenticators(1)}), kind: KindPhone, id: PhoneMethodIDs[Mobile], want: RuleUnsupportedMethod},
		{name: "Windows Hello", m: withPhone(Methods{}), kind: KindWindowsHello, id: "whfb-1", want: RuleUnsupportedMethod},
		{name: "pass", m: withPhone(Methods{Others: []OtherMethod{tap}}), kind: KindTAP, id: "tap-1", want: RuleUnsupportedMethod},
		{name: "password", m: withPhone(Methods{HasPassword: true}), kind: KindPassword, id: "pw", want: RuleUnsupportedMethod},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkRule(t, CheckDeleteMethod(tc.m, tc.kind, tc.id, tc.defaultID), tc.want)
		})
	}
}

func TestGuardAddAuthenticator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		have int
		want Rule
	}{
		{0, ""},
		{1, ""},
		{MaxAuthenticators - 1, ""},
		{MaxAuthenticators, RuleTooManyAuthenticators},
		{MaxAuthenticators + 1, RuleTooManyAuthenticators},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.have)+" devices", func(t *testing.T) {
			t.Parallel()
			// Other methods don't count towards the limit.
			m := Methods{Authenticators: authenticators(tc.have), Others: []OtherMethod{oath, oath, oath, oath, oath, fido}}
			checkRule(t, CheckAddAuthenticator(m), tc.want)
		})
	}
}
