package dialogs

import (
	"errors"
	"time"

	"github.com/mfadesk/mfadesk/cards"
)

// The guided changes see people's sign-in methods only through these views;
// the runner fills them from Graph. dialogs never imports the Graph client.

// MethodsView is a person's registered methods, as the bot shows them.
type MethodsView struct {
	Phones     []PhoneView   `json:"phones,omitempty"`
	Devices    []DeviceView  `json:"devices,omitempty"` // Microsoft Authenticator
	Others     []OtherView   `json:"others,omitempty"`
	Passkeys   []PasskeyView `json:"passkeys,omitempty"` // also among Others, by id
	MFACapable int           `json:"mfaCapable"`
}

// PhoneView is a registered phone number, masked.
type PhoneView struct {
	Slot   string `json:"slot"` // mobile, alternateMobile, office
	Masked string `json:"masked"`
}

// DeviceView is Microsoft Authenticator on one device.
type DeviceView struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Added time.Time `json:"added,omitzero"`
}

// OtherView is another method; Removable ones (software OATH, FIDO2) can be
// removed by the bot.
type OtherView struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Name      string `json:"name,omitempty"`
	Removable bool   `json:"removable,omitempty"`
}

func (m MethodsView) phone(slot string) (PhoneView, bool) {
	for _, p := range m.Phones {
		if p.Slot == slot {
			return p, true
		}
	}
	return PhoneView{}, false
}

// CheckedPhone is a number the runner normalised and found usable.
type CheckedPhone struct {
	Number string `json:"number"` // Graph's form; kept only until the change is done
	// Display is the whole number as people read it ("+81 80-3344-5566"),
	// for the person's own preview only: a typo shows before it becomes
	// their sign-in number. Everywhere else shows Masked.
	Display string `json:"display,omitempty"`
	Masked  string `json:"masked"`
	CanSMS  bool   `json:"canSms"`
	// Registered is the slot the number is already registered in, if any.
	Registered string `json:"registered,omitempty"`
}

// Problem is a failure the person is told about, in both languages. It is
// the error of effect results.
type Problem struct {
	Code string // stable, for tests and logs: "invalid_number", "throttled", ...
	// JA and EN are the words of a problem the dialogs found themselves.
	// Packages bot and graph give the code only (and Args), and package
	// cards has the words.
	JA, EN    string
	Args      []any
	Retryable bool // trying the same thing again later may work
}

func (p *Problem) Error() string { return "problem: " + p.Code }

// ProblemText is what people are told about err in l.
func ProblemText(l cards.Lang, err error) string {
	var p *Problem
	switch {
	case !errors.As(err, &p):
		return txtSomethingWrong.In(l)
	case p.JA != "" || p.EN != "":
		return cards.Text{JA: p.JA, EN: p.EN}.In(l)
	}
	return cards.ProblemText(l, p.Code, p.Args...)
}

// LoadMethods asks the runner to read the person's methods (the user is
// the input's). Result.Value is a MethodsView.
type LoadMethods struct{}

// EffectName implements [Effect].
func (LoadMethods) EffectName() string { return "methods.load" }

// CheckPhone asks the runner to normalise and check a typed number for a
// slot. Result.Value is a CheckedPhone; Result.Err a *Problem.
type CheckPhone struct {
	Input string
	Slot  string
}

// EffectName implements [Effect].
func (CheckPhone) EffectName() string { return "phone.check" }

// Op kinds of a change.
const (
	OpAddPhone     = "add-phone"
	OpChangePhone  = "change-phone"
	OpDeletePhone  = "delete-phone"
	OpDeleteMethod = "delete-method"
)

// ChangeOp is one write. Ops of one change run in order; the order is the
// safe one (a new number exists before the old one goes).
type ChangeOp struct {
	Op         string `json:"op"`
	Slot       string `json:"slot,omitempty"`
	Number     string `json:"number,omitempty"`  // Graph's form, for phone writes
	Display    string `json:"display,omitempty"` // see CheckedPhone.Display
	Masked     string `json:"masked,omitempty"`
	SMS        bool   `json:"sms,omitempty"`
	MethodKind string `json:"methodKind,omitempty"` // for delete-method
	MethodID   string `json:"methodId,omitempty"`
	Name       string `json:"name,omitempty"` // what the person calls it, e.g. "iPhone 15"
}

// ApplyChange asks the runner to make a confirmed change. It is the only
// effect that writes, and it is only ever emitted by a confirm step with the
// pending request's id, for the person who started it, before it expired.
// Key makes it idempotent: ops already done under this key are not redone.
type ApplyChange struct {
	Key   string
	Owner string // aadObjectId of the person whose methods change
	Ops   []ChangeOp
	Skip  []bool // ops already done in an earlier attempt
}

// EffectName implements [Effect].
func (ApplyChange) EffectName() string { return "change.apply" }

// Notify asks the runner to tell the person by email, a channel a stolen
// Teams session does not hold, what changed (Kind: cards.NoticeChange or
// cards.NoticeTAP; What: the changes, numbers masked). The chat's own
// notice is a reply of the step.
type Notify struct {
	Owner string
	Kind  string
	What  []cards.Text
}

// EffectName implements [Effect].
func (Notify) EffectName() string { return "notify.mail" }

// MoveToPersonal asks the runner to continue in the person's 1:1 chat with
// the bot: it opens that chat and starts Verb (with Data) there, as if the
// person had clicked it. Changes of sign-in methods happen there only, so
// that nobody in a group sees the person's methods or numbers.
type MoveToPersonal struct {
	Verb string
	Data map[string]string
}

// EffectName implements [Effect].
func (MoveToPersonal) EffectName() string { return "chat.personal" }

// BeginStepUp asks the runner for a fresh, strong sign-in by Owner before
// the change Key is written. The runner answers [StepUpStarted]: a sign-in
// URL, or Done when a sign-in that covers the change already happened (or
// step-up is off). The sign-in's outcome arrives later, from the browser, as
// a ResultInput named [StepUpOutcomeEffect].
type BeginStepUp struct {
	Owner   string
	Key     string
	Expires time.Time // the sign-in request ends with the confirmation
}

// EffectName implements [Effect].
func (BeginStepUp) EffectName() string { return "stepup.begin" }

// StepUpStarted is BeginStepUp's result.
type StepUpStarted struct {
	URL  string // where the person signs in
	Done bool   // nothing to sign in: the change may go ahead
}

// StepUpOutcomeEffect names the result that a finished sign-in delivers to
// the conversation that asked for it.
const StepUpOutcomeEffect = "stepup.signin"

// StepUpOutcome is the result of a sign-in: for which change, and the
// verdict, a code of package cards (cards.SignInOK or why not).
type StepUpOutcome struct {
	Key     string
	Verdict string
}

// ChangeOutcome is ApplyChange's result: which ops are done (Result.Err is
// set when not all are) and the methods afterwards.
type ChangeOutcome struct {
	Done    []bool
	Methods *MethodsView
	// NeedsApproval is set in approval mode: every check passed and
	// nothing was written; the change goes to the helpdesk as a ticket.
	NeedsApproval bool
}
