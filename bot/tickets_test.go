package bot_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
)

// The helpdesk end to end: a person asks for a person, the ticket card
// appears in the helpdesk channel, an agent acts on it, messages go both
// ways, and a pass is issued without ever reaching the channel, the store
// or the log.

const (
	deskChannel = "19:helpdesk@thread.tacv2"
	deskTeam    = "19:team@thread.tacv2"
	agentAAD    = "a9e00000-0000-4000-8000-00000000000a"
	outsider    = "0e700000-0000-4000-8000-00000000000b"
	deskGroup   = "d35c0000-0000-4000-8000-00000000000d"
)

func deskConfig() bot.HelpdeskConfig {
	return bot.HelpdeskConfig{ChannelID: deskChannel, GroupID: deskGroup, TeamID: deskTeam, RemindAfter: 30 * time.Minute,
		TAPLifetime: 60, TAPOnce: true, BotID: "28:" + testAppID, BotName: "MFA Desk"}
}

func newDeskEnv(t *testing.T, approval bool, opts ...envOption) *env {
	e := newEnv(t, append([]envOption{withDesk(deskConfig(), approval)}, opts...)...)
	e.conn.members = map[string][]string{deskTeam: {agentAAD}}
	simUser(t, agentAAD, map[string]any{"groups": []string{deskGroup}})
	return e
}

// simUser changes a user in the shared Graph simulator (its groups, its
// userType) through the simulator's control endpoint.
func simUser(t testing.TB, id string, patch map[string]any) {
	t.Helper()
	b, _ := json.Marshal(patch)
	rec := httptest.NewRecorder()
	sharedSim.ServeHTTP(rec, httptest.NewRequest(http.MethodPatch, "/_sim/users/"+id, bytes.NewReader(b)))
	if rec.Code != http.StatusOK {
		t.Fatalf("simulator refused %s for %s: %d %s", b, id, rec.Code, rec.Body)
	}
}

// inThread turns a personal-chat activity into one from person aad in a
// ticket's thread of the helpdesk channel.
func (e *env) inThread(a activity, thread, aad, name string) activity {
	a["from"] = map[string]any{"id": "29:1" + aad, "name": name, "aadObjectId": aad}
	a["conversation"] = map[string]any{"id": thread, "conversationType": "channel", "tenantId": testTenant, "isGroup": true}
	a["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant},
		"team": map[string]any{"id": deskTeam}, "channel": map[string]any{"id": deskChannel}}
	return a
}

// deskClick is an agent's (or anyone's) click on a ticket card.
func (e *env) deskClick(thread, aad, name, verb string, data map[string]any) activity {
	return e.inThread(e.execute(thread, verb, data), thread, aad, name)
}

// invokeAnswer decodes an Action.Execute answer: its statusCode, type and
// the visible value.
func invokeAnswer(t *testing.T, body []byte) (int, string, string) {
	t.Helper()
	var r struct {
		StatusCode int             `json:"statusCode"`
		Type       string          `json:"type"`
		Value      json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("invoke answer %s: %v", body, err)
	}
	return r.StatusCode, r.Type, string(r.Value)
}

// openTicket walks a person from a question to an open ticket and returns
// the helpdesk thread it was posted in.
func (e *env) openTicket(t *testing.T, conv, words string) string {
	t.Helper()
	return e.openTicketWith(t, conv, map[string]any{cards.WordsKey: words})
}

// openTicketWith is openTicket with the request form filled with form.
func (e *env) openTicketWith(t *testing.T, conv string, form map[string]any) string {
	t.Helper()
	e.do(t, e.message(conv, "SMSが届かない"))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbHuman}))
	if got := e.lastText(conv); !strings.Contains(got, "ヘルプデスクの担当者につなぎます") || !strings.Contains(got, "担当者に共有される内容") {
		t.Fatalf("after 'talk to a person' got %q, want the request form with what is shared", got)
	}
	rec := e.do(t, e.execute(conv, cards.VerbTicketOpen, form))
	if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "ヘルプデスクに送りました") {
		t.Fatalf("open answered %s, want the sent card", v)
	}
	all := e.conn.all()
	for i := len(all) - 1; i >= 0; i-- {
		s := all[i]
		if strings.Contains(s.Path, deskChannel+";messageid=") && strings.Contains(s.cardText(), "MFAの相談") {
			j := strings.Index(s.Path, deskChannel)
			return strings.TrimSuffix(s.Path[j:], "/activities")
		}
	}
	t.Fatal("no ticket card was posted in the helpdesk channel")
	return ""
}

func ticketState(t *testing.T, st *store.DB, thread string) dialogs.Ticket {
	t.Helper()
	rec, err := st.TicketByThread(t.Context(), thread)
	if err != nil {
		t.Fatal(err)
	}
	var tk dialogs.Ticket
	if err := json.Unmarshal(rec.Data, &tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestRequestersCardFollowsTheTicket: the card a person gets when they send
// their request refreshes for them alone, and once an agent has taken the
// ticket the refresh shows it taken, by whom, in the card's own words. A
// card of a ticket that is not theirs now closes, showing nothing of it;
// one refreshed in a group chat stays as it is. Refreshes change no ticket.
func TestRequestersCardFollowsTheTicket(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	conv := "a:desk-requester-card"
	e.do(t, e.message(conv, "SMSが届かない"))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbHuman}))
	rec := e.do(t, e.execute(conv, cards.VerbTicketOpen, map[string]any{cards.WordsKey: "届きません"}))
	_, _, sentCard := invokeAnswer(t, rec.Body.Bytes())
	var card struct {
		Refresh *struct {
			Action  struct{ Verb string } `json:"action"`
			UserIDs []string              `json:"userIds"`
		} `json:"refresh"`
	}
	if err := json.Unmarshal([]byte(sentCard), &card); err != nil {
		t.Fatalf("the sent card %s: %v", sentCard, err)
	}
	if r := card.Refresh; r == nil || r.Action.Verb != cards.VerbTicketView || len(r.UserIDs) != 1 || r.UserIDs[0] != "29:1user-"+conv {
		t.Fatalf("the sent card's refresh is %+v, want %s for the person alone: %s", card.Refresh, cards.VerbTicketView, sentCard)
	}
	thread := ""
	for _, s := range e.conn.all() {
		if strings.Contains(s.Path, deskChannel+";messageid=") {
			thread = strings.TrimSuffix(s.Path[strings.Index(s.Path, deskChannel):], "/activities")
		}
	}
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))

	refresh := func(a activity) string {
		t.Helper()
		_, _, v := invokeAnswer(t, e.do(t, a).Body.Bytes())
		return v
	}
	view := func(conv, ticket string) activity {
		return e.execute(conv, cards.VerbTicketView, map[string]any{cards.TicketKey: ticket, cards.TicketCardKey: "sent"})
	}
	if v := refresh(view(conv, "1")); !strings.Contains(v, "Bob Agent") || strings.Contains(v, "担当者を待っています") || !strings.Contains(v, "ヘルプデスクに送りました") {
		t.Errorf("refreshed after Bob took it: %s, want it taken by Bob, under its own title", v)
	}
	gone := "この依頼は終了したか"
	if v := refresh(view(conv, "2")); !strings.Contains(v, gone) || strings.Contains(v, "Bob Agent") {
		t.Errorf("a refresh naming a ticket not theirs answered %s, want the card closed", v)
	}
	if v := refresh(view("a:desk-requester-other", "1")); !strings.Contains(v, gone) || strings.Contains(v, "Bob Agent") {
		t.Errorf("someone else's refresh of ticket 1 answered %s, want a closed card and nothing of the ticket", v)
	}
	group := view("19:requester-group@thread.v2", "1")
	group["conversation"] = map[string]any{"id": "19:requester-group@thread.v2", "conversationType": "groupChat", "isGroup": true, "tenantId": testTenant}
	if v := refresh(group); strings.Contains(v, "Bob Agent") || strings.Contains(v, gone) {
		t.Errorf("a refresh in a group chat answered %s, want the card left as it is", v)
	}
	if got := ticketState(t, e.store, thread); got.State != dialogs.TicketAssigned {
		t.Errorf("refreshes changed the ticket: %s", got.State)
	}
}

// TestTicketHoldersOwnView: the channel's card of a ticket someone holds
// refreshes for them alone (Universal Actions, userIds), and their view
// shows the callback number in full where the channel's masks it. Asking
// for a view changes nothing; another agent's view is the channel's; one
// who is no agent gets nothing.
func TestTicketHoldersOwnView(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	carol := "ca201000-0000-4000-8000-00000000000d"
	simUser(t, carol, map[string]any{"groups": []string{deskGroup}})
	conv := "a:desk-own-view"
	thread := e.openTicketWith(t, conv, map[string]any{cards.WordsKey: "電話をください", cards.CallbackKey: "090-1234-5678"})
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))

	var put sent
	for _, s := range e.conn.sentTo(thread) {
		if s.Method == "PUT" {
			put = s
		}
	}
	var shared struct {
		Attachments []struct {
			Content struct {
				Refresh *struct {
					Action  struct{ Verb string } `json:"action"`
					UserIDs []string              `json:"userIds"`
				} `json:"refresh"`
			} `json:"content"`
		} `json:"attachments"`
	}
	json.Unmarshal(put.Raw, &shared)
	if len(shared.Attachments) != 1 || shared.Attachments[0].Content.Refresh == nil {
		t.Fatalf("the channel's card of a held ticket has no refresh: %s", put.Raw)
	}
	if r := shared.Attachments[0].Content.Refresh; r.Action.Verb != cards.VerbDeskView || len(r.UserIDs) != 1 || r.UserIDs[0] != "29:1"+agentAAD {
		t.Errorf("refresh %+v, want %s for Bob alone", r, cards.VerbDeskView)
	}
	if c := put.cardText(); strings.Contains(c, "1234") || !strings.Contains(c, "090••••5678") {
		t.Errorf("the channel's card shows the callback number as:\n%s", c)
	}

	before := ticketState(t, e.store, thread)
	sentBefore := len(e.conn.all())
	view := func(aad, name string) (int, string) {
		rec := e.do(t, e.deskClick(thread, aad, name, cards.VerbDeskView, map[string]any{cards.TicketKey: "1"}))
		code, _, v := invokeAnswer(t, rec.Body.Bytes())
		return code, v
	}
	if code, v := view(agentAAD, "Bob Agent"); code != 200 || !strings.Contains(v, "090-1234-5678") || !strings.Contains(v, cards.VerbDeskReply) {
		t.Errorf("Bob's own view (%d) lacks the full callback number or his buttons: %s", code, v)
	}
	if code, v := view(carol, "Carol Agent"); code != 200 || strings.Contains(v, "1234") {
		t.Errorf("another agent's view (%d) shows the callback number: %s", code, v)
	}
	if code, v := view(outsider, "Mallory"); code != 403 || strings.Contains(v, "1234") {
		t.Errorf("someone who is no agent got %d %s, want a 403", code, v)
	}
	after := ticketState(t, e.store, thread)
	if !after.Updated.Equal(before.Updated) || len(after.History) != len(before.History) {
		t.Errorf("looking at the card changed the ticket: %+v → %+v", before.History, after.History)
	}
	if n := len(e.conn.all()) - sentBefore; n != 0 {
		t.Errorf("looking at the card sent %d messages or updates", n)
	}
}

func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.DebugLevel)
	e := newDeskEnv(t, false, withLogger(zap.New(core)))
	conv := "a:desk-lifecycle"
	thread := e.openTicket(t, conv, "スマホをなくしました。番号は 090-1234-5678 です")

	card := e.conn.sentTo(thread)[0].cardText()
	for _, want := range []string{"#1", "山田 花子", "user@contoso.example", "090••••5678", "SMSが届かない", "回答: ", "担当する", "ボットとのやり取り"} {
		if !strings.Contains(card, want) {
			t.Errorf("ticket card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(card, "1234-5678") || strings.Contains(card, "12345678") {
		t.Errorf("ticket card shows a full phone number:\n%s", card)
	}

	// Someone outside the helpdesk team cannot take it.
	rec := e.do(t, e.deskClick(thread, outsider, "Mallory", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))
	if code, typ, v := invokeAnswer(t, rec.Body.Bytes()); code != 403 || typ != "application/vnd.microsoft.error" || !strings.Contains(v, "担当者グループのメンバーだけ") {
		t.Errorf("outsider's take answered %d %s %s, want a 403 refusal", code, typ, v)
	}
	if got := ticketState(t, e.store, thread); got.State != dialogs.TicketOpen || got.Assignee != nil {
		t.Fatalf("after the outsider's click the ticket is %s assigned to %v, want open and unassigned", got.State, got.Assignee)
	}

	// The agent takes it: the card changes for everyone, the person is told.
	puts := func() int {
		n := 0
		for _, s := range e.conn.sentTo(thread) {
			if s.Method == "PUT" {
				n++
			}
		}
		return n
	}
	rec = e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))
	if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "Bob Agent") || !strings.Contains(v, "対応中") {
		t.Errorf("take answered %s, want the card assigned to Bob", v)
	}
	if puts() != 1 {
		t.Errorf("card updated %d times in the channel after take, want 1 PUT", puts())
	}
	if got := e.lastText(conv); !strings.Contains(got, "Bob Agent") || !strings.Contains(got, "対応を始めました") {
		t.Errorf("person was told %q, want that Bob took it", got)
	}

	// Reply through the card: it arrives in the person's chat, signed.
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskReply, map[string]any{cards.TicketKey: "1", cards.ReplyKey: "窓口で本人確認をします。学生証をお持ちください。"}))
	if got := e.lastText(conv); !strings.Contains(got, "Bob Agent（ヘルプデスク）") || !strings.Contains(got, "学生証をお持ちください") {
		t.Errorf("person got %q, want Bob's reply", got)
	}

	// The person's messages go to the thread while Bob has it, not to the FAQ.
	before := len(e.conn.sentTo(conv))
	e.do(t, e.message(conv, "わかりました、今から行きます"))
	if got := e.lastText(thread); !strings.Contains(got, "わかりました、今から行きます") {
		t.Errorf("thread got %q, want the person's message relayed", got)
	}
	if n := len(e.conn.sentTo(conv)); n != before+1 || !strings.Contains(e.lastText(conv), "担当者に届けました") {
		t.Errorf("the bot answered a relayed message with %d messages in the person's chat (%q), want one receipt", n-before, e.lastText(conv))
	}
	// And a message in the thread mentioning the bot goes to the person.
	e.do(t, e.inThread(e.message(thread, "<at>MFA Desk</at> 2階の窓口へどうぞ"), thread, agentAAD, "Bob Agent"))
	if got := e.lastText(conv); !strings.Contains(got, "2階の窓口へどうぞ") {
		t.Errorf("person got %q, want Bob's thread message", got)
	}

	// A pass needs the identity check ticked.
	rec = e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTAP, map[string]any{cards.TicketKey: "1", cards.VerifiedKey: "false", cards.HowKey: cards.VerifiedInPerson}))
	if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "チェックを入れてください") {
		t.Errorf("unverified pass request answered %s, want a refusal", v)
	}
	user := aadFor(conv)
	if n := writesFor(user); n != 0 {
		t.Fatalf("%d Graph writes for the person before a verified pass request, want 0", n)
	}
	rec = e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTAP, map[string]any{cards.TicketKey: "1", cards.VerifiedKey: "true", cards.HowKey: cards.VerifiedInPerson}))
	_, typ, v := invokeAnswer(t, rec.Body.Bytes())
	pass := passIn(v)
	if typ != cards.ContentType || pass == "" {
		t.Fatalf("pass request answered %s %s, want the card with the pass", typ, v)
	}
	if n := writesFor(user); n != 1 {
		t.Errorf("%d Graph writes for the pass, want 1", n)
	}
	for _, s := range e.conn.all() {
		if strings.Contains(string(s.Raw), pass) {
			t.Errorf("the pass was sent to the connector (%s %s)", s.Method, s.Path)
		}
	}
	for _, l := range logs.All() {
		if b, _ := json.Marshal(l.ContextMap()); strings.Contains(l.Message+string(b), pass) {
			t.Errorf("the pass is in the log: %q %s", l.Message, b)
		}
	}
	for _, f := range []string{e.dbPath, e.dbPath + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), pass) {
			t.Errorf("the pass is stored in %s", f)
		}
	}
	if got := e.lastText(thread); !strings.Contains(got, "Temporary Access Pass") && !strings.Contains(got, "一時アクセスパス") {
		t.Errorf("channel card after the pass shows %q, want that one was issued", got)
	}
	audit, _ := e.store.Audit(t.Context(), user, time.Time{})
	// The refusals are in the audit log too, each with who tried.
	var got []string
	for _, a := range audit {
		got = append(got, a.Operation+" "+a.ActorID+" "+a.Result)
	}
	want := []string{"ticket-take " + outsider + " refused: not_agent", "issue-tap " + agentAAD + " refused: not_verified", "issue-tap " + agentAAD + " ok"}
	if !slices.Equal(got, want) {
		t.Errorf("audit = %q, want %q", got, want)
	}

	// Resolve with a note: the person is told and can reopen.
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskResolve, map[string]any{cards.TicketKey: "1", cards.NoteKey: "一時アクセスパスで新しいスマホを登録済み"}))
	if got := e.lastText(conv); !strings.Contains(got, "解決済み") || !strings.Contains(got, "新しいスマホを登録済み") || !strings.Contains(got, "もう一度開く") {
		t.Errorf("person got %q, want the resolution with a reopen button", got)
	}
	if got := ticketState(t, e.store, thread); got.State != dialogs.TicketResolved {
		t.Errorf("state = %s, want resolved", got.State)
	}
	// Resolved means no more relay: a question gets an answer again.
	e.do(t, e.message(conv, "海外でコードが受け取れない"))
	if got := e.lastText(conv); !strings.Contains(got, "海外") {
		t.Errorf("after resolve the person got %q, want an FAQ answer", got)
	}

	// Tickets survive a restart; the person reopens theirs.
	e.restart()
	e.conn.members = map[string][]string{deskTeam: {agentAAD}}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbTicketReopen, cards.TicketKey: "1"}))
	if got := ticketState(t, e.store, thread); got.State != dialogs.TicketAssigned || !got.Relay {
		t.Errorf("after reopen the ticket is %s (relay %t), want assigned to Bob again", got.State, got.Relay)
	}
	if got := e.lastText(thread); !strings.Contains(got, "再開") {
		t.Errorf("thread got %q, want the reopen noted", got)
	}
}

// passIn finds the pass on the agent's card: the ExtraLarge monospace line.
func passIn(cardJSON string) string {
	var c struct {
		Body []struct {
			Text     string `json:"text"`
			FontType string `json:"fontType"`
		} `json:"body"`
	}
	json.Unmarshal([]byte(cardJSON), &c)
	for _, b := range c.Body {
		if b.FontType == "Monospace" {
			return b.Text
		}
	}
	return ""
}

func TestTwoPeopleCancelAndStatus(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	t1 := e.openTicket(t, "a:desk-one", "")
	t2 := e.openTicket(t, "a:desk-two", "急ぎです")
	if t1 == t2 {
		t.Fatalf("both tickets went to thread %s", t1)
	}
	// The second person cannot act on the first person's ticket.
	e.do(t, e.submit("a:desk-two", map[string]any{cards.VerbKey: cards.VerbTicketCancel, cards.TicketKey: "1"}))
	if got := ticketState(t, e.store, t1); got.State != dialogs.TicketOpen {
		t.Errorf("ticket 1 is %s after person two tried to cancel it, want open", got.State)
	}
	// Asking again shows the open ticket rather than a duplicate.
	e.do(t, e.submit("a:desk-one", map[string]any{cards.VerbKey: cards.VerbHuman}))
	if got := e.lastText("a:desk-one"); !strings.Contains(got, "受付済み") || !strings.Contains(got, "#1") {
		t.Errorf("second request got %q, want the open ticket #1", got)
	}
	e.do(t, e.submit("a:desk-one", map[string]any{cards.VerbKey: cards.VerbTicketNote, cards.TicketKey: "1", cards.NoteKey: "電話は 080-9999-0000 です"}))
	if got := e.lastText(t1); !strings.Contains(got, "080••••0000") || strings.Contains(got, "9999") {
		t.Errorf("thread got %q, want the note with the number masked", got)
	}
	e.do(t, e.submit("a:desk-one", map[string]any{cards.VerbKey: cards.VerbTicketCancel, cards.TicketKey: "1"}))
	if got := ticketState(t, e.store, t1); got.State != dialogs.TicketCancelled {
		t.Errorf("ticket 1 is %s after cancel, want cancelled", got.State)
	}
	rec := e.do(t, e.deskClick(t1, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))
	if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "すでに終了") {
		t.Errorf("taking a cancelled ticket answered %s, want a refusal", v)
	}
	if got := ticketState(t, e.store, t2); got.State != dialogs.TicketOpen {
		t.Errorf("ticket 2 is %s, want untouched", got.State)
	}
}

func TestUnassignedTicketIsRemindedOnce(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	thread := e.openTicket(t, "a:desk-remind", "")
	e.tickets.Now = func() time.Time { return time.Now().Add(31 * time.Minute) }
	e.runner.TickTickets(t.Context())
	e.runner.TickTickets(t.Context())
	n := 0
	for _, s := range e.conn.sentTo(thread) {
		if s.Method == "POST" && strings.Contains(s.cardText(), "⏰") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d reminders posted, want 1", n)
	}
}

func TestApprovalModeWritesOnlyWhenAnAgentApproves(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, true)
	conv := "a:desk-approval"
	user := aadFor(conv)
	e.backupOffice(t, conv, "03-1234-5678")
	e.confirmPending(t, conv)
	if n := writesFor(user); n != 0 {
		t.Fatalf("%d Graph writes after the person's confirm in approval mode, want 0", n)
	}
	if got := e.lastText(conv); !strings.Contains(got, "承認待ち") {
		t.Errorf("person got %q, want 'waiting for approval'", got)
	}
	var thread string
	for _, s := range e.conn.all() {
		if strings.Contains(s.Path, deskChannel) && strings.Contains(s.cardText(), "承認待ちの変更") {
			i := strings.Index(s.Path, deskChannel)
			thread = strings.TrimSuffix(s.Path[i:], "/activities")
		}
	}
	if thread == "" {
		t.Fatal("no approval ticket in the helpdesk channel")
	}
	rec := e.do(t, e.deskClick(thread, outsider, "Mallory", cards.VerbDeskApprove, map[string]any{cards.TicketKey: "1"}))
	if code, _, _ := invokeAnswer(t, rec.Body.Bytes()); code != 403 || writesFor(user) != 0 {
		t.Fatalf("outsider's approval answered %d with %d writes, want 403 and none", code, writesFor(user))
	}
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskApprove, map[string]any{cards.TicketKey: "1"}))
	if n := writesFor(user); n != 1 {
		t.Errorf("%d Graph writes after approval, want 1", n)
	}
	if _, ok := methodsOf(t, user).Phone("office"); !ok {
		t.Errorf("no office phone after approval")
	}
	if got := e.lastText(conv); !strings.Contains(got, "承認し、実行しました") {
		t.Errorf("person got %q, want the approval outcome", got)
	}
	// Approving twice does nothing more.
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskApprove, map[string]any{cards.TicketKey: "1"}))
	if n := writesFor(user); n != 1 {
		t.Errorf("%d Graph writes after a second approval, want still 1", n)
	}
}

// Only agents act on tickets: a member of the agents' Entra group, not a
// guest, clicking in the helpdesk channel, and never on a ticket about
// their own account. Each refusal changes nothing, writes nothing and is
// audited with who tried.
func TestOnlyAgentsActAndNeverOnThemselves(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	// An agent's own request: they are in the agent group too.
	ownConv := "a:desk-own"
	own := aadFor(ownConv)
	simUser(t, own, map[string]any{"groups": []string{deskGroup}})
	setup := writesFor(own) // the simulator's control request counts
	ownThread := e.openTicket(t, ownConv, "自分のスマホをなくしました")
	// A guest someone added to the agent group.
	guest := "9e570000-0000-4000-8000-0000000000e1"
	simUser(t, guest, map[string]any{"groups": []string{deskGroup}, "userType": "Guest"})

	tap := map[string]any{cards.TicketKey: "1", cards.VerifiedKey: "true", cards.HowKey: cards.VerifiedInPerson}
	elsewhere := e.deskClick(ownThread, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"})
	elsewhere["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant},
		"team": map[string]any{"id": "19:other-team@thread.tacv2"}, "channel": map[string]any{"id": "19:other@thread.tacv2"}}
	for _, c := range []struct {
		name, actor, code, words string
		a                        activity
	}{
		{"the requester takes their own ticket", own, "own_ticket", "あなた自身のアカウント", e.deskClick(ownThread, own, "山田 花子", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"})},
		{"the requester issues themselves a pass", own, "own_ticket", "あなた自身のアカウント", e.deskClick(ownThread, own, "山田 花子", cards.VerbDeskTAP, tap)},
		{"a guest in the agent group", guest, "external", "ゲストや外部のアカウント", e.deskClick(ownThread, guest, "Guest", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"})},
		{"an agent clicking from another team's channel", agentAAD, "wrong_channel", "ヘルプデスクのチャネルのカードからだけ", elsewhere},
	} {
		rec := e.do(t, c.a)
		if code, typ, v := invokeAnswer(t, rec.Body.Bytes()); code != 403 || typ != "application/vnd.microsoft.error" || !strings.Contains(v, c.words) {
			t.Errorf("%s: answered %d %s %s, want a 403 saying %q", c.name, code, typ, v, c.words)
		}
		if got := ticketState(t, e.store, ownThread); got.State != dialogs.TicketOpen || got.Assignee != nil {
			t.Fatalf("%s: the ticket is %s assigned to %v, want untouched", c.name, got.State, got.Assignee)
		}
		audit, _ := e.store.Audit(t.Context(), own, time.Time{})
		if n := len(audit); n == 0 || audit[n-1].ActorID != c.actor || audit[n-1].Result != "refused: "+c.code {
			t.Errorf("%s: last audit entry %+v, want the refusal %q by %s", c.name, audit, c.code, c.actor)
		}
	}
	if n := writesFor(own) - setup; n != 0 {
		t.Errorf("%d Graph writes for the requester, want none", n)
	}
	// A colleague can take it and issue the pass.
	e.do(t, e.deskClick(ownThread, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))
	rec := e.do(t, e.deskClick(ownThread, agentAAD, "Bob Agent", cards.VerbDeskTAP, tap))
	if _, _, v := invokeAnswer(t, rec.Body.Bytes()); passIn(v) == "" || writesFor(own)-setup != 1 {
		t.Errorf("the colleague's pass: %s with %d writes, want the pass once", v, writesFor(own)-setup)
	}
}

// Two agents racing on one ticket, on two replicas whose only guard is the
// ticket's version (SQLite: no shared locks): a pass is issued only after
// the transition that asked for it was saved, so every pass created in
// Graph reached the agent who asked.
func TestRacingAgentsNeverLoseAPass(t *testing.T) {
	t.Parallel()
	a := newDeskEnv(t, false)
	b := a.replica()
	carol := "ca201000-0000-4000-8000-00000000000c"
	simUser(t, carol, map[string]any{"groups": []string{deskGroup}})
	for round := range 8 {
		conv := fmt.Sprintf("a:desk-race-%d", round)
		user := aadFor(conv)
		thread := a.openTicket(t, conv, "")
		n := strconv.FormatInt(ticketState(t, a.store, thread).ID, 10)
		a.do(t, a.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: n}))
		var shown atomic.Int32
		var wg sync.WaitGroup
		wg.Go(func() {
			rec := a.post(a.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskTAP,
				map[string]any{cards.TicketKey: n, cards.VerifiedKey: "true", cards.HowKey: cards.VerifiedVideo}))
			var r struct {
				Value json.RawMessage `json:"value"`
			}
			json.Unmarshal(rec.Body.Bytes(), &r)
			if passIn(string(r.Value)) != "" {
				shown.Add(1)
			}
		})
		wg.Go(func() {
			b.post(b.deskClick(thread, carol, "Carol Agent", cards.VerbDeskTake, map[string]any{cards.TicketKey: n}))
		})
		wg.Wait()
		if created := writesFor(user); created != int(shown.Load()) {
			t.Fatalf("round %d: %d passes created in Graph, %d shown to the agent", round, created, shown.Load())
		}
	}
}

// One open ticket per person, whichever chat they ask from, and at most
// five a day.
func TestTicketLimits(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	conv := "a:desk-limits"
	for i := range dialogs.MaxTicketsPerDay {
		e.openTicket(t, conv, fmt.Sprintf("%d回目", i+1))
		n := strconv.Itoa(i + 1)
		if i == 0 {
			// The same person in another personal chat (a second device
			// or tenant app) can't open a second one meanwhile.
			other := "a:desk-limits-other"
			e.do(t, e.submit(other, map[string]any{cards.VerbKey: cards.VerbHuman}))
			other2 := e.execute(other, cards.VerbTicketOpen, map[string]any{cards.WordsKey: "もう一件"})
			other2["from"] = map[string]any{"id": "29:1user-" + other, "name": "山田 花子", "aadObjectId": aadFor(conv)}
			rec := e.do(t, other2)
			if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "依頼 #1 がまだ対応中です") {
				t.Errorf("a second open ticket from another chat answered %s, want the open one named", v)
			}
		}
		e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbTicketCancel, cards.TicketKey: n}))
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbHuman}))
	rec := e.do(t, e.execute(conv, cards.VerbTicketOpen, map[string]any{cards.WordsKey: "6回目"}))
	if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "24時間に送れる依頼は5件まで") {
		t.Errorf("the sixth ticket answered %s, want the daily cap explained", v)
	}
	tickets, err := e.store.Tickets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != dialogs.MaxTicketsPerDay {
		t.Errorf("%d tickets stored, want %d", len(tickets), dialogs.MaxTicketsPerDay)
	}
}

// Local mode's agent has a playground, and a connector, of their own: with
// HelpdeskConfig.ServiceURL set, tickets go there, whatever connector
// activities from the helpdesk's team come through.
func TestHelpdeskServiceURLIsFixed(t *testing.T) {
	t.Parallel()
	desk := newConnector(t)
	cfg := deskConfig()
	cfg.ServiceURL = desk.serviceURL()
	e := newEnv(t, withDesk(cfg, false))
	posted := func(c *connector) int {
		n := 0
		for _, s := range c.all() {
			if strings.Contains(s.Path, deskChannel+";messageid=") && strings.Contains(s.cardText(), "MFAの相談") {
				n++
			}
		}
		return n
	}
	open := func(conv string) {
		t.Helper()
		e.do(t, e.message(conv, "SMSが届かない"))
		e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbHuman}))
		rec := e.do(t, e.execute(conv, cards.VerbTicketOpen, map[string]any{cards.WordsKey: "コードが届きません"}))
		if _, _, v := invokeAnswer(t, rec.Body.Bytes()); !strings.Contains(v, "ヘルプデスクに送りました") {
			t.Fatalf("open answered %s, want the sent card", v)
		}
	}
	open("a:desk-fixed-1")
	if posted(desk) != 1 || posted(e.conn) != 0 {
		t.Fatalf("ticket cards: %d at the helpdesk's connector, %d at the person's; want 1 and 0", posted(desk), posted(e.conn))
	}
	// A click in the helpdesk's channel that came through the person's
	// connector would otherwise teach the bot that connector.
	e.do(t, e.deskClick(deskChannel+";messageid=bot-msg-1", outsider, "Mallory", cards.VerbDeskTake, map[string]any{cards.TicketKey: "1"}))
	open("a:desk-fixed-2")
	if posted(desk) != 2 || posted(e.conn) != 0 {
		t.Errorf("after a helpdesk activity through another connector, ticket cards: %d at the helpdesk's, %d at the person's; want 2 and 0", posted(desk), posted(e.conn))
	}
}

// A change nobody approved within dialogs.ApprovalExpiry is dropped with
// the full number it held: nothing is written, the person and the thread
// are told, the audit says so, and an agent's late approval finds nothing.
func TestPendingApprovalExpires(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, true)
	conv := "a:desk-approval-expires"
	user := aadFor(conv)
	e.backupOffice(t, conv, "03-1234-5678")
	e.confirmPending(t, conv)
	rec, err := e.store.TicketByID(t.Context(), 1)
	if err != nil || !strings.Contains(string(rec.Data), "312345678") {
		t.Fatalf("the pending approval should hold the full number until decided (%v)", err)
	}
	thread := rec.Thread

	e.tickets.Now = func() time.Time { return time.Now().Add(dialogs.ApprovalExpiry - time.Hour) }
	e.runner.TickTickets(t.Context())
	if got := ticketState(t, e.store, thread); got.Pending == nil {
		t.Fatal("the approval was dropped before it expired")
	}

	e.tickets.Now = func() time.Time { return time.Now().Add(dialogs.ApprovalExpiry + time.Hour) }
	e.runner.TickTickets(t.Context())
	e.runner.TickTickets(t.Context()) // once only
	got := ticketState(t, e.store, thread)
	if got.Pending != nil || len(got.PendingText) != 0 {
		t.Fatalf("after %v the ticket still holds the change: %+v", dialogs.ApprovalExpiry, got.Pending)
	}
	if rec, _ := e.store.TicketByID(t.Context(), 1); strings.Contains(string(rec.Data), "312345678") {
		t.Error("the expired ticket still holds the full number")
	}
	if n := strings.Count(strings.Join(e.texts(conv), "\n"), "承認されなかったため取りやめました"); n != 1 {
		t.Errorf("the person was told %d times, want once: %q", n, e.texts(conv))
	}
	notes := 0
	for _, s := range e.conn.sentTo(thread) {
		if s.Method == "POST" && strings.Contains(s.cardText(), "取りやめました") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes in the thread, want 1", notes)
	}
	entries, err := e.store.Audit(t.Context(), user, time.Time{})
	if err != nil || len(entries) == 0 || entries[len(entries)-1].Result != "approval expired" {
		t.Errorf("audit %+v (%v), want the expiry last", entries, err)
	}
	e.do(t, e.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskApprove, map[string]any{cards.TicketKey: "1"}))
	if n := writesFor(user); n != 0 {
		t.Errorf("%d Graph writes after a late approval, want none", n)
	}
}
