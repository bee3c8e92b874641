package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Graph's fixed method ids: one per phone slot, one for the password and one
// for the email method.
const (
	mobileID          = "3179e48a-750b-4051-897c-87b9720928f7"
	alternateMobileID = "b6332ec1-7057-4abe-9331-3d72feddfe41"
	officeID          = "e37fc753-ff3b-4958-9484-eaa9425c82bc"
	passwordID        = "28c10230-6103-485e-b985-444c60001490"
	emailID           = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"
)

// Phone slots, as Graph names them.
const (
	mobile          = "mobile"
	alternateMobile = "alternateMobile"
	office          = "office"
)

// maxAuthenticators is Entra's limit of Microsoft Authenticator
// registrations per user.
const maxAuthenticators = 5

// Microsoft Authenticator's passkey AAGUIDs, from "Enable passkeys in
// Authenticator", section "Authenticator AAGUIDs"
// (https://learn.microsoft.com/entra/identity/authentication/how-to-enable-authenticator-passkey).
// Package graph names them too; this package does not import it.
const (
	aaguidAuthenticatorIOS     = "90a3ccdf-635c-4729-a248-9b709135078f"
	aaguidAuthenticatorAndroid = "de1e552d-db1d-4423-a619-566b625cdc84"
)

// Graph's attestationLevel values for a FIDO2 method.
const (
	attested    = "attested"
	notAttested = "notAttested"
)

// maxPasskeyText is the longest displayName or model, in characters, a
// passkey registered through the control endpoint may have: the simulator's
// own bound (Graph documents none), long enough for any real name.
const maxPasskeyText = 256

// passkeyIDRE is what a FIDO2 method id given to the control endpoint must
// look like: URL-safe, so it can stand in a path unescaped, as Graph's do.
var passkeyIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// phoneNumberRE is the only format Graph accepts: "+{country code}
// {number}x{extension}", extension optional.
var phoneNumberRE = regexp.MustCompile(`^\+\d{1,3} \d{4,14}(x\d+)?$`)

// kind is a kind of authentication method; each has its own collection
// under /users/{id}/authentication.
type kind int

const (
	kindPassword kind = iota
	kindPhone
	kindAuthenticator
	kindSoftwareOath
	kindFIDO2
	kindEmail
	kindWindowsHello
	kindTAP
)

// allKinds lists the kinds in the order GET .../methods reports them.
func allKinds() []kind {
	return []kind{kindPassword, kindPhone, kindAuthenticator, kindSoftwareOath, kindFIDO2, kindEmail, kindWindowsHello, kindTAP}
}

// collection is the kind's path segment under /authentication.
func (k kind) collection() string {
	switch k {
	case kindPassword:
		return "passwordMethods"
	case kindPhone:
		return "phoneMethods"
	case kindAuthenticator:
		return "microsoftAuthenticatorMethods"
	case kindSoftwareOath:
		return "softwareOathMethods"
	case kindFIDO2:
		return "fido2Methods"
	case kindEmail:
		return "emailMethods"
	case kindWindowsHello:
		return "windowsHelloForBusinessMethods"
	default:
		return "temporaryAccessPassMethods"
	}
}

// odataType is the @odata.type Graph puts on the kind's objects.
func (k kind) odataType() string {
	switch k {
	case kindPassword:
		return "#microsoft.graph.passwordAuthenticationMethod"
	case kindPhone:
		return "#microsoft.graph.phoneAuthenticationMethod"
	case kindAuthenticator:
		return "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"
	case kindSoftwareOath:
		return "#microsoft.graph.softwareOathAuthenticationMethod"
	case kindFIDO2:
		return "#microsoft.graph.fido2AuthenticationMethod"
	case kindEmail:
		return "#microsoft.graph.emailAuthenticationMethod"
	case kindWindowsHello:
		return "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod"
	default:
		return "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
	}
}

// mfa reports whether a method of this kind can be a user's default
// second factor. Password, email (self-service reset only), Temporary Access
// Pass and Windows Hello (bound to one PC) cannot.
func (k kind) mfa() bool {
	switch k {
	case kindPhone, kindAuthenticator, kindSoftwareOath, kindFIDO2:
		return true
	}
	return false
}

// kindOf maps a collection segment to its kind. Graph's path segments are
// case-insensitive.
func kindOf(collection string) (kind, bool) {
	for _, k := range allKinds() {
		if strings.EqualFold(collection, k.collection()) {
			return k, true
		}
	}
	return 0, false
}

// method is one registered authentication method. Only the fields of its
// kind are set.
type method struct {
	kind    kind
	id      string
	created time.Time // zero: Graph reports null

	phoneType, phoneNumber string // kindPhone

	displayName string // authenticator, FIDO2, Windows Hello
	deviceTag   string // authenticator
	appVersion  string // authenticator
	model       string // FIDO2
	aaGUID      string // FIDO2, lower case
	attestation string // FIDO2: attestationLevel, "attested" or "notAttested"; "" is attested
	keyStrength string // Windows Hello

	email string // kindEmail

	tapPass     string // kindTAP; only ever returned by the POST that made it
	tapStart    time.Time
	tapLifetime int // minutes
	tapOnce     bool
}

// tapUsability is whether a Temporary Access Pass can be used at now, and
// Graph's reason.
func (m *method) tapUsability(now time.Time) (bool, string) {
	switch {
	case now.Before(m.tapStart):
		return false, "NotYetValid"
	case !now.Before(m.tapStart.Add(time.Duration(m.tapLifetime) * time.Minute)):
		return false, "Expired"
	default:
		return true, "EnabledByPolicy"
	}
}

// attestationLevel is a FIDO2 method's attestationLevel as Graph reports it.
func (m *method) attestationLevel() string {
	if m.attestation == "" {
		return attested
	}
	return m.attestation
}

// label names a method for the debug endpoint: the phone slot, or the kind.
func (m *method) label() string {
	if m.kind == kindPhone {
		return m.phoneType
	}
	return strings.TrimSuffix(m.kind.collection(), "Methods")
}

// user is one simulated person.
//
// Default method rule (Graph v1.0 has no API for it; signInPreferences is
// beta only): the first MFA-capable method registered becomes the default
// (seeded users: the mobile phone if any, else the first Authenticator, else
// the first other MFA method). The default cannot be deleted while another
// MFA method exists; deleting it when it is the last one leaves the user
// without a default, and the next MFA method registered takes the role. The
// control endpoint PATCH /_sim/users/{id} stands in for the user changing
// it at https://aka.ms/mysecurityinfo.
type user struct {
	id, displayName, upn, mail, lang string
	methods                          []*method // in registration order
	defaultID                        string    // "" when the user has no MFA method
	sessionsValidFrom                time.Time // set by revokeSignInSessions
	roles                            []string  // directory role display names, canonical spelling
	groups                           []string  // group object ids, lower case
	userType                         string    // userTypeMember or userTypeGuest
	disabled                         bool      // accountEnabled false: the account cannot sign in
	noTeams                          bool      // no Microsoft Teams licence: no app can be installed for them
	apps                             []string  // Teams app catalog ids installed in their personal scope, lower case
}

// Graph's userType values: the tenant's own people, and invited outsiders.
const (
	userTypeMember = "Member"
	userTypeGuest  = "Guest"
)

// find returns the method of kind k with the given id, or nil. Any kind
// matches when anyKind is set.
func (u *user) find(k kind, anyKind bool, id string) *method {
	for _, m := range u.methods {
		if (anyKind || m.kind == k) && strings.EqualFold(m.id, id) {
			return m
		}
	}
	return nil
}

// list returns the methods of kind k, or all when anyKind is set, in
// registration order within each kind.
func (u *user) list(k kind, anyKind bool) []*method {
	var out []*method
	for _, kk := range allKinds() {
		if !anyKind && kk != k {
			continue
		}
		for _, m := range u.methods {
			if m.kind == kk {
				out = append(out, m)
			}
		}
	}
	return out
}

// phone returns the phone in the given slot, or nil.
func (u *user) phone(slot string) *method {
	for _, m := range u.methods {
		if m.kind == kindPhone && m.phoneType == slot {
			return m
		}
	}
	return nil
}

// count returns how many methods of kind k the user has.
func (u *user) count(k kind) int {
	n := 0
	for _, m := range u.methods {
		if m.kind == k {
			n++
		}
	}
	return n
}

// add registers m, making it the default when the user has none.
func (u *user) add(m *method) {
	u.methods = append(u.methods, m)
	if u.defaultID == "" && m.kind.mfa() {
		u.defaultID = m.id
	}
}

// defaultMethod returns the user's default method, or nil.
func (u *user) defaultMethod() *method {
	if u.defaultID == "" {
		return nil
	}
	return u.find(0, true, u.defaultID)
}

// setDefault makes the method with the given id the default.
func (u *user) setDefault(id string) *apiError {
	m := u.find(0, true, id)
	if m == nil || !m.kind.mfa() {
		return newError(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("Method '%s' is not an MFA method of this user.", id))
	}
	u.defaultID = m.id
	return nil
}

// addPhone registers a phone number in a free slot.
//
// A second phone in an occupied slot is answered 409 conflict (code
// "conflict"). Real Graph answers 400 badRequest/invalidRequest; 409 tells
// the caller precisely "update the existing phone instead", and a client that
// maps any 4xx to "rejected" treats both alike.
func (u *user) addPhone(slot, number string) (*method, *apiError) {
	id, ok := phoneSlotID(slot)
	if !ok {
		return nil, newError(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("Invalid phone type '%s'; use mobile, alternateMobile or office.", slot))
	}
	if e := checkPhoneNumber(number); e != nil {
		return nil, e
	}
	if u.phone(slot) != nil {
		return nil, newError(http.StatusConflict, codeConflict,
			fmt.Sprintf("The user already has a phone method of type '%s'; update it instead.", slot))
	}
	if slot == alternateMobile && u.phone(mobile) == nil {
		return nil, newError(http.StatusBadRequest, codeInvalidRequest,
			"An alternateMobile phone requires a mobile phone; add the mobile phone first.")
	}
	m := &method{kind: kindPhone, id: id, phoneType: slot, phoneNumber: number}
	u.add(m)
	return m, nil
}

// updatePhone changes a phone's number; its slot cannot change.
func (u *user) updatePhone(m *method, slot, number string) *apiError {
	if slot != "" && slot != m.phoneType {
		return newError(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("The phone type cannot be changed from '%s' to '%s'; add a phone of the new type and delete this one.", m.phoneType, slot))
	}
	if e := checkPhoneNumber(number); e != nil {
		return e
	}
	m.phoneNumber = number
	return nil
}

// addEmail registers the user's one email method.
func (u *user) addEmail(addr string) (*method, *apiError) {
	if e := checkEmail(addr); e != nil {
		return nil, e
	}
	if u.count(kindEmail) > 0 {
		return nil, newError(http.StatusConflict, codeConflict,
			"The user already has an email method; update it instead.")
	}
	m := &method{kind: kindEmail, id: emailID, email: addr}
	u.add(m)
	return m, nil
}

// addAuthenticator registers Microsoft Authenticator on a new device, as
// the user would at https://aka.ms/mysecurityinfo.
func (u *user) addAuthenticator(m *method) *apiError {
	if u.count(kindAuthenticator) >= maxAuthenticators {
		return newError(http.StatusConflict, codeConflict,
			fmt.Sprintf("The user already has %d Microsoft Authenticator registrations, the maximum.", maxAuthenticators))
	}
	u.add(m)
	return nil
}

// addPasskey registers a passkey, as the user would in Microsoft
// Authenticator, at https://aka.ms/mysecurityinfo or with a security key.
// An id the user already has is 409 conflict.
func (u *user) addPasskey(m *method) *apiError {
	if u.find(0, true, m.id) != nil {
		return newError(http.StatusConflict, codeConflict,
			fmt.Sprintf("The user already has an authentication method with id '%s'.", m.id))
	}
	u.add(m)
	return nil
}

// setTAP replaces any Temporary Access Pass with m: a user has at most one.
func (u *user) setTAP(m *method) {
	kept := u.methods[:0]
	for _, old := range u.methods {
		if old.kind != kindTAP {
			kept = append(kept, old)
		}
	}
	u.methods = kept
	u.add(m)
}

// remove deletes m, enforcing Graph's rules on phones and the default
// method.
func (u *user) remove(m *method) *apiError {
	if m.kind == kindPhone && m.phoneType == mobile && u.phone(alternateMobile) != nil {
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"The mobile phone cannot be deleted while an alternateMobile phone exists; update the mobile number instead, or delete the alternateMobile phone first.")
	}
	if m.id == u.defaultID {
		for _, other := range u.methods {
			if other != m && other.kind.mfa() {
				return newError(http.StatusBadRequest, codeInvalidRequest,
					"The user's default authentication method cannot be deleted while other methods are registered; the user must choose another default method first.")
			}
		}
		u.defaultID = ""
	}
	for i, x := range u.methods {
		if x == m {
			u.methods = append(u.methods[:i], u.methods[i+1:]...)
			break
		}
	}
	return nil
}

// phoneSlotID returns Graph's fixed id of a phone slot.
func phoneSlotID(slot string) (string, bool) {
	switch slot {
	case mobile:
		return mobileID, true
	case alternateMobile:
		return alternateMobileID, true
	case office:
		return officeID, true
	}
	return "", false
}

// smsSignInState is "ready" for mobile numbers: the simulated tenant allows
// SMS sign-in, and Graph only offers it on the mobile slot.
func smsSignInState(slot string) string {
	if slot == mobile {
		return "ready"
	}
	return "notSupported"
}

func checkPhoneNumber(number string) *apiError {
	if !phoneNumberRE.MatchString(number) {
		return newError(http.StatusBadRequest, codeInvalidRequest,
			"Invalid phone number: use the format +{country code} {number}x{extension}, for example +81 9012345678.")
	}
	return nil
}

func checkEmail(addr string) *apiError {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(addr, " \t\r\n") {
		return newError(http.StatusBadRequest, codeInvalidRequest, "Invalid email address.")
	}
	return nil
}

// deviceModel is a phone Authenticator commonly runs on.
type deviceModel struct{ name, appVersion string }

// deviceModels are the devices provisioned users carry: the phones most
// common in a Japanese office.
func deviceModels() []deviceModel {
	return []deviceModel{
		{"iPhone 14", "6.8.14"},
		{"iPhone 15 Pro", "6.8.16"},
		{"iPhone SE (3rd generation)", "6.8.12"},
		{"Pixel 8", "6.2410.7101"},
		{"Galaxy S23", "6.2409.6277"},
		{"AQUOS sense8", "6.2408.5374"},
		{"Xperia 10 V", "6.2410.7101"},
	}
}

// hashOf hashes the parts; provisioning and seeding derive everything that
// is not given from it, so the same input always yields the same user.
func hashOf(parts ...string) [32]byte {
	return sha256.Sum256([]byte("mfadesk-sim\x00" + strings.Join(parts, "\x00")))
}

// hashUUID derives a stable UUID (version 8, "custom") from parts.
func hashUUID(parts ...string) string {
	h := hashOf(parts...)
	return formatUUID(h[:16], 0x80)
}

// pastDate derives a stable registration date in the two years before
// mid-2025 from parts. It does not depend on the clock, so provisioning is
// reproducible across runs.
func pastDate(parts ...string) time.Time {
	h := hashOf(parts...)
	days := int(binary.BigEndian.Uint16(h[0:2]) % 730)
	secs := int(binary.BigEndian.Uint32(h[2:6]) % 86400)
	return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).
		AddDate(0, 0, -days).Add(time.Duration(secs) * time.Second)
}

// newPasskeyID returns a random id shaped like Graph's FIDO2 method ids,
// which are not GUIDs. Graph's documented examples ("-2_GRUg2-HYz6_1YG4YRAQ2",
// "_jpuR-TGZgk6aQCLF3BQjA2") are 22 base64url characters and a digit, the
// way .NET's UrlTokenEncode writes 16 bytes (the digit counts the '='
// padding it dropped); so are these. A client must treat them as opaque.
func newPasskeyID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sim: crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:]) + "2"
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sim: crypto/rand: " + err.Error()) // never happens on supported platforms
	}
	return formatUUID(b[:], 0x40)
}

func formatUUID(b []byte, version byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | version
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// isGUID reports whether s has the shape of an object id.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// tapAlphabet leaves out characters people confuse when reading a pass
// aloud or off a screen (0/O, 1/l/I).
const tapAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

// newTAP returns a random 8-character Temporary Access Pass.
func newTAP() string {
	return randomString(tapAlphabet, 8)
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		var r [1]byte
		for {
			if _, err := rand.Read(r[:]); err != nil {
				panic("sim: crypto/rand: " + err.Error())
			}
			// Rejection sampling keeps every character equally likely.
			if int(r[0]) < 256-256%len(alphabet) {
				break
			}
		}
		b[i] = alphabet[int(r[0])%len(alphabet)]
	}
	return string(b)
}

// provision creates the user an unknown object id stands for. Everything is
// derived from the id, so a test that uses the same id twice, or two
// simulators, see the same person:
//
//   - displayName "Test User 1a2b" (the id's first four hex digits),
//     userPrincipalName and mail "<first 8 hex digits>@contoso.example",
//     preferredLanguage "ja-JP", userType "Member";
//   - a password, a mobile phone "+81 90" followed by eight digits from the
//     id's hash (the default method), and Microsoft Authenticator on one of a
//     few common phones, registered on a date in 2023–2025;
//   - no directory roles and no groups.
func provision(id string) *user {
	id = strings.ToLower(id)
	h := hashOf("user", id)
	upn := id[:8] + "@contoso.example"
	u := &user{
		id:          id,
		displayName: "Test User " + id[:4],
		upn:         upn,
		mail:        upn,
		lang:        "ja-JP",
		userType:    userTypeMember,
	}
	u.add(&method{kind: kindPassword, id: passwordID})
	digits := binary.BigEndian.Uint64(h[0:8]) % 100_000_000
	u.add(&method{kind: kindPhone, id: mobileID, phoneType: mobile,
		phoneNumber: fmt.Sprintf("+81 90%08d", digits)})
	models := deviceModels()
	dm := models[int(h[8])%len(models)]
	u.add(&method{
		kind:        kindAuthenticator,
		id:          hashUUID(id, "authenticator", "0"),
		displayName: dm.name,
		deviceTag:   "SoftwareTokenActivated",
		appVersion:  dm.appVersion,
		created:     pastDate(id, "authenticator", "0"),
	})
	return u
}
