package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
)

// Tickets run through the same loop as conversations, with the ticket as
// the state key: lock it, load it, step a transition from package dialogs,
// save it (refusing a stale version), send what the step asked for, then
// run its effects through the one effect executor and feed each result
// back. A pass or an approved change therefore happens only after the
// ticket that asked for it is saved: of two agents racing on one ticket,
// the one whose save lost never causes a write.

// SetTickets turns on helpdesk escalation: ticket cards in the helpdesk
// channel are the tickets' turns, and turns in personal chats see the
// person's ticket.
func (r *Runner) SetTickets(t *Tickets) { r.tickets = t }

var (
	problemNoHelpdesk   = &dialogs.Problem{Code: "helpdesk_off"}
	problemStore        = &dialogs.Problem{Code: "store", Retryable: true}
	problemNoTicket     = &dialogs.Problem{Code: "no_ticket"}
	problemConflict     = &dialogs.Problem{Code: "conflict", Retryable: true}
	problemAgentUnknown = &dialogs.Problem{Code: "agent_unknown", Retryable: true}
)

// ticketTurnTimeout bounds one ticket turn once its lock is held: its
// effects, each bounded by effectTimeout, and saving and sending.
const ticketTurnTimeout = 5 * time.Minute

// ticketOutcome is what one ticket turn came to.
type ticketOutcome struct {
	Ticket  dialogs.Ticket
	Problem *dialogs.Problem // refused, or lost a race: nothing was done
	Private *cards.Card      // for the eyes of whoever acted only
}

// ticketTurn runs step on ticket id. in is the input that caused it (the
// agent's click, the person's message), for the effects.
func (r *Runner) ticketTurn(ctx context.Context, id int64, in dialogs.Input, step func(dialogs.Ticket) dialogs.TicketTurn) (ticketOutcome, error) {
	d := r.tickets
	unlock, err := d.locks.Lock(ctx, ticketLock(id))
	if err != nil {
		return ticketOutcome{}, err
	}
	defer unlock()
	// From here the turn finishes even if the client hung up: a pass that
	// was issued is recorded, and the person told, either way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ticketTurnTimeout)
	defer cancel()
	t, rec, err := d.load(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ticketOutcome{Problem: problemNoTicket}, nil
	}
	if err != nil {
		return ticketOutcome{}, errStore{err}
	}
	out := ticketOutcome{Ticket: t}
	turn := step(t)
	for run := 0; ; run++ {
		if turn.Private != nil {
			out.Private = turn.Private // shown even if saving the outcome fails below
		}
		if turn.Problem != nil {
			out.Problem = turn.Problem // nothing to save; its audit effect still runs
		} else if turn.Changed {
			saved, err := d.Store.UpdateTicket(ctx, record(turn.Ticket, rec))
			switch {
			case errors.Is(err, store.ErrConflict) && run == 0:
				// Changed elsewhere meanwhile: nothing happened, effects
				// included; the agent or person tries again.
				return ticketOutcome{Ticket: t, Problem: problemConflict}, nil
			case err != nil && run == 0:
				d.Log.Error("ticket not saved", zap.Int64("ticket", id), zap.Error(err))
				return ticketOutcome{Ticket: t, Problem: problemStore}, nil
			case err != nil:
				// An effect already ran (a pass): the ticket misses the
				// line saying so, but the answer, the person's messages
				// and the notices still go out.
				d.Log.Error("ticket outcome not saved", zap.Int64("ticket", id), zap.Error(err))
			default:
				rec = saved
			}
			out.Ticket = turn.Ticket
			d.refreshCard(ctx, out.Ticket)
		}
		r.sendTicket(ctx, out.Ticket, turn)
		if len(turn.Effects) == 0 {
			return out, nil
		}
		if run == maxEffects {
			d.Log.Error("ticket effects not run", zap.Int64("ticket", id), zap.Int("effects", len(turn.Effects)))
			return out, nil
		}
		var res dialogs.Result
		switch e := turn.Effects[0].(type) {
		case dialogs.OpenTicket, dialogs.UpdateTicket:
			// A ticket turn never starts another: it holds this ticket's
			// lock, and the other ticket's turn might want it.
			d.Log.Error("ticket effect refused inside a ticket turn", zap.String("effect", e.EffectName()))
			res = dialogs.Result{Effect: e.EffectName(), Err: errors.New("not inside a ticket turn")}
		default:
			res = r.runEffect(ctx, e, in)
		}
		rest := turn.Effects[1:]
		turn = dialogs.DeskResult(out.Ticket, res, in.User, r.now())
		turn.Effects = append(rest, turn.Effects...)
	}
}

// sendTicket posts a ticket turn's notes and quotes in the thread and its
// messages to the person.
func (r *Runner) sendTicket(ctx context.Context, t dialogs.Ticket, turn dialogs.TicketTurn) {
	d := r.tickets
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.sendTimeout)
	defer cancel()
	for _, note := range turn.ToThread {
		d.toThread(sctx, t, cards.Message{Text: note})
	}
	for _, q := range turn.Quotes {
		d.toThread(sctx, t, cards.Message{Card: cards.QuoteCard(dialogs.HelpdeskLang, dialogs.QuoteLabel(t), q)})
	}
	d.tellUser(sctx, t, turn.ToUser)
}

// agentTurn runs a click on a ticket card, or a message in a ticket's
// thread. private reports an answer for the clicker's eyes only (a pass),
// which must not be stored.
func (r *Runner) agentTurn(ctx context.Context, a *Activity, in dialogs.Input) (resp *InvokeResponse, private bool, err error) {
	d := r.tickets
	l := dialogs.HelpdeskLang
	var id int64
	if in.Kind == dialogs.TextInput {
		rec, err := d.Store.TicketByThread(ctx, a.Conversation.ID)
		if err != nil {
			return nil, false, nil
		}
		id = rec.ID
	} else {
		id, _ = strconv.ParseInt(in.Data[cards.TicketKey], 10, 64)
	}
	act := dialogs.DeskAction{Verb: in.Verb, Agent: in.User, Data: in.Data, Execute: a.Type == typeInvoke, Now: r.now()}
	if in.Kind == dialogs.TextInput {
		act.Verb, act.Text = dialogs.VerbDeskSay, in.Text
	}
	log := d.Log.With(zap.String("verb", act.Verb), zap.Int64("ticket", id))
	check, err := d.checkAgent(ctx, a, in.User)
	if err != nil {
		log.Error("agent not checked", zap.Error(err))
		return r.ticketRefusal(ctx, a, 503, problemAgentUnknown), false, nil
	}
	act.Check = check
	out, err := r.ticketTurn(ctx, id, in, func(t dialogs.Ticket) dialogs.TicketTurn { return dialogs.Desk(t, act) })
	if err != nil {
		return nil, false, err
	}
	if p := out.Problem; p != nil {
		log.Warn("ticket action refused", zap.String("code", p.Code), zap.String("actor", in.User.AADObjectID))
		status := 200
		if check != dialogs.AgentOK || p.Code == "own_ticket" {
			status = 403
		}
		return r.ticketRefusal(ctx, a, status, p), false, nil
	}
	log.Info("ticket action", zap.String("state", out.Ticket.State))
	switch {
	case a.Type != typeInvoke:
		return nil, false, nil
	case out.Private != nil:
		return &InvokeResponse{Status: 200, Body: map[string]any{"statusCode": 200, "type": cards.ContentType, "value": out.Private}}, true, nil
	}
	// The clicker's own view: the agent holding the ticket also sees the
	// callback number, which the channel's card masks.
	return cardActionResponse(out.Ticket.CardFor(r.now(), l, in.User)), out.Ticket.Callback != "", nil
}

// ticketRefusal tells whoever acted that nothing happened: an error for a
// card's Action.Execute (403 for someone who may not act here), else (a
// message in a thread, an Action.Submit) a reply where they wrote.
func (r *Runner) ticketRefusal(ctx context.Context, a *Activity, status int, p *dialogs.Problem) *InvokeResponse {
	text := dialogs.ProblemText(dialogs.HelpdeskLang, p)
	if a.Type != typeInvoke {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.sendTimeout)
		defer cancel()
		if left := r.deliver(sctx, a, outgoing(a, []cards.Message{{Text: text}})); len(left) > 0 {
			r.log.Warn("refusal not delivered", zap.String("conversation", a.Conversation.ID))
		}
		return nil
	}
	if status == 200 {
		return &InvokeResponse{Status: 200, Body: map[string]any{
			"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}}
	}
	return &InvokeResponse{Status: 200, Body: map[string]any{
		"statusCode": status, "type": "application/vnd.microsoft.error",
		"value": map[string]string{"code": strconv.Itoa(status), "message": text}}}
}

// openTicket opens a ticket for in's person, if they may open one now,
// and posts it to the channel. One that cannot be posted yet is kept and
// posted by [Runner.TickTickets].
func (r *Runner) openTicket(ctx context.Context, e dialogs.OpenTicket, in dialogs.Input) (dialogs.Ticket, error) {
	d := r.tickets
	if !d.Enabled() {
		return dialogs.Ticket{}, problemNoHelpdesk
	}
	t, err := r.createTicket(ctx, e, in)
	if err != nil {
		return t, err
	}
	// Posted under the ticket's lock, as a repost would be, and only
	// after the person's lock is let go: posting (a Bot Connector call)
	// does not hold up the person's other chats.
	unlock, err := d.locks.Lock(ctx, ticketLock(t.ID))
	if err != nil {
		d.Log.Warn("ticket not posted yet; will retry", zap.Int64("ticket", t.ID), zap.Error(err))
		return t, nil
	}
	defer unlock()
	cur, rec, err := d.load(ctx, t.ID)
	if err != nil || cur.Thread.ID != "" {
		return t, nil
	}
	if posted, err := r.postTicket(ctx, cur, rec); err != nil {
		d.Log.Warn("ticket not posted yet; will retry", zap.Int64("ticket", t.ID), zap.Error(err))
	} else {
		t = posted
	}
	return t, nil
}

// createTicket decides, under the person's lock, whether they may open a
// ticket now, and stores it.
func (r *Runner) createTicket(ctx context.Context, e dialogs.OpenTicket, in dialogs.Input) (dialogs.Ticket, error) {
	d := r.tickets
	// One person's requests from several chats at once are counted one
	// at a time.
	unlock, err := d.locks.Lock(ctx, personLock(userOf(in)))
	if err != nil {
		return dialogs.Ticket{}, err
	}
	defer unlock()
	f, err := d.facts(ctx, in, e.Urgent)
	if err != nil {
		d.Log.Error("ticket facts not read", zap.Error(err))
		return dialogs.Ticket{}, problemStore
	}
	in.Now = r.now()
	turn := dialogs.NewTicket(in, e, f)
	if turn.Problem != nil {
		d.Log.Info("ticket refused", zap.String("code", turn.Problem.Code))
		return dialogs.Ticket{}, turn.Problem
	}
	t := turn.Ticket
	rec, err := d.Store.CreateTicket(ctx, record(t, store.Ticket{}))
	if err == nil {
		t.ID = rec.ID
		_, err = d.Store.UpdateTicket(ctx, record(t, rec)) // now with its number
	}
	if err != nil {
		d.Log.Error("ticket not stored", zap.Error(err))
		return dialogs.Ticket{}, problemStore
	}
	kind := "help"
	if t.Pending != nil {
		kind = "approval"
	}
	d.Metrics.escalation(kind)
	d.Log.Info("ticket opened", zap.Int64("ticket", t.ID), zap.Bool("approval", t.Pending != nil), zap.Bool("urgent", t.Urgent))
	return t, nil
}

// postTicket posts t (stored as rec) and saves where it went.
func (r *Runner) postTicket(ctx context.Context, t dialogs.Ticket, rec store.Ticket) (dialogs.Ticket, error) {
	d := r.tickets
	thread, cardID, err := d.post(ctx, t)
	if err != nil {
		return t, err
	}
	t = dialogs.Posted(t, thread, cardID, r.now(), d.Config.BotName)
	if _, err := d.Store.UpdateTicket(ctx, record(t, rec)); err != nil {
		return t, err
	}
	return t, nil
}

// updateTicket applies the person's operation on their ticket.
func (r *Runner) updateTicket(ctx context.Context, e dialogs.UpdateTicket, in dialogs.Input) (dialogs.Ticket, error) {
	if !r.tickets.Enabled() {
		return dialogs.Ticket{}, problemNoHelpdesk
	}
	in.Now = r.now()
	out, err := r.ticketTurn(ctx, e.ID, in, func(t dialogs.Ticket) dialogs.TicketTurn { return dialogs.UserAct(t, in, e) })
	if err != nil {
		return dialogs.Ticket{}, err
	}
	if out.Problem != nil {
		return out.Ticket, out.Problem
	}
	return out.Ticket, nil
}

// TickTickets posts tickets that could not be posted yet and re-announces,
// once, tickets nobody took within RemindAfter. main calls it every minute
// on every replica.
func (r *Runner) TickTickets(ctx context.Context) {
	d := r.tickets
	if !d.Enabled() {
		return
	}
	recs, err := d.Store.Tickets(ctx, dialogs.TicketOpen, dialogs.TicketAssigned)
	if err != nil {
		d.Log.Warn("open tickets not listed", zap.Error(err))
		return
	}
	now := d.Now()
	remind := func(t dialogs.Ticket) dialogs.TicketTurn {
		return dialogs.Remind(t, d.Now(), d.Config.RemindAfter, d.Config.BotName)
	}
	expire := func(t dialogs.Ticket) dialogs.TicketTurn {
		return dialogs.ExpireApproval(t, d.Now(), d.Config.BotName)
	}
	for _, rec := range recs {
		t, err := decodeTicket(rec)
		if err != nil {
			d.Log.Warn("ticket unreadable", zap.Error(err))
			continue
		}
		switch {
		case t.Unposted(now):
			r.repost(ctx, t.ID)
		case expire(t).Changed:
			if _, err := r.ticketTurn(ctx, t.ID, dialogs.Input{Now: now}, expire); err != nil {
				d.Log.Warn("expired approval not dropped", zap.Int64("ticket", t.ID), zap.Error(err))
			}
		case remind(t).Changed:
			// Decided again under the ticket's lock: only the replica that
			// marks it reminded says so in the thread.
			if _, err := r.ticketTurn(ctx, t.ID, dialogs.Input{Now: now}, remind); err != nil {
				d.Log.Warn("ticket not reminded", zap.Int64("ticket", t.ID), zap.Error(err))
			}
		}
	}
}

// repost posts a ticket that has no thread yet, unless another replica did
// meanwhile: it reads the ticket again under the ticket's lock.
func (r *Runner) repost(ctx context.Context, id int64) {
	d := r.tickets
	unlock, err := d.locks.Lock(ctx, ticketLock(id))
	if err != nil {
		d.Log.Warn("ticket not reposted", zap.Int64("ticket", id), zap.Error(err))
		return
	}
	defer unlock()
	t, rec, err := d.load(ctx, id)
	if err != nil || !t.Unposted(d.Now()) {
		return
	}
	if _, err := r.postTicket(ctx, t, rec); err != nil {
		d.Log.Warn("ticket still not posted", zap.Int64("ticket", id), zap.Error(err))
	}
}

// runEffect runs one effect with its own time: a slow Graph write must not
// eat the time left to save and report its outcome. Effects on tickets
// are ticket turns; everything else goes to the effect executor.
func (r *Runner) runEffect(ctx context.Context, e dialogs.Effect, in dialogs.Input) dialogs.Result {
	start := time.Now()
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), effectTimeout)
	defer cancel()
	res := dialogs.Result{Effect: e.EffectName()}
	switch e := e.(type) {
	case dialogs.OpenTicket:
		t, err := r.openTicket(ectx, e, in)
		res.Value, res.Err = t, err
	case dialogs.UpdateTicket:
		t, err := r.updateTicket(ectx, e, in)
		res.Value, res.Err = t, err
	default:
		if r.effects == nil {
			res.Err = errors.New("no effect runner")
			break
		}
		res = r.effects.RunEffect(ectx, e, in)
	}
	r.log.Info("effect", zap.String("effect", e.EffectName()), zap.Duration("duration", time.Since(start)), zap.Error(res.Err))
	return res
}
