package graph

import (
	"strings"
	"time"
)

// Passkey is a registered passkey: in Graph a fido2AuthenticationMethod,
// whether it lives in Microsoft Authenticator, in a synced password manager
// (iCloud Keychain, Google Password Manager, ...), in Windows Hello or on a
// security key. Graph v1.0 reports id, displayName, createdDateTime, aaGuid,
// model, attestationCertificates and attestationLevel
// (https://learn.microsoft.com/graph/api/resources/fido2authenticationmethod).
//
// DisplayName and Model come from outside the bot (the person, the
// authenticator's metadata): show them as inert text.
type Passkey struct {
	// ID is Graph's method id. It is opaque and not a GUID: Graph's own
	// example is "-2_GRUg2-HYz6_1YG4YRAQ2"
	// (https://learn.microsoft.com/graph/api/fido2authenticationmethod-list).
	ID string
	// DisplayName is the name the key was given, "" when it has none.
	DisplayName string
	// AAGUID is the Authenticator Attestation GUID naming the kind of
	// authenticator (make and model), lower case; "" when Graph did not say.
	AAGUID string
	// Model is the manufacturer-assigned model, "" when Graph did not say.
	Model string
	// Attested reports attestationLevel "attested": Entra verified the
	// authenticator at registration. Without attestation the AAGUID (and so
	// [Passkey.Name] and [Passkey.InAuthenticator]) is only what the
	// authenticator claims to be.
	Attested bool
	// Created is when it was registered; zero if Graph did not say.
	Created time.Time
}

// Microsoft Authenticator's passkey AAGUIDs, as Microsoft lists them for
// passkey profiles: "Enable passkeys in Authenticator", section
// "Authenticator AAGUIDs"
// (https://learn.microsoft.com/entra/identity/authentication/how-to-enable-authenticator-passkey;
// MicrosoftDocs/entra-docs docs/identity/authentication/how-to-enable-authenticator-passkey.md).
const (
	AAGUIDAuthenticatorIOS     = "90a3ccdf-635c-4729-a248-9b709135078f"
	AAGUIDAuthenticatorAndroid = "de1e552d-db1d-4423-a619-566b625cdc84"
)

// DefaultPasskeyName is what [PasskeyName] and [Passkey.Name] answer when
// nothing better is known; a caller that speaks another language can test
// for it and say "passkey" its own way.
const DefaultPasskeyName = "passkey"

// knownAAGUIDs names the authenticators people at a Microsoft 365 tenant are
// most likely to register a passkey with. Only AAGUIDs confirmed from a
// source are listed (AAGUIDs that differ in one digit are different
// products: Graph's documentation examples "2fc0579f-...-555a8db9202a" and
// "c5ef55ff-...-ababafe026d0" are not YubiKeys):
//
//   - Microsoft Authenticator: Microsoft's documentation, above. (The
//     community list below leaves Authenticator out on purpose, as it holds
//     passkeys for Entra ID only.)
//   - Platform authenticators and password managers: the community list
//     passkeydeveloper/passkey-authenticator-aaguids, aaguid.json
//     (https://github.com/passkeydeveloper/passkey-authenticator-aaguids).
//   - YubiKey 5: the FIDO Alliance Metadata Service names, as that list
//     republishes them (dist/<aaguid>/meta.json); Yubico's own table of
//     AAGUIDs by firmware is https://yubi.co/aaguids.
//
// Keys are lower case.
var knownAAGUIDs = map[string]string{
	AAGUIDAuthenticatorIOS:     "Microsoft Authenticator (iOS)",
	AAGUIDAuthenticatorAndroid: "Microsoft Authenticator (Android)",

	// Synced passkeys and platform authenticators (aaguid.json).
	"fbfc3007-154e-4ecc-8c0b-6e020557d7bd": "iCloud Keychain (Apple Passwords)",
	"dd4ec289-e01d-41c9-bb89-70fa845d4bf2": "iCloud Keychain (managed)",
	"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
	"08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
	"9ddd1817-af5a-4672-a2b9-3e3dd95000a9": "Windows Hello",
	"6028b017-b1d4-4c02-b4b3-afcdafc96bb2": "Windows Hello",
	"d3452668-01fd-4c12-926c-83a4204853aa": "Microsoft Password Manager",
	"53414d53-554e-4700-0000-000000000000": "Samsung Pass",
	"bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
	"d548826e-79b4-db40-a3d8-11116f7e8349": "Bitwarden",

	// YubiKey 5 Series (FIDO MDS names; firmware from Yubico's table).
	"cb69481e-8ff7-4039-93ec-0a2729a154a8": "YubiKey 5 Series",                // 5.1
	"ee882879-721c-4913-9775-3dfcce97072a": "YubiKey 5 Series",                // 5.2, 5.4
	"19083c3d-8383-4b18-bc03-8f1c9ab2fd1b": "YubiKey 5 Series",                // 5.7
	"ff4dac45-ede8-4ec2-aced-cf66103f4335": "YubiKey 5 Series",                // 5.7
	"fa2b99dc-9e39-4257-8f92-4a30d23c4118": "YubiKey 5 Series with NFC",       // 5.1
	"2fc0579f-8113-47ea-b116-bb5a8db9202a": "YubiKey 5 Series with NFC",       // 5.2, 5.4
	"a25342c0-3cdc-4414-8e46-f4807fca511c": "YubiKey 5 Series with NFC",       // 5.7
	"d7781e5d-e353-46aa-afe2-3ca49f13332a": "YubiKey 5 Series with NFC",       // 5.7
	"c5ef55ff-ad9a-4b9f-b580-adebafe026d0": "YubiKey 5 Series with Lightning", // 5Ci
	"73bb0cd4-e502-49b8-9c6f-b59445bf720b": "YubiKey 5 FIPS Series",
	"c1f9a0bc-1dd2-404a-b27f-8e29047a43fd": "YubiKey 5 FIPS Series with NFC",
}

// PasskeyName names a passkey for people: the authenticator its AAGUID
// stands for when that is a well-known one ("Microsoft Authenticator
// (iOS)", "Google Password Manager", "Windows Hello", "YubiKey 5 Series
// with NFC", ...), else the model Graph reported, else
// [DefaultPasskeyName]. The AAGUID is matched case-insensitively, with or
// without braces. Names are in English; the model is returned as given.
func PasskeyName(aaguid, model string) string {
	if name, ok := knownAAGUIDs[normalizeAAGUID(aaguid)]; ok {
		return name
	}
	if m := strings.TrimSpace(model); m != "" {
		return m
	}
	return DefaultPasskeyName
}

// Name names the passkey for people as [PasskeyName] does, falling back to
// its display name before [DefaultPasskeyName].
func (p Passkey) Name() string {
	if name := PasskeyName(p.AAGUID, p.Model); name != DefaultPasskeyName {
		return name
	}
	if d := strings.TrimSpace(p.DisplayName); d != "" {
		return d
	}
	return DefaultPasskeyName
}

// InAuthenticator reports whether the passkey lives in Microsoft
// Authenticator (on iOS or Android), by its AAGUID. See [Passkey.Attested]
// for how far that can be trusted.
func (p Passkey) InAuthenticator() bool {
	a := normalizeAAGUID(p.AAGUID)
	return a == AAGUIDAuthenticatorIOS || a == AAGUIDAuthenticatorAndroid
}

// NewPasskeys returns the passkeys in after whose ids are not in before, in
// after's order: what the person registered between two reads, say before
// and after the bot walked them through adding a passkey. Ids, not
// creation times, decide, so a clock that differs from Entra's does not
// matter.
func NewPasskeys(before, after []Passkey) []Passkey {
	had := make(map[string]bool, len(before))
	for _, p := range before {
		had[p.ID] = true
	}
	var out []Passkey
	for _, p := range after {
		if !had[p.ID] {
			out = append(out, p)
		}
	}
	return out
}

// normalizeAAGUID is an AAGUID in lower case without braces or spaces.
func normalizeAAGUID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	return strings.ToLower(strings.TrimSpace(s))
}
