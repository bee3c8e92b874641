package dialogs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
)

// Verbs of the guided changes. VerbChange (cards) starts one.
const (
	VerbChangePick    = "change.pick"    // data: choice
	VerbChangeNumber  = "change.number"  // data: number (the input)
	VerbChangeConfirm = "change.confirm" // data: req
	VerbChangeCancel  = "change.cancel"  // data: req
	VerbChangeAdded   = "change.added"   // Authenticator: "I've added it"
	VerbChangeSignIn  = "change.signin"  // data: req; sign in again after a refused sign-in
)

// Data keys.
const (
	choiceKey = "choice"
	numberKey = "number"
	reqKey    = "req"
)

// ConfirmWindow is how long a preview can be confirmed.
const ConfirmWindow = 10 * time.Minute

// Change runs the guided changes of sign-in methods: a new phone number
// (including the temporary-number path for a number not known yet),
// Microsoft Authenticator on a new device, a backup method, and removing a
// method. It reads methods and checks numbers through effects, shows a
// before → after preview, and asks for a write (ApplyChange) only from a
// confirm that carries the pending request's id, from the person who started,
// within ConfirmWindow.
type Change struct {
	// Tenant is the organisation's plan: where SMS and voice codes end, a
	// phone change offers a passkey first.
	Tenant faq.Tenant
}

// ID implements [Dialog].
func (Change) ID() string { return "change" }

// Version implements [Dialog]. 2: the sign-in stage, and flows only in
// personal chats.
func (Change) Version() int { return 2 }

// Kinds of change.
const (
	kindPhone         = "phone"
	kindAuthenticator = "authenticator"
	kindBackup        = "backup"
	kindRemove        = "remove"
)

// Stages.
const (
	stageChoose      = "choose"     // what to change (from the menu)
	stageMoving      = "moving"     // asked in a group: opening the person's 1:1 chat
	stageLoading     = "loading"    // methods being read
	stageAsk         = "ask"        // a question with buttons
	stageNumber      = "number"     // waiting for a typed number
	stageChecking    = "checking"   // number being checked
	stageMode        = "mode"       // SMS or voice
	stageConfirm     = "confirm"    // preview shown
	stageSignIn      = "sign-in"    // confirmed; waiting for the person's fresh sign-in
	stageApplying    = "applying"   // the write is running
	stageTempDone    = "temp-done"  // temporary number registered; waiting for the new one
	stageWaitAdded   = "wait-added" // Authenticator: waiting for the person to add the app
	stageCheckAdd    = "check-added"
	stageRecover     = "recover" // re-reading after an interrupted write
	stageWelcomeBack = "welcome-back"
)

// applyingTimeout is how long a write may be under way before the flow
// assumes it was interrupted.
const applyingTimeout = 3 * time.Minute

type pending struct {
	ID      string     `json:"id"`  // one-time id of this confirmation; a retry gets a new one
	Key     string     `json:"key"` // the change's idempotency key, the same across retries
	Owner   string     `json:"owner"`
	Expires time.Time  `json:"expires"`
	Ops     []ChangeOp `json:"ops"`
	Done    []bool     `json:"done,omitempty"`
	Title   string     `json:"title"` // what the preview said, for the result card
	// Submit is set when the confirm came as an Action.Submit: later cards
	// are sent as new messages, since there is no clicked card to replace.
	Submit bool `json:"submit,omitempty"`
}

type changeState struct {
	Owner   string        `json:"owner,omitempty"` // who started: only they may go on
	Since   time.Time     `json:"since,omitzero"`  // when the write started (stage applying)
	Kind    string        `json:"kind"`
	Stage   string        `json:"stage"`
	Goal    string        `json:"goal,omitempty"` // phone: replace, add-as-new, temp, finish-temp
	Methods *MethodsView  `json:"methods,omitempty"`
	Known   []string      `json:"known,omitempty"` // Authenticator ids before the new device
	Slot    string        `json:"slot,omitempty"`
	Phone   *CheckedPhone `json:"phone,omitempty"`
	Temp    *PhoneView    `json:"temp,omitempty"` // the temporary number, phone flow
	Pending *pending      `json:"pending,omitempty"`
	// Typed is a new number the person sent in a message while the flow
	// waited for it (the temporary-number path), checked once the methods
	// are read again. Its key is "number", as every full number's in a
	// saved flow: ForgetNumbers finds flows by it.
	Typed string `json:"number,omitempty"`
	// Reminded is when the person was last reminded that the temporary
	// number is still registered (EventTempReminder).
	Reminded time.Time `json:"reminded,omitzero"`
}

// Next implements [Dialog]. A flow that holds a temporary number never
// ends without it: whatever would end it (another kind of change done or
// cancelled, a failed read, a write that cannot be retried), it waits for
// the new number again instead, and a change started meanwhile carries the
// number along. Only the finish that removed it, or the helpdesk approval
// that will, lets it go.
func (d Change) Next(raw json.RawMessage, in Input) Turn {
	t := d.next(raw, in)
	var before changeState
	if raw == nil || json.Unmarshal(raw, &before) != nil || before.Temp == nil || tempResolved(before, in) {
		return t
	}
	if t.Status == Waiting {
		var st changeState
		if json.Unmarshal(t.State, &st) == nil && st.Temp == nil {
			st.Temp, st.Reminded = before.Temp, before.Reminded
			t.State = mustState(st)
		}
		return t
	}
	l := in.Lang
	st := changeState{Owner: before.Owner, Kind: kindPhone, Stage: stageTempDone, Goal: "temp", Temp: before.Temp, Reminded: before.Reminded, Methods: before.Methods}
	c := cards.ResultCard(l, txtTempReminder.In(l), fmt.Sprintf(txtTempKept.In(l), st.Temp.Masked), false, nil, nil, haveNewNumber(l))
	t.Status, t.State, t.Pass = Waiting, mustState(st), false
	t.Replies = append(t.Replies, cards.Message{Card: c})
	return t
}

// tempResolved reports the turn whose result removed the temporary number
// (the finish's write), or handed its removal to the helpdesk.
func tempResolved(before changeState, in Input) bool {
	r := in.Result
	if in.Kind != ResultInput || r == nil || r.Err != nil || before.Goal != "finish-temp" {
		return false
	}
	if r.Effect == (OpenTicket{}).EffectName() {
		return true
	}
	out, _ := r.Value.(ChangeOutcome)
	return r.Effect == (ApplyChange{}).EffectName() && !out.NeedsApproval
}

func (d Change) next(raw json.RawMessage, in Input) Turn {
	var st changeState
	if raw != nil {
		if json.Unmarshal(raw, &st) != nil {
			return Turn{Status: Cancelled, Pass: true}
		}
	}
	l := in.Lang
	if in.Kind == TextInput && in.Verb != "" {
		in.Kind = SubmitInput // a typed command ("サインイン方法を変更する") acts as its button
	}
	if raw != nil && st.Owner != "" && in.Kind != ResultInput && in.Kind != EventInput && !sameUser(in.User, st.Owner) {
		// Someone else in a group chat: the flow is not theirs to steer.
		if in.Kind == TextInput && in.Verb == "" {
			return Turn{Status: Waiting, State: raw, Pass: true}
		}
		return d.refuse(st, raw, in, txtNotYours)
	}
	if st.Stage == stageApplying && in.Kind != ResultInput && in.Kind != EventInput && in.Now.Sub(st.Since) > applyingTimeout {
		// The write was interrupted (the process stopped mid-way): find out
		// what the methods are now and offer the rest again.
		st.Stage = stageRecover
		return wait(st, []cards.Message{{Text: txtInterrupted.In(l)}}, LoadMethods{})
	}
	switch in.Kind {
	case ResultInput:
		return d.result(st, in)
	case EventInput:
		if in.Event == EventTempReminder && raw != nil {
			return d.remind(st, raw, in)
		}
		return Turn{Status: Waiting, State: raw}
	case TextInput:
		if st.Stage == stageNumber {
			// 「新しい番号は080-3344-5566です」: the number in the sentence.
			n, _ := numberIn(in.Text)
			in.Data = map[string]string{numberKey: n}
			return d.number(st, in)
		}
		if n, ok := numberIn(in.Text); ok && st.Stage == stageTempDone && st.Temp != nil && aboutANumber(in.Text, n) {
			// The new number, sent as a message when the person came back.
			st.Stage, st.Typed = stageWelcomeBack, n
			return wait(st, []cards.Message{{Text: txtReading.In(l)}}, LoadMethods{})
		}
		// Anything else typed mid-flow is a new question; the flow waits.
		if raw == nil {
			return Turn{Status: Cancelled, Pass: true}
		}
		return Turn{Status: Waiting, State: raw, Pass: true}
	case SubmitInput:
	default:
		return Turn{Status: Cancelled}
	}

	switch in.Verb {
	case cards.VerbChange:
		if k := in.Data[cards.KindKey]; st.Temp != nil && st.Stage != stageApplying && (k == "" || k == kindPhone || k == "change-phone") {
			// Back with the new number, at whatever step they left: the
			// temporary number is not forgotten by starting afresh.
			st.Stage = stageWelcomeBack
			return wait(st, []cards.Message{{Text: txtReading.In(l)}}, LoadMethods{})
		}
		return d.start(in.Data[cards.KindKey], in)
	case VerbChangePick:
		return d.pick(st, in)
	case VerbChangeNumber:
		return d.number(st, in)
	case VerbChangeConfirm:
		return d.confirm(st, raw, in)
	case VerbChangeCancel:
		return d.cancel(st, raw, in)
	case VerbChangeSignIn:
		return d.signInAgain(st, raw, in)
	case VerbChangeAdded:
		if st.Kind != kindAuthenticator || st.Stage != stageWaitAdded {
			return d.stale(st, raw, l)
		}
		st.Stage = stageCheckAdd
		return wait(st, nil, LoadMethods{})
	}
	return d.stale(st, raw, l)
}

// start begins a change of the given kind ("" asks which). Outside the
// person's 1:1 chat it moves there first.
func (d Change) start(kind string, in Input) Turn {
	if in.Scope != Personal && in.Scope != "" {
		var data map[string]string
		if kind != "" {
			data = map[string]string{cards.KindKey: kind}
		}
		return wait(changeState{Owner: ownerOf(in.User), Stage: stageMoving}, []cards.Message{{Text: txtMovedToPersonal.In(in.Lang)}},
			MoveToPersonal{Verb: cards.VerbChange, Data: data})
	}
	switch kind {
	case "change-phone", kindPhone:
		kind = kindPhone
		if in.Data[continueKey] != "1" && d.Tenant.PhoneCodesEnded(in.Now) {
			return d.passkeyFirst(in)
		}
	case "change-authenticator", kindAuthenticator:
		kind = kindAuthenticator
	case "add-method", kindBackup:
		kind = kindBackup
	case "remove-method", kindRemove:
		kind = kindRemove
	default:
		l := in.Lang
		c := cards.ChoiceCard(l, txtWhatChange.In(l), txtWhatChangeBody.In(l), nil, []cards.Button{
			pickButton(l, txtKindPhone, kindPhone), pickButton(l, txtKindAuthenticator, kindAuthenticator),
			pickButton(l, txtKindBackup, kindBackup), pickButton(l, txtKindRemove, kindRemove),
		}, humanButton(l))
		return wait(changeState{Owner: ownerOf(in.User), Stage: stageChoose}, []cards.Message{{Card: c}})
	}
	return wait(changeState{Owner: ownerOf(in.User), Kind: kind, Stage: stageLoading}, []cards.Message{{Text: txtReading.In(in.Lang)}}, LoadMethods{})
}

// continueKey on a phone change's button says the person chose it over
// the passkey offered first.
const continueKey = "continue"

// passkeyFirst says, once the tenant's SMS and voice codes have ended,
// that a new number won't help anyone sign in, and offers a passkey first,
// the phone change second. (Before the date, the answers that lead here
// carry the notice and a passkey button already.)
func (d Change) passkeyFirst(in Input) Turn {
	l := in.Lang
	c := cards.ChoiceCard(l, txtKindPhone.In(l), txtPhoneEnded.In(l), nil, []cards.Button{
		{Title: txtMenuPasskey.In(l), Verb: cards.VerbPasskey},
		{Title: txtPhoneAnyway.In(l), Verb: cards.VerbChange, Data: map[string]string{cards.KindKey: kindPhone, continueKey: "1"}},
	}, humanButton(l))
	return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
}

func ownerOf(u User) string {
	if u.AADObjectID != "" {
		return u.AADObjectID
	}
	return u.ID
}

// result handles what an effect came back with.
func (d Change) result(st changeState, in Input) Turn {
	l := in.Lang
	res := in.Result
	switch res.Effect {
	case LoadMethods{}.EffectName():
		if res.Err != nil {
			return problemEnd(l, res.Err)
		}
		m, _ := res.Value.(MethodsView)
		st.Methods = &m
		switch st.Stage {
		case stageCheckAdd:
			return d.deviceAdded(st, l)
		case stageWelcomeBack:
			return d.welcomeBack(st, l)
		case stageRecover:
			return d.recovered(st, in)
		}
		return d.afterLoad(st, l)
	case CheckPhone{}.EffectName():
		if res.Err != nil {
			st.Stage = stageNumber
			return wait(st, []cards.Message{{Card: d.numberCard(st, l, ProblemText(l, res.Err))}})
		}
		p, _ := res.Value.(CheckedPhone)
		if p.Registered != "" {
			// The number they have now (typed by habit), or one already in
			// another slot: writing it would change nothing or duplicate it.
			msg := fmt.Sprintf(txtAlreadyThere.In(l), slotName(l, p.Registered))
			switch {
			case st.Goal == "finish-temp" && p.Registered == st.Temp.Slot:
				msg = txtIsTemporary.In(l)
			case p.Registered == st.Slot:
				msg = txtSameAsCurrent.In(l)
			}
			st.Stage = stageNumber
			return wait(st, []cards.Message{{Card: d.numberCard(st, l, msg)}})
		}
		st.Phone = &p
		if st.Slot == "office" || !p.CanSMS {
			return d.preview(st, in, false)
		}
		st.Stage = stageMode
		c := cards.ChoiceCard(l, txtModeTitle.In(l), fmt.Sprintf(txtModeBody.In(l), p.Masked), nil, []cards.Button{
			pickButton(l, txtModeSMS, "sms"), pickButton(l, txtModeVoice, "voice"),
		}, cancelButton(l, ""))
		return wait(st, []cards.Message{{Card: c}})
	case ApplyChange{}.EffectName():
		return d.applied(st, in)
	case OpenTicket{}.EffectName():
		return d.sentForApproval(st, in)
	case BeginStepUp{}.EffectName():
		return d.signInStarted(st, in)
	case MoveToPersonal{}.EffectName():
		if res.Err != nil {
			return Turn{Status: Complete, Replies: []cards.Message{{Text: txtMoveFailed.In(l)}}}
		}
		return Turn{Status: Complete}
	case StepUpOutcomeEffect:
		return d.signedIn(st, in)
	}
	return wait(st, nil)
}

// sentForApproval reports the ticket an approval-mode change became.
func (d Change) sentForApproval(st changeState, in Input) Turn {
	l, p := in.Lang, st.Pending
	if p == nil {
		return Turn{Status: Cancelled}
	}
	if in.Result.Err != nil {
		c := cards.ResultCard(l, txtNothingChanged.In(l), ProblemText(l, in.Result.Err), true, nil, nil)
		return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}, Update: previewCard(l, in.Now, *st.Methods, p, txtNothingChanged.In(l))}
	}
	t, _ := in.Result.Value.(Ticket)
	c := cards.ResultCard(l, txtApprovalTitle.In(l), fmt.Sprintf(txtApprovalBody.In(l), t.ID), false, nil, nil)
	return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}, Update: previewCard(l, in.Now, *st.Methods, p, txtApprovalTitle.In(l))}
}

// afterLoad shows the methods and the first question of the flow.
func (d Change) afterLoad(st changeState, l cards.Lang) Turn {
	m := *st.Methods
	facts := methodFacts(l, m)
	switch st.Kind {
	case kindPhone:
		st.Stage = stageAsk
		c := cards.ChoiceCard(l, txtPhoneTitle.In(l), txtPhoneAsk.In(l), facts, []cards.Button{
			pickButton(l, txtNewKnown, "known"), pickButton(l, txtNewUnknown, "unknown"), pickButton(l, txtSameNumber, "same"),
		}, cancelButton(l, ""))
		return wait(st, []cards.Message{{Card: c}})
	case kindBackup:
		st.Stage = stageAsk
		var choices []cards.Button
		if _, ok := m.phone("mobile"); !ok {
			choices = append(choices, pickButton(l, txtSlotMobile, "mobile"))
		} else if _, ok := m.phone("alternateMobile"); !ok {
			choices = append(choices, pickButton(l, txtSlotAlternate, "alternateMobile"))
		}
		if _, ok := m.phone("office"); !ok {
			choices = append(choices, pickButton(l, txtSlotOffice, "office"))
		}
		body := txtBackupBody.In(l)
		if len(choices) == 0 {
			body = txtBackupFull.In(l)
		}
		c := cards.ChoiceCard(l, txtBackupTitle.In(l), body, facts, choices, cancelButton(l, ""))
		c.Actions = append([]cards.Action{{Type: "Action.OpenUrl", Title: txtAddAppAt.In(l), URL: cards.MySecurityInfoURL}}, c.Actions...)
		return wait(st, []cards.Message{{Card: c}})
	case kindRemove:
		st.Stage = stageAsk
		var choices []cards.Button
		for _, p := range m.Phones {
			choices = append(choices, pickButton(l, cards.Text{JA: slotName(cards.Japanese, p.Slot) + " " + p.Masked, EN: slotName(cards.English, p.Slot) + " " + p.Masked}, "phone:"+p.Slot))
		}
		for _, dv := range m.Devices {
			choices = append(choices, pickButton(l, cards.Text{JA: "Authenticator: " + deviceName(cards.Japanese, dv), EN: "Authenticator: " + deviceName(cards.English, dv)}, "device:"+dv.ID))
		}
		for _, o := range m.Others {
			if o.Removable {
				choices = append(choices, pickButton(l, cards.Text{
					JA: otherKindName(cards.Japanese, o.Kind) + ": " + otherName(cards.Japanese, m, o),
					EN: otherKindName(cards.English, o.Kind) + ": " + otherName(cards.English, m, o)}, "other:"+o.Kind+":"+o.ID))
			}
		}
		c := cards.ChoiceCard(l, txtRemoveTitle.In(l), txtRemoveBody.In(l), facts, choices, cancelButton(l, ""), humanButton(l))
		return wait(st, []cards.Message{{Card: c}})
	case kindAuthenticator:
		st.Stage = stageWaitAdded
		st.Known = nil
		for _, dv := range m.Devices {
			st.Known = append(st.Known, dv.ID)
		}
		c := cards.ResultCard(l, txtAuthTitle.In(l), txtAuthSteps.In(l), false, facts,
			[]cards.Link{{Title: txtOpenSecurity.In(l), URL: cards.MySecurityInfoURL}},
			cards.Button{Title: txtAddedIt.In(l), Verb: VerbChangeAdded}, cancelButton(l, ""))
		return wait(st, []cards.Message{{Card: c}})
	}
	return Turn{Status: Cancelled}
}

// pick handles a choice button.
func (d Change) pick(st changeState, in Input) Turn {
	l := in.Lang
	choice := in.Data[choiceKey]
	switch {
	case st.Stage == stageChoose:
		return d.start(choice, in)
	case st.Stage == stageMode && st.Phone != nil && (choice == "sms" || choice == "voice"):
		return d.preview(st, in, choice == "sms")
	case st.Stage != stageAsk || st.Methods == nil:
		return d.stale(st, mustState(st), l)
	}
	m := *st.Methods
	switch st.Kind {
	case kindPhone:
		switch choice {
		case "same":
			c := cards.ResultCard(l, txtSameTitle.In(l), txtSameBody.In(l), false, nil, nil,
				cards.Button{Title: txtKindAuthenticator.In(l), Verb: cards.VerbChange, Data: map[string]string{cards.KindKey: kindAuthenticator}})
			return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
		case "known":
			st.Goal, st.Slot = "replace", "mobile"
			if _, ok := m.phone("mobile"); !ok {
				st.Goal = "add"
			}
			if len(m.Phones) > 1 {
				// Several numbers: ask which one changes.
				var choices []cards.Button
				for _, p := range m.Phones {
					choices = append(choices, pickButton(l, cards.Text{JA: slotName(cards.Japanese, p.Slot) + " " + p.Masked, EN: slotName(cards.English, p.Slot) + " " + p.Masked}, "slot:"+p.Slot))
				}
				st.Goal = "replace-which"
				c := cards.ChoiceCard(l, txtWhichNumber.In(l), "", nil, choices, cancelButton(l, ""))
				return wait(st, []cards.Message{{Card: c}})
			}
		case "slot:mobile", "slot:alternateMobile", "slot:office":
			if st.Goal != "replace-which" {
				return d.stale(st, mustState(st), l)
			}
			st.Goal, st.Slot = "replace", strings.TrimPrefix(choice, "slot:")
		case "unknown":
			st.Goal, st.Slot = "temp", "office"
			if _, ok := m.phone("office"); ok {
				st.Slot = "alternateMobile"
			}
		default:
			return d.stale(st, mustState(st), l)
		}
	case kindBackup:
		if choice != "mobile" && choice != "alternateMobile" && choice != "office" {
			return d.stale(st, mustState(st), l)
		}
		st.Goal, st.Slot = "add", choice
	case kindRemove:
		return d.removePreview(st, in, choice)
	}
	st.Stage = stageNumber
	return wait(st, []cards.Message{{Card: d.numberCard(st, l, "")}})
}

func (d Change) numberCard(st changeState, l cards.Lang, problem string) *cards.Card {
	body := txtNumberBody.In(l)
	if st.Goal == "temp" {
		body = txtTempBody.In(l)
	}
	return cards.FormCard(l, fmt.Sprintf(txtNumberTitle.In(l), slotName(l, st.Slot)), body, problem,
		cards.InputText{ID: numberKey, Label: txtNumberLabel.In(l), Placeholder: "090-1234-5678", IsRequired: true,
			ErrorMsg: txtNumberRequired.In(l), Style: "Tel", MaxLength: 40},
		cards.Button{Title: txtNext.In(l), Verb: VerbChangeNumber}, cancelButton(l, ""))
}

// number receives a typed number and asks the runner to check it.
func (d Change) number(st changeState, in Input) Turn {
	if st.Stage != stageNumber {
		return d.stale(st, mustState(st), in.Lang)
	}
	n := strings.TrimSpace(in.Data[numberKey])
	if n == "" {
		return wait(st, []cards.Message{{Card: d.numberCard(st, in.Lang, txtNumberRequired.In(in.Lang))}})
	}
	st.Stage = stageChecking
	return wait(st, nil, CheckPhone{Input: n, Slot: st.Slot})
}

// preview builds the pending change and shows it for confirmation.
func (d Change) preview(st changeState, in Input, sms bool) Turn {
	m := *st.Methods
	p := *st.Phone
	var ops []ChangeOp
	switch st.Goal {
	case "replace":
		ops = []ChangeOp{{Op: OpChangePhone, Slot: st.Slot, Number: p.Number, Display: p.Display, Masked: p.Masked, SMS: sms}}
	case "add", "temp":
		ops = []ChangeOp{{Op: OpAddPhone, Slot: st.Slot, Number: p.Number, Display: p.Display, Masked: p.Masked, SMS: sms}}
	case "finish-temp":
		// Safe order: the new number exists before the temporary one goes.
		first := ChangeOp{Op: OpAddPhone, Slot: "mobile", Number: p.Number, Display: p.Display, Masked: p.Masked, SMS: sms}
		if _, ok := m.phone("mobile"); ok {
			first.Op = OpChangePhone
		}
		ops = []ChangeOp{first, {Op: OpDeletePhone, Slot: st.Temp.Slot, Masked: st.Temp.Masked}}
	}
	return d.showPreview(st, in, ops)
}

func (d Change) removePreview(st changeState, in Input, choice string) Turn {
	l := in.Lang
	m := *st.Methods
	var op ChangeOp
	switch {
	case strings.HasPrefix(choice, "phone:"):
		p, ok := m.phone(strings.TrimPrefix(choice, "phone:"))
		if !ok {
			return d.stale(st, mustState(st), l)
		}
		op = ChangeOp{Op: OpDeletePhone, Slot: p.Slot, Masked: p.Masked}
	case strings.HasPrefix(choice, "device:"):
		id := strings.TrimPrefix(choice, "device:")
		for _, dv := range m.Devices {
			if dv.ID == id {
				op = ChangeOp{Op: OpDeleteMethod, MethodKind: "microsoftAuthenticator", MethodID: id, Name: deviceName(l, dv)}
			}
		}
	case strings.HasPrefix(choice, "other:"):
		kind, id, _ := strings.Cut(strings.TrimPrefix(choice, "other:"), ":")
		for _, o := range m.Others {
			if o.ID == id && o.Kind == kind && o.Removable {
				op = ChangeOp{Op: OpDeleteMethod, MethodKind: kind, MethodID: id, Name: o.Kind + " " + o.Name}
			}
		}
	}
	if op.Op == "" {
		return d.stale(st, mustState(st), l)
	}
	if m.MFACapable <= 1 {
		// The last way to sign in: removing it would lock the person out.
		c := cards.ResultCard(l, txtLastTitle.In(l), txtLastBody.In(l), true, methodFacts(l, m), nil, humanButton(l))
		return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
	}
	return d.showPreview(st, in, []ChangeOp{op})
}

func (d Change) showPreview(st changeState, in Input, ops []ChangeOp) Turn {
	l := in.Lang
	id := requestID(in)
	st.Pending = &pending{ID: id, Key: id, Owner: st.Owner, Expires: in.Now.Add(ConfirmWindow), Ops: ops, Title: previewTitle(l, ops, nil)}
	st.Stage = stageConfirm
	return wait(st, []cards.Message{{Card: previewCard(l, in.Now, *st.Methods, st.Pending, "")}})
}

// confirm is the only place a write is asked for.
func (d Change) confirm(st changeState, raw json.RawMessage, in Input) Turn {
	l := in.Lang
	p := st.Pending
	req := in.Data[reqKey]
	switch {
	case p == nil || st.Stage != stageConfirm || req != p.ID:
		return d.refuse(st, raw, in, txtNoLongerValid)
	case !sameUser(in.User, p.Owner):
		return d.refuse(st, raw, in, txtNotYours)
	case !in.Now.Before(p.Expires):
		return d.expired(st, l, in.Now)
	}
	p.Submit = !in.Execute
	return d.beginSignIn(st, in)
}

// expired ends a flow whose confirmation ran out.
func (d Change) expired(st changeState, l cards.Lang, now time.Time) Turn {
	p := st.Pending
	if st.Temp != nil {
		return d.backToTemp(st, Input{Lang: l, Now: now}, txtExpiredTitle.In(l))
	}
	c := cards.ResultCard(l, txtExpiredTitle.In(l), txtExpiredBody.In(l), true, nil, nil,
		cards.Button{Title: txtStartAgain.In(l), Verb: cards.VerbChange, Data: map[string]string{cards.KindKey: st.Kind}})
	return Turn{Status: Cancelled, Replies: []cards.Message{{Card: c}}, Update: previewCard(l, now, *st.Methods, p, txtExpiredTitle.In(l))}
}

// beginSignIn asks for the person's fresh sign-in before the write: a
// Teams session alone must never be enough to change how they sign in.
func (d Change) beginSignIn(st changeState, in Input) Turn {
	p := st.Pending
	st.Stage = stageSignIn
	return Turn{Status: Waiting, State: mustState(st), Effects: []Effect{BeginStepUp{Owner: p.Owner, Key: p.Key, Expires: p.Expires}},
		Update: previewCard(in.Lang, in.Now, *st.Methods, p, txtSignInPreparing.In(in.Lang))}
}

// signInStarted shows the sign-in button, or goes ahead when a sign-in
// already covers this change (a retry of what is left, step-up off).
func (d Change) signInStarted(st changeState, in Input) Turn {
	l := in.Lang
	p := st.Pending
	if st.Stage != stageSignIn || p == nil {
		return wait(st, nil)
	}
	if in.Result.Err != nil {
		t := problemEnd(l, in.Result.Err)
		t.Update = previewCard(l, in.Now, *st.Methods, p, txtNothingChanged.In(l))
		return t
	}
	started, _ := in.Result.Value.(StepUpStarted)
	if started.Done {
		return d.apply(st, in)
	}
	body := p.Title + "\n\n" + fmt.Sprintf(txtSignInBody.In(l), clock(l, p.Expires, in.Now))
	c := signInCard(l, *st.Methods, p, txtSignInTitle.In(l), body, false, nil)
	c.Actions = append([]cards.Action{{Type: "Action.OpenUrl", Title: txtSignInButton.In(l), URL: started.URL, Style: "positive"}}, c.Actions...)
	return d.show(st, c)
}

// signedIn takes the outcome of the sign-in, delivered from the browser's
// callback: the write goes ahead only on cards.SignInOK for this change.
func (d Change) signedIn(st changeState, in Input) Turn {
	l := in.Lang
	p := st.Pending
	o, _ := in.Result.Value.(StepUpOutcome)
	switch {
	case p == nil || st.Stage != stageSignIn || o.Key != p.Key:
		return Turn{Status: Waiting, State: mustState(st), Replies: []cards.Message{{Text: txtSignInNotWaiting.In(l)}}}
	case !in.Now.Before(p.Expires):
		return d.expired(st, l, in.Now)
	case o.Verdict == cards.SignInOK:
		return d.apply(st, in)
	}
	title, body := cards.SignInOutcome(o.Verdict)
	again := cards.Button{Title: txtSignInAgain.In(l), Verb: VerbChangeSignIn, Data: map[string]string{reqKey: p.ID}}
	return d.show(st, signInCard(l, *st.Methods, p, title.In(l), body.In(l), true, &again))
}

// signInAgain starts another sign-in after a refused one.
func (d Change) signInAgain(st changeState, raw json.RawMessage, in Input) Turn {
	p := st.Pending
	switch {
	case p == nil || st.Stage != stageSignIn || in.Data[reqKey] != p.ID:
		return d.refuse(st, raw, in, txtNoLongerValid)
	case !sameUser(in.User, p.Owner):
		return d.refuse(st, raw, in, txtNotYours)
	case !in.Now.Before(p.Expires):
		return d.expired(st, in.Lang, in.Now)
	}
	return d.beginSignIn(st, in)
}

// apply asks for the write: the only place ApplyChange is emitted, after
// a confirm and a sign-in that proved the person.
func (d Change) apply(st changeState, in Input) Turn {
	p := st.Pending
	st.Stage, st.Since = stageApplying, in.Now
	fx := ApplyChange{Key: p.Key, Owner: p.Owner, Ops: p.Ops, Skip: p.Done}
	return Turn{Status: Waiting, State: mustState(st), Effects: []Effect{fx},
		Update: previewCard(in.Lang, in.Now, *st.Methods, p, txtApplying.In(in.Lang))}
}

// show puts a card of the sign-in stage in place of the clicked one, or
// sends it when the confirm was an Action.Submit.
func (d Change) show(st changeState, c *cards.Card) Turn {
	if st.Pending.Submit {
		return wait(st, []cards.Message{{Card: c}})
	}
	return Turn{Status: Waiting, State: mustState(st), Update: c}
}

// signInCard is the preview with the sign-in's own title and words, and
// Cancel; retry, when set, is the positive button.
func signInCard(l cards.Lang, m MethodsView, p *pending, title, body string, attention bool, retry *cards.Button) *cards.Card {
	cancel := cancelButton(l, p.ID)
	c := cards.PreviewCard(l, title, body, methodFacts(l, m), afterFacts(l, m, leftOps(p), false), txtBefore.In(l), txtAfter.In(l), retry, &cancel, "")
	if attention {
		if tb, ok := c.Body[1].(cards.TextBlock); ok {
			tb.Color = "Attention"
			c.Body[1] = tb
		}
	}
	return c
}

func (d Change) cancel(st changeState, raw json.RawMessage, in Input) Turn {
	l := in.Lang
	req := in.Data[reqKey]
	if raw == nil || (req != "" && (st.Pending == nil || req != st.Pending.ID)) {
		return d.stale(st, raw, l) // a Cancel from an older preview
	}
	if st.Stage == stageApplying {
		return d.refuse(st, raw, in, txtTooLate)
	}
	if st.Temp != nil {
		return d.backToTemp(st, in, txtCancelledTitle.In(l))
	}
	t := Turn{Status: Cancelled, Replies: []cards.Message{{Text: txtCancelled.In(l)}}}
	if st.Pending != nil && in.Execute && st.Methods != nil {
		t.Update = previewCard(l, in.Now, *st.Methods, st.Pending, txtCancelled.In(l))
	}
	return t
}

// refuse answers a click that must change nothing, keeping the flow as it was.
func (d Change) refuse(st changeState, raw json.RawMessage, in Input, why cards.Text) Turn {
	t := Turn{Status: Waiting, State: raw, Replies: []cards.Message{{Text: why.In(in.Lang)}}}
	if raw == nil {
		t.Status = Cancelled
	}
	return t
}

// stale answers a button from an old card.
func (d Change) stale(st changeState, raw json.RawMessage, l cards.Lang) Turn {
	t := Turn{Status: Waiting, State: raw, Replies: []cards.Message{{Text: txtNoLongerValid.In(l)}}}
	if raw == nil {
		t.Status = Cancelled
	}
	return t
}

// applied reports the outcome of a write.
func (d Change) applied(st changeState, in Input) Turn {
	l := in.Lang
	out, _ := in.Result.Value.(ChangeOutcome)
	p := st.Pending
	if p == nil {
		return Turn{Status: Cancelled}
	}
	if out.NeedsApproval && in.Result.Err == nil {
		// Approval mode: nothing was written; the helpdesk decides.
		// The ticket keeps the number Graph needs, not a display copy.
		ops := slices.Clone(p.Ops)
		for i := range ops {
			ops[i].Display = ""
		}
		pending := ApplyChange{Key: p.Key, Owner: p.Owner, Ops: ops, Skip: p.Done}
		return Turn{Status: Waiting, State: mustState(st), Effects: []Effect{OpenTicket{
			Topic: ChangeTopic(HelpdeskLang), Lang: l, Pending: &pending, PendingText: OpLines(HelpdeskLang, p.Ops)}}}
	}
	// The confirmed preview, updated in place with the outcome: built before
	// this attempt's ops count as done, so "after" shows what was confirmed.
	var doneNow bool
	for i := range out.Done {
		doneNow = doneNow || (out.Done[i] && (i >= len(p.Done) || !p.Done[i]))
	}
	status := txtDoneTitle.In(l)
	switch {
	case in.Result.Err != nil && (doneNow || anyDone(p.Done)):
		status = txtPartly.In(l)
	case in.Result.Err != nil:
		status = txtNothingChanged.In(l)
	}
	update := previewCard(l, in.Now, *st.Methods, p, status)
	before := slices.Clone(p.Done)
	// Done so far: this attempt's and earlier ones'.
	if len(p.Done) < len(p.Ops) {
		p.Done = append(p.Done, make([]bool, len(p.Ops)-len(p.Done))...)
	}
	for i := range p.Ops {
		if i < len(out.Done) && out.Done[i] {
			p.Done[i] = true
		}
	}
	if out.Methods != nil {
		st.Methods = out.Methods
	}
	facts := methodFacts(l, *st.Methods)
	t := d.outcome(st, in, p, facts)
	t.Update = update
	if done := doneNowOps(p.Ops, before, out.Done); len(done) > 0 {
		// Told here and by email, whatever else happened.
		var what []cards.Text
		var lines []string
		for _, op := range done {
			what = append(what, cards.Text{JA: opLine(cards.Japanese, op), EN: opLine(cards.English, op)})
			lines = append(lines, opLine(l, op))
		}
		t.Replies = append(t.Replies, cards.Message{Card: cards.SecurityNotice(l, cards.NoticeChange, lines, in.Now)})
		t.Effects = append(t.Effects, Notify{Owner: p.Owner, Kind: cards.NoticeChange, What: what})
	}
	return t
}

// doneNowOps are the ops this attempt did: done now, not before.
func doneNowOps(ops []ChangeOp, before, now []bool) []ChangeOp {
	var out []ChangeOp
	for i, op := range ops {
		if i < len(now) && now[i] && (i >= len(before) || !before[i]) {
			out = append(out, op)
		}
	}
	return out
}

// outcome is what follows a write: the result, the next step of the
// temporary-number path, or a retry of what is left.
func (d Change) outcome(st changeState, in Input, p *pending, facts []cards.Fact) Turn {
	l := in.Lang
	if in.Result.Err == nil {
		if st.Goal == "temp" {
			st.Temp = &PhoneView{Slot: p.Ops[0].Slot, Masked: p.Ops[0].Masked}
			st.Pending, st.Phone, st.Stage = nil, nil, stageTempDone
			c := cards.ResultCard(l, txtTempDoneTitle.In(l), txtTempDoneBody.In(l), false, facts, nil,
				haveNewNumber(l))
			return wait(st, []cards.Message{{Card: c}})
		}
		body, next := doneBody(st, l)
		c := cards.ResultCard(l, txtDoneTitle.In(l), body, false, facts,
			[]cards.Link{{Title: txtOpenSecurity.In(l), URL: cards.MySecurityInfoURL}}, next...)
		return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
	}
	// Nothing or part done: say exactly which, and offer the rest again.
	doneAny := anyDone(p.Done)
	msg := ProblemText(l, in.Result.Err)
	title := txtNothingChanged.In(l)
	if doneAny {
		title = txtPartly.In(l)
		var done, left []string
		for i, op := range p.Ops {
			if i < len(p.Done) && p.Done[i] {
				done = append(done, opLine(l, op))
			} else {
				left = append(left, opLine(l, op))
			}
		}
		msg = fmt.Sprintf(txtPartlyBody.In(l), strings.Join(done, "、"), strings.Join(left, "、"), msg)
	}
	retryable := true
	if pr, ok := in.Result.Err.(*Problem); ok {
		retryable = pr.Retryable
	}
	if !retryable {
		c := cards.ResultCard(l, title, msg, true, facts, nil, humanButton(l))
		return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
	}
	// A new confirmation for what is left; the old one is used up. The key
	// stays, so nothing done under it is done again.
	p.ID = requestID(in)
	p.Expires = in.Now.Add(ConfirmWindow)
	p.Title = previewTitle(l, p.Ops, p.Done)
	st.Stage = stageConfirm
	c := cards.ResultCard(l, title, msg, true, facts, nil, humanButton(l))
	return wait(st, []cards.Message{{Card: c}, {Card: previewCard(l, in.Now, *st.Methods, p, "")}})
}

// welcomeBack continues the temporary-number path when the person returns
// with the new number.
func (d Change) welcomeBack(st changeState, l cards.Lang) Turn {
	st.Goal, st.Slot, st.Stage = "finish-temp", "mobile", stageNumber
	if n := st.Typed; n != "" {
		// They sent the number itself: check it at once.
		st.Typed, st.Stage = "", stageChecking
		return wait(st, []cards.Message{{Text: fmt.Sprintf(txtWelcomeBack.In(l), st.Temp.Masked)}}, CheckPhone{Input: n, Slot: st.Slot})
	}
	c := d.numberCard(st, l, "")
	return wait(st, []cards.Message{{Text: fmt.Sprintf(txtWelcomeBack.In(l), st.Temp.Masked)}, {Card: c}})
}

// deviceAdded looks for the new Authenticator device.
func (d Change) deviceAdded(st changeState, l cards.Lang) Turn {
	var fresh, old []DeviceView
	for _, dv := range st.Methods.Devices {
		known := false
		for _, id := range st.Known {
			known = known || id == dv.ID
		}
		if known {
			old = append(old, dv)
		} else {
			fresh = append(fresh, dv)
		}
	}
	if len(fresh) == 0 {
		st.Stage = stageWaitAdded
		c := cards.ResultCard(l, txtNotYetTitle.In(l), txtNotYetBody.In(l), true, methodFacts(l, *st.Methods),
			[]cards.Link{{Title: txtOpenSecurity.In(l), URL: cards.MySecurityInfoURL}},
			cards.Button{Title: txtAddedIt.In(l), Verb: VerbChangeAdded}, cancelButton(l, ""))
		return wait(st, []cards.Message{{Card: c}})
	}
	names := make([]string, len(fresh))
	for i, dv := range fresh {
		names[i] = deviceName(l, dv)
	}
	found := fmt.Sprintf(txtFoundDevice.In(l), strings.Join(names, ", "))
	if len(old) == 0 {
		c := cards.ResultCard(l, txtDoneTitle.In(l), found+" "+txtNoOldDevice.In(l), false, methodFacts(l, *st.Methods), nil)
		return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
	}
	// Removing the old device reuses the removal flow; Goal remembers to
	// remind the person about the old phone's app at the end.
	st.Kind, st.Stage, st.Goal = kindRemove, stageAsk, "auth-cleanup"
	var choices []cards.Button
	for _, dv := range old {
		choices = append(choices, pickButton(l, cards.Text{JA: fmt.Sprintf(txtRemoveOld.JA, deviceName(cards.Japanese, dv)), EN: fmt.Sprintf(txtRemoveOld.EN, deviceName(cards.English, dv))}, "device:"+dv.ID))
	}
	c := cards.ChoiceCard(l, found, txtRemoveOldBody.In(l), methodFacts(l, *st.Methods), choices,
		cards.Button{Title: txtKeepAll.In(l), Verb: VerbChangeCancel})
	return wait(st, []cards.Message{{Card: c}})
}

func wait(st changeState, replies []cards.Message, effects ...Effect) Turn {
	return Turn{Status: Waiting, State: mustState(st), Replies: replies, Effects: effects}
}

func mustState(st changeState) json.RawMessage {
	b, _ := json.Marshal(st)
	return b
}

// requestID derives a one-time id for a confirmation from the activity
// that created it: unique per activity, and pure (no randomness here).
func requestID(in Input) string {
	h := sha256.Sum256([]byte(in.ActivityID + "|" + in.User.ID + "|" + in.Now.Format(time.RFC3339Nano)))
	return "chg-" + hex.EncodeToString(h[:8])
}

// sameUser reports whether u is the owner a flow saved (see ownerOf).
func sameUser(u User, owner string) bool {
	return owner != "" && sameAccount(u, User{AADObjectID: owner, ID: owner})
}

func problemEnd(l cards.Lang, err error) Turn {
	c := cards.ResultCard(l, txtNothingChanged.In(l), ProblemText(l, err), true, nil, nil, humanButton(l))
	return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
}

func pickButton(l cards.Lang, t cards.Text, choice string) cards.Button {
	return cards.Button{Title: t.In(l), Verb: VerbChangePick, Data: map[string]string{choiceKey: choice}}
}

func cancelButton(l cards.Lang, req string) cards.Button {
	b := cards.Button{Title: txtCancel.In(l), Verb: VerbChangeCancel}
	if req != "" {
		b.Data = map[string]string{reqKey: req}
	}
	return b
}

// leftOps are the ops of p not done yet.
func leftOps(p *pending) []ChangeOp {
	var left []ChangeOp
	for i, op := range p.Ops {
		if i >= len(p.Done) || !p.Done[i] {
			left = append(left, op)
		}
	}
	return left
}

// previewCard shows p's changes; now is the turn's time, in the
// organisation's zone.
//
// While it can be confirmed, "after" shows a new number whole: the card
// is in the person's own chat (the flows run nowhere else), and a typo
// must be caught before it becomes their sign-in number. Answered by its
// own buttons, the card is replaced by one that shows it masked, as every
// other card, log and audit entry does; a preview left alone (or answered
// by typing) keeps it, in the person's own chat only: the bot does not
// know the card's id to replace it (see issue 20's old cards).
func previewCard(l cards.Lang, now time.Time, m MethodsView, p *pending, status string) *cards.Card {
	after := afterFacts(l, m, leftOps(p), status == "")
	var confirm, cancel *cards.Button
	if status == "" {
		confirm = &cards.Button{Title: txtConfirm.In(l), Verb: VerbChangeConfirm, Data: map[string]string{reqKey: p.ID}}
		c := cancelButton(l, p.ID)
		cancel = &c
	}
	body, title := "", p.Title
	if status == "" { // the instructions matter only while it can be confirmed
		body = fmt.Sprintf(txtPreviewBody.In(l), clock(l, p.Expires, now))
		title = previewTitleWhole(l, p.Ops, p.Done)
	}
	return cards.PreviewCard(l, title, body, methodFacts(l, m), after, txtBefore.In(l), txtAfter.In(l), confirm, cancel, status)
}

// previewTitle names the ops not done yet, numbers masked.
func previewTitle(l cards.Lang, ops []ChangeOp, done []bool) string {
	var lines []string
	for i, op := range ops {
		if i >= len(done) || !done[i] {
			lines = append(lines, opLine(l, op))
		}
	}
	return strings.Join(lines, " / ")
}

// previewTitleWhole is previewTitle with new numbers whole, for the
// person's own preview while it can be confirmed (see previewCard).
func previewTitleWhole(l cards.Lang, ops []ChangeOp, done []bool) string {
	whole := slices.Clone(ops)
	for i := range whole {
		if whole[i].Display != "" {
			whole[i].Masked = whole[i].Display
		}
	}
	return previewTitle(l, whole, done)
}

func anyDone(done []bool) bool {
	for _, d := range done {
		if d {
			return true
		}
	}
	return false
}

// recovered answers after an interrupted write: the methods as they are
// now, and the change offered again under its key (ops done before the
// interruption are not redone).
func (d Change) recovered(st changeState, in Input) Turn {
	l := in.Lang
	p := st.Pending
	if p == nil {
		return Turn{Status: Cancelled, Replies: []cards.Message{{Card: cards.ResultCard(l, txtInterruptedTitle.In(l), "", true, methodFacts(l, *st.Methods), nil, humanButton(l))}}}
	}
	p.ID = requestID(in)
	p.Expires = in.Now.Add(ConfirmWindow)
	st.Stage = stageConfirm
	c := cards.ResultCard(l, txtInterruptedTitle.In(l), txtInterruptedBody.In(l), true, methodFacts(l, *st.Methods), nil, humanButton(l))
	return wait(st, []cards.Message{{Card: c}, {Card: previewCard(l, in.Now, *st.Methods, p, "")}})
}

// opLine says what one op does, with masked numbers only.
func opLine(l cards.Lang, op ChangeOp) string {
	mode := ""
	if op.Op == OpAddPhone || op.Op == OpChangePhone {
		mode = txtVoiceOnly.In(l)
		if op.SMS {
			mode = txtSMSAndVoice.In(l)
		}
	}
	switch op.Op {
	case OpAddPhone:
		return txtOpAdd.Format(l, shortSlot(l, op.Slot), op.Masked, mode)
	case OpChangePhone:
		return txtOpChange.Format(l, shortSlot(l, op.Slot), op.Masked, mode)
	case OpDeletePhone:
		return txtOpDelete.Format(l, shortSlot(l, op.Slot)+" "+op.Masked)
	case OpDeleteMethod:
		return txtOpDelete.Format(l, op.Name)
	}
	return op.Op
}

// methodFacts lists methods as FactSet rows, numbers masked.
func methodFacts(l cards.Lang, m MethodsView) []cards.Fact {
	var f []cards.Fact
	for _, p := range m.Phones {
		f = append(f, cards.Fact{Title: slotName(l, p.Slot), Value: p.Masked})
	}
	for _, dv := range m.Devices {
		f = append(f, cards.Fact{Title: "Microsoft Authenticator", Value: deviceName(l, dv)})
	}
	for _, o := range m.Others {
		f = append(f, cards.Fact{Title: otherKindName(l, o.Kind), Value: otherName(l, m, o)})
	}
	if len(f) == 0 {
		f = append(f, cards.Fact{Title: "-", Value: txtNoMethods.In(l)})
	}
	return f
}

// otherKindName names a kind of method for people, not as Graph does.
func otherKindName(l cards.Lang, kind string) string {
	if t, ok := txtOtherKinds[kind]; ok {
		return t.In(l)
	}
	return kind
}

// otherName is what a method is called: a passkey by the kind of
// authenticator holding it, anything else by its name in Graph (inert).
func otherName(l cards.Lang, m MethodsView, o OtherView) string {
	for _, p := range m.Passkeys {
		if p.ID == o.ID {
			return passkeyName(l, p.Name)
		}
	}
	return cards.Plain(o.Name)
}

var txtOtherKinds = map[string]cards.Text{
	"fido2":                   {JA: "パスキー", EN: "Passkey"},
	"softwareOath":            {JA: "認証アプリ（コード）", EN: "Authenticator app (codes)"},
	"windowsHelloForBusiness": {JA: "Windows Hello", EN: "Windows Hello"},
	"email":                   {JA: "メール", EN: "Email"},
	"temporaryAccessPass":     {JA: "一時アクセスパス", EN: "Temporary Access Pass"},
}

// afterFacts is methodFacts as they will be after ops; whole shows new
// numbers whole (see previewCard).
func afterFacts(l cards.Lang, m MethodsView, ops []ChangeOp, whole bool) []cards.Fact {
	next := MethodsView{Phones: append([]PhoneView(nil), m.Phones...), Devices: append([]DeviceView(nil), m.Devices...), Others: append([]OtherView(nil), m.Others...)}
	for _, op := range ops {
		shown := op.Masked
		if whole && op.Display != "" {
			shown = op.Display
		}
		switch op.Op {
		case OpAddPhone:
			next.Phones = append(next.Phones, PhoneView{Slot: op.Slot, Masked: shown})
		case OpChangePhone:
			for i := range next.Phones {
				if next.Phones[i].Slot == op.Slot {
					next.Phones[i].Masked = shown
				}
			}
		case OpDeletePhone:
			for i := range next.Phones {
				if next.Phones[i].Slot == op.Slot {
					next.Phones = append(next.Phones[:i], next.Phones[i+1:]...)
					break
				}
			}
		case OpDeleteMethod:
			for i := range next.Devices {
				if next.Devices[i].ID == op.MethodID {
					next.Devices = append(next.Devices[:i], next.Devices[i+1:]...)
					break
				}
			}
			for i := range next.Others {
				if next.Others[i].ID == op.MethodID {
					next.Others = append(next.Others[:i], next.Others[i+1:]...)
					break
				}
			}
		}
	}
	return methodFacts(l, next)
}

// slotNames are each phone slot's name with its modes (for lists) and
// without them (for sentences that state the mode themselves).
var slotNames = map[string]struct{ full, short cards.Text }{
	"mobile":          {txtSlotMobile, txtShortMobile},
	"alternateMobile": {txtSlotAlternate, txtSlotAlternate},
	"office":          {txtSlotOffice, txtShortOffice},
}

func slotName(l cards.Lang, slot string) string {
	if n, ok := slotNames[slot]; ok {
		return n.full.In(l)
	}
	return slot
}

func shortSlot(l cards.Lang, slot string) string {
	if n, ok := slotNames[slot]; ok {
		return n.short.In(l)
	}
	return slot
}

func deviceName(l cards.Lang, dv DeviceView) string {
	name := dv.Name
	if name == "" {
		name = txtUnnamedDevice.In(l)
	}
	if dv.Added.IsZero() {
		return name
	}
	return txtAddedOn.Format(l, name, dv.Added.Format("2006-01-02"))
}

// ForgetNumbers drops change flows that hold a full phone number (a number
// typed but not yet written) from a session that has been idle for a while:
// an abandoned flow must not keep the number forever. A flow waiting for
// the person's new number (the temporary-number path) holds none and stays;
// so does a write under way. It reports whether anything was dropped.
func ForgetNumbers(s Session) (Session, bool) {
	kept := s.Stack[:0:0]
	dropped := false
	for _, f := range s.Stack {
		if f.Dialog == (Change{}).ID() {
			var st changeState
			if json.Unmarshal(f.State, &st) == nil && st.Stage != stageApplying && (st.Phone != nil || st.Pending != nil || st.Typed != "") {
				dropped = true
				if st.Temp == nil {
					continue
				}
				// The temporary number stays registered: the flow waits
				// for the new one again, holding no typed number.
				st.Kind, st.Stage, st.Goal, st.Slot = kindPhone, stageTempDone, "temp", ""
				st.Pending, st.Phone, st.Typed = nil, nil, ""
				f.State = mustState(st)
			}
		}
		kept = append(kept, f)
	}
	s.Stack = kept
	return s, dropped
}

// clock is a time of day as people read it: in the organisation's zone,
// which is now's (the runner's clock is set to it), and in Japanese
// without the zone (「10:39 まで有効」), in English with its abbreviation
// ("valid until 10:39 JST").
func clock(l cards.Lang, t, now time.Time) string {
	t = t.In(now.Location())
	if l == cards.Japanese {
		return t.Format("15:04")
	}
	return t.Format("15:04 MST")
}

// numberIn finds the phone number in what a person typed: the one number
// in a sentence (「新しい番号は080-3344-5566です」), or the text itself when
// it is one. ok is false when there is no number with at least minDigits
// digits, more than one, or digits outside it (「内線123」): then the text
// comes back as typed, for the check to explain what is wrong with it.
func numberIn(text string) (string, bool) {
	folded := strings.ToLower(norm.NFKC.String(text))
	for _, ext := range []string{"内線", "extension", "ext.", "ext "} {
		if strings.Contains(folded, ext) {
			return text, false // an extension: the check explains
		}
	}
	var found string
	runs, digitsOutside := 0, false
	rs := []rune(folded)
	for i := 0; i < len(rs); {
		if !isPhoneRune(rs[i]) {
			i++
			continue
		}
		j, digits := i, 0
		for ; j < len(rs) && isPhoneRune(rs[j]); j++ {
			if unicode.IsDigit(rs[j]) {
				digits++
			}
		}
		run := strings.Trim(string(rs[i:j]), " -.ー")
		switch {
		case digits >= minDigits && !isDate(strings.ReplaceAll(run, " ", "")):
			runs++
			found = run
		case digits > 0:
			digitsOutside = true
		}
		i = j
	}
	if runs != 1 || digitsOutside {
		return text, false
	}
	return found, true
}

// aboutANumber reports whether text, which holds number n, is about a
// phone number: the number alone, or words that say so. While a flow has
// waited for days, 「注文番号 1234567 の件で…」 or a question with a count
// in it is not the new number.
func aboutANumber(text, n string) bool {
	rest := strings.ToLower(strings.Replace(norm.NFKC.String(text), n, "", 1))
	if strings.Trim(rest, " 。.!！、,です") == "" {
		return true
	}
	for _, cue := range []string{"電話", "携帯", "番号", "スマホ", "phone", "number", "mobile", "tel"} {
		if strings.Contains(rest, cue) {
			return true
		}
	}
	return false
}

// minDigits is the fewest digits a phone number has (a short national
// number); fewer is a date, a count or an extension.
const minDigits = 7

// isPhoneRune reports a character of a typed phone number, as NFKC leaves
// it: digits, "+", parentheses, spaces, dots and dashes (「ー」 among them).
func isPhoneRune(r rune) bool {
	return unicode.IsDigit(r) || strings.ContainsRune("+() .-‐‑‒–—―−ー", r)
}

// TempWaitMark is in the saved state of every change flow that holds a
// temporary number (the key of that number): what a search of saved
// states for flows to remind ([EventTempReminder]) looks for. It only
// narrows the search; the flow decides whether a reminder is due.
const TempWaitMark = `"temp":{`

// remind tells the person, at most once a day, that the temporary number
// is still registered and how to finish (EventTempReminder).
func (d Change) remind(st changeState, raw json.RawMessage, in Input) Turn {
	l := in.Lang
	// A write under way, or a sign-in that can still finish, is left be.
	busy := st.Stage == stageApplying || (st.Stage == stageSignIn && st.Pending != nil && in.Now.Before(st.Pending.Expires))
	if st.Temp == nil || busy || sameDay(st.Reminded, in.Now) {
		return Turn{Status: Waiting, State: raw}
	}
	// Whatever step they stopped at (a number asked for, a preview long
	// expired), the flow waits for the new number again.
	st.Kind, st.Stage, st.Goal, st.Slot = kindPhone, stageTempDone, "temp", ""
	st.Pending, st.Phone, st.Typed = nil, nil, ""
	st.Reminded = in.Now
	c := cards.ResultCard(l, txtTempReminder.In(l), fmt.Sprintf(txtTempRemindBody.In(l), st.Temp.Masked), true, nil, nil, haveNewNumber(l))
	return wait(st, []cards.Message{{Card: c}})
}

// sameDay reports whether t is on now's day, in now's zone.
func sameDay(t, now time.Time) bool {
	if t.IsZero() {
		return false
	}
	y1, m1, d1 := t.In(now.Location()).Date()
	y2, m2, d2 := now.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// haveNewNumber is the button that resumes the temporary-number path.
func haveNewNumber(l cards.Lang) cards.Button {
	return cards.Button{Title: txtHaveNewNumber.In(l), Verb: cards.VerbChange}
}

// backToTemp ends what was under way on the temporary-number path (a
// preview cancelled or expired) without losing the path: the temporary
// number is still registered, and the flow waits for the new one.
func (d Change) backToTemp(st changeState, in Input, title string) Turn {
	l := in.Lang
	p := st.Pending
	st.Kind, st.Stage, st.Goal, st.Slot = kindPhone, stageTempDone, "temp", ""
	st.Pending, st.Phone, st.Typed = nil, nil, ""
	c := cards.ResultCard(l, title, fmt.Sprintf(txtTempKept.In(l), st.Temp.Masked), false, nil, nil, haveNewNumber(l))
	t := wait(st, []cards.Message{{Card: c}})
	if p != nil && st.Methods != nil {
		t.Update = previewCard(l, in.Now, *st.Methods, p, title)
	}
	return t
}

// doneBody says what a finished change did and what is left to do: a
// removal, the old phone's Authenticator after its cleanup, or a number
// to try, with Authenticator to move too when the person has it (a new
// phone usually means both).
func doneBody(st changeState, l cards.Lang) (string, []cards.Button) {
	switch {
	case st.Goal == "auth-cleanup":
		return txtDoneAuthBody.In(l), nil
	case st.Kind == kindRemove:
		return txtDoneRemovedBody.In(l), nil
	case st.Kind == kindPhone && st.Methods != nil && len(st.Methods.Devices) > 0:
		return txtDonePhoneBody.In(l) + "\n\n" + txtDoneAuthToo.In(l), []cards.Button{
			{Title: txtKindAuthenticator.In(l), Verb: cards.VerbChange, Data: map[string]string{cards.KindKey: kindAuthenticator}}}
	}
	return txtDonePhoneBody.In(l), nil
}
