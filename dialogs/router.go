package dialogs

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
)

// Session is everything the bot remembers about one conversation. It is
// persisted as JSON after every turn.
type Session struct {
	// Lang is the language the user chose explicitly; empty means "follow the
	// client's locale".
	Lang cards.Lang `json:"lang,omitempty"`
	// WrittenLang is the language the user last wrote in, when it was clear.
	// People often write Japanese from an English-locale client (or the
	// other way round); answering in the language they write is what they
	// expect, and button clicks, which carry no text, keep that language.
	WrittenLang cards.Lang `json:"writtenLang,omitempty"`
	// Welcomed is set once the welcome card went out, so that Teams'
	// repeated install and join events do not repeat it.
	Welcomed bool `json:"welcomed,omitempty"`
	// Unhelpful counts turns in a row that did not help (no confident
	// answer, a 👎); at maxUnhelpful the bot offers a person.
	Unhelpful int `json:"unhelpful,omitempty"`
	// LastTopic is the last topic answered, for the helpdesk's context.
	LastTopic string `json:"lastTopic,omitempty"`
	// Transcript is the last turns of this chat, masked, for the helpdesk
	// when the person asks for a person.
	Transcript []Line `json:"transcript,omitempty"`
	// Tried lists what the bot offered (answers, troubleshooters, flows),
	// in the helpdesk's language.
	Tried []string `json:"tried,omitempty"`
	// Offered lists the topics (LastTopic, "" for none) on which the bot
	// offered a person by itself, and OfferedLast says its last turn did:
	// it offers once per topic, and never twice in a row.
	Offered     []string `json:"offered,omitempty"`
	OfferedLast bool     `json:"offeredLast,omitempty"`
	// Stack holds the running dialogs, innermost last. A dialog that
	// interrupts another ("talk to a person") is pushed on top of it.
	Stack []Frame `json:"stack,omitempty"`
	// Cards counts the cards dialogs have shown here (see numberCards).
	Cards int `json:"cards,omitempty"`
	// SignInsRead is when the bot last read the person's sign-in log
	// (askSignIns).
	SignInsRead time.Time `json:"signInsRead,omitzero"`
	// SignIns is what that look showed, for a few minutes (SignInNote).
	SignIns *SignInNote `json:"signIns,omitempty"`
}

// Language is the language to answer in: the one chosen, else the one
// last written in, else the client's.
func (s Session) Language(locale string) cards.Lang {
	switch {
	case s.Lang != "":
		return s.Lang
	case s.WrittenLang != "":
		return s.WrittenLang
	}
	return cards.LangFromLocale(locale)
}

// Frame is one running dialog and its saved state.
type Frame struct {
	Dialog  string          `json:"dialog"`
	Version int             `json:"version"`
	State   json.RawMessage `json:"state,omitempty"`
	// Buttons are those of the dialog's last cards: a person who types
	// one's title (「新しい番号が分かった」) rather than clicking it gets
	// what the click would have done.
	Buttons []TypedButton `json:"buttons,omitempty"`
	// Card is the number of the dialog's last cards (Session.Cards when
	// they went out): those are its live cards; any earlier one refreshes
	// as closed (see refreshCard).
	Card int `json:"card,omitempty"`
}

// TypedButton is a button a person may type: its title and what a click
// sends.
type TypedButton struct {
	Title string            `json:"t"`
	Verb  string            `json:"v"`
	Data  map[string]string `json:"d,omitempty"`
}

// clickOnly are the verbs a typed title never stands for: a confirm that
// leads to a write (or to the sign-in before it) comes from its card's
// button, which carries the request it confirms, and from nothing else.
var clickOnly = map[string]bool{VerbChangeConfirm: true, VerbChangeSignIn: true}

// maxTypedButtons bounds the buttons a frame remembers.
const maxTypedButtons = 12

// typedButtons are the buttons of a dialog's turn: its replies' cards and
// the card it updates. ok is false when the turn showed no card, and the
// frame keeps the buttons it had.
func typedButtons(t Turn) (bs []TypedButton, ok bool) {
	cs := []*cards.Card{t.Update}
	for _, m := range t.Replies {
		cs = append(cs, m.Card)
	}
	for _, c := range cs {
		if c == nil {
			continue
		}
		ok = true
		for _, b := range c.Buttons() {
			if len(bs) < maxTypedButtons && faq.Fold(b.Title) != "" && !clickOnly[b.Verb] {
				bs = append(bs, TypedButton{Title: b.Title, Verb: b.Verb, Data: b.Data})
			}
		}
	}
	return bs, ok
}

// typedButton finds the button of the running dialog whose title text is,
// as commands are matched (width, case, surrounding punctuation).
func (s Session) typedButton(text string) (TypedButton, bool) {
	top, ok := s.top()
	if !ok {
		return TypedButton{}, false
	}
	typed := faq.Fold(text)
	for _, b := range top.Buttons {
		if faq.Fold(b.Title) == typed {
			return b, true
		}
	}
	return TypedButton{}, false
}

// Router owns the main menu, global commands and free-text questions, and
// passes everything else to the dialog on top of the stack. Like the
// dialogs it drives, each step is pure: the knowledge base it answers from
// is an immutable snapshot, swapped whole when it is reloaded.
type Router struct {
	kb      atomic.Pointer[faq.KB]
	tenant  faq.Tenant                 // the organisation's plan; set before serving
	answers atomic.Pointer[answerMemo] // for kb and tenant; see answer
	dialogs map[string]Dialog          // by ID, to resume saved frames
	starts  map[string]Dialog          // by the verb that starts them
}

// NewRouter returns a router answering from kb. It runs the built-in
// dialogs (the troubleshooters) plus extra ones, each started when a button
// or typed command carries its verb (the map key).
func NewRouter(kb *faq.KB, extra map[string]Dialog) *Router {
	r := &Router{dialogs: map[string]Dialog{}, starts: map[string]Dialog{
		cards.VerbTroubleshoot:  Troubleshooter{},
		cards.VerbTSAnswer:      Troubleshooter{},
		cards.VerbChange:        Change{},
		VerbChangePick:          Change{},
		VerbChangeNumber:        Change{},
		VerbChangeConfirm:       Change{},
		VerbChangeCancel:        Change{},
		VerbChangeAdded:         Change{},
		VerbChangeSignIn:        Change{},
		cards.VerbHuman:         Escalation{},
		cards.VerbTicketOpen:    Escalation{},
		cards.VerbTicketDismiss: Escalation{},
		cards.VerbTicketStatus:  Escalation{},
		cards.VerbTicketNote:    Escalation{},
		cards.VerbTicketCancel:  Escalation{},
		cards.VerbTicketReopen:  Escalation{},
		cards.VerbTicketBot:     Escalation{},
		cards.VerbNotMe:         Escalation{},
	}}
	r.setPasskey(faq.DefaultTenant())
	maps.Copy(r.starts, extra)
	for _, d := range r.starts {
		r.dialogs[d.ID()] = d
	}
	r.tenant = faq.DefaultTenant()
	r.SetKnowledge(kb)
	return r
}

// SetTenant sets what the organisation told the bot about its plan (SMS and
// voice, passkeys); answers and the passkey flow follow it. Call it before
// serving.
func (r *Router) SetTenant(t faq.Tenant) {
	r.tenant = t
	r.setPasskey(t)
	r.answers.Store(&answerMemo{kb: r.kb.Load()})
}

// setPasskey gives the dialogs that follow the tenant's plan (the passkey
// flow, the guided change) the plan.
func (r *Router) setPasskey(t faq.Tenant) {
	d := Passkey{Tenant: t}
	for _, v := range []string{cards.VerbPasskey, VerbPasskeyDevice, VerbPasskeyAdded} {
		r.starts[v] = d
	}
	r.dialogs[d.ID()] = d
	c := Change{Tenant: t}
	for v, old := range r.starts {
		if old.ID() == c.ID() {
			r.starts[v] = c
		}
	}
	r.dialogs[c.ID()] = c
}

// SetKnowledge replaces the knowledge base; turns already running keep the
// one they started with.
func (r *Router) SetKnowledge(kb *faq.KB) {
	r.kb.Store(kb)
	r.answers.Store(&answerMemo{kb: kb})
}

// Step runs one input against the session and returns the new session and
// what to send. The runner persists the session before sending anything.
func (r *Router) Step(s Session, in Input) (Session, Turn) {
	if in.Kind == SubmitInput && in.Verb == cards.VerbCardRefresh {
		// Someone looking at a flow's card is not a turn: the session
		// stays as it is.
		return s, refreshCard(s, in)
	}
	if in.Kind == SubmitInput && in.Verb == cards.VerbTicketView {
		return s, ticketCard(s, in) // likewise their ticket's card
	}
	before := s.LastTopic
	offeredLast := s.OfferedLast
	s, out := r.step(s, in)
	askSignIns(&s, in, &out)
	if offeredLast {
		// This turn could not offer again: the next one may.
		s.OfferedLast = false
	}
	r.noteTried(&s, in, before)
	recordTurn(&s, in, out)
	return s, out
}

// noteTried remembers what this turn offered, for a later ticket.
func (r *Router) noteTried(s *Session, in Input, topicBefore string) {
	hl := HelpdeskLang
	if s.LastTopic != "" && s.LastTopic != topicBefore {
		if e, ok := r.kb.Load().Entry(s.LastTopic); ok {
			noteTried(s, cards.Text{JA: "回答: ", EN: "Answer: "}.In(hl)+pick(hl, e.Title.JA, e.Title.EN))
		}
	}
	if in.Kind != SubmitInput {
		return
	}
	switch in.Verb {
	case cards.VerbTroubleshoot:
		// Agents read words, not the ids in the button data.
		if t, ok := trees[in.Data[cards.TSKey]]; ok {
			noteTried(s, cards.Text{JA: "トラブルシューティング: ", EN: "Troubleshooter: "}.In(hl)+t.Title.In(hl))
		}
	case cards.VerbChange:
		noteTried(s, cards.Text{JA: "認証方法の変更の案内: ", EN: "Guided change: "}.In(hl)+changeKindName(in.Data[cards.KindKey]).In(hl))
	}
}

// changeKindName names a guided change for the helpdesk.
func changeKindName(kind string) cards.Text {
	switch kind {
	case "change-phone", kindPhone:
		return cards.Text{JA: "電話番号の変更", EN: "changing the phone number"}
	case "change-authenticator", kindAuthenticator:
		return cards.Text{JA: "Authenticator の機種変更", EN: "moving Authenticator to a new phone"}
	case "add-method", kindBackup:
		return cards.Text{JA: "予備の方法の追加", EN: "adding a backup method"}
	case "remove-method", kindRemove:
		return cards.Text{JA: "方法の削除", EN: "removing a method"}
	}
	return cards.Text{JA: "変更の種類を選ぶところまで", EN: "choosing what to change"}
}

func (r *Router) step(s Session, in Input) (Session, Turn) {
	// The stack is written below (push, save state); copy it so that the
	// caller's session, which shares the backing array, stays untouched.
	s.Stack = slices.Clone(s.Stack)
	if in.Kind == TextInput {
		if l, ok := cards.DetectLang(in.Text); ok {
			s.WrittenLang = l
		}
	}
	in.Lang = s.Language(in.Locale)
	signInsKnown(&s, &in)
	var out Turn

	// State written by another version of a dialog cannot be trusted to mean
	// the same thing: drop it and say so, then handle the input afresh.
	if top, ok := s.top(); ok {
		if d, known := r.dialogs[top.Dialog]; !known || d.Version() != top.Version {
			s.Stack = nil
			out.Replies = append(out.Replies, cards.Restarted(in.Lang))
		}
	}

	// While an agent talks to the person, what they type goes to the agent;
	// typed commands ("menu", "back to the bot") still work.
	if in.Kind == TextInput && in.Ticket != nil && in.Ticket.Relay {
		if v, _ := textCommand(in.Text); v == "" {
			return r.start(s, Escalation{}, in, out)
		}
	}

	// A sign-in finished in the browser: its outcome belongs to the change
	// flow that asked for it, wherever that is on the stack.
	if in.Kind == ResultInput && in.Result != nil && in.Result.Effect == StepUpOutcomeEffect {
		i := s.find(Change{}.ID())
		if i < 0 {
			out.Replies = append(out.Replies, cards.Message{Text: txtSignInNotWaiting.In(in.Lang)})
			return s, out
		}
		s.Stack = s.Stack[:i+1]
		s, out, _ = r.deliver(s, Change{}, s.Stack[i].State, in, out)
		return s, out
	}

	if in.Kind == ResultInput && in.Result != nil && in.Result.Effect == (ReadSignIns{}).EffectName() {
		return s, r.signInsRead(&s, in, out)
	}

	// What a campaign card's click recorded needs no answer: the reply went
	// out with the click. Whichever flow is running must not see it.
	if in.Kind == ResultInput && in.Result != nil && in.Result.Effect == (CampaignAct{}).EffectName() {
		return s, out
	}

	var verb string
	switch in.Kind {
	case EventInput:
		return r.event(s, in, out)
	case SubmitInput:
		verb = in.Verb
	case TextInput:
		if v, data := textCommand(in.Text); v != "" {
			verb, in.Verb, in.Data = v, v, data
		} else if b, ok := s.typedButton(in.Text); ok {
			// A button's title typed by hand: the click it stands for.
			in.Kind, in.Execute = SubmitInput, false
			verb, in.Verb, in.Data = b.Verb, b.Verb, maps.Clone(b.Data)
		}
	}
	if verb == cards.VerbHuman {
		return r.startEscalation(s, in, out)
	}
	if verb != "" {
		if r.global(&s, in, verb, &out) {
			return s, out
		}
		if d, ok := r.starts[verb]; ok {
			if i := s.find(d.ID()); i >= 0 {
				// Its own button while it runs (an answer, a confirm): the
				// dialog knows what its verbs mean mid-flow. Anything
				// started on top of it since has been left behind.
				s.Stack = s.Stack[:i+1]
				var pass bool
				if s, out, pass = r.deliver(s, d, s.Stack[i].State, in, out); pass {
					return r.fallback(s, in, out)
				}
				return s, out
			}
			return r.start(s, d, in, out)
		}
	}

	if top, ok := s.top(); ok {
		var pass bool
		s, out, pass = r.deliver(s, r.dialogs[top.Dialog], top.State, in, out)
		if !pass {
			return s, out
		}
	}
	return r.fallback(s, in, out)
}

// fallback handles input no dialog took.
func (r *Router) fallback(s Session, in Input, out Turn) (Session, Turn) {
	switch in.Kind {
	case TextInput:
		// Free text outside a flow is a question. A topic's title or
		// label, as a suggested prompt sends it (or typed off an old
		// card's button), is that topic's answer, without a guess.
		kb := r.kb.Load()
		if e, ok := kb.ByTitle(in.Text); ok {
			out.Replies = append(out.Replies, r.answer(kb, e, in))
			s.Unhelpful, s.LastTopic = 0, e.ID
			break
		}
		r.answerQuestion(kb, &s, in, &out)
	case SubmitInput:
		// A button from a flow that has ended, or from an older card.
		out.Replies = append(out.Replies, cards.Message{Card: cards.Menu(in.Lang)})
	}
	return s, out
}

// start runs the first step of a dialog on top of any running one.
func (r *Router) start(s Session, d Dialog, in Input, out Turn) (Session, Turn) {
	s.Stack = append(s.Stack, Frame{Dialog: d.ID(), Version: d.Version()})
	s, out, pass := r.deliver(s, d, nil, in, out)
	if pass {
		return r.fallback(s, in, out)
	}
	return s, out
}

// startEscalation starts "talk to a person" afresh, seeded with what the
// helpdesk should see of this chat.
func (r *Router) startEscalation(s Session, in Input, out Turn) (Session, Turn) {
	if i := s.find(Escalation{}.ID()); i >= 0 {
		s.Stack = s.Stack[:i]
	}
	topicUser, topicDesk := "", ""
	if e, ok := r.kb.Load().Entry(s.LastTopic); ok && s.LastTopic != "" {
		topicUser = pick(in.Lang, e.Title.JA, e.Title.EN)
		topicDesk = pick(HelpdeskLang, e.Title.JA, e.Title.EN)
	}
	st := escalationStart(s, topicUser, topicDesk)
	d := Escalation{}
	s.Stack = append(s.Stack, Frame{Dialog: d.ID(), Version: d.Version(), State: st})
	s, out, _ = r.deliver(s, d, st, in, out)
	return s, out
}

// deliver runs one step of the top dialog d and applies its status. pass
// reports that the dialog left the input to the router.
func (r *Router) deliver(s Session, d Dialog, st json.RawMessage, in Input, out Turn) (Session, Turn, bool) {
	t := d.Next(st, in)
	out.Replies = append(out.Replies, t.Replies...)
	out.Effects = append(out.Effects, t.Effects...)
	out.Update = t.Update
	out.Status = t.Status
	top := len(s.Stack) - 1
	if t.Status == Waiting {
		s.Stack[top].State = t.State
		out.State = t.State
		if bs, ok := typedButtons(t); ok {
			s.Stack[top].Buttons = bs
			s.Stack[top].Card = numberCards(&s, t, in.User.ID)
		}
	} else {
		s.Stack = s.Stack[:top]
	}
	return s, out, t.Pass
}

// numberCards gives the cards a waiting dialog just showed the
// conversation's next card number and makes them refresh for user, who
// the flow is for (no one else sees it change): once the dialog shows
// newer cards, or ends, Teams shows these as closed, so no old card keeps
// live buttons. It returns the number.
func numberCards(s *Session, t Turn, user string) int {
	s.Cards++
	if user == "" {
		return s.Cards // a turn no person started (a reminder): as before
	}
	for _, m := range t.Replies {
		if m.Card != nil {
			m.Card.RefreshFor(user, s.Cards)
		}
	}
	if t.Update != nil {
		t.Update.RefreshFor(user, s.Cards)
	}
	return s.Cards
}

// refreshCard answers a card's refresh: nothing, so that Teams keeps the
// card, while it is a running dialog's last; the closed card otherwise.
func refreshCard(s Session, in Input) Turn {
	n := in.Data[cards.CardKey]
	for _, f := range s.Stack {
		if f.Card != 0 && strconv.Itoa(f.Card) == n {
			return Turn{}
		}
	}
	return Turn{Update: cards.Closed(s.Language(in.Locale))}
}

// event handles conversation events.
func (r *Router) event(s Session, in Input, out Turn) (Session, Turn) {
	switch in.Event {
	case EventUserJoined:
		if !s.Welcomed {
			s.Welcomed = true
			out.Replies = append(out.Replies, cards.Message{Card: cards.Welcome(in.Lang)})
		}
	case EventTempReminder:
		// Only a change flow the person is in: a reminder on top of
		// something else (a talk with an agent) waits for another day.
		if top, ok := s.top(); ok && top.Dialog == (Change{}).ID() {
			s, out, _ = r.deliver(s, Change{}, top.State, in, out)
		}
	case EventBotAdded:
		if !s.Welcomed {
			s.Welcomed = true
			out.Replies = append(out.Replies, cards.ChannelHello(in.Lang))
		}
	}
	return s, out
}

// global handles the verbs that work anywhere, even inside a flow. It reports
// whether it handled the verb.
func (r *Router) global(s *Session, in Input, verb string, out *Turn) bool {
	reply := func(c *cards.Card) { out.Replies = append(out.Replies, cards.Message{Card: c}) }
	switch verb {
	case cards.VerbMenu:
		reply(cards.Menu(in.Lang))
	case cards.VerbLanguage:
		l, ok := cards.ParseLang(in.Data[cards.LangKey])
		if !ok {
			l = in.Lang.Other()
		}
		s.Lang = l
		out.Replies = append(out.Replies, cards.LanguageSet(l))
		reply(cards.Menu(l))
	case cards.VerbAsk:
		reply(cards.AskPrompt(in.Lang))
	case cards.VerbTroubleshoot:
		// Once the tenant's SMS and voice codes have ended, checking the
		// carrier or the signal helps nobody: the retirement answer leads
		// to a passkey instead.
		tree := in.Data[cards.TSKey]
		e, ok := r.kb.Load().Entry(RetirementTopic)
		if !ok || (tree != "sms" && tree != "voice") || !r.tenant.PhoneCodesEnded(in.Now) {
			return false
		}
		out.Replies = append(out.Replies, r.answer(r.kb.Load(), e, in))
		s.Unhelpful, s.LastTopic = 0, e.ID
	case cards.VerbTopic:
		kb := r.kb.Load()
		e, ok := kb.Entry(in.Data[cards.TopicKey])
		if !ok {
			reply(cards.Menu(in.Lang))
			break
		}
		out.Replies = append(out.Replies, r.answer(kb, e, in))
		s.Unhelpful, s.LastTopic = 0, e.ID
	case cards.VerbFeedback:
		r.feedback(s, in, out)
	case cards.VerbReaction:
		reaction(s, in, out)
	case cards.VerbCampaignLater, cards.VerbCampaignNoSmartphone:
		r.campaignVerb(in, verb, out)
	default:
		return false
	}
	return true
}

// feedback records a 👍 or 👎. With Action.Execute the answer card is
// replaced by one without the buttons; a 👎 also offers a person.
func (r *Router) feedback(s *Session, in Input, out *Turn) {
	kb := r.kb.Load()
	e, ok := kb.Entry(in.Data[cards.TopicKey])
	if !ok {
		return // a card from a knowledge base that no longer has the topic
	}
	helpful := in.Data[cards.HelpfulKey] == "yes"
	out.Effects = append(out.Effects, RecordFeedback{Topic: e.ID, Helpful: helpful})
	if in.Execute {
		// Rebuild the card that was voted on, minus the buttons: a
		// troubleshooter's fix or the topic's answer. A fix's line on the
		// sign-in log is left off: the vote may come long after it.
		if c, ok := fixCard(in.Data[cards.TSKey], in.Data[cards.NodeKey], in.Lang, cards.FeedbackGiven, ""); ok {
			out.Update = c
		} else {
			out.Update = answerCard(kb, r.tenant, e, in, cards.FeedbackGiven)
		}
	} else {
		out.Replies = append(out.Replies, cards.FeedbackThanks(in.Lang))
	}
	if helpful {
		s.Unhelpful = 0
		return
	}
	unhelpful(s, in.Lang, out, true)
}

// reaction records Teams' own 👍 or 👎 under an answer, with its comment,
// numbers masked. The answer's topic is the runner's, found by the message
// (in.CardID); a reaction that names no message (the Agents Playground
// names none) is about the conversation's last answer. Teams thanks the
// person itself; a 👎 may also offer a person, as a vote in the card does.
func reaction(s *Session, in Input, out *Turn) {
	helpful := in.Data[cards.HelpfulKey] == "yes"
	topic := in.Data[cards.TopicKey]
	if in.CardID == "" {
		topic = s.LastTopic
	}
	// Masked before it is clipped: a number or an address cut in two
	// would no longer be recognised.
	comment := clip(MaskNumbers(maskEmails(strings.TrimSpace(in.Data[cards.CommentKey]))), maxComment)
	out.Effects = append(out.Effects, RecordFeedback{Topic: topic, Helpful: helpful, Comment: comment})
	if helpful {
		s.Unhelpful = 0
		return
	}
	unhelpful(s, in.Lang, out, true)
}

// maxComment bounds a comment kept with a reaction.
const maxComment = 500

// emailAddress finds an email address in free text (NFKC-folded): the
// local part in ASCII, so that the words written before it stay, the
// domain in any script.
var emailAddress = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+`)

// maskEmails hides an email address whole (a personal domain names its
// owner as well as the local part does): a reaction's comment is kept with
// no one's name on it, and an address typed into it would put one there.
// Full-width text (ｔａｒｏ＠…) is folded to ASCII first.
func maskEmails(s string) string {
	return emailAddress.ReplaceAllString(norm.NFKC.String(s), "•••@•••")
}

// find returns the index of the innermost frame of dialog id, or -1.
func (s Session) find(id string) int {
	for i := len(s.Stack) - 1; i >= 0; i-- {
		if s.Stack[i].Dialog == id {
			return i
		}
	}
	return -1
}

func (s Session) top() (Frame, bool) {
	if len(s.Stack) == 0 {
		return Frame{}, false
	}
	return s.Stack[len(s.Stack)-1], true
}

// commands maps what people type to the verbs above. Keys are normalised
// with faq.Fold. Only whole messages count: "menu" is a command,
// "the menu button does nothing" is a question.
var commands = map[string]struct{ verb, lang string }{
	"menu": {cards.VerbMenu, ""}, "help": {cards.VerbMenu, ""}, "start": {cards.VerbMenu, ""},
	"hi": {cards.VerbMenu, ""}, "hello": {cards.VerbMenu, ""},
	"メニュー": {cards.VerbMenu, ""}, "ヘルプ": {cards.VerbMenu, ""}, "はじめ": {cards.VerbMenu, ""},
	"こんにちは": {cards.VerbMenu, ""}, "menyu": {cards.VerbMenu, ""},
	"english": {cards.VerbLanguage, "en"}, "英語": {cards.VerbLanguage, "en"}, "英語で": {cards.VerbLanguage, "en"},
	"日本語": {cards.VerbLanguage, "ja"}, "japanese": {cards.VerbLanguage, "ja"}, "日本語で": {cards.VerbLanguage, "ja"},
	"talk to a person": {cards.VerbHuman, ""}, "human": {cards.VerbHuman, ""}, "agent": {cards.VerbHuman, ""},
	"担当者": {cards.VerbHuman, ""}, "担当者と話す": {cards.VerbHuman, ""}, "人と話したい": {cards.VerbHuman, ""},
	"担当者と話したい": {cards.VerbHuman, ""}, "人と話す": {cards.VerbHuman, ""}, "helpdesk": {cards.VerbHuman, ""},
	"back to the bot": {cards.VerbTicketBot, ""}, "ボットに戻る": {cards.VerbTicketBot, ""}, "bot": {cards.VerbTicketBot, ""},
	"ask a question": {cards.VerbAsk, ""}, "質問する": {cards.VerbAsk, ""},
	"change my sign-in method": {cards.VerbChange, ""}, "サインイン方法を変更する": {cards.VerbChange, ""},
	// The app's command menu sends its titles as messages.
	"register a passkey": {cards.VerbPasskey, ""}, "パスキーを登録する": {cards.VerbPasskey, ""},
}

// textCommand recognises a typed command and returns its verb and data.
func textCommand(text string) (string, map[string]string) {
	c, ok := commands[faq.Fold(text)]
	if !ok {
		return "", nil
	}
	if c.lang != "" {
		return c.verb, map[string]string{cards.LangKey: c.lang}
	}
	return c.verb, nil
}
