package main

import (
	"encoding/json"
	"fmt"
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

	"github.com/mfadesk/mfadesk/graph/sim"
	"github.com/mfadesk/mfadesk/store"
)

// TestCampaignCommandKilledMidRun kills "mfadesk campaign run" (a real
// process, SIGKILL) while it is sending, runs it again, and checks that
// everyone it reached got exactly one message, and a dry run before it
// counted them right.
func TestCampaignCommandKilledMidRun(t *testing.T) {
	t.Parallel()
	seed := sim.TenantSeed(150, 3)
	graphSrv := httptest.NewServer(sim.New(sim.WithSeed(seed)))
	t.Cleanup(graphSrv.Close)

	var mu sync.Mutex
	got := map[string]int{} // person → messages taken by the connector
	sends := 0
	conv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Members []struct{ ID string } `json:"members"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v3/conversations" && len(body.Members) == 1:
			fmt.Fprintf(w, `{"id":"a:%s"}`, body.Members[0].ID)
		case r.Method == http.MethodPost && r.URL.Path == "/v3/conversations": // the helpdesk's status card
			fmt.Fprint(w, `{"id":"19:helpdesk;messageid=1","activityId":"1"}`)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/activities"):
			person := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v3/conversations/a:"), "/activities")
			mu.Lock()
			got[person]++
			sends++
			mu.Unlock()
			time.Sleep(20 * time.Millisecond) // slow enough to be killed mid-run
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id":"m"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(conv.Close)

	dataDir := t.TempDir()
	s, err := store.OpenSQLite(t.Context(), filepath.Join(dataDir, "mfadesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	command := func(args string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "MFADESK_TEST_SERVE=1", "PLAYGROUND=off", "MFADESK_TEST_ARGS="+args, "DATA_DIR="+dataDir,
			"MicrosoftAppId=", "DATABASE_URL=", "GRAPH_BASE_URL="+graphSrv.URL+"/v1.0", "BOT_SERVICE_URL="+conv.URL+"/",
			"HELPDESK_CHANNEL_ID=", "HELPDESK_GROUP_ID=")
		return cmd
	}

	dry, err := command("campaign run --dry-run").Output()
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	want := 0
	for _, u := range seed {
		if u.UserType != "Guest" && (u.AccountEnabled == nil || *u.AccountEnabled) && len(u.DirectoryRoles) == 0 && len(u.Phones) > 0 &&
			len(u.Authenticators) == 0 && u.SoftwareOath == 0 && len(u.FIDO2) == 0 && len(u.WindowsHello) == 0 {
			want++
		}
	}
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^phone-only +%d$`, want)).Match(dry) {
		t.Fatalf("the dry run does not count %d phone-only people:\n%s", want, dry)
	}

	first := command("campaign run --rate 200 --workers 4")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		mu.Lock()
		n := sends
		mu.Unlock()
		if n >= 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run never got going")
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	mu.Lock()
	before := sends
	mu.Unlock()

	out, err := command("campaign run --rate 200 --workers 4").CombinedOutput()
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	for person, n := range got {
		if n != 1 {
			t.Errorf("%s got %d messages", person, n)
		}
	}
	if before >= len(got) || len(got) < want-4 {
		t.Errorf("first run sent %d before it was killed; %d of %d people reached in all\n%s", before, len(got), want, out)
	}
}
