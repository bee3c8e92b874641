package graph

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// The guardrails: pure checks over a person's registered [Methods] that run
// before every write. Some repeat a refusal Graph would give anyway, so the
// person gets a clear reason before confirming rather than a 400 after; the
// others (last method, duplicate number, SMS on a landline) stop writes
// Graph would accept but the person would regret.

// MaxAuthenticators is how many Microsoft Authenticator devices one person
// may register.
const MaxAuthenticators = 5

// Rule names one guardrail. Its value is a stable code, safe to log.
type Rule string

// The guardrails.
const (
	// RuleLastMethod keeps at least one MFA-capable method (see
	// [Methods.MFACapable]): without one the person can't sign in, can't
	// reach https://aka.ms/mysecurityinfo to fix it, and needs the help desk.
	RuleLastMethod Rule = "last_method"
	// RuleDefaultMethod: Graph refuses to delete the default sign-in method
	// while other methods exist. The person first makes another method the
	// default at https://aka.ms/mysecurityinfo, or changes the number instead.
	RuleDefaultMethod Rule = "default_method"
	// RuleSlotTaken: Graph allows one phone per type; a second one is a
	// change of number, not an addition.
	RuleSlotTaken Rule = "slot_taken"
	// RuleSlotEmpty: there is no number in the slot to change; the person
	// wants to add one.
	RuleSlotEmpty Rule = "slot_empty"
	// RuleAlternateNeedsMobile: Graph requires a mobile phone before an
	// alternate mobile phone.
	RuleAlternateNeedsMobile Rule = "alternate_needs_mobile"
	// RuleMobileWithAlternate: Graph refuses to delete the mobile phone while
	// an alternate mobile phone exists; changing the mobile's number does what
	// the person wants without orphaning the alternate.
	RuleMobileWithAlternate Rule = "mobile_with_alternate"
	// RuleTooManyAuthenticators: Entra allows at most [MaxAuthenticators]
	// Authenticator devices; a new one can only be added after one is removed.
	RuleTooManyAuthenticators Rule = "too_many_authenticators"
	// RuleOfficeVoiceOnly: an office phone only receives voice calls, never
	// SMS (Graph's phoneAuthenticationMethod documentation).
	RuleOfficeVoiceOnly Rule = "office_voice_only"
	// RuleNoSMSOnLandline: a landline or IP phone number can't receive SMS
	// (seed manual 000: "固定電話の場合は SMS の認証は設定しないでください"),
	// so choosing SMS for one would leave the person with a code that never
	// arrives.
	RuleNoSMSOnLandline Rule = "no_sms_on_landline"
	// RuleSameNumber: the new number is the one already registered; a
	// "change" would do nothing but look like it worked.
	RuleSameNumber Rule = "same_number"
	// RuleDuplicateNumber: the number is already registered in another slot.
	// A second slot with the same number adds no fallback: if that phone is
	// lost, both are.
	RuleDuplicateNumber Rule = "duplicate_number"
	// RuleUnsupportedMethod: the bot only deletes Authenticator devices,
	// software OATH tokens, FIDO2 keys and (through [CheckDeletePhone])
	// phones; email, Windows Hello, passes and passwords are out of its reach.
	RuleUnsupportedMethod Rule = "unsupported_method"
)

// GuardError is a write a guardrail refused. Error() holds the rule's code
// only, no personal data.
type GuardError struct {
	Rule Rule
}

// Error returns the rule's code.
func (e *GuardError) Error() string {
	return "graph: refused by guardrail " + string(e.Rule)
}

func refuse(r Rule) error { return &GuardError{Rule: r} }

// CheckAddPhone checks adding p in the empty slot t. wantSMS is whether the
// person means to receive SMS codes on it. A zero p is refused with a
// [*PhoneError] (PhoneEmpty): callers get p from [ParsePhone].
func CheckAddPhone(m Methods, t PhoneType, p Phone, wantSMS bool) error {
	if p.E164 == "" {
		return &PhoneError{Reason: PhoneEmpty}
	}
	if _, ok := m.Phone(t); ok {
		return refuse(RuleSlotTaken)
	}
	if t == AlternateMobile {
		if _, ok := m.Phone(Mobile); !ok {
			return refuse(RuleAlternateNeedsMobile)
		}
	}
	return checkNewNumber(m, t, p, wantSMS)
}

// CheckChangePhone checks replacing the number in the occupied slot t with
// p. wantSMS is whether the person means to receive SMS codes on it.
func CheckChangePhone(m Methods, t PhoneType, p Phone, wantSMS bool) error {
	if p.E164 == "" {
		return &PhoneError{Reason: PhoneEmpty}
	}
	cur, ok := m.Phone(t)
	if !ok {
		return refuse(RuleSlotEmpty)
	}
	if sameNumber(cur.Number, p) {
		return refuse(RuleSameNumber)
	}
	return checkNewNumber(m, t, p, wantSMS)
}

// checkNewNumber holds the rules adding and changing share: the number must
// not be in another slot, and SMS must be something it can receive.
func checkNewNumber(m Methods, t PhoneType, p Phone, wantSMS bool) error {
	for _, other := range m.Phones {
		if other.Type != t && sameNumber(other.Number, p) {
			return refuse(RuleDuplicateNumber)
		}
	}
	if wantSMS && t == Office {
		return refuse(RuleOfficeVoiceOnly)
	}
	if wantSMS && !p.CanSMS() {
		return refuse(RuleNoSMSOnLandline)
	}
	return nil
}

// CheckDeletePhone checks deleting the phone in slot t. defaultMethodID is
// the id of the person's default sign-in method, "" when unknown (Graph
// v1.0 can't read it): then the default-method rule is skipped and Graph's
// own refusal is the guard. A phone is the default when defaultMethodID is
// its slot's fixed id ([PhoneMethodIDs]). Deleting an empty slot passes:
// there is nothing to protect, and a retried delete must succeed.
func CheckDeletePhone(m Methods, t PhoneType, defaultMethodID string) error {
	p, ok := m.Phone(t)
	if !ok {
		return nil
	}
	if m.MFACapable() <= 1 {
		return refuse(RuleLastMethod)
	}
	if t == Mobile {
		if _, ok := m.Phone(AlternateMobile); ok {
			return refuse(RuleMobileWithAlternate)
		}
	}
	if defaultMethodID != "" && (defaultMethodID == p.ID || defaultMethodID == PhoneMethodIDs[t]) {
		return refuse(RuleDefaultMethod)
	}
	return nil
}

// CheckDeleteMethod checks deleting the Authenticator device, software OATH
// token or FIDO2 key with the given id; other kinds are refused with
// [RuleUnsupportedMethod] (phones go through [CheckDeletePhone]).
// defaultMethodID is as for [CheckDeletePhone]. A method that is no longer
// registered passes, so a retried delete succeeds.
func CheckDeleteMethod(m Methods, kind MethodKind, id string, defaultMethodID string) error {
	var found bool
	switch kind {
	case KindAuthenticator:
		for _, a := range m.Authenticators {
			found = found || a.ID == id
		}
	case KindSoftwareOATH, KindFIDO2:
		for _, o := range m.Others {
			found = found || o.Kind == kind && o.ID == id
		}
	default:
		return refuse(RuleUnsupportedMethod)
	}
	if !found {
		return nil
	}
	if m.MFACapable() <= 1 {
		return refuse(RuleLastMethod)
	}
	if defaultMethodID != "" && defaultMethodID == id {
		return refuse(RuleDefaultMethod)
	}
	return nil
}

// CheckAddAuthenticator checks that one more Authenticator device may be
// registered (the person does that at https://aka.ms/mysecurityinfo; Graph
// can't).
func CheckAddAuthenticator(m Methods) error {
	if len(m.Authenticators) >= MaxAuthenticators {
		return refuse(RuleTooManyAuthenticators)
	}
	return nil
}

// sameNumber reports whether a number as Graph stored it is p. Stored
// numbers are compared in E.164, so "+81 09012345678" (a trunk 0 someone
// typed at aka.ms/mysecurityinfo) equals "+81 9012345678"; an extension
// makes a different number, so replacing "+81 312345678x12" with
// "+81 312345678" is a real change.
func sameNumber(stored string, p Phone) bool {
	return canonicalStored(stored) == p.E164
}

// canonicalStored is a stored number in E.164, with "x" and the extension
// if it has one; odd input that libphonenumber can't read falls back to "+"
// and its digits.
func canonicalStored(stored string) string {
	s := strings.TrimSpace(norm.NFKC.String(stored))
	if num, err := phonenumbers.Parse(s, ""); err == nil {
		e := "+" + strconv.Itoa(int(num.GetCountryCode())) + phonenumbers.GetNationalSignificantNumber(num)
		if x := num.GetExtension(); x != "" {
			e += "x" + x
		}
		return e
	}
	return "+" + digitsOnly(s)
}

// Rules lists every guardrail, so that a test can check each has words
// (package cards).
var Rules = []Rule{
	RuleLastMethod, RuleDefaultMethod, RuleSlotTaken, RuleSlotEmpty,
	RuleAlternateNeedsMobile, RuleMobileWithAlternate, RuleTooManyAuthenticators,
	RuleOfficeVoiceOnly, RuleNoSMSOnLandline, RuleSameNumber, RuleDuplicateNumber,
	RuleUnsupportedMethod,
}
