package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestMain lets a test start this binary as the bot itself (see
// startChild): with MFADESK_TEST_SERVE=1 it serves instead of testing (or
// runs the command in MFADESK_TEST_ARGS).
func TestMain(m *testing.M) {
	if os.Getenv("MFADESK_TEST_SERVE") == "1" {
		os.Exit(run(strings.Fields(os.Getenv("MFADESK_TEST_ARGS"))))
	}
	os.Exit(m.Run())
}

// child is the bot running as a separate process in local mode.
type child struct {
	cmd  *exec.Cmd
	base string
}

func startChild(t *testing.T, dataDir string) *child {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MFADESK_TEST_SERVE=1", "PLAYGROUND=off", "DATA_DIR="+dataDir, fmt.Sprintf("PORT=%d", port),
		"LOG_LEVEL=warn", "MicrosoftAppId=", "DATABASE_URL=")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	t.Cleanup(func() { c.cmd.Process.Kill(); c.cmd.Wait() })
	// Generous: a -race build on a busy 2-core machine starts slowly.
	deadline := time.Now().Add(90 * time.Second)
	for {
		if resp, err := http.Get(c.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the bot did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inbox is a fake Bot Connector: it keeps what the bot sends.
type inbox struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func newInbox(t *testing.T) *inbox {
	in := &inbox{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		in.mu.Lock()
		in.got = append(in.got, string(body))
		n := len(in.got)
		in.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"sent-%d"}`, n)
	}))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *inbox) all() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return strings.Join(in.got, "\n")
}

func (c *child) post(t *testing.T, a map[string]any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(a)
	resp, err := http.Post(c.base+"/api/messages", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestKilledMidTurn kills the bot (SIGKILL) while a confirmed change is
// being written, restarts it on the same data directory and checks that
// nothing is half-done: the database is intact, the redelivered click does
// not write again, a second click is told the change is under way, and
// the conversation goes on.
func TestKilledMidTurn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the bot as a process")
	}
	t.Parallel()
	dataDir := t.TempDir()
	in := newInbox(t)
	n := 0
	activity := func(extra map[string]any) map[string]any {
		n++
		a := map[string]any{
			"type": "message", "id": fmt.Sprintf("kill-%d", n), "serviceUrl": in.srv.URL + "/", "channelId": "msteams",
			"from":         map[string]any{"id": "29:1kill", "name": "山田 花子", "aadObjectId": "5a1ce000-0000-4000-8000-00000000c111"},
			"conversation": map[string]any{"id": "a:1kill", "conversationType": "personal"},
			"recipient":    map[string]any{"id": "28:mfadesk-local", "name": "MFA Desk"}, "locale": "ja-JP",
		}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	submit := func(data map[string]any) map[string]any { return activity(map[string]any{"value": data}) }

	bot := startChild(t, dataDir)
	// Graph answers writes only after 30 s: the kill comes before.
	fault := `{"method":"POST","pathContains":"phoneMethods","latency":"30s"}`
	if resp, err := http.Post(bot.base+"/graph-simulator/_sim/faults", "application/json", strings.NewReader(fault)); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("inject fault: %v %v", err, resp)
	}
	for _, a := range []map[string]any{
		submit(map[string]any{"verb": "change.start", "kind": "backup"}),
		submit(map[string]any{"verb": "change.pick", "choice": "office"}),
		activity(map[string]any{"text": "03-4444-5555"}),
	} {
		if code, body := bot.post(t, a); code != http.StatusOK {
			t.Fatalf("HTTP %d %s", code, body)
		}
	}
	m := regexp.MustCompile(`"req":"([^"]+)"`).FindAllStringSubmatch(in.all(), -1)
	if len(m) == 0 {
		t.Fatal("no preview with a confirm button")
	}
	req := m[len(m)-1][1]
	confirm := activity(map[string]any{"type": "invoke", "name": "adaptiveCard/action", "replyToId": "sent-3",
		"value": map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "change.confirm", "data": map[string]any{"req": req}}}})
	if code, body := bot.post(t, confirm); code != http.StatusOK {
		t.Fatalf("confirm: HTTP %d %s", code, body)
	}
	// The click is answered; the write is still waiting on Graph.
	bot.cmd.Process.Signal(syscall.SIGKILL)
	bot.cmd.Wait()

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "mfadesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("database after the kill: %q %v", check, err)
	}
	db.Close()

	bot = startChild(t, dataDir)
	before := in.all()
	// The Bot Connector redelivers the click; a double click follows.
	if code, body := bot.post(t, confirm); code != http.StatusOK {
		t.Fatalf("redelivered confirm: HTTP %d %s", code, body)
	}
	again := activity(map[string]any{"type": "invoke", "name": "adaptiveCard/action", "replyToId": "sent-3",
		"value": map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "change.confirm", "data": map[string]any{"req": req}}}})
	code, body := bot.post(t, again)
	if code != http.StatusOK {
		t.Fatalf("second confirm: HTTP %d %s", code, body)
	}
	resp, err := http.Get(bot.base + "/graph-simulator/_sim/requests")
	if err != nil {
		t.Fatal(err)
	}
	requests, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(requests), `"POST"`) || strings.Contains(string(requests), `"DELETE"`) {
		t.Errorf("a write reached Graph after the restart: %s", requests)
	}
	// The second click changes nothing and says so. (Once the write has
	// been under way longer than the flow allows, the next message finds
	// the methods as they are and offers the rest again: dialogs' tests.)
	if said := strings.TrimPrefix(in.all(), before) + body; !strings.Contains(said, "何も変更していません") {
		t.Errorf("after the restart a second confirm got %.400s; want to be told nothing changed", said)
	}

	if code, body := bot.post(t, activity(map[string]any{"text": "メニュー"})); code != http.StatusOK {
		t.Fatalf("after the restart: HTTP %d %s", code, body)
	}
	if !strings.Contains(strings.TrimPrefix(in.all(), before), "何をしますか") {
		t.Error("the conversation did not go on after the restart: no menu")
	}
}
