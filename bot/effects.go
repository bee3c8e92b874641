package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// FeedbackStore keeps answer feedback.
type FeedbackStore interface {
	RecordFeedback(ctx context.Context, topic string, helpful bool, at time.Time) error
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

// WritePolicy decides whether a confirmed change may be made. It is the one
// place every write passes, so that a stricter mode (helpdesk approval, a
// recent sign-in) can be added without touching the flows. A refusal is a
// *dialogs.Problem.
type WritePolicy interface {
	Allow(ctx context.Context, change dialogs.ApplyChange, now time.Time) error
}

// RateLimit allows each person a number of changes per hour.
type RateLimit struct {
	Store   ChangeStore
	PerHour int
}

// Allow implements [WritePolicy].
func (r RateLimit) Allow(ctx context.Context, c dialogs.ApplyChange, now time.Time) error {
	n, err := r.Store.CountWrites(ctx, c.Owner, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= r.PerHour {
		return &dialogs.Problem{Code: "rate_limited",
			JA: fmt.Sprintf("この1時間に%d回変更しています。安全のため、しばらく時間をおいてからお試しください。急ぐ場合は担当者にご相談ください。", n),
			EN: fmt.Sprintf("You have made %d changes in the last hour. For your safety, please wait a while before the next one, or talk to a person if it is urgent.", n)}
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
	Desk   *Desk // nil: escalation is off
	// Chats opens a person's 1:1 chat with the bot, and Runner continues
	// there, for flows that must not run in a group (MoveToPersonal).
	Chats  Conversations
	Runner *Runner
	// Notices mails people about changes; nil: no email.
	Notices *Notices
	// Privilege keeps privileged accounts out of self-service; nil
	// refuses every change (it fails closed).
	Privilege *Privilege
	Region    string // default phone region, e.g. "JP"
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
		res.Err = x.Feedback.RecordFeedback(ctx, e.Topic, e.Helpful, in.Now)
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
		res.Value = dialogs.CheckedPhone{Number: p.Graph, Masked: p.Masked, CanSMS: p.CanSMS() && e.Slot != string(graph.Office)}
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
	case dialogs.OpenTicket:
		if !x.Desk.Enabled() {
			res.Err = problemNoHelpdesk
			break
		}
		res.Value, res.Err = x.Desk.Open(ctx, in, e)
	case dialogs.UpdateTicket:
		if x.Desk == nil {
			res.Err = problemNoHelpdesk
			break
		}
		res.Value, res.Err = x.Desk.UserUpdate(ctx, in, e)
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

// askApproval turns a confirmed change into a ticket for the helpdesk: in
// approval mode nothing is written until an agent approves.
func (x *Effects) askApproval(ctx context.Context, c dialogs.ApplyChange, in dialogs.Input) (dialogs.ChangeOutcome, error) {
	if c.Owner != userOf(in) {
		return dialogs.ChangeOutcome{}, problemNotOwner
	}
	if !x.Desk.Enabled() {
		return dialogs.ChangeOutcome{}, problemNoHelpdesk
	}
	if err := x.Privilege.refuseProtected(ctx, c.Owner); err != nil {
		return dialogs.ChangeOutcome{}, err
	}
	// The person's own sign-in comes before the request reaches the
	// helpdesk: an agent must not be asked to approve a stolen session's
	// change.
	if err := x.StepUp.Allow(ctx, c, x.Now()); err != nil {
		return dialogs.ChangeOutcome{}, err
	}
	pending := c
	t, err := x.Desk.Open(ctx, in, dialogs.OpenTicket{
		Topic: dialogs.ChangeTopic(dialogs.HelpdeskLang), Lang: in.Lang, Pending: &pending,
		PendingText: dialogs.OpLines(dialogs.HelpdeskLang, c.Ops),
	})
	if err != nil {
		return dialogs.ChangeOutcome{}, err
	}
	x.Changes.RecordAudit(ctx, store.AuditEntry{At: x.Now(), UserID: c.Owner, ActorID: userOf(in), Operation: "change",
		Method: "-", Result: "sent for approval: ticket " + t.Number(), ChangeKey: c.Key})
	return dialogs.ChangeOutcome{Done: make([]bool, len(c.Ops)), Ticket: t.ID}, nil
}

// applyApproved makes a change an agent approved (in is the agent's click).
func (x *Effects) applyApproved(ctx context.Context, c dialogs.ApplyChange, in dialogs.Input) (dialogs.ChangeOutcome, error) {
	return x.apply(ctx, c, in, true)
}

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
	if c.Owner != userOf(in) && !approved {
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
	if err := x.Policy.Allow(ctx, c, now); err != nil {
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
			return &dialogs.Problem{Code: "changed_meanwhile",
				JA: "確認したときから登録内容が変わっていたため、削除しませんでした。もう一度最初からやり直してください。",
				EN: "What is registered changed since you confirmed, so nothing was removed. Please start again."}
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
		return &dialogs.Problem{Code: string(ge.Rule), JA: ge.Rule.Message("ja"), EN: ge.Rule.Message("en")}
	case errors.As(err, &pe):
		return &dialogs.Problem{Code: string(pe.Reason), JA: pe.Reason.Message("ja"), EN: pe.Reason.Message("en")}
	}
	switch graph.KindOf(err) {
	case graph.Throttled, graph.Unavailable:
		return &dialogs.Problem{Code: "graph_unavailable", Retryable: true,
			JA: "Microsoftのサービスが混み合っているか応答しません。少し待ってからもう一度お試しください。",
			EN: "Microsoft's service is busy or not answering. Please try again in a moment."}
	case graph.Forbidden:
		return &dialogs.Problem{Code: "graph_forbidden",
			JA: "ボットにこの変更を行う権限がありません。担当者にご相談ください。",
			EN: "The bot is not allowed to make this change. Please talk to a person."}
	case graph.NotFound:
		return &dialogs.Problem{Code: "graph_not_found",
			JA: "アカウントまたは認証方法が見つかりませんでした。担当者にご相談ください。",
			EN: "Your account or that method could not be found. Please talk to a person."}
	case graph.Invalid, graph.Conflict:
		return &dialogs.Problem{Code: "graph_refused",
			JA: "Microsoftがこの変更を受け付けませんでした。担当者にご相談ください。",
			EN: "Microsoft refused this change. Please talk to a person."}
	}
	return &dialogs.Problem{Code: "internal", Retryable: true,
		JA: "問題が発生しました。しばらくしてからもう一度お試しください。",
		EN: "Something went wrong. Please try again in a little while."}
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
	return v
}
