package manifest

import (
	"archive/zip"
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// app holds the package's template: the manifest with its variable fields
// empty, the Japanese localisation and the two icons.
//
//go:embed app
var app embed.FS

// The package's file names. Teams wants every file at the zip's root.
const (
	manifestFile = "manifest.json"
	japaneseFile = "ja.json"
	colorFile    = "color.png"
	outlineFile  = "outline.png"
)

// Defaults for what Options leaves empty.
const (
	DefaultName      = "MFA Desk"
	DefaultVersion   = "1.0.0"
	DefaultDeveloper = "IT Helpdesk"
)

// Options are the values an organisation chooses; the rest of the manifest
// is the template in app/.
type Options struct {
	// AppID is the Azure Bot's Microsoft App ID. It is both the Teams app's
	// id and the bot's id, so that updates of the package replace the app.
	AppID string
	// Name is the app's short name (at most 30 characters); NameJA is the
	// name Japanese Teams clients show, Name when empty.
	Name, NameJA string
	// Version is the package's version, MAJOR.MINOR.PATCH. Teams installs
	// an update only when it is higher than the installed one.
	Version string
	// Domains become validDomains: the host names of the bot's endpoint.
	Domains []string
	// Developer is the organisation's name shown as the app's publisher.
	Developer string
	// WebsiteURL, PrivacyURL and TermsURL are the https pages Teams links
	// from the app's details. Empty: the pages the bot itself serves on the
	// first of Domains.
	WebsiteURL, PrivacyURL, TermsURL string
	// ColorIcon and OutlineIcon replace the built-in icons (PNG files).
	ColorIcon, OutlineIcon []byte
}

// Package is a built app package.
type Package struct {
	Zip      []byte
	Manifest []byte // manifest.json, as in the zip
	// Warnings are things an administrator should fix before uploading
	// the package to the organisation, although it is valid.
	Warnings []string
}

// Limits Teams applies to the fields Options sets.
const (
	maxShortName = 30
	maxDeveloper = 32
)

var (
	guidPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	versionFormat = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	hostLabel     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// packageTime is every file's time in the zip, so that the same options
// always give the same bytes.
var packageTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Build fills the template with o, checks the result against Microsoft's
// schema and Teams' rules, and returns the zip. An error says which option
// is wrong and how to fix it; nothing is built then.
func Build(o Options) (*Package, error) {
	o, warnings, err := o.normalize()
	if err != nil {
		return nil, err
	}
	var m appManifest
	if err := decodeStrict(mustRead(manifestFile), &m); err != nil {
		return nil, fmt.Errorf("manifest template: %w", err)
	}
	var ja map[string]string
	if err := decodeStrict(mustRead(japaneseFile), &ja); err != nil {
		return nil, fmt.Errorf("Japanese localisation template: %w", err)
	}

	m.ID, m.Version, m.AccentColor = o.AppID, o.Version, AccentColor
	m.Name.Short, m.Name.Full = o.Name, o.Name+": help with multi-factor authentication"
	ja["name.short"], ja["name.full"] = o.NameJA, o.NameJA+"（多要素認証のサポート）"
	m.Developer = developer{Name: o.Developer, WebsiteURL: o.WebsiteURL, PrivacyURL: o.PrivacyURL, TermsOfUseURL: o.TermsURL}
	m.ValidDomains = o.Domains
	for i := range m.Bots {
		m.Bots[i].BotID = o.AppID
	}

	manifestJSON := encodeJSON(m)
	files := []zipFile{
		{manifestFile, manifestJSON},
		{japaneseFile, encodeJSON(ja)},
		{colorFile, o.ColorIcon},
		{outlineFile, o.OutlineIcon},
	}
	zipped, err := writeZip(files)
	if err != nil {
		return nil, err
	}
	if err := Check(zipped); err != nil {
		return nil, err
	}
	return &Package{Zip: zipped, Manifest: manifestJSON, Warnings: warnings}, nil
}

// normalize checks o, fills the defaults and reports what an administrator
// should still set.
func (o Options) normalize() (Options, []string, error) {
	var warnings []string
	o.AppID = strings.ToLower(strings.TrimSpace(o.AppID))
	switch {
	case o.AppID == "":
		return o, nil, errors.New("the app id is missing: pass the Azure Bot's Microsoft App ID (a GUID)")
	case !guidPattern.MatchString(o.AppID):
		return o, nil, fmt.Errorf("app id %q is not a GUID: use the Azure Bot's Microsoft App ID, like 6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", o.AppID)
	case strings.Trim(o.AppID, "0-") == "":
		return o, nil, errors.New("the app id is the all-zero GUID: use the Azure Bot's Microsoft App ID")
	}

	var err error
	if o.Name, err = checkName("name", o.Name, DefaultName); err != nil {
		return o, nil, err
	}
	if o.NameJA, err = checkName("Japanese name", o.NameJA, o.Name); err != nil {
		return o, nil, err
	}
	if o.Developer, err = checkText("developer name", o.Developer, DefaultDeveloper, maxDeveloper); err != nil {
		return o, nil, err
	}

	o.Version = cmp.Or(strings.TrimSpace(o.Version), DefaultVersion)
	if !versionFormat.MatchString(o.Version) {
		return o, nil, fmt.Errorf("version %q is not one Teams accepts: use MAJOR.MINOR.PATCH with plain numbers, like 1.4.0 (no \"v\", no pre-release suffix)", o.Version)
	}

	domains := []string{} // validDomains is written even when empty
	for _, d := range o.Domains {
		d, err := checkDomain(d)
		if err != nil {
			return o, nil, err
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	o.Domains = domains
	if len(domains) > 16 {
		return o, nil, fmt.Errorf("%d domains: Teams allows at most 16", len(domains))
	}

	host := ""
	for _, d := range domains {
		if !strings.HasPrefix(d, "*.") {
			host = d
			break
		}
	}
	for _, u := range []struct {
		name, path string
		value      *string
	}{
		{"website URL", "/", &o.WebsiteURL},
		{"privacy URL", "/privacy", &o.PrivacyURL},
		{"terms of use URL", "/terms", &o.TermsURL},
	} {
		*u.value = strings.TrimSpace(*u.value)
		switch {
		case *u.value != "":
			if err := checkHTTPS(u.name, *u.value); err != nil {
				return o, nil, err
			}
		case host != "":
			*u.value = "https://" + host + u.path
		default:
			*u.value = "https://example.com" + u.path
			hint := "give the bot's domain"
			if len(domains) > 0 {
				hint = "the domains given are all wildcards: give the bot's own host name too"
			}
			warnings = append(warnings, fmt.Sprintf("the %s is a placeholder (%s): %s, or the %s, before uploading the package to your organisation", u.name, *u.value, hint, u.name))
		}
	}
	if len(domains) == 0 {
		warnings = append(warnings, "no domain given: validDomains is empty; give the bot's host name (the messaging endpoint's) so Teams trusts links to it")
	}

	if o.ColorIcon == nil {
		o.ColorIcon = mustRead(colorFile)
	}
	if o.OutlineIcon == nil {
		o.OutlineIcon = mustRead(outlineFile)
	}
	return o, warnings, nil
}

func checkName(what, v, def string) (string, error) {
	return checkText(what, v, def, maxShortName)
}

// checkText trims v, defaults it and checks its length and characters.
func checkText(what, v, def string, max int) (string, error) {
	v = cmp.Or(strings.TrimSpace(v), def)
	if n := utf8.RuneCountInString(v); n > max {
		return v, fmt.Errorf("the %s %q is %d characters long: Teams allows at most %d", what, v, n, max)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 || !utf8.ValidString(v) {
		return v, fmt.Errorf("the %s contains control characters or invalid UTF-8", what)
	}
	return v, nil
}

// checkDomain accepts a host name like bot.example.com or *.example.com.
func checkDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSpace(d))
	if strings.ContainsAny(d, "/:?#@ ") {
		u, err := url.Parse(d)
		if err != nil || u.Host == "" {
			u, err = url.Parse("//" + d) // bot.example.com:443
		}
		if err == nil && u.Hostname() != "" {
			return "", fmt.Errorf("domain %q is a URL: give only its host name, %s", d, u.Hostname())
		}
		return "", fmt.Errorf("domain %q is not a host name: use a name like bot.example.com", d)
	}
	labels := strings.Split(strings.TrimPrefix(d, "*."), ".")
	ok := len(labels) >= 2 && len(d) <= 253
	for _, l := range labels {
		ok = ok && hostLabel.MatchString(l)
	}
	if last := labels[len(labels)-1]; ok && strings.Trim(last, "0123456789") == "" {
		ok = false // an IP address: Teams wants names
	}
	if !ok {
		return "", fmt.Errorf("domain %q is not a host name: use a name like bot.example.com (or *.example.com)", d)
	}
	return d, nil
}

func checkHTTPS(what, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || strings.ContainsFunc(v, unicode.IsSpace) {
		return fmt.Errorf("the %s %q must be an https:// address", what, v)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("the %s %q has an invalid port", what, v)
		}
	}
	if len(v) > 2048 {
		return fmt.Errorf("the %s is longer than 2048 characters", what)
	}
	return nil
}

// mustRead reads a template file; they are embedded, so it cannot fail.
func mustRead(name string) []byte {
	data, err := app.ReadFile("app/" + name)
	if err != nil {
		panic(err)
	}
	return data
}

// decodeStrict decodes JSON, refusing fields v does not have: a typo in the
// template must not vanish silently.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// encodeJSON writes v indented, without escaping <, > and &, as a person
// would write the file.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // plain structs and maps of strings
	}
	return buf.Bytes()
}

type zipFile struct {
	name string
	data []byte
}

func writeZip(files []zipFile) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: packageTime})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appManifest is the part of Teams' manifest schema this app uses, in the
// order the file is written.
type appManifest struct {
	Schema           string            `json:"$schema"`
	ManifestVersion  string            `json:"manifestVersion"`
	Version          string            `json:"version"`
	ID               string            `json:"id"`
	Developer        developer         `json:"developer"`
	Name             shortAndFull      `json:"name"`
	Description      shortAndFull      `json:"description"`
	Icons            icons             `json:"icons"`
	AccentColor      string            `json:"accentColor"`
	LocalizationInfo localizationInfo  `json:"localizationInfo"`
	Bots             []botEntry        `json:"bots"`
	Permissions      []string          `json:"permissions"`
	ValidDomains     []string          `json:"validDomains"`
	DefaultScope     string            `json:"defaultInstallScope"`
	DefaultGroupCap  map[string]string `json:"defaultGroupCapability"`
	// SupportsChannelFeatures "tier1" lets the bot work in private and
	// shared channels, where a helpdesk often keeps its tickets.
	SupportsChannelFeatures string `json:"supportsChannelFeatures,omitempty"`
}

type developer struct {
	Name          string `json:"name"`
	WebsiteURL    string `json:"websiteUrl"`
	PrivacyURL    string `json:"privacyUrl"`
	TermsOfUseURL string `json:"termsOfUseUrl"`
}

// shortAndFull is a name or a description: Teams shows the short one
// where space is tight.
type shortAndFull struct {
	Short string `json:"short"`
	Full  string `json:"full"`
}

type icons struct {
	Color   string `json:"color"`
	Outline string `json:"outline"`
}

type localizationInfo struct {
	DefaultLanguageTag  string         `json:"defaultLanguageTag"`
	AdditionalLanguages []languageFile `json:"additionalLanguages"`
}

type languageFile struct {
	LanguageTag string `json:"languageTag"`
	File        string `json:"file"`
}

type botEntry struct {
	BotID              string        `json:"botId"`
	Scopes             []string      `json:"scopes"`
	SupportsFiles      bool          `json:"supportsFiles"`
	IsNotificationOnly bool          `json:"isNotificationOnly"`
	CommandLists       []commandList `json:"commandLists"`
}

type commandList struct {
	Scopes   []string  `json:"scopes"`
	Commands []command `json:"commands"`
}

type command struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}
