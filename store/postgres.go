package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultMaxConns is a replica's connection budget unless it is given
// another (DATABASE_MAX_CONNECTIONS): three replicas and a few admin
// sessions fit in a stock server's max_connections of 100.
const DefaultMaxConns = 25

// OpenPostgres connects to the PostgreSQL database at url (a postgres://
// URL, with libpq's parameters), brings its schema up to date and
// returns the store. Any number of replicas may share the database: schema
// migrations and conversation turns are serialised between them.
//
// The store opens at most maxConns connections, one pool for everything:
// work beyond that queues inside the process rather than asking the server
// for more. A connection is held only while a statement (or a short
// transaction) runs; locks are leases ([Locks]), so a turn waiting on
// Microsoft Graph holds none.
func OpenPostgres(ctx context.Context, url string, maxConns int) (*DB, error) {
	if maxConns < 1 {
		return nil, fmt.Errorf("store: a PostgreSQL store needs at least one connection, not %d", maxConns)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message can quote the URL, password included.
		return nil, errors.New("store: DATABASE_URL is not a valid PostgreSQL connection string (postgres://user:password@host:5432/database?sslmode=require)")
	}
	name := fmt.Sprintf("postgres://%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	// Each statement is planned for its arguments. After five runs of a
	// prepared statement the server may switch to a plan made for no
	// arguments in particular, costed on the tables as they were then:
	// made on a new database, with a handful of rows, the turns' lookups
	// became hash joins over whole tables, and a turn's cost grew with
	// every message (replies per second fell by a third within a minute).
	// Planning these statements again costs less than that.
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(maxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	s := &DB{name: name, dialect: postgresDialect, write: pool, read: pool}
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
	s.leases = holdLeases(s, lockTTL, lockRenew)
	return s, nil
}

// pipeline runs f on one of the pool's connections as pgx's own, for
// what database/sql cannot do: several statements in one round trip.
func (s *DB) pipeline(ctx context.Context, f func(*pgx.Conn) error) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error { return f(driverConn.(*stdlib.Conn).Conn()) })
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
	// A turn's snapshot: its conversation's state, its activity's record
	// if it was processed, and the conversation's latest ticket; in the
	// order of the arrays.
	loadTurns: `SELECT c.state, a.activity_id IS NOT NULL, a.response, a.undelivered, ` + latestTicketColumns + `
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(conversation_id, activity_id, n)
		LEFT JOIN conversations c ON c.id = t.conversation_id
		LEFT JOIN processed_activities a ON a.conversation_id = t.conversation_id AND a.activity_id = t.activity_id
		LEFT JOIN tickets k ON k.id = (SELECT max(id) FROM tickets WHERE user_conv = t.conversation_id)
		ORDER BY t.n`,
	turnKeys: func(conversations, activities []string) []any { return []any{conversations, activities} },
	// One statement is atomic: a state is saved only if its activity id
	// was new (or there is none). A concurrent insert of the same id waits
	// for the first transaction, then does nothing.
	commitTurns: `WITH t AS (
			SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::bytea[])
				AS t(conversation_id, activity_id, response, at, state)),
		new_activity AS (
			INSERT INTO processed_activities (conversation_id, activity_id, response, processed_at)
			SELECT conversation_id, activity_id, response, at FROM t WHERE activity_id <> ''
			ON CONFLICT DO NOTHING RETURNING conversation_id)
		INSERT INTO conversations (id, state, updated_at)
		SELECT conversation_id, state, at FROM t
		WHERE activity_id = '' OR conversation_id IN (SELECT conversation_id FROM new_activity)
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
		RETURNING id`,
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
	// v10: the turn locks (leases.go), apart from the campaign's lease and
	// unlogged: taking and letting go of one twice a turn no longer waits
	// for the log to reach the disk, a fifth of a message's cost. A
	// database that crashes forgets them all, as it did the session
	// advisory locks they replace.
	`CREATE UNLOGGED TABLE turn_locks (
		name       TEXT PRIMARY KEY,
		holder     TEXT NOT NULL,
		expires_at BIGINT NOT NULL
	);`,
	// v11: SQLite's tables of conversations and activities became
	// WITHOUT ROWID; PostgreSQL's tables have no row ids to drop.
	`SELECT 1;`,
	// v12: the locale a person's chat was last seen with, and the chat
	// found by its conversation (see sqlite.go).
	`ALTER TABLE personal_chats ADD COLUMN locale TEXT NOT NULL DEFAULT '';
	CREATE INDEX personal_chats_conversation ON personal_chats (conversation);`,
	// v13: Teams' own 👍/👎 on answers. A reaction names the message, not
	// the topic: sent_answers says which topic each answer message was.
	// A reaction may come with a comment (numbers masked).
	`CREATE TABLE sent_answers (
		conversation_id TEXT NOT NULL,
		message_id      TEXT NOT NULL,
		topic           TEXT NOT NULL,
		at              BIGINT NOT NULL,
		PRIMARY KEY (conversation_id, message_id)
	);
	CREATE INDEX sent_answers_at ON sent_answers (at);
	ALTER TABLE feedback ADD COLUMN comment TEXT NOT NULL DEFAULT '';`,
}
