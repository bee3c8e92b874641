package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrStepUpUsed reports a sign-in request whose state was already redeemed:
// a replayed or double-submitted callback.
var ErrStepUpUsed = errors.New("store: sign-in request already used")

// StepUp is one request for a fresh sign-in (the step-up before a write).
// The state sent to the identity provider is kept only as a hash; the nonce
// and the PKCE verifier are kept until the request is used, because the
// callback needs them, and the row is pruned a day later.
type StepUp struct {
	StateHash string // hex SHA-256 of the OAuth state
	UserID    string // who must sign in (Entra object id)
	TenantID  string
	Purpose   string // what kind of write it unlocks ("change", "agent")
	Subject   string // which one: a change's idempotency key, an agent action
	Nonce     string
	Verifier  string // PKCE code verifier
	Resume    []byte // where the conversation continues, as the bot encodes it
	Created   time.Time
	Expires   time.Time
	Used      time.Time // zero until the callback arrived
	Verified  time.Time // zero unless the sign-in passed every check
	AuthTime  time.Time // when the person signed in, as the token says
	Result    string    // the outcome code, "ok" or why it was refused
}

const stepUpColumns = `state_hash, user_id, tenant_id, purpose, subject, nonce, verifier, resume,
	created_at, expires_at, used_at, verified_at, auth_time, result`

// CreateStepUp stores a new sign-in request.
func (s *DB) CreateStepUp(ctx context.Context, u StepUp) error {
	_, err := s.exec(ctx, "create step-up", `INSERT INTO stepups (`+stepUpColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, '')`,
		u.StateHash, u.UserID, u.TenantID, u.Purpose, u.Subject, u.Nonce, u.Verifier, u.Resume,
		u.Created.UnixMilli(), u.Expires.UnixMilli())
	return err
}

// UseStepUp marks the request with this state hash used and returns it, as
// it was before. It is one-time: a second call returns [ErrStepUpUsed], an
// unknown hash [ErrNotFound]. Expiry is the caller's to judge, so that it
// can say "expired" rather than "unknown".
func (s *DB) UseStepUp(ctx context.Context, stateHash string, now time.Time) (StepUp, error) {
	u, err := s.stepUp(ctx, stateHash)
	if err != nil {
		return StepUp{}, err
	}
	if !u.Used.IsZero() {
		return u, ErrStepUpUsed
	}
	// The condition on used_at makes two concurrent callbacks race for
	// one row: only one of them updates it.
	res, err := s.exec(ctx, "use step-up", `UPDATE stepups SET used_at = ? WHERE state_hash = ? AND used_at = 0`,
		now.UnixMilli(), stateHash)
	if err != nil {
		return StepUp{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return StepUp{}, fmt.Errorf("store: use step-up: %w", err)
	} else if n == 0 {
		return u, ErrStepUpUsed
	}
	return u, nil
}

// FinishStepUp records the outcome of a used request. verified and authTime
// are zero for a refusal. The nonce and verifier are wiped: nothing can use
// them any more.
func (s *DB) FinishStepUp(ctx context.Context, stateHash, result string, verified, authTime time.Time) error {
	_, err := s.exec(ctx, "finish step-up", `UPDATE stepups SET result = ?, verified_at = ?, auth_time = ?, nonce = '', verifier = ''
		WHERE state_hash = ?`, result, unixMilliOrZero(verified), unixMilliOrZero(authTime), stateHash)
	return err
}

// FreshStepUp returns the latest sign-in time of a passed step-up by user
// for subject at or after since; ok is false when there is none.
func (s *DB) FreshStepUp(ctx context.Context, userID, subject string, since time.Time) (authTime time.Time, ok bool, err error) {
	var at sql.NullInt64
	err = s.read.QueryRowContext(ctx, s.q(`SELECT MAX(auth_time) FROM stepups
		WHERE user_id = ? AND subject = ? AND verified_at > 0 AND auth_time >= ?`),
		userID, subject, since.UnixMilli()).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: fresh step-up: %w", err)
	}
	if !at.Valid || at.Int64 == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(at.Int64).UTC(), true, nil
}

// PruneStepUps forgets sign-in requests created before a time.
func (s *DB) PruneStepUps(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, "prune step-ups", `DELETE FROM stepups WHERE created_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *DB) stepUp(ctx context.Context, stateHash string) (StepUp, error) {
	var u StepUp
	var created, expires, used, verified, authTime int64
	err := s.write.QueryRowContext(ctx, s.q(`SELECT `+stepUpColumns+` FROM stepups WHERE state_hash = ?`), stateHash).Scan(
		&u.StateHash, &u.UserID, &u.TenantID, &u.Purpose, &u.Subject, &u.Nonce, &u.Verifier, &u.Resume,
		&created, &expires, &used, &verified, &authTime, &u.Result)
	if errors.Is(err, sql.ErrNoRows) {
		return StepUp{}, ErrNotFound
	}
	if err != nil {
		return StepUp{}, fmt.Errorf("store: read step-up: %w", err)
	}
	u.Created, u.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	u.Used, u.Verified, u.AuthTime = timeOrZero(used), timeOrZero(verified), timeOrZero(authTime)
	return u, nil
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
