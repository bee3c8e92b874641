package bot_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// Several replicas behind a load balancer, sharing one PostgreSQL database:
// the Bot Connector may deliver a conversation's activities, redeliveries
// and double clicks to any of them, at the same time.

// counterDialog counts the messages of a conversation: a lost update (two
// turns at once, one overwriting the other's state) shows as a count
// repeated or skipped.
type counterDialog struct{}

func (counterDialog) ID() string   { return "test.counter" }
func (counterDialog) Version() int { return 1 }
func (counterDialog) Next(st json.RawMessage, in dialogs.Input) dialogs.Turn {
	var s struct{ N int }
	if st != nil {
		json.Unmarshal(st, &s)
		s.N++
	}
	next, _ := json.Marshal(s)
	return dialogs.Turn{Status: dialogs.Waiting, State: next, Replies: []cards.Message{{Text: "count " + strconv.Itoa(s.N)}}}
}

func TestReplicasNeverRunAConversationTwiceAtOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	a := newEnv(t, withPostgres(dsn), withDialogs(map[string]dialogs.Dialog{"test.counter": counterDialog{}}))
	replicas := []*env{a, a.replica()}

	const conversations, messages = 8, 12
	var wg sync.WaitGroup
	for c := range conversations {
		conv := fmt.Sprintf("a:1replica-%d", c)
		a.do(t, a.submit(conv, map[string]any{cards.VerbKey: "test.counter"}))
		wg.Go(func() {
			// Pairs of messages at once, one to each replica.
			for m := 0; m < messages; m += 2 {
				var pair sync.WaitGroup
				for r := range replicas {
					pair.Go(func() {
						if rec := replicas[r].post(replicas[r].message(conv, "next")); rec.Code != http.StatusOK {
							t.Errorf("%s on replica %d: HTTP %d %s", conv, r, rec.Code, rec.Body)
						}
					})
				}
				pair.Wait()
			}
		})
	}
	wg.Wait()

	for c := range conversations {
		conv := fmt.Sprintf("a:1replica-%d", c)
		var counts []int
		for _, s := range a.conn.sentTo(conv) {
			if n, ok := strings.CutPrefix(s.Activity.Text, "count "); ok {
				i, _ := strconv.Atoi(n)
				counts = append(counts, i)
			}
		}
		slices.Sort(counts)
		want := make([]int, messages+1) // 0 for the start, then 1..messages
		for i := range want {
			want[i] = i
		}
		if !slices.Equal(counts, want) {
			t.Errorf("%s: counts %v, want each of 0..%d once (turns overlapped)", conv, counts, messages)
		}
	}
}

// TestReplicasWriteAConfirmedChangeOnce delivers one confirm click to both
// replicas at once (a redelivery), then a double click to both: Microsoft
// Graph sees the change once and the audit log has one entry.
func TestReplicasWriteAConfirmedChangeOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	a := newEnv(t, withPostgres(dsn))
	b := a.replica()
	conv := "a:1replica-confirm"
	user := aadFor(conv)
	a.backupOffice(t, conv, "03-4444-5555")
	req := a.pendingReq(t, conv)

	redelivered := a.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req})
	clicks := []activity{redelivered, redelivered,
		a.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req}),
		b.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req})}
	var wg sync.WaitGroup
	for i, click := range clicks {
		r := []*env{a, b}[i%2]
		wg.Go(func() {
			if rec := r.post(click); rec.Code != http.StatusOK {
				t.Errorf("click %d: HTTP %d %s", i, rec.Code, rec.Body)
			}
		})
	}
	wg.Wait()
	a.runner.Wait()
	b.runner.Wait()

	if n := writesFor(user); n != 1 {
		t.Errorf("%d writes reached Graph for one confirmed change, want 1", n)
	}
	audit, err := a.store.Audit(t.Context(), user, time.Time{})
	if err != nil || len(audit) != 1 || audit[0].Result != "ok" {
		t.Errorf("audit = %+v (%v), want one ok entry", audit, err)
	}
}

// TestReplicasTicketRace: the person cancels their ticket in their chat on
// one replica while an agent resolves it from the channel on another, at
// the same moment. These are different conversations, so only the ticket's
// own lock keeps them apart: one of them wins, the other is told the ticket
// is already closed, and nobody gets "try again".
func TestReplicasTicketRace(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	a := newDeskEnv(t, false, withPostgres(dsn))
	b := a.replica()
	for round := range 5 {
		conv := fmt.Sprintf("a:1replica-ticket-%d", round)
		thread := a.openTicket(t, conv, "機種変更で認証できない")
		id := strconv.FormatInt(ticketState(t, a.store, thread).ID, 10)

		var agentSaid string
		var wg sync.WaitGroup
		wg.Go(func() {
			rec := b.do(t, b.deskClick(thread, agentAAD, "Bob Agent", cards.VerbDeskResolve,
				map[string]any{cards.TicketKey: id, cards.NoteKey: "窓口で対応しました"}))
			_, _, agentSaid = invokeAnswer(t, rec.Body.Bytes())
		})
		wg.Go(func() {
			a.do(t, a.submit(conv, map[string]any{cards.VerbKey: cards.VerbTicketCancel, cards.TicketKey: id}))
		})
		wg.Wait()

		final := ticketState(t, a.store, thread).State
		personSaid := a.lastText(conv)
		for _, said := range []string{agentSaid, personSaid} {
			if strings.Contains(said, "重なりました") || strings.Contains(said, "try again") {
				t.Errorf("round %d: told to try again: %.200s", round, said)
			}
		}
		switch final {
		case dialogs.TicketResolved:
			if !strings.Contains(agentSaid, "解決済み") {
				t.Errorf("round %d: resolved, but the agent was answered %.200s", round, agentSaid)
			}
		case dialogs.TicketCancelled:
			if !strings.Contains(agentSaid, "すでに終了") {
				t.Errorf("round %d: cancelled first, but the agent was answered %.200s", round, agentSaid)
			}
		default:
			t.Errorf("round %d: ticket is %s, want resolved or cancelled", round, final)
		}
	}
}

// TestReplicasRemindOnce: every replica runs the minute tick; an unassigned
// ticket is still announced once.
func TestReplicasRemindOnce(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	a := newDeskEnv(t, false, withPostgres(dsn))
	b := a.replica()
	thread := a.openTicket(t, "a:1replica-remind", "")
	later := func() time.Time { return time.Now().Add(31 * time.Minute) }
	a.tickets.Now, b.tickets.Now = later, later
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { a.runner.TickTickets(t.Context()) })
		wg.Go(func() { b.runner.TickTickets(t.Context()) })
	}
	wg.Wait()
	n := 0
	for _, s := range a.conn.sentTo(thread) {
		if s.Method == http.MethodPost && strings.Contains(s.cardText(), "⏰") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d reminders posted by two replicas, want 1", n)
	}
}
