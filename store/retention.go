package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Retention says what is old enough to delete: records about people's
// requests (conversation state, closed tickets, feedback, the 1:1 chats the
// bot knows) last touched before Data, and audit entries (with the record
// of which steps of a change were done) from before Audit.
type Retention struct {
	Data, Audit time.Time
	// ClosedTickets are the ticket states that end a ticket; open ones are
	// kept however old, until someone closes them.
	ClosedTickets []string
}

// Purged counts the rows a purge deleted (or, dry, would delete), by kind.
type Purged struct {
	Conversations, Tickets, Feedback, Chats, Audit int64
}

// Total is the number of rows.
func (p Purged) Total() int64 {
	return p.Conversations + p.Tickets + p.Feedback + p.Chats + p.Audit
}

// purgeRule is one kind of record and when it is old: the column and its
// unit, since the tables were written at different times with different
// precisions.
type purgeRule struct {
	count *int64
	table string
	where string
	args  []any
}

func (r Retention) rules(p *Purged) []purgeRule {
	sec, ms := func(t time.Time) any { return t.Unix() }, func(t time.Time) any { return t.UnixMilli() }
	closed := make([]any, 0, len(r.ClosedTickets)+1)
	closed = append(closed, ms(r.Data))
	in := ""
	for i, s := range r.ClosedTickets {
		if i > 0 {
			in += ", "
		}
		in += "?"
		closed = append(closed, s)
	}
	if in == "" {
		in = "NULL" // no closed states: no ticket is ever deleted
	}
	return []purgeRule{
		{&p.Conversations, "conversations", "updated_at < ?", []any{sec(r.Data)}},
		{&p.Tickets, "tickets", "updated_at < ? AND state IN (" + in + ")", closed},
		{&p.Feedback, "feedback", "at < ?", []any{sec(r.Data)}},
		{nil, "sent_answers", "at < ?", []any{sec(r.Data)}}, // with the feedback, uncounted
		{&p.Chats, "personal_chats", "updated_at < ?", []any{sec(r.Data)}},
		{&p.Audit, "audit", "at < ?", []any{ms(r.Audit)}},
		{nil, "change_ops", "done_at < ?", []any{sec(r.Audit)}}, // with the audit, uncounted
	}
}

// Purge deletes what r says is old, in one transaction, and counts it; dry,
// it only counts. Several replicas may purge at once: a row is deleted
// once, whoever deletes it.
func (s *DB) Purge(ctx context.Context, r Retention, dry bool) (Purged, error) {
	var p Purged
	if r.Audit.After(r.Data) {
		return p, fmt.Errorf("store: purge: audit entries would be kept less long than the rest")
	}
	rules := r.rules(&p)
	if dry {
		for _, rule := range rules {
			if rule.count == nil {
				continue
			}
			if err := s.read.QueryRowContext(ctx, s.q(`SELECT count(*) FROM `+rule.table+` WHERE `+rule.where), rule.args...).Scan(rule.count); err != nil {
				return Purged{}, fmt.Errorf("store: purge %s (dry run): %w", rule.table, err)
			}
		}
		return p, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Purged{}, fmt.Errorf("store: purge: %w", err)
	}
	defer tx.Rollback()
	for _, rule := range rules {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+rule.table+` WHERE `+rule.where), rule.args...)
		if err != nil {
			return Purged{}, fmt.Errorf("store: purge %s: %w", rule.table, err)
		}
		if rule.count != nil {
			if *rule.count, err = res.RowsAffected(); err != nil {
				return Purged{}, fmt.Errorf("store: purge %s: %w", rule.table, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return Purged{}, fmt.Errorf("store: purge: %w", err)
	}
	return p, nil
}

// PurgeIfDue purges (see [DB.Purge]) if the last purge, by any replica, is
// every or more ago (see [DB.OnceEvery]).
func (s *DB) PurgeIfDue(ctx context.Context, r Retention, holder string, now time.Time, every time.Duration) (p Purged, ran bool, err error) {
	ran, err = s.OnceEvery(ctx, "retention-purge", holder, now, every, func() error {
		p, err = s.Purge(ctx, r, false)
		return err
	})
	return p, ran, err
}

// OnceEvery runs job if no replica ran the job called name within every
// of now. Replicas that try at once take turns through a lease, and those
// after the first find it done (ran false). A job that fails is not
// recorded as run: the next try runs it again.
func (s *DB) OnceEvery(ctx context.Context, name, holder string, now time.Time, every time.Duration, job func() error) (ran bool, err error) {
	ok, err := s.AcquireLease(ctx, "once:"+name, holder, 10*time.Minute, now)
	if err != nil || !ok {
		return false, err
	}
	defer s.ReleaseLease(context.WithoutCancel(ctx), "once:"+name, holder)
	key := "once." + name + ".lastRun"
	switch last, err := s.Setting(ctx, key); {
	case err == nil:
		if at, perr := time.Parse(time.RFC3339, last); perr == nil && now.Sub(at) < every {
			return false, nil
		}
	case !errors.Is(err, ErrNotFound):
		return false, err
	}
	if err := job(); err != nil {
		return false, err
	}
	return true, s.SetSetting(ctx, key, now.UTC().Format(time.RFC3339), now)
}
