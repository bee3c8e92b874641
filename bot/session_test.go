package bot_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
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

// TestCardRefreshOfAnOldCard: Teams refreshes a flow's card when the
// person looks at it (an adaptiveCard/action invoke with trigger
// "automatic"). A card no running flow shows any more comes back as the
// closed card, with no button but the way to the menu, and the bot sends
// nothing into the chat.
func TestCardRefreshOfAnOldCard(t *testing.T) {
	e := newEnv(t)
	const conv = "a:1refresh"
	a := e.execute(conv, cards.VerbCardRefresh, map[string]any{cards.CardKey: "7"})
	a["value"].(map[string]any)["trigger"] = "automatic"
	rec := e.post(a)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d", rec.Code)
	}
	var resp struct {
		StatusCode int
		Type       string
		Value      json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Type != cards.ContentType || !strings.Contains(string(resp.Value), "この手続きは終わった") || strings.Count(string(resp.Value), `"Action.`) != 1 {
		t.Errorf("refresh answered %s, want the closed card, its one button back to the menu", rec.Body)
	}
	if got := e.conn.sentTo(conv); len(got) != 0 {
		t.Errorf("a refresh sent %d messages into the chat, want none", len(got))
	}
}
