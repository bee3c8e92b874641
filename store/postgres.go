package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pool sizes per replica. Data connections serve the turns' short queries;
// lock connections each hold one conversation's (or ticket's) lock for a
// turn, or wait for it, so they bound the turns in flight on a replica.
const (
	pgDataConns   = 16
	pgConvLocks   = 64
	pgTicketLocks = 16
)

// lockKeepalive has the server notice within about a minute that a replica
// holding locks is gone without closing its connections (its host lost
// power, its network went away), and so release the locks. The default,
// the kernel's, is two hours.
var lockKeepalive = map[string]string{"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"}

// OpenPostgres connects to the PostgreSQL database at url (a postgres://
// URL, with libpq's parameters), brings its schema up to date and
// returns the store. Any number of replicas may share the database: schema
// migrations and conversation turns are serialised between them.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message can quote the URL, password included.
		return nil, errors.New("store: DATABASE_URL is not a valid PostgreSQL connection string (postgres://user:password@host:5432/database?sslmode=require)")
	}
	name := fmt.Sprintf("postgres://%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	open := func(max int, params map[string]string) *sql.DB {
		c := cfg.Copy()
		for k, v := range params {
			c.RuntimeParams[k] = v
		}
		db := stdlib.OpenDB(*c)
		db.SetMaxOpenConns(max)
		db.SetMaxIdleConns(max)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db
	}
	data := open(pgDataConns, nil)
	s := &DB{name: name, dialect: postgresDialect, write: data, read: data,
		convLocks: open(pgConvLocks, lockKeepalive), ticketLocks: open(pgTicketLocks, lockKeepalive)}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", name, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

var postgresDialect = dialect{
	numbered: true,
	isConstraint: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
	},
	contains:   func(col string) string { return "position(convert_to(?, 'UTF8') in " + col + ") > 0" },
	migrations: postgresMigrations,
	// A transaction-scoped lock: a second replica starting at the same
	// moment waits here, then finds the schema current.
	migrationLock: `SELECT pg_advisory_xact_lock(7336411850932052)`,
	// One statement is atomic: the state is saved only if the activity id
	// was new. A concurrent insert of the same id waits for the first
	// transaction, then does nothing.
	commitTurn: `WITH new_activity AS (
			INSERT INTO processed_activities (conversation_id, activity_id, response, processed_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING conversation_id)
		INSERT INTO conversations (id, state, updated_at)
		SELECT conversation_id, $5, $4 FROM new_activity
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
		RETURNING 1`,
}

// postgresMigrations mirror sqliteMigrations version for version.
var postgresMigrations = []string{
	`CREATE TABLE conversations (
		id         TEXT PRIMARY KEY,
		state      BYTEA NOT NULL,
		updated_at BIGINT NOT NULL
	);
	CREATE TABLE processed_activities (
		conversation_id TEXT NOT NULL,
		activity_id     TEXT NOT NULL,
		response        BYTEA,
		undelivered     BYTEA,
		processed_at    BIGINT NOT NULL,
		PRIMARY KEY (conversation_id, activity_id)
	);
	CREATE INDEX processed_activities_at ON processed_activities (processed_at);`,
	`CREATE TABLE feedback (
		id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		topic   TEXT NOT NULL,
		helpful INTEGER NOT NULL,
		at      BIGINT NOT NULL
	);
	CREATE INDEX feedback_topic ON feedback (topic);`,
	`CREATE TABLE audit (
		id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		at         BIGINT NOT NULL,
		user_id    TEXT NOT NULL,
		actor_id   TEXT NOT NULL,
		operation  TEXT NOT NULL,
		method     TEXT NOT NULL,
		masked     TEXT NOT NULL,
		result     TEXT NOT NULL,
		request_id TEXT NOT NULL,
		change_key TEXT NOT NULL
	);
	CREATE INDEX audit_user_at ON audit (user_id, at);
	CREATE TABLE change_ops (
		change_key TEXT NOT NULL,
		op_index   INTEGER NOT NULL,
		done_at    BIGINT NOT NULL,
		PRIMARY KEY (change_key, op_index)
	);`,
	`CREATE TABLE tickets (
		id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		state        TEXT NOT NULL,
		user_id      TEXT NOT NULL,
		user_conv    TEXT NOT NULL,
		thread       TEXT NOT NULL,
		created_at   BIGINT NOT NULL,
		updated_at   BIGINT NOT NULL,
		version      BIGINT NOT NULL,
		data         BYTEA NOT NULL
	);
	CREATE INDEX tickets_user_conv ON tickets (user_conv, id);
	CREATE INDEX tickets_thread ON tickets (thread);
	CREATE INDEX tickets_state ON tickets (state, created_at);
	CREATE TABLE settings (
		key        TEXT PRIMARY KEY,
		value      TEXT NOT NULL,
		updated_at BIGINT NOT NULL
	);`,
	`CREATE TABLE stepups (
		state_hash  TEXT PRIMARY KEY,
		user_id     TEXT NOT NULL,
		tenant_id   TEXT NOT NULL,
		purpose     TEXT NOT NULL,
		subject     TEXT NOT NULL,
		nonce       TEXT NOT NULL,
		verifier    TEXT NOT NULL,
		resume      BYTEA,
		created_at  BIGINT NOT NULL,
		expires_at  BIGINT NOT NULL,
		used_at     BIGINT NOT NULL DEFAULT 0,
		verified_at BIGINT NOT NULL DEFAULT 0,
		auth_time   BIGINT NOT NULL DEFAULT 0,
		result      TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX stepups_subject ON stepups (user_id, subject, auth_time);
	CREATE INDEX stepups_created ON stepups (created_at);`,
	// v7: a person's tickets across conversations (one open at a time, a
	// daily cap).
	`CREATE INDEX tickets_user ON tickets (user_id, id);`,
	// v8: the passkey campaign (store/campaign.go).
	`CREATE TABLE campaign_people (
		campaign      TEXT NOT NULL,
		user_id       TEXT NOT NULL,
		status        TEXT NOT NULL,
		mix           TEXT NOT NULL,
		lang          TEXT NOT NULL,
		found_at      BIGINT NOT NULL,
		seen_run      BIGINT NOT NULL,
		wave          BIGINT NOT NULL DEFAULT 0,
		sending       BIGINT NOT NULL DEFAULT 0,
		sending_at    BIGINT NOT NULL DEFAULT 0,
		last_sent_at  BIGINT NOT NULL DEFAULT 0,
		snoozed_until BIGINT NOT NULL DEFAULT 0,
		started_at    BIGINT NOT NULL DEFAULT 0,
		no_smartphone BIGINT NOT NULL DEFAULT 0,
		conversation  TEXT NOT NULL DEFAULT '',
		service_url   TEXT NOT NULL DEFAULT '',
		reason        TEXT NOT NULL DEFAULT '',
		updated_at    BIGINT NOT NULL,
		PRIMARY KEY (campaign, user_id)
	);
	CREATE INDEX campaign_people_status ON campaign_people (campaign, status, user_id);
	CREATE TABLE campaign_counts (
		campaign      TEXT NOT NULL,
		at            BIGINT NOT NULL,
		phone_only    BIGINT NOT NULL,
		contacted     BIGINT NOT NULL,
		started       BIGINT NOT NULL,
		registered    BIGINT NOT NULL,
		unreachable   BIGINT NOT NULL,
		no_smartphone BIGINT NOT NULL,
		PRIMARY KEY (campaign, at)
	);
	CREATE TABLE leases (
		name       TEXT PRIMARY KEY,
		holder     TEXT NOT NULL,
		expires_at BIGINT NOT NULL
	);`,
	// v9: each person's 1:1 chat with the bot, as last seen.
	`CREATE TABLE personal_chats (
		user_id      TEXT PRIMARY KEY,
		teams_id     TEXT NOT NULL,
		conversation TEXT NOT NULL,
		service_url  TEXT NOT NULL,
		updated_at   BIGINT NOT NULL
	);`,
}

// ConversationLocks returns the locks that keep a conversation's turns
// apart across replicas, or nil when one process has the store to itself
// (SQLite).
func (s *DB) ConversationLocks() *AdvisoryLocks {
	if s.convLocks == nil {
		return nil
	}
	return &AdvisoryLocks{db: s.convLocks, space: "conversation:"}
}

// TicketLocks returns the locks that keep changes to one ticket apart
// across replicas, or nil on SQLite.
func (s *DB) TicketLocks() *AdvisoryLocks {
	if s.ticketLocks == nil {
		return nil
	}
	return &AdvisoryLocks{db: s.ticketLocks, space: "ticket:"}
}

// AdvisoryLocks are PostgreSQL session advisory locks, one per key, held on
// a connection of their own for as long as the work they guard. If the
// replica dies, its connections close and PostgreSQL releases the locks.
type AdvisoryLocks struct {
	db    *sql.DB
	space string // keeps conversation and ticket keys apart
}

// Lock waits for key (as long as ctx allows) and returns the release.
func (l *AdvisoryLocks) Lock(ctx context.Context, key string) (func(), error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	id := lockID(l.space + key)
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		discard(conn)
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var released bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, id).Scan(&released); err != nil || !released {
			// The lock is tied to the session: ending it releases the lock.
			discard(conn)
			return
		}
		conn.Close()
	}, nil
}

// discard closes a connection instead of returning it to the pool: it may
// still hold a lock, or be mid-query after a cancellation.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// lockID maps a key to the 64-bit id advisory locks take. Two keys sharing
// an id only wait for each other needlessly.
func lockID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte("mfadesk:" + key))
	return int64(h.Sum64())
}
