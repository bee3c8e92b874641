package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
)

func campaignClick(verb string, now time.Time) dialogs.Input {
	return dialogs.Input{Kind: dialogs.SubmitInput, Verb: verb, Data: map[string]string{cards.CampaignKey: "passkeys"},
		User: dialogs.User{ID: "29:alice", AADObjectID: "alice-oid", Name: "Alice"}, Scope: dialogs.Personal, Now: now, Locale: "ja-JP"}
}

func TestCampaignButtons(t *testing.T) {
	r := dialogs.NewRouter(testKB, nil)
	r.SetTenant(faq.DefaultTenant()) // Microsoft telephony, ending 2027-02-01
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

	// Remind me later: three days on, said in words, recorded for the clicker.
	_, out := r.Step(dialogs.Session{}, campaignClick(cards.VerbCampaignLater, now))
	act, ok := onlyCampaignAct(t, out)
	if !ok || act.Action != "later" || act.Campaign != "passkeys" || !act.Until.Equal(now.Add(dialogs.CampaignSnooze)) {
		t.Fatalf("later: effects %+v", out.Effects)
	}
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "2026年12月5日") {
		t.Fatalf("later: replies %+v", out.Replies)
	}
	// Late January: the reminder still comes the day before the deadline.
	late := time.Date(2027, 1, 30, 9, 0, 0, 0, time.UTC)
	_, out = r.Step(dialogs.Session{}, campaignClick(cards.VerbCampaignLater, late))
	if act, _ := onlyCampaignAct(t, out); !act.Until.Before(faq.DefaultTenant().SMSVoiceEnd) {
		t.Errorf("a snooze near the deadline reminds on %v, after the codes end", act.Until)
	}

	// I can't use a smartphone: the tenant's alternatives, recorded.
	_, out = r.Step(dialogs.Session{}, campaignClick(cards.VerbCampaignNoSmartphone, now))
	if act, _ := onlyCampaignAct(t, out); act.Action != "no-smartphone" {
		t.Fatalf("no smartphone: effects %+v", out.Effects)
	}
	if len(out.Replies) != 1 || out.Replies[0].Card == nil {
		t.Fatalf("no smartphone: replies %+v", out.Replies)
	}

	// Register a passkey: the flow starts as from the menu, and the start is recorded.
	s, out := r.Step(dialogs.Session{}, campaignClick(cards.VerbPasskey, now))
	if _, ok := onlyCampaignAct(t, dialogs.Turn{Effects: out.Effects[1:]}); !ok {
		t.Fatalf("start: effects %+v, want LoadMethods then the campaign's record", out.Effects)
	}
	if _, ok := out.Effects[0].(dialogs.LoadMethods); !ok {
		t.Fatalf("start: first effect %T, want LoadMethods", out.Effects[0])
	}
	// The record's result must not disturb the flow: it waits for the methods.
	before := s
	s, out = r.Step(s, dialogs.Input{Kind: dialogs.ResultInput, Result: &dialogs.Result{Effect: (dialogs.CampaignAct{}).EffectName()},
		User: dialogs.User{ID: "29:alice", AADObjectID: "alice-oid"}, Scope: dialogs.Personal, Now: now})
	if len(out.Replies) != 0 || len(out.Effects) != 0 || len(s.Stack) != len(before.Stack) {
		t.Fatalf("the campaign record's result changed the flow: %+v", out)
	}
}

func onlyCampaignAct(t *testing.T, out dialogs.Turn) (dialogs.CampaignAct, bool) {
	t.Helper()
	if len(out.Effects) != 1 {
		return dialogs.CampaignAct{}, false
	}
	a, ok := out.Effects[0].(dialogs.CampaignAct)
	return a, ok
}
