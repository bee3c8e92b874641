package faq

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Tenant is what the organisation told the bot about its own plan
// (configuration): whether SMS and voice codes go on, and which passkeys
// it allows. Answers follow it, and the date.
//
// Microsoft Entra ends Microsoft-provided SMS and voice codes in public
// cloud tenants on 1 February 2027; a tenant that contracted a telephony
// provider through the Microsoft Security Store keeps them. From then on,
// someone whose only methods are SMS or voice must register a passkey at
// sign-in (MicrosoftDocs/entra-docs, concept-sms-voice-retirement.md).
type Tenant struct {
	Telephony    string    // TelephonyMicrosoft, TelephonyProvider or TelephonyNone
	SMSVoiceEnd  time.Time // the day Microsoft-provided SMS and voice end
	PasskeyKinds []string  // the kinds the organisation allows, in PasskeyKinds order
}

// Telephony plans.
const (
	// TelephonyMicrosoft: Microsoft sends the codes, until SMSVoiceEnd.
	TelephonyMicrosoft = "microsoft"
	// TelephonyProvider: the organisation contracted a provider, so SMS
	// and voice codes go on after the date.
	TelephonyProvider = "provider"
	// TelephonyNone: the organisation does not use SMS or voice at all.
	TelephonyNone = "none"
)

// Passkey kinds an organisation may allow.
const (
	PasskeyAuthenticator = "authenticator" // in Microsoft Authenticator (device-bound)
	PasskeySynced        = "synced"        // iCloud Keychain, Google Password Manager
	PasskeyWindowsHello  = "windows-hello"
	PasskeySecurityKey   = "security-key" // FIDO2 security keys
)

// PasskeyKinds lists every kind, in the order answers name them.
var PasskeyKinds = []string{PasskeyAuthenticator, PasskeySynced, PasskeyWindowsHello, PasskeySecurityKey}

// DefaultSMSVoiceEnd is Microsoft's date for public-cloud tenants.
var DefaultSMSVoiceEnd = time.Date(2027, time.February, 1, 0, 0, 0, 0, time.UTC)

// DefaultTenant is Microsoft's plan with every passkey kind allowed.
func DefaultTenant() Tenant {
	return Tenant{Telephony: TelephonyMicrosoft, SMSVoiceEnd: DefaultSMSVoiceEnd, PasskeyKinds: slices.Clone(PasskeyKinds)}
}

// CheckTelephony accepts a telephony plan.
func CheckTelephony(s string) error {
	switch s {
	case TelephonyMicrosoft, TelephonyProvider, TelephonyNone:
		return nil
	}
	return fmt.Errorf("%q is not a telephony plan (microsoft, provider or none)", s)
}

// ParsePasskeyKinds reads a comma-separated list of kinds into PasskeyKinds
// order. An empty list is allowed: the organisation offers no passkey yet.
func ParsePasskeyKinds(s string) ([]string, error) {
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if !slices.Contains(PasskeyKinds, k) {
			return nil, fmt.Errorf("%q is not a passkey kind (%s)", k, strings.Join(PasskeyKinds, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(PasskeyKinds, a) - slices.Index(PasskeyKinds, b) })
	return out, nil
}

// PhoneCodesEnded reports whether SMS and voice codes no longer reach
// people of this tenant at now.
func (t Tenant) PhoneCodesEnded(now time.Time) bool {
	switch t.Telephony {
	case TelephonyNone:
		return true
	case TelephonyProvider:
		return false
	}
	return !now.Before(t.SMSVoiceEnd)
}

// PhoneCodesEnding reports whether SMS and voice codes still work at now
// but will end on SMSVoiceEnd.
func (t Tenant) PhoneCodesEnding(now time.Time) bool {
	return t.Telephony == TelephonyMicrosoft && now.Before(t.SMSVoiceEnd)
}

// Allows reports whether the organisation allows a passkey kind.
func (t Tenant) Allows(kind string) bool { return slices.Contains(t.PasskeyKinds, kind) }

// View is an entry as a person of the tenant sees it at a time: the words
// that apply then, with the tenant's facts filled in.
type View struct {
	Title   Text
	Answer  Text
	Steps   Lines
	Links   []Link
	Actions []string
	// Notice, when set, goes above the answer: SMS and voice codes are
	// ending (or have ended) for this tenant.
	Notice Text
}

// In returns the entry as tenant t sees it at now: its when_sms_voice_ended
// variant once SMS and voice codes have ended, a notice on SMS and voice
// topics before that, and {sms_voice_end} and {passkey_kinds} filled in.
func (e *Entry) In(t Tenant, now time.Time) View {
	v := View{Title: e.Title, Answer: e.Answer, Steps: e.Steps, Links: e.Links, Actions: e.Actions}
	ended := t.PhoneCodesEnded(now)
	switch {
	case ended && e.Ended != nil:
		v.Answer, v.Steps, v.Links, v.Actions = e.Ended.Answer, e.Ended.Steps, e.Ended.Links, e.Ended.Actions
	case ended && e.SMSVoice:
		v.Notice = txtEndedNotice
	case t.PhoneCodesEnding(now) && e.SMSVoice:
		v.Notice = txtEndingNotice
	}
	if v.Notice != (Text{}) && !slices.Contains(v.Actions, ActionPasskey) {
		// The notice says to register a passkey: the button is there.
		v.Actions = append([]string{ActionPasskey}, v.Actions...)
	}
	fill := func(s string, ja bool) string {
		if !strings.Contains(s, "{") {
			return s
		}
		return t.placeholders(ja).Replace(s)
	}
	text := func(x Text) Text { return Text{JA: fill(x.JA, true), EN: fill(x.EN, false)} }
	v.Title, v.Answer, v.Notice = text(v.Title), text(v.Answer), text(v.Notice)
	steps := Lines{JA: make([]string, len(v.Steps.JA)), EN: make([]string, len(v.Steps.EN))}
	for i, s := range v.Steps.JA {
		steps.JA[i] = fill(s, true)
	}
	for i, s := range v.Steps.EN {
		steps.EN[i] = fill(s, false)
	}
	v.Steps = steps
	return v
}

// placeholders fills {sms_voice_end} and {passkey_kinds} in one language.
// Replacers are kept per wording: building one costs more than the rest of
// an answer.
func (t Tenant) placeholders(ja bool) *strings.Replacer {
	date, kinds := t.SMSVoiceEnd.Format("2 January 2006"), t.kindNames(false)
	if ja {
		date, kinds = t.SMSVoiceEnd.Format("2006年1月2日"), t.kindNames(true)
	}
	key := date + "\x00" + kinds
	if r, ok := placeholderReplacers.Load(key); ok {
		return r.(*strings.Replacer)
	}
	r, _ := placeholderReplacers.LoadOrStore(key, strings.NewReplacer("{sms_voice_end}", date, "{passkey_kinds}", kinds))
	return r.(*strings.Replacer)
}

// placeholderReplacers holds one replacer per wording: a tenant's two
// languages, so a handful per process.
var placeholderReplacers sync.Map

// kindNames lists the allowed kinds in words.
func (t Tenant) kindNames(ja bool) string {
	if len(t.PasskeyKinds) == 0 {
		if ja {
			return "（この組織ではまだ使えません。ヘルプデスクにお問い合わせください）"
		}
		return "(none yet in this organisation: please ask the helpdesk)"
	}
	names := make([]string, len(t.PasskeyKinds))
	for i, k := range t.PasskeyKinds {
		names[i] = passkeyKindNames[k].EN
		if ja {
			names[i] = passkeyKindNames[k].JA
		}
	}
	if ja {
		return strings.Join(names, "、")
	}
	return strings.Join(names, ", ")
}

var passkeyKindNames = map[string]Text{
	PasskeyAuthenticator: {JA: "Microsoft Authenticator アプリのパスキー", EN: "a passkey in the Microsoft Authenticator app"},
	PasskeySynced:        {JA: "同期パスキー（iCloud キーチェーン、Google パスワード マネージャー）", EN: "a synced passkey (iCloud Keychain, Google Password Manager)"},
	PasskeyWindowsHello:  {JA: "Windows Hello", EN: "Windows Hello"},
	PasskeySecurityKey:   {JA: "セキュリティキー（FIDO2）", EN: "a security key (FIDO2)"},
}

var (
	txtEndingNotice = Text{
		JA: "Microsoft が送る SMS と音声通話のコードは{sms_voice_end}で終わります。今のうちにパスキーを登録しておくと、その日以降も困りません。",
		EN: "The SMS and voice codes Microsoft sends end on {sms_voice_end}. Register a passkey now, and nothing changes for you on that day.",
	}
	txtEndedNotice = Text{
		JA: "この組織では、SMS と音声通話のコードはもう使えません。パスキーでサインインしてください。",
		EN: "SMS and voice codes no longer work in this organisation. Sign in with a passkey instead.",
	}
)
