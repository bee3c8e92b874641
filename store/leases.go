package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// A lease is a row of a table (leases for a campaign's run, turn_locks for
// a conversation's or a ticket's turn): a name, who holds it and until
// when. Taking one is a
// single statement that succeeds only if nobody else holds it unexpired,
// so a holder keeps no connection while it holds the lease, and one that
// dies without letting go blocks others only until its lease expires.

// AcquireLease takes (or renews) the named lease for holder until at+ttl.
// It fails (false) while another holder's lease is unexpired: with several
// replicas, only one runs a campaign, or a conversation's turn, at a time.
func (s *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, at time.Time) (bool, error) {
	res, err := s.exec(ctx, "acquire lease", `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
		name, holder, at.Add(ttl).UnixMilli(), at.UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// LeaseHolder names who holds the lease now ("" if nobody does).
func (s *DB) LeaseHolder(ctx context.Context, name string, at time.Time) (string, error) {
	var holder string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT holder FROM leases WHERE name = ? AND expires_at > ?`), name, at.UnixMilli()).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: lease holder: %w", err)
	}
	return holder, nil
}

// TakeLease moves the lease from a holder known to be dead to holder, if
// from still holds it.
func (s *DB) TakeLease(ctx context.Context, name, from, holder string, ttl time.Duration, at time.Time) (bool, error) {
	res, err := s.exec(ctx, "take lease", `UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?`,
		holder, at.Add(ttl).UnixMilli(), name, from)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease gives the lease up, if holder still has it.
func (s *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.exec(ctx, "release lease", `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
	return err
}

// PruneLeases deletes leases that expired before before: those of
// replicas that died holding them (a live holder deletes its own). Expired
// rows free nothing by going, they only stop piling up, one per
// conversation that never spoke again.
func (s *DB) PruneLeases(ctx context.Context, before time.Time) (int64, error) {
	var pruned int64
	for _, table := range []string{"leases", "turn_locks"} {
		res, err := s.exec(ctx, "prune leases", `DELETE FROM `+table+` WHERE expires_at < ?`, before.UnixMilli())
		if err != nil {
			return pruned, err
		}
		n, _ := res.RowsAffected()
		pruned += n
	}
	return pruned, nil
}

// Turn locks are leases of the turn_locks table, which the store renews
// itself. The campaign's run keeps its own lease (bot/campaign), to stop
// when it loses it.
const (
	// lockTTL is how long a lock outlives its holder's last renewal, and
	// lockRenew how often one loop renews every lock the store holds:
	// so a turn may run as long as it needs (Graph's retries can take
	// minutes) and a renewal may fail twice before a lock runs out. The
	// price of holding no connection: the locks of a replica that dies
	// mid-turn stay taken until they expire, up to lockTTL, where a session
	// advisory lock ended as soon as the server saw the connection go. And
	// expiry is judged by the clock of who wants the lock, so replicas'
	// clocks must agree to well within lockTTL-lockRenew.
	lockTTL   = 30 * time.Second
	lockRenew = 10 * time.Second
	// lockAttempt bounds one attempt at a lock: getting a connection and
	// running one upsert. A replica whose connections are all busy, or a
	// server that slow, fails the lock (the turn answers 503 and is
	// redelivered) instead of queuing behind unrelated work. Waiting while
	// another replica holds the lock is bounded only by the caller.
	lockAttempt = 3 * time.Second
	// A lock another replica holds is tried again after lockPollMin,
	// doubling up to lockPollMax: turns are short, and a replica's own
	// turns of one conversation queue in memory before they poll (bot's
	// chainedLocks), so polling is for contention between replicas only.
	lockPollMin = 2 * time.Millisecond
	lockPollMax = 50 * time.Millisecond
	// releaseTimeout bounds letting a lock go; one not let go expires.
	releaseTimeout = 5 * time.Second
)

// ConversationLocks returns the locks that keep a conversation's turns
// apart across replicas, or nil when one process has the store to itself
// (SQLite).
func (s *DB) ConversationLocks() *Locks {
	if s.leases == nil {
		return nil
	}
	return &Locks{leases: s.leases, space: "conversation:"}
}

// TicketLocks returns the locks that keep changes to one ticket (and the
// opening of one person's tickets) apart across replicas, or nil on
// SQLite. Their keys name themselves: "ticket:42", "person:…".
func (s *DB) TicketLocks() *Locks {
	if s.leases == nil {
		return nil
	}
	return &Locks{leases: s.leases}
}

// Locks are mutexes shared by the replicas of a PostgreSQL database, one
// per key, each a lease named space+key.
type Locks struct {
	leases *heldLeases
	space  string // keeps conversation keys apart from others
}

// Lock waits for key (as long as ctx allows; each attempt at the database
// gets lockAttempt) and returns the release.
func (l *Locks) Lock(ctx context.Context, key string) (func(), error) {
	name, holder := l.space+key, l.leases.newHolder()
	err := poll(ctx, func() (bool, error) { return l.leases.take(ctx, lockName{name, holder}) })
	if err != nil {
		return nil, err
	}
	return func() { l.leases.release(name, holder) }, nil
}

// LockLoad takes a conversation's lock, as Lock does, and reads its turn's
// snapshot, as [DB.Load] does, in the same round trip to the server (see
// takeLoadBatch): the read comes after the lock, so it sees everything the
// lock's previous holder committed. A turn's reply waits on one round trip
// fewer.
func (l *Locks) LockLoad(ctx context.Context, conversationID, activityID string) (Snapshot, func(), error) {
	name, holder := l.space+conversationID, l.leases.newHolder()
	var snap Snapshot
	err := poll(ctx, func() (bool, error) {
		r, err := l.leases.takeLoad(ctx, turnTake{lockName{name, holder}, loadKey{conversationID, activityID}})
		snap = r.snap
		return r.ok, err
	})
	if err != nil {
		return Snapshot{}, nil, err
	}
	return snap, func() { l.leases.release(name, holder) }, nil
}

// poll tries to take a lock until it gets it, waiting lockPollMin between
// tries at first, doubling up to lockPollMax.
func poll(ctx context.Context, try func() (bool, error)) error {
	for wait := lockPollMin; ; wait = min(2*wait, lockPollMax) {
		ok, err := try()
		if err != nil {
			return fmt.Errorf("store: lock: %w", err)
		}
		if ok {
			return nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("store: lock: %w", ctx.Err())
		}
	}
}

// heldLeases are the locks one store holds, renewed together every
// renewal for ttl (lockRenew and lockTTL; tests shorten them).
type heldLeases struct {
	db           *DB
	ttl, renewal time.Duration
	// id is this store's part of its holders' names; seq numbers its
	// acquisitions, so that each holder is unique: a turn letting go late
	// never deletes the lease of the turn after it.
	id  string
	seq atomic.Uint64
	mu  sync.Mutex
	// holders are the holders of the locks held now.
	holders map[string]bool
	// taking and releasing send the attempts at locks and their releases
	// to the database in batches.
	taking        batcher[lockName, takeResult]
	takingLoading batcher[turnTake, turnTaken]
	releasing     batcher[lockName, struct{}]
	stop, stopped chan struct{}
	closeOnce     sync.Once
}

// holdLeases starts renewing db's locks; close stops it.
func holdLeases(db *DB, ttl, renewal time.Duration) *heldLeases {
	b := make([]byte, 8)
	rand.Read(b)
	h := &heldLeases{db: db, ttl: ttl, renewal: renewal, id: hex.EncodeToString(b), holders: map[string]bool{},
		stop: make(chan struct{}), stopped: make(chan struct{})}
	h.taking.do, h.takingLoading.do, h.releasing.do = h.takeBatch, h.takeLoadBatch, h.releaseBatch
	go h.renewEvery()
	return h
}

func (h *heldLeases) newHolder() string {
	return h.id + ":" + strconv.FormatUint(h.seq.Add(1), 10)
}

func (h *heldLeases) add(holder string) {
	h.mu.Lock()
	h.holders[holder] = true
	h.mu.Unlock()
}

// take tries once to take lock l. Attempts go to the database in batches
// (see batcher), each statement bounded by lockAttempt. A caller whose ctx
// ends first stops waiting, and a lock the statement took for it after
// all is let go.
func (h *heldLeases) take(ctx context.Context, l lockName) (bool, error) {
	r, err := awaitTake(ctx, h, l, h.taking.add(l))
	return r.ok, err
}

// takeLoad is take, with the turn's snapshot read in the same round trip
// (see Locks.LockLoad).
func (h *heldLeases) takeLoad(ctx context.Context, t turnTake) (turnTaken, error) {
	return awaitTake(ctx, h, t.lock, h.takingLoading.add(t))
}

// awaitTake waits for the result of an attempt at lock l.
func awaitTake[R interface{ taken() (bool, error) }](ctx context.Context, h *heldLeases, l lockName, result <-chan R) (R, error) {
	select {
	case r := <-result:
		_, err := r.taken()
		return r, err
	case <-ctx.Done():
		go func() {
			if ok, _ := (<-result).taken(); ok {
				h.release(l.name, l.holder)
			}
		}()
		var none R
		return none, ctx.Err()
	}
}

type lockName struct{ name, holder string }

type takeResult struct {
	ok  bool
	err error
}

func (r takeResult) taken() (bool, error) { return r.ok, r.err }

// A turnTake is an attempt at a conversation's lock with the load of its
// turn; a turnTaken its outcome (snap only when ok).
type turnTake struct {
	lock lockName
	load loadKey
}

type turnTaken struct {
	ok   bool
	snap Snapshot
	err  error
}

func (r turnTaken) taken() (bool, error) { return r.ok, r.err }

// takeBatch tries to take a batch of locks in one statement.
func (h *heldLeases) takeBatch(batch []lockName) []takeResult {
	ctx, cancel := context.WithTimeout(context.Background(), lockAttempt)
	defer cancel()
	taken, err := h.insert(ctx, batch)
	results := make([]takeResult, len(batch))
	for i, l := range batch {
		results[i] = takeResult{ok: taken[l.holder], err: err}
		if taken[l.holder] {
			h.add(l.holder)
		}
	}
	return results
}

func (h *heldLeases) insert(ctx context.Context, batch []lockName) (map[string]bool, error) {
	rows, err := h.db.write.QueryContext(ctx, h.db.q(takeLocks), h.takeArgs(batch, time.Now())...)
	if err != nil {
		return nil, fmt.Errorf("store: take locks: %w", err)
	}
	defer rows.Close()
	return scanTaken(rows)
}

// takeLoadBatch tries to take a batch of conversations' locks and reads
// their turns' snapshots, in one round trip: the statements go as one
// pipeline. The locks are taken in a transaction of their own, committed
// before the read starts: held until the read was done, as in the
// pipeline's implicit transaction, they made replicas taking locks for
// the same conversations in different orders deadlock. The read, with a
// snapshot taken when it starts (READ COMMITTED), sees every commit made
// before the locks' previous holders let them go. In one statement with
// the upsert it would not: a statement's snapshot is taken when it
// starts, and an upsert that waits for a locked row takes it as it is
// once the wait is over.
func (h *heldLeases) takeLoadBatch(batch []turnTake) []turnTaken {
	locks, convs, acts := make([]lockName, len(batch)), make([]string, len(batch)), make([]string, len(batch))
	for i, t := range batch {
		locks[i], convs[i], acts[i] = t.lock, t.load.conversationID, t.load.activityID
	}
	snaps := make([]loadResult, len(batch))
	var taken map[string]bool
	ctx, cancel := context.WithTimeout(context.Background(), lockAttempt)
	defer cancel()
	err := h.db.pipeline(ctx, func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue(h.db.q(takeLocks), h.takeArgs(locks, time.Now())...)
		b.Queue("COMMIT")
		b.Queue(h.db.q(h.db.dialect.loadTurns), h.db.dialect.turnKeys(convs, acts)...)
		results := c.SendBatch(ctx, b)
		defer results.Close()
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("store: take locks: %w", err)
		}
		rows, err := results.Query()
		if err != nil {
			return fmt.Errorf("store: take locks: %w", err)
		}
		taken, err = scanTaken(rows)
		rows.Close()
		if err != nil {
			return err
		}
		if _, err := results.Exec(); err != nil {
			// Perhaps committed after all: the locks in taken are let go.
			return fmt.Errorf("store: take locks: %w", err)
		}
		if rows, err = results.Query(); err != nil {
			return fmt.Errorf("store: load conversation: %w", err)
		}
		err = scanSnapshots(rows, snaps)
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: load conversation: %w", err)
		}
		return results.Close()
	})
	out := make([]turnTaken, len(batch))
	for i, t := range batch {
		switch {
		case err == nil && taken[t.lock.holder]:
			h.add(t.lock.holder)
			out[i] = turnTaken{ok: true, snap: snaps[i].snap}
		case err != nil && taken[t.lock.holder]:
			// Taken, but the turn cannot go on without its snapshot:
			// let it go rather than leave it to expire.
			go h.release(t.lock.name, t.lock.holder)
			out[i] = turnTaken{err: err}
		default:
			out[i] = turnTaken{err: err}
		}
	}
	return out
}

// takeLocks takes, in one statement, each lock names[i] for holders[i]
// that nobody else holds unexpired, and returns the holders that got
// theirs. Its arguments are takeArgs'.
const takeLocks = `INSERT INTO turn_locks (name, holder, expires_at)
	SELECT n, h, ? FROM unnest(?::text[], ?::text[]) AS t(n, h)
	ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
	WHERE turn_locks.holder = excluded.holder OR turn_locks.expires_at <= ?
	RETURNING holder`

// takeArgs are takeLocks' arguments for a batch: a name is tried once a
// statement (PostgreSQL refuses to change a row twice in one), so a
// second attempt at it, left by a caller that gave up, is told "taken"
// and tries again.
func (h *heldLeases) takeArgs(batch []lockName, now time.Time) []any {
	var names, holders []string
	first := map[string]bool{}
	for _, l := range batch {
		if !first[l.name] {
			first[l.name] = true
			names, holders = append(names, l.name), append(holders, l.holder)
		}
	}
	return []any{now.Add(h.ttl).UnixMilli(), names, holders, now.UnixMilli()}
}

// scanTaken reads takeLocks' rows: the holders that got their locks.
func scanTaken(rows rowScanner) (map[string]bool, error) {
	taken := map[string]bool{}
	for rows.Next() {
		var holder string
		if err := rows.Scan(&holder); err != nil {
			return nil, fmt.Errorf("store: take locks: %w", err)
		}
		taken[holder] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: take locks: %w", err)
	}
	return taken, nil
}

// rowScanner is what database/sql's and pgx's rows have in common.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// release lets a lock go. It is no longer renewed even if the statement
// fails, so it expires within lockTTL. Releases go to the database in
// batches (see batcher).
func (h *heldLeases) release(name, holder string) {
	h.mu.Lock()
	delete(h.holders, holder)
	h.mu.Unlock()
	<-h.releasing.add(lockName{name, holder})
}

// releaseBatch lets a batch of locks go in one statement. A lock let go
// keeps its row, expired, for its next holder to update: a deleted row
// leaves a dead entry in the table's index until autovacuum comes, and
// a conversation's turns took and let go of its lock a thousand times in
// half a minute, so that each take walked past all the dead entries
// before it (measured: replies per second fell by half within 40 seconds).
// Updated in place instead, the row stays one index entry (PostgreSQL's
// heap-only updates), and its page is tidied as it is read. PruneLeases
// deletes the rows of conversations long quiet. The row loses its holder
// too: a renewal that read the holders before this release, and runs
// after it, must not take the lock back for a turn that has ended (it did:
// the conversation stalled until the lock expired).
func (h *heldLeases) releaseBatch(batch []lockName) []struct{} {
	names, holders := make([]string, len(batch)), make([]string, len(batch))
	for i, l := range batch {
		names[i], holders[i] = l.name, l.holder
	}
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	h.db.exec(ctx, "release leases", `UPDATE turn_locks SET holder = '', expires_at = 0 WHERE (name, holder) IN (SELECT * FROM unnest(?::text[], ?::text[]))`, names, holders)
	return make([]struct{}, len(batch))
}

func (h *heldLeases) renewEvery() {
	defer close(h.stopped)
	t := time.NewTicker(h.renewal)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), h.renewal/2)
			h.renew(ctx, time.Now())
			cancel()
		}
	}
}

// renew extends every lock held now to at+ttl, in one statement. A lock
// that expired and was taken by another holder is left alone. A failure
// is tried again at the next tick: the locks have ttl-renewal left.
func (h *heldLeases) renew(ctx context.Context, at time.Time) {
	h.mu.Lock()
	holders := slices.Collect(maps.Keys(h.holders))
	h.mu.Unlock()
	h.renewHolders(ctx, at, holders)
}

// renewHolders extends the locks of holders. Some may have been let go
// since the list was read: their rows have no holder, and stay free.
func (h *heldLeases) renewHolders(ctx context.Context, at time.Time, holders []string) {
	if len(holders) > 0 {
		h.db.exec(ctx, "renew leases", `UPDATE turn_locks SET expires_at = ? WHERE holder = ANY(?)`, at.Add(h.ttl).UnixMilli(), holders)
	}
}

func (h *heldLeases) close() {
	h.closeOnce.Do(func() {
		close(h.stop)
		<-h.stopped
	})
}
