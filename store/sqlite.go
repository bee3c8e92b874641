package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite is the embedded store: one file, no server.
type SQLite struct {
	path string
	// SQLite allows one writer at a time. A single-connection pool for
	// writes queues them in Go instead of spinning on SQLITE_BUSY; reads use
	// their own pool and, with WAL, never wait for the writer.
	write *sql.DB
	read  *sql.DB
	// The statements of every turn, prepared once: parsing SQL on each
	// call cost more than running it.
	loadState, loadActivity, insertActivity, upsertState *sql.Stmt
}

// OpenSQLite opens (creating if needed) the database file path and brings its
// schema up to date.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
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
	s := &SQLite{path: path, write: write, read: read}
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

func (s *SQLite) prepare(ctx context.Context) error {
	for _, p := range []struct {
		db   *sql.DB
		stmt **sql.Stmt
		sql  string
	}{
		{s.read, &s.loadState, `SELECT state FROM conversations WHERE id = ?`},
		{s.read, &s.loadActivity, `SELECT response, undelivered FROM processed_activities WHERE conversation_id = ? AND activity_id = ?`},
		{s.write, &s.insertActivity, `INSERT INTO processed_activities (conversation_id, activity_id, response, processed_at) VALUES (?, ?, ?, ?)`},
		{s.write, &s.upsertState, `INSERT INTO conversations (id, state, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`},
	} {
		st, err := p.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		*p.stmt = st
	}
	return nil
}

// migrations are applied in order, each once; append only.
var migrations = []string{
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
}

func (s *SQLite) migrate(ctx context.Context) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("store: %s has schema version %d, newer than this build knows (%d): run a newer mfadesk", s.path, have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("store: migrate to version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().Unix()); err != nil {
			return fmt.Errorf("store: migrate to version %d: %w", v, err)
		}
	}
	return tx.Commit()
}

// Load returns the conversation's state and whether activityID was already
// processed.
func (s *SQLite) Load(ctx context.Context, conversationID, activityID string) (Snapshot, error) {
	var snap Snapshot
	err := s.loadState.QueryRowContext(ctx, conversationID).Scan(&snap.State)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("store: load conversation: %w", err)
	}
	if activityID == "" {
		return snap, nil
	}
	err = s.loadActivity.QueryRowContext(ctx, conversationID, activityID).Scan(&snap.Response, &snap.Undelivered)
	switch {
	case err == nil:
		snap.Seen = true
	case !errors.Is(err, sql.ErrNoRows):
		return Snapshot{}, fmt.Errorf("store: load activity: %w", err)
	}
	return snap, nil
}

// Commit saves a turn's outcome atomically. It returns [ErrDuplicate], and
// changes nothing, when the activity was already processed.
func (s *SQLite) Commit(ctx context.Context, c Commit) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	defer tx.Rollback()
	if c.ActivityID != "" {
		_, err := tx.StmtContext(ctx, s.insertActivity).ExecContext(ctx, c.ConversationID, c.ActivityID, c.Response, c.At.Unix())
		if isConstraint(err) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("store: commit activity: %w", err)
		}
	}
	if _, err := tx.StmtContext(ctx, s.upsertState).ExecContext(ctx, c.ConversationID, c.State, c.At.Unix()); err != nil {
		return fmt.Errorf("store: commit state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// SetResponse replaces the answer a redelivery of a processed activity
// gets (an invoke answered with an outcome that came after the commit).
func (s *SQLite) SetResponse(ctx context.Context, conversationID, activityID string, response []byte) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE processed_activities SET response = ? WHERE conversation_id = ? AND activity_id = ?`,
		response, conversationID, activityID); err != nil {
		return fmt.Errorf("store: set response: %w", err)
	}
	return nil
}

// SetUndelivered records the replies of a processed activity that could not
// be delivered (nil: none are left).
func (s *SQLite) SetUndelivered(ctx context.Context, conversationID, activityID string, undelivered []byte) error {
	if _, err := s.write.ExecContext(ctx, `UPDATE processed_activities SET undelivered = ? WHERE conversation_id = ? AND activity_id = ?`,
		undelivered, conversationID, activityID); err != nil {
		return fmt.Errorf("store: set undelivered: %w", err)
	}
	return nil
}

// RecordFeedback stores one 👍 (helpful) or 👎 on a topic's answer. Only
// the topic and the vote are kept: nothing that identifies the person.
func (s *SQLite) RecordFeedback(ctx context.Context, topic string, helpful bool, at time.Time) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO feedback (topic, helpful, at) VALUES (?, ?, ?)`, topic, helpful, at.Unix()); err != nil {
		return fmt.Errorf("store: record feedback: %w", err)
	}
	return nil
}

// FeedbackStats returns the votes per topic, most voted first.
func (s *SQLite) FeedbackStats(ctx context.Context) ([]TopicFeedback, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT topic, SUM(helpful), SUM(1 - helpful), MAX(at) FROM feedback
		GROUP BY topic ORDER BY COUNT(*) DESC, topic`)
	if err != nil {
		return nil, fmt.Errorf("store: feedback stats: %w", err)
	}
	defer rows.Close()
	var out []TopicFeedback
	for rows.Next() {
		var f TopicFeedback
		var last int64
		if err := rows.Scan(&f.Topic, &f.Helpful, &f.NotHelpful, &last); err != nil {
			return nil, fmt.Errorf("store: feedback stats: %w", err)
		}
		f.Last = time.Unix(last, 0).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// RecordAudit appends one entry to the audit log.
func (s *SQLite) RecordAudit(ctx context.Context, e AuditEntry) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO audit (at, user_id, actor_id, operation, method, masked, result, request_id, change_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.At.UnixMilli(), e.UserID, e.ActorID, e.Operation, e.Method, e.Masked, e.Result, e.RequestID, e.ChangeKey); err != nil {
		return fmt.Errorf("store: record audit: %w", err)
	}
	return nil
}

// Audit lists audit entries, oldest first, for one user ("" = everyone)
// from since on.
func (s *SQLite) Audit(ctx context.Context, userID string, since time.Time) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, user_id, actor_id, operation, method, masked, result, request_id, change_key
		FROM audit WHERE (? = '' OR user_id = ?) AND at >= ? ORDER BY at, id`, userID, userID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.UserID, &e.ActorID, &e.Operation, &e.Method, &e.Masked, &e.Result, &e.RequestID, &e.ChangeKey); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountWrites counts the write attempts made for a user since a time, for
// the per-user limit.
func (s *SQLite) CountWrites(ctx context.Context, userID string, since time.Time) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(DISTINCT change_key) FROM audit WHERE user_id = ? AND at >= ?`,
		userID, since.UnixMilli()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count writes: %w", err)
	}
	return n, nil
}

// OpDone reports whether op i of a change was already applied.
func (s *SQLite) OpDone(ctx context.Context, key string, i int) (bool, error) {
	var one int
	err := s.read.QueryRowContext(ctx, `SELECT 1 FROM change_ops WHERE change_key = ? AND op_index = ?`, key, i).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: op done: %w", err)
	}
	return true, nil
}

// MarkOpDone records that op i of a change was applied, so that a double
// click, a redelivery or a retry after a restart does not apply it again.
func (s *SQLite) MarkOpDone(ctx context.Context, key string, i int, at time.Time) error {
	if _, err := s.write.ExecContext(ctx, `INSERT INTO change_ops (change_key, op_index, done_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, key, i, at.Unix()); err != nil {
		return fmt.Errorf("store: mark op done: %w", err)
	}
	return nil
}

// IdleConversations lists conversations whose state was last saved before
// a time and contains the text mark (a cheap filter before decoding).
func (s *SQLite) IdleConversations(ctx context.Context, before time.Time, mark string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM conversations WHERE updated_at < ? AND instr(state, ?) > 0`, before.Unix(), mark)
	if err != nil {
		return nil, fmt.Errorf("store: idle conversations: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: idle conversations: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// PruneActivities forgets processed activity ids older than before. Bot
// Framework redelivers within minutes, so a day's memory is plenty.
func (s *SQLite) PruneActivities(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM processed_activities WHERE processed_at < ?`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: prune activities: %w", err)
	}
	return res.RowsAffected()
}

// Ping checks that the database answers.
func (s *SQLite) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.loadState, s.loadActivity, s.insertActivity, s.upsertState} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, s.read.Close(), s.write.Close())...)
}

func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}
