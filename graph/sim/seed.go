package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SeedUser is a user the simulator starts with. A seed file is a JSON array
// of them:
//
//	[{
//	  "id": "5f1c7a52-3c1e-4d8e-9a51-0c1d2e3f4a5b",
//	  "displayName": "佐藤 花子",
//	  "userPrincipalName": "hanako.sato@contoso.example",
//	  "preferredLanguage": "ja-JP",
//	  "userType": "Member",
//	  "phones": [{"type": "mobile", "number": "+81 9012345678"}],
//	  "authenticators": [{"displayName": "iPhone 15", "created": "2024-04-01T09:00:00Z"}],
//	  "softwareOath": 1,
//	  "fido2": [{"displayName": "YubiKey 5 NFC", "model": "YubiKey 5 Series with NFC", "aaGuid": "2fc0579f-8113-47ea-b116-bb5a8db9202a"}],
//	  "email": "hanako.sato@example.jp",
//	  "windowsHello": [{"displayName": "SATO-LAPTOP"}],
//	  "directoryRoles": ["Authentication Administrator"],
//	  "groups": ["8d3f6a21-5c4b-4e7a-9f10-2b3c4d5e6f70"],
//	  "accountEnabled": true,
//	  "teams": true
//	}]
//
// Only id and userPrincipalName are required. Everything left out is either
// absent (no phones, no devices, no roles, no groups) or derived
// deterministically from the user's id (method ids, creation dates), so a
// seed file yields the same state every run.
//
// The user's default MFA method is the mobile phone if there is one, else
// the first Authenticator, else the first other MFA method (office phone,
// software OATH token, FIDO2 key).
//
// Users the seed does not name are provisioned on first sight from their
// object id: displayName "Test User 1a2b" (the id's first four hex digits),
// userPrincipalName "<first 8 hex digits>@contoso.example", preferredLanguage
// "ja-JP", userType "Member", a password, a mobile phone "+81 90xxxxxxxx" derived from the id
// (the default method) and Microsoft Authenticator on one phone; they hold
// no directory role and belong to no group.
type SeedUser struct {
	// ID is the user's object id, a GUID. Required.
	ID string `json:"id"`
	// DisplayName defaults to the part of the userPrincipalName before "@".
	DisplayName string `json:"displayName,omitempty"`
	// UserPrincipalName is the sign-in name. Required, unique.
	UserPrincipalName string `json:"userPrincipalName"`
	// Mail defaults to UserPrincipalName.
	Mail string `json:"mail,omitempty"`
	// PreferredLanguage defaults to "ja-JP".
	PreferredLanguage string `json:"preferredLanguage,omitempty"`
	// UserType is "Member" (the default) or "Guest", Graph's userType. A
	// guest invited from outside usually also has a userPrincipalName like
	// "alice_example.com#EXT#@contoso.onmicrosoft.com".
	UserType string `json:"userType,omitempty"`
	// Password says whether the user has a password; nil means true.
	Password *bool `json:"password,omitempty"`
	// Phones are the user's phone numbers, at most one per type ("mobile",
	// "alternateMobile", "office"), in Graph's format "+81 9012345678".
	// alternateMobile requires mobile.
	Phones []SeedPhone `json:"phones,omitempty"`
	// Authenticators are devices with Microsoft Authenticator, at most 5.
	Authenticators []SeedDevice `json:"authenticators,omitempty"`
	// SoftwareOath is how many software OATH tokens the user has.
	SoftwareOath int `json:"softwareOath,omitempty"`
	// FIDO2 are passkeys: security keys, Microsoft Authenticator, synced
	// passkeys. Model defaults to DisplayName, AAGUID to a GUID derived from
	// the model (no real authenticator's).
	FIDO2 []SeedDevice `json:"fido2,omitempty"`
	// Email is the address of the user's email method (used for
	// self-service password reset); "" means none.
	Email string `json:"email,omitempty"`
	// WindowsHello are PCs with Windows Hello for Business.
	WindowsHello []SeedDevice `json:"windowsHello,omitempty"`
	// DirectoryRoles are the display names of the Microsoft Entra directory
	// roles the user holds, directly or through a group, as
	// GET /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole lists
	// them: "Global Administrator", "Privileged Authentication
	// Administrator", "Authentication Administrator", "Helpdesk
	// Administrator", ... Built-in roles (matched case-insensitively) carry
	// Microsoft's roleTemplateId; any other name is a custom role with an id
	// derived from the name. Each at most once.
	DirectoryRoles []string `json:"directoryRoles,omitempty"`
	// Groups are the object ids (GUIDs) of the groups the user is a member
	// of, directly or transitively, as POST /users/{id}/checkMemberGroups
	// reports them. Each at most once.
	Groups []string `json:"groups,omitempty"`
	// AccountEnabled is Graph's accountEnabled; nil means true. A disabled
	// account still has its methods and still appears in every listing.
	AccountEnabled *bool `json:"accountEnabled,omitempty"`
	// Teams says whether the user has a Microsoft Teams licence; nil means
	// true. Installing an app for someone without one is 403.
	Teams *bool `json:"teams,omitempty"`
}

// SeedPhone is a phone number of a [SeedUser].
type SeedPhone struct {
	// Type is "mobile", "alternateMobile" or "office".
	Type string `json:"type"`
	// Number is in Graph's format, "+81 9012345678" or "+81 312345678x204".
	Number string `json:"number"`
}

// SeedDevice is an Authenticator device, FIDO2 key (passkey) or Windows
// Hello PC of a [SeedUser]. ID and Created are derived from the user's id
// when left out.
type SeedDevice struct {
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"displayName"`
	Model       string `json:"model,omitempty"` // FIDO2 only
	// AAGUID is the authenticator's Authenticator Attestation GUID, e.g.
	// Microsoft Authenticator on iOS "90a3ccdf-635c-4729-a248-9b709135078f".
	// FIDO2 only; an error on any other device.
	AAGUID  string    `json:"aaGuid,omitempty"`
	Created time.Time `json:"created,omitzero"`
}

// LoadSeedFile reads and validates a seed file: a JSON array of [SeedUser].
// Unknown fields are errors, so a misspelt key does not silently drop data.
func LoadSeedFile(path string) ([]SeedUser, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sim: seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var users []SeedUser
	if err := dec.Decode(&users); err != nil {
		return nil, fmt.Errorf("sim: seed %s: %w", path, err)
	}
	if _, err := buildSeed(users); err != nil {
		return nil, fmt.Errorf("sim: %s: %w", path, err)
	}
	return users, nil
}

// buildSeed turns seed users into simulator users, checking them as Graph
// would have when the methods were registered.
func buildSeed(seed []SeedUser) ([]*user, error) {
	ids, upns := map[string]bool{}, map[string]bool{}
	var out []*user
	for i, su := range seed {
		u, err := su.build()
		if err != nil {
			return nil, fmt.Errorf("seed user %d (%s): %w", i+1, su.UserPrincipalName, err)
		}
		if ids[u.id] {
			return nil, fmt.Errorf("seed user %d: duplicate id %s", i+1, u.id)
		}
		if upns[strings.ToLower(u.upn)] {
			return nil, fmt.Errorf("seed user %d: duplicate userPrincipalName %s", i+1, u.upn)
		}
		ids[u.id], upns[strings.ToLower(u.upn)] = true, true
		out = append(out, u)
	}
	return out, nil
}

func (su SeedUser) build() (*user, error) {
	if !isGUID(su.ID) {
		return nil, fmt.Errorf("id %q is not an object id (GUID)", su.ID)
	}
	if !strings.Contains(su.UserPrincipalName, "@") || isGUID(su.UserPrincipalName) {
		return nil, fmt.Errorf("userPrincipalName %q is not name@domain", su.UserPrincipalName)
	}
	id := strings.ToLower(su.ID)
	u := &user{id: id, displayName: su.DisplayName, upn: su.UserPrincipalName,
		mail: su.Mail, lang: su.PreferredLanguage, userType: su.UserType,
		disabled: su.AccountEnabled != nil && !*su.AccountEnabled, noTeams: su.Teams != nil && !*su.Teams}
	if u.userType == "" {
		u.userType = userTypeMember
	} else if err := checkUserType(u.userType); err != nil {
		return nil, err
	}
	if u.displayName == "" {
		u.displayName, _, _ = strings.Cut(u.upn, "@")
	}
	if u.mail == "" {
		u.mail = u.upn
	}
	if u.lang == "" {
		u.lang = "ja-JP"
	}
	if su.Password == nil || *su.Password {
		u.add(&method{kind: kindPassword, id: passwordID})
	}

	// Phones go in slot order so that alternateMobile finds its mobile.
	phones := slices.Clone(su.Phones)
	slices.SortStableFunc(phones, func(a, b SeedPhone) int { return slotOrder(a.Type) - slotOrder(b.Type) })
	for _, p := range phones {
		if _, e := u.addPhone(p.Type, p.Number); e != nil {
			return nil, fmt.Errorf("phone %s %q: %s", p.Type, p.Number, e.message)
		}
	}

	if len(su.Authenticators) > maxAuthenticators {
		return nil, fmt.Errorf("%d authenticators, at most %d allowed", len(su.Authenticators), maxAuthenticators)
	}
	for i, d := range su.Authenticators {
		m, err := seedDevice(id, kindAuthenticator, i, d)
		if err != nil {
			return nil, err
		}
		m.deviceTag = "SoftwareTokenActivated"
		m.appVersion = "6.8.16"
		u.add(m)
	}
	if su.SoftwareOath < 0 {
		return nil, errors.New("softwareOath must not be negative")
	}
	for i := range su.SoftwareOath {
		u.add(&method{kind: kindSoftwareOath, id: hashUUID(id, "softwareOath", strconv.Itoa(i))})
	}
	for i, d := range su.FIDO2 {
		m, err := seedDevice(id, kindFIDO2, i, d)
		if err != nil {
			return nil, err
		}
		m.model = d.Model
		if m.model == "" {
			m.model = d.DisplayName
		}
		m.aaGUID = strings.ToLower(d.AAGUID)
		if m.aaGUID == "" {
			m.aaGUID = hashUUID("aaguid", m.model)
		}
		u.add(m)
	}
	if su.Email != "" {
		if _, e := u.addEmail(su.Email); e != nil {
			return nil, fmt.Errorf("email %q: %s", su.Email, e.message)
		}
	}
	for i, d := range su.WindowsHello {
		m, err := seedDevice(id, kindWindowsHello, i, d)
		if err != nil {
			return nil, err
		}
		m.keyStrength = "normal"
		u.add(m)
	}

	var err error
	if u.roles, err = checkRoles(su.DirectoryRoles); err != nil {
		return nil, err
	}
	if u.groups, err = checkGroups(su.Groups); err != nil {
		return nil, err
	}

	// The default: mobile, else the first Authenticator, else the first
	// MFA method registered (add already chose that one).
	if m := u.phone(mobile); m != nil {
		u.defaultID = m.id
	} else if as := u.list(kindAuthenticator, false); len(as) > 0 {
		u.defaultID = as[0].id
	}

	seen := map[string]bool{}
	for _, m := range u.methods {
		if seen[m.id] {
			return nil, fmt.Errorf("duplicate method id %s", m.id)
		}
		seen[m.id] = true
	}
	return u, nil
}

// seedDevice makes the method for a seeded device, deriving what was left
// out from the user's id.
func seedDevice(userID string, k kind, i int, d SeedDevice) (*method, error) {
	name := k.collection()
	if d.DisplayName == "" {
		return nil, fmt.Errorf("%s %d: displayName is required", name, i+1)
	}
	m := &method{kind: k, id: strings.ToLower(d.ID), displayName: d.DisplayName, created: d.Created}
	if m.id == "" {
		m.id = hashUUID(userID, name, strconv.Itoa(i))
	} else if !isGUID(m.id) {
		return nil, fmt.Errorf("%s %d: id %q is not a GUID", name, i+1, d.ID)
	}
	switch {
	case d.AAGUID != "" && k != kindFIDO2:
		return nil, fmt.Errorf("%s %d: aaGuid is for fido2 passkeys only", name, i+1)
	case d.AAGUID != "" && !isGUID(d.AAGUID):
		return nil, fmt.Errorf("%s %d: aaGuid %q is not a GUID", name, i+1, d.AAGUID)
	}
	if m.created.IsZero() {
		m.created = pastDate(userID, name, strconv.Itoa(i))
	}
	return m, nil
}

// slotOrder orders phone slots: mobile, alternateMobile, office, anything
// else (which addPhone then rejects).
func slotOrder(slot string) int {
	switch slot {
	case mobile:
		return 0
	case alternateMobile:
		return 1
	case office:
		return 2
	}
	return 3
}
