package sim

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxTenantPeople is the most people one [TenantSeed] call through the
// control endpoint may make: enough for a large university, little enough
// that a typo cannot exhaust the machine's memory.
const MaxTenantPeople = 100_000

// WithPremium says whether the simulated tenant has Microsoft Entra ID P1
// (the default: yes). Without it, the registration report
// (GET /reports/authenticationMethods/userRegistrationDetails) answers 403
// Authentication_RequestFromNonPremiumTenantOrB2CTenant, as Graph does.
func WithPremium(on bool) Option {
	return func(s *Server) { s.premium = on }
}

// SetPremium switches Microsoft Entra ID P1 on or off for a running
// simulator; see [WithPremium].
func (s *Server) SetPremium(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.premium = on
}

// AddUsers adds seed users to a running simulator, as [WithSeed] does at
// start. A user whose object id the simulator already knows is left as it
// is (so adding the same [TenantSeed] twice adds nothing the second time)
// and not counted. Invalid users, or a userPrincipalName another user has
// already, are an error, and then nothing is added.
func (s *Server) AddUsers(seed []SeedUser) (added int, err error) {
	users, err := buildSeed(seed)
	if err != nil {
		return 0, fmt.Errorf("sim: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var fresh []*user
	for _, u := range users {
		if _, ok := s.users[u.id]; ok {
			continue
		}
		if other, taken := s.byUPN[strings.ToLower(u.upn)]; taken {
			return 0, fmt.Errorf("sim: userPrincipalName %s already belongs to %s", u.upn, other)
		}
		fresh = append(fresh, u)
	}
	for _, u := range fresh {
		s.addUser(u)
	}
	return len(fresh), nil
}

// controlTenant serves /_sim/tenant: GET shows the tenant's settings and
// size, PATCH {"premium": false, "appSecretExpires": "2027-01-01T00:00:00Z"}
// changes them.
func (s *Server) controlTenant(c *call) reply {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodPatch {
		return methodNotAllowed(c, http.MethodGet, http.MethodPatch)
	}
	if c.r.Method == http.MethodPatch {
		var in struct {
			Premium          *bool      `json:"premium"`
			AppSecretExpires *time.Time `json:"appSecretExpires"`
		}
		if e := c.decode(&in); e != nil {
			return errReply(e)
		}
		if in.Premium != nil {
			s.SetPremium(*in.Premium)
		}
		if in.AppSecretExpires != nil {
			s.SetAppSecretExpiry(*in.AppSecretExpires)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return reply{status: http.StatusOK, body: tenantJSON{Premium: s.premium, Users: len(s.users), AppSecretExpires: s.appSecretEnd.UTC()}}
}

type tenantJSON struct {
	Premium          bool      `json:"premium"`
	Users            int       `json:"users"`
	AppSecretExpires time.Time `json:"appSecretExpires"`
}

// controlTenantSeed serves POST /_sim/tenant/seed {"people": 3000, "seed": 1}:
// it adds [TenantSeed](people, seed) with [Server.AddUsers] and answers how
// many were new (201, or 200 when all were there already).
func (s *Server) controlTenantSeed(c *call) reply {
	if c.r.Method != http.MethodPost {
		return methodNotAllowed(c, http.MethodPost)
	}
	var in struct {
		People int    `json:"people"`
		Seed   uint64 `json:"seed"`
	}
	if e := c.decode(&in); e != nil {
		return errReply(e)
	}
	if in.People < 1 || in.People > MaxTenantPeople {
		return errReply(newError(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("people must be between 1 and %d.", MaxTenantPeople)))
	}
	added, err := s.AddUsers(TenantSeed(in.People, in.Seed))
	if err != nil {
		return errReply(newError(http.StatusConflict, codeConflict, err.Error()))
	}
	status := http.StatusCreated
	if added == 0 {
		status = http.StatusOK
	}
	return reply{status: status, body: map[string]int{"people": in.People, "added": added}}
}

// tenantDomain is the generated tenant's domain; guests are invited into
// its initial domain, tenantGuestDomain. Neither is used by provisioned
// users ("<8 hex digits>@contoso.example") or the test seed files.
const (
	tenantDomain      = "campus.contoso.example"
	tenantGuestDomain = "contoso.onmicrosoft.com"
)

// The generated tenant's mix of sign-in methods, as cumulative shares: a
// Japanese university (with its staff) in December 2026, after years of
// SMS codes and months of Microsoft's passkey nudges.
const (
	sharePhoneOnly          = 0.35 // mostly a mobile for SMS; some an alternate mobile or an office phone
	sharePhoneAuthenticator = sharePhoneOnly + 0.25
	shareAuthenticatorOnly  = sharePhoneAuthenticator + 0.15
	sharePasskey            = shareAuthenticatorOnly + 0.08 // mostly in Authenticator, some security keys and synced ones
	shareNothing            = sharePasskey + 0.05
	// The remaining 12 % have software OATH tokens or Windows Hello.
)

// Attributes drawn on their own, whatever the methods.
const (
	shareGuest     = 0.03
	shareDisabled  = 0.02
	shareAdmin     = 0.01
	shareNoTeams   = 0.02
	shareEnglish   = 0.15 // preferredLanguage en-US; the rest ja-JP
	shareSSPREmail = 0.15 // an email method for self-service password reset, which is no MFA method
)

// tenant draws the people of one [TenantSeed] call.
type tenant struct {
	rng   *rand.Rand
	taken map[string]int // UPN local parts used so far, to number repeats

	family, given               []name
	englishGiven, englishFamily []string
	guestDomains, adminRoles    []string
	devices                     []deviceModel
	passkeys                    []struct{ aaguid, model string }
}

type name struct{ kanji, romaji string }

func newTenant(seed uint64) *tenant {
	return &tenant{
		rng:   rand.New(rand.NewPCG(seed, 0x7465_6e61_6e74)), // "tenant"
		taken: map[string]int{},
		family: []name{{"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"田中", "tanaka"},
			{"伊藤", "ito"}, {"渡辺", "watanabe"}, {"山本", "yamamoto"}, {"中村", "nakamura"}, {"小林", "kobayashi"},
			{"加藤", "kato"}, {"吉田", "yoshida"}, {"山田", "yamada"}, {"佐々木", "sasaki"}, {"山口", "yamaguchi"},
			{"松本", "matsumoto"}, {"井上", "inoue"}, {"木村", "kimura"}, {"林", "hayashi"}, {"斎藤", "saito"},
			{"清水", "shimizu"}, {"山崎", "yamazaki"}, {"森", "mori"}, {"池田", "ikeda"}, {"橋本", "hashimoto"},
			{"阿部", "abe"}, {"石川", "ishikawa"}, {"前田", "maeda"}, {"藤田", "fujita"}, {"後藤", "goto"}, {"岡田", "okada"}},
		given: []name{{"翔太", "shota"}, {"陽菜", "hina"}, {"蓮", "ren"}, {"結衣", "yui"}, {"大翔", "hiroto"},
			{"葵", "aoi"}, {"健太", "kenta"}, {"美咲", "misaki"}, {"拓海", "takumi"}, {"さくら", "sakura"},
			{"花子", "hanako"}, {"太郎", "taro"}, {"悠真", "yuma"}, {"凛", "rin"}, {"湊", "minato"}, {"芽依", "mei"},
			{"大輔", "daisuke"}, {"彩", "aya"}, {"直樹", "naoki"}, {"真由美", "mayumi"}, {"一郎", "ichiro"},
			{"恵子", "keiko"}, {"颯太", "sota"}, {"莉子", "riko"}, {"誠", "makoto"}, {"愛", "ai"}, {"亮", "ryo"},
			{"優子", "yuko"}, {"海斗", "kaito"}, {"紬", "tsumugi"}},
		englishGiven: []string{"Emily", "James", "Olivia", "Daniel", "Sophie", "Michael", "Hannah", "David",
			"Grace", "Thomas", "Chloe", "Lucas", "Mia", "Noah", "Ella", "Ethan"},
		englishFamily: []string{"Smith", "Brown", "Wilson", "Taylor", "Clark", "Walker", "Wright", "Green",
			"Hall", "Wood", "Evans", "Martin", "Lee", "Nguyen", "Kim", "Chen"},
		guestDomains: []string{"example.com", "example.jp", "example.ac.jp", "example.org"},
		adminRoles: []string{"Helpdesk Administrator", "Authentication Administrator", "User Administrator",
			"Global Administrator", "Security Administrator"},
		devices: deviceModels(),
		// Passkeys by AAGUID: Microsoft Authenticator's (Microsoft's list), a
		// YubiKey 5 NFC and the synced passkeys of iCloud Keychain and Google
		// Password Manager (the passkeydeveloper/passkey-authenticator-aaguids
		// list).
		passkeys: []struct{ aaguid, model string }{
			{aaguidAuthenticatorIOS, "Microsoft Authenticator - iOS"},
			{aaguidAuthenticatorAndroid, "Microsoft Authenticator - Android"},
			{"2fc0579f-8113-47ea-b116-bb5a8db9202a", "YubiKey 5 Series with NFC"},
			{"fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "iCloud Keychain"},
			{"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4", "Google Password Manager"},
		},
	}
}

// TenantSeed makes up the people of a Japanese university tenant in
// December 2026, deterministically from seed: the same arguments always
// give the same users, and TenantSeed(n, seed) is the first n of
// TenantSeed(m, seed) for any m > n. Object ids are random-looking GUIDs
// drawn from seed, so different seeds give different people.
//
// Their methods (see the share constants): about 35 % phones only (mostly a
// mobile; some with an alternate mobile or an office phone), 25 % a phone and
// Microsoft Authenticator, 15 % Authenticator only, 8 % a passkey, 5 %
// nothing, 12 % software OATH or Windows Hello. Drawn apart from that:
// 3 % guests (userPrincipalName "..._example.com#EXT#@contoso.onmicrosoft.com",
// userType Guest), 2 % disabled accounts, 1 % holding a directory role, 2 %
// without a Teams licence, 15 % preferring en-US (with English names) over
// ja-JP (with Japanese ones), 15 % with an email method. Members' UPNs are
// "given.family@campus.contoso.example", numbered from 2 where a name
// repeats. Add them with [WithSeed] or [Server.AddUsers].
func TenantSeed(people int, seed uint64) []SeedUser {
	t := newTenant(seed)
	out := make([]SeedUser, 0, max(people, 0))
	for range people {
		out = append(out, t.person())
	}
	return out
}

// person draws the next person.
func (t *tenant) person() SeedUser {
	rng := t.rng
	var id [16]byte
	for i := range id {
		id[i] = byte(rng.UintN(256))
	}
	su := SeedUser{ID: formatUUID(id[:], 0x40), PreferredLanguage: "ja-JP"}

	var local string
	if rng.Float64() < shareEnglish {
		given, family := t.englishGiven[rng.IntN(len(t.englishGiven))], t.englishFamily[rng.IntN(len(t.englishFamily))]
		su.DisplayName, local = given+" "+family, strings.ToLower(given+"."+family)
		su.PreferredLanguage = "en-US"
	} else {
		given, family := t.given[rng.IntN(len(t.given))], t.family[rng.IntN(len(t.family))]
		su.DisplayName, local = family.kanji+" "+given.kanji, given.romaji+"."+family.romaji
	}
	guest := rng.Float64() < shareGuest
	if guest {
		home := t.guestDomains[rng.IntN(len(t.guestDomains))]
		su.UserType, su.Mail = userTypeGuest, local+"@"+home
		local += "_" + home
	}
	if n := t.taken[local]; n > 0 {
		t.taken[local] = n + 1
		local += strconv.Itoa(n + 1)
	} else {
		t.taken[local] = 1
	}
	su.UserPrincipalName = local + "@" + tenantDomain
	if guest {
		su.UserPrincipalName = local + "#EXT#@" + tenantGuestDomain
	}

	if rng.Float64() < shareDisabled {
		su.AccountEnabled = new(bool)
	}
	if rng.Float64() < shareAdmin {
		su.DirectoryRoles = []string{t.adminRoles[rng.IntN(len(t.adminRoles))]}
	}
	if rng.Float64() < shareNoTeams {
		su.Teams = new(bool)
	}
	if rng.Float64() < shareSSPREmail {
		su.Email = fmt.Sprintf("home%06d@example.jp", rng.IntN(1_000_000))
	}
	t.methods(&su)
	return su
}

// methods draws the person's sign-in methods from the tenant's mix.
func (t *tenant) methods(su *SeedUser) {
	rng := t.rng
	mobilePhone := func() { su.Phones = append(su.Phones, SeedPhone{Type: mobile, Number: mobileNumber(rng)}) }
	officePhone := func() { su.Phones = append(su.Phones, SeedPhone{Type: office, Number: officeNumber(rng)}) }
	authenticator := func() {
		d := t.devices[rng.IntN(len(t.devices))]
		su.Authenticators = append(su.Authenticators, SeedDevice{DisplayName: d.name, Created: tenantDate(rng)})
	}
	switch r := rng.Float64(); {
	case r < sharePhoneOnly:
		switch p := rng.Float64(); {
		case p < 0.75:
			mobilePhone()
		case p < 0.90:
			mobilePhone()
			su.Phones = append(su.Phones, SeedPhone{Type: alternateMobile, Number: mobileNumber(rng)})
		case p < 0.95:
			mobilePhone()
			officePhone()
		default:
			officePhone()
		}
	case r < sharePhoneAuthenticator:
		mobilePhone()
		authenticator()
	case r < shareAuthenticatorOnly:
		authenticator()
	case r < sharePasskey:
		pk := t.passkeys[rng.IntN(len(t.passkeys))]
		su.FIDO2 = append(su.FIDO2, SeedDevice{DisplayName: pk.model, Model: pk.model, AAGUID: pk.aaguid, Created: tenantDate(rng)})
		if pk.aaguid == aaguidAuthenticatorIOS || pk.aaguid == aaguidAuthenticatorAndroid {
			authenticator() // the passkey lives in the app they already had
		}
		if rng.Float64() < 0.5 {
			mobilePhone()
		}
	case r < shareNothing:
	default:
		switch rng.IntN(3) {
		case 0:
			su.SoftwareOath = 1
		case 1:
			su.SoftwareOath = 1
			mobilePhone()
		default:
			su.WindowsHello = append(su.WindowsHello, SeedDevice{DisplayName: fmt.Sprintf("PC-%05d", rng.IntN(100_000)), Created: tenantDate(rng)})
			mobilePhone()
		}
	}
}

// mobileNumber is a Japanese mobile number in Graph's format.
func mobileNumber(rng *rand.Rand) string {
	return fmt.Sprintf("+81 %d0%08d", 7+rng.IntN(3), rng.IntN(100_000_000))
}

// officeNumber is a Tokyo office number, half of them with an extension.
func officeNumber(rng *rand.Rand) string {
	n := fmt.Sprintf("+81 3%08d", rng.IntN(100_000_000))
	if rng.IntN(2) == 0 {
		n += fmt.Sprintf("x%03d", rng.IntN(1000))
	}
	return n
}

// tenantDate is a registration date between January 2023 and November 2026.
func tenantDate(rng *rand.Rand) time.Time {
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Sub(start)
	return start.Add(time.Duration(rng.Int64N(int64(span/time.Second))) * time.Second)
}
