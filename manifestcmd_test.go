package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/manifest"
)

// TestManifestCommandsReachTheirDialogs sends every command title the app
// package lists, in English and Japanese, as Teams does when someone picks
// it from the command menu: each must start what its description promises,
// not fall through to FAQ matching.
func TestManifestCommandsReachTheirDialogs(t *testing.T) {
	p, err := manifest.Build(manifest.Options{AppID: testAppID})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	zr, err := zip.NewReader(bytes.NewReader(p.Zip), int64(len(p.Zip)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var m struct {
		Bots []struct {
			CommandLists []struct {
				Scopes   []string `json:"scopes"`
				Commands []struct {
					Title string `json:"title"`
				} `json:"commands"`
			} `json:"commandLists"`
		} `json:"bots"`
	}
	var ja map[string]string
	if json.Unmarshal(files["manifest.json"], &m) != nil || json.Unmarshal(files["ja.json"], &ja) != nil {
		t.Fatal("undecodable package")
	}

	// What each command's first reply says, by its English title.
	expect := map[string]struct{ en, ja string }{
		"help":                     {"What would you like to do?", "何をしますか？"},
		"ask a question":           {"Go ahead and ask", "ご質問をどうぞ"},
		"change my sign-in method": {"What would you like to change", "何を変更しますか？"},
		"register a passkey":       {"", ""}, // reads the person's methods first: no reply yet
		"talk to a person":         {"Talk to a person at the helpdesk", "ヘルプデスクの担当者につなぎます"},
		"日本語":                      {"これからは日本語でお答えします。", "これからは日本語でお答えします。"},
		"English":                  {"I'll answer in English from now on.", "I'll answer in English from now on."},
	}
	kb, err := faq.Load("")
	if err != nil {
		t.Fatal(err)
	}
	router := dialogs.NewRouter(kb, nil)
	for i, list := range m.Bots[0].CommandLists {
		scope := dialogs.Personal
		if list.Scopes[0] == "team" {
			scope = dialogs.Channel
		}
		for j, c := range list.Commands {
			want, ok := expect[c.Title]
			if !ok {
				t.Errorf("command %q: no expectation; add what it should answer", c.Title)
				continue
			}
			jaTitle := ja[fmt.Sprintf("bots[0].commandLists[%d].commands[%d].title", i, j)]
			for _, tc := range []struct{ title, locale, want string }{
				{c.Title, "en-US", want.en},
				{jaTitle, "ja-JP", want.ja},
			} {
				_, out := router.Step(dialogs.Session{}, dialogs.Input{
					Kind: dialogs.TextInput, Text: tc.title, Locale: tc.locale, Scope: scope, Now: time.Now(),
					User: dialogs.User{ID: "29:someone", AADObjectID: "5a1ce000-0000-4000-8000-000000000001"},
				})
				if tc.want == "" {
					if len(out.Effects) != 1 || out.Effects[0].EffectName() != (dialogs.LoadMethods{}).EffectName() {
						t.Errorf("%s command %q: effects %v, want the person's methods read", scope, tc.title, out.Effects)
					}
					continue
				}
				if len(out.Replies) == 0 {
					t.Errorf("%s command %q: no reply", scope, tc.title)
					continue
				}
				first, _ := json.Marshal(out.Replies[0])
				if !strings.Contains(string(first), tc.want) {
					t.Errorf("%s command %q: first reply %.160s…, want %q", scope, tc.title, first, tc.want)
				}
			}
		}
	}
}

func TestManifestBuildCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"MANIFEST_DEVELOPER": "Example University ITC"}
	getenv := func(k string) string { return env[k] }
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := manifestCommand(args, getenv, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	out := filepath.Join(dir, "appPackage.zip")
	code, stdout, stderr := run("build", "--app-id", "6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C", "--version", "1.2.0",
		"--domain", "bot.example.ac.jp", "--out", out)
	if code != 0 || !strings.Contains(stdout, "wrote "+out) || stderr != "" {
		t.Fatalf("build: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.Check(data); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"developer": {`, `"name": "Example University ITC"`, `"privacyUrl": "https://bot.example.ac.jp/privacy"`, `"version": "1.2.0"`} {
		if !bytes.Contains(manifestOf(t, data), []byte(want)) {
			t.Errorf("manifest has no %s", want)
		}
	}
	if code, stdout, _ := run("check", out); code != 0 || !strings.Contains(stdout, "a valid Teams app package") {
		t.Errorf("check of the built package: exit %d %s", code, stdout)
	}

	// The app id can come from the bot's own configuration.
	env["MicrosoftAppId"] = testAppID
	envOut := filepath.Join(dir, "from-env.zip")
	if code, _, stderr := run("build", "--out", envOut); code != 0 || !strings.Contains(stderr, "warning: the privacy URL is a placeholder") {
		t.Errorf("build from MicrosoftAppId: exit %d, stderr %s", code, stderr)
	}
	delete(env, "MicrosoftAppId")

	// Bad arguments: a clear error, exit 2, and no file.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build"}, "app id is missing"},
		{[]string{"build", "--app-id", "not-a-guid"}, `"not-a-guid" is not a GUID`},
		{[]string{"build", "--app-id", testAppID, "--name", strings.Repeat("n", 31)}, "at most 30"},
		{[]string{"build", "--app-id", testAppID, "--version", "1.0"}, "MAJOR.MINOR.PATCH"},
		{[]string{"build", "--app-id", testAppID, "--domain", "https://bot.example.com/api/messages"}, "give only its host name, bot.example.com"},
		{[]string{"build", "--app-id", testAppID, "--color-icon", filepath.Join(dir, "missing.png")}, "no such file"},
		{[]string{"build", "--app-id", testAppID, "extra"}, `unexpected argument "extra"`},
		{[]string{"build", "--app-id", testAppID, "--colour", "blue"}, "flag provided but not defined"},
	} {
		bad := filepath.Join(dir, "bad.zip")
		code, _, stderr := run(append(tc.args, "--out", bad)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
		if _, err := os.Stat(bad); !os.IsNotExist(err) {
			t.Errorf("%q: a file was written", tc.args)
		}
	}
	if code, _, stderr := run("build", "--app-id", testAppID, "--out", ""); code != 2 || !strings.Contains(stderr, "--out is empty") {
		t.Errorf("--out empty: exit %d %q", code, stderr)
	}
	if code, _, stderr := run("build", "--app-id", testAppID, "--out", filepath.Join(dir, "missing", "x.zip")); code != 1 ||
		!strings.Contains(stderr, "cannot write "+filepath.Join(dir, "missing", "x.zip")) {
		t.Errorf("--out in a missing folder: exit %d %q", code, stderr)
	}
	if code, _, stderr := run("build", "--help"); code != 0 || !strings.Contains(stderr, "Usage:") {
		t.Errorf("--help: exit %d", code)
	}
	if code, _, stderr := run("build", "--app-id", testAppID, "--out", dir); code != 1 || !strings.Contains(stderr, "is a directory") {
		t.Errorf("--out a directory: exit %d %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the directory holds %d entries, want the two packages (no temporary files left)", len(entries))
	}

	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a zip"), 0o644)
	if code, _, stderr := run("check", filepath.Join(dir, "notes.txt")); code != 1 || !strings.Contains(stderr, "not a zip file") {
		t.Errorf("check of a text file: exit %d %q", code, stderr)
	}
}

func manifestOf(t *testing.T, pkg []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	return data
}
