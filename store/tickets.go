package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound reports a ticket (or setting) that does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict reports that a ticket changed since it was read: the caller
// reads it again and reapplies its change.
var ErrConflict = errors.New("store: ticket changed meanwhile")

// Ticket is a stored ticket: the columns the bot looks tickets up by, and
// the ticket itself as the bot encodes it.
type Ticket struct {
	ID       int64
	State    string
	UserID   string // aadObjectId of the person
	UserConv string // their personal chat with the bot
	Thread   string // the helpdesk thread, once posted
	Created  time.Time
	Updated  time.Time
	Version  int64 // bumped by each update, for optimistic locking
	Data     []byte
}

const ticketColumns = `id, state, user_id, user_conv, thread, created_at, updated_at, version, data`

// latestTicketColumns are ticketColumns of a conversation's latest ticket
// (alias k) in a turn's load, NULL when it has none (see nullTicket).
const latestTicketColumns = `k.id, k.state, k.user_id, k.user_conv, k.thread, k.created_at, k.updated_at, k.version, k.data`

// nullTicket scans latestTicketColumns.
type nullTicket struct {
	id, created, updated, version sql.NullInt64
	state, user, conv, thread     sql.NullString
	data                          []byte
}

func (n *nullTicket) dest() []any {
	return []any{&n.id, &n.state, &n.user, &n.conv, &n.thread, &n.created, &n.updated, &n.version, &n.data}
}

// ticket is the scanned ticket, nil when there was none.
func (n *nullTicket) ticket() *Ticket {
	if !n.id.Valid {
		return nil
	}
	return &Ticket{ID: n.id.Int64, State: n.state.String, UserID: n.user.String, UserConv: n.conv.String, Thread: n.thread.String,
		Created: time.UnixMilli(n.created.Int64).UTC(), Updated: time.UnixMilli(n.updated.Int64).UTC(), Version: n.version.Int64, Data: n.data}
}

func scanTicket(row interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var created, updated int64
	err := row.Scan(&t.ID, &t.State, &t.UserID, &t.UserConv, &t.Thread, &created, &updated, &t.Version, &t.Data)
	t.Created, t.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return t, err
}

// CreateTicket stores a new ticket and returns it with its number. data is
// written as given; the caller usually rewrites it once the number is known.
func (s *DB) CreateTicket(ctx context.Context, t Ticket) (Ticket, error) {
	// RETURNING, not LastInsertId: PostgreSQL's driver has no such thing.
	err := s.write.QueryRowContext(ctx, s.q(`INSERT INTO tickets (state, user_id, user_conv, thread, created_at, updated_at, version, data)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`), t.State, t.UserID, t.UserConv, t.Thread, t.Created.UnixMilli(), t.Updated.UnixMilli(), t.Data).Scan(&t.ID)
	if err != nil {
		return Ticket{}, fmt.Errorf("store: create ticket: %w", err)
	}
	t.Version = 1
	return t, nil
}

// UpdateTicket saves t if it is still at t.Version and returns it at its
// new version; otherwise it returns [ErrConflict] and changes nothing.
func (s *DB) UpdateTicket(ctx context.Context, t Ticket) (Ticket, error) {
	res, err := s.exec(ctx, "update ticket", `UPDATE tickets SET state = ?, thread = ?, updated_at = ?, version = version + 1, data = ?
		WHERE id = ? AND version = ?`, t.State, t.Thread, t.Updated.UnixMilli(), t.Data, t.ID, t.Version)
	if err != nil {
		return Ticket{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return Ticket{}, fmt.Errorf("store: update ticket: %w", err)
	} else if n == 0 {
		return Ticket{}, ErrConflict
	}
	t.Version++
	return t, nil
}

// TicketByID returns one ticket, or [ErrNotFound].
func (s *DB) TicketByID(ctx context.Context, id int64) (Ticket, error) {
	return s.oneTicket(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = ?`, id)
}

// TicketByThread returns the ticket of a helpdesk thread, or [ErrNotFound].
func (s *DB) TicketByThread(ctx context.Context, thread string) (Ticket, error) {
	if thread == "" {
		return Ticket{}, ErrNotFound
	}
	return s.oneTicket(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE thread = ? ORDER BY id DESC LIMIT 1`, thread)
}

// PersonTickets returns a person's tickets (by aadObjectId) opened at or
// after since, in any conversation, newest first: one open ticket per
// person and a daily cap are counted over these.
func (s *DB) PersonTickets(ctx context.Context, userID string, since time.Time) ([]Ticket, error) {
	return s.tickets(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE user_id = ? AND (created_at >= ? OR state IN ('open', 'assigned')) ORDER BY id DESC LIMIT 100`,
		userID, since.UnixMilli())
}

func (s *DB) oneTicket(ctx context.Context, q string, args ...any) (Ticket, error) {
	t, err := scanTicket(s.read.QueryRowContext(ctx, s.q(q), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, ErrNotFound
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("store: ticket: %w", err)
	}
	return t, nil
}

// Tickets lists tickets in the given states (none: all), oldest first.
func (s *DB) Tickets(ctx context.Context, states ...string) ([]Ticket, error) {
	q := `SELECT ` + ticketColumns + ` FROM tickets`
	args := make([]any, len(states))
	if len(states) > 0 {
		q += ` WHERE state IN (?` + strings.Repeat(`, ?`, len(states)-1) + `)`
		for i, st := range states {
			args[i] = st
		}
	}
	return s.tickets(ctx, q+` ORDER BY id`, args...)
}

func (s *DB) tickets(ctx context.Context, q string, args ...any) ([]Ticket, error) {
	rows, err := s.read.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetSetting stores a value the bot learned (e.g. the helpdesk team's
// service URL).
func (s *DB) SetSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := s.exec(ctx, "set setting", `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, at.Unix())
	return err
}

// Setting returns a stored value, or [ErrNotFound].
func (s *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: setting: %w", err)
	}
	return v, nil
}
