package bot_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// The daily reminder of a temporary number, end to end: the real handler
// and runner, the Graph simulator, the SQLite store and the fake Bot
// Connector, on a clock the test sets.

const (
	reminderTitleJA = "一時的な番号がまだ登録されています"
	haveNumberJA    = "新しい番号が分かった"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *testClock) set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
}

// startOfDay is midnight of t's day in t's zone, as main passes it.
func startOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// tempNumber walks conv's person down the temporary-number path: they
// don't know their new number yet, so number is registered for the time
// being, and the flow waits.
func (e *env) tempNumber(t *testing.T, conv, number string) {
	t.Helper()
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "phone"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "unknown"}))
	e.do(t, e.message(conv, number))
	e.confirmPending(t, conv)
	if _, ok := methodsOf(t, aadFor(conv)).Phone(graph.Office); !ok {
		t.Fatalf("%s: the temporary number was not registered: %s", conv, e.lastText(conv))
	}
}

// sentCard is the Adaptive Card a message carried, as far as these tests
// read it: its heading and its buttons.
type sentCard struct {
	Body []struct {
		Text  string `json:"text"`
		Style string `json:"style"`
	} `json:"body"`
	Actions []struct {
		Type  string            `json:"type"`
		Title string            `json:"title"`
		Verb  string            `json:"verb"`
		Data  map[string]string `json:"data"`
	} `json:"actions"`
}

// cardOf decodes the card s carried; ok is false when it carried none.
func cardOf(t *testing.T, s sent) (c sentCard, ok bool) {
	t.Helper()
	for _, a := range s.Activity.Attachments {
		if a.ContentType == cards.ContentType {
			if err := json.Unmarshal(a.Content, &c); err != nil {
				t.Fatalf("card does not decode: %v", err)
			}
			return c, true
		}
	}
	return c, false
}

func (c sentCard) title() string {
	for _, b := range c.Body {
		if b.Style == "heading" {
			return b.Text
		}
	}
	return ""
}

// press clicks the card's button called title, as Teams sends the click.
func (e *env) press(t *testing.T, conv string, c sentCard, title string) {
	t.Helper()
	for _, a := range c.Actions {
		if a.Title != title {
			continue
		}
		data := map[string]any{}
		for k, v := range a.Data {
			data[k] = v
		}
		if a.Type == "Action.Execute" {
			e.do(t, e.execute(conv, a.Verb, data))
		} else {
			e.do(t, e.submit(conv, data))
		}
		return
	}
	t.Fatalf("no button %q on the card %q", title, c.title())
}

// reminders returns the reminder cards in msgs, and fails the test on
// anything else there.
func reminders(t *testing.T, msgs []sent) []sentCard {
	t.Helper()
	var out []sentCard
	for _, m := range msgs {
		c, ok := cardOf(t, m)
		if !ok || c.title() != reminderTitleJA {
			t.Errorf("sent %s %s, want only reminder cards: %.300s", m.Method, m.Path, m.cardText())
			continue
		}
		out = append(out, c)
	}
	return out
}

// TestTemporaryNumberReminderOnceADay: after a temporary number is
// registered, the next morning's job sends the person exactly one reminder
// card, in their 1:1 chat and in their client's language; a second run the
// same day sends nothing, even when the store lists the chat again, and
// does not save the conversation; the day after, one more. Someone with no
// flow waiting gets nothing, and the reminder's button picks the flow up.
func TestTemporaryNumberReminderOnceADay(t *testing.T) {
	t.Parallel()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{at: time.Date(2026, 12, 1, 15, 0, 0, 0, tokyo)}
	e := newEnv(t, withClock(clock.now), withPersonalChats())
	ctx := t.Context()
	waiting, chatting := "a:1remind-waiting", "a:1remind-chatting"
	e.tempNumber(t, waiting, "03-5824-7931")
	e.do(t, e.message(chatting, "こんにちは"))
	e.do(t, e.submit(chatting, map[string]any{cards.VerbKey: cards.VerbMenu}))
	others := len(e.conn.sentTo(chatting))

	// run is the job at the clock's time, as main runs it; it returns what
	// it sent into the waiting chat.
	run := func(wantReminded int) []sent {
		t.Helper()
		before := len(e.conn.sentTo(waiting))
		n, err := e.runner.RemindTemporaryNumbers(ctx, e.store, startOfDay(clock.now()))
		if err != nil || n != wantReminded {
			t.Errorf("%s: reminded %d (%v), want %d", clock.now().Format("Jan 2 15:04"), n, err, wantReminded)
		}
		return e.conn.sentTo(waiting)[before:]
	}

	// The day the number was registered: not yet.
	if got := run(0); len(got) != 0 {
		t.Errorf("reminded on the day the temporary number was registered: %d messages", len(got))
	}

	clock.set(time.Date(2026, 12, 2, 10, 0, 0, 0, tokyo))
	got := run(1)
	if r := reminders(t, got); len(r) != 1 {
		t.Fatalf("the next morning: %d reminders, want 1", len(r))
	}
	var to struct {
		Recipient struct {
			ID          string `json:"id"`
			AADObjectID string `json:"aadObjectId"`
		} `json:"recipient"`
		Locale string `json:"locale"`
	}
	if err := json.Unmarshal(got[0].Raw, &to); err != nil {
		t.Fatal(err)
	}
	if got[0].Method != http.MethodPost || to.Recipient.ID != "29:1user-"+waiting || to.Recipient.AADObjectID != aadFor(waiting) || to.Locale != "ja-JP" {
		t.Errorf("the reminder went %s to %+v in %q; want a new message to the person (29:1user-%s, %s) in ja-JP",
			got[0].Method, to.Recipient, to.Locale, waiting, aadFor(waiting))
	}

	clock.set(time.Date(2026, 12, 2, 15, 30, 0, 0, tokyo))
	if got := run(0); len(got) != 0 {
		t.Errorf("a second run the same day sent %d messages", len(got))
	}
	before2 := len(e.conn.sentTo(waiting))
	// Another replica whose day started later lists the chat again: the
	// flow still reminds once a day, and the turn that said nothing saved
	// nothing (the chat's last save is still the morning's reminder).
	if n, err := e.runner.RemindTemporaryNumbers(ctx, e.store, clock.now().Add(time.Minute)); err != nil || n != 0 {
		t.Errorf("a run listing the reminded chat again: reminded %d (%v), want 0", n, err)
	}
	if got := e.conn.sentTo(waiting); len(got) != before2 {
		t.Errorf("a run listing the reminded chat again sent %d messages", len(got)-before2)
	}
	ids, err := e.store.IdleConversations(ctx, time.Date(2026, 12, 2, 10, 0, 1, 0, tokyo), dialogs.TempWaitMark)
	if err != nil || !slices.Contains(ids, waiting) {
		t.Errorf("the waiting chat was saved again by a turn that changed nothing (%v, %v)", ids, err)
	}

	clock.set(time.Date(2026, 12, 3, 10, 5, 0, 0, tokyo))
	got = run(1)
	r := reminders(t, got)
	if len(r) != 1 {
		t.Fatalf("the day after: %d reminders, want 1", len(r))
	}
	if n := len(e.conn.sentTo(chatting)); n != others {
		t.Errorf("someone with no flow waiting got %d messages from the job", n-others)
	}

	// The person has their new number now and presses the button.
	before := len(e.conn.sentTo(waiting))
	e.press(t, waiting, r[0], haveNumberJA)
	var back bool
	for _, s := range e.conn.sentTo(waiting)[before:] {
		back = back || strings.Contains(s.Activity.Text, "おかえりなさい")
	}
	if !back {
		t.Fatalf("the reminder's button did not pick the flow up: %s", e.lastText(waiting))
	}
	// They stop there, the number not sent: the temporary number is still
	// registered, so the next day reminds them again.
	clock.set(time.Date(2026, 12, 4, 10, 0, 0, 0, tokyo))
	if r := reminders(t, run(1)); len(r) != 1 {
		t.Errorf("a day after stopping at the number: %d reminders, want 1", len(r))
	}
}

// TestTemporaryNumberReminderFailuresStayApart: a chat the bot does not
// know and a chat whose connector refuses are logged, by conversation id
// and with nothing personal, and the others are still reminded.
func TestTemporaryNumberReminderFailuresStayApart(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.DebugLevel)
	clock := &testClock{at: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)}
	e := newEnv(t, withClock(clock.now), withPersonalChats(), withLogger(zap.New(core)))
	ctx := t.Context()
	// The chat that works sorts last: the failures come first.
	ok, refused, unknown := "a:1remind-zok", "a:1remind-refused", "a:1remind-unknown"
	e.tempNumber(t, ok, "03-5824-7931")
	e.tempNumber(t, refused, "03-6135-2468")
	// A waiting flow in a chat the bot never learnt (or has forgotten).
	snap, err := e.store.Load(ctx, ok, "")
	if err != nil {
		t.Fatal(err)
	}
	mustCommitState(t, e.store, unknown, snap.State, clock.now())

	clock.set(time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC))
	e.conn.refuse = func(path string) int {
		if strings.Contains(path, "/"+refused+"/") {
			return http.StatusForbidden
		}
		return 0
	}
	before := len(e.conn.sentTo(ok))
	logs.TakeAll()
	n, err := e.runner.RemindTemporaryNumbers(ctx, e.store, startOfDay(clock.now()))
	if err != nil || n != 1 {
		t.Errorf("reminded %d (%v), want 1 and no error (neither failure is worth a retry)", n, err)
	}
	if r := reminders(t, e.conn.sentTo(ok)[before:]); len(r) != 1 {
		t.Errorf("%s got %d reminders, want 1", ok, len(r))
	}
	if got := e.conn.sentTo(unknown); len(got) != 0 {
		t.Errorf("%s got %d messages, want none", unknown, len(got))
	}

	logged := map[string]bool{}
	for _, entry := range logs.All() {
		line := entry.Message
		for k, v := range entry.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
			if k == "conversation" && entry.Level >= zap.WarnLevel {
				logged[fmt.Sprint(v)] = true
			}
		}
		for _, secret := range []string{"5824", "7931", "6135", "2468", "29:1user", aadFor(ok), aadFor(refused), "山田", "一時的"} {
			if strings.Contains(line, secret) {
				t.Errorf("log entry %q contains %q", line, secret)
			}
		}
	}
	for _, conv := range []string{refused, unknown} {
		if !logged[conv] {
			t.Errorf("the failure in %s was not logged with its conversation", conv)
		}
	}
	if logged[ok] {
		t.Errorf("%s was reminded, yet logged as a failure", ok)
	}
}

// mustCommitState saves state as conversation conv's.
func mustCommitState(t *testing.T, s *store.DB, conv string, state []byte, at time.Time) {
	t.Helper()
	if err := s.Commit(t.Context(), store.Commit{ConversationID: conv, State: state, At: at}); err != nil {
		t.Fatal(err)
	}
}
