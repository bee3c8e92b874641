package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// env is one backend's store under test.
type env struct {
	s *store.DB
	// reopen opens the same database again, as a restart would.
	reopen func() (*store.DB, error)
	// raw opens the database without the store, to inspect or tamper.
	raw func(t *testing.T) *sql.DB
}

// forEach runs f against a fresh SQLite file and a fresh PostgreSQL schema:
// the two backends must behave the same.
func forEach(t *testing.T, f func(t *testing.T, e env)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		s, path := storetest.SQLite(t)
		f(t, env{
			s:      s,
			reopen: func() (*store.DB, error) { return store.OpenSQLite(t.Context(), path) },
			raw:    func(t *testing.T) *sql.DB { return rawDB(t, "sqlite", "file:"+path) },
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		s, dsn := storetest.Postgres(t)
		f(t, env{
			s:      s,
			reopen: func() (*store.DB, error) { return store.OpenPostgres(t.Context(), dsn, store.DefaultMaxConns) },
			raw:    func(t *testing.T) *sql.DB { return rawDB(t, "pgx", dsn) },
		})
	})
}

func rawDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

func mustLoad(t *testing.T, s *store.DB, conv, activity string) store.Snapshot {
	t.Helper()
	snap, err := s.Load(t.Context(), conv, activity)
	if err != nil {
		t.Fatalf("Load(%q, %q): %v", conv, activity, err)
	}
	return snap
}

func mustCommit(t *testing.T, s *store.DB, c store.Commit) {
	t.Helper()
	if err := s.Commit(t.Context(), c); err != nil {
		t.Fatalf("Commit(%q, %q): %v", c.ConversationID, c.ActivityID, err)
	}
}

func TestLoadUnknownConversation(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		for _, activity := range []string{"", "a1"} {
			snap := mustLoad(t, s, "conv-unknown", activity)
			if snap.State != nil || snap.Seen || snap.Response != nil {
				t.Errorf("Load(unknown, %q) = {State: %q, Seen: %v, Response: %q}, want zero snapshot",
					activity, snap.State, snap.Seen, snap.Response)
			}
		}
	})
}

func TestCommitThenLoad(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		mustCommit(t, s, store.Commit{
			ConversationID: "c1", ActivityID: "a1",
			State: []byte(`{"lang":"ja"}`), Response: []byte(`{"status":200}`), At: t0,
		})

		tests := []struct {
			name         string
			activity     string
			wantSeen     bool
			wantResponse []byte
		}{
			{"same activity", "a1", true, []byte(`{"status":200}`)},
			{"new activity", "a2", false, nil},
			{"no activity id", "", false, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				snap := mustLoad(t, s, "c1", tt.activity)
				if got, want := string(snap.State), `{"lang":"ja"}`; got != want {
					t.Errorf("State = %q, want %q", got, want)
				}
				if snap.Seen != tt.wantSeen {
					t.Errorf("Seen = %v, want %v", snap.Seen, tt.wantSeen)
				}
				if !bytes.Equal(snap.Response, tt.wantResponse) {
					t.Errorf("Response = %q, want %q", snap.Response, tt.wantResponse)
				}
			})
		}
	})
}

func TestCommitWithoutResponse(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		mustCommit(t, s, store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`{}`), At: t0})
		snap := mustLoad(t, s, "c1", "a1")
		if !snap.Seen {
			t.Errorf("Seen = false, want true")
		}
		if snap.Response != nil {
			t.Errorf("Response = %q, want nil", snap.Response)
		}
	})
}

func TestCommitDuplicate(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		mustCommit(t, s, store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`"first"`), Response: []byte(`"r1"`), At: t0})

		err := s.Commit(t.Context(), store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`"second"`), Response: []byte(`"r2"`), At: t0.Add(time.Minute)})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second Commit: got error %v, want ErrDuplicate", err)
		}
		snap := mustLoad(t, s, "c1", "a1")
		if got, want := string(snap.State), `"first"`; got != want {
			t.Errorf("State after duplicate = %q, want %q", got, want)
		}
		if got, want := string(snap.Response), `"r1"`; got != want {
			t.Errorf("Response after duplicate = %q, want %q", got, want)
		}

		// The same activity id in another conversation is another activity.
		mustCommit(t, s, store.Commit{ConversationID: "c2", ActivityID: "a1", State: []byte(`"other"`), At: t0})
		if got, want := string(mustLoad(t, s, "c2", "").State), `"other"`; got != want {
			t.Errorf("c2 State = %q, want %q", got, want)
		}
	})
}

// Commits that come at the same moment are written together; each still
// gets its own outcome. Here 40 conversations commit at once, each twice
// with the same activity (a redelivery racing the first delivery): exactly
// one of each pair is saved, the other is told it is a duplicate, and
// commits without an activity id all land.
func TestCommitsAtOnceGetTheirOwnOutcomes(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		const n = 40
		var wg sync.WaitGroup
		var saved, duplicates, failed atomic.Int32
		for i := range n {
			for copy := range 2 {
				wg.Go(func() {
					err := e.s.Commit(t.Context(), store.Commit{ConversationID: fmt.Sprintf("c%d", i), ActivityID: "a1",
						State: []byte(fmt.Sprintf(`"copy %d"`, copy)), At: t0})
					switch {
					case err == nil:
						saved.Add(1)
					case errors.Is(err, store.ErrDuplicate):
						duplicates.Add(1)
					default:
						failed.Add(1)
						t.Error(err)
					}
				})
			}
			wg.Go(func() {
				if err := e.s.Commit(t.Context(), store.Commit{ConversationID: fmt.Sprintf("d%d", i), State: []byte(`"no id"`), At: t0}); err != nil {
					failed.Add(1)
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if saved.Load() != n || duplicates.Load() != n || failed.Load() != 0 {
			t.Fatalf("saved %d, duplicates %d, failed %d; want %d, %d, 0", saved.Load(), duplicates.Load(), failed.Load(), n, n)
		}
		for i := range n {
			snap := mustLoad(t, e.s, fmt.Sprintf("c%d", i), "a1")
			if !snap.Seen || (string(snap.State) != `"copy 0"` && string(snap.State) != `"copy 1"`) {
				t.Errorf("c%d: seen %v, state %q", i, snap.Seen, snap.State)
			}
			if got := string(mustLoad(t, e.s, fmt.Sprintf("d%d", i), "").State); got != `"no id"` {
				t.Errorf("d%d: state %q", i, got)
			}
		}
	})
}

// Loads that come at the same moment are read together (on PostgreSQL,
// one statement); each gets its own conversation's snapshot: its state,
// and whether its own activity was processed, with that activity's answer.
func TestLoadsAtOnceGetTheirOwnSnapshots(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		const n = 40
		for i := range n {
			mustCommit(t, e.s, store.Commit{ConversationID: fmt.Sprintf("c%d", i), ActivityID: fmt.Sprintf("a%d", i),
				State: []byte(fmt.Sprintf(`"state %d"`, i)), Response: []byte(fmt.Sprintf(`"answer %d"`, i)), At: t0})
		}
		var wg sync.WaitGroup
		for round := range 3 {
			for i := range n + 5 { // five conversations never seen
				wg.Go(func() {
					conv := fmt.Sprintf("c%d", i)
					act := fmt.Sprintf("a%d", i) // processed
					if (i+round)%2 == 0 {
						act = "new" // not processed
					}
					snap, err := e.s.Load(t.Context(), conv, act)
					if err != nil {
						t.Error(err)
						return
					}
					want := store.Snapshot{}
					if i < n {
						want.State = []byte(fmt.Sprintf(`"state %d"`, i))
						if act != "new" {
							want.Seen, want.Response = true, []byte(fmt.Sprintf(`"answer %d"`, i))
						}
					}
					if string(snap.State) != string(want.State) || snap.Seen != want.Seen || string(snap.Response) != string(want.Response) {
						t.Errorf("Load(%s, %s) = state %q seen %v response %q, want %q %v %q", conv, act,
							snap.State, snap.Seen, snap.Response, want.State, want.Seen, want.Response)
					}
				})
			}
		}
		wg.Wait()
	})
}

func TestCommitEmptyActivityIDNeverDedupes(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		for i := range 3 {
			state := fmt.Sprintf(`{"n":%d}`, i)
			mustCommit(t, s, store.Commit{ConversationID: "c1", State: []byte(state), At: t0})
			snap := mustLoad(t, s, "c1", "")
			if got := string(snap.State); got != state {
				t.Errorf("after commit %d: State = %q, want %q", i, got, state)
			}
			if snap.Seen {
				t.Errorf("after commit %d: Seen = true, want false", i)
			}
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx := t.Context()
		if err := e.s.Commit(ctx, store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`"kept"`), Response: []byte(`"resp"`), At: t0}); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		s, err := e.reopen()
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		snap, err := s.Load(ctx, "c1", "a1")
		if err != nil {
			t.Fatalf("Load after reopen: %v", err)
		}
		if got, want := string(snap.State), `"kept"`; got != want {
			t.Errorf("State after reopen = %q, want %q", got, want)
		}
		if !snap.Seen {
			t.Errorf("Seen after reopen = false, want true")
		}
		if got, want := string(snap.Response), `"resp"`; got != want {
			t.Errorf("Response after reopen = %q, want %q", got, want)
		}
		// Dedupe survives the restart too.
		err = s.Commit(ctx, store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`"again"`), At: t0})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("Commit of a pre-restart activity: got error %v, want ErrDuplicate", err)
		}
	})
}

// TestMigrationsIdempotent opens the same database several times, at once:
// replicas starting together must neither fail nor apply a version twice.
func TestMigrationsIdempotent(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				s, err := e.reopen()
				if err == nil {
					err = errors.Join(s.Ping(t.Context()), s.Close())
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("open #%d: %v", i+1, err)
			}
		}
		var rows, top int
		if err := e.raw(t).QueryRowContext(t.Context(), `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &top); err != nil {
			t.Fatalf("read schema_migrations: %v", err)
		}
		if rows != top || top < 4 {
			t.Errorf("schema_migrations has %d rows for version %d, want one row per version", rows, top)
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		// A newer build migrated this database further than this build knows.
		if _, err := e.raw(t).ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
			t.Fatalf("insert future version: %v", err)
		}
		s, err := e.reopen()
		if err == nil {
			s.Close()
			t.Fatal("opening a newer schema: got nil error, want one")
		}
		for _, want := range []string{"999", "newer"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("open error = %q, want it to contain %q", err, want)
			}
		}
	})
}

func TestPruneActivities(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		commits := []struct {
			activity string
			at       time.Time
		}{
			{"old1", t0.Add(-48 * time.Hour)},
			{"old2", t0.Add(-25 * time.Hour)},
			{"new1", t0.Add(-23 * time.Hour)},
			{"new2", t0},
		}
		for _, c := range commits {
			mustCommit(t, s, store.Commit{ConversationID: "c1", ActivityID: c.activity, State: []byte(c.activity), At: c.at})
		}

		n, err := s.PruneActivities(t.Context(), t0.Add(-24*time.Hour))
		if err != nil {
			t.Fatalf("PruneActivities: %v", err)
		}
		if n != 2 {
			t.Errorf("PruneActivities removed %d rows, want 2", n)
		}
		for _, tt := range []struct {
			activity string
			wantSeen bool
		}{
			{"old1", false},
			{"old2", false},
			{"new1", true},
			{"new2", true},
		} {
			if got := mustLoad(t, s, "c1", tt.activity).Seen; got != tt.wantSeen {
				t.Errorf("after prune: Seen(%s) = %v, want %v", tt.activity, got, tt.wantSeen)
			}
		}
		// Pruning forgets activity ids, never conversation state.
		if got, want := string(mustLoad(t, s, "c1", "").State), "new2"; got != want {
			t.Errorf("State after prune = %q, want %q", got, want)
		}
	})
}

func TestConcurrentCommits(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		const n = 50
		ctx := t.Context()
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = s.Commit(ctx, store.Commit{
					ConversationID: fmt.Sprintf("conv-%d", i),
					ActivityID:     "a1",
					State:          []byte(fmt.Sprintf(`{"i":%d}`, i)),
					At:             t0,
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Commit conv-%d: %v", i, err)
			}
		}
		for i := range n {
			snap := mustLoad(t, s, fmt.Sprintf("conv-%d", i), "a1")
			if got, want := string(snap.State), fmt.Sprintf(`{"i":%d}`, i); got != want {
				t.Errorf("conv-%d State = %q, want %q", i, got, want)
			}
			if !snap.Seen {
				t.Errorf("conv-%d Seen = false, want true", i)
			}
		}
	})
}

func TestLoadCancelledContext(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := s.Load(ctx, "c1", "a1"); err == nil {
			t.Error("Load with a cancelled context: got nil error, want one")
		}
	})
}

func BenchmarkCommit(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		s, _ := storetest.SQLite(b)
		benchmarkCommit(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, _ := storetest.Postgres(b)
		benchmarkCommit(b, s)
	})
}

func benchmarkCommit(b *testing.B, s *store.DB) {
	ctx := b.Context()
	state := bytes.Repeat([]byte("x"), 512)
	i := 0
	for b.Loop() {
		i++
		err := s.Commit(ctx, store.Commit{
			ConversationID: fmt.Sprintf("conv-%d", i%100),
			ActivityID:     fmt.Sprintf("act-%d", i),
			State:          state,
			At:             t0,
		})
		if err != nil {
			b.Fatalf("Commit: %v", err)
		}
	}
}

func TestSetUndelivered(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		s := e.s
		mustCommit(t, s, store.Commit{ConversationID: "a:1", ActivityID: "act-1", State: []byte(`{}`), At: time.Now()})
		if snap := mustLoad(t, s, "a:1", "act-1"); snap.Undelivered != nil {
			t.Fatalf("Undelivered = %q before any was set, want nil", snap.Undelivered)
		}
		if err := s.SetUndelivered(t.Context(), "a:1", "act-1", []byte(`[{"type":"message"}]`)); err != nil {
			t.Fatal(err)
		}
		if got := mustLoad(t, s, "a:1", "act-1").Undelivered; string(got) != `[{"type":"message"}]` {
			t.Errorf("Undelivered = %q, want the saved replies", got)
		}
		if err := s.SetUndelivered(t.Context(), "a:1", "act-1", nil); err != nil {
			t.Fatal(err)
		}
		if got := mustLoad(t, s, "a:1", "act-1").Undelivered; got != nil {
			t.Errorf("Undelivered = %q after clearing, want nil", got)
		}
	})
}

// BenchmarkTurnStore is a turn's work in the store as the load run does it:
// 50 conversations at once, each loading its snapshot and committing a new
// state (about a kilobyte, as a session with a transcript) and activity.
func BenchmarkTurnStore(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		s, _ := storetest.SQLite(b)
		benchmarkTurnStore(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, _ := storetest.Postgres(b)
		benchmarkTurnStore(b, s)
	})
}

func benchmarkTurnStore(b *testing.B, s *store.DB) {
	ctx := b.Context()
	state := bytes.Repeat([]byte("x"), 1024)
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(25) // 50 turns in flight on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			conv := fmt.Sprintf("a:1bench-conversation-%d", i%50)
			act := fmt.Sprintf("1733%09d", i)
			if _, err := s.Load(ctx, conv, act); err != nil {
				b.Fatalf("Load: %v", err)
			}
			if err := s.Commit(ctx, store.Commit{ConversationID: conv, ActivityID: act, State: state, At: t0}); err != nil {
				b.Fatalf("Commit: %v", err)
			}
		}
	})
}
