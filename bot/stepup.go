package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/bot/stepup"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// CallbackPath is where the identity provider sends the browser back after
// a step-up sign-in; PUBLIC_URL + CallbackPath is the redirect URI to
// register in the app registration.
const CallbackPath = "/auth/callback"

// StepUpStore keeps sign-in requests and their outcomes.
type StepUpStore interface {
	CreateStepUp(ctx context.Context, u store.StepUp) error
	UseStepUp(ctx context.Context, stateHash string, now time.Time) (store.StepUp, error)
	FinishStepUp(ctx context.Context, stateHash, result string, verified, authTime time.Time) error
	FreshStepUp(ctx context.Context, userID, subject string, since time.Time) (time.Time, bool, error)
}

// UserReader reads a person's sign-in name, for the sign-in page's hint.
type UserReader interface {
	User(ctx context.Context, id string) (graph.User, error)
}

// StepUp requires a fresh, strong sign-in by the person before a change of
// their sign-in methods is written: a Teams session alone is never enough.
// It starts sign-ins (the BeginStepUp effect), takes the browser's callback
// ([StepUp.ServeHTTP]), continues the conversation with the outcome, and
// refuses a write that no passed sign-in covers ([StepUp.Allow]).
//
// It fails closed: a nil *StepUp, or one without a Provider, refuses every
// write. Only Off turns the requirement off.
type StepUp struct {
	// Off allows writes without a sign-in (STEP_UP=off).
	Off bool
	// Provider runs the sign-in.
	Provider *stepup.Provider
	Store    StepUpStore
	Users    UserReader // nil: no login hint
	Audit    interface {
		RecordAudit(ctx context.Context, e store.AuditEntry) error
	}
	// Runner continues the conversation once the sign-in is judged.
	Runner *Runner
	Now    func() time.Time
	Log    *zap.Logger
}

// Purposes of a sign-in request: a person's own change, or an agent's
// action on a ticket (a pass, an approval).
const (
	purposeChange = "change"
	purposeAgent  = "agent"
)

// resumeRef is where a conversation continues after a sign-in: enough to
// send into it and to replace the card whose button asked for the sign-in.
type resumeRef struct {
	Conv   dialogs.Conv `json:"conv"`
	CardID string       `json:"cardId,omitempty"`
	User   dialogs.User `json:"user"`
	Locale string       `json:"locale,omitempty"`
}

// Begin runs the BeginStepUp effect: nothing to do when step-up is off or a
// passed sign-in by the owner already covers the change (a retry of what is
// left); otherwise a new one-time sign-in request bound to the person, the
// change and this conversation, expiring with the confirmation.
func (s *StepUp) Begin(ctx context.Context, e dialogs.BeginStepUp, in dialogs.Input) (dialogs.StepUpStarted, error) {
	if s != nil && s.Off {
		return dialogs.StepUpStarted{Done: true}, nil
	}
	if s == nil || s.Provider == nil {
		return dialogs.StepUpStarted{}, problemStepUpUnavailable
	}
	if e.Owner != userOf(in) {
		return dialogs.StepUpStarted{}, problemNotOwner
	}
	now := s.Now()
	if _, ok, err := s.Store.FreshStepUp(ctx, e.Owner, e.Key, now.Add(-s.Provider.MaxAge())); err != nil {
		return dialogs.StepUpStarted{}, err
	} else if ok {
		return dialogs.StepUpStarted{Done: true}, nil
	}
	resume, err := json.Marshal(resumeRef{Conv: in.Conv, CardID: in.CardID, User: in.User, Locale: in.Locale})
	if err != nil {
		return dialogs.StepUpStarted{}, fmt.Errorf("encode resume: %w", err)
	}
	url, err := s.begin(ctx, e.Owner, in.Conv.TenantID, purposeChange, e.Key, resume, e.Expires)
	return dialogs.StepUpStarted{URL: url}, err
}

// begin stores a new one-time sign-in request for user, bound to purpose
// and subject, expiring at expires (at most MaxAge from now), and returns
// where the person signs in.
func (s *StepUp) begin(ctx context.Context, user, tenant, purpose, subject string, resume []byte, expires time.Time) (string, error) {
	if tenant == "" {
		return "", problemNoTenant
	}
	req, err := stepup.NewRequest()
	if err != nil {
		return "", err
	}
	now := s.Now()
	if expires.IsZero() || expires.Sub(now) > s.Provider.MaxAge() {
		expires = now.Add(s.Provider.MaxAge())
	}
	if err := s.Store.CreateStepUp(ctx, store.StepUp{
		StateHash: stepup.HashState(req.State), UserID: user, TenantID: tenant,
		Purpose: purpose, Subject: subject, Nonce: req.Nonce, Verifier: req.Verifier,
		Resume: resume, Created: now, Expires: expires,
	}); err != nil {
		return "", err
	}
	return s.Provider.AuthURL(tenant, req, s.loginHint(ctx, user)), nil
}

// AgentCovered reports whether agent passed a sign-in for subject (a
// ticket) within the maximum age: issuing a pass or approving a change
// needs the agent's own fresh sign-in, as a change needs the person's.
func (s *StepUp) AgentCovered(ctx context.Context, agent, subject string) (bool, error) {
	if s != nil && s.Off {
		return true, nil
	}
	if s == nil || s.Provider == nil {
		return false, problemStepUpUnavailable
	}
	_, ok, err := s.Store.FreshStepUp(ctx, agent, agentSubject(subject), s.Now().Add(-s.Provider.MaxAge()))
	return ok, err
}

// BeginAgent starts the agent's sign-in for subject; the page they land on
// afterwards tells them to press the button again.
func (s *StepUp) BeginAgent(ctx context.Context, in dialogs.Input, subject string) (string, error) {
	if s == nil || s.Provider == nil {
		return "", problemStepUpUnavailable
	}
	return s.begin(ctx, userOf(in), in.Conv.TenantID, purposeAgent, agentSubject(subject), nil, time.Time{})
}

// agentSubject keeps agents' subjects apart from change keys.
func agentSubject(subject string) string { return "agent:" + subject }

// loginHint is the person's user principal name, so that Entra offers
// their account; without it they pick one (and the token's oid is what is
// checked either way).
func (s *StepUp) loginHint(ctx context.Context, user string) string {
	if s.Users == nil {
		return ""
	}
	u, err := s.Users.User(ctx, user)
	if err != nil {
		s.Log.Warn("no sign-in hint: user not read", zap.Error(err))
		return ""
	}
	return u.UserPrincipalName
}

// Allow implements [WritePolicy]: a write needs a passed sign-in by its
// owner, bound to this change, no older than the maximum age. The dialogs
// ask for the write only after one; this is the last line.
func (s *StepUp) Allow(ctx context.Context, c dialogs.ApplyChange, now time.Time) error {
	if s == nil || s.Provider == nil {
		return s.covered(ctx, c, time.Time{})
	}
	return s.covered(ctx, c, now.Add(-s.Provider.MaxAge()))
}

// AllowApproved is [StepUp.Allow] for a change a helpdesk agent approves:
// the owner's sign-in was fresh when they sent it for approval (Allow was
// checked then), and the agent approving may come hours later, so any
// passed sign-in for the change counts.
func (s *StepUp) AllowApproved(ctx context.Context, c dialogs.ApplyChange) error {
	return s.covered(ctx, c, time.Time{})
}

// covered reports whether a passed sign-in by the owner for the change,
// made at or after since, exists; it fails closed.
func (s *StepUp) covered(ctx context.Context, c dialogs.ApplyChange, since time.Time) error {
	if s != nil && s.Off {
		return nil
	}
	if s == nil || s.Provider == nil {
		return problemStepUpUnavailable
	}
	_, ok, err := s.Store.FreshStepUp(ctx, c.Owner, c.Key, since)
	if err != nil {
		return err
	}
	if !ok {
		return problemStepUpRequired
	}
	return nil
}

// ServeHTTP takes the browser back from the identity provider: it redeems
// the one-time state, verifies and judges the sign-in, records the outcome
// (and audits it), answers with a page in both languages, and continues the
// conversation in Teams, where the card updates by itself.
func (s *StepUp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" || len(state) > 512 || s.Provider == nil {
		s.page(w, http.StatusBadRequest, cards.SignInUnknown)
		return
	}
	now := s.Now()
	hash := stepup.HashState(state)
	u, err := s.Store.UseStepUp(r.Context(), hash, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.Log.Warn("step-up callback refused: unknown state")
		s.page(w, http.StatusBadRequest, cards.SignInUnknown)
		return
	case errors.Is(err, store.ErrStepUpUsed):
		s.Log.Warn("step-up callback refused: state already used")
		s.page(w, http.StatusConflict, cards.SignInUsed)
		return
	case err != nil:
		s.Log.Error("step-up callback: store", zap.Error(err))
		s.page(w, http.StatusServiceUnavailable, cards.SignInFailed)
		return
	}
	verdict, authTime := s.judge(r.Context(), u, q, now)
	var verified time.Time
	if verdict == cards.SignInOK {
		verified = now
	}
	ctx := context.WithoutCancel(r.Context())
	if err := s.Store.FinishStepUp(ctx, hash, verdict, verified, authTime); err != nil {
		// Without the record the write policy would refuse the change
		// anyway; say it failed rather than promise a change.
		s.Log.Error("step-up outcome not recorded", zap.Error(err))
		verdict = cards.SignInFailed
	}
	s.Log.Info("step-up sign-in", zap.String("purpose", u.Purpose), zap.String("verdict", verdict))
	result := "ok"
	if verdict != cards.SignInOK {
		result = "refused: " + verdict
	}
	if err := s.Audit.RecordAudit(ctx, store.AuditEntry{At: now, UserID: u.UserID, ActorID: u.UserID,
		Operation: "step-up", Method: "signin", Result: result, ChangeKey: u.Subject}); err != nil {
		s.Log.Error("audit entry not written", zap.String("operation", "step-up"), zap.Error(err))
	}
	status, page := http.StatusOK, verdict
	switch {
	case verdict != cards.SignInOK:
		status = http.StatusForbidden
	case u.Purpose == purposeAgent:
		page = cards.SignInOKAgent // no chat to continue: the agent clicks again
	}
	if u.Purpose == purposeChange {
		s.resume(ctx, u, verdict)
	}
	s.page(w, status, page)
}

// judge redeems the callback and returns the verdict, a cards.SignIn* code,
// with the sign-in time when it passed.
func (s *StepUp) judge(ctx context.Context, u store.StepUp, q map[string][]string, now time.Time) (string, time.Time) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if now.After(u.Expires) {
		return cards.SignInExpired, time.Time{}
	}
	if u.Purpose != purposeChange && u.Purpose != purposeAgent {
		return cards.SignInFailed, time.Time{}
	}
	if e := get("error"); e != "" {
		// access_denied is the person pressing Cancel; anything else is
		// Entra refusing (a Conditional Access block, say).
		if e == "access_denied" {
			return cards.SignInCancelled, time.Time{}
		}
		s.Log.Warn("step-up: identity provider answered with an error", zap.String("error", clipped(e, 64)))
		return cards.SignInFailed, time.Time{}
	}
	code := get("code")
	if code == "" {
		return cards.SignInFailed, time.Time{}
	}
	req := stepup.Request{Nonce: u.Nonce, Verifier: u.Verifier}
	c, err := s.Provider.Redeem(ctx, u.TenantID, code, req)
	if err != nil {
		s.Log.Warn("step-up: sign-in not verified", zap.Error(err))
		return cards.SignInFailed, time.Time{}
	}
	v := s.Provider.Judge(c, u.UserID, u.TenantID, req)
	if v != stepup.OK {
		return string(v), time.Time{}
	}
	return cards.SignInOK, c.AuthTime
}

// resume delivers the outcome to the conversation that asked for the
// sign-in, in the background: the write it leads to must not hold up the
// page, and the runner's Wait waits for it at shutdown.
func (s *StepUp) resume(ctx context.Context, u store.StepUp, verdict string) {
	var ref resumeRef
	if err := json.Unmarshal(u.Resume, &ref); err != nil || ref.Conv.ID == "" {
		s.Log.Error("step-up: nowhere to continue", zap.Error(err))
		return
	}
	in := dialogs.Input{Kind: dialogs.ResultInput, User: ref.User, Locale: ref.Locale, Scope: dialogs.Personal,
		Conv: ref.Conv, CardID: ref.CardID,
		Result: &dialogs.Result{Effect: dialogs.StepUpOutcomeEffect, Value: dialogs.StepUpOutcome{Key: u.Subject, Verdict: verdict}}}
	s.Runner.Go(func() {
		rctx, cancel := context.WithTimeout(ctx, effectTimeout+time.Minute)
		defer cancel()
		if err := s.Runner.Resume(rctx, resumeActivity(ref), in); err != nil {
			s.Log.Error("step-up: conversation not continued", zap.String("conversation", ref.Conv.ID), zap.Error(err))
		}
	})
}

// resumeActivity stands for the activity a resumed turn answers: the
// conversation, the person and the bot as they were when the sign-in was
// asked for.
func resumeActivity(ref resumeRef) *Activity {
	a := &Activity{}
	a.Type = "event"
	a.ServiceURL = ref.Conv.ServiceURL
	a.Conversation = schema.ConversationAccount{ID: ref.Conv.ID, ConversationType: "personal", TenantID: ref.Conv.TenantID}
	a.From = schema.ChannelAccount{ID: ref.User.ID, Name: ref.User.Name, AadObjectID: ref.User.AADObjectID}
	a.Recipient = schema.ChannelAccount{ID: ref.Conv.BotID, Name: ref.Conv.BotName}
	a.ReplyToID = ref.CardID
	a.Locale = ref.Locale
	return a
}

// page answers the browser in both languages: what happened and that the
// rest happens in Teams. The URL held a code and a state, so the page is not
// cached and sends no referrer.
func (s *StepUp) page(w http.ResponseWriter, status int, code string) {
	title, body := cards.SignInOutcome(code)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	class := "no"
	if code == cards.SignInOK {
		class = "ok"
	}
	e := html.EscapeString
	page := cards.SignInPageTitle
	if _, err := io.WriteString(w, strings.NewReplacer(
		"{page.ja}", e(page.JA), "{page.en}", e(page.EN), "{class}", class,
		"{title.ja}", e(title.JA), "{title.en}", e(title.EN), "{body.ja}", e(body.JA), "{body.en}", e(body.EN),
	).Replace(signInPage)); err != nil {
		s.Log.Warn("sign-in page not written", zap.Error(err))
	}
}

// signInPage is the page after a sign-in; page writes it, every {field}
// replaced by escaped text. It is not an html/template: see
// manifest.pageSource for why the binary has none.
var signInPage = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{page.ja} / {page.en}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#242424;line-height:1.6}
h1{font-size:1.4rem}.ok h1{color:#0e700e}.no h1{color:#b10e1c}section{border-top:1px solid #ddd;padding-top:1rem;margin-top:1.5rem}
small{color:#616161}
</style></head>
<body class="{class}">
<small>{page.ja}</small>
<section lang="ja"><h1 id="result">{title.ja}</h1><p>{body.ja}</p></section>
<section lang="en"><h1>{title.en}</h1><p>{body.en}</p></section>
</body></html>
`

// clipped bounds a string from outside before it is logged.
func clipped(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Problems the step-up reports to the dialogs.
var (
	problemNotOwner          = &dialogs.Problem{Code: "not_owner"}
	problemNoTenant          = &dialogs.Problem{Code: "no_tenant"}
	problemStepUpUnavailable = &dialogs.Problem{Code: "step_up_unavailable"}
	problemStepUpRequired    = &dialogs.Problem{Code: "step_up_required", Retryable: true}
)
