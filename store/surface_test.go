package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

// TestRecordsAlike exercises the rest of the store on both backends:
// feedback, the audit log, idempotency keys, idle conversations, tickets
// and settings.
func TestRecordsAlike(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx, s := t.Context(), e.s

		for _, v := range []struct {
			topic   string
			helpful bool
		}{{"sms", true}, {"sms", false}, {"sms", true}, {"abroad", false}} {
			if err := s.RecordFeedback(ctx, v.topic, v.helpful, "", t0); err != nil {
				t.Fatal(err)
			}
		}
		stats, err := s.FeedbackStats(ctx)
		if err != nil || len(stats) != 2 || stats[0].Topic != "sms" || stats[0].Helpful != 2 || stats[0].NotHelpful != 1 ||
			stats[1].NotHelpful != 1 || !stats[0].Last.Equal(t0) {
			t.Errorf("FeedbackStats = %+v, %v", stats, err)
		}

		// Teams' own reactions: the topic of an answer by its message,
		// and the comments left with votes.
		notes := []store.SentAnswer{{ConversationID: "a:1", MessageID: "m1", Topic: "sms", At: t0}, {ConversationID: "a:1", MessageID: "m2", Topic: "abroad", At: t0}}
		for range 2 { // a note written twice is kept once
			if err := s.RecordSentAnswers(ctx, notes); err != nil {
				t.Fatal(err)
			}
		}
		if topic, err := s.AnswerTopic(ctx, "a:1", "m2"); topic != "abroad" || err != nil {
			t.Errorf("AnswerTopic(m2) = %q, %v", topic, err)
		}
		if _, err := s.AnswerTopic(ctx, "a:2", "m2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another conversation's message: %v, want not found", err)
		}
		if err := s.RecordFeedback(ctx, "abroad", false, "090••••5678 に届かない", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		comments, err := s.FeedbackComments(ctx, 5)
		if err != nil || len(comments) != 1 || comments[0] != (store.FeedbackComment{Topic: "abroad", Comment: "090••••5678 に届かない", At: t0.Add(time.Hour)}) {
			t.Errorf("FeedbackComments = %+v, %v; want the one comment", comments, err)
		}

		entry := store.AuditEntry{At: t0, UserID: "u1", ActorID: "u1", Operation: "update", Method: "mobile",
			Masked: "+81 90••••5678", Result: "ok", ChangeKey: "k1"}
		for _, e := range []store.AuditEntry{entry, {At: t0.Add(time.Second), UserID: "u1", ChangeKey: "k1", Result: "ok"},
			{At: t0.Add(2 * time.Second), UserID: "u1", ChangeKey: "k2"}, {At: t0, UserID: "u2", ChangeKey: "k3"}} {
			if err := s.RecordAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Audit(ctx, "u1", t0)
		if err != nil || len(got) != 3 || got[0] != entry {
			t.Errorf("Audit(u1) = %+v, %v", got, err)
		}
		if all, _ := s.Audit(ctx, "", t0); len(all) != 4 {
			t.Errorf("Audit(everyone) has %d entries, want 4", len(all))
		}
		if n, err := s.CountWrites(ctx, "u1", t0); n != 2 || err != nil {
			t.Errorf("CountWrites = %d, %v; want 2 changes", n, err)
		}

		if done, _ := s.OpDone(ctx, "k1", 0); done {
			t.Error("op done before it was marked")
		}
		for range 2 { // marking twice is harmless
			if err := s.MarkOpDone(ctx, "k1", 0, t0); err != nil {
				t.Fatal(err)
			}
		}
		if done, err := s.OpDone(ctx, "k1", 0); !done || err != nil {
			t.Errorf("OpDone = %v, %v after marking", done, err)
		}

		mustCommit(t, s, store.Commit{ConversationID: "idle", State: []byte(`{"number":"+819012345678"}`), At: t0})
		mustCommit(t, s, store.Commit{ConversationID: "recent", State: []byte(`{"number":"+819012345678"}`), At: t0.Add(time.Hour)})
		mustCommit(t, s, store.Commit{ConversationID: "plain", State: []byte(`{}`), At: t0})
		if ids, err := s.IdleConversations(ctx, t0.Add(time.Minute), `"number"`); err != nil || len(ids) != 1 || ids[0] != "idle" {
			t.Errorf("IdleConversations = %q, %v", ids, err)
		}

		tk, err := s.CreateTicket(ctx, store.Ticket{State: "open", UserID: "u1", UserConv: "a:1", Created: t0, Updated: t0, Data: []byte(`{}`)})
		if err != nil || tk.ID == 0 || tk.Version != 1 {
			t.Fatalf("CreateTicket = %+v, %v", tk, err)
		}
		second, _ := s.CreateTicket(ctx, store.Ticket{State: "open", UserID: "u2", UserConv: "a:2", Created: t0, Updated: t0, Data: []byte(`{}`)})
		if second.ID <= tk.ID {
			t.Errorf("ticket numbers %d then %d: want increasing", tk.ID, second.ID)
		}
		tk.Thread, tk.State, tk.Data = "19:t;messageid=1", "assigned", []byte(`{"n":1}`)
		stale := tk
		if tk, err = s.UpdateTicket(ctx, tk); err != nil || tk.Version != 2 {
			t.Fatalf("UpdateTicket = %+v, %v", tk, err)
		}
		if _, err := s.UpdateTicket(ctx, stale); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale UpdateTicket: %v, want ErrConflict", err)
		}
		if byThread, err := s.TicketByThread(ctx, "19:t;messageid=1"); err != nil || byThread.ID != tk.ID || string(byThread.Data) != `{"n":1}` {
			t.Errorf("TicketByThread = %+v, %v", byThread, err)
		}
		// A turn's load carries its chat's newest ticket, whole.
		third, _ := s.CreateTicket(ctx, store.Ticket{State: "closed", UserID: "u2", UserConv: "a:2", Created: t0, Updated: t0.Add(time.Minute), Data: []byte(`{"n":3}`)})
		for conv, want := range map[string]*store.Ticket{"a:1": &tk, "a:2": &third, "a:3": nil} {
			snap, err := s.Load(ctx, conv, "act")
			switch {
			case err != nil:
				t.Errorf("Load(%s): %v", conv, err)
			case want == nil && snap.Ticket != nil:
				t.Errorf("Load(%s).Ticket = %+v, want none", conv, snap.Ticket)
			case want != nil && (snap.Ticket == nil || !reflect.DeepEqual(*snap.Ticket, *want)):
				t.Errorf("Load(%s).Ticket = %+v, want %+v", conv, snap.Ticket, want)
			}
		}
		if _, err := s.TicketByID(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TicketByID(unknown): %v", err)
		}
		if open, err := s.Tickets(ctx, "open"); err != nil || len(open) != 1 || open[0].ID != second.ID {
			t.Errorf("Tickets(open) = %+v, %v", open, err)
		}

		if _, err := s.Setting(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown setting: %v", err)
		}
		for _, v := range []string{"one", "two"} {
			if err := s.SetSetting(ctx, "k", v, t0); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := s.Setting(ctx, "k"); v != "two" || err != nil {
			t.Errorf("Setting = %q, %v", v, err)
		}
	})
}
