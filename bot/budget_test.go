package bot_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// A replica's PostgreSQL connections are a budget: a turn holds one only
// while a statement runs, never while it waits on Microsoft Graph, and a
// turn that cannot get one soon answers 503 instead of queuing.

// guard is how long a test waits for something that should happen at
// once before it calls it stuck.
const guard = 20 * time.Second

// postNow sends an activity and returns the answer, without waiting for
// the runner's background work (as post does), so that a test can have
// turns in flight while others come and go.
func (e *env) postNow(a activity) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/messages", bytes.NewReader(mustJSON(e.t, a)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.idp.token(e.t, e.conn.serviceURL()))
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

// named returns dsn with its connections named, in pg_stat_activity, after
// the test's schema (whose name is random) and app: no other test's
// connections bear that name.
func named(t *testing.T, dsn, app string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", q.Get("search_path")+"-"+app)
	u.RawQuery = q.Encode()
	return u.String()
}

// connWatch counts, as the server sees them, the connections open under
// each application name, and keeps the most seen at once.
type connWatch struct {
	most map[string]int
	stop chan struct{}
	done chan struct{}
	err  error
}

// watchConns samples pg_stat_activity until the returned watch is stopped.
func watchConns(t *testing.T, dsns ...string) *connWatch {
	t.Helper()
	var names []string
	for _, dsn := range dsns {
		u, _ := url.Parse(dsn)
		names = append(names, u.Query().Get("application_name"))
	}
	u, _ := url.Parse(dsns[0])
	q := u.Query()
	q.Del("application_name") // the watch's own connection is not counted
	u.RawQuery = q.Encode()
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	w := &connWatch{most: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			rows, err := admin.Query(`SELECT application_name, count(*) FROM pg_stat_activity
				WHERE application_name = ANY($1) GROUP BY application_name`, names)
			if err != nil {
				w.err = err
				return
			}
			for rows.Next() {
				var name string
				var n int
				rows.Scan(&name, &n)
				w.most[name] = max(w.most[name], n)
			}
			rows.Close()
			select {
			case <-w.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return w
}

// Stop ends the watch and returns the most connections seen at once under
// each application name.
func (w *connWatch) Stop(t *testing.T) map[string]int {
	t.Helper()
	close(w.stop)
	<-w.done
	if w.err != nil {
		t.Fatalf("pg_stat_activity not read: %v", w.err)
	}
	return w.most
}

// slowRead stands for a Microsoft Graph read that takes as long as the
// test says.
type slowRead struct{}

func (slowRead) EffectName() string { return "test.slow-read" }

// slowReadDialog asks for a slow read as it starts, and says when it is done.
type slowReadDialog struct{}

func (slowReadDialog) ID() string   { return "test.slow-read" }
func (slowReadDialog) Version() int { return 1 }
func (slowReadDialog) Next(st json.RawMessage, in dialogs.Input) dialogs.Turn {
	if in.Kind == dialogs.ResultInput {
		return dialogs.Turn{Status: dialogs.Complete, Replies: []cards.Message{{Text: "read done"}}}
	}
	return dialogs.Turn{Status: dialogs.Waiting, State: json.RawMessage(`{}`),
		Replies: []cards.Message{{Text: "reading"}}, Effects: []dialogs.Effect{slowRead{}}}
}

// parkedGraph runs every effect until the test closes release, and says
// on parked when one has started.
type parkedGraph struct {
	parked  chan struct{}
	release chan struct{}
}

func (g *parkedGraph) RunEffect(ctx context.Context, e dialogs.Effect, _ dialogs.Input) dialogs.Result {
	g.parked <- struct{}{}
	select {
	case <-g.release:
		return dialogs.Result{Effect: e.EffectName(), Value: "read"}
	case <-ctx.Done():
		return dialogs.Result{Effect: e.EffectName(), Err: ctx.Err()}
	}
}

// TestTurnsWaitingOnGraphLeaveTheDatabaseToOthers parks 70 conversations'
// turns in a Microsoft Graph read that does not end until the test says
// so. Meanwhile another conversation's question is answered, and the
// replica never has more connections open than its budget.
func TestTurnsWaitingOnGraphLeaveTheDatabaseToOthers(t *testing.T) {
	t.Parallel()
	const parkedTurns = 70
	dsn := named(t, storetest.PostgresURL(t), "r1")
	g := &parkedGraph{parked: make(chan struct{}, parkedTurns), release: make(chan struct{})}
	e := newEnv(t, withPostgres(dsn), withDialogs(map[string]dialogs.Dialog{"test.slow-read": slowReadDialog{}}), withEffects(g))
	watch := watchConns(t, dsn)
	released := false
	release := func() {
		if !released {
			released = true
			close(g.release)
		}
	}
	defer release() // a failing test still lets the parked turns end

	var parked sync.WaitGroup
	var finished atomic.Int32
	codes := make(chan int, parkedTurns)
	for i := range parkedTurns {
		parked.Go(func() {
			rec := e.postNow(e.submit(fmt.Sprintf("a:1parked-%d", i), map[string]any{cards.VerbKey: "test.slow-read"}))
			finished.Add(1)
			codes <- rec.Code
		})
	}
	timeout := time.After(guard)
	for range parkedTurns {
		select {
		case <-g.parked:
		case <-timeout:
			t.Fatalf("turns not parked in Graph after %v", guard)
		}
	}

	conv := "a:1parked-faq"
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- e.postNow(e.message(conv, "SMSが届かない")) }()
	select {
	case rec := <-answered:
		if rec.Code != http.StatusOK {
			t.Errorf("a question while %d turns wait on Graph: HTTP %d %s, want 200", parkedTurns, rec.Code, rec.Body)
		}
	case <-time.After(guard):
		t.Fatalf("a question while %d turns wait on Graph got no answer in %v", parkedTurns, guard)
	}
	if got := e.conn.sentTo(conv); len(got) == 0 || !strings.Contains(got[0].cardText(), "SMS") {
		t.Errorf("the question was answered %+v, want the answer about SMS", got)
	}
	if n := finished.Load(); n != 0 {
		t.Fatalf("%d parked turns ended before the question was answered; the test proves nothing", n)
	}

	release()
	parked.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("a parked turn ended with HTTP %d, want 200", code)
		}
	}
	for i := range parkedTurns {
		if got := e.lastText(fmt.Sprintf("a:1parked-%d", i)); got != "read done" {
			t.Errorf("parked turn %d: last reply %q, want read done", i, got)
			break
		}
	}
	seen := watch.Stop(t)
	for name, n := range seen {
		if n > store.DefaultMaxConns {
			t.Errorf("the server had %d connections of %s open, over its budget of %d", n, name, store.DefaultMaxConns)
		}
	}
	if len(seen) == 0 {
		t.Error("the server never showed the replica's connections: the watch counts nothing")
	}
}

// TestReplicasStayWithinTheirBudgets runs 2, then 4, replicas on one
// database, each with its own budget, and many conversations at once on
// all of them: no turn fails, no conversation's turns overlap (each count
// comes once), and the server never has more of their connections open
// than the budgets allow.
func TestReplicasStayWithinTheirBudgets(t *testing.T) {
	t.Parallel()
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) {
			base := storetest.PostgresURL(t)
			var dsns []string
			for i := range n {
				dsns = append(dsns, named(t, base, fmt.Sprintf("r%d", i+1)))
			}
			first := newEnv(t, withPostgres(dsns[0]), withDialogs(map[string]dialogs.Dialog{"test.counter": counterDialog{}}))
			replicas := []*env{first}
			for _, dsn := range dsns[1:] {
				replicas = append(replicas, first.replica(withPostgres(dsn)))
			}
			watch := watchConns(t, dsns...)

			// 40 turns in flight, whatever the replicas: with 2, more on
			// each than its budget has connections.
			conversations, rounds := 40/n, 4
			var wg sync.WaitGroup
			var failed atomic.Int32
			for c := range conversations {
				first.do(t, first.submit(fmt.Sprintf("a:1budget-%d-%d", n, c), map[string]any{cards.VerbKey: "test.counter"}))
			}
			for c := range conversations {
				conv := fmt.Sprintf("a:1budget-%d-%d", n, c)
				wg.Go(func() {
					// Each round, one message to every replica at once.
					for range rounds {
						var round sync.WaitGroup
						for r, rep := range replicas {
							round.Go(func() {
								if rec := rep.postNow(rep.message(conv, "next")); rec.Code != http.StatusOK {
									failed.Add(1)
									t.Errorf("%s on replica %d: HTTP %d %s", conv, r+1, rec.Code, rec.Body)
								}
							})
						}
						round.Wait()
					}
				})
			}
			wg.Wait()
			seen := watch.Stop(t)

			if failed.Load() == 0 {
				for c := range conversations {
					conv := fmt.Sprintf("a:1budget-%d-%d", n, c)
					counts := map[string]int{}
					for _, s := range first.conn.sentTo(conv) {
						counts[s.Activity.Text]++
					}
					for i := range rounds*n + 1 {
						if k := fmt.Sprintf("count %d", i); counts[k] != 1 {
							t.Errorf("%s: %q sent %d times, want once (turns overlapped): %v", conv, k, counts[k], counts)
							break
						}
					}
				}
			}
			total := 0
			for name, most := range seen {
				total += most
				if most > store.DefaultMaxConns {
					t.Errorf("%s had %d connections open, over its budget of %d", name, most, store.DefaultMaxConns)
				}
			}
			if total > n*store.DefaultMaxConns {
				t.Errorf("%d replicas had %d connections open, over their budgets' %d", n, total, n*store.DefaultMaxConns)
			}
			if len(seen) == 0 {
				t.Error("the server never showed the replicas' connections: the watch counts nothing")
			}
		})
	}
}

// TestTurnsTheDatabaseCannotServeAnswer503: when a replica's connections
// are all taken by work stuck in the database, or a turn's own reads are
// stuck there, the turn is answered 503, for the Bot Connector to
// redeliver it, rather than queue; the redelivery, once the database is
// free, is answered.
func TestTurnsTheDatabaseCannotServeAnswer503(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		budget int
		lock   string // the table another session locks
		stuck  int    // writes to it left waiting, each holding a connection
	}{
		{name: "every connection taken", budget: 2, lock: "feedback", stuck: 2},
		{name: "its reads stuck", budget: store.DefaultMaxConns, lock: "conversations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dsn := storetest.PostgresURL(t)
			e := newEnv(t, withPostgres(dsn), withConnections(tc.budget))
			admin, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			tx, err := admin.BeginTx(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(`LOCK TABLE ` + tc.lock + ` IN ACCESS EXCLUSIVE MODE`); err != nil {
				t.Fatal(err)
			}
			var stuck sync.WaitGroup
			for range tc.stuck {
				stuck.Go(func() { e.store.RecordFeedback(context.Background(), "sms", true, "", time.Now()) })
			}
			for deadline := time.Now().Add(guard); e.store.PoolStats()["data"].InUse < tc.stuck; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the stuck work never took %d connections", tc.stuck)
				}
			}

			conv := "a:1stuck"
			msg := e.message(conv, "SMSが届かない")
			answered := make(chan *httptest.ResponseRecorder, 1)
			go func() { answered <- e.postNow(msg) }()
			select {
			case rec := <-answered:
				if rec.Code != http.StatusServiceUnavailable {
					t.Errorf("HTTP %d %s, want 503", rec.Code, rec.Body)
				}
			case <-time.After(guard):
				tx.Rollback()
				t.Fatalf("not answered in %v: the turn queued", guard)
			}
			if got := e.conn.sentTo(conv); len(got) != 0 {
				t.Errorf("%d replies sent by a turn answered 503, want none", len(got))
			}

			tx.Rollback()
			stuck.Wait()
			if rec := e.postNow(msg); rec.Code != http.StatusOK {
				t.Fatalf("the redelivery: HTTP %d %s, want 200", rec.Code, rec.Body)
			}
			if got := e.conn.sentTo(conv); len(got) == 0 {
				t.Error("the redelivery sent no answer")
			}
		})
	}
}

// BenchmarkQuestionWhileTurnsWaitOnGraph times a FAQ question on
// PostgreSQL while 70 other conversations' turns wait on a Graph read
// that does not end (issue 18's target: under 50 ms a question).
func BenchmarkQuestionWhileTurnsWaitOnGraph(b *testing.B) {
	const parkedTurns = 70
	g := &parkedGraph{parked: make(chan struct{}, parkedTurns), release: make(chan struct{})}
	e := newEnv(b, withPostgres(storetest.PostgresURL(b)), withDialogs(map[string]dialogs.Dialog{"test.slow-read": slowReadDialog{}}), withEffects(g))
	var parked sync.WaitGroup
	for i := range parkedTurns {
		parked.Go(func() {
			e.postNow(e.submit(fmt.Sprintf("a:1parked-%d", i), map[string]any{cards.VerbKey: "test.slow-read"}))
		})
	}
	for range parkedTurns {
		<-g.parked
	}
	defer func() { close(g.release); parked.Wait() }()
	e.postNow(e.message("a:1warm", "SMSが届かない")) // builds the matcher
	n := 0
	for b.Loop() {
		n++
		if rec := e.postNow(e.message(fmt.Sprintf("a:1question-%d", n), "SMSが届かない")); rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d", rec.Code)
		}
	}
}
