package bot_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// TestDatabaseOutageAnswers503AndRecovers cuts the bot off its PostgreSQL
// server mid-conversation: readiness fails, a turn is answered 503 (so the
// Bot Connector redelivers it) and changes nothing; when the database is
// back, the redelivery runs the turn once.
func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	t.Parallel()
	dsn, outage := storetest.ThroughOutage(t, storetest.PostgresURL(t))
	e := newEnv(t, withPostgres(dsn), withDialogs(map[string]dialogs.Dialog{"test.counter": counterDialog{}}))
	conv := "a:1outage"
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: "test.counter"}))
	e.do(t, e.message(conv, "next"))
	if got := e.lastText(conv); got != "count 1" {
		t.Fatalf("before the outage: %q", got)
	}
	ready := func() int {
		return newRecorder(e, httptest.NewRequest(http.MethodGet, "/readyz", nil)).Code
	}

	outage.Cut()
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("readyz during the outage: %d, want 503", code)
	}
	msg := e.message(conv, "next")
	sent := len(e.conn.sentTo(conv))
	for range 2 {
		if rec := e.post(msg); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("a turn during the outage: HTTP %d %s, want 503", rec.Code, rec.Body)
		}
	}
	if n := len(e.conn.sentTo(conv)); n != sent {
		t.Errorf("%d replies were sent during the outage, want none", n-sent)
	}

	outage.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for ready() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("readyz still failing 10 s after the database came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The Bot Connector's redelivery, then a duplicate of it.
	for range 2 {
		if rec := e.post(msg); rec.Code != http.StatusOK {
			t.Fatalf("the redelivery after the outage: HTTP %d %s", rec.Code, rec.Body)
		}
	}
	var counts []string
	for _, s := range e.conn.sentTo(conv) {
		counts = append(counts, s.Activity.Text)
	}
	if len(counts) != 3 || counts[2] != "count 2" {
		t.Errorf("replies %q: want count 0, 1, then 2 once", counts)
	}
}
