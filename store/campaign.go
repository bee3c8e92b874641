package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The passkey campaign: everyone whose only sign-in methods are phones, the
// messages sent to them, and what they did. One row per person and
// campaign; nothing personal but the object id and the language.

// Campaign statuses. A person moves found → contacted → started, and to
// registered once a scan finds them no longer phone-only (back to found if
// they become phone-only again). Unreachable: the bot could not be
// installed for them or reach their chat (reason says why). Gone: a later
// scan did not list them at all (left, disabled, now a guest or
// privileged).
const (
	CampaignFound       = "found"
	CampaignContacted   = "contacted"
	CampaignStarted     = "started"
	CampaignRegistered  = "registered"
	CampaignUnreachable = "unreachable"
	CampaignGone        = "gone"
)

// CampaignPerson is one person of a campaign.
type CampaignPerson struct {
	UserID       string
	Status       string
	Mix          string // their methods as Graph's report summed them up (graph.MethodMix)
	Lang         string // preferred language, "ja" or "en"
	Wave         int    // messages sent: 1 the first, 2 and up reminders
	LastSentAt   time.Time
	SnoozedUntil time.Time
	StartedAt    time.Time
	NoSmartphone bool
	Conversation string // their 1:1 chat with the bot, once known
	ServiceURL   string
	Reason       string // why unreachable: a problem code
}

// Observation is what one scan learnt about one person: phone-only, or
// not (registered), or Left: no longer someone the campaign may message
// (disabled, a guest, privileged, without any method).
type Observation struct {
	UserID    string
	PhoneOnly bool
	Left      bool
	Mix       string
	Lang      string
}

// reportLag is how long the registration report may trail what people
// registered: someone found registered more recently than that is not
// counted phone-only again by a report that has not caught up.
const reportLag = 72 * time.Hour

// RecordScan stores one batch of a scan's observations in one transaction.
// A phone-only person is added (found) or marked as seen by this run (run
// is the scan's start, in Unix seconds); one who is no longer phone-only
// becomes registered. People who are not phone-only and not in the
// campaign are not stored.
func (s *DB) RecordScan(ctx context.Context, campaign string, run int64, batch []Observation, at time.Time) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: record scan: %w", err)
	}
	defer tx.Rollback()
	for _, o := range batch {
		switch {
		case o.Left:
			_, err = tx.ExecContext(ctx, s.q(`UPDATE campaign_people SET status = ?, updated_at = ?
				WHERE campaign = ? AND user_id = ? AND status NOT IN (?, ?)`),
				CampaignGone, at.Unix(), campaign, o.UserID, CampaignRegistered, CampaignGone)
		case o.PhoneOnly:
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO campaign_people (campaign, user_id, status, mix, lang, found_at, seen_run, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (campaign, user_id) DO UPDATE SET seen_run = excluded.seen_run, mix = excluded.mix, lang = excluded.lang,
					status = CASE WHEN (campaign_people.status = ? AND campaign_people.updated_at < ?) OR campaign_people.status = ?
						THEN ? ELSE campaign_people.status END,
					updated_at = excluded.updated_at`),
				campaign, o.UserID, CampaignFound, o.Mix, o.Lang, at.Unix(), run, at.Unix(),
				CampaignRegistered, at.Add(-reportLag).Unix(), CampaignGone, CampaignFound)
		default:
			_, err = tx.ExecContext(ctx, s.q(`UPDATE campaign_people SET status = ?, mix = ?, seen_run = ?, updated_at = ?
				WHERE campaign = ? AND user_id = ? AND status <> ?`),
				CampaignRegistered, o.Mix, run, at.Unix(), campaign, o.UserID, CampaignRegistered)
		}
		if err != nil {
			return fmt.Errorf("store: record scan: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: record scan: %w", err)
	}
	return nil
}

// FinishScan closes a complete scan: people it did not list at all are
// gone. Only a scan that read everyone may call it, or people it never
// reached would be dropped.
func (s *DB) FinishScan(ctx context.Context, campaign string, run int64, at time.Time) (int64, error) {
	res, err := s.exec(ctx, "finish scan", `UPDATE campaign_people SET status = ?, updated_at = ?
		WHERE campaign = ? AND seen_run < ? AND status NOT IN (?, ?)`,
		CampaignGone, at.Unix(), campaign, run, CampaignRegistered, CampaignGone)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

const campaignColumns = `user_id, status, mix, lang, wave, last_sent_at, snoozed_until, started_at, no_smartphone, conversation, service_url, reason`

func scanCampaignPerson(row interface{ Scan(...any) error }) (CampaignPerson, error) {
	var p CampaignPerson
	var last, snoozed, started int64
	var noPhone int
	err := row.Scan(&p.UserID, &p.Status, &p.Mix, &p.Lang, &p.Wave, &last, &snoozed, &started, &noPhone, &p.Conversation, &p.ServiceURL, &p.Reason)
	p.LastSentAt, p.SnoozedUntil, p.StartedAt = unixOrZero(last), unixOrZero(snoozed), unixOrZero(started)
	p.NoSmartphone = noPhone != 0
	return p, err
}

func unixOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// DuePeople lists, in user id order after the id after, up to limit people
// due a message at now: never messaged, or messaged more than remindAfter
// ago (and, when they asked to be reminded later, not before that).
// Registered, gone and unreachable people are never due, nor anyone whose
// message is being sent, nor who said they can't use a smartphone (the
// helpdesk takes them on: the card would only repeat itself).
func (s *DB) DuePeople(ctx context.Context, campaign string, now time.Time, remindAfter time.Duration, after string, limit int) ([]CampaignPerson, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+campaignColumns+` FROM campaign_people
		WHERE campaign = ? AND status IN (?, ?, ?) AND sending = 0 AND no_smartphone = 0 AND user_id > ?
		AND (wave = 0 OR (CASE WHEN snoozed_until > last_sent_at + ? THEN snoozed_until ELSE last_sent_at + ? END) <= ?)
		ORDER BY user_id LIMIT ?`),
		campaign, CampaignFound, CampaignContacted, CampaignStarted, after, int64(remindAfter/time.Second),
		int64(remindAfter/time.Second), now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due people: %w", err)
	}
	defer rows.Close()
	var out []CampaignPerson
	for rows.Next() {
		p, err := scanCampaignPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("store: due people: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CampaignPersonByID returns one person of a campaign, or [ErrNotFound].
func (s *DB) CampaignPersonByID(ctx context.Context, campaign, userID string) (CampaignPerson, error) {
	p, err := scanCampaignPerson(s.read.QueryRowContext(ctx, s.q(`SELECT `+campaignColumns+` FROM campaign_people
		WHERE campaign = ? AND user_id = ?`), campaign, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return CampaignPerson{}, ErrNotFound
	}
	if err != nil {
		return CampaignPerson{}, fmt.Errorf("store: campaign person: %w", err)
	}
	return p, nil
}

// ClaimSend reserves message wave for a person before it is sent: it
// succeeds only if the person has had exactly wave-1 messages and none is
// being sent, so that two senders, or a sender and a restart, never send
// the same wave twice.
func (s *DB) ClaimSend(ctx context.Context, campaign, userID string, wave int, at time.Time) (bool, error) {
	res, err := s.exec(ctx, "claim send", `UPDATE campaign_people SET sending = ?, sending_at = ?, updated_at = ?
		WHERE campaign = ? AND user_id = ? AND wave = ? AND sending = 0 AND status IN (?, ?, ?)`,
		wave, at.Unix(), at.Unix(), campaign, userID, wave-1, CampaignFound, CampaignContacted, CampaignStarted)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SentResult is the outcome of a claimed send.
type SentResult struct {
	// Delivered: the message went out. Conversation and ServiceURL say where.
	Delivered                bool
	Conversation, ServiceURL string
	// Unreachable: it can never go out this way (no Teams, app blocked);
	// Reason is the problem code.
	Unreachable bool
	Reason      string
	// Moved: not sent, because the person is no longer phone-only (the
	// report lags behind what people register). None of these: it failed
	// for now and the claim is released, to be tried again.
	Moved bool
}

// FinishSend records the outcome of the wave claimed with [DB.ClaimSend].
func (s *DB) FinishSend(ctx context.Context, campaign, userID string, r SentResult, at time.Time) error {
	var err error
	switch {
	case r.Delivered:
		_, err = s.exec(ctx, "finish send", `UPDATE campaign_people SET wave = sending, sending = 0, last_sent_at = ?,
			status = CASE WHEN status = ? THEN ? ELSE status END, conversation = ?, service_url = ?, reason = '', updated_at = ?
			WHERE campaign = ? AND user_id = ? AND sending <> 0`,
			at.Unix(), CampaignFound, CampaignContacted, r.Conversation, r.ServiceURL, at.Unix(), campaign, userID)
	case r.Unreachable:
		_, err = s.exec(ctx, "finish send", `UPDATE campaign_people SET sending = 0, status = ?, reason = ?, updated_at = ?
			WHERE campaign = ? AND user_id = ? AND sending <> 0`,
			CampaignUnreachable, r.Reason, at.Unix(), campaign, userID)
	case r.Moved:
		_, err = s.exec(ctx, "finish send", `UPDATE campaign_people SET sending = 0, status = ?, updated_at = ?
			WHERE campaign = ? AND user_id = ? AND sending <> 0`, CampaignRegistered, at.Unix(), campaign, userID)
	default:
		_, err = s.exec(ctx, "finish send", `UPDATE campaign_people SET sending = 0, updated_at = ?
			WHERE campaign = ? AND user_id = ? AND sending <> 0`, at.Unix(), campaign, userID)
	}
	return err
}

// SettleInterruptedSends closes the sends a crashed run claimed but never
// finished. Whether those messages went out is unknown, so they count as
// sent: a person may miss one message (the next wave reminds them), but
// never gets the same one twice. Call it only while holding the
// campaign's lease, so that no live run's sends are settled.
func (s *DB) SettleInterruptedSends(ctx context.Context, campaign string, at time.Time) (int64, error) {
	res, err := s.exec(ctx, "settle sends", `UPDATE campaign_people SET wave = sending, sending = 0, last_sent_at = sending_at,
		status = CASE WHEN status = ? THEN ? ELSE status END, updated_at = ?
		WHERE campaign = ? AND sending <> 0`, CampaignFound, CampaignContacted, at.Unix(), campaign)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RetryUnreachable makes unreachable people due again (the admin fixed the
// app policy or licences). It returns how many.
func (s *DB) RetryUnreachable(ctx context.Context, campaign string, at time.Time) (int64, error) {
	res, err := s.exec(ctx, "retry unreachable", `UPDATE campaign_people SET status = CASE WHEN wave = 0 THEN ? ELSE ? END, reason = '', updated_at = ?
		WHERE campaign = ? AND status = ?`, CampaignFound, CampaignContacted, at.Unix(), campaign, CampaignUnreachable)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// What a person did with the campaign's card.
const (
	CampaignActionStart        = "start"         // opened the passkey flow
	CampaignActionLater        = "later"         // remind me later
	CampaignActionNoSmartphone = "no-smartphone" // can't use a smartphone
)

// CampaignAct records what a person did with the campaign's card; until is
// when to remind them for CampaignActionLater. It reports false when the
// person is not in the campaign (a forwarded card, or one from an earlier
// campaign): nothing is recorded.
func (s *DB) CampaignAct(ctx context.Context, campaign, userID, action string, until, at time.Time) (bool, error) {
	var res sql.Result
	var err error
	switch action {
	case CampaignActionStart:
		res, err = s.exec(ctx, "campaign act", `UPDATE campaign_people SET started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END,
			status = CASE WHEN status IN (?, ?) THEN ? ELSE status END, updated_at = ?
			WHERE campaign = ? AND user_id = ?`,
			at.Unix(), CampaignFound, CampaignContacted, CampaignStarted, at.Unix(), campaign, userID)
	case CampaignActionLater:
		res, err = s.exec(ctx, "campaign act", `UPDATE campaign_people SET snoozed_until = ?, updated_at = ? WHERE campaign = ? AND user_id = ?`,
			until.Unix(), at.Unix(), campaign, userID)
	case CampaignActionNoSmartphone:
		res, err = s.exec(ctx, "campaign act", `UPDATE campaign_people SET no_smartphone = 1, updated_at = ? WHERE campaign = ? AND user_id = ?`,
			at.Unix(), campaign, userID)
	default:
		return false, fmt.Errorf("store: campaign act: unknown action %q", action)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CampaignCounts are a campaign's figures at one time. PhoneOnly is
// everyone still phone-only as of the latest scan (found, contacted,
// started or unreachable); Contacted have had at least one message.
type CampaignCounts struct {
	At           time.Time
	PhoneOnly    int
	Contacted    int
	Started      int
	Registered   int
	Unreachable  int
	NoSmartphone int
}

// CountCampaign computes a campaign's figures now.
func (s *DB) CountCampaign(ctx context.Context, campaign string, at time.Time) (CampaignCounts, error) {
	c := CampaignCounts{At: at}
	err := s.read.QueryRowContext(ctx, s.q(`SELECT
			COALESCE(SUM(CASE WHEN status IN (?, ?, ?, ?) THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN wave > 0 OR sending <> 0 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN started_at > 0 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN no_smartphone <> 0 AND status <> ? THEN 1 ELSE 0 END), 0)
		FROM campaign_people WHERE campaign = ?`),
		CampaignFound, CampaignContacted, CampaignStarted, CampaignUnreachable,
		CampaignRegistered, CampaignUnreachable, CampaignRegistered, campaign,
	).Scan(&c.PhoneOnly, &c.Contacted, &c.Started, &c.Registered, &c.Unreachable, &c.NoSmartphone)
	if err != nil {
		return c, fmt.Errorf("store: count campaign: %w", err)
	}
	return c, nil
}

// UnreachableReasons counts the campaign's unreachable people by why (a
// problem code).
func (s *DB) UnreachableReasons(ctx context.Context, campaign string) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT reason, COUNT(*) FROM campaign_people WHERE campaign = ? AND status = ? GROUP BY reason`),
		campaign, CampaignUnreachable)
	if err != nil {
		return nil, fmt.Errorf("store: unreachable reasons: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var reason string
		var n int
		if err := rows.Scan(&reason, &n); err != nil {
			return nil, fmt.Errorf("store: unreachable reasons: %w", err)
		}
		out[reason] = n
	}
	return out, rows.Err()
}

// RecordCampaignCounts keeps c in the campaign's history (one entry per
// second at most; a later one at the same second replaces it).
func (s *DB) RecordCampaignCounts(ctx context.Context, campaign string, c CampaignCounts) error {
	_, err := s.exec(ctx, "record campaign counts", `INSERT INTO campaign_counts
		(campaign, at, phone_only, contacted, started, registered, unreachable, no_smartphone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (campaign, at) DO UPDATE SET phone_only = excluded.phone_only, contacted = excluded.contacted,
			started = excluded.started, registered = excluded.registered, unreachable = excluded.unreachable,
			no_smartphone = excluded.no_smartphone`,
		campaign, c.At.Unix(), c.PhoneOnly, c.Contacted, c.Started, c.Registered, c.Unreachable, c.NoSmartphone)
	return err
}

// CampaignHistory returns the campaign's recorded figures since a time,
// oldest first.
func (s *DB) CampaignHistory(ctx context.Context, campaign string, since time.Time) ([]CampaignCounts, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT at, phone_only, contacted, started, registered, unreachable, no_smartphone
		FROM campaign_counts WHERE campaign = ? AND at >= ? ORDER BY at`), campaign, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: campaign history: %w", err)
	}
	defer rows.Close()
	var out []CampaignCounts
	for rows.Next() {
		var c CampaignCounts
		var at int64
		if err := rows.Scan(&at, &c.PhoneOnly, &c.Contacted, &c.Started, &c.Registered, &c.Unreachable, &c.NoSmartphone); err != nil {
			return nil, fmt.Errorf("store: campaign history: %w", err)
		}
		c.At = time.Unix(at, 0)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PersonalChat is a person's 1:1 chat with the bot. Locale is the Teams
// client's, as the person's last activity in it said (may be empty).
type PersonalChat struct {
	TeamsID, Conversation, ServiceURL, Locale string
}

// RememberChat records a person's 1:1 chat with the bot, as an activity
// from it showed it.
func (s *DB) RememberChat(ctx context.Context, userID string, c PersonalChat, at time.Time) error {
	_, err := s.exec(ctx, "remember chat", `INSERT INTO personal_chats (user_id, teams_id, conversation, service_url, locale, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET teams_id = excluded.teams_id,
		conversation = excluded.conversation, service_url = excluded.service_url, locale = excluded.locale,
		updated_at = excluded.updated_at`,
		userID, c.TeamsID, c.Conversation, c.ServiceURL, c.Locale, at.Unix())
	return err
}

// PersonalChatOf returns a person's 1:1 chat with the bot, or [ErrNotFound]
// when they never wrote to it.
func (s *DB) PersonalChatOf(ctx context.Context, userID string) (PersonalChat, error) {
	var c PersonalChat
	err := s.read.QueryRowContext(ctx, s.q(`SELECT teams_id, conversation, service_url, locale FROM personal_chats WHERE user_id = ?`), userID).
		Scan(&c.TeamsID, &c.Conversation, &c.ServiceURL, &c.Locale)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store: personal chat: %w", err)
	}
	return c, nil
}

// PersonalChatIn returns whose 1:1 chat with the bot the conversation is
// (their Entra object id) and the chat, or [ErrNotFound] when it is no
// one's as far as the bot knows: not a 1:1 chat, or not the one the person
// last wrote in.
func (s *DB) PersonalChatIn(ctx context.Context, conversationID string) (string, PersonalChat, error) {
	var user string
	var c PersonalChat
	err := s.read.QueryRowContext(ctx, s.q(`SELECT user_id, teams_id, conversation, service_url, locale FROM personal_chats
		WHERE conversation = ? ORDER BY updated_at DESC, user_id LIMIT 1`), conversationID).
		Scan(&user, &c.TeamsID, &c.Conversation, &c.ServiceURL, &c.Locale)
	if errors.Is(err, sql.ErrNoRows) {
		return "", c, ErrNotFound
	}
	if err != nil {
		return "", c, fmt.Errorf("store: personal chat in a conversation: %w", err)
	}
	return user, c, nil
}
