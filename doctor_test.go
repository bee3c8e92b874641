package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// doctor passes against the simulators, and names each fault injected.
func TestDoctor(t *testing.T) {
	t.Parallel()
	run := func(vars map[string]string, args ...string) (int, string) {
		t.Helper()
		if vars["DATA_DIR"] == "" {
			vars["DATA_DIR"] = t.TempDir()
		}
		var out bytes.Buffer
		code := doctorCommand(args, env(vars), &out, &out)
		return code, out.String()
	}
	if code, out := run(map[string]string{}); code != 0 || !strings.Contains(out, "0 problems") {
		t.Fatalf("local mode: exit %d\n%s", code, out)
	}

	// The sign-in diagnosis is optional: without its permission the report
	// says it is off and why, and that is no failure.
	if code, out := run(map[string]string{"GRAPH_SIMULATOR_ROLES": "UserAuthenticationMethod.ReadWrite.All,User.Read.All,Mail.Send,RoleManagement.Read.Directory,GroupMember.Read.All,User.RevokeSessions.All"}); code != 0 ||
		!regexp.MustCompile(`warn +sign-in diagnosis +off: AuditLog.Read.All is not granted`).MatchString(out) {
		t.Errorf("without AuditLog.Read.All: exit %d, want 0 and the diagnosis named off:\n%s", code, out)
	}
	if _, out := run(map[string]string{}); !regexp.MustCompile(`ok +sign-in diagnosis +on`).MatchString(out) {
		t.Errorf("local mode: the diagnosis is not on:\n%s", out)
	}

	pkg := filepath.Join(t.TempDir(), "app.zip")
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("manifest.json")
	w.Write([]byte(`{"bots":[{"botId":"11111111-2222-3333-4444-555555555555"}],"validDomains":["bot.example.com"]}`))
	zw.Close()
	if err := os.WriteFile(pkg, zb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o600)

	for _, tt := range []struct {
		name  string
		vars  map[string]string
		args  []string
		check string
		want  []string
	}{
		{"a Graph permission missing", map[string]string{"GRAPH_SIMULATOR_ROLES": "UserAuthenticationMethod.ReadWrite.All,User.Read.All,RoleManagement.Read.Directory,GroupMember.Read.All,User.RevokeSessions.All"}, nil,
			"Graph permissions", []string{"Mail.Send", "Grant admin consent"}},
		{"no permission at all", map[string]string{"GRAPH_SIMULATOR_ROLES": "none"}, nil,
			"Graph permissions", []string{"UserAuthenticationMethod.ReadWrite.All"}},
		{"step-up off", map[string]string{"STEP_UP": "off"}, nil, "step-up sign-in", []string{"STEP_UP=off"}},
		{"data directory not writable", map[string]string{"DATA_DIR": filepath.Join(blocked, "data")}, nil, "database", []string{"DATA_DIR"}},
		{"app package for another bot", map[string]string{}, []string{"--app-package", pkg}, "app package", []string{"11111111-2222-3333-4444-555555555555", "mfadesk manifest build --app-id"}},
		{"a bad setting", map[string]string{"TIME_ZONE": "Mars/Olympus"}, nil, "configuration", []string{"TIME_ZONE"}},
	} {
		code, out := run(tt.vars, tt.args...)
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "FAIL") && strings.Contains(l, tt.check) {
				line = l
			}
		}
		if code != 1 || line == "" {
			t.Errorf("%s: exit %d, no FAIL for %q:\n%s", tt.name, code, tt.check, out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the report does not say %q:\n%s", tt.name, w, out)
			}
		}
	}
}
