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
	// One request in four fails the first time: the retry goes through.
	// (Failing by count alone, a reply's every retry could land on a
	// failing count while 16 people share the connector.)
	e.conn.failFirst = func(n int64) bool { return n%4 == 0 }
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

// TestGraphTimeoutDuringConfirm: Graph does not answer the write within
// the client's time. The bot gets through (the client's retry, or the read
// that finds the write already there), tells the person the change is
// done, and a second confirm writes nothing more: the number is there once.
func TestGraphTimeoutDuringConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-timeout"
	user := aadFor(conv)
	e.backupOffice(t, conv, "03-2222-3333")
	sharedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: user + "/authentication/phoneMethods", Latency: 7 * time.Second, Times: 1})
	e.confirmPending(t, conv)
	if got := e.lastText(conv); !strings.Contains(got, "変更しました") {
		t.Errorf("after a slow Graph the person should hear the change is done: %s", got)
	}
	office := func() (n int) {
		for _, p := range methodsOf(t, user).Phones {
			if p.Number == "+81 322223333" {
				n++
			}
		}
		return n
	}
	if n := office(); n != 1 {
		t.Errorf("the office number is there %d times, want once", n)
	}
	writes := writesFor(user)
	e.confirmPending(t, conv)
	if writesFor(user) != writes || office() != 1 {
		t.Errorf("a second confirm wrote again (%d writes before, %d after)", writes, writesFor(user))
	}
}

// TestConnectorTimeoutIsRetried: the Bot Connector does not answer the
// first reply within the client's 5 s; the bot tries again, the reply
// arrives once and the turn succeeds.
func TestConnectorTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	first := true
	e.conn.fail = func(int64) (int, string) {
		mu.Lock()
		slow := first
		first = false
		mu.Unlock()
		if slow {
			time.Sleep(6 * time.Second) // past the client's timeout; it has given up
			return http.StatusGatewayTimeout, ""
		}
		return 0, ""
	}
	conv := "a:1connector-timeout"
	if rec := e.post(e.message(conv, "メニュー")); rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d %s", rec.Code, rec.Body)
	}
	if got := e.conn.sentTo(conv); len(got) != 1 || !strings.Contains(got[0].cardText(), "何をしますか") {
		t.Errorf("%d replies, want the menu once", len(got))
	}
	if got := series(t, e.metrics)[`mfadesk_connector_retries_total{reason=transport}`]; got != 1 {
		t.Errorf("transport retries = %v, want 1", got)
	}
}
