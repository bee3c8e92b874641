package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// Old records go, recent ones and open tickets stay, the audit is kept
// longer than the rest, and a dry run deletes nothing.
func TestPurge(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s, ctx := e.s, t.Context()
		now := t0.AddDate(0, 6, 0)
		old, recent, ancient := now.AddDate(0, 0, -100), now.AddDate(0, 0, -10), now.AddDate(-2, 0, 0)
		r := store.Retention{Data: now.AddDate(0, 0, -90), Audit: now.AddDate(-1, 0, 0), ClosedTickets: []string{"resolved", "cancelled"}}

		for conv, at := range map[string]time.Time{"a:old": old, "a:recent": recent} {
			mustCommit(t, s, store.Commit{ConversationID: conv, ActivityID: "1", State: []byte(`{}`), At: at})
		}
		tickets := map[string]time.Time{"resolved": old, "cancelled": old, "open": old, "assigned": ancient}
		ids := map[string]int64{}
		for state, at := range tickets {
			tk, err := s.CreateTicket(ctx, store.Ticket{State: state, UserID: "u-" + state, UserConv: "a:" + state, Created: at, Updated: at, Data: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			ids[state] = tk.ID
		}
		recentClosed, err := s.CreateTicket(ctx, store.Ticket{State: "resolved", UserID: "u-r", UserConv: "a:r", Created: recent, Updated: recent, Data: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{old, recent} {
			if err := s.RecordFeedback(ctx, "sms", true, "", at); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordSentAnswers(ctx, []store.SentAnswer{{ConversationID: "a:x", MessageID: at.String(), Topic: "sms", At: at}}); err != nil {
				t.Fatal(err)
			}
		}
		for user, at := range map[string]time.Time{"u-old": old, "u-recent": recent} {
			if err := s.RememberChat(ctx, user, store.PersonalChat{TeamsID: "29:" + user, Conversation: "a:" + user, ServiceURL: "https://smba.example/"}, at); err != nil {
				t.Fatal(err)
			}
		}
		for user, at := range map[string]time.Time{"u-ancient": ancient, "u-old": old} {
			if err := s.RecordAudit(ctx, store.AuditEntry{At: at, UserID: user, ActorID: user, Operation: "change", Method: "phone", Result: "ok"}); err != nil {
				t.Fatal(err)
			}
		}

		want := store.Purged{Conversations: 1, Tickets: 2, Feedback: 1, Chats: 1, Audit: 1}
		dry, err := s.Purge(ctx, r, true)
		if err != nil || dry != want {
			t.Fatalf("dry run: %+v (%v), want %+v", dry, err, want)
		}
		if again, _ := s.Purge(ctx, r, true); again != want {
			t.Fatalf("a dry run deleted something: then %+v", again)
		}
		done, err := s.Purge(ctx, r, false)
		if err != nil || done != want {
			t.Fatalf("purge: %+v (%v), want %+v", done, err, want)
		}
		if left, _ := s.Purge(ctx, r, true); left.Total() != 0 {
			t.Errorf("after the purge, still old: %+v", left)
		}

		if snap := mustLoad(t, s, "a:recent", ""); snap.State == nil {
			t.Error("the recent conversation was deleted")
		}
		if snap := mustLoad(t, s, "a:old", ""); snap.State != nil {
			t.Error("the old conversation is still there")
		}
		for state, gone := range map[string]bool{"resolved": true, "cancelled": true, "open": false, "assigned": false} {
			_, err := s.TicketByID(ctx, ids[state])
			if (err != nil) != gone {
				t.Errorf("old %s ticket: err %v, want deleted %v", state, err, gone)
			}
		}
		if _, err := s.TicketByID(ctx, recentClosed.ID); err != nil {
			t.Errorf("a recently closed ticket was deleted: %v", err)
		}
		if stats, _ := s.FeedbackStats(ctx); len(stats) != 1 || stats[0].Helpful != 1 {
			t.Errorf("feedback left: %+v, want the recent vote", stats)
		}
		for at, kept := range map[time.Time]bool{old: false, recent: true} {
			if _, err := s.AnswerTopic(ctx, "a:x", at.String()); (err == nil) != kept {
				t.Errorf("the note of an answer sent %v: %v, want kept %v", at, err, kept)
			}
		}
		if a, _ := s.Audit(ctx, "u-old", time.Time{}); len(a) != 1 {
			t.Errorf("audit of 100 days ago: %d entries, want it kept (a year's retention)", len(a))
		}
		if a, _ := s.Audit(ctx, "u-ancient", time.Time{}); len(a) != 0 {
			t.Errorf("audit of two years ago: %d entries, want none", len(a))
		}

		if _, err := s.Purge(ctx, store.Retention{Data: now.AddDate(-1, 0, 0), Audit: now}, true); err == nil {
			t.Error("an audit kept less long than the rest was accepted")
		}
	})
}

// Two replicas that run the daily purge at the same moment: one purges,
// the other finds it done; a day later one purges again.
func TestPurgeIfDueOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	a, dsn := storetest.Postgres(t)
	b, err := store.OpenPostgres(t.Context(), dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	now := t0
	r := store.Retention{Data: now.AddDate(0, 0, -90), Audit: now.AddDate(-1, 0, 0)}
	round := func(at time.Time) int {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		ran := 0
		for i, s := range []*store.DB{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, did, err := s.PurgeIfDue(t.Context(), r, []string{"replica-a", "replica-b", "replica-a2", "replica-b2"}[i], at, 24*time.Hour)
				if err != nil {
					t.Error(err)
				}
				if did {
					mu.Lock()
					ran++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return ran
	}
	if n := round(now); n != 1 {
		t.Fatalf("first round: %d purges, want 1", n)
	}
	if n := round(now.Add(time.Hour)); n != 0 {
		t.Fatalf("an hour later: %d purges, want 0", n)
	}
	if n := round(now.Add(25 * time.Hour)); n != 1 {
		t.Fatalf("a day later: %d purges, want 1", n)
	}
}
