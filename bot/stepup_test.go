package bot_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/bot/stepup"
	"github.com/mfadesk/mfadesk/bot/stepup/signinsim"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
	"github.com/mfadesk/mfadesk/store"
)

// The step-up sign-in end to end: the real bot.StepUp and stepup.Provider
// (x/oauth2, go-oidc) against the sign-in simulator over HTTP, the browser
// played by a script, the callback served by the bot's own handler, and the
// write checked in the Graph simulator.

const (
	stepUpClient   = "mfadesk-test-app"
	stepUpSecret   = "step-up-client-secret-value"
	stepUpRedirect = "https://mfadesk.example" + bot.CallbackPath
	stepUpMaxAge   = 5 * time.Minute
)

// stepUpRuns numbers the conversations of these tests, so that a run with
// -count > 1 starts with people the shared Graph simulator has not seen.
var stepUpRuns atomic.Int64

func freshConv(name string) string { return fmt.Sprintf("%s-%d", name, stepUpRuns.Add(1)) }

// signInRig is the sign-in simulator behind a real HTTP server, signing in
// the people the Graph simulator knows, as local mode wires it.
type signInRig struct {
	base    string
	browser *http.Client // a script's browser: it does not follow redirects
	// transport is the bot's own (see the harness on http.DefaultTransport).
	transport *http.Transport
	// late is how far the bot's step-up clock runs ahead of real time.
	late atomic.Int64
	// tokenCalls counts the bot's requests to the token endpoint.
	tokenCalls atomic.Int64
	mu         sync.Mutex
	secrets    []string // codes, verifiers, tokens and the secret that crossed the token endpoint
}

func newSignInRig(t *testing.T) *signInRig {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r := &signInRig{base: srv.URL + "/signin-simulator", transport: &http.Transport{}}
	s := signinsim.New(r.base, signinsim.WithClient(stepUpClient, stepUpSecret, stepUpRedirect),
		signinsim.WithDirectory(func(hint string) (signinsim.Person, bool) {
			p, ok := sharedSim.Person(hint)
			return signinsim.Person{ID: p.ID, Name: p.DisplayName, UPN: p.UserPrincipalName}, ok
		}))
	mux.Handle("/signin-simulator/", http.StripPrefix("/signin-simulator", s))
	r.browser = &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return r
}

// stepUp builds the bot's step-up against the simulator (for withStepUp).
func (r *signInRig) stepUp() *bot.StepUp {
	p := stepup.New(stepup.Config{Authority: r.base, ClientID: stepUpClient, ClientSecret: stepUpSecret,
		RedirectURL: stepUpRedirect, MaxAge: stepUpMaxAge, HTTPClient: &http.Client{Transport: r, Timeout: 10 * time.Second}})
	return &bot.StepUp{Provider: p, Users: sharedGraph, Now: r.now}
}

func (r *signInRig) now() time.Time { return time.Now().Add(time.Duration(r.late.Load())) }

// RoundTrip carries the bot's requests to the simulator and keeps what
// crossed the token endpoint, for the log test.
func (r *signInRig) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/oauth2/v2.0/token") {
		return r.transport.RoundTrip(req)
	}
	r.tokenCalls.Add(1)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	res, err := r.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	answer, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(answer))
	var tok struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(answer, &tok)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range []string{form.Get("code"), form.Get("code_verifier"), form.Get("client_secret"), tok.IDToken, tok.AccessToken} {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	return res, nil
}

// signInTx is the sign-in page as a script reads it.
type signInTx struct {
	TX     string            `json:"tx"`
	Person *signinsim.Person `json:"person"`
}

// signIn plays the person's browser: it opens authURL, answers the page
// with method ("mfa", "password", "cancel") as account (empty: whom the
// login hint names), and returns where the simulator sends the browser
// back, the bot's callback URL.
func (r *signInRig) signIn(t *testing.T, authURL, method, account string) (callback string, tx signInTx) {
	t.Helper()
	if !strings.HasPrefix(authURL, r.base+"/") {
		t.Fatalf("sign-in URL %s is not the simulator's", authURL)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, authURL, nil)
	req.Header.Set("Accept", "application/json")
	res, err := r.browser.Do(req)
	if err != nil {
		t.Fatalf("open the sign-in URL: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &tx) != nil || tx.TX == "" {
		t.Fatalf("open the sign-in URL: got status %d, %s; want the sign-in page", res.StatusCode, body)
	}
	answer, _ := json.Marshal(map[string]string{"tx": tx.TX, "method": method, "account": account})
	endpoint, _, _ := strings.Cut(authURL, "?")
	res, err = r.browser.Post(endpoint, "application/json", bytes.NewReader(answer))
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, stepUpRedirect+"?") {
		t.Fatalf("sign in: got status %d to %q (%s), want 302 to the bot's callback", res.StatusCode, loc, body)
	}
	return loc, tx
}

// signIns is how many sign-ins the simulator completed.
func (r *signInRig) signIns(t *testing.T) int {
	t.Helper()
	res, err := r.browser.Get(r.base + "/_sim/signins")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out []json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return len(out)
}

func (r *signInRig) tokenSecrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.secrets...)
}

// callback is the browser arriving at the bot's callback URL; it waits for
// the conversation to continue (the card update and the write run in the
// background).
func (e *env) callback(t *testing.T, rawURL string) *httptest.ResponseRecorder {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != bot.CallbackPath {
		t.Fatalf("callback to %s, want %s", u.Path, bot.CallbackPath)
	}
	rec := httptest.NewRecorder()
	e.waits.RLock()
	e.stepUp.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.RequestURI(), nil))
	e.waits.RUnlock()
	e.waits.Lock()
	e.runner.Wait()
	e.waits.Unlock()
	return rec
}

// cardPUTs are the updates of the clicked card, oldest first.
func (e *env) cardPUTs(conv string) []sent {
	var out []sent
	for _, s := range e.conn.sentTo(conv) {
		if s.Method == http.MethodPut && strings.HasSuffix(s.Path, "/activities/"+clickedCardID) {
			out = append(out, s)
		}
	}
	return out
}

// signInURLs finds the sign-in buttons (Action.OpenUrl to the simulator)
// in card JSON.
func signInURLs(raw []byte, base string) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if u, ok := v["url"].(string); ok && v["type"] == "Action.OpenUrl" && strings.HasPrefix(u, base+"/") {
				out = append(out, u)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

// signInURL is the sign-in button's URL on the card that answered click,
// or on the newest update of the clicked card; "" when there is none.
func (e *env) signInURL(si *signInRig, conv string, click *httptest.ResponseRecorder) string {
	if u := signInURLs(click.Body.Bytes(), si.base); len(u) > 0 {
		return u[len(u)-1]
	}
	puts := e.cardPUTs(conv)
	for i := len(puts) - 1; i >= 0; i-- {
		if u := signInURLs(puts[i].Raw, si.base); len(u) > 0 {
			return u[len(u)-1]
		}
	}
	return ""
}

// confirmForSignIn walks to the preview of adding an office number and
// confirms it, and returns the sign-in URL the card then offers.
func (e *env) confirmForSignIn(t *testing.T, si *signInRig, conv, number string) string {
	t.Helper()
	e.backupOffice(t, conv, number)
	rec := e.confirmPending(t, conv)
	u := e.signInURL(si, conv, rec)
	if u == "" {
		t.Fatalf("the confirmed card offers no sign-in; answer %.400s", rec.Body)
	}
	return u
}

// stepUpAudit is the audit log's step-up entries and change entries for user.
func (e *env) stepUpAudit(t *testing.T, user string) (signIns, ops []store.AuditEntry) {
	t.Helper()
	all, err := e.store.Audit(t.Context(), user, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if a.Operation == "step-up" {
			signIns = append(signIns, a)
		} else {
			ops = append(ops, a)
		}
	}
	return signIns, ops
}

// officeNumber is the person's office phone in Graph, "" when none.
func officeNumber(t *testing.T, user string) string {
	t.Helper()
	p, ok := methodsOf(t, user).Phone(graph.Office)
	if !ok {
		return ""
	}
	return p.Number
}

func TestStepUpMFASignInWritesTheChangeOnce(t *testing.T) {
	t.Parallel()
	si := newSignInRig(t)
	e := newEnv(t, withStepUp(si.stepUp))
	conv := freshConv("a:1stepup-mfa")
	user := aadFor(conv)
	authURL := e.confirmForSignIn(t, si, conv, "03-1234-5678")

	if n := writesFor(user); n != 0 {
		t.Fatalf("%d writes reached Graph on the confirm alone, before any sign-in", n)
	}
	if got := officeNumber(t, user); got != "" {
		t.Fatalf("office phone is %s before the sign-in, want none", got)
	}
	q := mustQuery(t, authURL)
	upn := mustUser(t, user).UserPrincipalName
	if q.Get("login_hint") != upn || q.Get("prompt") != "login" || q.Get("code_challenge_method") != "S256" {
		t.Errorf("sign-in URL %s: want login_hint=%s, prompt=login, PKCE S256", authURL, upn)
	}
	if !strings.Contains(authURL, "/"+testTenant+"/oauth2/v2.0/authorize?") {
		t.Errorf("sign-in URL %s is not the conversation's tenant's", authURL)
	}

	cb, tx := si.signIn(t, authURL, "mfa", "")
	if tx.Person == nil || tx.Person.ID != user {
		t.Errorf("the sign-in page offers %+v, want the person %s (from the login hint)", tx.Person, user)
	}
	res := e.callback(t, cb)
	if res.Code != http.StatusOK {
		t.Fatalf("callback: got status %d, want 200: %s", res.Code, res.Body)
	}
	if title, _ := cards.SignInOutcome(cards.SignInOK); !strings.Contains(res.Body.String(), title.JA) || !strings.Contains(res.Body.String(), html.EscapeString(title.EN)) {
		t.Errorf("the page does not say %q / %q: %s", title.JA, title.EN, res.Body)
	}
	if got, want := officeNumber(t, user), "+81 312345678"; got != want {
		t.Fatalf("office phone is %q after the sign-in, want %q", got, want)
	}
	if n := writesFor(user); n != 1 {
		t.Errorf("%d writes reached Graph, want 1", n)
	}
	puts := e.cardPUTs(conv)
	if len(puts) == 0 {
		t.Fatal("the card was not updated after the sign-in")
	}
	if last := puts[len(puts)-1]; !strings.Contains(last.cardText(), "変更しました") || len(signInURLs(last.Raw, si.base)) > 0 {
		t.Errorf("the card should end with the outcome and no sign-in button: %s", last.cardText())
	}
	signIns, ops := e.stepUpAudit(t, user)
	if len(signIns) != 1 || signIns[0].Result != "ok" || signIns[0].ActorID != user {
		t.Errorf("step-up audit entries = %+v, want one ok by the person", signIns)
	}
	if len(ops) != 1 || ops[0].Operation != dialogs.OpAddPhone || ops[0].Result != "ok" ||
		len(signIns) == 1 && ops[0].ChangeKey != signIns[0].ChangeKey {
		t.Errorf("change audit entries = %+v, want one ok add-phone under the sign-in's change key", ops)
	}

	// The same callback again (a reload, a replay): refused, nothing more.
	again := e.callback(t, cb)
	if again.Code != http.StatusConflict {
		t.Errorf("replayed callback: got status %d, want 409", again.Code)
	}
	if n := writesFor(user); n != 1 {
		t.Errorf("%d writes reached Graph after the replay, want still 1", n)
	}
	if s, o := e.stepUpAudit(t, user); len(s) != len(signIns) || len(o) != len(ops) {
		t.Errorf("the replay added audit entries: %+v %+v", s, o)
	}
	if calls := si.tokenCalls.Load(); calls != 1 {
		t.Errorf("the bot redeemed %d codes, want 1 (a replay is refused before redeeming)", calls)
	}
}

func TestStepUpRefusedSignInWritesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		other   bool          // sign in as another person
		late    time.Duration // the callback arrives this late
		verdict string
	}{
		{name: "password only", method: "password", verdict: cards.SignInWeak},
		{name: "another person's MFA sign-in", method: "mfa", other: true, verdict: cards.SignInOtherPerson},
		{name: "cancelled", method: "cancel", verdict: cards.SignInCancelled},
		{name: "past the confirmation window", method: "mfa", late: dialogs.ConfirmWindow + time.Minute, verdict: cards.SignInExpired},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			si := newSignInRig(t)
			e := newEnv(t, withStepUp(si.stepUp))
			conv := freshConv(fmt.Sprintf("a:1stepup-refused-%d", i))
			user := aadFor(conv)
			authURL := e.confirmForSignIn(t, si, conv, "03-2222-3333")
			account := ""
			if tt.other {
				account = aadFor(conv + "-someone-else")
			}
			cb, _ := si.signIn(t, authURL, tt.method, account)
			si.late.Store(int64(tt.late))
			puts := len(e.cardPUTs(conv))

			res := e.callback(t, cb)
			if res.Code != http.StatusForbidden {
				t.Errorf("callback: got status %d, want 403", res.Code)
			}
			title, _ := cards.SignInOutcome(tt.verdict)
			if !strings.Contains(res.Body.String(), title.JA) {
				t.Errorf("the page does not say %q: %s", title.JA, res.Body)
			}
			if got := officeNumber(t, user); got != "" {
				t.Errorf("office phone is %s after a refused sign-in, want none", got)
			}
			if n := writesFor(user); n != 0 {
				t.Errorf("%d writes reached Graph after a refused sign-in", n)
			}
			signIns, ops := e.stepUpAudit(t, user)
			if want := "refused: " + tt.verdict; len(signIns) != 1 || signIns[0].Result != want {
				t.Errorf("step-up audit entries = %+v, want one %q", signIns, want)
			}
			if len(ops) != 0 {
				t.Errorf("change audit entries = %+v, want none", ops)
			}
			after := e.cardPUTs(conv)
			if len(after) <= puts {
				t.Fatal("the card was not updated with the refusal")
			}
			if last := after[len(after)-1]; !strings.Contains(last.cardText(), title.JA) || !strings.Contains(string(last.Raw), dialogs.VerbChangeSignIn) {
				t.Errorf("the card should say %q and offer to sign in again: %s", title.JA, last.cardText())
			}
		})
	}
}

func TestStepUpSignInAgainAfterARefusal(t *testing.T) {
	t.Parallel()
	si := newSignInRig(t)
	e := newEnv(t, withStepUp(si.stepUp))
	conv := freshConv("a:1stepup-again")
	user := aadFor(conv)
	first := e.confirmForSignIn(t, si, conv, "03-4444-1212")
	req := e.pendingReq(t, conv)
	weak, _ := si.signIn(t, first, "password", "")
	if res := e.callback(t, weak); res.Code != http.StatusForbidden {
		t.Fatalf("password-only callback: got status %d, want 403", res.Code)
	}

	rec := e.do(t, e.execute(conv, dialogs.VerbChangeSignIn, map[string]any{"req": req}))
	second := e.signInURL(si, conv, rec)
	if second == "" || second == first {
		t.Fatalf("signing in again offers %q, want a new sign-in (the first was %q)", second, first)
	}
	if a, b := mustQuery(t, first), mustQuery(t, second); a.Get("state") == b.Get("state") || a.Get("nonce") == b.Get("nonce") ||
		a.Get("code_challenge") == b.Get("code_challenge") {
		t.Errorf("the second sign-in reuses the first one's state, nonce or PKCE challenge")
	}
	cb, _ := si.signIn(t, second, "mfa", "")
	if res := e.callback(t, cb); res.Code != http.StatusOK {
		t.Fatalf("MFA callback: got status %d, want 200", res.Code)
	}
	if got, want := officeNumber(t, user), "+81 344441212"; got != want {
		t.Errorf("office phone is %q, want %q", got, want)
	}
	if res := e.callback(t, weak); res.Code != http.StatusConflict {
		t.Errorf("the first (used) callback again: got status %d, want 409", res.Code)
	}
	if n := writesFor(user); n != 1 {
		t.Errorf("%d writes reached Graph, want 1", n)
	}
}

func TestStepUpCallbackRefusesUnknownState(t *testing.T) {
	t.Parallel()
	si := newSignInRig(t)
	e := newEnv(t, withStepUp(si.stepUp))
	conv := freshConv("a:1stepup-forged")
	user := aadFor(conv)
	cb, _ := si.signIn(t, e.confirmForSignIn(t, si, conv, "03-5555-6767"), "mfa", "")
	real := mustQuery(t, cb)
	code := real.Get("code")
	forged, _ := stepup.NewRequest()

	tests := []struct {
		name   string
		method string
		query  url.Values
		want   int
	}{
		{name: "forged state with a real code", query: url.Values{"code": {code}, "state": {forged.State}}, want: http.StatusBadRequest},
		{name: "the state's hash as the state", query: url.Values{"code": {code}, "state": {stepup.HashState(real.Get("state"))}}, want: http.StatusBadRequest},
		{name: "no state", query: url.Values{"code": {code}}, want: http.StatusBadRequest},
		{name: "overlong state", query: url.Values{"code": {code}, "state": {strings.Repeat("a", 600)}}, want: http.StatusBadRequest},
		{name: "the state in another case", query: url.Values{"code": {code}, "state": {strings.ToUpper(real.Get("state"))}}, want: http.StatusBadRequest},
		{name: "POST", method: http.MethodPost, query: real, want: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			rec := httptest.NewRecorder()
			e.stepUp.ServeHTTP(rec, httptest.NewRequest(method, bot.CallbackPath+"?"+tt.query.Encode(), nil))
			if rec.Code != tt.want {
				t.Errorf("got status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == http.StatusBadRequest {
				if title, _ := cards.SignInOutcome(cards.SignInUnknown); !strings.Contains(rec.Body.String(), title.JA) {
					t.Errorf("the page does not say %q: %s", title.JA, rec.Body)
				}
			}
		})
	}
	e.waits.Lock()
	e.runner.Wait()
	e.waits.Unlock()
	if calls := si.tokenCalls.Load(); calls != 0 {
		t.Errorf("forged callbacks made the bot redeem %d codes, want none", calls)
	}
	if n := writesFor(user); n != 0 {
		t.Errorf("%d writes reached Graph after forged callbacks", n)
	}
	if s, _ := e.stepUpAudit(t, user); len(s) != 0 {
		t.Errorf("forged callbacks were audited as sign-ins: %+v", s)
	}
	// None of them used up the person's sign-in.
	if res := e.callback(t, cb); res.Code != http.StatusOK {
		t.Fatalf("the real callback after the forged ones: got status %d, want 200", res.Code)
	}
	if got, want := officeNumber(t, user), "+81 355556767"; got != want {
		t.Errorf("office phone is %q, want %q", got, want)
	}
}

func TestStepUpRetryWithinMaxAgeNeedsNoSecondSignIn(t *testing.T) {
	t.Parallel()
	si := newSignInRig(t)
	e := newEnv(t, withStepUp(si.stepUp))
	conv := freshConv("a:1stepup-retry")
	user := aadFor(conv)
	cb, _ := si.signIn(t, e.confirmForSignIn(t, si, conv, "03-7777-8888"), "mfa", "")
	sharedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: user + "/authentication/phoneMethods", Status: 503})
	res := e.callback(t, cb)
	sharedSim.ClearFaultsMatching(user)
	if res.Code != http.StatusOK {
		t.Fatalf("callback: got status %d, want 200", res.Code)
	}
	if got := officeNumber(t, user); got != "" {
		t.Fatalf("office phone is %s although Graph failed", got)
	}

	puts := len(e.cardPUTs(conv))
	rec := e.confirmPending(t, conv)
	offered := signInURLs(rec.Body.Bytes(), si.base)
	for _, s := range e.cardPUTs(conv)[puts:] {
		offered = append(offered, signInURLs(s.Raw, si.base)...)
	}
	if len(offered) > 0 {
		t.Errorf("the retry asks for another sign-in: %v", offered)
	}
	if got, want := officeNumber(t, user), "+81 377778888"; got != want {
		t.Errorf("office phone is %q after the retry, want %q", got, want)
	}
	if n := si.signIns(t); n != 1 {
		t.Errorf("the person signed in %d times, want 1", n)
	}
	signIns, ops := e.stepUpAudit(t, user)
	if len(signIns) != 1 || len(ops) != 2 || ops[0].Result == "ok" || ops[1].Result != "ok" {
		t.Errorf("audit = %+v %+v, want one sign-in, a failed write and then an ok one", signIns, ops)
	}
}

func TestStepUpLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.DebugLevel)
	si := newSignInRig(t)
	e := newEnv(t, withLogger(zap.New(core)), withStepUp(si.stepUp))
	conv := freshConv("a:1stepup-logs")
	authURL := e.confirmForSignIn(t, si, conv, "03-9876-5432")
	weak, _ := si.signIn(t, authURL, "password", "")
	e.callback(t, weak)
	rec := e.do(t, e.execute(conv, dialogs.VerbChangeSignIn, map[string]any{"req": e.pendingReq(t, conv)}))
	authURL2 := e.signInURL(si, conv, rec)
	cb, _ := si.signIn(t, authURL2, "mfa", "")
	if res := e.callback(t, cb); res.Code != http.StatusOK {
		t.Fatalf("callback: got status %d, want 200", res.Code)
	}
	e.callback(t, cb) // replayed
	e.callback(t, strings.Replace(cb, "state=", "state=x", 1))

	var secrets []string
	for _, u := range []string{authURL, authURL2, weak, cb} {
		q := mustQuery(t, u)
		for _, k := range []string{"state", "nonce", "code_challenge", "code"} {
			if v := q.Get(k); v != "" {
				secrets = append(secrets, v, url.QueryEscape(v))
			}
		}
	}
	secrets = append(secrets, si.tokenSecrets()...)
	if len(secrets) < 12 {
		t.Fatalf("only %d secrets gathered, want the states, nonces, codes, verifiers and tokens", len(secrets))
	}
	var judged bool
	for _, entry := range logs.All() {
		line := entry.Message
		for k, v := range entry.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
		}
		if entry.Message == "step-up sign-in" && entry.ContextMap()["verdict"] == cards.SignInOK {
			judged = true
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log entry %q contains a secret of the sign-in (%.12s…)", line, s)
			}
		}
	}
	if !judged {
		t.Error(`no "step-up sign-in" log entry with verdict ok`)
	}
}

func TestStepUpAllowFailsClosed(t *testing.T) {
	t.Parallel()
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "stepup.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now()
	// signedIn records a finished sign-in by user for change key.
	signedIn := func(user, key, result string, authTime time.Time) {
		t.Helper()
		req, _ := stepup.NewRequest()
		hash := stepup.HashState(req.State)
		if err := st.CreateStepUp(t.Context(), store.StepUp{StateHash: hash, UserID: user, TenantID: testTenant, Purpose: "change",
			Subject: key, Nonce: req.Nonce, Verifier: req.Verifier, Created: authTime, Expires: authTime.Add(stepUpMaxAge)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UseStepUp(t.Context(), hash, authTime); err != nil {
			t.Fatal(err)
		}
		var verified time.Time
		if result == cards.SignInOK {
			verified = authTime
		}
		if err := st.FinishStepUp(t.Context(), hash, result, verified, authTime); err != nil {
			t.Fatal(err)
		}
	}
	signedIn("u-ok", "k-ok", cards.SignInOK, now.Add(-time.Minute))
	signedIn("u-other-key", "k-other", cards.SignInOK, now.Add(-time.Minute))
	signedIn("u-someone", "k-someone", cards.SignInOK, now.Add(-time.Minute))
	signedIn("u-weak", "k-weak", cards.SignInWeak, now.Add(-time.Minute))
	signedIn("u-old", "k-old", cards.SignInOK, now.Add(-stepUpMaxAge-time.Minute))
	provider := stepup.New(stepup.Config{Authority: "https://login.example/", ClientID: stepUpClient, MaxAge: stepUpMaxAge})
	real := &bot.StepUp{Provider: provider, Store: st, Now: time.Now}

	tests := []struct {
		name     string
		s        *bot.StepUp
		owner    string
		key      string
		wantCode string // the refusal's problem code; "" allows
	}{
		{name: "nil step-up", s: nil, owner: "u-ok", key: "k-ok", wantCode: "step_up_unavailable"},
		{name: "no provider", s: &bot.StepUp{Store: st, Now: time.Now}, owner: "u-ok", key: "k-ok", wantCode: "step_up_unavailable"},
		{name: "off", s: &bot.StepUp{Off: true}, owner: "u-none", key: "k-none"},
		{name: "passed sign-in for the change", s: real, owner: "u-ok", key: "k-ok"},
		{name: "no sign-in", s: real, owner: "u-none", key: "k-none", wantCode: "step_up_required"},
		{name: "passed sign-in for another change", s: real, owner: "u-other-key", key: "k-ok", wantCode: "step_up_required"},
		{name: "another person's passed sign-in", s: real, owner: "u-ok", key: "k-someone", wantCode: "step_up_required"},
		{name: "refused sign-in", s: real, owner: "u-weak", key: "k-weak", wantCode: "step_up_required"},
		{name: "sign-in older than MaxAge", s: real, owner: "u-old", key: "k-old", wantCode: "step_up_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.s.Allow(t.Context(), dialogs.ApplyChange{Key: tt.key, Owner: tt.owner}, now)
			var p *dialogs.Problem
			switch {
			case tt.wantCode == "" && err != nil:
				t.Errorf("Allow: got %v, want nil", err)
			case tt.wantCode != "" && !errors.As(err, &p):
				t.Errorf("Allow: got %v, want a problem %q", err, tt.wantCode)
			case tt.wantCode != "" && p.Code != tt.wantCode:
				t.Errorf("Allow: got problem %q, want %q", p.Code, tt.wantCode)
			}
		})
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func mustUser(t *testing.T, id string) graph.User {
	t.Helper()
	u, err := sharedGraph.User(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
