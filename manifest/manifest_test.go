package manifest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

const testAppID = "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"

// unzip returns the package's files by name.
func unzip(t *testing.T, pkg []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

func rezip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var list []zipFile
	for _, name := range slices.Sorted(maps.Keys(files)) {
		list = append(list, zipFile{name, files[name]})
	}
	z, err := writeZip(list)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestBuildPackage(t *testing.T) {
	p, err := Build(Options{
		AppID: strings.ToUpper(testAppID), Version: "2.3.4",
		Domains: []string{"Bot.Example.com", "bot.example.com", "*.example.org"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings: %q", p.Warnings)
	}
	files := unzip(t, p.Zip)
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, []string{"color.png", "ja.json", "manifest.json", "outline.png"}) {
		t.Fatalf("files = %v", got)
	}
	if !bytes.Equal(files["manifest.json"], p.Manifest) {
		t.Error("Package.Manifest is not the zip's manifest.json")
	}

	var m appManifest
	if err := decodeStrict(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != testAppID || m.Bots[0].BotID != testAppID {
		t.Errorf("id %q, botId %q: want the lower-case app id %q", m.ID, m.Bots[0].BotID, testAppID)
	}
	if m.Version != "2.3.4" || m.ManifestVersion != SchemaVersion || m.Schema != ManifestSchemaURL {
		t.Errorf("version %q, manifestVersion %q, $schema %q", m.Version, m.ManifestVersion, m.Schema)
	}
	if !slices.Equal(m.ValidDomains, []string{"bot.example.com", "*.example.org"}) {
		t.Errorf("validDomains = %q", m.ValidDomains)
	}
	want := developer{Name: DefaultDeveloper, WebsiteURL: "https://bot.example.com/", PrivacyURL: "https://bot.example.com/privacy", TermsOfUseURL: "https://bot.example.com/terms"}
	if m.Developer != want {
		t.Errorf("developer = %+v, want %+v", m.Developer, want)
	}
	if m.Name.Short != DefaultName || !slices.Equal(m.Bots[0].Scopes, []string{"personal", "team"}) {
		t.Errorf("name %q, scopes %q", m.Name.Short, m.Bots[0].Scopes)
	}
	if err := CheckColorIcon(files["color.png"]); err != nil {
		t.Error(err)
	}
	if err := CheckOutlineIcon(files["outline.png"]); err != nil {
		t.Error(err)
	}

	// Every string a Teams client shows has a Japanese translation that
	// is not the English one (the language commands keep their names).
	var ja map[string]string
	if err := json.Unmarshal(files["ja.json"], &ja); err != nil {
		t.Fatal(err)
	}
	en := map[string]string{
		"name.short": m.Name.Short, "name.full": m.Name.Full,
		"description.short": m.Description.Short, "description.full": m.Description.Full,
	}
	for i, l := range m.Bots[0].CommandLists {
		for j, c := range l.Commands {
			prefix := fmt.Sprintf("bots[0].commandLists[%d].commands[%d].", i, j)
			en[prefix+"title"], en[prefix+"description"] = c.Title, c.Description
		}
	}
	for k, v := range en {
		tr, ok := ja[k]
		switch {
		case !ok || strings.TrimSpace(tr) == "":
			t.Errorf("ja.json has no %s", k)
		case tr == v && k != "name.short" && v != "日本語" && v != "English":
			t.Errorf("ja.json %s is the English text", k)
		}
	}
	if len(ja) != len(en)+1 { // + $schema
		t.Errorf("ja.json has %d keys, the manifest %d strings: a translation of nothing?", len(ja)-1, len(en))
	}

	again, err := Build(Options{AppID: testAppID, Version: "2.3.4", Domains: []string{"bot.example.com", "*.example.org"}})
	if err != nil || !bytes.Equal(again.Zip, p.Zip) {
		t.Error("the same options gave a different zip: builds should be reproducible")
	}
}

func TestBuildNamesAndURLs(t *testing.T) {
	p, err := Build(Options{
		AppID: testAppID, Name: "ITC 認証ヘルプ", NameJA: "情報センター 認証ヘルプ", Developer: "Example University ITC",
		WebsiteURL: "https://itc.example.ac.jp/", PrivacyURL: "https://itc.example.ac.jp/privacy", TermsURL: "https://itc.example.ac.jp/terms",
	})
	if err != nil {
		t.Fatal(err)
	}
	files := unzip(t, p.Zip)
	var m appManifest
	var ja map[string]string
	if json.Unmarshal(files["manifest.json"], &m) != nil || json.Unmarshal(files["ja.json"], &ja) != nil {
		t.Fatal("undecodable package")
	}
	if m.Name.Short != "ITC 認証ヘルプ" || ja["name.short"] != "情報センター 認証ヘルプ" || !strings.HasPrefix(ja["name.full"], "情報センター 認証ヘルプ") {
		t.Errorf("names: %q / %q / %q", m.Name.Short, ja["name.short"], ja["name.full"])
	}
	if m.Developer.Name != "Example University ITC" || m.Developer.PrivacyURL != "https://itc.example.ac.jp/privacy" {
		t.Errorf("developer = %+v", m.Developer)
	}
	// No domain: a valid package, with the gaps named.
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "validDomains is empty") {
		t.Errorf("warnings = %q", p.Warnings)
	}

	wild, err := Build(Options{AppID: testAppID, Domains: []string{"*.example.ac.jp"}})
	if err != nil || len(wild.Warnings) != 3 || !strings.Contains(wild.Warnings[0], "all wildcards") {
		t.Errorf("wildcard domain only: %v, warnings %q", err, wild.Warnings)
	}

	bare, err := Build(Options{AppID: testAppID})
	if err != nil {
		t.Fatal(err)
	}
	if len(bare.Warnings) != 4 || !strings.Contains(strings.Join(bare.Warnings, "\n"), "privacy URL is a placeholder") {
		t.Errorf("warnings = %q", bare.Warnings)
	}
}

func TestBuildRefusesBadOptions(t *testing.T) {
	long := strings.Repeat("あ", 31)
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no app id", Options{}, "app id is missing"},
		{"not a GUID", Options{AppID: "my-bot"}, `"my-bot" is not a GUID`},
		{"GUID in braces", Options{AppID: "{" + testAppID + "}"}, "is not a GUID"},
		{"zero GUID", Options{AppID: "00000000-0000-0000-0000-000000000000"}, "all-zero GUID"},
		{"long name", Options{AppID: testAppID, Name: long}, "31 characters long: Teams allows at most 30"},
		{"long Japanese name", Options{AppID: testAppID, NameJA: long}, "Japanese name"},
		{"control characters", Options{AppID: testAppID, Name: "MFA\x07Desk"}, "control characters"},
		{"long developer", Options{AppID: testAppID, Developer: strings.Repeat("x", 33)}, "at most 32"},
		{"two-part version", Options{AppID: testAppID, Version: "1.0"}, "MAJOR.MINOR.PATCH"},
		{"v prefix", Options{AppID: testAppID, Version: "v1.0.0"}, `no "v"`},
		{"pre-release", Options{AppID: testAppID, Version: "1.0.0-beta.1"}, "pre-release"},
		{"leading zero", Options{AppID: testAppID, Version: "1.02.0"}, "MAJOR.MINOR.PATCH"},
		{"domain as URL", Options{AppID: testAppID, Domains: []string{"https://bot.example.com/api/messages"}}, "give only its host name, bot.example.com"},
		{"domain with port", Options{AppID: testAppID, Domains: []string{"bot.example.com:443"}}, "give only its host name"},
		{"IP address", Options{AppID: testAppID, Domains: []string{"10.0.0.1"}}, "not a host name"},
		{"one label", Options{AppID: testAppID, Domains: []string{"localhost"}}, "not a host name"},
		{"bad label", Options{AppID: testAppID, Domains: []string{"bot_1.example.com"}}, "not a host name"},
		{"http privacy URL", Options{AppID: testAppID, PrivacyURL: "http://example.com/privacy"}, "privacy URL \"http://example.com/privacy\" must be an https://"},
		{"relative terms URL", Options{AppID: testAppID, TermsURL: "/terms"}, "terms of use URL"},
		{"URL with a space", Options{AppID: testAppID, WebsiteURL: "https://itc.example.ac.jp/mfa help"}, "website URL"},
		{"URL with a bad port", Options{AppID: testAppID, WebsiteURL: "https://itc.example.ac.jp:99999/"}, "invalid port"},
		{"small colour icon", Options{AppID: testAppID, ColorIcon: encodePNG(DrawOutlineIcon())}, "colour icon: is 32×32"},
		{"colour outline icon", Options{AppID: testAppID, OutlineIcon: encodePNG(DrawColorIcon())}, "outline icon: is 192×192"},
	} {
		p, err := Build(tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
		if p != nil {
			t.Errorf("%s: a package was built", tc.name)
		}
	}
	many := make([]string, 17)
	for i := range many {
		many[i] = fmt.Sprintf("h%d.example.com", i)
	}
	if _, err := Build(Options{AppID: testAppID, Domains: many}); err == nil || !strings.Contains(err.Error(), "at most 16") {
		t.Errorf("17 domains: err = %v", err)
	}
}

// TestCheckFindsBrokenPackages edits a good package in the ways people
// break them by hand; Check must name each problem.
func TestCheckFindsBrokenPackages(t *testing.T) {
	good, err := Build(Options{AppID: testAppID, Domains: []string{"bot.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(good.Zip); err != nil {
		t.Fatalf("a built package fails its check: %v", err)
	}
	editJSON := func(name string, edit func(map[string]any)) func(map[string][]byte) {
		return func(files map[string][]byte) {
			var doc map[string]any
			if err := json.Unmarshal(files[name], &doc); err != nil {
				t.Fatal(err)
			}
			edit(doc)
			files[name], _ = json.Marshal(doc)
		}
	}
	bot := func(doc map[string]any) map[string]any { return doc["bots"].([]any)[0].(map[string]any) }
	firstCommand := func(doc map[string]any) map[string]any {
		return bot(doc)["commandLists"].([]any)[0].(map[string]any)["commands"].([]any)[0].(map[string]any)
	}
	for _, tc := range []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"no developer", editJSON("manifest.json", func(d map[string]any) { delete(d, "developer") }), "at /: missing property 'developer'"},
		{"unknown field", editJSON("manifest.json", func(d map[string]any) { d["colour"] = "blue" }), "additional properties 'colour'"},
		{"bad app id", editJSON("manifest.json", func(d map[string]any) { d["id"] = "not-a-guid" }), "at /id"},
		{"long short name", editJSON("manifest.json", func(d map[string]any) {
			d["name"].(map[string]any)["short"] = strings.Repeat("n", 31)
		}), "at /name/short"},
		{"http website", editJSON("manifest.json", func(d map[string]any) {
			d["developer"].(map[string]any)["websiteUrl"] = "ftp://example.com"
		}), "at /developer/websiteUrl"},
		{"two-part version", editJSON("manifest.json", func(d map[string]any) { d["version"] = "1.0" }), `version "1.0" is not MAJOR.MINOR.PATCH`},
		{"group chat scope typo", editJSON("manifest.json", func(d map[string]any) { bot(d)["scopes"] = []any{"personal", "groupchat"} }), "at /bots/0/scopes/1"},
		{"long command title", editJSON("manifest.json", func(d map[string]any) {
			firstCommand(d)["title"] = strings.Repeat("c", 33)
		}), "longer than 32 characters"},
		{"bot id not a GUID", editJSON("manifest.json", func(d map[string]any) { bot(d)["botId"] = "28:mfadesk" }), "at /bots/0/botId"},
		{"long Japanese name", editJSON("ja.json", func(d map[string]any) { d["name.short"] = strings.Repeat("名", 31) }), "ja.json: name.short is 31 characters long"},
		{"Japanese key for nothing", editJSON("ja.json", func(d map[string]any) {
			d["bots[0].commandLists[0].commands[9].title"] = "存在しない"
		}), "translates a command the manifest does not have"},
		{"unknown Japanese key", editJSON("ja.json", func(d map[string]any) { d["name.nick"] = "x" }), "ja.json: does not match"},
		{"null Japanese description", editJSON("ja.json", func(d map[string]any) { d["description.short"] = "null" }), "at /description.short"},
		{"old localisation schema", editJSON("ja.json", func(d map[string]any) {
			d["$schema"] = "https://developer.microsoft.com/json-schemas/teams/v1.16/MicrosoftTeams.Localization.schema.json"
		}), "the manifest's version needs"},
		{"no Japanese file", func(f map[string][]byte) { delete(f, "ja.json") }, `the ja localisation "ja.json" is not in the package`},
		{"no outline icon", func(f map[string][]byte) { delete(f, "outline.png") }, `icon "outline.png" is not in the package`},
		{"swapped icons", func(f map[string][]byte) { f["color.png"], f["outline.png"] = f["outline.png"], f["color.png"] }, "color.png: colour icon: is 32×32"},
		{"not JSON", func(f map[string][]byte) { f["manifest.json"] = []byte("{") }, "manifest.json"},
		{"version as a number", editJSON("manifest.json", func(d map[string]any) { d["version"] = 1 }), "at /version: got number, want string"},
		{"macOS Finder zip", func(f map[string][]byte) { f["__MACOSX/._manifest.json"] = []byte{0} }, "macOS Finder"},
	} {
		files := unzip(t, good.Zip)
		tc.edit(files)
		err := Check(rezip(t, files))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v\nwant %q", tc.name, err, tc.want)
		}
	}

	// localizationKeys is an object, not a translation: valid.
	files := unzip(t, good.Zip)
	editJSON("ja.json", func(d map[string]any) { d["localizationKeys"] = map[string]any{"[[app_name]]": "MFA Desk"} })(files)
	if err := Check(rezip(t, files)); err != nil {
		t.Errorf("localizationKeys: %v", err)
	}

	if err := Check([]byte("PK not really")); err == nil || !strings.Contains(err.Error(), "not a zip file") {
		t.Errorf("garbage: %v", err)
	}
	files = unzip(t, good.Zip)
	files["appPackage/manifest.json"] = files["manifest.json"]
	if err := Check(rezip(t, files)); err == nil || !strings.Contains(err.Error(), "in a folder") {
		t.Errorf("folder: %v", err)
	}
	delete(files, "appPackage/manifest.json")
	delete(files, "manifest.json")
	if err := Check(rezip(t, files)); err == nil || !strings.Contains(err.Error(), "no manifest.json") {
		t.Errorf("no manifest: %v", err)
	}
}
