package dialogs_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

func TestMaskNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"番号は 090-1234-5678 です", "番号は 090••••5678 です"},
		{"+81 90 1234 5678", "+819••••5678"},
		{"コードは123456でした", "コードは••••••でした"},
		{"０８０１２３４５６７８", "080••••5678"},
		{"2階の窓口、20秒", "2階の窓口、20秒"},
		{"no numbers here", "no numbers here"},
	}
	for _, tt := range tests {
		if got := dialogs.MaskNumbers(tt.in); got != tt.want {
			t.Errorf("MaskNumbers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDeskTransitions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	bob := dialogs.User{ID: "29:bob", AADObjectID: "bob", Name: "Bob"}
	carol := dialogs.User{ID: "29:carol", AADObjectID: "carol", Name: "Carol"}
	open := dialogs.Ticket{ID: 7, State: dialogs.TicketOpen, User: dialogs.User{AADObjectID: "hanako", Name: "山田 花子"}, Lang: cards.Japanese, Created: now}
	taken := open
	taken.State, taken.Assignee, taken.Relay = dialogs.TicketAssigned, &bob, true
	resolved := taken
	resolved.State, resolved.Relay, resolved.Resolved = dialogs.TicketResolved, false, now
	act := func(verb string, who dialogs.User, kv ...string) dialogs.DeskAction {
		d := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			d[kv[i]] = kv[i+1]
		}
		return dialogs.DeskAction{Verb: verb, Agent: who, Check: dialogs.AgentOK, Execute: true, Data: d, Now: now}
	}
	tests := []struct {
		name      string
		t         dialogs.Ticket
		a         dialogs.DeskAction
		problem   string // code, or "" for success
		state     string
		effect    string
		toUser    bool
		assignee  string
		relayWant bool
	}{
		{name: "take", t: open, a: act(cards.VerbDeskTake, bob), state: dialogs.TicketAssigned, toUser: true, assignee: "Bob", relayWant: true},
		{name: "take twice", t: taken, a: act(cards.VerbDeskTake, bob), problem: "already_yours"},
		{name: "take over", t: taken, a: act(cards.VerbDeskTake, carol), state: dialogs.TicketAssigned, toUser: true, assignee: "Carol", relayWant: true},
		{name: "release", t: taken, a: act(cards.VerbDeskRelease, bob), state: dialogs.TicketOpen, toUser: true},
		{name: "release unassigned", t: open, a: act(cards.VerbDeskRelease, bob), problem: "not_assigned"},
		{name: "empty reply", t: taken, a: act(cards.VerbDeskReply, bob, cards.ReplyKey, "  "), problem: "empty_reply"},
		{name: "reply takes an open ticket", t: open, a: act(cards.VerbDeskReply, carol, cards.ReplyKey, "hi"), state: dialogs.TicketAssigned, toUser: true, assignee: "Carol", relayWant: true},
		{name: "pass unverified", t: taken, a: act(cards.VerbDeskTAP, bob, cards.VerifiedKey, "false", cards.HowKey, cards.VerifiedInPerson), problem: "not_verified"},
		{name: "pass without how", t: taken, a: act(cards.VerbDeskTAP, bob, cards.VerifiedKey, "true"), problem: "how_missing"},
		{name: "pass by someone else", t: taken, a: act(cards.VerbDeskTAP, carol, cards.VerifiedKey, "true", cards.HowKey, cards.VerifiedVideo), problem: "take_first"},
		{name: "pass from a message, not the card's button", t: taken, a: func() dialogs.DeskAction {
			a := act(cards.VerbDeskTAP, bob, cards.VerifiedKey, "true", cards.HowKey, cards.VerifiedVideo)
			a.Execute = false
			return a
		}(), problem: "needs_card"},
		{name: "pass", t: taken, a: act(cards.VerbDeskTAP, bob, cards.VerifiedKey, "true", cards.HowKey, cards.VerifiedVideo), state: dialogs.TicketAssigned, effect: "tap.issue", assignee: "Bob", relayWant: true},
		{name: "resolve", t: taken, a: act(cards.VerbDeskResolve, bob, cards.NoteKey, "done"), state: dialogs.TicketResolved, toUser: true, assignee: "Bob"},
		{name: "anything on a resolved ticket", t: resolved, a: act(cards.VerbDeskReply, bob, cards.ReplyKey, "hi"), problem: "ticket_closed"},
		{name: "approve with nothing pending", t: taken, a: act(cards.VerbDeskApprove, bob), problem: "nothing_pending"},
		{name: "unknown verb", t: taken, a: act("desk.delete", bob), problem: "unknown_action"},
	}
	for _, tt := range tests {
		got := dialogs.Desk(tt.t, tt.a)
		if tt.problem != "" {
			if got.Problem == nil || got.Problem.Code != tt.problem || got.Changed || len(got.ToUser) > 0 {
				t.Errorf("%s: problem %+v changed %t, want refusal %q and nothing else", tt.name, got.Problem, got.Changed, tt.problem)
			}
			for _, e := range got.Effects {
				if _, ok := e.(dialogs.Audit); !ok {
					t.Errorf("%s: a refusal asked for %s", tt.name, e.EffectName())
				}
			}
			continue
		}
		if got.Problem != nil {
			t.Errorf("%s: refused %+v", tt.name, got.Problem)
			continue
		}
		n := got.Ticket
		name := ""
		if n.Assignee != nil {
			name = n.Assignee.Name
		}
		eff := ""
		for _, e := range got.Effects {
			eff += e.EffectName()
		}
		if n.State != tt.state || name != tt.assignee || n.Relay != tt.relayWant || eff != tt.effect || (len(got.ToUser) > 0) != tt.toUser {
			t.Errorf("%s: state %s assignee %q relay %t effect %q toUser %d; want %s %q %t %q %t",
				tt.name, n.State, name, n.Relay, eff, len(got.ToUser), tt.state, tt.assignee, tt.relayWant, tt.effect, tt.toUser)
		}
	}
}

func TestReopenWithinSevenDays(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	bob := dialogs.User{AADObjectID: "bob", Name: "Bob"}
	r := dialogs.Ticket{ID: 3, State: dialogs.TicketResolved, Assignee: &bob, Resolved: now}
	hanako := dialogs.User{ID: "29:hanako", AADObjectID: "hanako", Name: "山田 花子"}
	r.User = hanako
	at := func(d time.Duration) dialogs.Input { return dialogs.Input{User: hanako, Now: now.Add(d)} }
	if got := dialogs.UserAct(r, at(6*24*time.Hour), dialogs.UpdateTicket{ID: 3, Op: dialogs.OpReopen}); got.Problem != nil || got.Ticket.State != dialogs.TicketAssigned || len(got.ToThread) != 1 {
		t.Errorf("reopen after 6 days: %+v state %s, want assigned to Bob again with a note in the thread", got.Problem, got.Ticket.State)
	}
	if got := dialogs.UserAct(r, at(8*24*time.Hour), dialogs.UpdateTicket{ID: 3, Op: dialogs.OpReopen}); got.Problem == nil || got.Problem.Code != "reopen_expired" {
		t.Errorf("reopen after 8 days: %+v, want reopen_expired", got.Problem)
	}
	if got := dialogs.UserAct(r, at(0), dialogs.UpdateTicket{ID: 3, Op: dialogs.OpNote, Text: "hello"}); got.Problem == nil {
		t.Error("a note on a resolved ticket was accepted")
	}
	other := at(6 * 24 * time.Hour)
	other.User = dialogs.User{ID: "29:taro", AADObjectID: "taro", Name: "Taro"}
	if got := dialogs.UserAct(r, other, dialogs.UpdateTicket{ID: 3, Op: dialogs.OpReopen}); got.Problem == nil || got.Problem.Code != "not_yours" || got.Changed {
		t.Errorf("someone else reopened the ticket: %+v", got.Problem)
	}
}

func TestEscalationNeverWritesAndRelays(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, nil)
	var s dialogs.Session
	s, _ = r.Step(s, text("SMSが届かない"))
	s, out := r.Step(s, submit(cards.VerbHuman))
	if len(out.Effects) != 0 {
		t.Fatalf("asking for a person ran effects %v before the person sent anything", out.Effects)
	}
	open := submit(cards.VerbTicketOpen, cards.WordsKey, "電話 090-1234-5678 をなくした")
	open.Execute = true
	s, out = r.Step(s, open)
	if len(out.Effects) != 1 {
		t.Fatalf("send gave effects %v, want one OpenTicket", out.Effects)
	}
	ot, ok := out.Effects[0].(dialogs.OpenTicket)
	if !ok || ot.Words != "電話 090••••5678 をなくした" || ot.Topic == "" || len(ot.Transcript) < 2 || len(ot.Tried) == 0 {
		t.Fatalf("OpenTicket = %+v, want masked words, the topic, the transcript and what was tried", out.Effects[0])
	}
	for _, l := range ot.Transcript {
		if l.Text == "" {
			t.Errorf("empty transcript line in %+v", ot.Transcript)
		}
	}
	// While an agent talks to them, text is relayed; commands are not.
	relay := text("ありがとうございます")
	relay.Ticket = &dialogs.TicketLink{ID: 1, State: dialogs.TicketAssigned, Relay: true}
	_, out = r.Step(dialogs.Session{}, relay)
	if len(out.Replies) != 0 || len(out.Effects) != 1 || out.Effects[0].(dialogs.UpdateTicket).Op != dialogs.OpRelay {
		t.Errorf("relayed text gave replies %v effects %v, want only the relay", summaries(out.Replies), out.Effects)
	}
	back := text("ボットに戻る")
	back.Ticket = relay.Ticket
	_, out = r.Step(dialogs.Session{}, back)
	if len(out.Effects) != 1 || out.Effects[0].(dialogs.UpdateTicket).Op != dialogs.OpEndRelay {
		t.Errorf("typed 'back to the bot' gave %v / %v, want the relay ended", summaries(out.Replies), out.Effects)
	}
	_, out = r.Step(dialogs.Session{}, text("担当者と話す"))
	if got := summaries(out.Replies); len(got) != 1 || got[0] != summary(cards.Message{Card: cards.EscalateForm(cards.Japanese, "", 1, "")}) {
		t.Errorf("typed 'talk to a person' gave %v, want the request form", got)
	}
	menu := text("メニュー")
	menu.Ticket = relay.Ticket
	_, out = r.Step(dialogs.Session{}, menu)
	if len(out.Effects) != 0 || len(out.Replies) != 1 {
		t.Errorf("'menu' while relaying gave %v / %v, want the menu only", summaries(out.Replies), out.Effects)
	}
}

// Only agents act on tickets, never on their own account, and every such
// refusal is audited with who tried.
func TestDeskRefusesNonAgentsAndTheirOwnTicket(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	bob := dialogs.User{ID: "29:bob", AADObjectID: "bob", Name: "Bob"}
	hanako := dialogs.User{ID: "29:hanako", AADObjectID: "HANAKO", Name: "山田 花子"}
	open := dialogs.Ticket{ID: 9, State: dialogs.TicketOpen, User: dialogs.User{ID: "29:hanako", AADObjectID: "hanako", Name: "山田 花子"}, Created: now}
	mine := open
	mine.State, mine.Assignee = dialogs.TicketAssigned, &hanako
	tap := map[string]string{cards.VerifiedKey: "true", cards.HowKey: cards.VerifiedInPerson}
	tests := []struct {
		name  string
		t     dialogs.Ticket
		who   dialogs.User
		check dialogs.AgentCheck
		verb  string
		code  string
	}{
		{"not in the agent group", open, bob, dialogs.AgentNotMember, cards.VerbDeskTake, "not_agent"},
		{"a guest", open, bob, dialogs.AgentExternal, cards.VerbDeskTake, "external"},
		{"from another channel", open, bob, dialogs.AgentElsewhere, cards.VerbDeskTake, "wrong_channel"},
		{"no check at all", open, bob, "", cards.VerbDeskTake, "not_agent"},
		{"take own ticket", open, hanako, dialogs.AgentOK, cards.VerbDeskTake, "own_ticket"},
		{"reply on own ticket", open, hanako, dialogs.AgentOK, cards.VerbDeskReply, "own_ticket"},
		{"pass for oneself", mine, hanako, dialogs.AgentOK, cards.VerbDeskTAP, "own_ticket"},
		{"approve own change", mine, hanako, dialogs.AgentOK, cards.VerbDeskApprove, "own_ticket"},
	}
	for _, tt := range tests {
		got := dialogs.Desk(tt.t, dialogs.DeskAction{Verb: tt.verb, Agent: tt.who, Check: tt.check, Data: tap, Now: now})
		if got.Problem == nil || got.Problem.Code != tt.code || got.Changed || len(got.ToUser)+len(got.ToThread) > 0 || got.Private != nil {
			t.Errorf("%s: %+v changed %t, want refusal %q and nothing else", tt.name, got.Problem, got.Changed, tt.code)
			continue
		}
		if len(got.Effects) != 1 {
			t.Errorf("%s: effects %v, want one audit entry", tt.name, got.Effects)
			continue
		}
		a, ok := got.Effects[0].(dialogs.Audit)
		if !ok || a.Actor != tt.who.AADObjectID || a.User != "hanako" || a.Result != "refused: "+tt.code || a.Key != "ticket-9" {
			t.Errorf("%s: audit %+v, want the refusal with its actor", tt.name, got.Effects[0])
		}
	}
	// A colleague can take it.
	if got := dialogs.Desk(open, dialogs.DeskAction{Verb: cards.VerbDeskTake, Agent: bob, Check: dialogs.AgentOK, Now: now}); got.Problem != nil || got.Ticket.Assignee == nil || got.Ticket.Assignee.AADObjectID != "bob" {
		t.Errorf("a colleague could not take it: %+v", got.Problem)
	}
}

// A pass's outcome: the pass reaches the agent alone, the person is told in
// chat and by mail, and the ticket keeps a line without the pass.
func TestDeskResultOfAPass(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	bob := dialogs.User{ID: "29:bob", AADObjectID: "bob", Name: "Bob"}
	tk := dialogs.Ticket{ID: 4, State: dialogs.TicketAssigned, Assignee: &bob, Lang: cards.English,
		User: dialogs.User{AADObjectID: "hanako", Name: "Hanako"}, Created: now}
	const pass = "Xy7#kP2q"
	got := dialogs.DeskResult(tk, dialogs.Result{Effect: dialogs.IssueTAP{}.EffectName(),
		Value: dialogs.PassIssued{Pass: pass, LifetimeMinutes: 60, UsableOnce: true, How: cards.VerifiedVideo}}, bob, now)
	if got.Private == nil || !strings.Contains(cardJSON(t, got.Private), pass) {
		t.Fatal("the pass is not in the agent's answer")
	}
	if !got.Changed || got.Ticket.History[len(got.Ticket.History)-1].What != "tap" {
		t.Errorf("history %+v, want a tap line", got.Ticket.History)
	}
	b, _ := json.Marshal(got.Ticket)
	for _, m := range got.ToUser {
		if m.Card != nil {
			b = append(b, cardJSON(t, m.Card)...)
		}
		b = append(b, m.Text...)
	}
	if strings.Contains(string(b), pass) || strings.Contains(cardJSON(t, got.Ticket.Card(now, cards.Japanese)), pass) {
		t.Error("the pass leaked into the ticket, its card or the person's messages")
	}
	if len(got.ToUser) != 2 || len(got.Effects) != 1 {
		t.Fatalf("toUser %d effects %v, want a message, a notice card and a mail", len(got.ToUser), got.Effects)
	}
	if n, ok := got.Effects[0].(dialogs.Notify); !ok || n.Owner != "hanako" || n.Kind != cards.NoticeTAP {
		t.Errorf("effect %+v, want the TAP notice mailed to the person", got.Effects[0])
	}
	// An agent who has not signed in sees a sign-in button, and nothing
	// else happens.
	got = dialogs.DeskResult(tk, dialogs.Result{Effect: dialogs.IssueTAP{}.EffectName(), Value: dialogs.AgentSignInNeeded{URL: "https://login.example/x"}}, bob, now)
	if got.Changed || len(got.ToUser) > 0 || len(got.Effects) > 0 || got.Private == nil || !strings.Contains(cardJSON(t, got.Private), "https://login.example/x") {
		t.Errorf("sign-in needed: changed %t toUser %d effects %v", got.Changed, len(got.ToUser), got.Effects)
	}
}

// One open ticket per person wherever they ask, and a daily cap; a report
// of a change they did not make always gets through.
func TestNewTicketLimits(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	in := dialogs.Input{User: dialogs.User{ID: "29:h", AADObjectID: "h", Name: "H"}, Now: now}
	e := dialogs.OpenTicket{Topic: "SMS", Lang: cards.Japanese, Callback: "090-1234-5678"}
	if got := dialogs.NewTicket(in, e, dialogs.TicketFacts{Open: &dialogs.TicketLink{ID: 3}}); got.Problem == nil || got.Problem.Code != "ticket_open" || !strings.Contains(got.Problem.JA, "#3") {
		t.Errorf("second open ticket: %+v", got.Problem)
	}
	if got := dialogs.NewTicket(in, e, dialogs.TicketFacts{Today: dialogs.MaxTicketsPerDay}); got.Problem == nil || got.Problem.Code != "ticket_limit" {
		t.Errorf("ticket over the daily cap: %+v", got.Problem)
	}
	urgent := e
	urgent.Urgent = true
	if got := dialogs.NewTicket(in, urgent, dialogs.TicketFacts{Open: &dialogs.TicketLink{ID: 3}, Today: dialogs.MaxTicketsPerDay}); got.Problem != nil || !got.Ticket.Urgent {
		t.Errorf("urgent report refused behind another ticket: %+v", got.Problem)
	}
	if got := dialogs.NewTicket(in, urgent, dialogs.TicketFacts{OpenUrgent: &dialogs.TicketLink{ID: 4, Urgent: true}}); got.Problem == nil || got.Problem.Code != "urgent_open" || !strings.Contains(got.Problem.JA, "#4") {
		t.Errorf("a second urgent report while one is open: %+v", got.Problem)
	}
	if got := dialogs.NewTicket(in, urgent, dialogs.TicketFacts{Today: 2 * dialogs.MaxTicketsPerDay}); got.Problem == nil || got.Problem.Code != "ticket_limit" {
		t.Errorf("urgent reports have no cap: %+v", got.Problem)
	}
	approval := e
	approval.Pending = &dialogs.ApplyChange{Key: "k", Owner: "h"}
	if got := dialogs.NewTicket(in, approval, dialogs.TicketFacts{Open: &dialogs.TicketLink{ID: 3}}); got.Problem != nil {
		t.Errorf("a change for approval refused behind the person's open ticket: %+v", got.Problem)
	}
	got := dialogs.NewTicket(in, e, dialogs.TicketFacts{Today: dialogs.MaxTicketsPerDay - 1})
	if got.Problem != nil {
		t.Fatalf("fifth ticket refused: %+v", got.Problem)
	}
	// The callback number: masked on the channel's card, in full for the
	// agent holding the ticket only.
	tk := got.Ticket
	bob := dialogs.User{ID: "29:bob", AADObjectID: "bob", Name: "Bob"}
	carol := dialogs.User{ID: "29:carol", AADObjectID: "carol", Name: "Carol"}
	tk.Assignee = &bob
	if v := tk.View(now, cards.Japanese).Callback; v != "090••••5678" {
		t.Errorf("channel sees callback %q, want it masked", v)
	}
	if v := tk.ViewFor(now, cards.Japanese, carol).Callback; v != "090••••5678" {
		t.Errorf("another agent sees callback %q, want it masked", v)
	}
	if v := tk.ViewFor(now, cards.Japanese, bob).Callback; v != "090-1234-5678" {
		t.Errorf("the assignee sees callback %q, want it in full", v)
	}
}

// The requester's words can't pose as the bot, the helpdesk or a link.
func TestRequesterWordsAreInert(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	words := "**MFA Desk (システム):** 本人確認が完了しました [本人確認フォーム](https://evil.example/x)\n- 10:05 佐藤 (ヘルプデスク): 本人確認 — 窓口で本人確認済み <at>佐藤</at>"
	tk := dialogs.Ticket{ID: 5, State: dialogs.TicketOpen, User: dialogs.User{ID: "29:h", AADObjectID: "h", Name: "H"}, Words: words, Created: now,
		Transcript: []dialogs.Line{{FromUser: true, Text: words}}}
	j := cardJSON(t, tk.Card(now, cards.Japanese))
	var c struct {
		Body []json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal([]byte(j), &c); err != nil {
		t.Fatal(err)
	}
	for _, el := range c.Body {
		var tb struct{ Type, Text string }
		json.Unmarshal(el, &tb)
		if tb.Type == "TextBlock" && (strings.Contains(tb.Text, "本人確認が完了しました") || strings.Contains(tb.Text, "evil.example")) {
			t.Errorf("the person's words are in a TextBlock, which renders markdown: %s", tb.Text)
		}
	}
	if strings.Contains(j, "https://evil.example") || strings.Contains(j, "<at>") {
		t.Error("a link or a mention survived in the ticket card")
	}
	if !strings.Contains(j, `"type":"RichTextBlock"`) || !strings.Contains(j, "hxxps[:]//evil.example/x") {
		t.Errorf("the words are not shown as a plain quote: %s", j)
	}
	// Their display name and their devices' names are theirs to choose
	// too, and sit in facts and lists that render markdown.
	named := tk
	named.Words, named.Transcript = "", nil // checked above, as quotes
	named.User.Name = "**MFA Desk (システム)**\n- 10:05 佐藤: [確認済み](https://evil.example/n)"
	named.Methods = []string{"Microsoft Authenticator: [公式](https://evil.example/d) _x_"}
	named.History = []dialogs.TicketEvent{{At: now, Who: named.User.Name, What: "opened"}}
	j = cardJSON(t, named.Card(now, cards.Japanese)) + dialogs.QuoteLabel(named)
	for _, bad := range []string{"https://evil.example", "**MFA", "[確認済み]", "[公式]", "\\n- 10:05", "_x_"} {
		if strings.Contains(j, bad) {
			t.Errorf("the card or the quote label renders %q from the person's name or devices", bad)
		}
	}
	// Their messages go to the thread as quotes, and stay out of the
	// history lines they could imitate.
	got := dialogs.UserAct(tk, dialogs.Input{User: tk.User, Now: now}, dialogs.UpdateTicket{ID: 5, Op: dialogs.OpNote, Text: words})
	if len(got.Quotes) != 1 || len(got.ToThread) != 0 {
		t.Fatalf("quotes %d notes %d, want the words as one quote only", len(got.Quotes), len(got.ToThread))
	}
	if h := got.Ticket.History[len(got.Ticket.History)-1]; h.What != "note" || h.Detail != "" {
		t.Errorf("history line %+v carries the person's words", h)
	}
}

// "Talk to a person" and "This wasn't me" in a group chat continue in the
// person's 1:1 chat.
func TestTalkToAPersonFromAGroupMovesToPersonal(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, nil)
	for _, verb := range []string{cards.VerbHuman, cards.VerbNotMe} {
		in := submit(verb, cards.KindKey, cards.NoticeChange)
		in.Scope = dialogs.GroupChat
		_, out := r.Step(dialogs.Session{}, in)
		if len(out.Effects) != 1 {
			t.Fatalf("%s: effects %v, want the move to the personal chat", verb, out.Effects)
		}
		if m, ok := out.Effects[0].(dialogs.MoveToPersonal); !ok || m.Verb != verb {
			t.Errorf("%s: effect %+v, want MoveToPersonal with the same verb", verb, out.Effects[0])
		}
		for _, m := range out.Replies {
			if m.Card != nil {
				t.Errorf("%s: a card was shown in the group", verb)
			}
		}
	}
}

func cardJSON(t *testing.T, c *cards.Card) string {
	t.Helper()
	b, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
