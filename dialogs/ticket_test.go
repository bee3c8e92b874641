package dialogs_test

import (
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
		return dialogs.DeskAction{Verb: verb, Agent: who, Data: d, Now: now}
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
		{name: "pass", t: taken, a: act(cards.VerbDeskTAP, bob, cards.VerifiedKey, "true", cards.HowKey, cards.VerifiedVideo), state: dialogs.TicketAssigned, effect: "tap.issue", assignee: "Bob", relayWant: true},
		{name: "resolve", t: taken, a: act(cards.VerbDeskResolve, bob, cards.NoteKey, "done"), state: dialogs.TicketResolved, toUser: true, assignee: "Bob"},
		{name: "anything on a resolved ticket", t: resolved, a: act(cards.VerbDeskReply, bob, cards.ReplyKey, "hi"), problem: "ticket_closed"},
		{name: "approve with nothing pending", t: taken, a: act(cards.VerbDeskApprove, bob), problem: "nothing_pending"},
		{name: "unknown verb", t: taken, a: act("desk.delete", bob), problem: "unknown_action"},
	}
	for _, tt := range tests {
		got := dialogs.Desk(tt.t, tt.a)
		if tt.problem != "" {
			if got.Problem == nil || got.Problem.Code != tt.problem || got.Changed || got.Effect != nil || len(got.ToUser) > 0 {
				t.Errorf("%s: problem %+v changed %t effect %v, want refusal %q and nothing else", tt.name, got.Problem, got.Changed, got.Effect, tt.problem)
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
		if got.Effect != nil {
			eff = got.Effect.EffectName()
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
	if got := dialogs.UserAct(r, dialogs.OpReopen, "", now.Add(6*24*time.Hour)); got.Problem != nil || got.Ticket.State != dialogs.TicketAssigned || len(got.ToThread) != 1 {
		t.Errorf("reopen after 6 days: %+v state %s, want assigned to Bob again with a note in the thread", got.Problem, got.Ticket.State)
	}
	if got := dialogs.UserAct(r, dialogs.OpReopen, "", now.Add(8*24*time.Hour)); got.Problem == nil || got.Problem.Code != "reopen_expired" {
		t.Errorf("reopen after 8 days: %+v, want reopen_expired", got.Problem)
	}
	if got := dialogs.UserAct(r, dialogs.OpNote, "hello", now); got.Problem == nil {
		t.Error("a note on a resolved ticket was accepted")
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
