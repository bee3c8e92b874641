package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
)

// Store is what the runner needs from persistence.
type Store interface {
	Load(ctx context.Context, conversationID, activityID string) (store.Snapshot, error)
	Commit(ctx context.Context, c store.Commit) error
	SetUndelivered(ctx context.Context, conversationID, activityID string, undelivered []byte) error
	SetResponse(ctx context.Context, conversationID, activityID string, response []byte) error
	Ping(ctx context.Context) error
	AnswerStore
}

// Sender delivers the bot's messages; [Connector] is the real one.
type Sender interface {
	Reply(ctx context.Context, serviceURL, conversationID, replyToID string, a *OutgoingActivity) (string, error)
	Update(ctx context.Context, serviceURL, conversationID, activityID string, a *OutgoingActivity) error
}

// EffectRunner executes the effects dialogs ask for and returns their results.
type EffectRunner interface {
	RunEffect(ctx context.Context, e dialogs.Effect, in dialogs.Input) dialogs.Result
}

// InvokeResponse is the HTTP answer to an invoke activity.
type InvokeResponse struct {
	Status int `json:"status"`
	Body   any `json:"body,omitempty"`
}

// errUndelivered reports replies that could not be delivered even after the
// connector client's retries. They are kept with the activity, and the
// handler answers 502 so that the Bot Connector redelivers the activity;
// the redelivery sends them instead of running the turn again.
var errUndelivered = errors.New("replies not delivered")

// errStore wraps store failures: the handler answers 503 so that the Bot
// Connector redelivers the activity once the database is back.
type errStore struct{ err error }

func (e errStore) Error() string { return e.err.Error() }
func (e errStore) Unwrap() error { return e.err }

// Runner executes turns: load the conversation, step the dialogs, save, then
// send the replies and run the effects. Turns of one conversation run one at
// a time; an activity id already processed is not processed again.
type Runner struct {
	store   Store
	router  *dialogs.Router
	sender  Sender
	effects EffectRunner // nil: no dialog asks for effects yet
	log     *zap.Logger
	now     func() time.Time
	locks   Locker
	// shared, when set, also keeps the conversation's turns apart from
	// other replicas' (see ShareLocks).
	shared  TurnLocks
	metrics *Metrics
	tickets *Tickets // nil: no helpdesk escalation
	chats   *PersonalChats
	// background counts effects running after their invoke was answered.
	background sync.WaitGroup
	// invokeBudget is how long a card click waits for its effects before it
	// is answered without their outcome (Teams gives invokes seconds).
	invokeBudget time.Duration
	// sendTimeout bounds delivering a turn's replies. Delivery is detached
	// from the inbound request: once the state is saved, the replies must go
	// out even if the connector hung up on us.
	sendTimeout time.Duration
	// saved holds the sessions this runner saved last, decoded.
	saved savedSessions
	// answers remember which topic each answer message was.
	answers *answerNotes
}

// NewRunner returns a runner. effects may be nil while no dialog emits any.
func NewRunner(st Store, router *dialogs.Router, sender Sender, effects EffectRunner, log *zap.Logger) *Runner {
	return &Runner{
		store: st, router: router, sender: sender, effects: effects, log: log,
		now: time.Now, locks: newKeyedMutex(), sendTimeout: 60 * time.Second, invokeBudget: 3 * time.Second,
		saved:   savedSessions{byConversation: map[string]savedSession{}},
		answers: &answerNotes{store: st, log: log},
	}
}

// RememberChats makes the runner note people's 1:1 chats (see
// [PersonalChats]).
func (r *Runner) RememberChats(p *PersonalChats) { r.chats = p }

// SetClock sets the turns' clock; main's tells the time in the
// organisation's zone (TIME_ZONE), which dialogs show times in.
func (r *Runner) SetClock(now func() time.Time) { r.now = now }

// SetMetrics counts duplicates and knowledge-base matches.
func (r *Runner) SetMetrics(m *Metrics) { r.metrics = m }

// TurnLocks take a conversation's lock shared by replicas and load its
// turn with it, in one round trip: [store.Locks].
type TurnLocks interface {
	LockLoad(ctx context.Context, conversationID, activityID string) (store.Snapshot, func(), error)
}

// ShareLocks makes turns of one conversation wait for each other across
// replicas too (several processes sharing one PostgreSQL database), through
// shared. The runner's own lock is still taken first: a replica's turns of
// one conversation queue in memory, and only one at a time asks the
// database.
func (r *Runner) ShareLocks(shared TurnLocks) { r.shared = shared }

// lockLoad takes the conversation's lock and loads the turn of activityID
// ("" for a turn of the bot's own). Each wait for the database is bounded
// (storeWait, or the store's bound on an attempt at a shared lock);
// waiting for an earlier turn of the conversation is bounded by ctx only.
func (r *Runner) lockLoad(ctx context.Context, conversationID, activityID string) (store.Snapshot, func(), error) {
	unlock, err := r.locks.Lock(ctx, conversationID)
	if err != nil {
		return store.Snapshot{}, nil, err
	}
	if r.shared != nil {
		snap, release, err := r.shared.LockLoad(ctx, conversationID, activityID)
		if err != nil {
			unlock()
			return store.Snapshot{}, nil, errStore{err}
		}
		return snap, func() { release(); unlock() }, nil
	}
	readCtx, cancel := context.WithTimeout(ctx, storeWait)
	defer cancel()
	snap, err := r.store.Load(readCtx, conversationID, activityID)
	if err != nil {
		unlock()
		return store.Snapshot{}, nil, errStore{err}
	}
	return snap, unlock, nil
}

// storeWait bounds what a turn reads before it decides. Until its commit
// nothing has happened, so a turn the database cannot serve that soon (the
// replica's connections all busy with other work, or the server slow)
// answers 503, for the Bot Connector to redeliver it, rather than queue
// until the Bot Connector gives up on it. Each attempt at the
// conversation's lease is bounded alike, in the store; waiting while an
// earlier turn of the conversation runs is not. Nor is the commit: once it
// may have happened, not knowing whether it did is worse than waiting.
const storeWait = 3 * time.Second

// effectTimeout bounds one effect, Graph's own retries included.
const effectTimeout = 2 * time.Minute

// maxEffects bounds the effects one turn may run, counting those asked for
// by effect results, so a dialog bug cannot loop forever.
const maxEffects = 8

// Run processes one activity. For invokes it returns the HTTP answer.
//
// Effects of a message run before Run returns, unless they only add to
// replies that all went out (see extra). Effects of an invoke (a card
// button) run after: Teams waits only seconds for an invoke's answer, so the
// clicked card is answered at once and updated in place (PUT) when the
// effects are done. The conversation stays locked until then.
func (r *Runner) Run(ctx context.Context, a *Activity, in dialogs.Input) (*InvokeResponse, error) {
	snap, unlock, err := r.lockLoad(ctx, a.Conversation.ID, a.ID)
	if err != nil {
		return nil, err
	}
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()

	// Up to its commit, the turn only reads: see storeWait.
	readCtx, cancelReads := context.WithTimeout(ctx, storeWait)
	defer cancelReads()
	if snap.Seen {
		r.metrics.duplicate()
		r.log.Info("duplicate activity: not processed again")
		return decodeInvokeResponse(snap.Response), r.redeliver(ctx, a, snap.Undelivered)
	}
	sess := r.session(a.Conversation.ID, snap.State)

	in.Now = r.now()
	r.chats.Learn(readCtx, a)
	if r.tickets != nil {
		r.tickets.Learn(readCtx, a)
		if r.tickets.Handles(readCtx, a, in) {
			// A ticket card's button or a message in a ticket's thread:
			// the ticket is the state, not this conversation.
			resp, private, err := r.agentTurn(ctx, a, in)
			if err != nil {
				return nil, err
			}
			if a.Type == typeInvoke && resp == nil {
				resp = cardActionResponse(nil)
			}
			keep := resp
			if private {
				// A pass is never stored: a redelivery gets an empty answer.
				keep = cardActionResponse(nil)
			}
			if err := r.commit(ctx, a.Conversation.ID, a.ID, sess, keep); err != nil && !errors.Is(err, store.ErrDuplicate) {
				if !private {
					return nil, err
				}
				// A pass exists and this answer is its only copy: it goes
				// out; a redelivery is refused by the pass's one-time key.
				r.log.Error("activity not recorded after a private answer", zap.String("conversation", a.Conversation.ID), zap.Error(err))
			}
			return resp, nil
		}
		if in.Scope == dialogs.Personal {
			link, err := r.tickets.Link(snap.Ticket)
			if err != nil {
				return nil, errStore{err}
			}
			in.Ticket = link
		}
	}
	if a.Name == invokeReaction && in.CardID != "" {
		in.Data[cards.TopicKey] = r.answers.topic(readCtx, a.Conversation.ID, in.CardID)
	}
	sess, turn := r.router.Step(sess, in)
	if m := turn.Matched; m != nil {
		r.metrics.faqMatch(m.Topic, m.Confidence)
	}
	in.Lang = sess.Language(in.Locale) // for effects that speak (a ticket)
	var resp *InvokeResponse
	switch {
	case a.Type == typeInvoke && a.Name == invokeReaction:
		resp = &InvokeResponse{Status: 200, Body: struct{}{}}
	case a.Type == typeInvoke:
		resp = cardActionResponse(turn.Update)
	}
	if err := r.commit(ctx, a.Conversation.ID, a.ID, sess, resp); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			// Processed meanwhile elsewhere (another replica).
			return r.replay(ctx, a)
		}
		return nil, err
	}

	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.sendTimeout)
	defer cancel()
	undelivered := r.deliver(sendCtx, a, outgoing(a, turn.Replies))
	if len(turn.Effects) == 0 {
		return resp, r.keepUndelivered(sendCtx, a, undelivered)
	}
	// A message whose replies all went out and whose effects only add to
	// them (extra) is answered at once, its effects run after; others run
	// theirs first. Replies kept back are kept by this request alone, so
	// the effects of such a turn run here too.
	onlyExtra := !slices.ContainsFunc(turn.Effects, func(e dialogs.Effect) bool { return !extra(e) })
	if a.Type != typeInvoke && (!onlyExtra || len(undelivered) > 0) {
		more, err := r.runEffects(ctx, a, in, sess, turn.Effects, nil, len(undelivered) > 0)
		if err != nil {
			return resp, err
		}
		return resp, r.keepUndelivered(sendCtx, a, append(undelivered, more...))
	}
	// The lock passes to the background work; Wait waits for it. If the
	// effects finish within invokeBudget the click is answered with their
	// outcome; otherwise it is answered now and the card updated later.
	// Replies this request could not deliver are kept now, before the
	// effects start: should the effects' replies fail too, they keep the
	// two together, after this, so that neither overwrites the other.
	// Effects that end after the answer went out keep theirs for a
	// redelivery that only comes if the sender retries for its own reasons.
	kept := r.keepUndelivered(sendCtx, a, undelivered)
	budget := r.invokeBudget
	if a.Type != typeInvoke {
		budget = 0
	}
	locked = false
	r.background.Add(1)
	bctx := context.WithoutCancel(ctx)
	var card *cardUpdates // the clicked card, which the effects' outcome may replace
	if a.Type == typeInvoke {
		card = &cardUpdates{}
	}
	done := make(chan struct{})
	moreKept := false // the effects kept replies back; read once done is closed
	go func() {
		defer r.background.Done()
		defer unlock()
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				r.log.Error("panic in effects", zap.Any("panic", v), zap.ByteString("stack", debug.Stack()))
			}
		}()
		more, err := r.runEffects(bctx, a, in, sess, turn.Effects, card, len(undelivered) > 0)
		if err != nil {
			r.log.Error("effects after the answer failed", zap.String("conversation", a.Conversation.ID), zap.Error(err))
		}
		if len(more) == 0 {
			return
		}
		kctx, cancel := context.WithTimeout(bctx, 10*time.Second)
		defer cancel()
		switch err := r.keepUndelivered(kctx, a, append(slices.Clone(undelivered), more...)); {
		case errors.Is(err, errUndelivered):
			moreKept = true
		case err != nil:
			r.log.Error("undelivered replies not kept", zap.String("conversation", a.Conversation.ID), zap.Error(err))
		}
	}()
	timer := time.NewTimer(budget)
	defer timer.Stop()
	select {
	case <-done:
		if moreKept {
			// Their replies did not go out either: the sender is told,
			// so that its redelivery sends them.
			kept = errUndelivered
		}
	case <-timer.C:
	}
	if c := card.answer(); c != nil {
		resp = cardActionResponse(c)
		// A redelivery of this click gets the same answer.
		if b, err := json.Marshal(resp); err == nil && a.ID != "" {
			if err := r.store.SetResponse(sendCtx, a.Conversation.ID, a.ID, b); err != nil {
				r.log.Warn("answer not kept for redelivery", zap.Error(err))
			}
		}
	}
	return resp, kept
}

// Go runs f in the background; [Runner.Wait] waits for it. Work that
// continues a conversation outside a request (a sign-in's outcome) runs
// here, so that a graceful shutdown lets it finish.
func (r *Runner) Go(f func()) {
	r.background.Add(1)
	go func() {
		defer r.background.Done()
		defer func() {
			if v := recover(); v != nil {
				r.log.Error("panic in background work", zap.Any("panic", v), zap.ByteString("stack", debug.Stack()))
			}
		}()
		f()
	}()
}

// Resume runs a turn that no activity started: in (a sign-in's outcome)
// arrives for the conversation a stands for (see resumeActivity), whose
// ReplyToID is the card to replace. It is the same loop as [Runner.Run]:
// lock, load, step, save, send, effects. Replies go out as new messages;
// a card update replaces the card, or is sent when there is none.
func (r *Runner) Resume(ctx context.Context, a *Activity, in dialogs.Input) error {
	_, err := r.resume(ctx, a, in)
	return err
}

// resume is [Runner.Resume]; it also returns how many of the turn's own
// messages were delivered. A turn that changes nothing and says nothing
// (a daily look that finds nothing due) saves nothing either: the
// conversation's last save stays that of its last real turn, which is
// what idle clean-ups and retention go by.
func (r *Runner) resume(ctx context.Context, a *Activity, in dialogs.Input) (int, error) {
	snap, unlock, err := r.lockLoad(ctx, a.Conversation.ID, "")
	if err != nil {
		return 0, err
	}
	defer unlock()
	sess := r.session(a.Conversation.ID, snap.State)
	in.Now = r.now()
	if r.tickets != nil && in.Scope == dialogs.Personal {
		link, err := r.tickets.Link(snap.Ticket)
		if err != nil {
			return 0, errStore{err}
		}
		in.Ticket = link
	}
	sess, turn := r.router.Step(sess, in)
	in.Lang = sess.Language(in.Locale)
	if len(turn.Replies) == 0 && turn.Update == nil && len(turn.Effects) == 0 {
		if state, err := json.Marshal(sess); err == nil && bytes.Equal(state, snap.State) {
			return 0, nil
		}
	}
	if err := r.commit(ctx, a.Conversation.ID, "", sess, nil); err != nil {
		return 0, err
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.sendTimeout)
	defer cancel()
	replies := turn.Replies
	card := &cardUpdates{answered: true}
	if turn.Update != nil {
		if a.ReplyToID == "" {
			replies = append(replies, cards.Message{Card: turn.Update})
		} else if err := r.sender.Update(sendCtx, a.ServiceURL, a.Conversation.ID, a.ReplyToID, cardActivity(a, turn.Update)); err != nil {
			r.log.Warn("card not updated", zap.String("conversation", a.Conversation.ID), zap.Error(err))
		}
	}
	acts := outgoing(a, replies)
	undelivered := r.deliver(sendCtx, a, acts)
	// Nothing redelivers a resumed turn: its effects' replies are tried
	// even when its own could not go out.
	more, err := r.runEffects(ctx, a, in, sess, turn.Effects, card, false)
	if n := len(undelivered) + len(more); n > 0 {
		// No activity to keep them with for a redelivery: say so.
		r.log.Error("replies of a resumed turn not delivered", zap.String("conversation", a.Conversation.ID), zap.Int("replies", n))
	}
	return len(acts) - len(undelivered), err
}

// cardUpdates hands the clicked card's newest version either to the
// invoke's answer (while it is still open) or, once the click was answered,
// to a PUT of the card.
type cardUpdates struct {
	mu       sync.Mutex
	answered bool
	latest   *cards.Card
}

// offer takes a new version; it reports whether the card must be PUT.
func (u *cardUpdates) offer(c *cards.Card) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.answered {
		return true
	}
	u.latest = c
	return false
}

// answer closes the window and returns the version for the answer, if any.
func (u *cardUpdates) answer() *cards.Card {
	if u == nil {
		return nil // a message: no card to answer with
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.answered = true
	return u.latest
}

// Wait waits for effects still running after their invoke was answered,
// and writes the answer notes still waiting (for a graceful shutdown, and
// for tests).
func (r *Runner) Wait() {
	r.background.Wait()
	r.answers.write(false)
}

// runEffects runs effects one at a time, in order; each result goes back to
// the dialogs, whose answer is saved and delivered before the next effect.
// It returns the replies it could not deliver; behind says the turn's own
// replies could not, so these are not tried either but kept after them.
func (r *Runner) runEffects(ctx context.Context, a *Activity, in dialogs.Input, sess dialogs.Session, pending []dialogs.Effect, card *cardUpdates, behind bool) ([]*OutgoingActivity, error) {
	var undelivered []*OutgoingActivity
	typed := false
	for run := 0; len(pending) > 0; run++ {
		if run == maxEffects {
			r.log.Error("effects not run", zap.Int("effects", len(pending)))
			break
		}
		if !typed && waitsOnGraph(pending[0]) {
			typed = true // once a turn: it lasts until the next message
			r.typing(ctx, a)
		}
		res := r.runEffect(ctx, pending[0], in)
		var turn dialogs.Turn
		sess, turn = r.router.Step(sess, dialogs.Input{
			Kind: dialogs.ResultInput, Result: &res, ActivityID: in.ActivityID,
			Locale: in.Locale, User: in.User, Scope: in.Scope, Now: r.now(), Conv: in.Conv, Ticket: in.Ticket, CardID: in.CardID,
		})
		if found := turn.Diagnosed; found != "" {
			if errors.Is(res.Err, errSignInsOff) {
				found = "off" // not a look that failed: there was none
			}
			r.metrics.signInDiagnosis(found)
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := r.commit(cctx, a.Conversation.ID, "", sess, nil)
		cancel()
		if err != nil {
			return undelivered, err
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.sendTimeout)
		if turn.Update != nil && card != nil && card.offer(turn.Update) && a.ReplyToID != "" {
			// The click was answered already: the outcome replaces the card.
			if err := r.sender.Update(sctx, a.ServiceURL, a.Conversation.ID, a.ReplyToID, cardActivity(a, turn.Update)); err != nil {
				r.log.Warn("card not updated", zap.String("conversation", a.Conversation.ID), zap.Error(err))
			}
		}
		if acts := outgoing(a, turn.Replies); behind || (len(undelivered) > 0 && a.ID != "") {
			// Replies go out in order: once one could not, those after it
			// wait with it for the redelivery. A resumed turn (no activity
			// id) has none: each of its replies is tried.
			undelivered = append(undelivered, acts...)
		} else {
			undelivered = append(undelivered, r.deliver(sctx, a, acts)...)
		}
		cancel()
		pending = append(pending[1:], turn.Effects...)
	}
	return undelivered, nil
}

// keepUndelivered stores replies that did not go out with the activity, so
// that its redelivery can send them, and reports errUndelivered.
func (r *Runner) keepUndelivered(ctx context.Context, a *Activity, acts []*OutgoingActivity) error {
	if len(acts) == 0 {
		return nil
	}
	if a.ID == "" {
		return errUndelivered // nothing to attach them to; they are logged
	}
	b, err := encodeKept(acts)
	if err != nil {
		return fmt.Errorf("encode undelivered replies: %w", err)
	}
	if err := r.store.SetUndelivered(ctx, a.Conversation.ID, a.ID, b); err != nil {
		return errStore{err}
	}
	return errUndelivered
}

// keptActivity is a reply kept for redelivery with what is not sent
// along: the topic it answers, for noting its id once it goes out. (An
// older build's kept replies lack the topic; they decode all the same.)
type keptActivity struct {
	*OutgoingActivity
	Topic string `json:"mfadeskTopic,omitempty"`
}

func encodeKept(acts []*OutgoingActivity) ([]byte, error) {
	kept := make([]keptActivity, len(acts))
	for i, a := range acts {
		kept[i] = keptActivity{a, a.topic}
	}
	return json.Marshal(kept)
}

func decodeKept(b []byte) ([]*OutgoingActivity, error) {
	var kept []keptActivity
	if err := json.Unmarshal(b, &kept); err != nil {
		return nil, err
	}
	acts := make([]*OutgoingActivity, 0, len(kept))
	for _, k := range kept {
		if k.OutgoingActivity == nil {
			continue
		}
		k.OutgoingActivity.topic = k.Topic
		acts = append(acts, k.OutgoingActivity)
	}
	return acts, nil
}

// redeliver sends the replies a first processing could not deliver.
func (r *Runner) redeliver(ctx context.Context, a *Activity, undelivered []byte) error {
	if len(undelivered) == 0 {
		return nil
	}
	acts, err := decodeKept(undelivered)
	if err != nil {
		return fmt.Errorf("decode undelivered replies: %w", err)
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.sendTimeout)
	defer cancel()
	left := r.deliver(sendCtx, a, acts)
	var keep []byte
	if len(left) > 0 {
		keep, _ = encodeKept(left)
	}
	if err := r.store.SetUndelivered(sendCtx, a.Conversation.ID, a.ID, keep); err != nil {
		return errStore{err}
	}
	if len(left) > 0 {
		return errUndelivered
	}
	r.log.Info("undelivered replies sent on redelivery", zap.Int("replies", len(acts)))
	return nil
}

func (r *Runner) replay(ctx context.Context, a *Activity) (*InvokeResponse, error) {
	snap, err := r.store.Load(ctx, a.Conversation.ID, a.ID)
	if err != nil {
		return nil, errStore{err}
	}
	return decodeInvokeResponse(snap.Response), nil
}

func (r *Runner) commit(ctx context.Context, convID, activityID string, sess dialogs.Session, resp *InvokeResponse) error {
	state, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	var respJSON []byte
	if resp != nil {
		if respJSON, err = json.Marshal(resp); err != nil {
			return fmt.Errorf("encode invoke response: %w", err)
		}
	}
	err = r.store.Commit(ctx, store.Commit{ConversationID: convID, ActivityID: activityID, State: state, Response: respJSON, At: r.now()})
	if err != nil {
		r.saved.take(convID, nil) // what the store holds is not known here
	} else {
		r.saved.put(convID, state, sess)
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return errStore{err}
	}
	return err
}

// session is the conversation's session from its saved state: the one
// this runner saved, when the state is still exactly what it saved, else
// the state decoded. Decoding was a tenth of a question's CPU under load.
// Anything else that saved the conversation since (another replica, a
// clean-up, a reset) saved other bytes, so it is always read.
func (r *Runner) session(convID string, state []byte) dialogs.Session {
	if s, ok := r.saved.take(convID, state); ok {
		return s
	}
	return r.decodeSession(state)
}

// savedSessions are the sessions a runner saved last, by conversation, with
// the state each was saved as. A turn takes its conversation's session out
// (take) and puts the one it saves back (put): a turn that stops half way,
// or whose save fails, leaves none behind, so the next one decodes what is
// in the store.
type savedSessions struct {
	mu             sync.Mutex
	byConversation map[string]savedSession
}

type savedSession struct {
	state []byte
	sess  dialogs.Session
}

// maxSavedSessions bounds savedSessions: a few megabytes at most. The
// conversations of the moment fit; any other is decoded, as before.
const maxSavedSessions = 1024

func (c *savedSessions) take(convID string, state []byte) (dialogs.Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.byConversation[convID]
	delete(c.byConversation, convID)
	if !ok || !bytes.Equal(s.state, state) {
		return dialogs.Session{}, false
	}
	return s.sess, true
}

func (c *savedSessions) put(convID string, state []byte, sess dialogs.Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byConversation[convID]; !ok && len(c.byConversation) >= maxSavedSessions {
		for id := range c.byConversation { // any one: a map's order is random
			delete(c.byConversation, id)
			break
		}
	}
	c.byConversation[convID] = savedSession{state, sess}
}

// decodeSession reads saved state. State that does not decode is dropped:
// a fresh start is better than a conversation stuck on an error.
func (r *Runner) decodeSession(state []byte) dialogs.Session {
	var s dialogs.Session
	if len(state) > 0 {
		if err := json.Unmarshal(state, &s); err != nil {
			r.log.Warn("saved conversation state unreadable, starting afresh", zap.Error(err))
			return dialogs.Session{}
		}
	}
	return s
}

// deliver sends activities in order as answers to a and returns those that
// could not be delivered after the connector client's retries. Each failure
// is logged with its conversation. Once one fails the rest are kept back
// rather than sent out of order.
func (r *Runner) deliver(ctx context.Context, a *Activity, acts []*OutgoingActivity) []*OutgoingActivity {
	for i, out := range acts {
		start := time.Now()
		id, err := r.sender.Reply(ctx, a.ServiceURL, a.Conversation.ID, a.ID, out)
		if err != nil {
			r.log.Error("reply not delivered", zap.String("conversation", a.Conversation.ID),
				zap.Int("kept_back", len(acts)-i), zap.Duration("duration", time.Since(start)), zap.Error(err))
			return acts[i:]
		}
		if out.topic != "" && id != "" {
			r.answers.note(store.SentAnswer{ConversationID: a.Conversation.ID, MessageID: id, Topic: out.topic, At: r.now()})
		}
	}
	return nil
}

// outgoing turns replies into activities. Text and card go separately:
// Teams clients split such messages anyway, and a card sent alone gets an
// activity id of its own that later updates can target.
func outgoing(a *Activity, replies []cards.Message) []*OutgoingActivity {
	base := func() *OutgoingActivity { return outgoingTo(a, typeMessage) }
	var acts []*OutgoingActivity
	for _, m := range replies {
		if m.Cites != nil && m.Card != nil {
			// One message: the line citing the document, then the card.
			c := base()
			c.Text, c.TextFormat = m.Cites.Line, "markdown"
			c.Attachments = cardAttachment(m.Card)
			c.Entities = []any{citationEntity(m.Cites)}
			acts = append(acts, c)
		} else {
			if m.Text != "" {
				t := base()
				t.Text, t.TextFormat = m.Text, "plain"
				acts = append(acts, t)
			}
			if m.Card != nil {
				c := base()
				c.Attachments = cardAttachment(m.Card)
				acts = append(acts, c)
			}
		}
		if m.Topic != "" && m.Card != nil {
			// Teams' own 👍/👎 under the answer's card.
			last := acts[len(acts)-1]
			last.ChannelData, last.topic = feedbackLoop, m.Topic
		}
		if len(m.Prompts) > 0 && len(acts) > 0 {
			// What to ask next goes with the message's last activity.
			acts[len(acts)-1].SuggestedActions = prompts(a, m.Prompts)
		}
	}
	return acts
}

// feedbackLoop asks Teams to show its own 👍/👎 under a message, with a
// form for a comment; a reaction comes back as the invoke
// message/submitAction.
var feedbackLoop = map[string]any{"feedbackLoop": map[string]string{"type": "default"}}

// prompts offers ps to the person a answers, in their 1:1 chat only (where
// Teams shows suggested actions).
func prompts(a *Activity, ps []string) *SuggestedActions {
	if len(ps) == 0 || a.Conversation.ConversationType != "personal" {
		return nil
	}
	s := &SuggestedActions{To: []string{a.From.ID}}
	for _, p := range ps {
		s.Actions = append(s.Actions, SuggestedAction{Type: "imBack", Title: p, Value: p})
	}
	return s
}

// cardAttachment attaches card c, as encoded once if it was frozen.
func cardAttachment(c *cards.Card) []schema.Attachment {
	var content any = c
	if f := c.Frozen(); f != nil {
		content = frozenCard(f)
	}
	return []schema.Attachment{{ContentType: cards.ContentType, Content: content}}
}

// citationEntity is how Teams reads a message's citation: its "[1]" is
// the document c, shown under the message.
func citationEntity(c *cards.Citation) messageEntity {
	return messageEntity{
		Type: "https://schema.org/Message", AtType: "Message", Context: "https://schema.org",
		Citation: []claim{{AtType: "Claim", Position: 1, Appearance: document{
			AtType: "DigitalDocument", Name: c.Name, Abstract: c.Abstract, URL: c.URL}}},
	}
}

// messageEntity, claim and document are schema.org's Message, Claim and
// DigitalDocument, as Teams reads citations.
type messageEntity struct {
	Type     string  `json:"type"`
	AtType   string  `json:"@type"`
	Context  string  `json:"@context"`
	Citation []claim `json:"citation"`
}

type claim struct {
	AtType     string   `json:"@type"`
	Position   int      `json:"position"`
	Appearance document `json:"appearance"`
}

type document struct {
	AtType   string `json:"@type"`
	Name     string `json:"name"`
	Abstract string `json:"abstract"`
	URL      string `json:"url"`
}

// outgoingTo is an activity of type typ answering a: to its sender, in its
// conversation and locale, from the bot.
func outgoingTo(a *Activity, typ string) *OutgoingActivity {
	o := &OutgoingActivity{
		Type:         typ,
		Recipient:    &schema.ChannelAccount{ID: a.From.ID, Name: a.From.Name, AadObjectID: a.From.AadObjectID},
		Conversation: &schema.ConversationAccount{ID: a.Conversation.ID, ConversationType: a.Conversation.ConversationType, TenantID: a.Conversation.TenantID, IsGroup: a.Conversation.IsGroup},
		Locale:       a.Locale,
	}
	if a.Recipient.ID != "" {
		// A turn no activity started (a reminder) may not know the
		// bot's account: then the message goes without one, as the
		// campaign's do, rather than with an empty one.
		o.From = &schema.ChannelAccount{ID: a.Recipient.ID, Name: a.Recipient.Name}
	}
	return o
}

// cardActivity is a message carrying only card c, for updating a card.
func cardActivity(a *Activity, c *cards.Card) *OutgoingActivity {
	return outgoing(a, []cards.Message{{Card: c}})[0]
}

// cardActionResponse is the answer to an Action.Execute: the replacement card
// when the dialog gave one, otherwise an empty acknowledgement (the replies
// arrive as new messages).
func cardActionResponse(update *cards.Card) *InvokeResponse {
	if update != nil {
		return &InvokeResponse{Status: 200, Body: map[string]any{
			"statusCode": 200, "type": cards.ContentType, "value": update,
		}}
	}
	return &InvokeResponse{Status: 200, Body: map[string]any{
		"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": "",
	}}
}

func decodeInvokeResponse(b []byte) *InvokeResponse {
	if len(b) == 0 {
		return nil
	}
	var r struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if json.Unmarshal(b, &r) != nil {
		return nil
	}
	return &InvokeResponse{Status: r.Status, Body: r.Body}
}

// waitsOnGraph reports an effect that calls Microsoft Graph, which can take
// seconds (throttling, retries): the person sees the bot typing meanwhile.
func waitsOnGraph(e dialogs.Effect) bool {
	switch e.(type) {
	case dialogs.LoadMethods, dialogs.CheckPhone, dialogs.ApplyChange, dialogs.ApproveChange,
		dialogs.IssueTAP, dialogs.RevokeSessions:
		return true
	}
	return false
}

// extra reports an effect that only adds to a turn whose answer went out:
// the message is answered without waiting for it (a look at the person's
// sign-in log, which Graph may be slow to give).
func extra(e dialogs.Effect) bool {
	_, ok := e.(dialogs.ReadSignIns)
	return ok
}

// typing shows "MFA Desk is typing…" in the conversation until the next
// message (or a few seconds). It is a courtesy: a failure is not worth a
// retry or more than a debug line.
func (r *Runner) typing(ctx context.Context, a *Activity) {
	// Short: a click has seconds for its answer, and this is no answer.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 500*time.Millisecond)
	defer cancel()
	if _, err := r.sender.Reply(tctx, a.ServiceURL, a.Conversation.ID, a.ID, outgoingTo(a, typeTyping)); err != nil {
		r.log.Debug("typing indicator not sent", zap.Error(err))
	}
}
