package cards

import (
	"strings"
	"time"
)

// Cards of the helpdesk escalation: what the person sees when they ask for
// a person (what will be shared, their ticket), and the ticket card the
// helpdesk works from in its channel.

// Verbs of the ticket cards. Person-side verbs come from the personal chat,
// desk verbs from the ticket card in the helpdesk channel.
const (
	VerbTicketOpen    = "ticket.open"    // send the request; data: words (input)
	VerbTicketCancel  = "ticket.cancel"  // withdraw an open ticket; data: ticket
	VerbTicketStatus  = "ticket.status"  // show the ticket; data: ticket
	VerbTicketNote    = "ticket.note"    // add a message; data: ticket, note (input)
	VerbTicketReopen  = "ticket.reopen"  // reopen a resolved ticket; data: ticket
	VerbTicketBot     = "ticket.bot"     // stop relaying, back to the bot; data: ticket
	VerbTicketDismiss = "ticket.dismiss" // close the request form without sending
	// VerbTicketView asks for the person's card of their ticket as it
	// stands now (the card's refresh, for them alone); it changes nothing.
	VerbTicketView = "ticket.view"

	VerbDeskTake    = "desk.take"    // assign to me
	VerbDeskRelease = "desk.release" // unassign
	VerbDeskReply   = "desk.reply"   // relay a reply; data: reply (input)
	VerbDeskTAP     = "desk.tap"     // issue a Temporary Access Pass; data: verified, how (inputs)
	VerbDeskResolve = "desk.resolve" // resolve; data: note (input)
	VerbDeskApprove = "desk.approve" // make the pending change (approval mode)
	VerbDeskReject  = "desk.reject"  // refuse the pending change
	VerbDeskRevoke  = "desk.revoke"  // sign the person out everywhere (urgent tickets)
	// VerbDeskView asks for the card as the agent holding the ticket sees
	// it (the card's refresh, for them alone); it changes nothing.
	VerbDeskView = "desk.view"
)

// Data and input keys of the ticket verbs.
const (
	// TicketCardKey names which of the person's cards of their ticket a
	// refresh is for, so that it keeps its words: one of a fixed few.
	TicketCardKey = "as"
	TicketKey     = "ticket"
	WordsKey      = "words"
	CallbackKey   = "callback"
	NoteKey       = "note"
	ReplyKey      = "reply"
	VerifiedKey   = "verified"
	HowKey        = "how"
)

// How an agent verified a person's identity before issuing a pass.
const (
	VerifiedInPerson = "in-person"
	VerifiedVideo    = "video-id"
)

// Ticket states, as the cards show them.
const (
	TicketOpen      = "open"
	TicketAssigned  = "assigned"
	TicketResolved  = "resolved"
	TicketCancelled = "cancelled"
)

// TicketView is what a ticket card shows. Everything in it is already
// masked: the helpdesk channel sees no full phone number.
type TicketView struct {
	ID       string // the number, as a string for button data
	State    string
	UserName string
	UPN      string
	Topic    string
	Words    string
	// Callback is the number to call the person back on: in full in the
	// view of the agent who holds the ticket, masked for everyone else.
	Callback string
	Opened   time.Time
	Age      time.Duration // at the time of rendering
	Assignee string
	// AssigneeID is the Teams id of the agent holding the ticket: Teams
	// asks the bot for their own view of the card (VerbDeskView).
	AssigneeID string
	// RequesterID is the Teams id of the person who asked: their card of
	// the ticket refreshes to its current state (VerbTicketView), so that
	// "waiting for an agent" does not stay on it once one has taken it.
	// RequesterCard names which of their cards it is (TicketCardKey).
	RequesterID, RequesterCard string
	Methods                    []string
	SignIns                    []string // the person's failed sign-ins before it opened
	Tried                      []string
	Transcript                 []TranscriptLine
	// Notes are the person's messages on the ticket, masked; shown inert.
	Notes      []string
	History    []string
	Pending    []string // approval mode: the change waiting for approval
	Resolution string
	// Urgent: the person reported a change they did not make; Audit is
	// their recent audit log, masked.
	Urgent bool
	Audit  []string
}

// TranscriptLine is one line of the bot session, already masked.
type TranscriptLine struct {
	FromUser bool
	Text     string
}

var (
	txtEscTitle = Text{"ヘルプデスクの担当者につなぎます", "Talk to a person at the helpdesk"}
	txtEscBody  = Text{
		"困っていることを一言書いてください（空欄のままでも送れます）。受付時間内なら、担当者がこのチャットで返信します。",
		"Tell us in a line what is wrong (you can leave it empty). A person at the helpdesk will answer here in this chat.",
	}
	txtEscWordsLabel = Text{"どうしましたか？（任意）", "What's wrong? (optional)"}
	txtEscWordsHint  = Text{"例：スマホをなくして、ほかの方法もありません", "e.g. I lost my phone and have no other method"}
	txtEscCallLabel  = Text{"折り返しの電話番号（任意）", "A number to call you back on (optional)"}
	txtEscCallHint   = Text{"例：090-1234-5678", "e.g. +81 90-1234-5678"}
	txtShareCallback = Text{"折り返しの電話番号（全桁が見えるのは担当者だけ）", "Your callback number (only the agent helping you sees it in full)"}
	txtEscShared     = Text{"担当者に共有される内容", "What the helpdesk will see"}
	txtEscSend       = Text{"担当者に送る", "Send to the helpdesk"}
	txtEscCancel     = Text{"やめる", "Never mind"}

	txtShareName       = Text{"お名前とサインイン名（UPN）", "Your name and sign-in name (UPN)"}
	txtShareTopic      = Text{"相談の内容: ", "The topic: "}
	txtShareTranscript = Text{"このボットとのやり取り（直近%d件。電話番号や確認コードは伏せ字）", "This chat with the bot (last %d turns; phone numbers and codes hidden)"}
	txtShareMethods    = Text{"登録済みの認証方法（番号は伏せ字）", "Your registered sign-in methods (numbers masked)"}
	txtShareTried      = Text{"ボットがすでに案内したこと", "What the bot already suggested"}

	txtTicketNumber = Text{"受付番号", "Ticket"}
	txtTicketState  = Text{"状態", "Status"}
	txtTicketAgent  = Text{"担当", "Assigned to"}

	txtStateOpen      = Text{"担当者を待っています", "Waiting for a person"}
	txtStateAssigned  = Text{"対応中", "In progress"}
	txtStateResolved  = Text{"解決済み", "Resolved"}
	txtStateCancelled = Text{"取り下げ", "Cancelled"}

	txtMyTicketStatus = Text{"状況を見る", "Check the status"}
	txtMyTicketNote   = Text{"メッセージを追加", "Add a message"}
	txtMyTicketCancel = Text{"取り下げる", "Cancel the request"}
	txtMyTicketReopen = Text{"もう一度開く", "Reopen"}
	txtMyTicketBot    = Text{"ボットに戻る", "Back to the bot"}
	txtNoteLabel      = Text{"担当者へのメッセージ", "Your message to the helpdesk"}
	txtNoteRequired   = Text{"メッセージを入力してから送信してください。", "Write your message before you send it."}
	txtNoteSend       = Text{"送る", "Send"}
)

// EscalateForm asks for the optional line and lists what will be shared.
// problem, if set, is shown in red (e.g. the helpdesk is not configured).
func EscalateForm(l Lang, topic string, transcriptTurns int, problem string) *Card {
	shared := []string{txtShareName.In(l)}
	if topic != "" {
		shared = append(shared, txtShareTopic.In(l)+topic)
	}
	if transcriptTurns > 0 {
		shared = append(shared, txtShareTranscript.Format(l, transcriptTurns))
	}
	shared = append(shared, txtShareMethods.In(l), txtShareTried.In(l), txtShareCallback.In(l))
	c := newCard(l, heading(txtEscTitle.In(l)), para(txtEscBody.In(l)))
	if problem != "" {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: problem, Wrap: true, Color: "Attention", Weight: "Bolder"})
	}
	c.Body = append(c.Body,
		InputText{Type: "Input.Text", ID: WordsKey, Label: txtEscWordsLabel.In(l), Placeholder: txtEscWordsHint.In(l), MaxLength: 500},
		InputText{Type: "Input.Text", ID: CallbackKey, Label: txtEscCallLabel.In(l), Placeholder: txtEscCallHint.In(l), MaxLength: 30, Style: "tel"},
		TextBlock{Type: "TextBlock", Text: txtEscShared.In(l), Weight: "Bolder", Wrap: true, Spacing: "Medium"},
		para(bullets(shared)),
	)
	send := execute(txtEscSend.In(l), VerbTicketOpen)
	send.Style = "positive"
	c.Actions = []Action{send, execute(txtEscCancel.In(l), VerbTicketDismiss)}
	return c
}

// MyTicket is the person's view of their ticket: number, status and what
// they can do next. note is the message shown above (e.g. "sent").
func MyTicket(l Lang, v TicketView, title, note string) *Card {
	facts := []Fact{
		{Title: txtTicketNumber.In(l), Value: "#" + v.ID},
		{Title: txtTicketState.In(l), Value: stateLabel(v.State).In(l)},
	}
	if v.Assignee != "" && v.State == TicketAssigned {
		facts = append(facts, Fact{Title: txtTicketAgent.In(l), Value: v.Assignee})
	}
	c := newCard(l, heading(title))
	if note != "" {
		c.Body = append(c.Body, para(note))
	}
	c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: facts})
	id := []string{TicketKey, v.ID}
	switch v.State {
	case TicketOpen, TicketAssigned:
		if v.RequesterID != "" {
			c.Refresh = &Refresh{Action: execute("Refresh", VerbTicketView, TicketKey, v.ID, TicketCardKey, v.RequesterCard),
				UserIDs: []string{v.RequesterID}}
		}
		noteCard := subCard(l, InputText{Type: "Input.Text", ID: NoteKey, Label: txtNoteLabel.In(l), IsRequired: true,
			ErrorMsg: txtNoteRequired.In(l), MaxLength: 1000, Style: "text"})
		noteCard.Actions = []Action{submit(txtNoteSend.In(l), VerbTicketNote, id...)}
		c.Actions = append(c.Actions,
			submit(txtMyTicketStatus.In(l), VerbTicketStatus, id...),
			Action{Type: "Action.ShowCard", Title: txtMyTicketNote.In(l), Card: noteCard},
			submit(txtMyTicketCancel.In(l), VerbTicketCancel, id...))
	case TicketResolved:
		c.Actions = append(c.Actions, submit(txtMyTicketReopen.In(l), VerbTicketReopen, id...))
	}
	return c
}

var txtTicketGone = Text{
	"この依頼は終了したか、新しい依頼に置き換わりました。状況はチャットの新しいメッセージをご覧ください。",
	"This request is closed, or a newer one has taken its place. The newest messages in the chat say where things stand.",
}

// TicketGone replaces the person's card of a ticket that is no longer
// theirs to act on: none of its buttons left, only the way to the menu.
func TicketGone(l Lang) *Card {
	c := newCard(l, subtle(txtTicketGone.In(l)))
	c.Actions = []Action{submit(txtBackToMenu.In(l), VerbMenu)}
	return c
}

// RelayBack is the button that ends a conversation with an agent.
func RelayBack(l Lang, ticket string) Button {
	return Button{Title: txtMyTicketBot.In(l), Verb: VerbTicketBot, Data: map[string]string{TicketKey: ticket}}
}

// ButtonsCard is a short message with buttons under it.
func ButtonsCard(l Lang, text string, buttons ...Button) *Card {
	c := newCard(l, para(text))
	for _, b := range buttons {
		c.Actions = append(c.Actions, b.action())
	}
	return c
}

var (
	txtDeskTitle      = Text{"MFAの相談 #%s", "MFA request #%s"}
	txtDeskUser       = Text{"依頼者", "From"}
	txtDeskTopic      = Text{"内容", "Topic"}
	txtDeskWords      = Text{"本人の言葉（本人が書いたまま。番号は伏せ字、書式やリンクは無効）", "In their words (numbers masked; formatting and links disabled)"}
	txtDeskCallback   = Text{"折り返しの電話番号", "Call back on"}
	txtDeskNotes      = Text{"本人からのメッセージ（書いたまま。番号は伏せ字、書式やリンクは無効）", "Their messages (numbers masked; formatting and links disabled)"}
	txtDeskNoWords    = Text{"（記入なし）", "(nothing written)"}
	txtDeskMethods    = Text{"登録済みの認証方法", "Registered sign-in methods"}
	txtDeskSignIns    = Text{"失敗したサインイン（受付前の24時間、本人のサインインログ）", "Failed sign-ins (the 24 hours before, from their sign-in log)"}
	txtDeskTried      = Text{"ボットが案内したこと", "What the bot already tried"}
	txtDeskNothing    = Text{"なし", "Nothing"}
	txtDeskTranscript = Text{"ボットとのやり取りを見る", "Show the bot conversation"}
	txtDeskHistory    = Text{"経過", "History"}
	txtDeskPending    = Text{"承認待ちの変更", "Change waiting for approval"}
	txtDeskResolution = Text{"解決メモ", "Resolution"}
	txtDeskAge        = Text{"受付 {{DATE(%s, SHORT)}} {{TIME(%s)}}（%s経過）", "Opened {{DATE(%s, SHORT)}} {{TIME(%s)}} (%s ago)"}
	txtDeskWho        = Text{"利用者", "User"}
	txtDeskBot        = Text{"ボット", "Bot"}

	txtDeskTake      = Text{"担当する", "Take"}
	txtDeskRelease   = Text{"担当を外れる", "Release"}
	txtDeskReply     = Text{"返信する", "Reply"}
	txtDeskReplyBox  = Text{"利用者への返信（ボットのチャットに、あなたの名前付きで届きます）", "Reply to the user (sent to their chat with the bot, signed with your name)"}
	txtDeskReplyNone = Text{"返信を入力してから送信してください。", "Write the reply before you send it."}
	txtDeskReplySend = Text{"送信", "Send reply"}
	txtDeskTAP       = Text{"一時アクセスパスを発行", "Issue a Temporary Access Pass"}
	txtDeskTAPWarn   = Text{
		"本人確認が済んでいる場合だけ発行してください。パスはあなたにだけ表示され、チャネルには投稿されず、保存もされません。",
		"Issue one only after checking the person's identity. The pass is shown to you alone: it is not posted to the channel and not stored.",
	}
	txtDeskVerified = Text{"本人確認を行った", "I verified this person's identity"}
	txtDeskHow      = Text{"確認の方法", "How"}
	txtDeskInPerson = Text{"窓口で身分証を確認", "In person, with ID"}
	txtDeskVideo    = Text{"ビデオ通話で身分証を確認", "Video call, with ID"}
	txtDeskTAPSend  = Text{"発行する", "Issue the pass"}
	txtDeskResolve  = Text{"解決にする", "Resolve"}
	txtDeskNoteBox  = Text{"解決メモ（利用者にも届きます）", "Resolution note (the user sees it)"}
	txtDeskResolveS = Text{"解決として閉じる", "Close as resolved"}
	txtDeskApprove  = Text{"変更を承認して実行", "Approve and make the change"}
	txtDeskReject   = Text{"変更を却下", "Reject the change"}
	txtDeskUrgent   = Text{"至急: 本人は、この変更に心当たりがないと報告しています。アカウントが乗っ取られている可能性があります。電話か窓口で本人に連絡し、必要ならサインインを強制終了してください。", "URGENT: the person reports a change they did not make. Their account may have been taken over. Reach them by phone or in person, and sign them out everywhere if needed."}
	txtDeskAudit    = Text{"変更の記録（監査ログ、新しい順）", "What changed (audit log, newest first)"}
	txtDeskRevoke   = Text{"サインインを強制終了（全デバイス）", "Sign them out everywhere"}
)

// Ticket is the card in the helpdesk channel. It is PUT on every change so
// that everyone in the channel sees the same state.
func Ticket(l Lang, v TicketView) *Card {
	words := v.Words
	if words == "" {
		words = txtDeskNoWords.In(l)
	}
	facts := []Fact{
		{Title: txtTicketState.In(l), Value: stateLabel(v.State).In(l)},
		{Title: txtDeskUser.In(l), Value: Plain(strings.TrimSpace(v.UserName + " " + parenthesised(v.UPN)))},
	}
	if v.Topic != "" {
		facts = append(facts, Fact{Title: txtDeskTopic.In(l), Value: v.Topic})
	}
	if v.Assignee != "" {
		facts = append(facts, Fact{Title: txtTicketAgent.In(l), Value: Plain(v.Assignee)})
	}
	if v.Callback != "" {
		facts = append(facts, Fact{Title: txtDeskCallback.In(l), Value: v.Callback})
	}
	opened := v.Opened.UTC().Format(time.RFC3339)
	c := newCard(l,
		heading(txtDeskTitle.Format(l, v.ID)),
		subtle(txtDeskAge.Format(l, opened, opened, roundAge(v.Age, l))),
		FactSet{Type: "FactSet", Facts: facts},
		Quote(txtDeskWords.In(l), words),
		label(txtDeskMethods.In(l)), para(orNothing(l, plainAll(v.Methods))),
	)
	if v.SignIns != nil {
		c.Body = append(c.Body, label(txtDeskSignIns.In(l)), para(orNothing(l, plainAll(v.SignIns))))
	}
	c.Body = append(c.Body,
		label(txtDeskTried.In(l)), para(orNothing(l, plainAll(v.Tried))),
	)
	if v.Urgent {
		c.Body = append([]any{Alert(txtDeskUrgent.In(l))}, c.Body...)
		c.Body = append(c.Body, label(txtDeskAudit.In(l)), para(orNothing(l, plainAll(v.Audit))))
	}
	if len(v.Notes) > 0 {
		c.Body = append(c.Body, Quotes(txtDeskNotes.In(l), v.Notes))
	}
	if len(v.Pending) > 0 {
		c.Body = append(c.Body, label(txtDeskPending.In(l)), para(bullets(plainAll(v.Pending))))
	}
	if v.Resolution != "" {
		c.Body = append(c.Body, label(txtDeskResolution.In(l)), para(Plain(v.Resolution)))
	}
	if len(v.History) > 0 {
		c.Body = append(c.Body, label(txtDeskHistory.In(l)), subtle(bullets(v.History)))
	}
	if len(v.Transcript) > 0 {
		// Each line is plain text under a label the person can't type.
		var lines []any
		for _, t := range v.Transcript {
			who := txtDeskBot.In(l)
			if t.FromUser {
				who = txtDeskWho.In(l)
			}
			lines = append(lines, RichTextBlock{Type: "RichTextBlock", Inlines: []TextRun{
				{Type: "TextRun", Text: who + ": ", IsSubtle: true}, {Type: "TextRun", Text: Inert(strings.Join(strings.Fields(t.Text), " "))}}})
		}
		tc := subCard(l, lines...)
		c.Actions = append(c.Actions, Action{Type: "Action.ShowCard", Title: txtDeskTranscript.In(l), Card: tc})
	}
	id := []string{TicketKey, v.ID}
	if v.Urgent && (v.State == TicketOpen || v.State == TicketAssigned) {
		revoke := execute(txtDeskRevoke.In(l), VerbDeskRevoke, id...)
		revoke.Style = "destructive"
		c.Actions = append([]Action{revoke}, c.Actions...)
	}
	if v.State == TicketAssigned && v.AssigneeID != "" {
		c.Refresh = &Refresh{Action: execute("Refresh", VerbDeskView, id...), UserIDs: []string{v.AssigneeID}}
	}
	switch v.State {
	case TicketOpen:
		take := execute(txtDeskTake.In(l), VerbDeskTake, id...)
		take.Style = "positive"
		c.Actions = append([]Action{take}, c.Actions...)
	case TicketAssigned:
		reply := subCard(l, InputText{Type: "Input.Text", ID: ReplyKey, Label: txtDeskReplyBox.In(l), IsRequired: true,
			ErrorMsg: txtDeskReplyNone.In(l), MaxLength: 2000, Style: "text"})
		reply.Actions = []Action{execute(txtDeskReplySend.In(l), VerbDeskReply, id...)}
		tap := subCard(l,
			TextBlock{Type: "TextBlock", Text: txtDeskTAPWarn.In(l), Wrap: true, Color: "Warning"},
			InputToggle{Type: "Input.Toggle", ID: VerifiedKey, Title: txtDeskVerified.In(l), ValueOn: "true", ValueOff: "false"},
			InputChoiceSet{Type: "Input.ChoiceSet", ID: HowKey, Label: txtDeskHow.In(l), Value: VerifiedInPerson, Choices: []Choice{
				{Title: txtDeskInPerson.In(l), Value: VerifiedInPerson}, {Title: txtDeskVideo.In(l), Value: VerifiedVideo}}},
		)
		tap.Actions = []Action{execute(txtDeskTAPSend.In(l), VerbDeskTAP, id...)}
		resolve := subCard(l, InputText{Type: "Input.Text", ID: NoteKey, Label: txtDeskNoteBox.In(l), MaxLength: 1000, Style: "text"})
		resolve.Actions = []Action{execute(txtDeskResolveS.In(l), VerbDeskResolve, id...)}
		acts := []Action{
			{Type: "Action.ShowCard", Title: txtDeskReply.In(l), Card: reply},
		}
		if len(v.Pending) > 0 {
			approve := execute(txtDeskApprove.In(l), VerbDeskApprove, id...)
			approve.Style = "positive"
			acts = append(acts, approve, execute(txtDeskReject.In(l), VerbDeskReject, id...))
		} else {
			acts = append(acts, Action{Type: "Action.ShowCard", Title: txtDeskTAP.In(l), Card: tap})
		}
		acts = append(acts,
			Action{Type: "Action.ShowCard", Title: txtDeskResolve.In(l), Card: resolve},
			execute(txtDeskRelease.In(l), VerbDeskRelease, id...))
		c.Actions = append(acts, c.Actions...)
	}
	return c
}

var (
	txtTAPTitle = Text{"一時アクセスパス（あなたにだけ表示）", "Temporary Access Pass (shown to you only)"}
	txtTAPBody  = Text{
		"このパスを本人に直接伝えてください。チャネルには投稿されず、ボットも保存しません。この画面を閉じると二度と表示できません。",
		"Give this pass to the person directly. It is not posted to the channel and the bot does not keep it; once this view is gone it cannot be shown again.",
	}
	txtTAPFor     = Text{"対象", "For"}
	txtTAPValid   = Text{"有効期間", "Valid for"}
	txtTAPOnce    = Text{"使用回数", "Use"}
	txtTAPOnceYes = Text{"1回のみ", "once"}
	txtTAPOnceNo  = Text{"期間内は何度でも", "any number of times while valid"}
	txtTAPMinutes = Text{"%d分", "%d minutes"}
	txtTAPNext    = Text{
		"本人は https://aka.ms/mysecurityinfo でこのパスを使ってサインインし、新しい認証方法を登録します。",
		"They sign in at https://aka.ms/mysecurityinfo with the pass and register a new method.",
	}
)

// TAPIssued shows a freshly issued pass to the agent who asked for it. It
// goes only into that agent's invoke response; the shared ticket card
// never carries it.
func TAPIssued(l Lang, pass, user string, lifetimeMinutes int, once bool, ticket TicketView) *Card {
	use := txtTAPOnceNo.In(l)
	if once {
		use = txtTAPOnceYes.In(l)
	}
	c := newCard(l,
		heading(txtTAPTitle.In(l)),
		para(txtTAPBody.In(l)),
		TextBlock{Type: "TextBlock", Text: pass, Size: "ExtraLarge", Weight: "Bolder", FontType: "Monospace", Spacing: "Medium"},
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: txtTAPFor.In(l), Value: Plain(user)},
			{Title: txtTAPValid.In(l), Value: txtTAPMinutes.Format(l, lifetimeMinutes)},
			{Title: txtTAPOnce.In(l), Value: use},
		}},
		subtle(txtTAPNext.In(l)),
	)
	// The rest of the ticket card stays usable under the pass.
	t := Ticket(l, ticket)
	c.Body = append(c.Body, Container{Type: "Container", Spacing: "ExtraLarge", Separator: true, Items: t.Body})
	c.Actions = t.Actions
	return c
}

// InputToggle is an Adaptive Card checkbox.
type InputToggle struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	ValueOn  string `json:"valueOn"`
	ValueOff string `json:"valueOff"`
}

// InputChoiceSet is an Adaptive Card choice list.
type InputChoiceSet struct {
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Label   string   `json:"label,omitempty"`
	Value   string   `json:"value,omitempty"`
	Choices []Choice `json:"choices"`
}

// Choice is one option of an InputChoiceSet.
type Choice struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

func stateLabel(s string) Text {
	switch s {
	case TicketAssigned:
		return txtStateAssigned
	case TicketResolved:
		return txtStateResolved
	case TicketCancelled:
		return txtStateCancelled
	}
	return txtStateOpen
}

// subCard is a card shown inside another (Action.ShowCard). It takes the
// outer card's lang: Microsoft's library checks each lang with one shared
// regular expression whose state carries over, so it refuses every other
// lang of one card's nested cards, and Teams formats dates with the outer
// card's anyway.
func subCard(l Lang, body ...any) *Card {
	c := newCard(l, body...)
	c.Schema, c.MSTeams, c.Lang = "", nil, ""
	return c
}

func label(text string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: text, Weight: "Bolder", Wrap: true, Spacing: "Medium"}
}

func bullets(items []string) string {
	var b strings.Builder
	for _, s := range items {
		b.WriteString("- " + s + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func orNothing(l Lang, items []string) string {
	if len(items) == 0 {
		return txtDeskNothing.In(l)
	}
	return bullets(items)
}

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

// roundAge says how long ago, coarsely: minutes, then hours, then days.
func roundAge(d time.Duration, l Lang) string {
	switch {
	case d < time.Hour:
		return Text{"%d分", "%d min"}.Format(l, int(d.Minutes()))
	case d < 48*time.Hour:
		return Text{"%d時間", "%d h"}.Format(l, int(d.Hours()))
	}
	return Text{"%d日", "%d days"}.Format(l, int(d.Hours()/24))
}
