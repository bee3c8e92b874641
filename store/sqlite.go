package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenSQLite opens (creating if needed) the database file path and brings its
// schema up to date. One process uses the file: SQLite is the store of a
// single replica; several replicas share PostgreSQL ([OpenPostgres]).
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_txlock=immediate"
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	// All of them stay open: database/sql keeps two idle by default, and
	// under load the other two were closed and opened again, each time
	// with its pragmas and its prepared statements (a tenth of a turn's
	// CPU).
	read.SetMaxIdleConns(4)
	s := &DB{name: path, dialect: sqliteDialect, write: write, read: read}
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

var sqliteDialect = dialect{
	isConstraint: func(err error) bool {
		var se *sqlite.Error
		return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
	},
	contains:   func(col string) string { return "instr(" + col + ", ?) > 0" },
	migrations: sqliteMigrations,
	// The turns come as one JSON array of [conversation, activity] pairs.
	loadTurns: `SELECT c.state, a.activity_id IS NOT NULL, a.response, a.undelivered, ` + latestTicketColumns + `
		FROM json_each(?) AS t
		LEFT JOIN conversations c ON c.id = t.value ->> 0
		LEFT JOIN processed_activities a ON a.conversation_id = t.value ->> 0 AND a.activity_id = t.value ->> 1
		LEFT JOIN tickets k ON k.id = (SELECT max(id) FROM tickets WHERE user_conv = t.value ->> 0)
		ORDER BY t.key`,
	turnKeys: func(conversations, activities []string) []any {
		pairs := make([][2]string, len(conversations))
		for i := range pairs {
			pairs[i] = [2]string{conversations[i], activities[i]}
		}
		b, _ := json.Marshal(pairs) // strings always encode
		return []any{string(b)}
	},
}

// sqliteMigrations are the schema's versions; files in use have applied
// them, so they are never edited, only appended to.
var sqliteMigrations = []string{
	`CREATE TABLE conversations (
		id         TEXT PRIMARY KEY,
		state      BLOB NOT NULL,
		updated_at INTEGER NOT NULL
	);
	CREATE TABLE processed_activities (
		conversation_id TEXT NOT NULL,
		activity_id     TEXT NOT NULL,
		response        BLOB,
		undelivered     BLOB,
		processed_at    INTEGER NOT NULL,
		PRIMARY KEY (conversation_id, activity_id)
	);
	CREATE INDEX processed_activities_at ON processed_activities (processed_at);`,
	`CREATE TABLE feedback (
		id      INTEGER PRIMARY KEY,
		topic   TEXT NOT NULL,
		helpful INTEGER NOT NULL,
		at      INTEGER NOT NULL
	);
	CREATE INDEX feedback_topic ON feedback (topic);`,
	`CREATE TABLE audit (
		id         INTEGER PRIMARY KEY,
		at         INTEGER NOT NULL,
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
		done_at    INTEGER NOT NULL,
		PRIMARY KEY (change_key, op_index)
	);`,
	`CREATE TABLE tickets (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		state        TEXT NOT NULL,
		user_id      TEXT NOT NULL,
		user_conv    TEXT NOT NULL,
		thread       TEXT NOT NULL,
		created_at   INTEGER NOT NULL,
		updated_at   INTEGER NOT NULL,
		version      INTEGER NOT NULL,
		data         BLOB NOT NULL
	);
	CREATE INDEX tickets_user_conv ON tickets (user_conv, id);
	CREATE INDEX tickets_thread ON tickets (thread);
	CREATE INDEX tickets_state ON tickets (state, created_at);
	CREATE TABLE settings (
		key        TEXT PRIMARY KEY,
		value      TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	);`,
	`CREATE TABLE stepups (
		state_hash  TEXT PRIMARY KEY,
		user_id     TEXT NOT NULL,
		tenant_id   TEXT NOT NULL,
		purpose     TEXT NOT NULL,
		subject     TEXT NOT NULL,
		nonce       TEXT NOT NULL,
		verifier    TEXT NOT NULL,
		resume      BLOB,
		created_at  INTEGER NOT NULL,
		expires_at  INTEGER NOT NULL,
		used_at     INTEGER NOT NULL DEFAULT 0,
		verified_at INTEGER NOT NULL DEFAULT 0,
		auth_time   INTEGER NOT NULL DEFAULT 0,
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
		found_at      INTEGER NOT NULL,
		seen_run      INTEGER NOT NULL,
		wave          INTEGER NOT NULL DEFAULT 0,
		sending       INTEGER NOT NULL DEFAULT 0,
		sending_at    INTEGER NOT NULL DEFAULT 0,
		last_sent_at  INTEGER NOT NULL DEFAULT 0,
		snoozed_until INTEGER NOT NULL DEFAULT 0,
		started_at    INTEGER NOT NULL DEFAULT 0,
		no_smartphone INTEGER NOT NULL DEFAULT 0,
		conversation  TEXT NOT NULL DEFAULT '',
		service_url   TEXT NOT NULL DEFAULT '',
		reason        TEXT NOT NULL DEFAULT '',
		updated_at    INTEGER NOT NULL,
		PRIMARY KEY (campaign, user_id)
	);
	CREATE INDEX campaign_people_status ON campaign_people (campaign, status, user_id);
	CREATE TABLE campaign_counts (
		campaign      TEXT NOT NULL,
		at            INTEGER NOT NULL,
		phone_only    INTEGER NOT NULL,
		contacted     INTEGER NOT NULL,
		started       INTEGER NOT NULL,
		registered    INTEGER NOT NULL,
		unreachable   INTEGER NOT NULL,
		no_smartphone INTEGER NOT NULL,
		PRIMARY KEY (campaign, at)
	);
	CREATE TABLE leases (
		name       TEXT PRIMARY KEY,
		holder     TEXT NOT NULL,
		expires_at INTEGER NOT NULL
	);`,
	// v9: each person's 1:1 chat with the bot, as last seen.
	`CREATE TABLE personal_chats (
		user_id      TEXT PRIMARY KEY,
		teams_id     TEXT NOT NULL,
		conversation TEXT NOT NULL,
		service_url  TEXT NOT NULL,
		updated_at   INTEGER NOT NULL
	);`,
	// v10: the replicas' turn locks. Unused here (one process owns a SQLite
	// file); kept so that the two schemas have the same versions.
	`CREATE TABLE turn_locks (
		name       TEXT PRIMARY KEY,
		holder     TEXT NOT NULL,
		expires_at INTEGER NOT NULL
	);`,
	// v11: every turn reads and writes a conversation and an activity by
	// their text keys. In a table with row ids each such key is an index
	// pointing at the row, two b-trees to search and to write; WITHOUT
	// ROWID keeps the rows in the key's own b-tree.
	`CREATE TABLE conversations_v11 (
		id         TEXT PRIMARY KEY,
		state      BLOB NOT NULL,
		updated_at INTEGER NOT NULL
	) WITHOUT ROWID;
	INSERT INTO conversations_v11 SELECT id, state, updated_at FROM conversations;
	DROP TABLE conversations;
	ALTER TABLE conversations_v11 RENAME TO conversations;
	CREATE TABLE processed_activities_v11 (
		conversation_id TEXT NOT NULL,
		activity_id     TEXT NOT NULL,
		response        BLOB,
		undelivered     BLOB,
		processed_at    INTEGER NOT NULL,
		PRIMARY KEY (conversation_id, activity_id)
	) WITHOUT ROWID;
	INSERT INTO processed_activities_v11
		SELECT conversation_id, activity_id, response, undelivered, processed_at FROM processed_activities;
	DROP TABLE processed_activities;
	ALTER TABLE processed_activities_v11 RENAME TO processed_activities;
	CREATE INDEX processed_activities_at ON processed_activities (processed_at);`,
	// v12: the locale a person's chat was last seen with, and the chat
	// found by its conversation: the bot writes into a conversation first
	// (a reminder) in the person's language.
	`ALTER TABLE personal_chats ADD COLUMN locale TEXT NOT NULL DEFAULT '';
	CREATE INDEX personal_chats_conversation ON personal_chats (conversation);`,
	// v13: Teams' own 👍/👎 on answers. A reaction names the message, not
	// the topic: sent_answers says which topic each answer message was.
	// A reaction may come with a comment (numbers masked).
	`CREATE TABLE sent_answers (
		conversation_id TEXT NOT NULL,
		message_id      TEXT NOT NULL,
		topic           TEXT NOT NULL,
		at              INTEGER NOT NULL,
		PRIMARY KEY (conversation_id, message_id)
	);
	CREATE INDEX sent_answers_at ON sent_answers (at);
	ALTER TABLE feedback ADD COLUMN comment TEXT NOT NULL DEFAULT '';`,
}
