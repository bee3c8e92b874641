package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// TicketStore keeps tickets; *store.DB is the real one.
type TicketStore interface {
	CreateTicket(ctx context.Context, t store.Ticket) (store.Ticket, error)
	UpdateTicket(ctx context.Context, t store.Ticket) (store.Ticket, error)
	TicketByID(ctx context.Context, id int64) (store.Ticket, error)
	TicketByThread(ctx context.Context, thread string) (store.Ticket, error)
	LatestTicket(ctx context.Context, userConv string) (store.Ticket, error)
	Tickets(ctx context.Context, states ...string) ([]store.Ticket, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
	Setting(ctx context.Context, key string) (string, error)
}

// DeskConnector is what the helpdesk needs from the Bot Connector.
type DeskConnector interface {
	Send(ctx context.Context, serviceURL, conversationID string, a *OutgoingActivity) (string, error)
	Update(ctx context.Context, serviceURL, conversationID, activityID string, a *OutgoingActivity) error
	CreateConversation(ctx context.Context, serviceURL string, p *ConversationParameters) (ConversationResource, error)
	Member(ctx context.Context, serviceURL, conversationID, memberID string) (Member, error)
}

// PassIssuer issues Temporary Access Passes; *graph.Client is the real one.
type PassIssuer interface {
	CreateTemporaryAccessPass(ctx context.Context, userID string, lifetimeMinutes int, usableOnce bool) (graph.TemporaryAccessPass, error)
}

// HelpdeskConfig says where the helpdesk works and how passes are issued.
type HelpdeskConfig struct {
	ChannelID string // the channel tickets are posted in; empty: escalation is off
	// TeamID is the team whose members may act on tickets; empty: the
	// channel's members.
	TeamID      string
	RemindAfter time.Duration // re-announce unassigned tickets this old, once
	TAPLifetime int           // minutes
	TAPOnce     bool
	BotID       string // the bot's channel account id, "28:<app id>"
	BotName     string
}

// settingServiceURL is where the helpdesk team's service URL is kept once
// the bot has seen an activity from there.
const settingServiceURL = "helpdesk.serviceUrl"

// Desk runs tickets: it opens them for people, posts and updates their
// cards in the helpdesk channel, runs the agents' actions and relays
// messages both ways. Each ticket is changed under its own lock and saved
// with optimistic locking, so the person and the agents can act at once.
type Desk struct {
	Store   TicketStore
	Conn    DeskConnector
	Graph   Methods
	Passes  PassIssuer
	Audit   ChangeStore
	Changes *Effects // runs approved changes (approval mode)
	// Sessions signs people out everywhere; AuditLog reads their audit
	// log for urgent tickets; Notices mails them about passes.
	Sessions interface {
		RevokeSessions(ctx context.Context, userID string) error
	}
	AuditLog AuditReader
	Notices  *Notices
	// Privilege refuses passes for privileged accounts; nil refuses all.
	Privilege *Privilege
	// StepUp asks agents for their own fresh sign-in before a pass or an
	// approval; nil refuses them (it fails closed).
	StepUp  *StepUp
	Config  HelpdeskConfig
	Log     *zap.Logger
	Now     func() time.Time
	Metrics *Metrics // nil: not counted

	locks   Locker
	members memberCache
	mu      sync.Mutex
	learned string // the service URL last saved
	botID   string // the bot's account as the channel names it, once seen
}

// ShareLocks makes changes to one ticket wait for each other across
// replicas too, through shared (as [Runner.ShareLocks] does for turns).
func (d *Desk) ShareLocks(shared Locker) { d.locks = chainedLocks{local: d.locks, shared: shared} }

// NewDesk returns a desk; the fields set after it are the collaborators.
func NewDesk(cfg HelpdeskConfig, log *zap.Logger) *Desk {
	return &Desk{Config: cfg, Log: log, Now: time.Now, locks: newKeyedMutex(), members: memberCache{entries: map[string]memberEntry{}}}
}

// Enabled reports whether tickets can be opened.
func (d *Desk) Enabled() bool { return d != nil && d.Config.ChannelID != "" }

var problemNoHelpdesk = &dialogs.Problem{Code: "helpdesk_off",
	JA: "このボットからはまだヘルプデスクにつなげません。お急ぎの場合は、ヘルプデスクの窓口に直接ご連絡ください。",
	EN: "The helpdesk can't be reached from this bot yet. If it is urgent, please contact the helpdesk directly."}

var problemStore = &dialogs.Problem{Code: "store", Retryable: true,
	JA: "依頼を保存できませんでした。少ししてからもう一度お試しください。",
	EN: "Your request could not be saved. Please try again in a moment."}

// Open opens a ticket for the input's person and posts it to the channel.
// A ticket that cannot be posted yet is kept and posted by [Desk.Tick].
func (d *Desk) Open(ctx context.Context, in dialogs.Input, e dialogs.OpenTicket) (dialogs.Ticket, error) {
	if !d.Enabled() {
		return dialogs.Ticket{}, problemNoHelpdesk
	}
	now := d.Now()
	t := dialogs.Ticket{
		State: dialogs.TicketOpen, User: in.User, Lang: e.Lang, Topic: e.Topic, Words: e.Words,
		Transcript: e.Transcript, Tried: e.Tried, UserConv: in.Conv, Created: now, Updated: now,
		Pending: e.Pending, PendingText: e.PendingText,
	}
	if m, err := d.Conn.Member(ctx, in.Conv.ServiceURL, in.Conv.ID, in.User.ID); err == nil {
		t.UPN = m.UserPrincipalName
		if t.UPN == "" {
			t.UPN = m.Email
		}
	} else {
		d.Log.Warn("ticket: person's sign-in name not read", zap.Error(err))
	}
	t.Methods = d.methodLines(ctx, userOf(in))
	if e.Urgent {
		t.Urgent = true
		lines, err := auditLines(ctx, d.AuditLog, userOf(in), now)
		if err != nil {
			d.Log.Warn("urgent ticket: audit log not read", zap.Error(err))
		}
		t.Audit = lines
	}
	t.Record(now, in.User.Name, "opened", "")
	rec, err := d.Store.CreateTicket(ctx, d.record(t, store.Ticket{}))
	if err != nil {
		d.Log.Error("ticket not stored", zap.Error(err))
		return dialogs.Ticket{}, problemStore
	}
	t.ID = rec.ID
	unlock, err := d.locks.Lock(ctx, ticketLock(t.ID))
	if err != nil {
		return t, err
	}
	defer unlock()
	rec, err = d.Store.UpdateTicket(ctx, d.record(t, rec))
	if err != nil {
		d.Log.Error("ticket not stored", zap.Int64("ticket", t.ID), zap.Error(err))
		return dialogs.Ticket{}, problemStore
	}
	d.Log.Info("ticket opened", zap.Int64("ticket", t.ID), zap.Bool("approval", t.Pending != nil))
	kind := "help"
	if t.Pending != nil {
		kind = "approval"
	}
	d.Metrics.escalation(kind)
	if _, err := d.post(ctx, t, rec); err != nil {
		d.Log.Warn("ticket not posted yet; will retry", zap.Int64("ticket", t.ID), zap.Error(err))
	}
	return t, nil
}

// methodLines reads the person's methods for the ticket card, masked.
func (d *Desk) methodLines(ctx context.Context, user string) []string {
	l := dialogs.HelpdeskLang
	m, err := d.Graph.Methods(ctx, user)
	if err != nil {
		d.Log.Warn("ticket: methods not read", zap.Error(err))
		return []string{cards.Text{JA: "（読み取れませんでした）", EN: "(could not be read)"}.In(l)}
	}
	return dialogs.MethodLines(l, methodsView(m))
}

// post puts a ticket's card into the helpdesk channel as a new thread and
// saves where it went.
func (d *Desk) post(ctx context.Context, t dialogs.Ticket, rec store.Ticket) (store.Ticket, error) {
	serviceURL := d.serviceURL(ctx, t.UserConv.ServiceURL)
	card := t.Card(d.Now(), dialogs.HelpdeskLang)
	p := &ConversationParameters{
		IsGroup:     true,
		Bot:         d.bot(),
		TenantID:    t.UserConv.TenantID,
		ChannelData: map[string]any{"channel": map[string]string{"id": d.Config.ChannelID}, "tenant": map[string]string{"id": t.UserConv.TenantID}},
		Activity:    d.activity("", cards.Message{Card: card}),
	}
	cr, err := d.Conn.CreateConversation(ctx, serviceURL, p)
	if err != nil {
		return rec, fmt.Errorf("post ticket: %w", err)
	}
	if cr.ServiceURL != "" {
		serviceURL = cr.ServiceURL
	}
	t.Thread = dialogs.Conv{ServiceURL: serviceURL, ID: cr.ID, TenantID: t.UserConv.TenantID}
	t.CardID = cr.ActivityID
	t.Record(d.Now(), d.Config.BotName, "posted", "")
	return d.Store.UpdateTicket(ctx, d.record(t, rec))
}

// serviceURL is the helpdesk team's service URL if the bot learned it,
// else fallback (Teams uses one per region, so the person's usually works).
func (d *Desk) serviceURL(ctx context.Context, fallback string) string {
	d.mu.Lock()
	learned := d.learned
	d.mu.Unlock()
	if learned != "" {
		return learned
	}
	if v, err := d.Store.Setting(ctx, settingServiceURL); err == nil && v != "" {
		return v
	}
	return fallback
}

// Learn notes the helpdesk team's service URL from an activity there.
func (d *Desk) Learn(ctx context.Context, a *Activity) {
	if !d.Enabled() {
		return
	}
	d.mu.Lock()
	if a.Recipient.ID != "" {
		d.botID = a.Recipient.ID
	}
	d.mu.Unlock()
	if !d.inHelpdesk(a) {
		return
	}
	d.mu.Lock()
	same := d.learned == a.ServiceURL
	d.learned = a.ServiceURL
	d.mu.Unlock()
	if same {
		return
	}
	if err := d.Store.SetSetting(ctx, settingServiceURL, a.ServiceURL, d.Now()); err != nil {
		d.Log.Warn("helpdesk service URL not saved", zap.Error(err))
	}
}

func (d *Desk) inHelpdesk(a *Activity) bool {
	if a.teams.Channel != nil && a.teams.Channel.ID == d.Config.ChannelID {
		return true
	}
	return d.Config.TeamID != "" && a.teams.Team != nil && a.teams.Team.ID == d.Config.TeamID
}

// record encodes t into its stored form, keeping rec's id and version.
func (d *Desk) record(t dialogs.Ticket, rec store.Ticket) store.Ticket {
	data, err := json.Marshal(t)
	if err != nil {
		panic(err) // plain struct
	}
	rec.State, rec.UserID, rec.UserConv, rec.Thread = t.State, userOfUser(t.User), t.UserConv.ID, t.Thread.ID
	rec.Created, rec.Updated, rec.Data = t.Created, t.Updated, data
	return rec
}

func userOfUser(u dialogs.User) string {
	if u.AADObjectID != "" {
		return u.AADObjectID
	}
	return u.ID
}

// decodeTicket reads a stored ticket.
func decodeTicket(rec store.Ticket) (dialogs.Ticket, error) {
	var t dialogs.Ticket
	if err := json.Unmarshal(rec.Data, &t); err != nil {
		return t, fmt.Errorf("ticket %d unreadable: %w", rec.ID, err)
	}
	t.ID = rec.ID
	return t, nil
}

func ticketLock(id int64) string { return "ticket:" + strconv.FormatInt(id, 10) }

// Link returns the person's current ticket for a turn in their chat: the
// newest one, unless it was closed long ago.
func (d *Desk) Link(ctx context.Context, conversationID string) (*dialogs.TicketLink, error) {
	if d == nil {
		return nil, nil
	}
	rec, err := d.Store.LatestTicket(ctx, conversationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := decodeTicket(rec)
	if err != nil {
		return nil, err
	}
	if t.IsClosed() && d.Now().Sub(t.Updated) > dialogs.ReopenWithin {
		return nil, nil
	}
	return t.Link(), nil
}

// UserUpdate applies the person's operation on their ticket.
func (d *Desk) UserUpdate(ctx context.Context, in dialogs.Input, e dialogs.UpdateTicket) (dialogs.Ticket, error) {
	var out dialogs.UserTurn
	t, err := d.change(ctx, e.ID, func(t dialogs.Ticket) (dialogs.Ticket, bool, error) {
		if t.UserConv.ID != in.Conv.ID {
			return t, false, &dialogs.Problem{Code: "not_yours", JA: "この依頼は見つかりませんでした。", EN: "That request could not be found."}
		}
		out = dialogs.UserAct(t, e.Op, e.Text, d.Now())
		if out.Problem != nil {
			return t, false, out.Problem
		}
		return out.Ticket, true, nil
	})
	if err != nil {
		return t, err
	}
	for _, note := range out.ToThread {
		d.sayInThread(ctx, t, note)
	}
	return t, nil
}

// repost posts a ticket that has no thread yet, unless another replica did
// meanwhile: it reads the ticket again under the ticket's lock.
func (d *Desk) repost(ctx context.Context, id int64) {
	unlock, err := d.locks.Lock(ctx, ticketLock(id))
	if err != nil {
		d.Log.Warn("ticket not reposted", zap.Int64("ticket", id), zap.Error(err))
		return
	}
	defer unlock()
	rec, err := d.Store.TicketByID(ctx, id)
	if err != nil {
		d.Log.Warn("ticket not reposted", zap.Int64("ticket", id), zap.Error(err))
		return
	}
	t, err := decodeTicket(rec)
	if err != nil || t.Thread.ID != "" || t.IsClosed() {
		return
	}
	if _, err := d.post(ctx, t, rec); err != nil {
		d.Log.Warn("ticket still not posted", zap.Int64("ticket", t.ID), zap.Error(err))
	}
}

// change loads a ticket under its lock, applies f, saves the result when f
// says it changed, and updates the card in the channel.
func (d *Desk) change(ctx context.Context, id int64, f func(dialogs.Ticket) (dialogs.Ticket, bool, error)) (dialogs.Ticket, error) {
	unlock, err := d.locks.Lock(ctx, ticketLock(id))
	if err != nil {
		return dialogs.Ticket{}, err
	}
	defer unlock()
	rec, err := d.Store.TicketByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return dialogs.Ticket{}, &dialogs.Problem{Code: "no_ticket", JA: "この依頼は見つかりませんでした。", EN: "That request could not be found."}
	}
	if err != nil {
		d.Log.Error("ticket not loaded", zap.Int64("ticket", id), zap.Error(err))
		return dialogs.Ticket{}, problemStore
	}
	t, err := decodeTicket(rec)
	if err != nil {
		return dialogs.Ticket{}, err
	}
	n, changed, err := f(t)
	if err != nil || !changed {
		return n, err
	}
	if _, err := d.Store.UpdateTicket(ctx, d.record(n, rec)); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return t, &dialogs.Problem{Code: "conflict", Retryable: true,
				JA: "ほかの操作と重なりました。もう一度お試しください。", EN: "Someone else changed this request at the same moment. Please try again."}
		}
		d.Log.Error("ticket not saved", zap.Int64("ticket", id), zap.Error(err))
		return t, problemStore
	}
	d.refreshCard(ctx, n)
	return n, nil
}

// refreshCard PUTs the ticket's card so that everyone sees its state.
func (d *Desk) refreshCard(ctx context.Context, t dialogs.Ticket) {
	if t.Thread.ID == "" || t.CardID == "" {
		return
	}
	act := d.activity(t.Thread.ID, cards.Message{Card: t.Card(d.Now(), dialogs.HelpdeskLang)})
	if err := d.Conn.Update(ctx, t.Thread.ServiceURL, t.Thread.ID, t.CardID, act); err != nil {
		d.Log.Warn("ticket card not updated", zap.Int64("ticket", t.ID), zap.Error(err))
	}
}

// sayInThread posts a note in the ticket's thread.
func (d *Desk) sayInThread(ctx context.Context, t dialogs.Ticket, text string) {
	if t.Thread.ID == "" {
		return
	}
	if _, err := d.Conn.Send(ctx, t.Thread.ServiceURL, t.Thread.ID, d.activity(t.Thread.ID, cards.Message{Text: text})); err != nil {
		d.Log.Warn("note not posted in the ticket thread", zap.Int64("ticket", t.ID), zap.Error(err))
	}
}

// tellUser sends messages into the person's chat with the bot.
func (d *Desk) tellUser(ctx context.Context, t dialogs.Ticket, msgs []cards.Message) {
	for _, m := range msgs {
		for _, part := range splitMessage(m) {
			if _, err := d.Conn.Send(ctx, t.UserConv.ServiceURL, t.UserConv.ID, d.activity(t.UserConv.ID, part)); err != nil {
				d.Log.Warn("message to the person not delivered", zap.Int64("ticket", t.ID), zap.Error(err))
				return
			}
		}
	}
}

func splitMessage(m cards.Message) []cards.Message {
	var out []cards.Message
	if m.Text != "" {
		out = append(out, cards.Message{Text: m.Text})
	}
	if m.Card != nil {
		out = append(out, cards.Message{Card: m.Card})
	}
	return out
}

// bot is the bot's own account: as the channel last named it, else as
// configured.
func (d *Desk) bot() *schema.ChannelAccount {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := d.botID
	if id == "" {
		id = d.Config.BotID
	}
	return &schema.ChannelAccount{ID: id, Name: d.Config.BotName}
}

// activity is a proactive message from the bot.
func (d *Desk) activity(conversationID string, m cards.Message) *OutgoingActivity {
	a := &OutgoingActivity{Type: typeMessage, From: d.bot()}
	if conversationID != "" {
		a.Conversation = &schema.ConversationAccount{ID: conversationID}
	}
	if m.Text != "" {
		a.Text, a.TextFormat = m.Text, "markdown"
	}
	if m.Card != nil {
		a.Attachments = []schema.Attachment{{ContentType: cards.ContentType, Content: m.Card}}
	}
	return a
}

// Handles reports whether a channel activity is the desk's: a ticket
// card's button, or a message in a ticket's thread.
func (d *Desk) Handles(ctx context.Context, a *Activity, in dialogs.Input) bool {
	if !d.Enabled() || in.Scope != dialogs.Channel {
		return false
	}
	switch in.Kind {
	case dialogs.SubmitInput:
		return strings.HasPrefix(in.Verb, "desk.")
	case dialogs.TextInput:
		_, err := d.Store.TicketByThread(ctx, a.Conversation.ID)
		return err == nil
	}
	return false
}

// Act runs an agent's click or thread message. Only members of the
// helpdesk team may act; anyone else is refused and nothing changes.
// private reports an answer for the clicker's eyes only (a pass), which
// must not be stored.
func (d *Desk) Act(ctx context.Context, a *Activity, in dialogs.Input) (resp *InvokeResponse, private bool) {
	resp, card := d.act(ctx, a, in)
	if card != nil {
		return &InvokeResponse{Status: 200, Body: map[string]any{"statusCode": 200, "type": cards.ContentType, "value": card}}, true
	}
	return resp, false
}

func (d *Desk) act(ctx context.Context, a *Activity, in dialogs.Input) (*InvokeResponse, *cards.Card) {
	l := dialogs.HelpdeskLang
	log := d.Log.With(zap.String("verb", in.Verb))
	var id int64
	if in.Kind == dialogs.TextInput {
		rec, err := d.Store.TicketByThread(ctx, a.Conversation.ID)
		if err != nil {
			return nil, nil
		}
		id = rec.ID
	} else {
		id, _ = strconv.ParseInt(in.Data[cards.TicketKey], 10, 64)
	}
	log = log.With(zap.Int64("ticket", id))

	member, err := d.isMember(ctx, a.ServiceURL, in.User)
	if err != nil {
		log.Error("helpdesk membership not checked", zap.Error(err))
		return d.refusal(in, 503, cards.Text{JA: "ヘルプデスクのメンバーか確認できませんでした。少ししてからもう一度お試しください。",
			EN: "Could not check your helpdesk membership. Please try again in a moment."}.In(l)), nil
	}
	if !member {
		log.Warn("ticket action refused: not a member of the helpdesk team", zap.String("actor", in.User.AADObjectID))
		return d.refusal(in, 403, cards.Text{JA: "依頼を操作できるのはヘルプデスクのチームのメンバーだけです。何も変更していません。",
			EN: "Only members of the helpdesk team can act on requests. Nothing was changed."}.In(l)), nil
	}
	act := dialogs.DeskAction{Verb: in.Verb, Agent: in.User, Data: in.Data, Now: d.Now()}
	if in.Kind == dialogs.TextInput {
		act.Verb, act.Text = dialogs.VerbDeskSay, in.Text
	}

	var turn dialogs.DeskTurn
	var private *cards.Card
	t, err := d.change(ctx, id, func(t dialogs.Ticket) (dialogs.Ticket, bool, error) {
		turn = dialogs.Desk(t, act)
		if turn.Problem != nil {
			return t, false, turn.Problem
		}
		n := turn.Ticket
		switch e := turn.Effect.(type) {
		case dialogs.IssueTAP, dialogs.ApplyChange:
			if tap, ok := e.(dialogs.IssueTAP); ok && d.Privilege.refuseProtected(ctx, tap.User) != nil {
				break // refused below, with no sign-in asked for first
			}
			card, err := d.agentSignIn(ctx, in, t)
			if err != nil {
				return t, false, problemFor(err)
			}
			if card != nil {
				private = card // nothing happens until the agent signed in
				return t, false, nil
			}
		}
		switch e := turn.Effect.(type) {
		case dialogs.IssueTAP:
			private = d.issuePass(ctx, &n, e, log)
		case dialogs.RevokeSessions:
			turn.ToUser = append(turn.ToUser, d.revoke(ctx, &n, e, log)...)
		case dialogs.ApplyChange:
			turn.ToUser = append(turn.ToUser, d.approve(ctx, &n, e, in, log)...)
		}
		return n, true, nil
	})
	if err != nil {
		if in.Kind == dialogs.TextInput {
			d.sayInThread(ctx, t, problemText(l, err))
			return nil, nil
		}
		return &InvokeResponse{Status: 200, Body: map[string]any{
			"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": problemText(l, err)}}, nil
	}
	log.Info("ticket action", zap.String("state", t.State))
	d.tellUser(ctx, t, turn.ToUser)
	for _, note := range turn.ToThread {
		d.sayInThread(ctx, t, note)
	}
	if in.Kind == dialogs.TextInput {
		return nil, nil
	}
	if private != nil {
		return nil, private
	}
	return cardActionResponse(t.Card(d.Now(), l)), nil
}

// agentSignIn returns nil when the agent passed a sign-in for this ticket
// recently; otherwise it starts one and returns the ticket card with the
// sign-in button, for the agent alone.
func (d *Desk) agentSignIn(ctx context.Context, in dialogs.Input, t dialogs.Ticket) (*cards.Card, error) {
	subject := "ticket-" + t.Number()
	ok, err := d.StepUp.AgentCovered(ctx, userOfUser(in.User), subject)
	if err != nil || ok {
		return nil, err
	}
	url, err := d.StepUp.BeginAgent(ctx, in, subject)
	if err != nil {
		return nil, err
	}
	l := dialogs.HelpdeskLang
	return cards.AgentSignIn(l, t.Card(d.Now(), l), url), nil
}

// refusal answers a click that is not allowed with an error the client
// shows to the clicker alone.
func (d *Desk) refusal(in dialogs.Input, status int, msg string) *InvokeResponse {
	if in.Kind == dialogs.TextInput {
		return nil
	}
	return &InvokeResponse{Status: 200, Body: map[string]any{
		"statusCode": status, "type": "application/vnd.microsoft.error",
		"value": map[string]string{"code": strconv.Itoa(status), "message": msg}}}
}

func problemText(l cards.Lang, err error) string {
	var p *dialogs.Problem
	if errors.As(err, &p) {
		return cards.Text{JA: p.JA, EN: p.EN}.In(l)
	}
	return cards.Text{JA: "問題が発生しました。もう一度お試しください。", EN: "Something went wrong. Please try again."}.In(l)
}

// issuePass issues a Temporary Access Pass and returns the card that shows
// it to the agent who asked. The pass is in that card only: not in the
// ticket, the channel, the store or the log.
func (d *Desk) issuePass(ctx context.Context, t *dialogs.Ticket, e dialogs.IssueTAP, log *zap.Logger) *cards.Card {
	l := dialogs.HelpdeskLang
	now := d.Now()
	entry := store.AuditEntry{At: now, UserID: e.User, ActorID: userOfUser(e.Agent), Operation: "issue-tap",
		Method: string(graph.KindTAP), ChangeKey: "ticket-" + t.Number() + "-tap-" + strconv.FormatInt(now.UnixMilli(), 10)}
	pass, err := graph.TemporaryAccessPass{}, d.Privilege.refuseProtected(ctx, e.User)
	if err == nil {
		pass, err = d.Passes.CreateTemporaryAccessPass(ctx, e.User, d.Config.TAPLifetime, d.Config.TAPOnce)
	}
	if err != nil {
		entry.Result = resultOf(err)
		var ge *graph.Error
		if errors.As(err, &ge) {
			entry.RequestID = ge.RequestID
		}
		if aerr := d.Audit.RecordAudit(ctx, entry); aerr != nil {
			log.Error("audit entry not written", zap.Error(aerr))
		}
		log.Warn("temporary access pass not issued", zap.Error(err))
		t.Record(now, e.Agent.Name, "tap-failed", "")
		c := t.Card(now, l)
		c.Body = append([]any{cards.Alert(problemText(l, problemFor(err)))}, c.Body...)
		return c
	}
	entry.Result = "ok"
	entry.Masked = fmt.Sprintf("verified %s; %d min; once=%t", e.How, pass.LifetimeMinutes, pass.UsableOnce)
	if aerr := d.Audit.RecordAudit(ctx, entry); aerr != nil {
		log.Error("audit entry not written", zap.Error(aerr))
	}
	how := cards.Text{JA: "窓口で本人確認", EN: "verified in person"}
	if e.How == cards.VerifiedVideo {
		how = cards.Text{JA: "ビデオ通話で本人確認", EN: "verified by video call"}
	}
	t.Record(now, e.Agent.Name, "tap", how.In(l)+fmt.Sprintf(cards.Text{JA: "、%d分", EN: ", %d min"}.In(l), pass.LifetimeMinutes))
	log.Info("temporary access pass issued", zap.Int("lifetime_minutes", pass.LifetimeMinutes), zap.Bool("usable_once", pass.UsableOnce))
	lu := t.Lang
	what := cards.Text{JA: fmt.Sprintf("ヘルプデスクの%sさんが一時アクセスパスを発行（%d分有効）", e.Agent.Name, pass.LifetimeMinutes),
		EN: fmt.Sprintf("%s from the helpdesk issued a Temporary Access Pass (valid %d minutes)", e.Agent.Name, pass.LifetimeMinutes)}
	d.tellUser(ctx, *t, []cards.Message{{Text: fmt.Sprintf(cards.Text{
		JA: "ヘルプデスクの%sさんが一時アクセスパスを発行しました。パスは担当者から直接伝えられます。受け取ったら https://aka.ms/mysecurityinfo でサインインして、新しい認証方法を登録してください。",
		EN: "%s from the helpdesk issued you a Temporary Access Pass; they will give it to you directly. Use it to sign in at https://aka.ms/mysecurityinfo and register a new method.",
	}.In(lu), e.Agent.Name)}, {Card: cards.SecurityNotice(lu, cards.NoticeTAP, []string{what.In(lu)}, now)}})
	if err := d.Notices.Mail(ctx, e.User, cards.NoticeTAP, []cards.Text{what}); err != nil {
		log.Error("security notice not mailed", zap.String("kind", cards.NoticeTAP), zap.Error(err))
	}
	return cards.TAPIssued(l, pass.Pass, strings.TrimSpace(t.User.Name+" "+t.UPN), pass.LifetimeMinutes, pass.UsableOnce, t.View(now, l))
}

// revoke signs the person out everywhere, audited, and returns what to
// tell them.
func (d *Desk) revoke(ctx context.Context, t *dialogs.Ticket, e dialogs.RevokeSessions, log *zap.Logger) []cards.Message {
	now := d.Now()
	entry := store.AuditEntry{At: now, UserID: e.User, ActorID: userOfUser(e.Agent), Operation: "revoke-sessions",
		Method: "sessions", ChangeKey: "ticket-" + t.Number() + "-revoke-" + strconv.FormatInt(now.UnixMilli(), 10)}
	err := d.Sessions.RevokeSessions(ctx, e.User)
	entry.Result = "ok"
	if err != nil {
		entry.Result = resultOf(err)
	}
	if aerr := d.Audit.RecordAudit(ctx, entry); aerr != nil {
		log.Error("audit entry not written", zap.Error(aerr))
	}
	if err != nil {
		log.Warn("sign-in sessions not revoked", zap.Error(err))
		t.Record(now, e.Agent.Name, "revoke-failed", problemText(dialogs.HelpdeskLang, problemFor(err)))
		return nil
	}
	log.Info("sign-in sessions revoked")
	t.Record(now, e.Agent.Name, "revoked", "")
	return []cards.Message{{Text: fmt.Sprintf(cards.Text{
		JA: "ヘルプデスクの%sさんが、すべてのデバイスでのサインインを終了しました。もう一度サインインし、パスワードを変更してください。",
		EN: "%s from the helpdesk signed you out on every device. Sign in again and change your password.",
	}.In(t.Lang), e.Agent.Name)}}
}

// approve makes a change the person confirmed and an agent approved, and
// returns what to tell the person.
func (d *Desk) approve(ctx context.Context, t *dialogs.Ticket, c dialogs.ApplyChange, in dialogs.Input, log *zap.Logger) []cards.Message {
	l := dialogs.HelpdeskLang
	lu := t.Lang
	now := d.Now()
	out, err := d.Changes.applyApproved(ctx, c, in)
	if err != nil {
		log.Warn("approved change failed", zap.Error(err))
		t.Record(now, in.User.Name, "approved", cards.Text{JA: "失敗: ", EN: "failed: "}.In(l)+problemText(l, err))
		return []cards.Message{{Text: fmt.Sprintf(cards.Text{
			JA: "依頼 #%s の変更は承認されましたが、実行できませんでした: %s",
			EN: "The change in request #%s was approved but could not be made: %s",
		}.In(lu), t.Number(), problemText(lu, err))}}
	}
	t.Pending, t.PendingText = nil, nil
	t.Record(now, in.User.Name, "approved", "")
	if out.Methods != nil {
		t.Methods = dialogs.MethodLines(l, *out.Methods)
	}
	what := make([]cards.Text, len(c.Ops))
	lines := make([]string, len(c.Ops))
	for i, op := range c.Ops {
		line := dialogs.OpLines(cards.Japanese, []dialogs.ChangeOp{op})[0]
		what[i] = cards.Text{JA: line, EN: dialogs.OpLines(cards.English, []dialogs.ChangeOp{op})[0]}
		lines[i] = what[i].In(lu)
	}
	if err := d.Notices.Mail(ctx, c.Owner, cards.NoticeChange, what); err != nil {
		log.Error("security notice not mailed", zap.String("kind", cards.NoticeChange), zap.Error(err))
	}
	return []cards.Message{{Text: fmt.Sprintf(cards.Text{
		JA: "依頼 #%s の変更を%sさんが承認し、実行しました。",
		EN: "%[2]s approved the change in request #%[1]s, and it is done.",
	}.In(lu), t.Number(), in.User.Name)}, {Card: cards.SecurityNotice(lu, cards.NoticeChange, lines, now)}}
}

// isMember reports whether a person is in the helpdesk team, through the
// connector's members API, cached.
func (d *Desk) isMember(ctx context.Context, serviceURL string, u dialogs.User) (bool, error) {
	team := d.Config.TeamID
	if team == "" {
		team = d.Config.ChannelID
	}
	id := userOfUser(u)
	if id == "" {
		return false, nil
	}
	key := team + "|" + id
	if ok, found := d.members.get(key, d.Now()); found {
		return ok, nil
	}
	_, err := d.Conn.Member(ctx, serviceURL, team, id)
	if errors.Is(err, ErrNotMember) && u.ID != "" && u.ID != id {
		// Some connectors know members only by their channel id.
		_, err = d.Conn.Member(ctx, serviceURL, team, u.ID)
	}
	switch {
	case err == nil:
		d.members.put(key, true, d.Now().Add(memberTTL))
		return true, nil
	case errors.Is(err, ErrNotMember):
		d.members.put(key, false, d.Now().Add(nonMemberTTL))
		return false, nil
	}
	return false, err
}

// How long membership answers are trusted. A removed agent loses access
// within memberTTL; a newly added one gains it within nonMemberTTL.
const (
	memberTTL    = 10 * time.Minute
	nonMemberTTL = time.Minute
)

type memberEntry struct {
	member  bool
	expires time.Time
}

type memberCache struct {
	mu      sync.Mutex
	entries map[string]memberEntry
}

func (c *memberCache) get(key string, now time.Time) (member, found bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.After(e.expires) {
		return false, false
	}
	return e.member, true
}

func (c *memberCache) put(key string, member bool, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 {
		clear(c.entries) // a bound, not an LRU: members are few
	}
	c.entries[key] = memberEntry{member: member, expires: expires}
}

// Tick posts tickets that could not be posted yet and re-announces, once,
// tickets nobody took within RemindAfter. main calls it every minute.
func (d *Desk) Tick(ctx context.Context) {
	if !d.Enabled() {
		return
	}
	recs, err := d.Store.Tickets(ctx, dialogs.TicketOpen)
	if err != nil {
		d.Log.Warn("open tickets not listed", zap.Error(err))
		return
	}
	now := d.Now()
	for _, rec := range recs {
		t, err := decodeTicket(rec)
		if err != nil {
			d.Log.Warn("ticket unreadable", zap.Error(err))
			continue
		}
		if t.Thread.ID == "" {
			// Open posts new tickets itself; a minute later, one without a
			// thread was not posted (the connector was down).
			if now.Sub(t.Created) > time.Minute {
				d.repost(ctx, t.ID)
			}
			continue
		}
		if t.Reminded || d.Config.RemindAfter <= 0 || now.Sub(t.Created) < d.Config.RemindAfter {
			continue
		}
		// Every replica ticks: only the one that marks the ticket reminded
		// says so in the thread.
		remind := false
		n, err := d.change(ctx, t.ID, func(t dialogs.Ticket) (dialogs.Ticket, bool, error) {
			if t.Reminded || t.State != dialogs.TicketOpen {
				return t, false, nil
			}
			t.Reminded, remind = true, true
			t.Record(now, d.Config.BotName, "reminded", "")
			return t, true, nil
		})
		if err == nil && remind {
			d.sayInThread(ctx, n, fmt.Sprintf(cards.Text{
				JA: "⏰ 依頼 #%s（%sさん）は%d分以上、担当者が決まっていません。対応できる方は「担当する」を押してください。",
				EN: "⏰ Request #%s from %s has waited over %d minutes with nobody on it. Press Take if you can help.",
			}.In(dialogs.HelpdeskLang), n.Number(), n.User.Name, int(d.Config.RemindAfter.Minutes())))
		}
	}
}
