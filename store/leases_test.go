package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
	"github.com/mfadesk/mfadesk/store/storetest"
)

func TestLeaseIsHeldByOneAtATime(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx := t.Context()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		if ok, err := e.s.AcquireLease(ctx, "campaign", "a", time.Minute, now); !ok || err != nil {
			t.Fatalf("a: %v %v", ok, err)
		}
		if ok, _ := e.s.AcquireLease(ctx, "campaign", "b", time.Minute, now.Add(30*time.Second)); ok {
			t.Fatal("b took a lease a holds")
		}
		if ok, _ := e.s.AcquireLease(ctx, "campaign", "a", time.Minute, now.Add(30*time.Second)); !ok {
			t.Fatal("a could not renew")
		}
		if ok, _ := e.s.AcquireLease(ctx, "campaign", "b", time.Minute, now.Add(91*time.Second)); !ok {
			t.Fatal("b could not take an expired lease")
		}
		if err := e.s.ReleaseLease(ctx, "campaign", "a"); err != nil { // no longer a's: a no-op
			t.Fatal(err)
		}
		if ok, _ := e.s.AcquireLease(ctx, "campaign", "a", time.Minute, now.Add(92*time.Second)); ok {
			t.Fatal("a's release freed b's lease")
		}
		if err := e.s.ReleaseLease(ctx, "campaign", "b"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := e.s.AcquireLease(ctx, "campaign", "a", time.Minute, now.Add(93*time.Second)); !ok {
			t.Fatal("a could not take a released lease")
		}
	})
}

// replicas opens n more stores on dsn, as n replicas would.
func replicas(t *testing.T, dsn string, n int) []*store.DB {
	t.Helper()
	out := make([]*store.DB, n)
	for i := range out {
		s, err := store.OpenPostgres(t.Context(), dsn, store.DefaultMaxConns)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out
}

// leaseHolder reads who holds the lock name, "" if nobody does (a lock
// let go keeps its row, expired).
func leaseHolder(t *testing.T, raw *sql.DB, name string) string {
	t.Helper()
	var holder string
	err := raw.QueryRowContext(t.Context(), `SELECT holder FROM turn_locks WHERE name = $1 AND expires_at > $2`, name, time.Now().UnixMilli()).Scan(&holder)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return holder
}

// TestConversationLocks: on PostgreSQL a conversation's lock is exclusive
// across stores (replicas), other conversations are not held up, a waiter
// gives up when its context ends, and a held lock holds no connection.
func TestConversationLocks(t *testing.T) {
	if s, _ := storetest.SQLite(t); s.ConversationLocks() != nil || s.TicketLocks() != nil {
		t.Error("SQLite has cross-replica locks; one process owns the file")
	}
	_, dsn := storetest.Postgres(t)
	stores := replicas(t, dsn, 2)
	locks := []*store.Locks{stores[0].ConversationLocks(), stores[1].ConversationLocks()}
	ctx := t.Context()

	unlock, err := locks[0].Lock(ctx, "a:conv")
	if err != nil {
		t.Fatal(err)
	}
	if n := stores[0].PoolStats()["data"].InUse; n != 0 {
		t.Errorf("%d connections in use while a lock is held, want 0", n)
	}
	other, err := locks[1].Lock(ctx, "a:other")
	if err != nil {
		t.Fatalf("another conversation waits: %v", err)
	}
	other()

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	if _, err := locks[1].Lock(short, "a:conv"); err == nil {
		t.Fatal("the second replica got a held conversation lock")
	}
	cancel()

	// Many turns of one conversation on both replicas: never two at once.
	unlock()
	var inside, overlaps atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			release, err := locks[i%2].Lock(ctx, "a:conv")
			if err != nil {
				t.Error(err)
				return
			}
			if inside.Add(1) > 1 {
				overlaps.Add(1)
			}
			time.Sleep(2 * time.Millisecond)
			inside.Add(-1)
			release()
		})
	}
	wg.Wait()
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d turns overlapped", n)
	}
}

// TestLockLoadSeesThePreviousHoldersCommit: a turn that takes its
// conversation's lock with its load (LockLoad) reads what the lock's
// previous holder committed, on another replica, just before letting go,
// however they meet: waiters poll, and an attempt may land while the
// release is running. Turns on two replicas, four at a time on each, take
// turns at one counter; a load that read a stale state would save a lower
// count.
func TestLockLoadSeesThePreviousHoldersCommit(t *testing.T) {
	_, dsn := storetest.Postgres(t)
	stores := replicas(t, dsn, 2)
	ctx := t.Context()
	const workers, turns = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		r := w % 2
		wg.Go(func() {
			for i := range turns {
				activity := fmt.Sprintf("w%d-%d", w, i)
				snap, release, err := stores[r].ConversationLocks().LockLoad(ctx, "a:counter", activity)
				if err != nil {
					t.Error(err)
					return
				}
				if snap.Seen {
					t.Errorf("activity %s seen before it ran", activity)
				}
				n := 0
				if snap.State != nil {
					n, _ = strconv.Atoi(string(snap.State))
				}
				err = stores[r].Commit(ctx, store.Commit{ConversationID: "a:counter", ActivityID: activity, State: []byte(strconv.Itoa(n + 1)), At: time.Now()})
				release()
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	snap, release, err := stores[0].ConversationLocks().LockLoad(ctx, "a:counter", "w1-0")
	if err != nil {
		t.Fatal(err)
	}
	release()
	if got := string(snap.State); got != strconv.Itoa(workers*turns) {
		t.Errorf("the counter is %s after %d turns: a turn read a stale state", got, workers*turns)
	}
	if !snap.Seen {
		t.Error("a processed activity is not seen by LockLoad")
	}
	if n := stores[0].PoolStats()["data"].InUse; n != 0 {
		t.Errorf("%d connections in use after the turns, want 0", n)
	}
}

// Housekeeping deletes leases long expired (their holders died), and
// only those.
func TestExpiredLeasesArePruned(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx := t.Context()
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		for name, expires := range map[string]time.Time{"conversation:dead": now.Add(-25 * time.Hour), "conversation:live": now.Add(time.Minute)} {
			if ok, err := e.s.AcquireLease(ctx, name, "h", expires.Sub(now), now); !ok || err != nil {
				t.Fatalf("%s: %v %v", name, ok, err)
			}
		}
		n, err := e.s.PruneLeases(ctx, now.Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v; want the dead one", n, err)
		}
		if h, _ := e.s.LeaseHolder(ctx, "conversation:live", now); h != "h" {
			t.Errorf("the live lease is held by %q after pruning, want h", h)
		}
		// The dead one's row is gone: taking it is an insert again.
		if ok, err := e.s.AcquireLease(ctx, "conversation:dead", "other", time.Minute, now); !ok || err != nil {
			t.Errorf("the pruned lease could not be taken: %v %v", ok, err)
		}
	})
}

// TestLockOfADeadHolderIsTakenOverOnceItExpires: a lease nobody renews
// (its replica died mid-turn; here a row written directly) keeps the
// conversation until it expires, and is then taken over.
func TestLockOfADeadHolderIsTakenOverOnceItExpires(t *testing.T) {
	s, dsn := storetest.Postgres(t)
	raw := rawDB(t, "pgx", dsn)
	locks := s.ConversationLocks()
	ctx := t.Context()
	const name, dead = "conversation:a:dead", "dead-replica:1"
	if _, err := raw.ExecContext(ctx, `INSERT INTO turn_locks (name, holder, expires_at) VALUES ($1, $2, $3)`,
		name, dead, time.Now().Add(time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err := locks.Lock(short, "a:dead")
	cancel()
	if err == nil {
		t.Fatal("a lease another holder has until later was taken")
	}

	// Its time runs out, and nobody renews it.
	if _, err := raw.ExecContext(ctx, `UPDATE turn_locks SET expires_at = $1 WHERE name = $2`, time.Now().Add(time.Second).UnixMilli(), name); err != nil {
		t.Fatal(err)
	}
	guard, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	release, err := locks.Lock(guard, "a:dead")
	if err != nil {
		t.Fatalf("the expired lease was not taken over: %v", err)
	}
	if h := leaseHolder(t, raw, name); h == dead || h == "" {
		t.Errorf("lease held by %q after the take-over, want this store", h)
	}
	release()
	if h := leaseHolder(t, raw, name); h != "" {
		t.Errorf("lease still held by %q after the release", h)
	}
}

// TestALockLetGoStaysFree: a renewal that read the held locks before one
// was let go, and runs after, does not take it back for the turn that
// ended; the next turn, on another replica, gets it at once (not after
// the lock's 30 seconds).
func TestALockLetGoStaysFree(t *testing.T) {
	_, dsn := storetest.Postgres(t)
	stores := replicas(t, dsn, 2)
	ctx := t.Context()
	release, err := stores[0].ConversationLocks().Lock(ctx, "a:let-go")
	if err != nil {
		t.Fatal(err)
	}
	renewLate := store.StaleRenewal(stores[0])
	release()
	renewLate(ctx)
	soon, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	next, err := stores[1].ConversationLocks().Lock(soon, "a:let-go")
	if err != nil {
		t.Fatalf("a lock let go was held again by a late renewal: %v", err)
	}
	next()
}

// TestHeldLocksAreRenewed: a lock lasts as long as its replica holds it,
// well past its TTL, because the replica renews it; one whose replica
// stopped renewing it is taken over, and that replica letting go late
// does not free its successor's.
func TestHeldLocksAreRenewed(t *testing.T) {
	_, dsn := storetest.Postgres(t)
	stores := replicas(t, dsn, 3)
	live, stalled, other := stores[0], stores[1], stores[2]
	store.ShortenLocks(live, 2*time.Second, 200*time.Millisecond)
	store.ShortenLocks(stalled, time.Second, time.Hour) // never renews in this test
	ctx := t.Context()
	guard, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()

	release, err := live.ConversationLocks().Lock(ctx, "a:long")
	if err != nil {
		t.Fatal(err)
	}
	// Several TTLs: unrenewed, the lock would have expired.
	waiting, stop := context.WithTimeout(ctx, 5*time.Second)
	_, err = other.ConversationLocks().Lock(waiting, "a:long")
	stop()
	if err == nil {
		t.Fatal("another replica took a lock its holder renews")
	}
	release()
	if release, err = other.ConversationLocks().Lock(guard, "a:long"); err != nil {
		t.Fatalf("a released lock was not given to the waiting replica: %v", err)
	}
	release()

	late, err := stalled.ConversationLocks().Lock(ctx, "a:stalled")
	if err != nil {
		t.Fatal(err)
	}
	successor, err := other.ConversationLocks().Lock(guard, "a:stalled")
	if err != nil {
		t.Fatalf("an unrenewed lock was not taken over: %v", err)
	}
	late()
	short, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = live.ConversationLocks().Lock(short, "a:stalled")
	stop()
	if err == nil {
		t.Error("a late release freed the successor's lock")
	}
	successor()
}

// Attempts at locks go to the database together. Many at once all get
// their own lock, and callers that stop waiting while their attempt is on
// its way leave nothing behind: a lock taken for them anyway is let go.
func TestLockAttemptsTogether(t *testing.T) {
	s, dsn := storetest.Postgres(t)
	raw := rawDB(t, "pgx", dsn)
	locks := s.ConversationLocks()
	ctx := t.Context()

	const n = 64
	var wg sync.WaitGroup
	releases := make(chan func(), n)
	for i := range n {
		wg.Go(func() {
			release, err := locks.Lock(ctx, fmt.Sprintf("a:together-%d", i))
			if err != nil {
				t.Errorf("lock %d: %v", i, err)
				return
			}
			releases <- release
		})
	}
	wg.Wait()
	close(releases)
	var held int
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM turn_locks WHERE name LIKE 'conversation:a:together-%' AND expires_at > $1`, time.Now().UnixMilli()).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != n {
		t.Fatalf("%d locks in the table while %d are held", held, n)
	}
	for release := range releases {
		release()
	}
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM turn_locks WHERE name LIKE 'conversation:a:together-%' AND expires_at > $1`, time.Now().UnixMilli()).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Fatalf("%d locks left after every one was let go", held)
	}

	// Callers that give up at once: whatever their attempts took is let go.
	for range 20 {
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if release, err := locks.Lock(gone, "a:given-up"); err == nil {
			release() // it won the race with its own context: fine
		} else if !errors.Is(err, context.Canceled) {
			t.Fatalf("a caller whose context ended got %v", err)
		}
	}
	guard, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	release, err := locks.Lock(guard, "a:given-up")
	if err != nil {
		t.Fatalf("the lock was left taken by callers that gave up: %v", err)
	}
	release()
}
