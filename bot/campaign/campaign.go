// Package campaign runs the passkey campaign: it finds everyone whose only
// sign-in methods are phones, messages each of them in Teams with a card
// that starts the passkey flow, reminds them in waves until they have
// registered one, and keeps the helpdesk's figures.
//
// A run is safe to interrupt and repeat. Who was found, messaged and when
// lives in the store; a lease keeps a second replica (or a second command)
// out while one runs; each message is claimed before it is sent, so nobody
// gets the same wave twice, even across a crash.
package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// Directory is what the campaign reads from and does in Microsoft Graph;
// *graph.Client is the real one.
type Directory interface {
	RegistrationDetails(ctx context.Context, pageSize int, yield func(graph.Registration) error) error
	GroupMembers(ctx context.Context, groupID string, pageSize int, yield func(graph.User) error) error
	User(ctx context.Context, id string) (graph.User, error)
	Methods(ctx context.Context, userID string) (graph.Methods, error)
	InstallPersonalApp(ctx context.Context, userID, teamsAppID string) (installed bool, err error)
}

// Protector tells privileged accounts, which the campaign leaves to the
// helpdesk; *bot.Privilege is the real one.
type Protector interface {
	Protected(ctx context.Context, user string) (bool, error)
}

// Chats reaches people through the Bot Connector; *bot.Connector is the
// real one.
type Chats interface {
	CreateConversation(ctx context.Context, serviceURL string, p *bot.ConversationParameters) (bot.ConversationResource, error)
	Send(ctx context.Context, serviceURL, conversationID string, a *bot.OutgoingActivity) (string, error)
	Update(ctx context.Context, serviceURL, conversationID, activityID string, a *bot.OutgoingActivity) error
}

// Store keeps the campaign; *store.DB is the real one.
type Store interface {
	RecordScan(ctx context.Context, campaign string, run int64, batch []store.Observation, at time.Time) error
	FinishScan(ctx context.Context, campaign string, run int64, at time.Time) (int64, error)
	DuePeople(ctx context.Context, campaign string, now time.Time, remindAfter time.Duration, after string, limit int) ([]store.CampaignPerson, error)
	ClaimSend(ctx context.Context, campaign, userID string, wave int, at time.Time) (bool, error)
	FinishSend(ctx context.Context, campaign, userID string, r store.SentResult, at time.Time) error
	SettleInterruptedSends(ctx context.Context, campaign string, at time.Time) (int64, error)
	RetryUnreachable(ctx context.Context, campaign string, at time.Time) (int64, error)
	CountCampaign(ctx context.Context, campaign string, at time.Time) (store.CampaignCounts, error)
	RecordCampaignCounts(ctx context.Context, campaign string, c store.CampaignCounts) error
	CampaignHistory(ctx context.Context, campaign string, since time.Time) ([]store.CampaignCounts, error)
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, at time.Time) (bool, error)
	LeaseHolder(ctx context.Context, name string, at time.Time) (string, error)
	TakeLease(ctx context.Context, name, from, holder string, ttl time.Duration, at time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
	PersonalChatOf(ctx context.Context, userID string) (store.PersonalChat, error)
}

// Config is how a campaign runs.
type Config struct {
	Name       string // the campaign, e.g. "passkeys-2027"
	TeamsAppID string // the app's id in the organisation's Teams catalogue, to install it
	BotID      string // the bot's Teams id, "28:" + its Microsoft App ID ("" in local mode)
	TenantID   string
	ServiceURL string // the Bot Connector for the tenant's region
	Tenant     faq.Tenant
	// Group, when set, limits the campaign to that group's members, read
	// person by person: a pilot, or a tenant without Entra ID P1 (whose
	// registration report is unavailable).
	Group       string
	RemindAfter time.Duration
	// Rate paces calls to each of Graph and the Bot Connector, a second
	// (a privilege check, two Graph calls, is paced as one); Workers send
	// in parallel within it.
	Rate     float64
	Workers  int
	PageSize int
	// Holder names this process in the lease (host and pid). Dead, if set,
	// tells a holder that is known to have died (a process of this host
	// that no longer runs), whose lease a new run may take at once.
	Holder string
	Dead   func(holder string) bool
	// HelpdeskChannel, when set, gets the status card, updated in place.
	HelpdeskChannel string
	HelpdeskLang    cards.Lang
	Now             func() time.Time
}

// Campaign is one campaign with what it needs to run.
type Campaign struct {
	Config
	Graph     Directory
	Privilege Protector
	Chats     Chats
	Store     Store
	Log       *zap.Logger
	// Progress, if set, hears how far a run has got.
	Progress func(Progress)

	graphPace, chatPace *pacer
	// installed counts installations that worked this run; refusals
	// before any did point at the configuration, not at the people.
	installed, refusedInstalls atomic.Int64
	stop                       context.CancelCauseFunc // ends the running Reach early
}

// Progress is how far a stage of a run has got.
type Progress struct {
	Stage string // "find" or "reach"
	Done  int
	Total int // 0 when unknown (finding: the tenant's size is not known up front)
}

// Errors a run reports.
var (
	// ErrBusy: another process holds the campaign's lease.
	ErrBusy = errors.New("campaign: another run is in progress")
	// ErrInstallRefused: the first installations all failed.
	ErrInstallRefused = errors.New("campaign: the bot could not be installed for anyone: check TEAMS_APP_ID (the app's id in your Teams catalogue), the TeamsAppInstallation permission and the app permission policy; nobody was marked unreachable")
	// ErrNoSource: the registration report is unavailable and no group was
	// given to read instead.
	ErrNoSource = errors.New("campaign: the registration report is unavailable (it needs Microsoft Entra ID P1 and AuditLog.Read.All); name a group to read instead with --group")
)

// leaseTTL is how long a lease outlives a process that stopped renewing it
// (on another host; see Config.Dead).
const leaseTTL = time.Minute

// maxRefusedInstalls is how many refused installations, before any has
// worked, stop a run.
const maxRefusedInstalls = 20

// Defaults for what Config leaves zero.
const (
	defaultRate     = 8 // calls a second: well inside the connector's 30 per app and tenant
	defaultWorkers  = 4
	defaultPageSize = 500
	scanBatch       = 200
)

func (c *Campaign) init() {
	if c.Rate <= 0 {
		c.Rate = defaultRate
	}
	if c.Workers <= 0 {
		c.Workers = defaultWorkers
	}
	if c.PageSize <= 0 {
		c.PageSize = defaultPageSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = zap.NewNop()
	}
	if c.graphPace == nil {
		c.graphPace, c.chatPace = newPacer(c.Rate), newPacer(c.Rate)
	}
}

func (c *Campaign) progress(p Progress) {
	if c.Progress != nil {
		c.Progress(p)
	}
}

// Hold takes the campaign's lease and keeps it until the returned release
// is called; ctx is cancelled if the lease is lost.
func (c *Campaign) Hold(ctx context.Context) (context.Context, func(), error) {
	c.init()
	name := "campaign:" + c.Name
	ok, err := c.Store.AcquireLease(ctx, name, c.Holder, leaseTTL, c.Now())
	if err == nil && !ok && c.Dead != nil {
		var holder string
		if holder, err = c.Store.LeaseHolder(ctx, name, c.Now()); err == nil && holder != "" && c.Dead(holder) {
			c.Log.Warn("campaign lease taken over from a run that died", zap.String("holder", holder))
			ok, err = c.Store.TakeLease(ctx, name, holder, c.Holder, leaseTTL, c.Now())
		}
	}
	if err != nil {
		return ctx, nil, err
	}
	if !ok {
		return ctx, nil, ErrBusy
	}
	ctx, cancel := context.WithCancel(ctx)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(leaseTTL / 6)
		defer t.Stop()
		misses := 0
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ok, err := c.Store.AcquireLease(ctx, name, c.Holder, leaseTTL, c.Now())
				switch {
				case ok:
					misses = 0
				case err != nil && misses < 3:
					misses++ // the database blinked: the lease has time left
				default:
					c.Log.Error("campaign lease lost; stopping", zap.Error(err))
					cancel()
					return
				}
			}
		}
	}()
	release := func() {
		close(done)
		<-stopped // no renewal may land after the release
		cancel()
		rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer rcancel()
		if err := c.Store.ReleaseLease(rctx, name, c.Holder); err != nil {
			c.Log.Warn("campaign lease not released; it expires by itself", zap.Error(err))
		}
	}
	return ctx, release, nil
}

// Person is one phone-only person a scan found, for a dry run's list.
type Person struct {
	UserID string
	UPN    string // masked
	Mix    string
	Lang   cards.Lang
}

// FindReport sums up a scan.
type FindReport struct {
	Source  string         // "report" or "group"
	Listed  int            // people the source listed
	ByMix   map[string]int // of those considered, by method mix (graph.MethodMix)
	Skipped map[string]int // guest, disabled, privileged, unchecked
}

// Find scans the tenant (or, with Config.Group, that group only).
// Phone-only people are recorded (found); people of the campaign who are no
// longer phone-only become registered, and those now skipped (disabled, a
// guest, privileged) or without any method leave it. A complete scan of
// the tenant also closes the campaign for people it no longer lists. With
// dryRun nothing is recorded: found hears each phone-only person.
func (c *Campaign) Find(ctx context.Context, dryRun bool, found func(Person)) (FindReport, error) {
	c.init()
	rep := FindReport{Source: "report", ByMix: map[string]int{}, Skipped: map[string]int{}}
	run := c.Now().Unix()
	var batch []store.Observation
	flush := func() error {
		if dryRun || len(batch) == 0 {
			batch = batch[:0]
			return nil
		}
		err := c.Store.RecordScan(ctx, c.Name, run, batch, c.Now())
		batch = batch[:0]
		return err
	}
	add := func(o store.Observation) error {
		batch = append(batch, o)
		if len(batch) >= scanBatch {
			return flush()
		}
		return nil
	}
	skip := func(id, why string) error {
		rep.Skipped[why]++
		if why == skippedUnchecked {
			return nil // not known either way: left as it was
		}
		return add(store.Observation{UserID: id, Left: true})
	}
	// consider takes one person the source listed, with their methods as
	// Graph names them, and u when the source gave the person's details.
	consider := func(id, upn string, methods []string, u *graph.User) error {
		rep.Listed++
		if rep.Listed%100 == 0 {
			c.progress(Progress{Stage: "find", Done: rep.Listed})
		}
		mix := graph.MethodMix(methods)
		switch {
		case mix == graph.MixNone:
			// No method at all (their phone was removed): Entra makes them
			// register at their next sign-in, which the campaign can't help.
			rep.ByMix[mix]++
			return add(store.Observation{UserID: id, Left: true})
		case !graph.PhoneOnly(methods):
			rep.ByMix[mix]++
			return add(store.Observation{UserID: id, Mix: mix})
		}
		p, why, err := c.check(ctx, id, upn, u)
		if err != nil {
			return err
		}
		if why != "" {
			return skip(id, why)
		}
		rep.ByMix[mix]++
		p.Mix = mix
		if found != nil {
			found(p)
		}
		return add(store.Observation{UserID: id, PhoneOnly: true, Mix: mix, Lang: string(p.Lang)})
	}

	var err error
	if c.Group != "" {
		// A pilot, or a tenant without Entra ID P1: the group's members,
		// one by one.
		rep.Source = "group"
		err = c.Graph.GroupMembers(ctx, c.Group, c.PageSize, func(u graph.User) error {
			switch {
			case u.External():
				rep.Listed++
				return skip(u.ID, "guest")
			case u.Disabled:
				rep.Listed++
				return skip(u.ID, "disabled")
			}
			if err := c.graphPace.wait(ctx); err != nil {
				return err
			}
			m, err := c.Graph.Methods(ctx, u.ID)
			if err != nil {
				return fmt.Errorf("campaign: methods of a group member: %w", err)
			}
			return consider(u.ID, u.UserPrincipalName, MethodNames(m), &u)
		})
	} else {
		err = c.Graph.RegistrationDetails(ctx, c.PageSize, func(r graph.Registration) error {
			switch {
			case r.External():
				rep.Listed++
				return skip(r.UserID, "guest")
			case r.IsAdmin && graph.PhoneOnly(r.Methods):
				rep.Listed++
				return skip(r.UserID, "privileged")
			}
			return consider(r.UserID, r.UserPrincipalName, r.Methods, nil)
		})
		if errors.Is(err, graph.ErrReportUnavailable) {
			return rep, ErrNoSource
		}
	}
	if err != nil {
		return rep, err
	}
	if err := flush(); err != nil {
		return rep, err
	}
	c.progress(Progress{Stage: "find", Done: rep.Listed, Total: rep.Listed})
	if dryRun {
		return rep, nil
	}
	// Only a scan that listed the whole tenant, and could judge everyone
	// phone-only, may close the campaign for those it did not list: people
	// it could not check would otherwise be dropped.
	if rep.Source == "report" && rep.Skipped[skippedUnchecked] == 0 {
		if _, err := c.Store.FinishScan(ctx, c.Name, run, c.Now()); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// skippedUnchecked counts phone-only people whose account could not be
// checked (Graph failed): neither messaged nor dropped this run.
const skippedUnchecked = "unchecked"

// check decides whether a phone-only person is messaged: not a guest, not
// disabled, not privileged. A check that fails leaves the person out of
// this run ("unchecked") rather than messaging someone who should not be.
func (c *Campaign) check(ctx context.Context, id, upn string, u *graph.User) (Person, string, error) {
	unchecked := func(what string, err error) (Person, string, error) {
		if ctx.Err() != nil {
			return Person{}, "", ctx.Err()
		}
		c.Log.Warn("campaign: "+what+"; left out of this run", zap.Error(err))
		return Person{}, skippedUnchecked, nil
	}
	if u == nil {
		if err := c.graphPace.wait(ctx); err != nil {
			return Person{}, "", err
		}
		got, err := c.Graph.User(ctx, id)
		if err != nil {
			return unchecked("person not read", err)
		}
		u = &got
	}
	switch {
	case u.External():
		return Person{}, "guest", nil
	case u.Disabled:
		return Person{}, "disabled", nil
	}
	if err := c.graphPace.wait(ctx); err != nil {
		return Person{}, "", err
	}
	protected, err := c.Privilege.Protected(ctx, id)
	if err != nil {
		return unchecked("privilege not checked", err)
	}
	if protected {
		return Person{}, "privileged", nil
	}
	if upn == "" {
		upn = u.UserPrincipalName
	}
	return Person{UserID: id, UPN: MaskUPN(upn), Lang: langOf(u.PreferredLanguage)}, "", nil
}

// langOf is the campaign's language for a person: Japanese unless their
// preferred language is set to another.
func langOf(preferred string) cards.Lang {
	if strings.TrimSpace(preferred) == "" {
		return cards.Japanese
	}
	return cards.LangFromLocale(preferred)
}

// MethodNames turns a person's methods into the names Graph's registration
// report uses, so that people read one by one are judged like those the
// report lists.
func MethodNames(m graph.Methods) []string {
	var out []string
	for _, p := range m.Phones {
		switch p.Type {
		case graph.Mobile:
			out = append(out, "mobilePhone")
		case graph.AlternateMobile:
			out = append(out, "alternateMobilePhone")
		case graph.Office:
			out = append(out, "officePhone")
		}
	}
	for range m.Authenticators {
		out = append(out, "microsoftAuthenticatorPush")
	}
	for _, o := range m.Others {
		switch o.Kind {
		case graph.KindFIDO2:
			out = append(out, "passKeyDeviceBound")
		case graph.KindSoftwareOATH:
			out = append(out, "softwareOneTimePasscode")
		case graph.KindWindowsHello:
			out = append(out, "windowsHelloForBusiness")
		case graph.KindEmail:
			out = append(out, "email")
		case graph.KindTAP:
			out = append(out, "temporaryAccessPass")
		}
	}
	return out
}

// MaskUPN keeps a sign-in name recognisable to the helpdesk without
// spelling it out: "ha•••@contoso.example".
func MaskUPN(upn string) string {
	local, domain, ok := strings.Cut(upn, "@")
	if !ok {
		domain = ""
	}
	r := []rune(local)
	if len(r) > 2 {
		r = r[:2]
	}
	if domain == "" {
		return string(r) + "•••"
	}
	return string(r) + "•••@" + domain
}

// ReachReport sums up the messages of a run.
type ReachReport struct {
	Due, Sent, Reminders, Unreachable, Failed int
	Moved                                     int   // registered since the scan: not messaged
	Settled                                   int64 // sends a crashed run left unconfirmed, counted as sent
	Ended                                     bool  // the codes have ended: no messages any more
}

// Reach messages everyone due: a first message for people found, a
// reminder for those messaged RemindAfter ago (or later, if they asked).
func (c *Campaign) Reach(ctx context.Context) (ReachReport, error) {
	c.init()
	var rep ReachReport
	var err error
	if rep.Settled, err = c.Store.SettleInterruptedSends(ctx, c.Name, c.Now()); err != nil {
		return rep, err
	}
	if c.Tenant.PhoneCodesEnded(c.Now()) {
		// Phone-only people are stopped at sign-in now and can't open
		// Teams: the helpdesk reaches them, not the bot.
		rep.Ended = true
		return rep, nil
	}
	ctx, c.stop = context.WithCancelCause(ctx)
	defer c.stop(nil)
	now := c.Now()
	total, err := c.countDue(ctx, now)
	if err != nil {
		return rep, err
	}
	rep.Due = total
	var mu sync.Mutex
	done := 0
	work := make(chan store.CampaignPerson)
	var wg sync.WaitGroup
	for range c.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				outcome := c.reachOne(ctx, p, now)
				mu.Lock()
				switch outcome {
				case sent:
					rep.Sent++
					if p.Wave > 0 {
						rep.Reminders++
					}
				case moved:
					rep.Moved++
				case unreachable:
					rep.Unreachable++
				case failed:
					rep.Failed++
				}
				done++
				c.progress(Progress{Stage: "reach", Done: done, Total: total})
				mu.Unlock()
			}
		}()
	}
	after := ""
	for ctx.Err() == nil {
		page, err := c.Store.DuePeople(ctx, c.Name, now, c.RemindAfter, after, c.PageSize)
		if err != nil {
			close(work)
			wg.Wait()
			return rep, err
		}
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			select {
			case work <- p:
			case <-ctx.Done():
			}
		}
		after = page[len(page)-1].UserID
	}
	close(work)
	wg.Wait()
	if cause := context.Cause(ctx); errors.Is(cause, ErrInstallRefused) {
		if _, err := c.Store.RetryUnreachable(context.WithoutCancel(ctx), c.Name, c.Now()); err != nil {
			c.Log.Error("campaign: unreachable people not restored; run retry-unreachable", zap.Error(err))
		}
		rep.Unreachable = 0
		return rep, cause
	}
	if ctx.Err() != nil {
		return rep, context.Cause(ctx)
	}
	return rep, nil
}

// countDue counts the people Reach will message, for the progress bar,
// a page at a time so that memory stays flat.
func (c *Campaign) countDue(ctx context.Context, now time.Time) (int, error) {
	n, after := 0, ""
	for {
		page, err := c.Store.DuePeople(ctx, c.Name, now, c.RemindAfter, after, c.PageSize)
		if err != nil || len(page) == 0 {
			return n, err
		}
		n += len(page)
		after = page[len(page)-1].UserID
	}
}

type outcome int

const (
	skipped outcome = iota
	sent
	moved // no longer phone-only: nothing sent
	unreachable
	failed
)

// reachOne sends one person their next message: claim the wave, make sure
// the bot is installed for them and their chat exists, send, record.
func (c *Campaign) reachOne(ctx context.Context, p store.CampaignPerson, now time.Time) outcome {
	wave := p.Wave + 1
	ok, err := c.Store.ClaimSend(ctx, c.Name, p.UserID, wave, c.Now())
	if err != nil || !ok {
		return skipped // someone else sent it, or the store is down (the next run tries again)
	}
	finish := func(r store.SentResult) {
		// Recorded even if the run is being stopped: the message went out (or not) already.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := c.Store.FinishSend(fctx, c.Name, p.UserID, r, c.Now()); err != nil {
			c.Log.Error("campaign send not recorded; the next run settles it as sent", zap.Error(err))
		}
	}
	res, err := c.deliver(ctx, p, wave, now)
	var u *unreachableError
	switch {
	case err == nil && res.Moved:
		finish(res)
		return moved
	case err == nil:
		finish(res)
		return sent
	case errors.As(err, &u):
		if u.code == reasonNotInstalled && c.installed.Load() == 0 && c.refusedInstalls.Add(1) == maxRefusedInstalls {
			// No installation has worked yet: a wrong TEAMS_APP_ID, a
			// missing permission or an app policy refuses everyone alike.
			// Stop (and Reach takes back "unreachable").
			c.stop(ErrInstallRefused)
		}
		finish(store.SentResult{Unreachable: true, Reason: u.code})
		return unreachable
	case errors.Is(err, errUncertain):
		// The message may have gone out: the claim stays, and the next run
		// settles it as sent rather than risk sending it twice.
		c.Log.Warn("campaign message may not have been sent; counted as sent", zap.Error(err))
		return failed
	default:
		c.Log.Warn("campaign message not sent; tried again next run", zap.Error(err))
		finish(store.SentResult{}) // release the claim
		return failed
	}
}

// errUncertain: a send failed in a way that leaves unknown whether the
// message went out.
var errUncertain = errors.New("campaign: send outcome unknown")

// unreachableError means the person can't be reached this way at all.
type unreachableError struct{ code string }

func (e *unreachableError) Error() string { return "campaign: unreachable: " + e.code }

// Unreachable reasons (problem codes; cards has their words).
const (
	reasonNotInstalled = "campaign_app_not_installable" // no Teams licence, app blocked by policy, unknown person
	reasonChatRefused  = "campaign_chat_refused"        // the connector refused to open or post in the chat
)

func (c *Campaign) deliver(ctx context.Context, p store.CampaignPerson, wave int, now time.Time) (store.SentResult, error) {
	// The report lags behind what people register: their methods now say
	// whether they still need the message, and what their card shows. If
	// they can't be read, nothing is sent: the next run tries again.
	if err := c.graphPace.wait(ctx); err != nil {
		return store.SentResult{}, err
	}
	m, err := c.Graph.Methods(ctx, p.UserID)
	if err != nil {
		return store.SentResult{}, fmt.Errorf("campaign: read methods: %w", err)
	}
	if !graph.PhoneOnly(MethodNames(m)) {
		return store.SentResult{Moved: true}, nil
	}
	l := cards.Lang(p.Lang)
	card := cards.CampaignInvite(l, cards.CampaignInviteView{Campaign: c.Name, Reminder: wave > 1, End: c.Tenant.SMSVoiceEnd,
		DaysLeft: DaysLeft(c.Tenant, now), Methods: phoneFacts(l, m)})
	a := &bot.OutgoingActivity{Type: "message", Locale: l.Tag(), Summary: cards.Summary(card),
		Attachments: []schema.Attachment{{ContentType: cards.ContentType, Content: card}}}

	// The chat the campaign used before, else the one the person wrote to
	// the bot in; if that chat refuses (the app was removed), a new one.
	conv, serviceURL := p.Conversation, p.ServiceURL
	if conv == "" {
		if pc, err := c.Store.PersonalChatOf(ctx, p.UserID); err == nil {
			conv, serviceURL = pc.Conversation, pc.ServiceURL
		}
	}
	if conv != "" {
		err := c.send(ctx, serviceURL, conv, a)
		if !errors.Is(err, errRefused) {
			if err != nil {
				return store.SentResult{}, err
			}
			return store.SentResult{Delivered: true, Conversation: conv, ServiceURL: serviceURL}, nil
		}
	}
	if err := c.graphPace.wait(ctx); err != nil {
		return store.SentResult{}, err
	}
	if _, err := c.Graph.InstallPersonalApp(ctx, p.UserID, c.TeamsAppID); err != nil {
		if errors.Is(err, graph.ErrUnreachable) {
			return store.SentResult{}, &unreachableError{reasonNotInstalled}
		}
		return store.SentResult{}, err
	}
	c.installed.Add(1)
	if err := c.chatPace.wait(ctx); err != nil {
		return store.SentResult{}, err
	}
	serviceURL = c.ServiceURL
	// Teams opens a 1:1 chat from the person's Entra object id once the
	// app is installed for them: the campaign never knows their "29:" id.
	cr, err := c.Chats.CreateConversation(ctx, serviceURL, &bot.ConversationParameters{
		Bot: c.botAccount(), Members: []schema.ChannelAccount{{ID: p.UserID, AadObjectID: p.UserID}},
		TenantID: c.TenantID, ChannelData: map[string]any{"tenant": map[string]any{"id": c.TenantID}},
	})
	if err != nil {
		if refused(err) {
			return store.SentResult{}, &unreachableError{reasonChatRefused}
		}
		return store.SentResult{}, err
	}
	conv = cr.ID
	if cr.ServiceURL != "" {
		serviceURL = cr.ServiceURL
	}
	if err := c.send(ctx, serviceURL, conv, a); err != nil {
		if errors.Is(err, errRefused) {
			return store.SentResult{}, &unreachableError{reasonChatRefused}
		}
		return store.SentResult{}, err
	}
	return store.SentResult{Delivered: true, Conversation: conv, ServiceURL: serviceURL}, nil
}

// errRefused: the chat refused the message (the person blocked the bot, or
// the chat is gone).
var errRefused = errors.New("campaign: the chat refused the message")

// send posts the card in a chat. A failure that leaves unknown whether it
// went out wraps errUncertain.
func (c *Campaign) send(ctx context.Context, serviceURL, conv string, a *bot.OutgoingActivity) error {
	if err := c.chatPace.wait(ctx); err != nil {
		return err
	}
	_, err := c.Chats.Send(ctx, serviceURL, conv, a)
	var ce *bot.ConnectorError
	switch {
	case err == nil:
		return nil
	case refused(err):
		return errRefused
	case !errors.As(err, &ce) || ce.Status >= 500:
		// No answer, or a gateway's: the connector may have taken it.
		return fmt.Errorf("%w: %w", errUncertain, err)
	}
	return err
}

func (c *Campaign) botAccount() *schema.ChannelAccount {
	if c.BotID == "" {
		return nil
	}
	return &schema.ChannelAccount{ID: c.BotID}
}

// refused reports a connector answer that will not change by trying again:
// the person blocked the bot, or the chat can't exist.
func refused(err error) bool {
	var ce *bot.ConnectorError
	return errors.As(err, &ce) && (ce.Status == 403 || ce.Status == 404)
}

var phoneLabels = map[graph.PhoneType]cards.Text{
	graph.Mobile:          {JA: "携帯電話（SMS・音声）", EN: "Mobile (text and voice)"},
	graph.AlternateMobile: {JA: "代替の電話（音声）", EN: "Alternate phone (voice)"},
	graph.Office:          {JA: "会社の電話（音声）", EN: "Office phone (voice)"},
}

// phoneFacts lists a person's phones, masked, for their card.
func phoneFacts(l cards.Lang, m graph.Methods) []cards.Fact {
	var out []cards.Fact
	for _, p := range m.Phones {
		out = append(out, cards.Fact{Title: phoneLabels[p.Type].In(l), Value: p.Masked})
	}
	return out
}

// DaysLeft is how many whole days remain before the tenant's SMS and voice
// codes end (0 from the last day before them).
func DaysLeft(t faq.Tenant, now time.Time) int {
	return int(t.SMSVoiceEnd.Sub(now).Hours() / 24)
}

// Status reads the campaign's figures now and its history (the chart),
// changing nothing.
func (c *Campaign) Status(ctx context.Context) (store.CampaignCounts, []store.CampaignCounts, error) {
	c.init()
	counts, err := c.Store.CountCampaign(ctx, c.Name, c.Now())
	if err != nil {
		return counts, nil, err
	}
	hist, err := c.Store.CampaignHistory(ctx, c.Name, c.Now().AddDate(0, -6, 0))
	return counts, hist, err
}

// Record adds the campaign's figures now to its history, after a run.
func (c *Campaign) Record(ctx context.Context) error {
	c.init()
	counts, err := c.Store.CountCampaign(ctx, c.Name, c.Now())
	if err != nil {
		return err
	}
	return c.Store.RecordCampaignCounts(ctx, c.Name, counts)
}

// StatusView is the status card's view of counts and history.
func (c *Campaign) StatusView(counts store.CampaignCounts, hist []store.CampaignCounts) cards.CampaignStatusView {
	v := cards.CampaignStatusView{At: counts.At, PhoneOnly: counts.PhoneOnly, Contacted: counts.Contacted, Started: counts.Started,
		Registered: counts.Registered, Unreachable: counts.Unreachable, NoSmartphone: counts.NoSmartphone,
		DaysLeft: DaysLeft(c.Tenant, counts.At)}
	for _, h := range hist {
		v.History = append(v.History, h.PhoneOnly)
	}
	return v
}

// settingStatusCard keeps where the status card is: "conversation activity".
func (c *Campaign) settingStatusCard() string { return "campaign." + c.Name + ".card" }

// PostStatus puts the status card in the helpdesk channel: a new thread the
// first time, then the same card updated in place.
func (c *Campaign) PostStatus(ctx context.Context, v cards.CampaignStatusView) error {
	c.init()
	if c.HelpdeskChannel == "" {
		return nil
	}
	serviceURL := c.ServiceURL
	if learned, err := c.Store.Setting(ctx, bot.SettingServiceURL); err == nil && learned != "" {
		serviceURL = learned // the helpdesk team's own, learned by the bot
	}
	card := cards.CampaignStatus(c.HelpdeskLang, v)
	a := &bot.OutgoingActivity{Type: "message", Summary: cards.Summary(card),
		Attachments: []schema.Attachment{{ContentType: cards.ContentType, Content: card}}}
	if where, err := c.Store.Setting(ctx, c.settingStatusCard()); err == nil {
		if conv, activity, ok := strings.Cut(where, " "); ok {
			err := c.Chats.Update(ctx, serviceURL, conv, activity, a)
			if err == nil || !refused(err) {
				return err // a new card only when the old one is gone
			}
		}
	}
	cr, err := c.Chats.CreateConversation(ctx, serviceURL, &bot.ConversationParameters{
		IsGroup: true, Bot: c.botAccount(), TenantID: c.TenantID, Activity: a,
		ChannelData: map[string]any{"channel": map[string]any{"id": c.HelpdeskChannel}, "tenant": map[string]any{"id": c.TenantID}},
	})
	if err != nil {
		return fmt.Errorf("campaign: post the status card: %w", err)
	}
	return c.Store.SetSetting(ctx, c.settingStatusCard(), cr.ID+" "+cr.ActivityID, c.Now())
}

// pacer spaces calls to one service out to a rate, shared by the workers.
// The clients themselves honour Retry-After on 429; pacing keeps a run
// from asking for it.
type pacer struct {
	mu   sync.Mutex
	next time.Time
	gap  time.Duration
}

func newPacer(perSecond float64) *pacer {
	return &pacer{gap: time.Duration(float64(time.Second) / perSecond)}
}

// wait blocks until the next call may go, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.gap)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
