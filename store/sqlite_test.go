package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

// openTemp opens a fresh database in a test's own directory and closes it
// when the test ends. It returns the path so a test can reopen the file.
func openTemp(t testing.TB) (*store.SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "mfadesk.db")
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

// rawDB opens the file without the store, to inspect or tamper with it. The
// sqlite driver is registered by package store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

func mustLoad(t *testing.T, s *store.SQLite, conv, activity string) store.Snapshot {
	t.Helper()
	snap, err := s.Load(t.Context(), conv, activity)
	if err != nil {
		t.Fatalf("Load(%q, %q): %v", conv, activity, err)
	}
	return snap
}

func mustCommit(t *testing.T, s *store.SQLite, c store.Commit) {
	t.Helper()
	if err := s.Commit(t.Context(), c); err != nil {
		t.Fatalf("Commit(%q, %q): %v", c.ConversationID, c.ActivityID, err)
	}
}

func TestLoadUnknownConversation(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	for _, activity := range []string{"", "a1"} {
		snap := mustLoad(t, s, "conv-unknown", activity)
		if snap.State != nil || snap.Seen || snap.Response != nil {
			t.Errorf("Load(unknown, %q) = {State: %q, Seen: %v, Response: %q}, want zero snapshot",
				activity, snap.State, snap.Seen, snap.Response)
		}
	}
}

func TestCommitThenLoad(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
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
}

func TestCommitWithoutResponse(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	mustCommit(t, s, store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`{}`), At: t0})
	snap := mustLoad(t, s, "c1", "a1")
	if !snap.Seen {
		t.Errorf("Seen = false, want true")
	}
	if snap.Response != nil {
		t.Errorf("Response = %q, want nil", snap.Response)
	}
}

func TestCommitDuplicate(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
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
}

func TestCommitEmptyActivityIDNeverDedupes(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
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
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mfadesk.db")
	ctx := t.Context()

	s, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	if err := s.Commit(ctx, store.Commit{ConversationID: "c1", ActivityID: "a1", State: []byte(`"kept"`), Response: []byte(`"resp"`), At: t0}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = store.OpenSQLite(ctx, path)
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
}

func TestMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mfadesk.db")
	for i := range 3 {
		s, err := store.OpenSQLite(t.Context(), path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping after open #%d: %v", i+1, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close #%d: %v", i+1, err)
		}
	}
	db := rawDB(t, path)
	var rows, top int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &top); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if rows != top {
		t.Errorf("schema_migrations has %d rows for version %d, want one row per version", rows, top)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mfadesk.db")
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// A newer build migrated this file further than this build knows.
	db := rawDB(t, path)
	if _, err := db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatalf("insert future version: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close raw db: %v", err)
	}

	s, err = store.OpenSQLite(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("OpenSQLite of a newer schema: got nil error, want one")
	}
	for _, want := range []string{"999", "newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("OpenSQLite error = %q, want it to contain %q", err, want)
		}
	}
}

func TestPruneActivities(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
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
}

func TestConcurrentCommits(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
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
}

func TestLoadCancelledContext(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Load(ctx, "c1", "a1"); err == nil {
		t.Error("Load with a cancelled context: got nil error, want one")
	}
}

func BenchmarkCommit(b *testing.B) {
	s, _ := openTemp(b)
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
	t.Parallel()
	s, _ := openTemp(t)
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
}
