package dialogs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/graph/digits"
)

// Escalation is the person's side of a ticket: asking for a person (one
// optional line, what will be shared, then the ticket number), and later
// the ticket's buttons (status, add a message, cancel, reopen, back to the
// bot) and relaying their messages while an agent talks to them.
type Escalation struct{}

// ID implements [Dialog].
func (Escalation) ID() string { return "escalate" }

// Version implements [Dialog].
func (Escalation) Version() int { return 1 }

// escalationState is what the dialog keeps while it waits.
type escalationState struct {
	Stage      string   `json:"stage"`               // "ask", "opening", "op"
	Topic      string   `json:"topic,omitempty"`     // the person's language
	DeskTopic  string   `json:"deskTopic,omitempty"` // the helpdesk's language
	Transcript []Line   `json:"transcript,omitempty"`
	Tried      []string `json:"tried,omitempty"`
	Words      string   `json:"words,omitempty"`
	Callback   string   `json:"callback,omitempty"`
	Urgent     bool     `json:"urgent,omitempty"` // "This wasn't me"
}

// OpenTicket asks the runner to open a ticket for the input's person and
// post it to the helpdesk channel. Result.Value is the new Ticket.
type OpenTicket struct {
	Topic string
	Words string
	// Callback is a number to call the person back on, from its own field;
	// only the agent holding the ticket sees it in full.
	Callback   string
	Transcript []Line
	Tried      []string
	Lang       cards.Lang
	Pending    *ApplyChange // approval mode: the change to approve
	// PendingText describes the pending change for the helpdesk, masked.
	PendingText []string
	// Urgent marks a report that the person did not make a change ("This
	// wasn't me"): the runner attaches their recent audit entries, and the
	// helpdesk can revoke their sign-in sessions from the card.
	Urgent bool
}

// EffectName implements [Effect].
func (OpenTicket) EffectName() string { return "ticket.open" }

// UpdateTicket asks the runner to apply the person's operation to their
// ticket. Result.Value is the updated Ticket; Result.Err a *Problem.
type UpdateTicket struct {
	ID   int64
	Op   TicketOp
	Text string
}

// EffectName implements [Effect].
func (UpdateTicket) EffectName() string { return "ticket.update" }

var (
	txtEscSending = cards.Text{JA: "ヘルプデスクに送っています…", EN: "Sending it to the helpdesk…"}
	txtEscSent    = cards.Text{JA: "ヘルプデスクに送りました", EN: "Sent to the helpdesk"}
	txtEscSentMsg = cards.Text{
		JA: "担当者が確認して、このチャットで返信します。追加で伝えたいことがあれば「メッセージを追加」からどうぞ。",
		EN: "A person will look at it and answer here. To tell them more, use \"Add a message\".",
	}
	txtEscDropped    = cards.Text{JA: "担当者への依頼はやめました。", EN: "OK, nothing was sent to the helpdesk."}
	txtEscFailed     = cards.Text{JA: "ヘルプデスクに送れませんでした", EN: "Could not reach the helpdesk"}
	txtAlready       = cards.Text{JA: "担当者への依頼が受付済みです", EN: "You already have a request open"}
	txtAlreadyMsg    = cards.Text{JA: "新しく送らなくても、この依頼にメッセージを追加できます。", EN: "No need to send another: you can add a message to this one."}
	txtStatusTitle   = cards.Text{JA: "依頼の状況", EN: "Your request"}
	txtRelayed       = cards.Text{JA: "✓ 担当者に届けました。", EN: "✓ Passed on to the helpdesk."}
	txtEscMoved      = cards.Text{JA: "担当者への相談は、ボットとの個人チャットで続けます。そちらを開いてください。", EN: "Let's continue in your personal chat with the bot, so that only you see it. Please open it."}
	txtEscMoveFailed = cards.Text{JA: "個人チャットを開けませんでした。ボットとの個人チャットで「担当者と話す」と送ってください。", EN: "Your personal chat could not be opened. Please send \"talk to a person\" in your personal chat with the bot."}
	txtNoteSent      = cards.Text{JA: "メッセージを担当者に送りました。", EN: "Your message was passed to the helpdesk."}
	txtCancelledMsg  = cards.Text{JA: "依頼 #%s を取り下げました。また困ったときはいつでも「担当者と話す」を押してください。", EN: "Request #%s is withdrawn. Press \"Talk to a person\" whenever you need one again."}
	txtReopenedMsg   = cards.Text{JA: "依頼 #%s を再開しました。担当者に知らせました。", EN: "Request #%s is open again; the helpdesk has been told."}
	txtBackToBotMsg  = cards.Text{
		JA: "ボットとの会話に戻りました。依頼 #%s はそのままです。担当者からの返信はここに届きます。",
		EN: "You're back with the bot. Request #%s stays open, and replies from the helpdesk still arrive here.",
	}
	txtNoTicket  = cards.Text{JA: "この依頼は見つかりませんでした。", EN: "That request could not be found."}
	txtNotMeSent = cards.Text{JA: "ヘルプデスクに至急の依頼として知らせました", EN: "The helpdesk has been alerted"}
	txtNotMeMsg  = cards.Text{
		JA: "変更の記録とともに送りました。念のため、ヘルプデスクに電話か窓口でも連絡し、パスワードを変更してください。担当者はあなたのサインインを強制的に終了できます。",
		EN: "It went with the record of the changes. To be safe, also call or visit the helpdesk, and change your password. They can sign you out everywhere.",
	}
	txtNotMeFailed = cards.Text{
		JA: "ヘルプデスクに知らせることができませんでした。すぐにヘルプデスクに電話か窓口で連絡し、パスワードを変更してください。",
		EN: "The helpdesk could not be alerted from here. Call or visit them at once, and change your password.",
	}
)

// NotMeTopic is the topic of an urgent "This wasn't me" ticket.
func NotMeTopic(l cards.Lang, kind string) string {
	if kind == cards.NoticeTAP {
		return cards.Text{JA: "【至急】身に覚えのない一時アクセスパスの発行", EN: "URGENT: a Temporary Access Pass the person did not ask for"}.In(l)
	}
	return cards.Text{JA: "【至急】身に覚えのないサインイン方法の変更", EN: "URGENT: a sign-in method change the person did not make"}.In(l)
}

// Next implements [Dialog].
func (d Escalation) Next(raw json.RawMessage, in Input) Turn {
	var st escalationState
	if raw != nil && json.Unmarshal(raw, &st) != nil {
		return Turn{Status: Cancelled}
	}
	l := in.Lang
	switch in.Kind {
	case ResultInput:
		return d.result(st, in)
	case TextInput:
		if in.Verb != "" {
			break // a typed command ("talk to a person", "back to the bot")
		}
		if in.Ticket != nil && in.Ticket.Relay && (st.Stage == "" || st.Stage == "relay") {
			st.Stage = "op"
			return waitEsc(st, nil, UpdateTicket{ID: in.Ticket.ID, Op: OpRelay, Text: in.Text})
		}
		if st.Stage == "ask" {
			// People type what is wrong instead of using the box: that is
			// the line we asked for.
			st.Words = in.Text
			st.Stage = "opening"
			return waitEsc(st, nil, d.open(st, l))
		}
		return Turn{Status: Complete, Pass: true}
	}

	switch in.Verb {
	case cards.VerbHuman:
		if in.Scope != Personal && in.Scope != "" {
			// What they tell the helpdesk is nobody else's business: the
			// request continues in their 1:1 chat with the bot.
			return Turn{Status: Waiting, State: mustJSON(escalationState{Stage: "moving"}),
				Replies: []cards.Message{{Text: txtEscMoved.In(l)}}, Effects: []Effect{MoveToPersonal{Verb: cards.VerbHuman}}}
		}
		if t := in.Ticket; t != nil && !isClosedState(t.State) {
			return Turn{Status: Complete, Replies: []cards.Message{{Card: myTicket(in, t.view(), ticketAlready, "")}}}
		}
		st.Stage = "ask"
		return Turn{Status: Waiting, State: mustJSON(st), Replies: []cards.Message{{Card: cards.EscalateForm(l, st.Topic, len(st.Transcript), "")}}}
	case cards.VerbTicketOpen:
		if st.Stage != "ask" {
			return Turn{Status: Complete, Pass: true}
		}
		st.Words = in.Data[cards.WordsKey]
		st.Callback = callbackNumber(in.Data[cards.CallbackKey])
		st.Stage = "opening"
		t := waitEsc(st, nil, d.open(st, l))
		t.Update = cards.ResultCard(l, txtEscSending.In(l), "", false, nil, nil)
		return t
	case cards.VerbNotMe:
		if in.Scope != Personal && in.Scope != "" {
			// The notice is sent to the 1:1 chat; a report from anywhere
			// else continues there, so that the helpdesk's answers do not
			// go to a group.
			return Turn{Status: Waiting, State: mustJSON(escalationState{Stage: "moving"}),
				Replies: []cards.Message{{Text: txtEscMoved.In(l)}}, Effects: []Effect{MoveToPersonal{Verb: cards.VerbNotMe, Data: in.Data}}}
		}
		// No form, no questions: the person reported an account takeover.
		st.Stage, st.Urgent = "opening", true
		return waitEsc(st, nil, OpenTicket{Topic: NotMeTopic(HelpdeskLang, in.Data[cards.KindKey]), Lang: l, Urgent: true,
			Transcript: st.Transcript, Tried: st.Tried})
	case cards.VerbTicketDismiss:
		t := Turn{Status: Cancelled}
		if in.Execute {
			t.Update = cards.ResultCard(l, txtEscDropped.In(l), "", false, nil, nil)
		} else {
			t.Replies = []cards.Message{{Text: txtEscDropped.In(l)}}
		}
		return t
	}

	// The ticket's own buttons. They name the ticket; it must be the
	// person's current one (the runner loads only theirs).
	id, _ := strconv.ParseInt(in.Data[cards.TicketKey], 10, 64)
	if id == 0 && in.Ticket != nil {
		id = in.Ticket.ID // typed ("back to the bot"): their current ticket
	}
	if in.Ticket == nil || in.Ticket.ID != id {
		return Turn{Status: Complete, Replies: []cards.Message{{Text: txtNoTicket.In(l)}}}
	}
	st.Stage = "op"
	switch in.Verb {
	case cards.VerbTicketStatus:
		return Turn{Status: Complete, Replies: []cards.Message{{Card: myTicket(in, in.Ticket.view(), ticketStatus, "")}}}
	case cards.VerbTicketNote:
		return waitEsc(st, nil, UpdateTicket{ID: id, Op: OpNote, Text: in.Data[cards.NoteKey]})
	case cards.VerbTicketCancel:
		return waitEsc(st, nil, UpdateTicket{ID: id, Op: OpCancel})
	case cards.VerbTicketReopen:
		return waitEsc(st, nil, UpdateTicket{ID: id, Op: OpReopen})
	case cards.VerbTicketBot:
		return waitEsc(st, nil, UpdateTicket{ID: id, Op: OpEndRelay})
	}
	return Turn{Status: Complete, Pass: true}
}

func (Escalation) open(st escalationState, l cards.Lang) OpenTicket {
	return OpenTicket{Topic: st.DeskTopic, Words: MaskNumbers(clip(strings.TrimSpace(st.Words), 500)), Callback: st.Callback,
		Transcript: st.Transcript, Tried: st.Tried, Lang: l}
}

// callbackNumber keeps what the person typed in the callback field if it
// looks like a phone number (digits of any script, at most 30 characters),
// else nothing: the field is for a number, not for a message.
func callbackNumber(s string) string {
	s = strings.TrimSpace(norm.NFKC.String(s))
	n := 0
	for _, r := range s {
		switch {
		case digits.Value(r) >= 0:
			n++
		case strings.ContainsRune("+-() .", r), digits.Invisible(r):
		default:
			return ""
		}
	}
	if n < 5 || utf8.RuneCountInString(s) > 30 {
		return ""
	}
	return foldNumber(s)
}

func (d Escalation) result(st escalationState, in Input) Turn {
	l := in.Lang
	res := in.Result
	if res.Effect == (MoveToPersonal{}).EffectName() {
		if res.Err != nil {
			return Turn{Status: Complete, Replies: []cards.Message{{Text: txtEscMoveFailed.In(l)}}}
		}
		return Turn{Status: Complete}
	}
	if res.Err != nil {
		if p, ok := res.Err.(*Problem); ok && st.Urgent && p.Code == "urgent_open" {
			return Turn{Status: Complete, Replies: []cards.Message{{Card: cards.ResultCard(l, txtNotMeSent.In(l), ProblemText(l, p), true, nil, nil)}}}
		}
		if st.Urgent {
			return Turn{Status: Complete, Replies: []cards.Message{{Card: cards.ResultCard(l, txtEscFailed.In(l), txtNotMeFailed.In(l), true, nil, nil)}}}
		}
		if st.Stage == "opening" {
			st.Stage = "ask"
			c := cards.EscalateForm(l, st.Topic, len(st.Transcript), ProblemText(l, res.Err))
			return Turn{Status: Waiting, State: mustJSON(st), Update: c, Replies: []cards.Message{{Text: txtEscFailed.In(l)}}}
		}
		return Turn{Status: Complete, Replies: []cards.Message{{Text: ProblemText(l, res.Err)}}}
	}
	t, _ := res.Value.(Ticket)
	v := t.Link().view()
	switch res.Effect {
	case OpenTicket{}.EffectName():
		if st.Urgent {
			return Turn{Status: Complete, Replies: []cards.Message{{Card: myTicket(in, v, ticketNotMe, "")}}}
		}
		c := myTicket(in, v, ticketSent, "")
		return Turn{Status: Complete, Update: c}
	case UpdateTicket{}.EffectName():
		last := ""
		if n := len(t.History); n > 0 {
			last = t.History[n-1].What
		}
		switch last {
		case "note":
			if t.Relay {
				return Turn{Status: Complete, Replies: []cards.Message{{Text: txtRelayed.In(l)}}}
			}
			return Turn{Status: Complete, Replies: []cards.Message{{Text: txtNoteSent.In(l)}}}
		case "cancelled":
			return Turn{Status: Complete, Replies: []cards.Message{{Text: fmt.Sprintf(txtCancelledMsg.In(l), t.Number())}}}
		case "reopened":
			return Turn{Status: Complete, Replies: []cards.Message{{Card: myTicket(in, v, ticketStatus, fmt.Sprintf(txtReopenedMsg.In(l), t.Number()))}}}
		default:
			return Turn{Status: Complete, Replies: []cards.Message{{Text: fmt.Sprintf(txtBackToBotMsg.In(l), t.Number())}}}
		}
	}
	return Turn{Status: Complete}
}

func waitEsc(st escalationState, replies []cards.Message, e Effect) Turn {
	return Turn{Status: Waiting, State: mustJSON(st), Replies: replies, Effects: []Effect{e}}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are marshalled here
	}
	return b
}

func isClosedState(s TicketState) bool { return s == TicketResolved || s == TicketCancelled }

// escalationStart is the dialog's first state, which the router fills from
// the session: the helpdesk must see what happened before the person asked.
func escalationStart(s Session, topicUser, topicDesk string) json.RawMessage {
	return mustJSON(escalationState{Topic: topicUser, DeskTopic: topicDesk, Transcript: s.Transcript, Tried: s.Tried})
}

// numberInvisible and numberSeparators are what may sit between the digits
// of one number (regexp class syntax). Invisible: format characters (Cf:
// zero-width spaces and joiners, soft hyphen, BOM, bidi marks), control
// characters, combining marks (variation selectors, the keycap), Hangul
// fillers, the blank Braille pattern. Separators: spaces of every kind,
// hyphens and dashes (with "−" and the "ー" typed for a hyphen in
// Japanese), dots, parentheses and slashes; NFKC has folded their
// full-width forms already.
const (
	numberInvisible  = `\p{Cf}\p{Cc}\p{Mn}\p{Me}\x{115F}\x{1160}\x{3164}\x{FFA0}\x{2800}`
	numberSeparators = `\s\p{Z}\-\x{2010}-\x{2015}\x{2212}\x{30FC}\x{2043}\x{02D7}\x{2E3A}\x{2E3B}.\x{00B7}\x{30FB}\x{2027}()/\x{2044}\x{2215}`
)

// numberRun finds digit runs that may be a phone number or a code: digits
// of any script, possibly with separators, invisible characters and a
// leading +.
var numberRun = regexp.MustCompile(`(?:\+[` + numberInvisible + `]*)?\p{Nd}(?:[\p{Nd}` + numberInvisible + numberSeparators + `]*\p{Nd})?`)

// MaskNumbers hides phone numbers and one-time codes in free text before it
// leaves the person's chat (transcript, relayed messages): a long number
// keeps its first three and last four digits, in ASCII, a short one (a code)
// none. Digits of every script count and invisible characters between them
// don't break a number, so "٠٨٠١٢٣٤٥٦٧٨" or a number with a zero-width
// space between each digit is masked like "080-1234-5678". A calendar date
// standing between spaces ("2026/12/02 10:30", "12/2") is not part of a
// number and stays readable.
func MaskNumbers(s string) string {
	s = norm.NFKC.String(s)
	return numberRun.ReplaceAllStringFunc(s, func(m string) string {
		// Walk the run's space-separated words: a date is kept, the text
		// between dates is masked as one number.
		var b strings.Builder
		part := 0 // start of the text not yet written
		for i := 0; ; {
			end := len(m) // end of the word at i
			if k := strings.IndexFunc(m[i:], unicode.IsSpace); k >= 0 {
				end = i + k
			}
			if isDate(foldNumber(m[i:end])) {
				b.WriteString(maskNumber(m[part:i]))
				b.WriteString(m[i:end])
				part = end
			}
			next := strings.IndexFunc(m[end:], func(r rune) bool { return !unicode.IsSpace(r) })
			if next < 0 {
				break
			}
			i = end + next
		}
		b.WriteString(maskNumber(m[part:]))
		return b.String()
	})
}

// maskNumber masks one number: fewer than four digits are left as typed,
// up to seven become bullets, longer ones show their first three and last
// four digits. A decimal number ("10.25", one dot and nothing else) is
// masked a side at a time, as before dots joined digits. Spaces around the
// number are kept.
func maskNumber(m string) string {
	core := strings.TrimFunc(m, unicode.IsSpace)
	lead := len(m) - len(strings.TrimLeftFunc(m, unicode.IsSpace))
	rest := m[lead+len(core):]
	t := foldNumber(core)
	isDigits := func(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
	if a, b, ok := strings.Cut(t, "."); ok && isDigits(a) && isDigits(b) {
		k := strings.IndexByte(core, '.')
		return m[:lead] + maskNumber(core[:k]) + "." + maskNumber(core[k+1:]) + rest
	}
	ascii := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, t)
	var masked string
	switch n := len(ascii); {
	case n < 4:
		return m
	case n < 8:
		masked = strings.Repeat("•", n)
	default:
		masked = ascii[:3] + "••••" + ascii[n-4:]
		if strings.HasPrefix(core, "+") {
			masked = "+" + masked
		}
	}
	return m[:lead] + masked + rest
}

// foldNumber drops the invisible characters from a number run and writes
// its digits in ASCII. numberInvisible lets more into a run than
// [digits.Invisible] knows: every combining mark (an accent, the keycap
// U+20E3 typed after a digit) and every control character, tabs and line
// breaks included. Those go too: in a run, foldNumber drops exactly what
// numberInvisible matches.
func foldNumber(m string) string {
	return strings.Map(func(r rune) rune {
		switch v := digits.Value(r); {
		case v >= 0:
			return '0' + rune(v)
		case digits.Invisible(r), unicode.In(r, unicode.Mn, unicode.Me, unicode.Cc):
			return -1
		}
		return r
	}, m)
}

// isDate reports whether t, a folded run without spaces, is a calendar date
// as people write one: 2026-12-02, 2026/12/2, 2026.12.02, 2026/12 or 12/2
// (a year from 1900 to 2099, one kind of separator). Helpdesk messages are
// full of dates, and a date shows no one's number.
func isDate(t string) bool {
	i := strings.IndexAny(t, "-/.")
	if i < 0 {
		return false
	}
	parts := strings.Split(t, t[i:i+1])
	num := func(p string, width ...int) int {
		if !slices.Contains(width, len(p)) || strings.Trim(p, "0123456789") != "" {
			return -1
		}
		n, _ := strconv.Atoi(p)
		return n
	}
	var y, m, d int
	switch {
	case len(parts) == 3:
		y, m, d = num(parts[0], 4), num(parts[1], 1, 2), num(parts[2], 1, 2)
	case len(parts) == 2 && len(parts[0]) == 4:
		y, m, d = num(parts[0], 4), num(parts[1], 1, 2), 1
	case len(parts) == 2 && t[i] == '/':
		y, m, d = 2000, num(parts[0], 1, 2), num(parts[1], 1, 2)
	default:
		return false
	}
	days := [...]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= days[m-1]
}

// recordTurn appends one turn to the session's transcript, masked, keeping
// the last maxTranscript lines.
func recordTurn(s *Session, in Input, out Turn) {
	switch in.Kind {
	case TextInput:
		s.Transcript = append(s.Transcript, Line{FromUser: true, Text: MaskNumbers(clip(in.Text, 300))})
	case SubmitInput:
		s.Transcript = append(s.Transcript, Line{FromUser: true, Text: verbLabel(in.Verb).In(HelpdeskLang)})
	default:
		return
	}
	for _, m := range out.Replies {
		if t := replySummary(m); t != "" {
			s.Transcript = append(s.Transcript, Line{Text: MaskNumbers(clip(t, 300))})
		}
	}
	if out.Update != nil {
		if t := cards.Summary(out.Update); t != "" {
			s.Transcript = append(s.Transcript, Line{Text: MaskNumbers(clip(t, 300))})
		}
	}
	if n := len(s.Transcript); n > maxTranscript {
		s.Transcript = slices.Clone(s.Transcript[n-maxTranscript:])
	}
}

func replySummary(m cards.Message) string {
	if m.Text != "" {
		return m.Text
	}
	if m.Card != nil {
		return cards.Summary(m.Card)
	}
	return ""
}

// verbLabel says in the helpdesk's words which kind of button was pressed.
func verbLabel(verb string) cards.Text {
	switch {
	case verb == cards.VerbMenu:
		return cards.Text{JA: "［メニュー］", EN: "[menu]"}
	case verb == cards.VerbFeedback || verb == cards.VerbReaction:
		return cards.Text{JA: "［回答の評価］", EN: "[rated an answer]"}
	case verb == cards.VerbTopic:
		return cards.Text{JA: "［質問を選択］", EN: "[picked a question]"}
	case strings.HasPrefix(verb, "ts."):
		return cards.Text{JA: "［トラブルシューティングの選択肢］", EN: "[troubleshooter choice]"}
	case strings.HasPrefix(verb, "change."):
		return cards.Text{JA: "［認証方法の変更の操作］", EN: "[sign-in method change step]"}
	case strings.HasPrefix(verb, "ticket.") || verb == cards.VerbHuman:
		return cards.Text{JA: "［担当者への依頼］", EN: "[asked for a person]"}
	}
	return cards.Text{JA: "［ボタン］", EN: "[button]"}
}

// maxTried bounds what the bot remembers having tried.
const maxTried = 10

// noteTried remembers what the bot offered, for the helpdesk, without
// repeats.
func noteTried(s *Session, what string) {
	for _, t := range s.Tried {
		if t == what {
			return
		}
	}
	s.Tried = append(s.Tried, what)
	if len(s.Tried) > maxTried {
		s.Tried = s.Tried[len(s.Tried)-maxTried:]
	}
}

// The person's cards of their ticket, by what they say above it. The kind
// rides on the card's refresh, so that the card keeps its words when
// Teams refreshes it (ticketCard).
const (
	ticketSent    = "sent"    // just sent
	ticketNotMe   = "notme"   // "it wasn't me": the helpdesk alerted
	ticketAlready = "already" // asked again while one is open
	ticketStatus  = "status"  // where it stands
)

var ticketCardWords = map[string]struct{ title, note cards.Text }{
	ticketSent:    {txtEscSent, txtEscSentMsg},
	ticketNotMe:   {txtNotMeSent, txtNotMeMsg},
	ticketAlready: {txtAlready, txtAlreadyMsg},
	ticketStatus:  {txtStatusTitle, cards.Text{}},
}

// myTicket is the person's card of their ticket, of kind (its words), in
// their language; note, if given, replaces the kind's message once (a
// reopened ticket says so). It refreshes for them alone to the ticket's
// current state (ticketCard).
func myTicket(in Input, v cards.TicketView, kind, note string) *cards.Card {
	w := ticketCardWords[kind]
	if note == "" {
		note = w.note.In(in.Lang)
	}
	v.RequesterID, v.RequesterCard = in.User.ID, kind
	return cards.MyTicket(in.Lang, v, w.title.In(in.Lang), note)
}

// ticketCard answers the refresh of the person's card of their ticket:
// its state now, in the card's own words. A card of a ticket that is no
// longer their current one (closed long ago, or replaced by a newer one)
// is closed: its buttons would act on nothing. Outside their 1:1 chat the
// card stays as it is.
func ticketCard(s Session, in Input) Turn {
	if in.Scope != Personal {
		return Turn{}
	}
	in.Lang = s.Language(in.Locale)
	if in.Ticket == nil || strconv.FormatInt(in.Ticket.ID, 10) != in.Data[cards.TicketKey] {
		return Turn{Update: cards.TicketGone(in.Lang)}
	}
	kind := in.Data[cards.TicketCardKey]
	if _, ok := ticketCardWords[kind]; !ok {
		kind = ticketStatus
	}
	return Turn{Update: myTicket(in, in.Ticket.view(), kind, "")}
}
