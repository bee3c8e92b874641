package faq

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Answers follow the tenant's plan and the date: a notice while SMS and
// voice codes are ending, the "ended" words once they have, and neither
// for a tenant whose provider keeps them.
func TestEntryFollowsTheTenant(t *testing.T) {
	t.Parallel()
	e := &Entry{ID: "sms-not-arriving", SMSVoice: true,
		Title:  Text{JA: "SMSが届かない", EN: "No SMS"},
		Answer: Text{JA: "電波を確認", EN: "Check the signal"},
		Steps:  Lines{JA: []string{"再送する"}, EN: []string{"Resend"}},
		Ended: &Variant{Answer: Text{JA: "{sms_voice_end}で終了。{passkey_kinds}を使う", EN: "Ended on {sms_voice_end}. Use {passkey_kinds}."},
			Actions: []string{ActionPasskey}},
	}
	before := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	after := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC) // the day itself: ended
	microsoft := DefaultTenant()
	provider := microsoft
	provider.Telephony = TelephonyProvider
	none := microsoft
	none.Telephony = TelephonyNone
	keysOnly := microsoft
	keysOnly.PasskeyKinds = []string{PasskeySecurityKey}
	for _, tt := range []struct {
		name        string
		t           Tenant
		now         time.Time
		answer      string
		notice      bool
		passkeyStep bool
	}{
		{"Microsoft, before the date", microsoft, before, "Check the signal", true, true},
		{"Microsoft, on the date", microsoft, after, "Ended on 1 February 2027. Use a passkey in the Microsoft Authenticator app, a synced passkey (iCloud Keychain, Google Password Manager), Windows Hello, a security key (FIDO2).", false, true},
		{"a provider, after the date", provider, after.AddDate(1, 0, 0), "Check the signal", false, false},
		{"no telephony, before the date", none, before, "Ended on 1 February 2027. Use a passkey in the Microsoft Authenticator app, a synced passkey (iCloud Keychain, Google Password Manager), Windows Hello, a security key (FIDO2).", false, true},
		{"security keys only, after", keysOnly, after, "Ended on 1 February 2027. Use a security key (FIDO2).", false, true},
	} {
		v := e.In(tt.t, tt.now)
		if v.Answer.EN != tt.answer {
			t.Errorf("%s: answer %q, want %q", tt.name, v.Answer.EN, tt.answer)
		}
		if (v.Notice.EN != "") != tt.notice || (tt.notice && !strings.Contains(v.Notice.JA, "2027年2月1日")) {
			t.Errorf("%s: notice %q, want one: %t", tt.name, v.Notice.EN, tt.notice)
		}
		if got := slices.Contains(v.Actions, ActionPasskey); got != tt.passkeyStep {
			t.Errorf("%s: actions %v, want a passkey button: %t", tt.name, v.Actions, tt.passkeyStep)
		}
		if ended := tt.t.PhoneCodesEnded(tt.now); ended && len(v.Steps.EN) != 0 || !ended && len(v.Steps.EN) == 0 {
			t.Errorf("%s: steps %v", tt.name, v.Steps.EN)
		}
	}
	if got := e.In(microsoft, after).Answer.JA; !strings.HasPrefix(got, "2027年2月1日で終了。") {
		t.Errorf("Japanese date: %q", got)
	}
}

func TestParsePasskeyKinds(t *testing.T) {
	t.Parallel()
	got, err := ParsePasskeyKinds(" security-key,Authenticator,security-key ")
	if err != nil || strings.Join(got, ",") != "authenticator,security-key" {
		t.Errorf("got %v, %v; want authenticator,security-key in order, once each", got, err)
	}
	if _, err := ParsePasskeyKinds("authenticator,face-id"); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
