package dialogs

import (
	"fmt"
	"strings"
	"time"

	"github.com/mfadesk/mfadesk/cards"
)

// The helpdesk's side of a ticket, as pure transitions. The runner loads the
// ticket (the state key is the ticket, not a conversation), finds out who
// clicked (AgentCheck), steps one of these, saves the ticket, sends what the
// step asked for, runs its effects through the one effect executor and
// feeds their results back through DeskResult. Every decision about a
// ticket is made here; package bot only does the I/O.

// AgentCheck is what the runner found out about who acted on a ticket card:
// reading it needs Graph, deciding on it does not.
type AgentCheck string

// The outcomes of checking an agent.
const (
	AgentOK AgentCheck = "ok"
	// AgentNotMember: not in the helpdesk's Entra group (HELPDESK_GROUP_ID),
	// whatever Teams team they are in.
	AgentNotMember AgentCheck = "not_agent"
	// AgentExternal: a guest or other external account. They never act on
	// tickets, even when someone added them to the group.
	AgentExternal AgentCheck = "external"
	// AgentElsewhere: the click came from outside the helpdesk channel (a
	// forwarded or copied card in another team).
	AgentElsewhere AgentCheck = "wrong_channel"
)

// Audit asks the runner to write an audit entry that is not a write to
// Graph: a refusal (not an agent, the agent's own ticket, a pass refused),
// or a rejected approval. Writes audit themselves in the write path.
type Audit struct {
	User      string // whose sign-in the attempt was about
	Actor     string // who attempted it
	Operation string // issue-tap, approve-change, ticket-take, ...
	Result    string // "refused: <code>", "rejected"
	Key       string // the ticket, "ticket-<n>"
}

// EffectName implements [Effect].
func (Audit) EffectName() string { return "audit.record" }

// ApproveChange asks the runner to make a change the person confirmed (with
// their own sign-in) and an agent approved. The write path checks the
// agent's own fresh sign-in first.
type ApproveChange struct {
	Change ApplyChange
	Ticket string // the ticket's number, which the agent's sign-in is bound to
}

// EffectName implements [Effect].
func (ApproveChange) EffectName() string { return "change.approved" }

// PassIssued is IssueTAP's result: the pass, for the eyes of the agent who
// asked only. It lives in the answer to their click and nowhere else.
type PassIssued struct {
	Pass            string
	LifetimeMinutes int
	UsableOnce      bool
	How             string // how the agent verified the person's identity
}

// AgentSignInNeeded is the result of IssueTAP or ApproveChange when the
// agent has not signed in for this ticket recently: nothing was done, and
// URL starts their sign-in.
type AgentSignInNeeded struct{ URL string }

// ticketSubject is what an agent's sign-in for a ticket is bound to.
func ticketSubject(t Ticket) string { return TicketSubject(t.Number()) }

// TicketSubject is the subject of agents' sign-ins for ticket number n.
func TicketSubject(n string) string { return "ticket-" + n }

// auditOperation names an agent's verb in the audit log.
func auditOperation(verb string) string {
	switch verb {
	case cards.VerbDeskTAP:
		return "issue-tap"
	case cards.VerbDeskApprove:
		return "approve-change"
	case cards.VerbDeskReject:
		return "reject-change"
	case cards.VerbDeskRevoke:
		return "revoke-sessions"
	}
	return "ticket-" + strings.TrimPrefix(strings.TrimPrefix(verb, "desk."), "ticket.")
}

// sensitive reports verbs whose every refusal is audited: they hand out or
// change a way to sign in, or sign someone out.
func sensitive(verb string) bool {
	switch verb {
	case cards.VerbDeskTAP, cards.VerbDeskApprove, cards.VerbDeskReject, cards.VerbDeskRevoke:
		return true
	}
	return false
}

// sameAccount reports whether two users are one account.
func sameAccount(a, b User) bool {
	if a.AADObjectID != "" && b.AADObjectID != "" {
		return strings.EqualFold(a.AADObjectID, b.AADObjectID)
	}
	return a.ID != "" && a.ID == b.ID
}

var (
	problemNotAgent = &Problem{Code: string(AgentNotMember),
		JA: "依頼を操作できるのはヘルプデスクの担当者グループのメンバーだけです。何も変更していません。",
		EN: "Only members of the helpdesk's agent group can act on requests. Nothing was changed."}
	problemExternal = &Problem{Code: string(AgentExternal),
		JA: "ゲストや外部のアカウントは依頼を操作できません。何も変更していません。",
		EN: "Guest and external accounts can't act on requests. Nothing was changed."}
	problemElsewhere = &Problem{Code: string(AgentElsewhere),
		JA: "依頼はヘルプデスクのチャネルのカードからだけ操作できます。何も変更していません。",
		EN: "Requests can be handled only from their card in the helpdesk channel. Nothing was changed."}
	problemOwnTicket = &Problem{Code: "own_ticket",
		JA: "これはあなた自身のアカウントについての依頼なので、担当・承認・一時アクセスパスの発行はできません。ほかの担当者に任せてください。何も変更していません。",
		EN: "This request is about your own account, so you can't take it, approve it or issue a pass for it. Please leave it to a colleague. Nothing was changed."}
)

// refusal is the turn for a refused agent action: nothing changes, the
// agent is told, and a refusal that matters is audited.
func refusal(t Ticket, a DeskAction, p *Problem, audit bool) TicketTurn {
	out := TicketTurn{Ticket: t, Problem: p}
	if audit {
		out.Effects = []Effect{Audit{User: t.User.AADObjectID, Actor: a.Agent.AADObjectID,
			Operation: auditOperation(a.Verb), Result: "refused: " + p.Code, Key: ticketSubject(t)}}
	}
	return out
}

// checkAgent refuses actions by people who are not agents here, and
// agents acting on their own account (separation of duties).
func checkAgent(t Ticket, a DeskAction) (TicketTurn, bool) {
	switch a.Check {
	case AgentOK:
	case AgentExternal:
		return refusal(t, a, problemExternal, true), false
	case AgentElsewhere:
		return refusal(t, a, problemElsewhere, true), false
	default:
		return refusal(t, a, problemNotAgent, true), false
	}
	if sameAccount(a.Agent, t.User) {
		return refusal(t, a, problemOwnTicket, true), false
	}
	return TicketTurn{}, true
}

// DeskResult feeds the outcome of a ticket's effect back: it records what
// happened, tells the person, and shows a pass to the agent who asked
// (Private). agent is who started the effect.
func DeskResult(t Ticket, res Result, agent User, now time.Time) TicketTurn {
	out := TicketTurn{Ticket: t}
	n := &out.Ticket
	l, lu := HelpdeskLang, t.Lang
	if v, ok := res.Value.(AgentSignInNeeded); ok && res.Err == nil {
		// Nothing happened: the agent signs in, then presses again.
		out.Private = cards.AgentSignIn(l, t.CardFor(now, l, agent), v.URL)
		return out
	}
	switch res.Effect {
	case IssueTAP{}.EffectName():
		if res.Err != nil {
			n.record(now, agent.Name, "tap-failed", "")
			out.Changed = true
			c := n.CardFor(now, l, agent)
			c.Body = append([]any{cards.Alert(ProblemText(l, res.Err))}, c.Body...)
			out.Private = c
			return out
		}
		p, _ := res.Value.(PassIssued)
		n.record(now, agent.Name, "tap", txtTAPDetail.Format(l, howText(p.How).In(l), p.LifetimeMinutes))
		out.Changed = true
		what := cards.Text{JA: fmt.Sprintf(txtTAPWhat.JA, agent.Name, p.LifetimeMinutes), EN: fmt.Sprintf(txtTAPWhat.EN, agent.Name, p.LifetimeMinutes)}
		out.ToUser = []cards.Message{{Text: fmt.Sprintf(txtTAPToUser.In(lu), agent.Name)},
			{Card: cards.SecurityNotice(lu, cards.NoticeTAP, []string{what.In(lu)}, now)}}
		out.Effects = []Effect{Notify{Owner: t.User.AADObjectID, Kind: cards.NoticeTAP, What: []cards.Text{what}}}
		out.Private = cards.TAPIssued(l, p.Pass, strings.TrimSpace(t.User.Name+" "+t.UPN), p.LifetimeMinutes, p.UsableOnce, n.ViewFor(now, l, agent))
	case RevokeSessions{}.EffectName():
		out.Changed = true
		if res.Err != nil {
			n.record(now, agent.Name, "revoke-failed", ProblemText(l, res.Err))
			return out
		}
		n.record(now, agent.Name, "revoked", "")
		out.ToUser = []cards.Message{{Text: fmt.Sprintf(txtRevokedToUser.In(lu), agent.Name)}}
	case ApproveChange{}.EffectName():
		out.Changed = true
		if res.Err != nil {
			n.record(now, agent.Name, "approve-failed", ProblemText(l, res.Err))
			out.ToUser = []cards.Message{{Text: fmt.Sprintf(txtApproveFailed.In(lu), t.Number(), ProblemText(lu, res.Err))}}
			return out
		}
		c := *t.Pending
		n.Pending, n.PendingText = nil, nil
		n.record(now, agent.Name, "approved", "")
		if o, ok := res.Value.(ChangeOutcome); ok && o.Methods != nil {
			n.Methods = MethodLines(l, *o.Methods)
		}
		what := make([]cards.Text, len(c.Ops))
		lines := make([]string, len(c.Ops))
		for i, op := range c.Ops {
			what[i] = cards.Text{JA: opLine(cards.Japanese, op), EN: opLine(cards.English, op)}
			lines[i] = what[i].In(lu)
		}
		out.ToUser = []cards.Message{{Text: fmt.Sprintf(txtApprovedToUser.In(lu), t.Number(), agent.Name)},
			{Card: cards.SecurityNotice(lu, cards.NoticeChange, lines, now)}}
		out.Effects = []Effect{Notify{Owner: c.Owner, Kind: cards.NoticeChange, What: what}}
	}
	return out
}

// Remind re-announces, once, a ticket nobody took within after.
func Remind(t Ticket, now time.Time, after time.Duration, bot string) TicketTurn {
	out := TicketTurn{Ticket: t}
	if t.Reminded || t.State != TicketOpen || after <= 0 || now.Sub(t.Created) < after || t.Thread.ID == "" {
		return out
	}
	n := &out.Ticket
	n.Reminded = true
	n.record(now, bot, "reminded", "")
	out.Changed = true
	out.ToThread = []string{txtReminder.Format(HelpdeskLang, t.Number(), t.User.Name, int(after.Minutes()))}
	return out
}

// ApprovalExpiry is how long a change waits for the helpdesk's approval.
// It holds the full new number; past this, the number is not kept.
const ApprovalExpiry = 7 * 24 * time.Hour

// ExpireApproval drops a change that waited ApprovalExpiry for approval,
// with the number it holds: the person is told nothing changed, and the
// helpdesk's thread says why the buttons went.
func ExpireApproval(t Ticket, now time.Time, bot string) TicketTurn {
	out := TicketTurn{Ticket: t}
	if t.Pending == nil || t.IsClosed() || now.Sub(t.Created) < ApprovalExpiry {
		return out
	}
	n := &out.Ticket
	n.Pending, n.PendingText = nil, nil
	n.record(now, bot, "approval-expired", "")
	out.Changed = true
	days := int(ApprovalExpiry.Hours() / 24)
	out.ToThread = []string{txtApprovalExpiredThread.Format(HelpdeskLang, t.Number(), days)}
	out.ToUser = []cards.Message{{Text: txtApprovalExpiredUser.Format(t.Lang, t.Number(), days)}}
	out.Effects = []Effect{Audit{User: t.User.AADObjectID, Actor: "mfadesk", Operation: "change",
		Result: "approval expired", Key: t.Pending.Key}}
	return out
}

// Unposted reports a ticket that should be in the helpdesk channel but is
// not: opening posts it at once, so a minute later the connector was down.
func (t Ticket) Unposted(now time.Time) bool {
	return t.Thread.ID == "" && !t.IsClosed() && now.Sub(t.Created) > time.Minute
}

// TicketFacts is what the runner read before a ticket is opened.
type TicketFacts struct {
	UPN     string
	Methods []string // masked lines; a line saying they could not be read
	Audit   []string // urgent tickets: the person's recent audit entries
	// SignIns are the person's failed sign-ins of the last day, one short
	// line each (SignInLines), or the line saying the log could not be
	// read; nil when the feature is off.
	SignIns []string
	// Open is the person's newest open ticket, in any conversation, and
	// OpenUrgent their newest open "This wasn't me" report; nil: none.
	Open, OpenUrgent *TicketLink
	// Today is how many tickets the person opened in the last 24 hours.
	Today int
}

// MaxTicketsPerDay is how many tickets one person may open in 24 hours.
// A report of a change they did not make ("This wasn't me") is urgent: it
// does not wait behind their other ticket, and has a cap of its own, as
// long as no earlier report is still open.
const MaxTicketsPerDay = 5

// NewTicket decides whether the person may open a ticket and builds it.
func NewTicket(in Input, e OpenTicket, f TicketFacts) TicketTurn {
	l := e.Lang
	limit := MaxTicketsPerDay
	switch {
	case e.Urgent && f.OpenUrgent != nil:
		return TicketTurn{Problem: &Problem{Code: "urgent_open", Args: []any{f.OpenUrgent.ID},
			JA: fmt.Sprintf(txtUrgentOpen.JA, f.OpenUrgent.ID), EN: fmt.Sprintf(txtUrgentOpen.EN, f.OpenUrgent.ID)}}
	case e.Urgent:
		limit = 2 * MaxTicketsPerDay
	case f.Open != nil && e.Pending == nil:
		// A change waiting for approval is its own request, even while
		// the person has another one open.
		return TicketTurn{Problem: &Problem{Code: "ticket_open",
			JA: fmt.Sprintf(txtAlreadyOpen.JA, f.Open.ID), EN: fmt.Sprintf(txtAlreadyOpen.EN, f.Open.ID)}}
	}
	if f.Today >= limit {
		return TicketTurn{Problem: &Problem{Code: "ticket_limit",
			JA: fmt.Sprintf(txtTicketLimit.JA, MaxTicketsPerDay), EN: fmt.Sprintf(txtTicketLimit.EN, MaxTicketsPerDay)}}
	}
	t := Ticket{
		State: TicketOpen, User: in.User, UPN: f.UPN, Lang: l, Topic: e.Topic, Words: e.Words, Callback: e.Callback,
		Transcript: e.Transcript, Tried: e.Tried, UserConv: in.Conv, Created: in.Now, Updated: in.Now,
		Pending: e.Pending, PendingText: e.PendingText, Methods: f.Methods, SignIns: f.SignIns, Urgent: e.Urgent,
	}
	if e.Urgent {
		t.Audit = f.Audit
	}
	t.record(in.Now, in.User.Name, "opened", "")
	return TicketTurn{Ticket: t, Changed: true}
}

// Posted records where the ticket's card went.
func Posted(t Ticket, thread Conv, cardID string, now time.Time, bot string) Ticket {
	t.Thread, t.CardID = thread, cardID
	t.record(now, bot, "posted", "")
	return t
}

// MethodsUnreadable is the ticket's methods line when Graph could not be read.
func MethodsUnreadable() []string {
	return []string{cards.Text{JA: "（読み取れませんでした）", EN: "(could not be read)"}.In(HelpdeskLang)}
}

func howText(how string) cards.Text {
	if how == cards.VerifiedVideo {
		return cards.Text{JA: "ビデオ通話で本人確認", EN: "verified by video call"}
	}
	return cards.Text{JA: "窓口で本人確認", EN: "verified in person"}
}

var (
	txtTAPDetail = cards.Text{JA: "%s、%d分", EN: "%s, %d min"}
	txtTAPWhat   = cards.Text{JA: "ヘルプデスクの%sさんが一時アクセスパスを発行（%d分有効）",
		EN: "%s from the helpdesk issued a Temporary Access Pass (valid %d minutes)"}
	txtTAPToUser = cards.Text{
		JA: "ヘルプデスクの%sさんが一時アクセスパスを発行しました。パスは担当者から直接伝えられます。受け取ったら https://aka.ms/mysecurityinfo でサインインして、新しい認証方法を登録してください。",
		EN: "%s from the helpdesk issued you a Temporary Access Pass; they will give it to you directly. Use it to sign in at https://aka.ms/mysecurityinfo and register a new method.",
	}
	txtRevokedToUser = cards.Text{
		JA: "ヘルプデスクの%sさんが、すべてのデバイスでのサインインを終了しました。もう一度サインインし、パスワードを変更してください。",
		EN: "%s from the helpdesk signed you out on every device. Sign in again and change your password.",
	}
	txtApproveFailed = cards.Text{
		JA: "依頼 #%s の変更は承認されましたが、実行できませんでした: %s",
		EN: "The change in request #%s was approved but could not be made: %s",
	}
	txtApprovedToUser = cards.Text{
		JA: "依頼 #%s の変更を%sさんが承認し、実行しました。",
		EN: "%[2]s approved the change in request #%[1]s, and it is done.",
	}
	txtReminder = cards.Text{
		JA: "⏰ 依頼 #%s（%sさん）は%d分以上、担当者が決まっていません。対応できる方は「担当する」を押してください。",
		EN: "⏰ Request #%s from %s has waited over %d minutes with nobody on it. Press Take if you can help.",
	}
	txtAlreadyOpen = cards.Text{
		JA: "依頼 #%d がまだ対応中です。新しく送らなくても、ボットとの個人チャットからその依頼にメッセージを追加できます。",
		EN: "Your request #%d is still open. No need to send another: add a message to it from your personal chat with the bot.",
	}
	txtUrgentOpen = cards.Text{
		JA: "ヘルプデスクは依頼 #%d で、すでに至急の連絡として対応しています。念のため、ヘルプデスクに電話か窓口でも連絡してください。",
		EN: "The helpdesk already has your urgent report as request #%d. To be safe, also call or visit the helpdesk.",
	}
	txtTicketLimit = cards.Text{
		JA: "24時間に送れる依頼は%d件までです。お急ぎの場合は、ヘルプデスクに電話か窓口で直接ご連絡ください。",
		EN: "You can send at most %d requests in 24 hours. If it is urgent, please call or visit the helpdesk.",
	}
)
