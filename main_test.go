package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

// TestReloadOnHangup edits FAQ_FILE under a running router: a broken edit is
// refused with the entry and field named and the last good knowledge base
// stays; a good edit is picked up.
func TestReloadOnHangup(t *testing.T) {
	good, err := os.ReadFile("faq/knowledge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "faq.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(string(good))
	kb, err := faq.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	router := dialogs.NewRouter(kb, nil)
	core, logs := observer.New(zap.InfoLevel)
	ctx := t.Context()
	go reloadOnHangup(ctx, path, router, zap.New(core))
	time.Sleep(50 * time.Millisecond) // let it subscribe to SIGHUP

	hangup := func(wantLog string) {
		t.Helper()
		n := logs.Len()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		// Generous: loading trains the matcher's classifier, which takes
		// seconds under -race on a busy 2-core machine.
		deadline := time.Now().Add(60 * time.Second)
		for logs.Len() == n {
			if time.Now().After(deadline) {
				t.Fatalf("nothing logged after SIGHUP, want %q", wantLog)
			}
			time.Sleep(10 * time.Millisecond)
		}
		e := logs.All()[logs.Len()-1]
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + toString(v)
		}
		if !strings.Contains(line, wantLog) {
			t.Errorf("log after SIGHUP: %q, want it to contain %q", line, wantLog)
		}
	}
	answerTitle := func() string {
		_, out := router.Step(dialogs.Session{}, dialogs.Input{Kind: dialogs.TextInput, Text: "SMSが届かない", Locale: "ja-JP"})
		if len(out.Replies) == 0 || out.Replies[0].Card == nil {
			t.Fatal("no answer card")
		}
		b, _ := out.Replies[0].Card.JSON()
		return string(b)
	}

	write(strings.Replace(string(good), "actions: [troubleshoot-sms, human]", "actions: [troubleshoot-sms, fax-it]", 1))
	hangup("entry sms-not-arriving: actions[1]")
	if !strings.Contains(answerTitle(), "SMSの確認コードが届かない") {
		t.Error("after a broken edit the bot no longer answers from the last good knowledge base")
	}

	write(strings.Replace(string(good), "ja: SMSの確認コードが届かない", "ja: SMSのコードが来ないとき", 1))
	hangup("knowledge base reloaded")
	if !strings.Contains(answerTitle(), "SMSのコードが来ないとき") {
		t.Error("a good edit was not picked up")
	}
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// TestGraphMethodsCommandMasksNumbers runs "mfadesk graph methods" against
// the simulator: the output lists the methods with masked numbers only.
func TestGraphMethodsCommandMasksNumbers(t *testing.T) {
	users, err := sim.LoadSeedFile("graph/sim/testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.New(sim.WithSeed(users)))
	defer srv.Close()
	t.Setenv("GRAPH_MODE", "simulator")
	t.Setenv("GRAPH_BASE_URL", srv.URL+"/v1.0")
	var out, errOut bytes.Buffer
	if code := graphCommand([]string{"methods", users[0].UserPrincipalName}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, p := range users[0].Phones {
		digits := strings.ReplaceAll(p.Number[strings.Index(p.Number, " ")+1:], " ", "")
		if strings.Contains(out.String(), digits) {
			t.Errorf("output shows the full number %s", graph.MaskNumber(p.Number))
		}
		if !strings.Contains(out.String(), graph.MaskNumber(p.Number)) {
			t.Errorf("output lacks the masked number %s:\n%s", graph.MaskNumber(p.Number), out.String())
		}
	}
	if !strings.Contains(out.String(), users[0].DisplayName) {
		t.Errorf("output lacks the user's name:\n%s", out.String())
	}
}

// The bot's binary must not contain text/template (html/template is built
// on it). Its calls of methods by name make the linker keep every exported
// method of every type in the program, the Microsoft Graph SDK's request
// builders and models among them: the binary was 198 MB with it and 84 MB
// without, and the Go runtime maps much of the difference into memory at
// start. Pages are written with html.EscapeString instead.
func TestBinaryHasNoTemplates(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list gave %d packages: it read too little", len(deps))
	}
	for _, p := range deps {
		if p == "text/template" || p == "html/template" {
			t.Errorf("the bot imports %s (see this test's comment)", p)
		}
	}
}
