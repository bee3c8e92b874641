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

// TestReplicasTicketRace has two agents resolve one ticket at the same
// moment through different replicas: one resolves it, the other is told it
// is closed, and the person hears of it once.
func TestReplicasTicketRace(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	a := newDeskEnv(t, false, withPostgres(dsn))
	const agent2 = "a9e00000-0000-4000-8000-00000000000b"
	a.conn.members = map[string][]string{deskTeam: {agentAAD, agent2}}
	b := a.replica()
	conv := "a:1replica-ticket"
	thread := a.openTicket(t, conv, "機種変更で認証できない")

	answers := make([]string, 2)
	var wg sync.WaitGroup
	agents := []struct {
		r         *env
		aad, name string
	}{{a, agentAAD, "Bob Agent"}, {b, agent2, "Carol Agent"}}
	for i, who := range agents {
		wg.Go(func() {
			rec := who.r.do(t, who.r.deskClick(thread, who.aad, who.name, cards.VerbDeskResolve,
				map[string]any{cards.TicketKey: "1", cards.NoteKey: "窓口で対応しました"}))
			_, _, v := invokeAnswer(t, rec.Body.Bytes())
			answers[i] = v
		})
	}
	wg.Wait()

	resolved, refused := 0, 0
	for _, v := range answers {
		switch {
		case strings.Contains(v, "すでに終了"):
			refused++
		case strings.Contains(v, "解決済み"):
			resolved++
		}
	}
	if resolved != 1 || refused != 1 {
		t.Errorf("answers %q: want one resolve and one 'already closed'", answers)
	}
	told := 0
	for _, s := range a.conn.sentTo(conv) {
		if strings.Contains(s.cardText(), "解決済みになりました") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the person was told %d times that the ticket was resolved, want once", told)
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
	a.desk.Now, b.desk.Now = later, later
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { a.desk.Tick(t.Context()) })
		wg.Go(func() { b.desk.Tick(t.Context()) })
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
