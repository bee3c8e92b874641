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
	PersonTickets(ctx context.Context, userID string, since time.Time) ([]store.Ticket, error)
	Tickets(ctx context.Context, states ...string) ([]store.Ticket, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
	Setting(ctx context.Context, key string) (string, error)
}

// DeskConnector is what tickets need from the Bot Connector.
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

// AgentDirectory answers who is an agent; *graph.Client is the real one.
type AgentDirectory interface {
	User(ctx context.Context, id string) (graph.User, error)
	MemberOfGroups(ctx context.Context, userID string, groupIDs []string) ([]string, error)
}

// HelpdeskConfig says where the helpdesk works and who its agents are.
type HelpdeskConfig struct {
	ChannelID string // the channel tickets are posted in; empty: escalation is off
	// GroupID is the Entra security group whose members are agents
	// (HELPDESK_GROUP_ID), read through transitive membership.
	GroupID string
	// TeamID is the helpdesk's team, for learning its service URL from
	// any of its channels; empty: from the tickets' channel only.
	TeamID string
	// ServiceURL, when set, is where the helpdesk's channel is reached,
	// whatever activities say: local mode's second playground, the agent's,
	// has its own connector. Empty: learned from the helpdesk's activities.
	ServiceURL  string
	RemindAfter time.Duration // re-announce unassigned tickets this old, once
	TAPLifetime int           // minutes
	TAPOnce     bool
	BotID       string // the bot's channel account id, "28:<app id>"
	BotName     string
}

// SettingServiceURL is where the helpdesk team's service URL is kept once
// the bot has seen an activity from there.
const SettingServiceURL = "helpdesk.serviceUrl"

// Tickets does the I/O of tickets: storing them, posting and updating
// their cards in the helpdesk channel, telling the person, and finding out
// whether someone is an agent. It decides nothing: the transitions are in
// package dialogs, and the [Runner] runs them.
type Tickets struct {
	Store   TicketStore
	Conn    DeskConnector
	Graph   Methods        // the person's methods, for the ticket card
	SignIns *SignInLog     // the person's failed sign-ins, for the ticket card; nil: not read
	Agents  AgentDirectory // who is an agent
	Audit   AuditReader    // the person's audit log, for urgent tickets
	Config  HelpdeskConfig
	Log     *zap.Logger
	Now     func() time.Time
	Metrics *Metrics // nil: not counted

	locks   Locker
	agents  agentCache
	mu      sync.Mutex
	learned string // the service URL last saved
	botID   string // the bot's account as the channel names it, once seen
}

// NewTickets returns the ticket I/O; the fields set after it are its
// collaborators.
func NewTickets(cfg HelpdeskConfig, log *zap.Logger) *Tickets {
	return &Tickets{Config: cfg, Log: log, Now: time.Now, locks: newKeyedMutex(), agents: agentCache{entries: map[string]agentEntry{}}}
}

// ShareLocks makes turns of one ticket wait for each other across replicas
// too, through shared (as [Runner.ShareLocks] does for conversations).
func (d *Tickets) ShareLocks(shared Locker) { d.locks = chainedLocks{local: d.locks, shared: shared} }

// Enabled reports whether tickets can be opened.
func (d *Tickets) Enabled() bool { return d != nil && d.Config.ChannelID != "" }

func ticketLock(id int64) string { return "ticket:" + strconv.FormatInt(id, 10) }

// personLock serialises opening tickets for one person, from any chat.
func personLock(user string) string { return "person:" + strings.ToLower(user) }

// load reads a ticket.
func (d *Tickets) load(ctx context.Context, id int64) (dialogs.Ticket, store.Ticket, error) {
	rec, err := d.Store.TicketByID(ctx, id)
	if err != nil {
		return dialogs.Ticket{}, rec, err
	}
	t, err := decodeTicket(rec)
	return t, rec, err
}

// record encodes t into its stored form, keeping rec's id and version.
func record(t dialogs.Ticket, rec store.Ticket) store.Ticket {
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

// facts reads what opening a ticket for in's person needs.
func (d *Tickets) facts(ctx context.Context, in dialogs.Input, urgent bool) (dialogs.TicketFacts, error) {
	now := d.Now()
	var f dialogs.TicketFacts
	recs, err := d.Store.PersonTickets(ctx, userOf(in), now.Add(-24*time.Hour))
	if err != nil {
		return f, err
	}
	for _, rec := range recs {
		if !rec.Created.Before(now.Add(-24 * time.Hour)) {
			f.Today++
		}
		if rec.State != dialogs.TicketOpen && rec.State != dialogs.TicketAssigned {
			continue
		}
		t, err := decodeTicket(rec)
		if err != nil {
			continue
		}
		if f.Open == nil {
			f.Open = t.Link()
		}
		if f.OpenUrgent == nil && t.Urgent {
			f.OpenUrgent = t.Link()
		}
	}
	if m, err := d.Conn.Member(ctx, in.Conv.ServiceURL, in.Conv.ID, in.User.ID); err == nil {
		f.UPN = m.UserPrincipalName
		if f.UPN == "" {
			f.UPN = m.Email
		}
	} else {
		d.Log.Warn("ticket: person's sign-in name not read", zap.Error(err))
	}
	if m, err := d.Graph.Methods(ctx, userOf(in)); err == nil {
		f.Methods = dialogs.MethodLines(dialogs.HelpdeskLang, methodsView(m))
	} else {
		d.Log.Warn("ticket: methods not read", zap.Error(err))
		f.Methods = dialogs.MethodsUnreadable()
	}
	if d.SignIns != nil {
		switch attempts, err := d.SignIns.Read(ctx, userOf(in)); {
		case err == nil:
			f.SignIns = dialogs.SignInLines(attempts, in.Now.Location())
		case !errors.Is(err, errSignInsOff): // off: the card says nothing of it
			f.SignIns = dialogs.SignInsUnreadable()
		}
	}
	if urgent {
		if f.Audit, err = auditLines(ctx, d.Audit, userOf(in), now); err != nil {
			d.Log.Warn("urgent ticket: audit log not read", zap.Error(err))
		}
	}
	return f, nil
}

// Announce posts a note from the bot (plain text) as a new thread in the
// helpdesk channel: something the helpdesk must act on that is no ticket.
// fallback is the service URL to use while the bot has not learned the
// team's.
func (d *Tickets) Announce(ctx context.Context, tenantID, fallback, text string) error {
	if !d.Enabled() {
		return nil
	}
	_, err := d.Conn.CreateConversation(ctx, d.serviceURL(ctx, fallback), &ConversationParameters{
		IsGroup:     true,
		Bot:         d.bot(),
		TenantID:    tenantID,
		ChannelData: map[string]any{"channel": map[string]string{"id": d.Config.ChannelID}, "tenant": map[string]string{"id": tenantID}},
		Activity:    d.activity("", cards.Message{Text: text}),
	})
	return err
}

// post puts a ticket's card into the helpdesk channel as a new thread and
// returns where it went.
func (d *Tickets) post(ctx context.Context, t dialogs.Ticket) (dialogs.Conv, string, error) {
	serviceURL := d.serviceURL(ctx, t.UserConv.ServiceURL)
	p := &ConversationParameters{
		IsGroup:     true,
		Bot:         d.bot(),
		TenantID:    t.UserConv.TenantID,
		ChannelData: map[string]any{"channel": map[string]string{"id": d.Config.ChannelID}, "tenant": map[string]string{"id": t.UserConv.TenantID}},
		Activity:    d.activity("", cards.Message{Card: t.Card(d.Now(), dialogs.HelpdeskLang)}),
	}
	cr, err := d.Conn.CreateConversation(ctx, serviceURL, p)
	if err != nil {
		return dialogs.Conv{}, "", fmt.Errorf("post ticket: %w", err)
	}
	if cr.ServiceURL != "" {
		serviceURL = cr.ServiceURL
	}
	return dialogs.Conv{ServiceURL: serviceURL, ID: cr.ID, TenantID: t.UserConv.TenantID}, cr.ActivityID, nil
}

// serviceURL is the helpdesk team's service URL: the configured one, else
// the one the bot learned, else fallback (Teams uses one per region, so the
// person's usually works).
func (d *Tickets) serviceURL(ctx context.Context, fallback string) string {
	if d.Config.ServiceURL != "" {
		return d.Config.ServiceURL
	}
	d.mu.Lock()
	learned := d.learned
	d.mu.Unlock()
	if learned != "" {
		return learned
	}
	if v, err := d.Store.Setting(ctx, SettingServiceURL); err == nil && v != "" {
		return v
	}
	return fallback
}

// Learn notes the helpdesk team's service URL from an activity there.
func (d *Tickets) Learn(ctx context.Context, a *Activity) {
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
	if err := d.Store.SetSetting(ctx, SettingServiceURL, a.ServiceURL, d.Now()); err != nil {
		d.Log.Warn("helpdesk service URL not saved", zap.Error(err))
	}
}

func (d *Tickets) inHelpdesk(a *Activity) bool {
	if d.inChannel(a) {
		return true
	}
	return d.Config.TeamID != "" && a.teams.Team != nil && a.teams.Team.ID == d.Config.TeamID
}

// inChannel reports an activity from the helpdesk's own channel.
func (d *Tickets) inChannel(a *Activity) bool {
	return a.teams.Channel != nil && a.teams.Channel.ID == d.Config.ChannelID
}

// Link returns the person's current ticket for a turn in their chat, from
// latest, the chat's newest ticket as the turn's load read it: that one,
// unless it was closed long ago.
func (d *Tickets) Link(latest *store.Ticket) (*dialogs.TicketLink, error) {
	if d == nil || latest == nil {
		return nil, nil
	}
	t, err := decodeTicket(*latest)
	if err != nil {
		return nil, err
	}
	if t.IsClosed() && d.Now().Sub(t.Updated) > dialogs.ReopenWithin {
		return nil, nil
	}
	return t.Link(), nil
}

// refreshCard PUTs the ticket's card so that everyone sees its state.
func (d *Tickets) refreshCard(ctx context.Context, t dialogs.Ticket) {
	if t.Thread.ID == "" || t.CardID == "" {
		return
	}
	act := d.activity(t.Thread.ID, cards.Message{Card: t.Card(d.Now(), dialogs.HelpdeskLang)})
	if err := d.Conn.Update(ctx, t.Thread.ServiceURL, t.Thread.ID, t.CardID, act); err != nil {
		d.Log.Warn("ticket card not updated", zap.Int64("ticket", t.ID), zap.Error(err))
	}
}

// toThread posts a message in the ticket's thread.
func (d *Tickets) toThread(ctx context.Context, t dialogs.Ticket, m cards.Message) {
	if t.Thread.ID == "" {
		return
	}
	if _, err := d.Conn.Send(ctx, t.Thread.ServiceURL, t.Thread.ID, d.activity(t.Thread.ID, m)); err != nil {
		d.Log.Warn("message not posted in the ticket thread", zap.Int64("ticket", t.ID), zap.Error(err))
	}
}

// tellUser sends messages into the person's chat with the bot.
func (d *Tickets) tellUser(ctx context.Context, t dialogs.Ticket, msgs []cards.Message) {
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
func (d *Tickets) bot() *schema.ChannelAccount {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := d.botID
	if id == "" {
		id = d.Config.BotID
	}
	return &schema.ChannelAccount{ID: id, Name: d.Config.BotName}
}

// activity is a proactive message from the bot. Text is plain: what the
// bot writes into a thread may quote a person, and must not render.
func (d *Tickets) activity(conversationID string, m cards.Message) *OutgoingActivity {
	a := &OutgoingActivity{Type: typeMessage, From: d.bot()}
	if conversationID != "" {
		a.Conversation = &schema.ConversationAccount{ID: conversationID}
	}
	if m.Text != "" {
		a.Text, a.TextFormat = m.Text, "plain"
	}
	if m.Card != nil {
		a.Attachments = []schema.Attachment{{ContentType: cards.ContentType, Content: m.Card}}
	}
	return a
}

// Handles reports whether a channel activity is a ticket's: a ticket
// card's button (from any channel: a card copied elsewhere is refused, not
// ignored), or a message in a ticket's thread.
func (d *Tickets) Handles(ctx context.Context, a *Activity, in dialogs.Input) bool {
	if !d.Enabled() {
		return false
	}
	switch in.Kind {
	case dialogs.SubmitInput:
		return strings.HasPrefix(in.Verb, "desk.")
	case dialogs.TextInput:
		if in.Scope != dialogs.Channel {
			return false
		}
		_, err := d.Store.TicketByThread(ctx, a.Conversation.ID)
		return err == nil
	}
	return false
}

// checkAgent finds out whether whoever sent a is an agent here: the click
// comes from the helpdesk channel, and its sender is a member (not a guest
// or other external account) of the agents' Entra group, through
// transitive membership. Teams team membership is not enough: anyone in a
// team can be added by its owners, guests included.
func (d *Tickets) checkAgent(ctx context.Context, a *Activity, u dialogs.User) (dialogs.AgentCheck, error) {
	if !d.inChannel(a) {
		return dialogs.AgentElsewhere, nil
	}
	id := u.AADObjectID
	if id == "" || d.Config.GroupID == "" || d.Agents == nil {
		return dialogs.AgentNotMember, nil // fails closed
	}
	now := d.Now()
	if c, ok := d.agents.get(id, now); ok {
		return c, nil
	}
	user, err := d.Agents.User(ctx, id)
	if err != nil {
		return "", fmt.Errorf("read agent: %w", err)
	}
	check := dialogs.AgentExternal
	if !user.External() {
		in, err := d.Agents.MemberOfGroups(ctx, id, []string{d.Config.GroupID})
		if err != nil {
			return "", fmt.Errorf("agent group: %w", err)
		}
		check = dialogs.AgentNotMember
		if len(in) > 0 {
			check = dialogs.AgentOK
		}
	}
	ttl := agentTTL
	if check != dialogs.AgentOK {
		ttl = notAgentTTL
	}
	d.agents.put(id, check, now.Add(ttl))
	return check, nil
}

// How long answers about agents are trusted. Someone removed from the
// group loses access within agentTTL; someone added gains it within
// notAgentTTL.
const (
	agentTTL    = 5 * time.Minute
	notAgentTTL = time.Minute
)

type agentEntry struct {
	check   dialogs.AgentCheck
	expires time.Time
}

type agentCache struct {
	mu      sync.Mutex
	entries map[string]agentEntry
}

func (c *agentCache) get(key string, now time.Time) (dialogs.AgentCheck, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.After(e.expires) {
		return "", false
	}
	return e.check, true
}

func (c *agentCache) put(key string, check dialogs.AgentCheck, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 {
		clear(c.entries) // a bound, not an LRU: agents are few
	}
	c.entries[key] = agentEntry{check: check, expires: expires}
}
