package dialogs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mfadesk/mfadesk/cards"
)

// A ticket hands a person to the helpdesk. Its state lives in the store,
// not in a conversation: the person's chat and the helpdesk thread both
// act on it. The transitions here are pure, like the dialogs; the runner
// loads the ticket, applies one, saves it (refusing a stale version) and
// then sends what the transition asked for.

// TicketState is where a ticket stands.
type TicketState = string

// Ticket states.
const (
	TicketOpen      TicketState = cards.TicketOpen      // waiting for an agent
	TicketAssigned  TicketState = cards.TicketAssigned  // an agent took it
	TicketResolved  TicketState = cards.TicketResolved  // done; reopenable for ReopenWithin
	TicketCancelled TicketState = cards.TicketCancelled // withdrawn by the person
)

// ReopenWithin is how long a resolved ticket can be reopened by its person.
const ReopenWithin = 7 * 24 * time.Hour

// Conv addresses a conversation for proactive messages.
type Conv struct {
	ServiceURL string `json:"serviceUrl"`
	ID         string `json:"id"`
	TenantID   string `json:"tenantId,omitempty"`
	// BotID and BotName are the bot's account there, for messages the bot
	// sends into the conversation later, without an activity to answer.
	BotID   string `json:"botId,omitempty"`
	BotName string `json:"botName,omitempty"`
}

// Ticket is one request for a person.
type Ticket struct {
	ID    int64       `json:"id"`
	State TicketState `json:"state"`
	User  User        `json:"user"`
	UPN   string      `json:"upn,omitempty"`
	Lang  cards.Lang  `json:"lang"` // the person's
	Topic string      `json:"topic,omitempty"`
	Words string      `json:"words,omitempty"` // masked
	// Callback is the number the person gave to be called back on, in
	// full: only the agent who holds the ticket sees it so, in their own
	// view of the card; the channel sees it masked. It is dropped when the
	// ticket closes.
	Callback   string   `json:"callback,omitempty"`
	Transcript []Line   `json:"transcript,omitempty"`
	Tried      []string `json:"tried,omitempty"`
	Methods    []string `json:"methods,omitempty"` // masked, as read when opened
	SignIns    []string `json:"signIns"`           // failed sign-ins of the day before it opened (SignInLines)
	UserConv   Conv     `json:"userConv"`
	Thread     Conv     `json:"thread,omitzero"` // the helpdesk thread, once posted
	CardID     string   `json:"cardId,omitempty"`
	Assignee   *User    `json:"assignee,omitempty"`
	// Relay: while set, the person's messages go to the thread and the
	// agents' messages in the thread come to the person.
	Relay       bool          `json:"relay,omitempty"`
	Created     time.Time     `json:"created"`
	Updated     time.Time     `json:"updated"`
	Resolved    time.Time     `json:"resolved,omitzero"`
	ResolveNote string        `json:"resolveNote,omitempty"`
	History     []TicketEvent `json:"history,omitempty"`
	// Notes are the person's messages, masked, kept with the ticket (the
	// last maxNotes) so that none is lost if the thread isn't there yet;
	// the card shows them as quotes, apart from the history.
	Notes       []Line       `json:"notes,omitempty"`
	Pending     *ApplyChange `json:"pending,omitempty"` // approval mode
	PendingText []string     `json:"pendingText,omitempty"`
	Reminded    bool         `json:"reminded,omitempty"`
	// Urgent: the person reported a change they did not make. Audit holds
	// their recent audit entries (masked), and the card offers to revoke
	// their sign-in sessions.
	Urgent bool     `json:"urgent,omitempty"`
	Audit  []string `json:"audit,omitempty"`
}

// TicketEvent is one line of a ticket's history. Detail never holds a pass
// or a full number.
type TicketEvent struct {
	At     time.Time `json:"at"`
	Who    string    `json:"who"`
	What   string    `json:"what"` // a key of txtHistoryEvents: opened, posted, taken, note, tap, approved, ...
	Detail string    `json:"detail,omitempty"`
}

// Line is one turn of the bot session as the helpdesk sees it.
type Line struct {
	FromUser bool   `json:"u,omitempty"`
	Text     string `json:"t"`
}

// maxTranscript is how many turns of the session travel with a ticket.
const maxTranscript = 20

// maxNotes is how many of the person's messages a ticket keeps.
const maxNotes = 20

// maxHistoryShown bounds the history lines on the ticket card.
const maxHistoryShown = 12

// Number is the ticket's number as people see it, without the "#".
func (t Ticket) Number() string { return strconv.FormatInt(t.ID, 10) }

// Link is what a turn in the person's chat knows about their ticket.
func (t Ticket) Link() *TicketLink {
	l := &TicketLink{ID: t.ID, State: t.State, Relay: t.Relay, Resolved: t.Resolved, Urgent: t.Urgent}
	if t.Assignee != nil {
		l.Assignee = t.Assignee.Name
	}
	return l
}

// TicketLink is the person's current ticket, loaded by the runner before a
// turn so that the step can relay and answer "status" without I/O.
type TicketLink struct {
	ID       int64
	State    TicketState
	Assignee string
	Relay    bool
	Resolved time.Time
	Urgent   bool
}

func (l *TicketLink) view() cards.TicketView {
	return cards.TicketView{ID: strconv.FormatInt(l.ID, 10), State: l.State, Assignee: l.Assignee}
}

// View renders the ticket for the helpdesk channel at time now: what
// everyone there may see.
func (t Ticket) View(now time.Time, l cards.Lang) cards.TicketView { return t.view(now, l, false) }

// ViewFor renders the ticket for one agent's own view (the answer to their
// click): the agent who holds the ticket also sees the callback number.
func (t Ticket) ViewFor(now time.Time, l cards.Lang, viewer User) cards.TicketView {
	return t.view(now, l, t.Assignee != nil && sameAccount(*t.Assignee, viewer))
}

// CardFor is the ticket card as viewer sees it (see ViewFor).
func (t Ticket) CardFor(now time.Time, l cards.Lang, viewer User) *cards.Card {
	return cards.Ticket(l, t.ViewFor(now, l, viewer))
}

func (t Ticket) view(now time.Time, l cards.Lang, full bool) cards.TicketView {
	v := cards.TicketView{
		ID: t.Number(), State: t.State, UserName: t.User.Name, UPN: t.UPN, Topic: t.Topic,
		Words: t.Words, Opened: t.Created, Age: now.Sub(t.Created), Methods: t.Methods, SignIns: t.SignIns, Tried: t.Tried,
		Pending: t.PendingText, Resolution: t.ResolveNote, Urgent: t.Urgent, Audit: t.Audit,
	}
	if t.Callback != "" {
		v.Callback = MaskNumbers(t.Callback)
		if full {
			v.Callback = t.Callback
		}
	}
	if t.Assignee != nil {
		v.Assignee, v.AssigneeID = t.Assignee.Name, t.Assignee.ID
	}
	for _, line := range t.Transcript {
		v.Transcript = append(v.Transcript, cards.TranscriptLine{FromUser: line.FromUser, Text: line.Text})
	}
	for _, line := range t.Notes {
		v.Notes = append(v.Notes, line.Text)
	}
	h := t.History
	if len(h) > maxHistoryShown {
		h = h[len(h)-maxHistoryShown:]
	}
	for _, e := range h {
		v.History = append(v.History, historyLine(l, e))
	}
	return v
}

// Card is the ticket card for the helpdesk channel.
func (t Ticket) Card(now time.Time, l cards.Lang) *cards.Card { return cards.Ticket(l, t.View(now, l)) }

func (t *Ticket) record(now time.Time, who, what, detail string) {
	t.History = append(t.History, TicketEvent{At: now, Who: who, What: what, Detail: detail})
	t.Updated = now
}

// IsClosed reports whether nothing more can happen on the ticket but a reopen.
func (t Ticket) IsClosed() bool { return isClosedState(t.State) }

// DeskAction is a click or message of a helpdesk agent on a ticket.
type DeskAction struct {
	Verb  string
	Agent User
	Check AgentCheck // what the runner found out about Agent
	// Execute: the click was an Action.Execute, whose answer only the
	// clicker sees. A pass (and an agent's sign-in) can be shown nowhere
	// else, so its verbs need one.
	Execute bool
	Data    map[string]string
	Text    string // a message in the ticket's thread (VerbDeskSay)
	Now     time.Time
}

// VerbDeskSay is an agent's message in the ticket's thread, which the bot
// relays like a Reply.
const VerbDeskSay = "desk.say"

// TicketTurn is the outcome of one transition of a ticket.
type TicketTurn struct {
	Ticket   Ticket
	Changed  bool            // save the ticket and update the card
	Problem  *Problem        // refused: nothing changed; tell who acted
	ToUser   []cards.Message // in the person's chat
	ToThread []string        // notes in the ticket's thread, in the bot's words
	// Quotes are the person's own words for the thread, shown inert.
	Quotes  []string
	Effects []Effect // run after the ticket is saved
	// Private is a card for the eyes of the agent who acted only (a pass,
	// their sign-in): it is the answer to their click, and never stored.
	Private *cards.Card
}

// IssueTAP asks the runner to issue a Temporary Access Pass. The pass goes
// only into the answer to the agent who asked; it is never stored or logged.
type IssueTAP struct {
	User   string // the person's aadObjectId
	How    string // how the identity was verified
	Ticket string // the ticket's number, which the agent's sign-in is bound to
}

// EffectName implements [Effect].
func (IssueTAP) EffectName() string { return "tap.issue" }

// RevokeSessions asks the runner to sign the person out everywhere
// (Graph revokeSignInSessions): an agent's answer to "This wasn't me".
type RevokeSessions struct {
	User   string // the person's aadObjectId
	Ticket string
}

// EffectName implements [Effect].
func (RevokeSessions) EffectName() string { return "sessions.revoke" }

// Desk applies an agent's action: only agents, never on their own account.
func Desk(t Ticket, a DeskAction) TicketTurn {
	if refused, ok := checkAgent(t, a); !ok {
		return refused
	}
	out := TicketTurn{Ticket: t}
	if a.Verb == cards.VerbDeskView {
		// Teams asking for the card as this agent sees it (the runner
		// answers with the viewer's own view): nothing changes.
		return out
	}
	l := t.Lang
	refuse := func(code string, ja, en string) TicketTurn {
		return refusal(t, a, &Problem{Code: code, JA: ja, EN: en}, sensitive(a.Verb))
	}
	if t.IsClosed() {
		return refuse("ticket_closed", "この依頼はすでに終了しています（"+stateText(t.State).JA+"）。",
			"This request is already closed ("+stateText(t.State).EN+").")
	}
	n := &out.Ticket
	mine := t.Assignee != nil && sameAccount(*t.Assignee, a.Agent)
	if (a.Verb == cards.VerbDeskTAP || a.Verb == cards.VerbDeskApprove) && !a.Execute {
		return refuse("needs_card", "この操作は依頼カードのボタンからだけ行えます。", "This can be done only with the button on the request's card.")
	}
	switch a.Verb {
	case cards.VerbDeskTake:
		if mine {
			return refuse("already_yours", "すでにあなたが担当しています。", "You have this one already.")
		}
		what := "taken"
		if t.Assignee != nil {
			what = "taken-over"
		}
		agent := a.Agent
		n.State, n.Assignee, n.Relay = TicketAssigned, &agent, true
		n.record(a.Now, a.Agent.Name, what, "")
		out.ToUser = append(out.ToUser, cards.Message{Card: cards.ButtonsCard(l,
			fmt.Sprintf(txtTaken.In(l), a.Agent.Name, t.Number()), cards.RelayBack(l, t.Number()))})
	case cards.VerbDeskRelease:
		if t.Assignee == nil {
			return refuse("not_assigned", "この依頼には担当者がいません。", "Nobody has this request.")
		}
		n.State, n.Assignee, n.Relay = TicketOpen, nil, false
		n.Reminded = false
		n.record(a.Now, a.Agent.Name, "released", "")
		out.ToUser = append(out.ToUser, cards.Message{Text: fmt.Sprintf(txtReleased.In(l), t.Number())})
	case cards.VerbDeskReply, VerbDeskSay:
		text := strings.TrimSpace(a.Data[cards.ReplyKey])
		if a.Verb == VerbDeskSay {
			text = strings.TrimSpace(a.Text)
		}
		if text == "" {
			return refuse("empty_reply", "返信が空です。", "The reply is empty.")
		}
		text = clip(text, 2000)
		if t.Assignee == nil {
			// Answering is taking: the person must know who is talking.
			agent := a.Agent
			n.State, n.Assignee = TicketAssigned, &agent
			n.record(a.Now, a.Agent.Name, "taken", "")
		}
		n.Relay = true
		n.record(a.Now, a.Agent.Name, "replied", clip(text, 200))
		out.ToUser = append(out.ToUser, cards.Message{Card: cards.ButtonsCard(l,
			fmt.Sprintf(txtAgentSays.In(l), a.Agent.Name, text), cards.RelayBack(l, t.Number()))})
	case cards.VerbDeskTAP:
		if !mine {
			return refuse("take_first", "一時アクセスパスは、この依頼を担当している人だけが発行できます。先に「担当する」を押してください。",
				"Only the agent who has this request can issue a pass. Take it first.")
		}
		if a.Data[cards.VerifiedKey] != "true" {
			return refuse("not_verified", "本人確認を行ったことを示すチェックを入れてください。パスは発行していません。",
				"Tick that you verified the person's identity. No pass was issued.")
		}
		how := a.Data[cards.HowKey]
		if how != cards.VerifiedInPerson && how != cards.VerifiedVideo {
			return refuse("how_missing", "本人確認の方法を選んでください。パスは発行していません。",
				"Choose how you verified their identity. No pass was issued.")
		}
		out.Effects = []Effect{IssueTAP{User: t.User.AADObjectID, How: how, Ticket: t.Number()}}
	case cards.VerbDeskResolve:
		note := clip(strings.TrimSpace(a.Data[cards.NoteKey]), 1000)
		n.State, n.Relay, n.Resolved, n.ResolveNote = TicketResolved, false, a.Now, note
		n.Pending, n.PendingText, n.Callback = nil, nil, ""
		n.record(a.Now, a.Agent.Name, "resolved", clip(note, 200))
		msg := fmt.Sprintf(txtResolvedMsg.In(l), t.Number(), a.Agent.Name)
		if note != "" {
			msg += "\n\n" + note
		}
		msg += "\n\n" + txtReopenHint.In(l)
		out.ToUser = append(out.ToUser, cards.Message{Card: cards.MyTicket(l, cards.TicketView{ID: t.Number(), State: TicketResolved}, txtResolvedTitle.In(l), msg)})
	case cards.VerbDeskApprove, cards.VerbDeskReject:
		if t.Pending == nil {
			return refuse("nothing_pending", "承認待ちの変更はありません。", "There is no change waiting for approval.")
		}
		if a.Verb == cards.VerbDeskReject {
			n.Pending, n.PendingText = nil, nil
			n.record(a.Now, a.Agent.Name, "rejected", "")
			out.Effects = []Effect{Audit{User: t.User.AADObjectID, Actor: a.Agent.AADObjectID, Operation: "change",
				Result: "rejected by the helpdesk", Key: t.Pending.Key}}
			out.ToUser = append(out.ToUser, cards.Message{Text: fmt.Sprintf(txtRejected.In(l), t.Number(), a.Agent.Name)})
			break
		}
		if t.Assignee == nil {
			agent := a.Agent
			n.State, n.Assignee = TicketAssigned, &agent
			n.record(a.Now, a.Agent.Name, "taken", "")
		}
		out.Effects = []Effect{ApproveChange{Change: *t.Pending, Ticket: t.Number()}}
	case cards.VerbDeskRevoke:
		if !t.Urgent {
			return refuse("not_urgent", "サインインの強制終了は、本人が心当たりのない変更を報告した依頼でだけ使えます。", "Signing someone out everywhere is offered only on reports of a change they did not make.")
		}
		out.Effects = []Effect{RevokeSessions{User: t.User.AADObjectID, Ticket: t.Number()}}
	default:
		return refuse("unknown_action", "このボタンは使えません。", "That button no longer works.")
	}
	out.Changed = true
	n.Updated = a.Now
	return out
}

// TicketOp is something the person does to their ticket from their chat.
type TicketOp string

// The person's ticket operations.
const (
	OpNote     TicketOp = "note"     // add a message
	OpRelay    TicketOp = "relay"    // a message while an agent is talking to them
	OpCancel   TicketOp = "cancel"   // withdraw
	OpReopen   TicketOp = "reopen"   // reopen within ReopenWithin of resolving
	OpEndRelay TicketOp = "endRelay" // back to the bot
)

// UserAct applies the person's operation (in is their turn) to their
// ticket. Their words go to the thread as a quote, never as the bot's
// words, and stay out of the history, which they could otherwise imitate.
func UserAct(t Ticket, in Input, e UpdateTicket) TicketTurn {
	out := TicketTurn{Ticket: t}
	if !sameAccount(in.User, t.User) {
		out.Problem = &Problem{Code: "not_yours", JA: txtNoTicket.JA, EN: txtNoTicket.EN}
		return out
	}
	now := in.Now
	n := &out.Ticket
	who := t.User.Name
	refuse := func(code, ja, en string) TicketTurn {
		out.Problem = &Problem{Code: code, JA: ja, EN: en}
		return out
	}
	hl := HelpdeskLang
	switch e.Op {
	case OpNote, OpRelay:
		if t.IsClosed() {
			return refuse("ticket_closed", "この依頼はすでに終了しています。", "This request is already closed.")
		}
		text := MaskNumbers(clip(strings.TrimSpace(e.Text), 2000))
		if text == "" {
			return refuse("empty_note", "メッセージが空です。", "The message is empty.")
		}
		n.record(now, who, "note", "")
		n.Notes = append(n.Notes, Line{FromUser: true, Text: text})
		if len(n.Notes) > maxNotes {
			n.Notes = n.Notes[len(n.Notes)-maxNotes:]
		}
		out.Quotes = append(out.Quotes, text)
	case OpCancel:
		if t.IsClosed() {
			return refuse("ticket_closed", "この依頼はすでに終了しています。", "This request is already closed.")
		}
		n.State, n.Relay, n.Pending, n.PendingText, n.Callback = TicketCancelled, false, nil, nil, ""
		n.record(now, who, "cancelled", "")
		out.ToThread = append(out.ToThread, txtUserCancelled.Format(hl, who, t.Number()))
	case OpReopen:
		if t.State != TicketResolved {
			return refuse("not_resolved", "この依頼は解決済みではありません。", "This request is not resolved.")
		}
		if now.Sub(t.Resolved) > ReopenWithin {
			return refuse("reopen_expired", "解決から7日以上たったため、この依頼はもう開けません。新しく担当者に相談してください。",
				"It has been more than 7 days since this was resolved, so it can't be reopened. Please ask for a person again.")
		}
		n.State, n.Resolved, n.ResolveNote, n.Reminded = TicketOpen, time.Time{}, "", false
		if t.Assignee != nil {
			n.State, n.Relay = TicketAssigned, true
		}
		n.record(now, who, "reopened", "")
		out.ToThread = append(out.ToThread, txtUserReopened.Format(hl, who, t.Number()))
	case OpEndRelay:
		if !t.Relay {
			return out
		}
		n.Relay = false
		n.record(now, who, "relay-ended", "")
		out.ToThread = append(out.ToThread, txtUserBackToBot.Format(hl, who))
	default:
		return refuse("unknown_op", txtNoTicket.JA, txtNoTicket.EN)
	}
	out.Changed = true
	n.Updated = now
	return out
}

// QuoteLabel is the label over the person's words in the thread.
func QuoteLabel(t Ticket) string {
	return txtUserSays.Format(HelpdeskLang, cards.Plain(t.User.Name), t.Number())
}

// HelpdeskLang is the language of the helpdesk channel's cards and notes.
// The organisations this bot serves run Japanese helpdesks.
var HelpdeskLang = cards.Japanese

var (
	txtTaken = cards.Text{
		JA: "ヘルプデスクの%sさんが依頼 #%s の対応を始めました。ここに書いたメッセージは担当者に届きます。",
		EN: "%s from the helpdesk is now handling your request #%s. What you write here goes to them.",
	}
	txtReleased = cards.Text{
		JA: "依頼 #%s は担当者の手を離れ、別の担当者を待っています。しばらくお待ちください。",
		EN: "Your request #%s is back in the queue for the next available person. Please bear with us.",
	}
	txtAgentSays     = cards.Text{JA: "%s（ヘルプデスク）:\n\n%s", EN: "%s (helpdesk):\n\n%s"}
	txtResolvedTitle = cards.Text{JA: "依頼は解決済みになりました", EN: "Your request was resolved"}
	txtResolvedMsg   = cards.Text{JA: "依頼 #%s は %s さんが解決済みにしました。", EN: "Request #%s was marked resolved by %s."}
	txtReopenHint    = cards.Text{
		JA: "まだ解決していない場合は、7日以内なら「もう一度開く」で同じ担当者に戻せます。",
		EN: "If it isn't solved, press Reopen within 7 days to pick it up again.",
	}
	txtRejected = cards.Text{
		JA: "依頼 #%s の変更は、%s さんが承認しませんでした。変更は行っていません。理由は担当者からの連絡をお待ちください。",
		EN: "The change in request #%s was not approved by %s; nothing was changed. They will tell you why.",
	}
	txtApprovalExpiredUser = cards.Text{
		JA: "依頼 #%s の変更は、%d 日たっても承認されなかったため取りやめました。変更は行っておらず、入力された番号も消去しました。まだ必要なら、もう一度お申し込みください。",
		EN: "The change in request #%s was not approved within %d days, so it was dropped: nothing was changed, and the number you gave was erased. If you still need it, ask again.",
	}
	txtApprovalExpiredThread = cards.Text{
		JA: "依頼 #%s の承認待ちの変更は、%d 日たったため取りやめました（本人に連絡済み。番号は消去）。",
		EN: "The change waiting for approval in request #%s was dropped after %d days (the person was told; the number erased).",
	}
	txtUserSays      = cards.Text{JA: "%s さんからのメッセージ（依頼 #%s。本人が書いたまま。番号は伏せ字、書式やリンクは無効）", EN: "Message from %s (request #%s; their words, numbers masked, formatting and links disabled)"}
	txtUserCancelled = cards.Text{JA: "%s さんが依頼 #%s を取り下げました。", EN: "%s withdrew request #%s."}
	txtUserReopened  = cards.Text{JA: "%s さんが依頼 #%s を再開しました。", EN: "%s reopened request #%s."}
	txtUserBackToBot = cards.Text{JA: "%s さんはボットとの会話に戻りました。スレッドで @メンションすると引き続き届きます。", EN: "%s went back to the bot. Mention the bot in this thread to reach them."}
	txtHistoryEvents = map[string]cards.Text{
		"opened":           {JA: "受付", EN: "opened"},
		"posted":           {JA: "チャネルに投稿", EN: "posted"},
		"taken":            {JA: "担当", EN: "took it"},
		"taken-over":       {JA: "担当を引き継ぎ", EN: "took it over"},
		"released":         {JA: "担当を外れた", EN: "released it"},
		"replied":          {JA: "返信", EN: "replied"},
		"note":             {JA: "メッセージ", EN: "wrote"},
		"tap":              {JA: "一時アクセスパスを発行", EN: "issued a Temporary Access Pass"},
		"tap-failed":       {JA: "一時アクセスパスの発行に失敗", EN: "could not issue a pass"},
		"approve-failed":   {JA: "承認した変更を実行できず", EN: "approved, but the change failed"},
		"revoked":          {JA: "全デバイスのサインインを強制終了", EN: "signed them out everywhere"},
		"revoke-failed":    {JA: "サインインの強制終了に失敗", EN: "could not sign them out"},
		"resolved":         {JA: "解決", EN: "resolved it"},
		"reopened":         {JA: "再開", EN: "reopened it"},
		"cancelled":        {JA: "取り下げ", EN: "withdrew it"},
		"approved":         {JA: "変更を承認・実行", EN: "approved the change"},
		"rejected":         {JA: "変更を却下", EN: "rejected the change"},
		"approval-expired": {JA: "承認待ちの変更が期限切れ", EN: "the change awaiting approval expired"},
		"relay-ended":      {JA: "ボットに戻った", EN: "went back to the bot"},
		"reminded":         {JA: "未対応のため再通知", EN: "reminder: still unassigned"},
	}
)

func stateText(s TicketState) cards.Text {
	switch s {
	case TicketResolved:
		return cards.Text{JA: "解決済み", EN: "resolved"}
	case TicketCancelled:
		return cards.Text{JA: "取り下げ", EN: "cancelled"}
	}
	return cards.Text{JA: "対応中", EN: "open"}
}

func historyLine(l cards.Lang, e TicketEvent) string {
	what := e.What
	if t, ok := txtHistoryEvents[e.What]; ok {
		what = t.In(l)
	}
	// Names and details come from Teams and agents: inert, so that no one
	// writes a history line of their own.
	line := fmt.Sprintf("{{TIME(%s)}} %s: %s", e.At.UTC().Format(time.RFC3339), cards.Plain(e.Who), what)
	if e.Detail != "" {
		line += " — " + cards.Plain(e.Detail)
	}
	return line
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// MethodLines lists a person's methods as one line each, for the ticket.
func MethodLines(l cards.Lang, m MethodsView) []string {
	var out []string
	for _, f := range methodFacts(l, m) {
		out = append(out, f.Title+": "+f.Value)
	}
	return out
}
