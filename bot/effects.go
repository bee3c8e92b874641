package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// FeedbackStore keeps answer feedback.
type FeedbackStore interface {
	RecordFeedback(ctx context.Context, topic string, helpful bool, comment string, at time.Time) error
}

// Methods is what the effects need from Graph; *graph.Client is the real one.
type Methods interface {
	Methods(ctx context.Context, userID string) (graph.Methods, error)
	AddPhone(ctx context.Context, userID string, t graph.PhoneType, p graph.Phone, wantSMS bool) (graph.PhoneMethod, error)
	ChangePhone(ctx context.Context, userID string, t graph.PhoneType, p graph.Phone, wantSMS bool) (graph.PhoneMethod, error)
	DeletePhone(ctx context.Context, userID string, t graph.PhoneType, defaultMethodID string) error
	DeleteMethod(ctx context.Context, userID string, kind graph.MethodKind, id, defaultMethodID string) error
}

// ChangeStore keeps the audit log and which ops of a change are done.
type ChangeStore interface {
	RecordAudit(ctx context.Context, e store.AuditEntry) error
	CountWrites(ctx context.Context, userID string, since time.Time) (int, error)
	OpDone(ctx context.Context, key string, i int) (bool, error)
	MarkOpDone(ctx context.Context, key string, i int, at time.Time) error
}

// WritePolicy decides whether a write about user's sign-in may be made now:
// a change of their methods or a pass for them, each of which passes here.
// (Signing someone out everywhere does not: it takes a way in away, and
// must work however often an emergency needs it.) A refusal is a
// *dialogs.Problem.
type WritePolicy interface {
	Allow(ctx context.Context, user string, now time.Time) error
}

// RateLimit allows each person a number of changes per hour.
type RateLimit struct {
	Store   ChangeStore
	PerHour int
}

// Allow implements [WritePolicy].
func (r RateLimit) Allow(ctx context.Context, user string, now time.Time) error {
	n, err := r.Store.CountWrites(ctx, user, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= r.PerHour {
		return &dialogs.Problem{Code: "rate_limited", Args: []any{n}}
	}
	return nil
}

// Effects executes the effects dialogs ask for.
type Effects struct {
	Feedback FeedbackStore
	Graph    Methods
	Changes  ChangeStore
	Policy   WritePolicy
	// StepUp starts the sign-ins that writes need, and every write and
	// approval request passes its check before Policy's. nil refuses them
	// all; turning step-up off takes an explicit StepUp{Off: true}.
	StepUp *StepUp
	// Passes issues Temporary Access Passes for agents, and Sessions signs
	// people out everywhere; nil refuses them.
	Passes   PassIssuer
	Sessions interface {
		RevokeSessions(ctx context.Context, userID string) error
	}
	TAPLifetime int // minutes
	TAPOnce     bool
	// Chats opens a person's 1:1 chat with the bot, and Runner continues
	// there, for flows that must not run in a group (MoveToPersonal).
	Chats  Conversations
	Runner *Runner
	// Notices mails people about changes; nil: no email.
	Notices *Notices
	// Privilege keeps privileged accounts out of self-service; nil
	// refuses every change (it fails closed).
	Privilege *Privilege
	// Campaign records what people do with the passkey campaign's card.
	Campaign interface {
		CampaignAct(ctx context.Context, campaign, userID, action string, until, at time.Time) (bool, error)
	}
	// SignIns reads people's own sign-in log; nil: the feature is off.
	SignIns *SignInLog
	Region  string // default phone region, e.g. "JP"
	// Approval, when set, turns confirmed changes into tickets that an
	// agent approves (SELF_SERVICE_WRITES=approval).
	Approval bool
	Now      func() time.Time
	Log      *zap.Logger
}

// RunEffect implements [EffectRunner].
func (x *Effects) RunEffect(ctx context.Context, e dialogs.Effect, in dialogs.Input) dialogs.Result {
	res := dialogs.Result{Effect: e.EffectName()}
	switch e := e.(type) {
	case dialogs.RecordFeedback:
		res.Err = x.Feedback.RecordFeedback(ctx, e.Topic, e.Helpful, e.Comment, in.Now)
	case dialogs.ReadSignIns:
		if x.SignIns == nil {
			res.Err = errSignInsOff
			break
		}
		res.Value, res.Err = x.SignIns.Read(ctx, userOf(in))
	case dialogs.LoadMethods:
		m, err := x.Graph.Methods(ctx, userOf(in))
		if err != nil {
			res.Err = problemFor(err)
			break
		}
		v := methodsView(m)
		if err := x.Privilege.refuseProtected(ctx, userOf(in)); err != nil {
			res.Err = err
			break
		}
		res.Value = v
	case dialogs.CheckPhone:
		p, err := graph.ParsePhone(e.Input, x.Region)
		if err != nil {
			res.Err = problemFor(err)
			break
		}
		checked := dialogs.CheckedPhone{Number: p.Graph, Display: p.Display, Masked: p.Masked, CanSMS: p.CanSMS() && e.Slot != string(graph.Office)}
		// Already registered (most often the number they have now, typed
		// by habit)? A read that fails does not stop the change: the
		// check only saves the person a pointless write.
		if m, err := x.Graph.Methods(ctx, userOf(in)); err == nil {
			checked.Registered = m.SlotOf(p)
		} else {
			x.Log.Warn("methods not read to compare a new number", zap.Error(err))
		}
		res.Value = checked
	case dialogs.Notify:
		res.Err = x.Notices.Mail(ctx, e.Owner, e.Kind, e.What)
		if res.Err != nil {
			x.Log.Error("security notice not mailed", zap.String("kind", e.Kind), zap.Error(res.Err))
		}
	case dialogs.MoveToPersonal:
		res.Err = x.moveToPersonal(ctx, e, in)
	case dialogs.BeginStepUp:
		res.Value, res.Err = x.StepUp.Begin(ctx, e, in)
		if res.Err != nil {
			res.Err = problemFor(res.Err)
		}
	case dialogs.ApplyChange:
		if x.Approval {
			res.Value, res.Err = x.askApproval(ctx, e, in)
			break
		}
		res.Value, res.Err = x.apply(ctx, e, in, false)
	case dialogs.IssueTAP:
		res.Value, res.Err = x.issuePass(ctx, e, in)
	case dialogs.ApproveChange:
		res.Value, res.Err = x.approve(ctx, e, in)
	case dialogs.RevokeSessions:
		res.Err = x.revoke(ctx, e, in)
	case dialogs.CampaignAct:
		if x.Campaign == nil {
			break
		}
		// false (not in that campaign: a forwarded card) changes nothing and
		// needs no answer.
		_, res.Err = x.Campaign.CampaignAct(ctx, e.Campaign, userOf(in), e.Action, e.Until, in.Now)
		if res.Err != nil {
			x.Log.Warn("campaign click not recorded", zap.String("action", e.Action), zap.Error(res.Err))
		}
	case dialogs.Audit:
		res.Err = x.Changes.RecordAudit(ctx, store.AuditEntry{At: x.Now(), UserID: e.User, ActorID: e.Actor,
			Operation: e.Operation, Method: "-", Result: e.Result, ChangeKey: e.Key})
		if res.Err != nil {
			x.Log.Error("audit entry not written", zap.String("operation", e.Operation), zap.Error(res.Err))
		}
	default:
		res.Err = fmt.Errorf("no runner for effect %s", e.EffectName())
	}
	return res
}

func userOf(in dialogs.Input) string { return userOfUser(in.User) }

// Conversations creates conversations; [Connector] is the real one.
type Conversations interface {
	CreateConversation(ctx context.Context, serviceURL string, p *ConversationParameters) (ConversationResource, error)
}

// moveToPersonal opens the person's 1:1 chat with the bot and starts the
// flow there, in the background: that chat has its own turns and lock.
func (x *Effects) moveToPersonal(ctx context.Context, e dialogs.MoveToPersonal, in dialogs.Input) error {
	if x.Chats == nil || x.Runner == nil || in.User.ID == "" {
		return fmt.Errorf("no way to open a personal chat")
	}
	bot := &schema.ChannelAccount{ID: in.Conv.BotID, Name: in.Conv.BotName}
	cr, err := x.Chats.CreateConversation(ctx, in.Conv.ServiceURL, &ConversationParameters{
		Bot: bot, Members: []schema.ChannelAccount{{ID: in.User.ID}}, TenantID: in.Conv.TenantID,
		ChannelData: map[string]any{"tenant": map[string]any{"id": in.Conv.TenantID}},
	})
	if err != nil {
		return fmt.Errorf("open personal chat: %w", err)
	}
	conv := in.Conv
	conv.ID = cr.ID
	if cr.ServiceURL != "" {
		conv.ServiceURL = cr.ServiceURL
	}
	start := dialogs.Input{Kind: dialogs.SubmitInput, Verb: e.Verb, Data: e.Data, ActivityID: "personal-" + in.ActivityID,
		Locale: in.Locale, User: in.User, Scope: dialogs.Personal, Conv: conv}
	a := resumeActivity(resumeRef{Conv: conv, User: in.User, Locale: in.Locale})
	bctx := context.WithoutCancel(ctx)
	x.Runner.Go(func() {
		rctx, cancel := context.WithTimeout(bctx, effectTimeout+time.Minute)
		defer cancel()
		if err := x.Runner.Resume(rctx, a, start); err != nil {
			x.Log.Error("flow not started in the personal chat", zap.String("conversation", conv.ID), zap.Error(err))
		}
	})
	return nil
}

// askApproval checks a confirmed change as a write would be checked, and
// says it needs approval: in approval mode nothing is written until an
// agent approves, and the dialog sends it to the helpdesk as a ticket.
func (x *Effects) askApproval(ctx context.Context, c dialogs.ApplyChange, in dialogs.Input) (dialogs.ChangeOutcome, error) {
	out := dialogs.ChangeOutcome{Done: make([]bool, len(c.Ops))}
	refused := func(err error) (dialogs.ChangeOutcome, error) {
		x.Changes.RecordAudit(ctx, store.AuditEntry{At: x.Now(), UserID: c.Owner, ActorID: userOf(in), Operation: "change",
			Method: "-", Result: resultOf(err), ChangeKey: c.Key})
		return out, problemFor(err)
	}
	if !strings.EqualFold(c.Owner, userOf(in)) {
		return refused(problemNotOwner)
	}
	if err := x.Privilege.refuseProtected(ctx, c.Owner); err != nil {
		return refused(err)
	}
	// The person's own sign-in comes before the request reaches the
	// helpdesk: an agent must not be asked to approve a stolen session's
	// change.
	if err := x.StepUp.Allow(ctx, c, x.Now()); err != nil {
		return refused(err)
	}
	x.Changes.RecordAudit(ctx, store.AuditEntry{At: x.Now(), UserID: c.Owner, ActorID: userOf(in), Operation: "change",
		Method: "-", Result: "sent for approval", ChangeKey: c.Key})
	out.NeedsApproval = true
	return out, nil
}

// agentSignIn returns "" when the agent who clicked (in) signed in for the
// ticket recently; otherwise the URL that starts their sign-in. Passes and
// approvals need the agent's own fresh sign-in, as changes need the
// person's.
func (x *Effects) agentSignIn(ctx context.Context, in dialogs.Input, ticket string) (string, error) {
	subject := dialogs.TicketSubject(ticket)
	ok, err := x.StepUp.AgentCovered(ctx, userOf(in), subject)
	if err != nil || ok {
		return "", err
	}
	return x.StepUp.BeginAgent(ctx, in, subject)
}

// issuePass issues a Temporary Access Pass through the write path: the
// agent is not the person, the account is not privileged, the agent signed
// in, the person's write limit, one pass per click, audited either way.
// The pass is returned for the agent's answer only: it is not logged, and
// the audit entry holds how identity was checked, not the pass.
func (x *Effects) issuePass(ctx context.Context, e dialogs.IssueTAP, in dialogs.Input) (any, error) {
	now := x.Now()
	key := dialogs.TicketSubject(e.Ticket) + "-tap-" + in.ActivityID
	entry := store.AuditEntry{At: now, UserID: e.User, ActorID: userOf(in), Operation: "issue-tap", Method: string(graph.KindTAP), ChangeKey: key}
	fail := func(err error) (any, error) {
		entry.Result = resultOf(err)
		var ge *graph.Error
		if errors.As(err, &ge) {
			entry.RequestID = ge.RequestID
		}
		if aerr := x.Changes.RecordAudit(ctx, entry); aerr != nil {
			x.Log.Error("audit entry not written", zap.Error(aerr))
		}
		x.Log.Warn("temporary access pass not issued", zap.Error(err))
		return nil, problemFor(err)
	}
	if e.User == "" || strings.EqualFold(e.User, userOf(in)) {
		return fail(problemOwnAccount) // the transition refuses first; this is the last line
	}
	if x.Passes == nil {
		return fail(fmt.Errorf("no pass issuer"))
	}
	if err := x.Privilege.refuseProtected(ctx, e.User); err != nil {
		return fail(err)
	}
	if url, err := x.agentSignIn(ctx, in, e.Ticket); err != nil {
		return fail(err)
	} else if url != "" {
		return dialogs.AgentSignInNeeded{URL: url}, nil
	}
	if err := x.Policy.Allow(ctx, e.User, now); err != nil {
		return fail(err)
	}
	if done, err := x.Changes.OpDone(ctx, key, 0); err != nil {
		return fail(err)
	} else if done {
		return fail(problemPassAlreadyIssued)
	}
	pass, err := x.Passes.CreateTemporaryAccessPass(ctx, e.User, x.TAPLifetime, x.TAPOnce)
	if err != nil {
		return fail(err)
	}
	entry.Result = "ok"
	if merr := x.Changes.MarkOpDone(ctx, key, 0, now); merr != nil {
		entry.Result = "ok (not recorded as done: " + merr.Error() + ")"
	}
	entry.Masked = fmt.Sprintf("verified %s; %d min; once=%t", e.How, pass.LifetimeMinutes, pass.UsableOnce)
	if aerr := x.Changes.RecordAudit(ctx, entry); aerr != nil {
		x.Log.Error("audit entry not written", zap.Error(aerr))
	}
	x.Log.Info("temporary access pass issued", zap.Int("lifetime_minutes", pass.LifetimeMinutes), zap.Bool("usable_once", pass.UsableOnce))
	return dialogs.PassIssued{Pass: pass.Pass, LifetimeMinutes: pass.LifetimeMinutes, UsableOnce: pass.UsableOnce, How: e.How}, nil
}

// approve makes a change an agent approved (in is the agent's click),
// after the agent's own sign-in, through the same write path as the
// person's own changes.
func (x *Effects) approve(ctx context.Context, e dialogs.ApproveChange, in dialogs.Input) (any, error) {
	c := e.Change
	refused := func(err error) (any, error) {
		x.Changes.RecordAudit(ctx, store.AuditEntry{At: x.Now(), UserID: c.Owner, ActorID: userOf(in), Operation: "change",
			Method: "-", Result: resultOf(err), ChangeKey: c.Key})
		return nil, problemFor(err)
	}
	if strings.EqualFold(c.Owner, userOf(in)) {
		return refused(problemOwnAccount)
	}
	if url, err := x.agentSignIn(ctx, in, e.Ticket); err != nil {
		return refused(err)
	} else if url != "" {
		return dialogs.AgentSignInNeeded{URL: url}, nil
	}
	return x.apply(ctx, c, in, true)
}

// revoke signs the person out everywhere, audited.
func (x *Effects) revoke(ctx context.Context, e dialogs.RevokeSessions, in dialogs.Input) error {
	now := x.Now()
	entry := store.AuditEntry{At: now, UserID: e.User, ActorID: userOf(in), Operation: "revoke-sessions",
		Method: "sessions", ChangeKey: dialogs.TicketSubject(e.Ticket) + "-revoke-" + in.ActivityID, Result: "ok"}
	var err error
	if x.Sessions == nil {
		err = fmt.Errorf("no session revoker")
	} else {
		err = x.Sessions.RevokeSessions(ctx, e.User)
	}
	if err != nil {
		entry.Result = resultOf(err)
	}
	if aerr := x.Changes.RecordAudit(ctx, entry); aerr != nil {
		x.Log.Error("audit entry not written", zap.Error(aerr))
	}
	if err != nil {
		x.Log.Warn("sign-in sessions not revoked", zap.Error(err))
		return problemFor(err)
	}
	x.Log.Info("sign-in sessions revoked")
	return nil
}

var (
	problemOwnAccount        = &dialogs.Problem{Code: "own_account"}
	problemPassAlreadyIssued = &dialogs.Problem{Code: "pass_already_issued"}
)

// apply makes a confirmed change: through the policy, op by op in order,
// each audited, none done twice under the same key. It stops at the first
// failure and says which ops are done. approved says that in is a helpdesk
// agent approving the owner's confirmed change, not the owner.
func (x *Effects) apply(ctx context.Context, c dialogs.ApplyChange, in dialogs.Input, approved bool) (dialogs.ChangeOutcome, error) {
	out := dialogs.ChangeOutcome{Done: make([]bool, len(c.Ops))}
	copy(out.Done, c.Skip) // what earlier attempts did stays done
	now := x.Now()
	refused := func(err error) (dialogs.ChangeOutcome, error) {
		x.Changes.RecordAudit(ctx, store.AuditEntry{At: now, UserID: c.Owner, ActorID: userOf(in), Operation: "change",
			Method: "-", Result: resultOf(err), ChangeKey: c.Key})
		return out, problemFor(err)
	}
	if !strings.EqualFold(c.Owner, userOf(in)) && !approved {
		// The dialog binds confirms to their owner; this is the last line.
		return refused(problemNotOwner)
	}
	stepUp := x.StepUp.Allow
	if approved {
		stepUp = func(ctx context.Context, c dialogs.ApplyChange, _ time.Time) error {
			return x.StepUp.AllowApproved(ctx, c)
		}
	}
	if err := stepUp(ctx, c, now); err != nil {
		return refused(err)
	}
	if err := x.Privilege.refuseProtected(ctx, c.Owner); err != nil {
		return refused(err)
	}
	if err := x.Policy.Allow(ctx, c.Owner, now); err != nil {
		return refused(err)
	}
	var failure error
	for i, op := range c.Ops {
		if i < len(c.Skip) && c.Skip[i] {
			out.Done[i] = true
			continue
		}
		entry := store.AuditEntry{At: now, UserID: c.Owner, ActorID: userOf(in), Operation: op.Op, Method: methodOf(op), Masked: op.Masked, ChangeKey: c.Key}
		if done, err := x.Changes.OpDone(ctx, c.Key, i); err != nil {
			failure = err
			break
		} else if done {
			out.Done[i] = true
			entry.Result = "skipped: already done"
			x.Changes.RecordAudit(ctx, entry)
			continue
		}
		err := x.write(ctx, c.Owner, op)
		entry.Result = "ok"
		if err != nil {
			entry.Result = resultOf(err)
			var ge *graph.Error
			if errors.As(err, &ge) {
				entry.RequestID = ge.RequestID
			}
		} else {
			// Done in Graph: record it first, so that no retry repeats it.
			out.Done[i] = true
			if merr := x.Changes.MarkOpDone(ctx, c.Key, i, now); merr != nil {
				entry.Result = "ok (not recorded as done: " + merr.Error() + ")"
			}
		}
		if aerr := x.Changes.RecordAudit(ctx, entry); aerr != nil {
			// The write stands; its audit entry is missing. Say so loudly
			// in the log (no numbers in it), but do not tell the person a
			// change failed that did not.
			x.Log.Error("audit entry not written", zap.String("change", c.Key), zap.String("operation", op.Op), zap.Error(aerr))
		}
		if err != nil {
			failure = err
			break
		}
	}
	if m, err := x.Graph.Methods(ctx, c.Owner); err == nil {
		v := methodsView(m)
		out.Methods = &v
	}
	if failure != nil {
		return out, problemFor(failure)
	}
	return out, nil
}

// write runs one op against Graph. It first looks at the current state: an
// op whose outcome is already there (an earlier attempt went through but
// was not recorded) is done, and a phone to delete that no longer holds the
// number the person confirmed is not deleted.
func (x *Effects) write(ctx context.Context, user string, op dialogs.ChangeOp) error {
	slot := graph.PhoneType(op.Slot)
	switch op.Op {
	case dialogs.OpAddPhone, dialogs.OpChangePhone:
		p, err := graph.ParsePhone(op.Number, x.Region)
		if err != nil {
			return err
		}
		m, err := x.Graph.Methods(ctx, user)
		if err != nil {
			return err
		}
		if cur, ok := m.Phone(slot); ok && cur.Number == p.Graph {
			return nil
		}
		if op.Op == dialogs.OpAddPhone {
			_, err = x.Graph.AddPhone(ctx, user, slot, p, op.SMS)
		} else {
			_, err = x.Graph.ChangePhone(ctx, user, slot, p, op.SMS)
		}
		return err
	case dialogs.OpDeletePhone:
		m, err := x.Graph.Methods(ctx, user)
		if err != nil {
			return err
		}
		cur, ok := m.Phone(slot)
		if !ok {
			return nil // already gone
		}
		if cur.Masked != op.Masked {
			return &dialogs.Problem{Code: "changed_meanwhile"}
		}
		return x.Graph.DeletePhone(ctx, user, slot, "")
	case dialogs.OpDeleteMethod:
		return x.Graph.DeleteMethod(ctx, user, graph.MethodKind(op.MethodKind), op.MethodID, "")
	}
	return fmt.Errorf("unknown op %q", op.Op)
}

func methodOf(op dialogs.ChangeOp) string {
	if op.Slot != "" {
		return "phone:" + op.Slot
	}
	return op.MethodKind
}

func resultOf(err error) string {
	var ge *graph.GuardError
	var pe *graph.PhoneError
	var p *dialogs.Problem
	switch {
	case errors.As(err, &p):
		return "refused: " + p.Code
	case errors.As(err, &ge):
		return "refused: " + string(ge.Rule)
	case errors.As(err, &pe):
		return "refused: " + string(pe.Reason)
	}
	if k := graph.KindOf(err); k != graph.Unknown {
		return "failed: " + k.String()
	}
	return "failed"
}

// problemFor turns a failure into what the person is told.
func problemFor(err error) error {
	var p *dialogs.Problem
	var ge *graph.GuardError
	var pe *graph.PhoneError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ge):
		return &dialogs.Problem{Code: string(ge.Rule)}
	case errors.As(err, &pe):
		return &dialogs.Problem{Code: string(pe.Reason)}
	}
	switch graph.KindOf(err) {
	case graph.Throttled, graph.Unavailable:
		return &dialogs.Problem{Code: "graph_unavailable", Retryable: true}
	case graph.Forbidden:
		return &dialogs.Problem{Code: "graph_forbidden"}
	case graph.NotFound:
		return &dialogs.Problem{Code: "graph_not_found"}
	case graph.Invalid, graph.Conflict:
		return &dialogs.Problem{Code: "graph_refused"}
	}
	return &dialogs.Problem{Code: "internal", Retryable: true}
}

// methodsView is what the dialogs see of a person's methods.
func methodsView(m graph.Methods) dialogs.MethodsView {
	v := dialogs.MethodsView{MFACapable: m.MFACapable()}
	for _, p := range m.Phones {
		v.Phones = append(v.Phones, dialogs.PhoneView{Slot: string(p.Type), Masked: p.Masked})
	}
	for _, a := range m.Authenticators {
		v.Devices = append(v.Devices, dialogs.DeviceView{ID: a.ID, Name: a.DisplayName, Added: a.Created})
	}
	for _, o := range m.Others {
		v.Others = append(v.Others, dialogs.OtherView{ID: o.ID, Kind: string(o.Kind), Name: o.DisplayName,
			Removable: o.Kind == graph.KindSoftwareOATH || o.Kind == graph.KindFIDO2})
	}
	for _, p := range m.Passkeys {
		v.Passkeys = append(v.Passkeys, dialogs.PasskeyView{ID: p.ID, Name: p.Name(), Added: p.Created})
	}
	return v
}
