package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DB is the store over SQL: the embedded SQLite file ([OpenSQLite]) or a
// PostgreSQL server shared by several replicas ([OpenPostgres]). Both run
// the same queries; dialect holds what differs.
type DB struct {
	name    string // for messages: the file, or the server's host and database
	dialect dialect
	// write and read are the same pool on PostgreSQL. SQLite allows one
	// writer at a time: a single-connection pool for writes queues them in
	// Go instead of spinning on SQLITE_BUSY, while reads use their own pool
	// and, with WAL, never wait for the writer. A turn's own load is the
	// exception: it goes on the write connection (see prepare).
	write *sql.DB
	read  *sql.DB
	// leases are the conversation and ticket locks this store holds
	// (PostgreSQL only: one process owns a SQLite file).
	leases *heldLeases
	// The statements of every turn, prepared once: parsing SQL on each
	// call cost more than running it.
	insertActivity, upsertState, loadTurns, commitTurns *sql.Stmt
	// loads reads the turns' snapshots in batches, and commits writes
	// their commits in batches.
	commits batcher[Commit, error]
	loads   batcher[loadKey, loadResult]
}

// dialect is what differs between the two databases.
type dialect struct {
	// placeholders: "?" for SQLite, "$n" for PostgreSQL.
	numbered bool
	// isConstraint reports a unique-key violation.
	isConstraint func(error) bool
	// contains is an SQL condition: blob column col contains text param.
	contains func(col string) string
	// migrations are applied in order, each once; append only.
	migrations []string
	// migrationLock serialises migrations of replicas starting at once
	// (empty: the database's own write lock does).
	migrationLock string
	// loadTurns loads the snapshots of a batch of turns in one statement,
	// in order, from their conversation and activity ids as turnKeys
	// gives them: one read for many turns (for SQLite, one read
	// transaction, which starts with a cold page cache whenever the file
	// changed since the last; for a server, one round trip).
	loadTurns string
	turnKeys  func(conversations, activities []string) []any
	// commitTurns, when set, commits a batch of turns in one statement
	// (a server's round trip for many turns): it takes arrays of the
	// batch's commits (one per conversation) and returns the ids of the
	// conversations whose state it saved. Without it, each turn's commit
	// is two statements of one transaction for the batch.
	commitTurns string
}

// PoolStats reports each connection pool's figures, by name ("write" and
// "read" on SQLite; "data", the one pool, on PostgreSQL), for metrics.
func (s *DB) PoolStats() map[string]sql.DBStats {
	if s.read == s.write {
		return map[string]sql.DBStats{"data": s.write.Stats()}
	}
	return map[string]sql.DBStats{"write": s.write.Stats(), "read": s.read.Stats()}
}

// Name says where the data is, for logs: the SQLite file, or the
// PostgreSQL server and database (never the password).
func (s *DB) Name() string { return s.name }

// q rewrites a query written with ? placeholders for the database.
func (s *DB) q(query string) string {
	if !s.dialect.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *DB) prepare(ctx context.Context) error {
	for _, p := range []struct {
		db   *sql.DB
		stmt **sql.Stmt
		sql  string
	}{
		{s.write, &s.insertActivity, `INSERT INTO processed_activities (conversation_id, activity_id, response, processed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`},
		{s.write, &s.upsertState, `INSERT INTO conversations (id, state, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`},
		// On the writer's connection: SQLite empties a connection's page
		// cache when another one has written since its last read, which
		// under load is every time, so a reader read each turn's pages
		// from the file again. The writer's own cache stays valid. A
		// benchmark (BenchmarkTurnStore) measured a fifth less CPU a turn.
		{s.write, &s.loadTurns, s.dialect.loadTurns},
		{s.write, &s.commitTurns, s.dialect.commitTurns},
	} {
		if p.sql == "" {
			continue
		}
		st, err := p.db.PrepareContext(ctx, s.q(p.sql))
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		*p.stmt = st
	}
	s.commits.do = s.writeBatch
	if s.commitTurns != nil {
		s.commits.do = s.commitBatch
	}
	s.loads.do = s.loadBatch
	return nil
}

func (s *DB) migrate(ctx context.Context) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if s.dialect.migrationLock != "" {
		if _, err := tx.ExecContext(ctx, s.dialect.migrationLock); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	migrations := s.dialect.migrations
	if have > len(migrations) {
		return fmt.Errorf("store: %s has schema version %d, newer than this build knows (%d): run a newer mfadesk", s.name, have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("store: migrate to version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, time.Now().Unix()); err != nil {
			return fmt.Errorf("store: migrate to version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Load returns the conversation's state and whether activityID was already
// processed.
func (s *DB) Load(ctx context.Context, conversationID, activityID string) (Snapshot, error) {
	// A turn already given up is not loaded: had the batch been quick, the
	// select below could pick its result as well as the cancellation.
	if err := ctx.Err(); err != nil {
		return Snapshot{}, fmt.Errorf("store: load conversation: %w", err)
	}
	// With the other turns loading now (see batcher). The batch has its
	// own deadline; a caller that stops waiting leaves it.
	select {
	case r := <-s.loads.add(loadKey{conversationID, activityID}):
		return r.snap, r.err
	case <-ctx.Done():
		return Snapshot{}, fmt.Errorf("store: load conversation: %w", ctx.Err())
	}
}

type loadKey struct{ conversationID, activityID string }

type loadResult struct {
	snap Snapshot
	err  error
}

// loadTimeout bounds one batch of loads. A turn waits for its own load no
// longer than its own deadline (the runner's storeWait).
const loadTimeout = 5 * time.Second

// loadBatch reads a batch's snapshots in one statement (loadTurns).
func (s *DB) loadBatch(batch []loadKey) []loadResult {
	results := make([]loadResult, len(batch))
	fail := func(err error) []loadResult {
		for i := range results {
			results[i] = loadResult{err: fmt.Errorf("store: load conversation: %w", err)}
		}
		return results
	}
	convs, acts := make([]string, len(batch)), make([]string, len(batch))
	for i, k := range batch {
		convs[i], acts[i] = k.conversationID, k.activityID
	}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	rows, err := s.loadTurns.QueryContext(ctx, s.dialect.turnKeys(convs, acts)...)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	if err := scanSnapshots(rows, results); err != nil {
		return fail(err)
	}
	return results
}

// scanSnapshots reads loadTurns' rows into results, one a turn, in order.
func scanSnapshots(rows rowScanner, results []loadResult) error {
	i := 0
	for ; rows.Next() && i < len(results); i++ {
		snap := &results[i].snap
		var t nullTicket
		if err := rows.Scan(append([]any{&snap.State, &snap.Seen, &snap.Response, &snap.Undelivered}, t.dest()...)...); err != nil {
			return err
		}
		snap.Ticket = t.ticket()
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if i != len(results) {
		return fmt.Errorf("%d snapshots for %d turns", i, len(results))
	}
	return nil
}

// Commit saves a turn's outcome atomically. It returns [ErrDuplicate], and
// changes nothing, when the activity was already processed.
func (s *DB) Commit(ctx context.Context, c Commit) error {
	return s.commitTogether(c)
}

// commitTogether saves a turn's outcome in a transaction shared with the
// turns that commit at the same moment (see batcher). SQLite writes each
// table's page once a transaction however many turns it holds, so under
// load a turn costs a fraction of the writes. Each turn still gets its own
// outcome: saved, or ErrDuplicate when its activity was processed before.
// A commit that may have happened is not cut short by its caller's request
// ending: the transaction has commitTimeout.
func (s *DB) commitTogether(c Commit) error {
	return <-s.commits.add(c)
}

// commitTimeout bounds one shared transaction.
const commitTimeout = 10 * time.Second

// writeBatch saves commits in one transaction and returns each one's
// outcome. If the transaction fails, they all fail with it.
func (s *DB) writeBatch(batch []Commit) []error {
	results := make([]error, len(batch))
	fail := func(err error) []error {
		for i := range results {
			results[i] = err
		}
		return results
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fail(fmt.Errorf("store: commit: %w", err))
	}
	defer tx.Rollback()
	insert, upsert := tx.StmtContext(ctx, s.insertActivity), tx.StmtContext(ctx, s.upsertState)
	for i, c := range batch {
		if c.ActivityID != "" {
			res, err := insert.ExecContext(ctx, c.ConversationID, c.ActivityID, c.Response, c.At.Unix())
			if err != nil {
				return fail(fmt.Errorf("store: commit activity: %w", err))
			}
			if n, err := res.RowsAffected(); err != nil {
				return fail(fmt.Errorf("store: commit activity: %w", err))
			} else if n == 0 {
				results[i] = ErrDuplicate // processed before: its state stays as it was
				continue
			}
		}
		if _, err := upsert.ExecContext(ctx, c.ConversationID, c.State, c.At.Unix()); err != nil {
			return fail(fmt.Errorf("store: commit state: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(fmt.Errorf("store: commit: %w", err))
	}
	return results
}

// commitBatch saves a batch of commits on a server: each run of commits
// of distinct conversations in one statement (commitTurns), which is one
// transaction. Two commits of one conversation cannot share a statement
// (PostgreSQL changes a row once a statement); turns of a conversation
// take its lock, so they do not meet in a batch, but if they did, the
// second would go in the next statement, in order.
func (s *DB) commitBatch(batch []Commit) []error {
	results := make([]error, 0, len(batch))
	for len(batch) > 0 {
		n, seen := 0, map[string]bool{}
		for ; n < len(batch) && !seen[batch[n].ConversationID]; n++ {
			seen[batch[n].ConversationID] = true
		}
		results = append(results, s.commitRun(batch[:n])...)
		batch = batch[n:]
	}
	return results
}

// commitRun saves commits of distinct conversations in one statement.
func (s *DB) commitRun(run []Commit) []error {
	results := make([]error, len(run))
	convs, acts, states := make([]string, len(run)), make([]string, len(run)), make([][]byte, len(run))
	responses, ats := make([][]byte, len(run)), make([]int64, len(run))
	for i, c := range run {
		convs[i], acts[i], states[i], responses[i], ats[i] = c.ConversationID, c.ActivityID, c.State, c.Response, c.At.Unix()
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	saved := map[string]bool{}
	rows, err := s.commitTurns.QueryContext(ctx, convs, acts, responses, ats, states)
	if err == nil {
		for rows.Next() {
			var id string
			if err = rows.Scan(&id); err != nil {
				break
			}
			saved[id] = true
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	for i, c := range run {
		switch {
		case err != nil:
			results[i] = fmt.Errorf("store: commit: %w", err)
		case !saved[c.ConversationID]:
			results[i] = ErrDuplicate // processed before: its state stays as it was
		}
	}
	return results
}

// exec runs one statement on the write pool; what names it in errors.
func (s *DB) exec(ctx context.Context, what, query string, args ...any) (sql.Result, error) {
	res, err := s.write.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return res, nil
}

// SetResponse replaces the answer a redelivery of a processed activity
// gets (an invoke answered with an outcome that came after the commit).
func (s *DB) SetResponse(ctx context.Context, conversationID, activityID string, response []byte) error {
	_, err := s.exec(ctx, "set response", `UPDATE processed_activities SET response = ? WHERE conversation_id = ? AND activity_id = ?`,
		response, conversationID, activityID)
	return err
}

// SetUndelivered records the replies of a processed activity that could not
// be delivered (nil: none are left).
func (s *DB) SetUndelivered(ctx context.Context, conversationID, activityID string, undelivered []byte) error {
	_, err := s.exec(ctx, "set undelivered", `UPDATE processed_activities SET undelivered = ? WHERE conversation_id = ? AND activity_id = ?`,
		undelivered, conversationID, activityID)
	return err
}

// RecordFeedback stores one 👍 (helpful) or 👎 on a topic's answer ("":
// an answer whose topic is not known), with the comment that came with it
// (its numbers already masked). No id of the person is kept; what they
// wrote in the comment is, under RETENTION_DAYS.
func (s *DB) RecordFeedback(ctx context.Context, topic string, helpful bool, comment string, at time.Time) error {
	vote := 0
	if helpful {
		vote = 1
	}
	_, err := s.exec(ctx, "record feedback", `INSERT INTO feedback (topic, helpful, comment, at) VALUES (?, ?, ?, ?)`, topic, vote, comment, at.Unix())
	return err
}

// SentAnswer is an answer message the bot sent: which topic it answered.
type SentAnswer struct {
	ConversationID, MessageID, Topic string
	At                               time.Time
}

// RecordSentAnswers notes which topic each of a batch of answer messages
// was, for the reactions to come (see AnswerTopic).
func (s *DB) RecordSentAnswers(ctx context.Context, answers []SentAnswer) error {
	// In statements of at most notesPerStatement rows: SQLite takes 32,766
	// parameters at most.
	for len(answers) > notesPerStatement {
		if err := s.RecordSentAnswers(ctx, answers[:notesPerStatement]); err != nil {
			return err
		}
		answers = answers[notesPerStatement:]
	}
	if len(answers) == 0 {
		return nil
	}
	q := `INSERT INTO sent_answers (conversation_id, message_id, topic, at) VALUES `
	args := make([]any, 0, 4*len(answers))
	for i, a := range answers {
		if i > 0 {
			q += ", "
		}
		q += "(?, ?, ?, ?)"
		args = append(args, a.ConversationID, a.MessageID, a.Topic, a.At.Unix())
	}
	_, err := s.exec(ctx, "record sent answers", q+` ON CONFLICT DO NOTHING`, args...)
	return err
}

const notesPerStatement = 500

// AnswerTopic returns the topic of the answer message messageID of a
// conversation ("" with ErrNotFound when it is not known).
func (s *DB) AnswerTopic(ctx context.Context, conversationID, messageID string) (string, error) {
	var topic string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT topic FROM sent_answers WHERE conversation_id = ? AND message_id = ?`), conversationID, messageID).Scan(&topic)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: answer topic: %w", err)
	}
	return topic, nil
}

// FeedbackComments returns the latest comments on answers, newest first:
// at most limit of them.
func (s *DB) FeedbackComments(ctx context.Context, limit int) ([]FeedbackComment, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT topic, helpful, comment, at FROM feedback WHERE comment <> '' ORDER BY at DESC, id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: feedback comments: %w", err)
	}
	defer rows.Close()
	var out []FeedbackComment
	for rows.Next() {
		var c FeedbackComment
		var helpful, at int64
		if err := rows.Scan(&c.Topic, &helpful, &c.Comment, &at); err != nil {
			return nil, fmt.Errorf("store: feedback comments: %w", err)
		}
		c.Helpful, c.At = helpful == 1, time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// FeedbackComment is a comment someone left with a 👍 or 👎.
type FeedbackComment struct {
	Topic   string
	Helpful bool
	Comment string
	At      time.Time
}

// FeedbackStats returns the votes per topic, most voted first.
func (s *DB) FeedbackStats(ctx context.Context) ([]TopicFeedback, error) {
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
func (s *DB) RecordAudit(ctx context.Context, e AuditEntry) error {
	_, err := s.exec(ctx, "record audit", `INSERT INTO audit (at, user_id, actor_id, operation, method, masked, result, request_id, change_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.At.UnixMilli(), e.UserID, e.ActorID, e.Operation, e.Method, e.Masked, e.Result, e.RequestID, e.ChangeKey)
	return err
}

// Audit lists audit entries, oldest first, for one user ("" = everyone)
// from since on.
func (s *DB) Audit(ctx context.Context, userID string, since time.Time) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT at, user_id, actor_id, operation, method, masked, result, request_id, change_key
		FROM audit WHERE (? = '' OR user_id = ?) AND at >= ? ORDER BY at, id`), userID, userID, since.UnixMilli())
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
func (s *DB) CountWrites(ctx context.Context, userID string, since time.Time) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(DISTINCT change_key) FROM audit WHERE user_id = ? AND at >= ?`),
		userID, since.UnixMilli()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count writes: %w", err)
	}
	return n, nil
}

// OpDone reports whether op i of a change was already applied.
func (s *DB) OpDone(ctx context.Context, key string, i int) (bool, error) {
	var one int
	err := s.read.QueryRowContext(ctx, s.q(`SELECT 1 FROM change_ops WHERE change_key = ? AND op_index = ?`), key, i).Scan(&one)
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
func (s *DB) MarkOpDone(ctx context.Context, key string, i int, at time.Time) error {
	_, err := s.exec(ctx, "mark op done", `INSERT INTO change_ops (change_key, op_index, done_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, key, i, at.Unix())
	return err
}

// IdleConversations lists conversations whose state was last saved before
// a time and contains the text mark (a cheap filter before decoding).
func (s *DB) IdleConversations(ctx context.Context, before time.Time, mark string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT id FROM conversations WHERE updated_at < ? AND `+s.dialect.contains("state")),
		before.Unix(), mark)
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
func (s *DB) PruneActivities(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, "prune activities", `DELETE FROM processed_activities WHERE processed_at < ?`, before.Unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *DB) Close() error {
	if s.leases != nil {
		s.leases.close()
	}
	var errs []error
	for _, st := range []*sql.Stmt{s.insertActivity, s.upsertState, s.loadTurns, s.commitTurns} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	pools := []*sql.DB{s.write}
	if s.read != s.write { // one pool on PostgreSQL
		pools = append(pools, s.read)
	}
	for _, db := range pools {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}
