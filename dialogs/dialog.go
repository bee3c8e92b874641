// Package dialogs holds the bot's conversations as pure step functions: each
// step takes the saved state and one input and returns the new state, the
// replies and the effects it wants run. Nothing here does I/O, reads the
// clock or logs; the runner in package bot does all of that. This keeps every
// flow testable as a transcript and makes "no write before confirm" a property
// of the returned values, not of timing.
package dialogs

import (
	"encoding/json"
	"time"

	"github.com/mfadesk/mfadesk/cards"
)

// InputKind says what a turn's input is.
type InputKind int

// The kinds of input. The set is closed: text, a card button, a conversation
// event, or the result of an effect the dialog asked for.
const (
	TextInput InputKind = iota + 1
	SubmitInput
	EventInput
	ResultInput
)

// Event is a conversation event that is not a message.
type Event string

// The events the bot reacts to.
const (
	// EventUserJoined: the bot was installed for a person, or a person joined
	// the bot's personal chat. Teams repeats these; the welcome goes out once.
	EventUserJoined Event = "user-joined"
	// EventBotAdded: the bot was added to a group chat or a team.
	EventBotAdded Event = "bot-added"
	// EventTempReminder: the daily look at a change flow that waits with a
	// temporary number registered; the flow reminds the person once a day.
	EventTempReminder Event = "temp-reminder"
)

// Scope is where the conversation happens.
type Scope string

// Conversation scopes, as Teams names them.
const (
	Personal  Scope = "personal"
	GroupChat Scope = "groupChat"
	Channel   Scope = "channel"
)

// User is the person who sent the input.
type User struct {
	ID          string // channel id, "29:..."
	AADObjectID string // Entra object id; empty outside Teams
	Name        string
}

// Input is everything a step may look at. Time arrives here so that steps
// stay pure.
type Input struct {
	Kind InputKind
	Text string            // TextInput: the message, @mention removed
	Verb string            // SubmitInput: the button's verb
	Data map[string]string // SubmitInput: the button's data and the card's inputs
	// Execute is set when the button was an Action.Execute: a Turn.Update
	// then replaces the clicked card in place.
	Execute bool
	// CardID is the activity id of the card whose button was clicked, for
	// replacing that card later (after a sign-in in the browser).
	CardID     string
	Event      Event      // EventInput
	Result     *Result    // ResultInput
	ActivityID string     // the activity's id, unique per message or click
	Locale     string     // the client's locale, e.g. "ja-JP"; may be empty
	Lang       cards.Lang // the language to answer in, set by the Router
	User       User
	Scope      Scope
	Now        time.Time
	// Conv is where the input came from, for messages sent there later
	// (a ticket's replies).
	Conv Conv
	// Ticket is the person's current ticket, if any: loaded by the runner
	// in personal chats.
	Ticket *TicketLink
	// SignIns is what the person's own sign-in log showed a few minutes
	// ago, set by the Router in their 1:1 chat (SignInNote); nil when
	// nothing is known.
	SignIns *cards.SignInDiagnosis
}

// Status is where a dialog stands after a step.
type Status int

// Dialog statuses, after botbuilder's DialogTurnStatus.
const (
	Waiting   Status = iota + 1 // wants more input; State is kept
	Complete                    // done; the dialog leaves the stack
	Cancelled                   // the user stopped it
	Escalated                   // handed to a person
)

// Effect is a request for I/O that a step cannot do itself. The runner
// executes it and feeds the outcome back as a ResultInput.
type Effect interface {
	// EffectName names the effect for logs and metrics. It must not contain
	// user data.
	EffectName() string
}

// Result is the outcome of one effect.
type Result struct {
	Effect string // the EffectName of the effect that produced it
	Err    error  // nil on success
	Value  any    // effect-specific
}

// Turn is what a step returns.
type Turn struct {
	Status  Status
	State   json.RawMessage // the dialog's own state while Waiting
	Replies []cards.Message // new messages, in order
	Update  *cards.Card     // replaces the card whose Action.Execute started the turn
	Effects []Effect
	// Pass means the dialog did not take the input (say, text typed while
	// it waited for a button): the router handles it as if no dialog ran.
	Pass bool
	// Matched reports a question matched against the knowledge base, for
	// metrics.
	Matched *Matched
	// Diagnosed reports what a look at the person's sign-in log found, for
	// metrics: a cards.SignInShape, DiagnosedNothing or DiagnosedUnread.
	// It carries nothing about the person.
	Diagnosed string
}

// Matched is the outcome of matching a question: the topic answered ("" when
// none stood out) and the confidence ("confident", "unsure" or
// "out-of-scope").
// Neither carries the question.
type Matched struct {
	Topic      string
	Confidence string
}

// Dialog is one conversation flow.
type Dialog interface {
	// ID names the dialog in persisted state. It must never change.
	ID() string
	// Version must be bumped whenever the steps or the shape of the state
	// change, so that state saved by an older version is not misread.
	Version() int
	// Next runs one step. A nil st means the dialog is starting.
	Next(st json.RawMessage, in Input) Turn
}
