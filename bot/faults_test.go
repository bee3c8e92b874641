package bot_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

// TestFaultsUnderLoad runs many guided changes at once while Microsoft
// Graph throttles (429 with Retry-After) and fails (503) and the Bot
// Connector answers every fourth request with a 502: the retries absorb all
// of it, every change is written exactly once and every reply arrives.
func TestFaultsUnderLoad(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.conn.fail = func(n int64) (int, string) {
		if n%4 == 0 {
			return http.StatusBadGateway, ""
		}
		return 0, ""
	}
	const people = 16
	var wg sync.WaitGroup
	for i := range people {
		conv := fmt.Sprintf("a:1faults-%d", i)
		user := aadFor(conv)
		// Scoped to this person, so other tests sharing the simulator are
		// not affected.
		sharedSim.Inject(sim.Fault{Method: http.MethodGet, PathContains: user, Status: http.StatusServiceUnavailable, Times: 1})
		sharedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: user, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1})
		wg.Go(func() {
			e.backupOffice(t, conv, "03-4444-5555")
			e.confirmPending(t, conv)
		})
	}
	wg.Wait()
	e.runner.Wait()

	for i := range people {
		conv := fmt.Sprintf("a:1faults-%d", i)
		user := aadFor(conv)
		if got := e.lastText(conv); !strings.Contains(got, "変更しました") {
			t.Errorf("%s: last reply %q, want the change done", conv, got)
		}
		if p, _ := methodsOf(t, user).Phone(graph.Office); p.Number != "+81 344445555" {
			t.Errorf("%s: office phone %q, want the new number", conv, p.Masked)
		}
		audit, err := e.store.Audit(t.Context(), user, time.Time{})
		if err != nil || len(audit) != 1 || audit[0].Result != "ok" {
			t.Errorf("%s: audit %+v (%v), want one ok entry", conv, audit, err)
		}
	}
}

// TestRepliesThatNeverArriveAreLoggedAndKept: when the Bot Connector keeps
// failing, the bot gives up on the reply after its retries, logs it with
// the conversation (never the text), answers 502 so that the activity is
// redelivered, and the redelivery sends the reply.
func TestRepliesThatNeverArriveAreLoggedAndKept(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.InfoLevel)
	e := newEnv(t, withLogger(zap.New(core)))
	down := true
	var mu sync.Mutex
	e.conn.fail = func(int64) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return http.StatusServiceUnavailable, ""
		}
		return 0, ""
	}
	conv := "a:1never-arrives"
	msg := e.message(conv, "menu")
	if rec := e.post(msg); rec.Code != http.StatusBadGateway {
		t.Fatalf("connector down: HTTP %d, want 502", rec.Code)
	}
	var found bool
	for _, l := range logs.All() {
		if l.Level < zap.WarnLevel {
			continue
		}
		fields := l.ContextMap()
		if fields["conversation"] == conv || strings.Contains(fmt.Sprint(fields), conv) {
			found = true
		}
		if strings.Contains(fmt.Sprint(fields), "menu") || strings.Contains(l.Message, "何をしますか") {
			t.Errorf("the log carries message text: %s %v", l.Message, fields)
		}
	}
	if !found {
		t.Error("no warning or error names the conversation whose reply failed")
	}
	mu.Lock()
	down = false
	mu.Unlock()
	if rec := e.post(msg); rec.Code != http.StatusOK {
		t.Fatalf("redelivery: HTTP %d", rec.Code)
	}
	if got := e.conn.sentTo(conv); len(got) != 1 {
		t.Errorf("%d replies after the redelivery, want 1", len(got))
	}
}
