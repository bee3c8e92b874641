// Package store persists what the bot must not forget between turns and
// restarts: conversation state and the ids of activities already processed.
// SQLite (pure Go, no cgo) is the embedded default; a PostgreSQL backend for
// several replicas implements the same methods.
package store

import (
	"errors"
	"time"
)

// ErrDuplicate reports that an activity was already processed: Bot Framework
// redelivers activities, and a redelivery must not run the turn twice.
var ErrDuplicate = errors.New("store: activity already processed")

// Snapshot is what a turn starts from.
type Snapshot struct {
	// State is the conversation's saved state, nil for a new conversation.
	State []byte
	// Seen reports that the activity was already processed.
	Seen bool
	// Response is what the first processing answered over HTTP (an invoke
	// response), so a redelivery can answer the same; nil if none.
	Response []byte
	// Undelivered holds replies of the first processing that could not be
	// delivered, so that a redelivery of the activity can send them; nil if
	// all went out.
	Undelivered []byte
	// Ticket is the latest ticket opened from the conversation, nil if
	// none: a personal chat's turn needs to know of it (read here, with
	// the state, rather than in a statement of its own).
	Ticket *Ticket
}

// Commit is the outcome of one turn, written atomically: the new state and
// the activity id, so that a crash can never keep one without the other.
type Commit struct {
	ConversationID string
	ActivityID     string // empty: the channel gave none, nothing to dedupe
	State          []byte
	Response       []byte
	At             time.Time
}

// TopicFeedback counts the votes on one topic's answer.
type TopicFeedback struct {
	Topic      string
	Helpful    int
	NotHelpful int
	Last       time.Time // the latest vote
}

// AuditEntry is one write to a person's sign-in methods (or an attempt).
// Numbers are masked; nothing else personal is kept.
type AuditEntry struct {
	At        time.Time `json:"at"`
	UserID    string    `json:"user"`  // whose methods (aadObjectId)
	ActorID   string    `json:"actor"` // who confirmed (aadObjectId)
	Operation string    `json:"operation"`
	Method    string    `json:"method"` // phone slot or method kind
	Masked    string    `json:"masked,omitempty"`
	Result    string    `json:"result"` // "ok", "skipped (already done)", or the error kind
	RequestID string    `json:"requestId,omitempty"`
	ChangeKey string    `json:"changeKey"`
}
