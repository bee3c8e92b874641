package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

func TestCampaignLifecycle(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx := t.Context()
		const c = "passkeys"
		day0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		run1 := day0.Unix()
		err := e.s.RecordScan(ctx, c, run1, []store.Observation{
			{UserID: "u1", PhoneOnly: true, Mix: "phone-only", Lang: "ja"},
			{UserID: "u2", PhoneOnly: true, Mix: "phone-only", Lang: "en"},
			{UserID: "u3", PhoneOnly: true, Mix: "phone-only", Lang: "ja"},
			{UserID: "x9", PhoneOnly: false, Mix: "passkey", Lang: "ja"}, // never phone-only: not stored
		}, day0)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.s.FinishScan(ctx, c, run1, day0); err != nil || n != 0 {
			t.Fatalf("FinishScan = %d, %v; want 0 gone", n, err)
		}
		due, err := e.s.DuePeople(ctx, c, day0, 7*24*time.Hour, "", 10)
		if err != nil || len(due) != 3 || due[0].UserID != "u1" || due[2].UserID != "u3" {
			t.Fatalf("due on day 0 = %+v, %v; want u1..u3", due, err)
		}
		// Paging: after u1, limit 1.
		if page, _ := e.s.DuePeople(ctx, c, day0, 7*24*time.Hour, "u1", 1); len(page) != 1 || page[0].UserID != "u2" {
			t.Fatalf("page after u1 = %+v", page)
		}

		// Two senders race for u1's first message: one wins.
		var wg sync.WaitGroup
		wins := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := e.s.ClaimSend(ctx, c, "u1", 1, day0)
				if err != nil {
					t.Error(err)
				}
				wins <- ok
			}()
		}
		wg.Wait()
		close(wins)
		n := 0
		for ok := range wins {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d claims of one wave succeeded, want 1", n)
		}
		if err := e.s.FinishSend(ctx, c, "u1", store.SentResult{Delivered: true, Conversation: "a:1", ServiceURL: "https://smba.example/"}, day0); err != nil {
			t.Fatal(err)
		}
		// u2 is claimed and the run crashes; u3 is unreachable.
		if ok, _ := e.s.ClaimSend(ctx, c, "u2", 1, day0); !ok {
			t.Fatal("claim u2")
		}
		if ok, _ := e.s.ClaimSend(ctx, c, "u3", 1, day0); !ok {
			t.Fatal("claim u3")
		}
		if err := e.s.FinishSend(ctx, c, "u3", store.SentResult{Unreachable: true, Reason: "no_teams"}, day0); err != nil {
			t.Fatal(err)
		}
		// Nobody is due now: u1 was messaged, u2 is being sent, u3 unreachable.
		if due, _ := e.s.DuePeople(ctx, c, day0.Add(time.Hour), 7*24*time.Hour, "", 10); len(due) != 0 {
			t.Fatalf("due after the first wave = %+v, want none", due)
		}
		if n, err := e.s.SettleInterruptedSends(ctx, c, day0.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("settled %d, %v; want u2", n, err)
		}
		// A repeated claim of wave 1 fails for everyone: it counts as sent.
		for _, u := range []string{"u1", "u2"} {
			if ok, _ := e.s.ClaimSend(ctx, c, u, 1, day0.Add(2*time.Hour)); ok {
				t.Fatalf("%s: wave 1 claimed twice", u)
			}
		}

		// u1 asks to be reminded in 10 days; u2 starts the passkey flow.
		if ok, err := e.s.CampaignAct(ctx, c, "u1", store.CampaignActionLater, day0.Add(10*24*time.Hour), day0.Add(time.Hour)); !ok || err != nil {
			t.Fatalf("later: %v %v", ok, err)
		}
		if ok, _ := e.s.CampaignAct(ctx, c, "u2", store.CampaignActionStart, time.Time{}, day0.Add(time.Hour)); !ok {
			t.Fatal("start")
		}
		if ok, _ := e.s.CampaignAct(ctx, c, "stranger", store.CampaignActionStart, time.Time{}, day0); ok {
			t.Fatal("a click from someone outside the campaign was recorded")
		}
		// Day 8: u2 is due its reminder (wave 2); u1 snoozed until day 10.
		due, _ = e.s.DuePeople(ctx, c, day0.Add(8*24*time.Hour), 7*24*time.Hour, "", 10)
		if len(due) != 1 || due[0].UserID != "u2" || due[0].Wave != 1 || due[0].Status != store.CampaignStarted {
			t.Fatalf("due on day 8 = %+v, want u2 after wave 1, started", due)
		}
		due, _ = e.s.DuePeople(ctx, c, day0.Add(10*24*time.Hour), 7*24*time.Hour, "", 10)
		if len(due) != 2 {
			t.Fatalf("due on day 10 = %+v, want u1 and u2", due)
		}

		// A second scan: u2 registered a passkey, u1 left the tenant, u4 is new.
		run2 := day0.Add(9 * 24 * time.Hour).Unix()
		at2 := day0.Add(9 * 24 * time.Hour)
		if err := e.s.RecordScan(ctx, c, run2, []store.Observation{
			{UserID: "u2", PhoneOnly: false, Mix: "passkey", Lang: "en"},
			{UserID: "u3", PhoneOnly: true, Mix: "phone-only", Lang: "ja"},
			{UserID: "u4", PhoneOnly: true, Mix: "phone-only", Lang: "ja"},
		}, at2); err != nil {
			t.Fatal(err)
		}
		if n, err := e.s.FinishScan(ctx, c, run2, at2); err != nil || n != 1 {
			t.Fatalf("gone = %d, %v; want u1", n, err)
		}
		got, err := e.s.CountCampaign(ctx, c, at2)
		if err != nil {
			t.Fatal(err)
		}
		want := store.CampaignCounts{At: at2, PhoneOnly: 2, Contacted: 2, Started: 1, Registered: 1, Unreachable: 1}
		if got != want {
			t.Fatalf("counts = %+v, want %+v", got, want)
		}
		if err := e.s.RecordCampaignCounts(ctx, c, got); err != nil {
			t.Fatal(err)
		}
		hist, err := e.s.CampaignHistory(ctx, c, day0)
		if err != nil || len(hist) != 1 || hist[0].PhoneOnly != 2 || !hist[0].At.Equal(at2) {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		if r, err := e.s.UnreachableReasons(ctx, c); err != nil || len(r) != 1 || r["no_teams"] != 1 {
			t.Fatalf("unreachable reasons = %v, %v", r, err)
		}
		// Unreachable people can be retried once the cause is fixed.
		if n, _ := e.s.RetryUnreachable(ctx, c, at2); n != 1 {
			t.Fatalf("retried %d, want u3", n)
		}
		p, err := e.s.CampaignPersonByID(ctx, c, "u3")
		if err != nil || p.Status != store.CampaignFound || p.Reason != "" {
			t.Fatalf("u3 after retry = %+v, %v", p, err)
		}
	})
}

func TestCampaignRemindersRespectWhatPeopleSaid(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx := t.Context()
		const c = "passkeys"
		day := func(n int) time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
		week := 7 * 24 * time.Hour
		var batch []store.Observation
		for _, u := range []string{"later", "nophone", "left", "moved"} {
			batch = append(batch, store.Observation{UserID: u, PhoneOnly: true, Mix: "phone-only", Lang: "ja"})
		}
		if err := e.s.RecordScan(ctx, c, day(0).Unix(), batch, day(0)); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"later", "nophone", "left", "moved"} {
			if ok, _ := e.s.ClaimSend(ctx, c, u, 1, day(0)); !ok {
				t.Fatal("claim", u)
			}
			e.s.FinishSend(ctx, c, u, store.SentResult{Delivered: true, Conversation: "a:" + u}, day(0))
		}
		// "Remind me later" (3 days) never brings the weekly reminder forward.
		e.s.CampaignAct(ctx, c, "later", store.CampaignActionLater, day(3), day(0))
		e.s.CampaignAct(ctx, c, "nophone", store.CampaignActionNoSmartphone, time.Time{}, day(0))
		// A scan: "left" is now disabled; "moved" registered a passkey.
		if err := e.s.RecordScan(ctx, c, day(1).Unix(), []store.Observation{
			{UserID: "left", Left: true}, {UserID: "moved", Mix: "passkey"},
		}, day(1)); err != nil {
			t.Fatal(err)
		}
		if due, _ := e.s.DuePeople(ctx, c, day(4), week, "", 10); len(due) != 0 {
			t.Fatalf("due on day 4: %+v, want nobody", due)
		}
		due, _ := e.s.DuePeople(ctx, c, day(8), week, "", 10)
		if len(due) != 1 || due[0].UserID != "later" {
			t.Fatalf("due on day 8: %+v, want only the one who asked for later", due)
		}
		// A lagging report lists "moved" as phone-only the next day: still moved.
		if err := e.s.RecordScan(ctx, c, day(2).Unix(), []store.Observation{{UserID: "moved", PhoneOnly: true, Mix: "phone-only"}}, day(2)); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.s.CampaignPersonByID(ctx, c, "moved"); p.Status != store.CampaignRegistered {
			t.Errorf("a lagging report made a registered person %q", p.Status)
		}
		if p, _ := e.s.CampaignPersonByID(ctx, c, "left"); p.Status != store.CampaignGone {
			t.Errorf("a disabled person is %q, want gone", p.Status)
		}
	})
}
