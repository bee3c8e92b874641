// Package graph is the bot's view of Microsoft Graph's authentication
// methods: a narrow API of plain Go types (list, add, change and remove a
// person's sign-in methods, read and name their passkeys, issue a Temporary
// Access Pass, read the user, their directory roles and group memberships,
// send a notification mail; for a campaign, stream the tenant's methods
// registration report or a group's members and install the bot for people)
// over msgraph-sdk-go, the guardrails every change must pass, phone number
// normalisation, and (in graph/sim) a simulator that speaks Graph's HTTP
// API for local mode and tests.
package graph

import (
	"strings"
	"time"
)

// PhoneType is the slot a phone number occupies. Graph allows one number
// per slot.
type PhoneType string

// The phone slots, as Graph names them.
const (
	Mobile          PhoneType = "mobile"
	AlternateMobile PhoneType = "alternateMobile"
	Office          PhoneType = "office"
)

// PhoneMethodIDs are Graph's fixed ids of the phone slots.
var PhoneMethodIDs = map[PhoneType]string{
	Mobile:          "3179e48a-750b-4051-897c-87b9720928f7",
	AlternateMobile: "b6332ec1-7057-4abe-9331-3d72feddfe41",
	Office:          "e37fc753-ff3b-4958-9484-eaa9425c82bc",
}

// SMSSignInState is whether a phone can be used to sign in with SMS alone.
type SMSSignInState string

// MethodKind names a kind of authentication method.
type MethodKind string

// Method kinds.
const (
	KindPhone         MethodKind = "phone"
	KindAuthenticator MethodKind = "microsoftAuthenticator"
	KindSoftwareOATH  MethodKind = "softwareOath"
	KindFIDO2         MethodKind = "fido2"
	KindEmail         MethodKind = "email"
	KindWindowsHello  MethodKind = "windowsHelloForBusiness"
	KindTAP           MethodKind = "temporaryAccessPass"
	KindPassword      MethodKind = "password"
)

// PhoneMethod is a registered phone number.
type PhoneMethod struct {
	ID     string
	Type   PhoneType
	Number string // as Graph stores it, "+81 9012345678"; never log it, use Masked
	Masked string // "+81 90••••5678"
	SMS    SMSSignInState
}

// AuthenticatorDevice is Microsoft Authenticator on one device.
type AuthenticatorDevice struct {
	ID          string
	DisplayName string // the device's name, e.g. "iPhone 15"
	DeviceTag   string
	AppVersion  string
	Created     time.Time // zero if Graph did not say
}

// OtherMethod is any other registered method (software OATH, passkey or
// FIDO2 key, email, Windows Hello, Temporary Access Pass). A passkey's
// details are in [Methods].Passkeys under the same ID.
type OtherMethod struct {
	ID          string
	Kind        MethodKind
	DisplayName string // device name (a passkey's: its displayName, else its model), or masked address, when there is one
	Created     time.Time
}

// Methods is everything a person has registered.
type Methods struct {
	Phones         []PhoneMethod
	Authenticators []AuthenticatorDevice
	// Others holds every other method, passkeys (FIDO2) included: the
	// guardrails, [Methods.MFACapable] and removal go by it.
	Others []OtherMethod
	// Passkeys repeats the FIDO2 entries of Others (same ids, same order)
	// with what Graph says of each: AAGUID, model, attestation. They are
	// counted once, through Others.
	Passkeys    []Passkey
	HasPassword bool
}

// Phone returns the phone in slot t.
func (m Methods) Phone(t PhoneType) (PhoneMethod, bool) {
	for _, p := range m.Phones {
		if p.Type == t {
			return p, true
		}
	}
	return PhoneMethod{}, false
}

// MFACapable counts the methods that can satisfy an MFA prompt: phones,
// Authenticator devices, software OATH tokens, FIDO2 keys, Windows Hello and
// a Temporary Access Pass. Password and email do not count.
func (m Methods) MFACapable() int {
	n := len(m.Phones) + len(m.Authenticators)
	for _, o := range m.Others {
		if o.Kind != KindEmail {
			n++
		}
	}
	return n
}

// User is the person, as far as the bot needs to know.
type User struct {
	ID                string
	DisplayName       string
	UserPrincipalName string
	PreferredLanguage string
	// Mail is the primary SMTP address; "" when the person has no mailbox
	// (Graph reports null), and callers then fall back to UserPrincipalName.
	// Never log it.
	Mail string
	// UserType is Graph's userType: "Member" for the tenant's own people,
	// "Guest" for invited outsiders; "" when Graph did not say.
	UserType string
	// Disabled reports Graph's accountEnabled false: the account cannot
	// sign in, and a campaign skips it. Only an explicit false counts. Every
	// read here asks for accountEnabled, so it is missing (null) only when
	// Graph doesn't know; Disabled is then false, because skipping someone
	// on a value nobody saw would silently drop them from a campaign, while
	// a message to a disabled account merely goes unread.
	Disabled bool
}

// External reports whether the person is not one of the tenant's own
// members: a guest or other external (B2B) account. It fails closed.
//
// Graph's user resource has userType "Member" or "Guest"; anything but
// Member counts as external, and so does a missing one, so a read that lost
// the property never makes someone an insider. A userPrincipalName holding
// "#EXT#" also counts: Entra gives that UPN to every account invited from
// outside (B2B collaboration), and such an account can still have userType
// Member.
func (u User) External() bool {
	return !strings.EqualFold(u.UserType, "Member") ||
		strings.Contains(strings.ToUpper(u.UserPrincipalName), "#EXT#")
}

// Mail is a plain-text message to one person. Its address and text are
// never logged.
type Mail struct {
	To      string // the recipient's address
	Subject string
	Body    string // plain text
}

// TemporaryAccessPass is a freshly issued pass. Pass is shown to one agent
// once and never stored or logged.
type TemporaryAccessPass struct {
	ID              string
	Pass            string
	Start           time.Time
	LifetimeMinutes int
	UsableOnce      bool
}

// SlotOf returns the slot in which p is registered, "" if none. Numbers
// are compared in E.164, however they were written ("+81 9012345678",
// "+81 090-1234-5678").
func (m Methods) SlotOf(p Phone) string {
	for _, pm := range m.Phones {
		if q, err := ParsePhone(pm.Number, ""); err == nil && q.E164 == p.E164 {
			return string(pm.Type)
		}
	}
	return ""
}
