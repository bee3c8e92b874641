package bot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

// TestSessionSavedElsewhereIsRead: the runner keeps the sessions it saved,
// decoded, but a conversation saved since by anything else (another
// replica, a clean-up, a reset) is read from the store. Here the person's
// chosen language is changed underneath: the next answer follows it.
func TestSessionSavedElsewhereIsRead(t *testing.T) {
	e := newEnv(t)
	token := "Bearer " + e.idp.token(t, e.conn.serviceURL())
	const conv = "a:1saved-elsewhere"
	lastCardLang := func() string {
		t.Helper()
		got := e.conn.sentTo(conv)
		for i := len(got) - 1; i >= 0; i-- {
			for _, at := range got[i].Activity.Attachments {
				switch {
				case strings.Contains(string(at.Content), `"lang":"en"`):
					return "en"
				case strings.Contains(string(at.Content), `"lang":"ja"`):
					return "ja"
				}
			}
		}
		t.Fatal("no card sent")
		return ""
	}
	ask := func() {
		t.Helper()
		if rec := e.post(e.message(conv, "SMSが届かない"), token); rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d", rec.Code)
		}
	}
	ask()
	ask() // the second turn starts from the session the first one saved
	if got := lastCardLang(); got != "ja" {
		t.Fatalf("answer in %q, want ja", got)
	}
	err := e.store.Commit(t.Context(), store.Commit{ConversationID: conv, ActivityID: "elsewhere-1", State: []byte(`{"lang":"en"}`), At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	ask()
	if got := lastCardLang(); got != "en" {
		t.Errorf("after English was chosen elsewhere, answer in %q, want en (the runner used the session it had saved)", got)
	}
}
