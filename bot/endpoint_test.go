package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

func TestValidMessageGetsReplyAtServiceURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1personal-valid"

	cu := e.conversationUpdate(conv)
	if rec := e.post(cu); rec.Code != http.StatusOK {
		t.Fatalf("conversationUpdate: got HTTP %d, want 200 (%s)", rec.Code, rec.Body)
	}
	msg := e.message(conv, "SMSが届かない")
	if rec := e.post(msg); rec.Code != http.StatusOK {
		t.Fatalf("message: got HTTP %d, want 200 (%s)", rec.Code, rec.Body)
	}

	got := e.conn.sentTo(conv)
	if len(got) != 2 {
		t.Fatalf("got %d activities at the connector, want 2 (welcome, answer)", len(got))
	}
	welcome, answer := got[0], got[1]
	if want := "/teams/v3/conversations/" + conv + "/activities/" + cu["id"].(string); welcome.Path != want {
		t.Errorf("welcome posted to %s, want %s", welcome.Path, want)
	}
	if want := "/teams/v3/conversations/" + conv + "/activities/" + msg["id"].(string); answer.Path != want {
		t.Errorf("answer posted to %s, want the reply endpoint %s", answer.Path, want)
	}
	if answer.Activity.ReplyToID != msg["id"] {
		t.Errorf("replyToId = %q, want %q", answer.Activity.ReplyToID, msg["id"])
	}
	if !strings.Contains(welcome.cardText(), "MFA Desk へようこそ") {
		t.Errorf("welcome is not the Japanese welcome card: %s", welcome.Raw)
	}
	if n := len(answer.Activity.Attachments); n != 1 || answer.Activity.Attachments[0].ContentType != cards.ContentType {
		t.Errorf("answer has %d attachments, want one Adaptive Card: %s", n, answer.Raw)
	}
	// The answer cites its document as Teams reads citations: "[1]" in the
	// text, the document in a schema.org Message entity.
	var cited struct {
		Text             string
		SuggestedActions struct {
			To      []string
			Actions []struct{ Type, Title, Value string }
		}
		Entities []struct {
			Type     string `json:"type"`
			Citation []struct {
				Position   int
				Appearance struct{ Name, Abstract, URL string }
			}
		}
	}
	entry, _ := testKB(t).Entry("sms-not-arriving")
	src := entry.Cites()
	if err := json.Unmarshal(answer.Raw, &cited); err != nil || !strings.Contains(cited.Text, "[1]") || len(cited.Entities) != 1 ||
		cited.Entities[0].Type != "https://schema.org/Message" || len(cited.Entities[0].Citation) != 1 ||
		cited.Entities[0].Citation[0].Position != 1 || cited.Entities[0].Citation[0].Appearance.URL != src.URL ||
		cited.Entities[0].Citation[0].Appearance.Name != src.Name.JA || cited.Entities[0].Citation[0].Appearance.Abstract == "" {
		t.Errorf("answer's citation = %+v (%v), want [1] citing %s", cited, err, src.URL)
	}
	// What to ask next: the related topics, offered to this person.
	var want []string
	for _, id := range entry.Related {
		r, _ := testKB(t).Entry(id)
		want = append(want, r.ButtonTitle().JA)
	}
	sa := cited.SuggestedActions
	if len(sa.To) != 1 || sa.To[0] != msg["from"].(map[string]any)["id"] || len(sa.Actions) != min(len(want), 3) {
		t.Fatalf("suggested actions = %+v, want imBack prompts %q to the person", sa, want)
	}
	for i, a := range sa.Actions {
		if a.Type != "imBack" || a.Title != want[i] || a.Value != want[i] {
			t.Errorf("prompt %d = %+v, want imBack %q", i, a, want[i])
		}
	}
	tok, _ := e.authority.lastToken.Load().(string)
	for _, s := range got {
		if tok == "" || s.Auth != "Bearer "+tok {
			t.Errorf("connector request carried %q, want the authority's token", s.Auth)
		}
		for _, bad := range []string{"0001-01-01", `{}`, `""`, "null"} {
			if strings.Contains(string(s.Raw), bad) {
				t.Errorf("outgoing activity contains %s: %s", bad, s.Raw)
			}
		}
	}
}

func TestForgedTokensAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc := e.conn.serviceURL()
	attacker := newRSAKey(t, e.idp.key.kid)
	valid := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		c := e.idp.claims(svc)
		if mut != nil {
			mut(c)
		}
		return c
	}
	sign := func(c jwt.MapClaims) string { return e.idp.key.sign(t, jwt.SigningMethodRS256, e.idp.key.kid, c) }
	pub, _ := json.Marshal(e.idp.key.jwk(nil))
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, valid(nil))
	hs.Header["kid"] = e.idp.key.kid
	hsToken, _ := hs.SignedString(pub)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, valid(nil))
	none.Header["kid"] = e.idp.key.kid
	noneToken, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	cases := []struct {
		name  string
		authz string
	}{
		{"no token", ""},
		{"not bearer", "Basic dXNlcjpwYXNz"},
		{"garbage", "Bearer abc.def.ghi"},
		{"unknown key, known kid", "Bearer " + attacker.sign(t, jwt.SigningMethodRS256, e.idp.key.kid, valid(nil))},
		{"unknown kid", "Bearer " + attacker.sign(t, jwt.SigningMethodRS256, "no-such-kid", valid(nil))},
		{"alg none", "Bearer " + noneToken},
		{"HS256 with the public key", "Bearer " + hsToken},
		{"wrong aud", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["aud"] = "99999999-9999-9999-9999-999999999999" }))},
		{"wrong iss", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["iss"] = "https://api.botframework.com.evil.example" }))},
		{"expired", "Bearer " + sign(valid(func(c jwt.MapClaims) {
			c["exp"] = time.Now().Add(-10 * time.Minute).Unix()
			c["nbf"] = time.Now().Add(-70 * time.Minute).Unix()
		}))},
		{"nbf in the future", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(10 * time.Minute).Unix() }))},
		{"no exp", "Bearer " + sign(valid(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"serviceurl mismatch", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["serviceurl"] = "https://smba.trafficmanager.net/emea/" }))},
		{"no serviceurl", "Bearer " + sign(valid(func(c jwt.MapClaims) { delete(c, "serviceurl") }))},
		{"iss not a string", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["iss"] = 42 }))},
		{"serviceurl not a string", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["serviceurl"] = []string{svc} }))},
		{"aud an object", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["aud"] = map[string]any{"x": testAppID} }))},
		{"exp a string", "Bearer " + sign(valid(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }))},
		{"kid not a string", "Bearer " + e.idp.key.sign(t, jwt.SigningMethodRS256, "", valid(nil))},
		{"Entra token of another tenant", "Bearer " + e.authority.key.sign(t, jwt.SigningMethodRS256, e.authority.key.kid, valid(func(c jwt.MapClaims) {
			c["iss"] = "https://login.microsoftonline.com/" + otherTenant + "/v2.0"
		}))},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conv := fmt.Sprintf("a:1forged-%d", i)
			rec := e.post(e.message(conv, "SMSが届かない"), tc.authz)
			if tc.authz == "" {
				rec = e.postRaw(mustJSON(t, e.message(conv, "x")), "")
			}
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("got HTTP %d, want 401 (%s)", rec.Code, rec.Body)
			}
			if got := e.conn.sentTo(conv); len(got) != 0 {
				t.Errorf("connector got %d activities for a forged request, want none", len(got))
			}
			if snap, err := e.store.Load(t.Context(), conv, ""); err != nil || snap.State != nil {
				t.Errorf("state was written for a forged request (err %v)", err)
			}
		})
	}
}

func TestEndorsementAndTenant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	slack := e.message("a:1slack", "hi")
	slack["channelId"] = "slack" // the key is endorsed for msteams and webchat only
	if rec := e.post(slack); rec.Code != http.StatusUnauthorized {
		t.Errorf("channel the key is not endorsed for: got HTTP %d, want 401", rec.Code)
	}

	foreign := e.message("a:1foreign", "hi")
	foreign["channelData"] = map[string]any{"tenant": map[string]any{"id": otherTenant}}
	if rec := e.post(foreign); rec.Code != http.StatusForbidden {
		t.Errorf("other tenant: got HTTP %d, want 403", rec.Code)
	}

	// A single-tenant bot may also get tokens issued by its own Entra tenant.
	entra := e.authority.key.sign(t, jwt.SigningMethodRS256, e.authority.key.kid, jwt.MapClaims{
		"iss": e.authority.srv.URL + "/" + testTenant + "/v2.0", "aud": testAppID,
		"exp": time.Now().Add(time.Hour).Unix(), "nbf": time.Now().Add(-time.Minute).Unix(),
	})
	if rec := e.post(e.message("a:1entra", "hi"), "Bearer "+entra); rec.Code != http.StatusOK {
		t.Errorf("Entra-issued token of our tenant: got HTTP %d, want 200 (%s)", rec.Code, rec.Body)
	}
	for _, conv := range []string{"a:1slack", "a:1foreign"} {
		if got := e.conn.sentTo(conv); len(got) != 0 {
			t.Errorf("%s: connector got %d activities, want none", conv, len(got))
		}
	}
	if got := e.conn.sentTo("a:1entra"); len(got) == 0 {
		t.Error("Entra-issued token: no reply sent")
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	authz := "Bearer " + e.idp.token(t, e.conn.serviceURL())
	huge := e.message("a:1huge", strings.Repeat("x", 300<<10))
	noConv := e.message("a:1noconv", "hi")
	noConv["conversation"] = map[string]any{"conversationType": "personal"}
	wrongType := e.message("a:1wrongtype", "hi")
	wrongType["from"] = "not an object"
	badService := e.message("a:1badservice", "hi")
	badService["serviceUrl"] = "javascript:alert(1)"

	cases := []struct {
		name string
		body []byte
		want int
	}{
		{"oversized body", mustJSON(t, huge), http.StatusRequestEntityTooLarge},
		{"not JSON", []byte("this is {not json"), http.StatusBadRequest},
		{"truncated JSON", mustJSON(t, e.message("a:1trunc", "hi"))[:40], http.StatusBadRequest},
		{"JSON array", []byte(`[1,2,3]`), http.StatusBadRequest},
		{"no type", []byte(`{"id":"1"}`), http.StatusBadRequest},
		{"no conversation id", mustJSON(t, noConv), http.StatusBadRequest},
		{"field of the wrong type", mustJSON(t, wrongType), http.StatusBadRequest},
		{"bad serviceUrl", mustJSON(t, badService), http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.postRaw(tc.body, authz)
			if rec.Code != tc.want {
				t.Errorf("got HTTP %d, want %d (%s)", rec.Code, tc.want, rec.Body)
			}
			var eb struct {
				Error struct{ Message string } `json:"error"`
			}
			if json.Unmarshal(rec.Body.Bytes(), &eb) != nil || eb.Error.Message == "" {
				t.Errorf("error body %q has no reason", rec.Body)
			}
		})
	}
	if got := e.conn.all(); len(got) != 0 {
		t.Errorf("connector got %d activities from bad input, want none", len(got))
	}

	t.Run("GET is not allowed", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "/api/messages", nil)
		rec := newRecorder(e, req)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("got HTTP %d, want 405", rec.Code)
		}
	})
	t.Run("unknown activity type is acknowledged and ignored", func(t *testing.T) {
		typing := e.message("a:1typing", "")
		typing["type"] = "typing"
		if rec := e.post(typing); rec.Code != http.StatusOK {
			t.Errorf("got HTTP %d, want 200", rec.Code)
		}
		if got := e.conn.sentTo("a:1typing"); len(got) != 0 {
			t.Errorf("bot answered a typing activity")
		}
	})
}

func TestRedeliveredActivityIsProcessedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	msg := e.message("a:1redeliver", "menu")
	for i := 0; i < 3; i++ {
		if rec := e.post(msg); rec.Code != http.StatusOK {
			t.Fatalf("delivery %d: got HTTP %d", i+1, rec.Code)
		}
	}
	if got := e.conn.sentTo("a:1redeliver"); len(got) != 1 {
		t.Errorf("got %d replies to one activity delivered 3 times, want 1", len(got))
	}
}

func TestWelcomeOncePerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1welcome"
	install := e.message(conv, "")
	install["type"], install["action"] = "installationUpdate", "add"
	delete(install, "locale") // Teams sends no locale with these
	for _, a := range []activity{install, e.conversationUpdate(conv), e.conversationUpdate(conv)} {
		if rec := e.post(a); rec.Code != http.StatusOK {
			t.Fatalf("got HTTP %d", rec.Code)
		}
	}
	if got := e.conn.sentTo(conv); len(got) != 1 {
		t.Errorf("got %d welcomes for one user, want 1", len(got))
	}
}

func TestCardActionExecuteIsAnsweredInTheResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1execute"
	inv := e.execute(conv, cards.VerbMenu, map[string]any{})
	rec := e.post(inv)
	if rec.Code != http.StatusOK {
		t.Fatalf("got HTTP %d, want 200 (%s)", rec.Code, rec.Body)
	}
	var body struct {
		StatusCode int    `json:"statusCode"`
		Type       string `json:"type"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.StatusCode != 200 || body.Type == "" {
		t.Errorf("invoke response %s is not the adaptiveCard/action envelope", rec.Body)
	}
	// A redelivered invoke gets the same answer and sends nothing new.
	again := e.post(inv)
	if again.Body.String() != rec.Body.String() {
		t.Errorf("redelivered invoke answered %s, want %s", again.Body, rec.Body)
	}
	if got := e.conn.sentTo(conv); len(got) != 1 {
		t.Errorf("got %d messages, want the menu once", len(got))
	}
}

func TestSubmitAndLanguageSwitchAreRemembered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1lang"
	e.post(e.submit(conv, map[string]any{cards.VerbKey: cards.VerbLanguage, cards.LangKey: "en"}))
	e.restart()
	e.post(e.message(conv, "menu")) // the message's locale is ja-JP; the choice wins
	got := e.conn.sentTo(conv)
	if len(got) == 0 || !strings.Contains(got[len(got)-1].cardText(), "What would you like to do?") {
		t.Fatalf("after switching to English and a restart, the menu is not English: %v", got)
	}
}

// askDialog asks for a word, then repeats it: just enough state to see that a
// conversation survives a restart.
type askDialog struct{ panicOn string }

func (askDialog) ID() string   { return "test.ask" }
func (askDialog) Version() int { return 1 }
func (d askDialog) Next(st json.RawMessage, in dialogs.Input) dialogs.Turn {
	if in.Text == d.panicOn && d.panicOn != "" {
		panic("test panic")
	}
	if st == nil {
		return dialogs.Turn{Status: dialogs.Waiting, State: json.RawMessage(`{"asked":true}`),
			Replies: []cards.Message{{Text: "Which word?"}}}
	}
	return dialogs.Turn{Status: dialogs.Complete, Replies: []cards.Message{{Text: "You said " + in.Text}}}
}

func TestDialogContinuesAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.ask": askDialog{}}))
	conv := "a:1restart"
	e.post(e.submit(conv, map[string]any{cards.VerbKey: "test.ask"}))
	e.restart()
	e.post(e.message(conv, "hydrangea"))
	got := e.conn.sentTo(conv)
	if len(got) != 2 || got[1].Activity.Text != "You said hydrangea" {
		t.Fatalf("after a restart the dialog did not continue: %+v", got)
	}
}

func TestPanicInTurnIs500AndServerStaysUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.ask": askDialog{panicOn: "boom"}}))
	conv := "a:1panic"
	e.post(e.submit(conv, map[string]any{cards.VerbKey: "test.ask"}))
	if rec := e.post(e.message(conv, "boom")); rec.Code != http.StatusInternalServerError {
		t.Errorf("panicking turn: got HTTP %d, want 500", rec.Code)
	}
	if rec := e.post(e.message(conv, "calm")); rec.Code != http.StatusOK {
		t.Errorf("after a panic: got HTTP %d, want 200", rec.Code)
	}
	if got := e.conn.sentTo(conv); len(got) != 2 || got[1].Activity.Text != "You said calm" {
		t.Errorf("after a panic the conversation did not go on: %+v", got)
	}
}

func TestConcurrentConversations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withLogger(zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))))
	const n = 100
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			codes[i] = e.post(e.message(fmt.Sprintf("a:1concurrent-%d", i), "SMSが届かない")).Code
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("conversation %d: HTTP %d", i, c)
		}
		if got := e.conn.sentTo(fmt.Sprintf("a:1concurrent-%d", i)); len(got) != 1 {
			t.Errorf("conversation %d: %d replies, want 1", i, len(got))
		}
	}
	if h := e.authority.tokenHits.Load(); h != 1 {
		t.Errorf("connector token fetched %d times for %d concurrent turns, want 1", h, n)
	}
	if m, k := e.idp.metadataHits.Load(), e.idp.jwksHits.Load(); m != 1 || k != 1 {
		t.Errorf("Bot Framework metadata fetched %d times and keys %d times, want 1 and 1", m, k)
	}
}

func TestUnknownKidRefreshesKeysAtMostOncePerMinute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.post(e.message("a:1warm", "hi")) // first fetch
	attacker := newRSAKey(t, "x")
	for i := range 20 {
		tok := attacker.sign(t, jwt.SigningMethodRS256, fmt.Sprintf("random-kid-%d", i), e.idp.claims(e.conn.serviceURL()))
		if rec := e.post(e.message("a:1kids", "hi"), "Bearer "+tok); rec.Code != http.StatusUnauthorized {
			t.Fatalf("got HTTP %d, want 401", rec.Code)
		}
	}
	if k := e.idp.jwksHits.Load(); k > 2 {
		t.Errorf("20 tokens with unknown kids caused %d key fetches, want at most 2", k)
	}
}

func TestLogsCarryNoMessageTextTokensOrNumbers(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.DebugLevel)
	e := newEnv(t, withLogger(zap.New(core)), withDialogs(map[string]dialogs.Dialog{"test.ask": askDialog{panicOn: "爆発 090-1234-5678"}}))
	token := e.idp.token(t, e.conn.serviceURL())
	conv := "a:1logs"
	e.post(e.message(conv, "秘密の質問 090-1234-5678"), "Bearer "+token)
	e.post(e.message(conv, "x"), "Bearer "+token+"tampered")
	e.post(e.submit(conv, map[string]any{cards.VerbKey: "test.ask"}))
	e.post(e.message(conv, "爆発 090-1234-5678")) // panics: the stack is logged, the text must not be
	if logs.Len() == 0 {
		t.Fatal("nothing was logged; the test would prove nothing")
	}
	for _, entry := range logs.All() {
		line := entry.Message
		for k, v := range entry.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
		}
		for _, secret := range []string{"秘密", "爆発", "090-1234-5678", "1234-5678", token[:40], testSecret} {
			if strings.Contains(line, secret) {
				t.Errorf("log entry %q contains %q", entry.Message, secret)
			}
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		if rec := newRecorder(e, req); rec.Code != http.StatusOK {
			t.Errorf("%s: got HTTP %d, want 200", path, rec.Code)
		}
	}
	e.store.Close()
	req, _ := http.NewRequest(http.MethodGet, "/readyz", nil)
	if rec := newRecorder(e, req); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store closed: got HTTP %d, want 503", rec.Code)
	}
	if rec := e.post(e.message("a:1closed", "hi")); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("turn with the store closed: got HTTP %d, want 503 so the connector retries", rec.Code)
	}
}

func TestGroupChatMentionIsStripped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "19:groupchat@thread.v2"
	msg := e.message(conv, "<at>MFA Desk</at> menu")
	msg["conversation"] = map[string]any{"id": conv, "conversationType": "groupChat", "isGroup": true, "tenantId": testTenant}
	msg["locale"] = "en-US"
	if rec := e.post(msg); rec.Code != http.StatusOK {
		t.Fatalf("got HTTP %d", rec.Code)
	}
	got := e.conn.sentTo(conv)
	if len(got) != 1 || !strings.Contains(got[0].cardText(), "What would you like to do?") {
		t.Errorf("\"<at>MFA Desk</at> menu\" did not show the menu: %+v", got)
	}
}

// lookupEffect asks the runner to look something up; lookupDialog shows the
// result. Together they exercise the effect loop: effect → result → reply.
type lookupEffect struct{ key string }

func (lookupEffect) EffectName() string { return "test.lookup" }

type lookupDialog struct{}

func (lookupDialog) ID() string   { return "test.lookup" }
func (lookupDialog) Version() int { return 1 }
func (lookupDialog) Next(st json.RawMessage, in dialogs.Input) dialogs.Turn {
	if in.Kind == dialogs.ResultInput {
		if in.Result.Err != nil {
			return dialogs.Turn{Status: dialogs.Complete, Replies: []cards.Message{{Text: "lookup failed"}}}
		}
		return dialogs.Turn{Status: dialogs.Complete, Replies: []cards.Message{{Text: fmt.Sprint("found ", in.Result.Value)}}}
	}
	return dialogs.Turn{Status: dialogs.Waiting, State: json.RawMessage(`{}`),
		Replies: []cards.Message{{Text: "looking..."}}, Effects: []dialogs.Effect{lookupEffect{key: "k1"}}}
}

type fakeEffects struct {
	mu  sync.Mutex
	ran []string
}

func (f *fakeEffects) RunEffect(_ context.Context, e dialogs.Effect, _ dialogs.Input) dialogs.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	le := e.(lookupEffect)
	f.ran = append(f.ran, le.key)
	return dialogs.Result{Effect: e.EffectName(), Value: "value-of-" + le.key}
}

func TestEffectsRunAfterTheStateIsSavedAndResultsFeedBack(t *testing.T) {
	t.Parallel()
	fx := &fakeEffects{}
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.lookup": lookupDialog{}}), withEffects(fx))
	conv := "a:1effects"
	if rec := e.post(e.submit(conv, map[string]any{cards.VerbKey: "test.lookup"})); rec.Code != http.StatusOK {
		t.Fatalf("got HTTP %d", rec.Code)
	}
	lookupSent(t, e, conv)
	if len(fx.ran) != 1 {
		t.Errorf("effect ran %d times, want once", len(fx.ran))
	}
	snap, err := e.store.Load(t.Context(), conv, "")
	if err != nil || strings.Contains(string(snap.State), "test.lookup") {
		t.Errorf("after the result the dialog should have completed; saved state %s (err %v)", snap.State, err)
	}
}

func TestUndeliveredRepliesAreSentOnRedelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var down atomic.Bool
	down.Store(true)
	e.conn.failWhile(&down)
	conv := "a:1undelivered"
	msg := e.message(conv, "menu")
	if rec := e.post(msg); rec.Code != http.StatusBadGateway {
		t.Fatalf("connector down: got HTTP %d, want 502 so the activity is redelivered", rec.Code)
	}
	if got := e.conn.sentTo(conv); len(got) != 0 {
		t.Fatalf("connector stored %d activities while down", len(got))
	}
	down.Store(false)
	if rec := e.post(msg); rec.Code != http.StatusOK {
		t.Fatalf("redelivery: got HTTP %d, want 200", rec.Code)
	}
	if rec := e.post(msg); rec.Code != http.StatusOK {
		t.Fatalf("second redelivery: got HTTP %d, want 200", rec.Code)
	}
	got := e.conn.sentTo(conv)
	if len(got) != 1 || !strings.Contains(got[0].cardText(), "何をしますか") {
		t.Errorf("after redelivery got %d replies, want the menu exactly once", len(got))
	}
}

// TestClickWithUndeliveredRepliesKeepsThemAll: a click whose reply and
// whose effect's reply both fail to reach the channel keeps both, and its
// redelivery sends both, once each. (The request and the effects running
// after it each had replies to keep; one used to overwrite the other.)
func TestClickWithUndeliveredRepliesKeepsThemAll(t *testing.T) {
	t.Parallel()
	fx := &fakeEffects{}
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.lookup": lookupDialog{}}), withEffects(fx))
	var down atomic.Bool
	down.Store(true)
	e.conn.failWhile(&down)
	conv := "a:1undelivered-click"
	redeliveredClick(t, e, conv, &down, "connector down")
	if len(fx.ran) != 1 {
		t.Errorf("the effect ran %d times, want once", len(fx.ran))
	}
}

// TestRedeliveredAnswerKeepsItsTopic: an answer that could not be sent at
// first and went out on the redelivery still knows its topic: a 👍 on it
// counts there.
func TestRedeliveredAnswerKeepsItsTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var down atomic.Bool
	down.Store(true)
	e.conn.failWhile(&down)
	conv := "a:1redelivered-answer"
	msg := e.message(conv, "SMSが届かない")
	if rec := e.post(msg); rec.Code != http.StatusBadGateway {
		t.Fatalf("connector down: got HTTP %d, want 502", rec.Code)
	}
	down.Store(false)
	e.do(t, msg)
	got := e.conn.sentTo(conv)
	if len(got) != 1 {
		t.Fatalf("%d messages after the redelivery, want the answer", len(got))
	}
	like := e.message(conv, "")
	delete(like, "text")
	like["type"], like["name"], like["replyToId"] = "invoke", "message/submitAction", got[0].ID
	like["value"] = map[string]any{"actionName": "feedback", "actionValue": map[string]any{"reaction": "like", "feedback": "{}"}}
	e.do(t, like)
	stats, err := e.store.FeedbackStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Topic != "sms-not-arriving" || stats[0].Helpful != 1 {
		t.Errorf("feedback stored = %+v, want one 👍 on sms-not-arriving", stats)
	}
}

// connectorOnLookup is fakeEffects that takes the connector down (down
// true) or brings it back (false) as the effect runs: the click's own
// reply and the effect's meet different connectors.
type connectorOnLookup struct {
	*fakeEffects
	flag *atomic.Bool
	down bool
}

func (f connectorOnLookup) RunEffect(ctx context.Context, e dialogs.Effect, in dialogs.Input) dialogs.Result {
	f.flag.Store(f.down)
	return f.fakeEffects.RunEffect(ctx, e, in)
}

// TestClickWhoseEffectsRepliesFailIsRedelivered: a click whose own reply
// went out but whose effect's reply did not is answered 502 when the
// effect ends within the click's wait, so that the sender redelivers it,
// and the redelivery sends that reply.
func TestClickWhoseEffectsRepliesFailIsRedelivered(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.lookup": lookupDialog{}}), withEffects(connectorOnLookup{&fakeEffects{}, &down, true}))
	e.conn.refuseWhile(&down)
	conv := "a:1undelivered-effect"
	redeliveredClick(t, e, conv, &down, "the effect's reply refused")
}

// TestRepliesKeepTheirOrderWhenTheFirstFails: a click whose own reply
// could not go out holds its effect's reply back too, even with the
// connector back: the redelivery sends both, in the order they were meant.
func TestRepliesKeepTheirOrderWhenTheFirstFails(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	down.Store(true)
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.lookup": lookupDialog{}}), withEffects(connectorOnLookup{&fakeEffects{}, &down, false}))
	e.conn.refuseWhile(&down)
	conv := "a:1undelivered-order"
	redeliveredClick(t, e, conv, &down, "the click's reply refused")
}

func TestTroubleshooterWalksToTheFix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1troubleshoot"
	click := func(data map[string]any) {
		t.Helper()
		if rec := e.post(e.submit(conv, data)); rec.Code != http.StatusOK {
			t.Fatalf("got HTTP %d", rec.Code)
		}
	}
	click(map[string]any{cards.VerbKey: cards.VerbTroubleshoot, cards.TSKey: "sms"})
	click(map[string]any{cards.VerbKey: cards.VerbTSAnswer, cards.TSKey: "sms", cards.NodeKey: "other-sms", cards.NextKey: "number"})
	click(map[string]any{cards.VerbKey: cards.VerbTSAnswer, cards.TSKey: "sms", cards.NodeKey: "number", cards.NextKey: "abroad"})
	click(map[string]any{cards.VerbKey: cards.VerbTSAnswer, cards.TSKey: "sms", cards.NodeKey: "abroad", cards.NextKey: "fix-overseas-block"})
	got := e.conn.sentTo(conv)
	if len(got) != 4 {
		t.Fatalf("got %d cards, want 3 questions and the fix", len(got))
	}
	for i, want := range []string{"質問 1", "質問 2", "質問 3", "海外の番号から送られます"} {
		if !strings.Contains(got[i].cardText(), want) {
			t.Errorf("card %d does not say %q", i+1, want)
		}
	}
	for i, want := range []string{"ほかのSMS", "今のあなたの番号", "今、海外にいますか", "海外の番号から送られます"} {
		if !strings.Contains(got[i].cardText(), want) {
			t.Errorf("card %d does not say %q", i+1, want)
		}
	}
	if snap, _ := e.store.Load(t.Context(), conv, ""); strings.Contains(string(snap.State), "troubleshoot") {
		t.Errorf("the troubleshooter is still on the stack after the fix: %s", snap.State)
	}
}

func TestFeedbackIsStoredOnceAndTheCardUpdated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1feedback"
	inv := e.execute(conv, cards.VerbFeedback, map[string]any{cards.TopicKey: "sms-not-arriving", cards.HelpfulKey: "yes"})
	for i := 0; i < 2; i++ { // the second is a redelivery
		rec := e.post(inv)
		if rec.Code != http.StatusOK {
			t.Fatalf("got HTTP %d", rec.Code)
		}
		var body struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Type != cards.ContentType {
			t.Fatalf("invoke response %s is not a card", rec.Body)
		}
		if !strings.Contains(string(body.Value), "フィードバックありがとうございました") || strings.Contains(string(body.Value), cards.VerbFeedback) {
			t.Errorf("the updated card should thank and have no feedback buttons: %s", body.Value)
		}
	}
	stats, err := e.store.FeedbackStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Topic != "sms-not-arriving" || stats[0].Helpful != 1 || stats[0].NotHelpful != 0 {
		t.Errorf("feedback stored = %+v, want one helpful vote on sms-not-arriving", stats)
	}
}

// TestTeamsReactionCountsForTheAnswersTopic: an answer goes out with
// Teams' own 👍/👎 (channelData.feedbackLoop) and no vote buttons in its
// card; a reaction to it, which names only the message, is stored for the
// answer's topic with its comment, numbers masked, and a 👎 offers a
// person. A reaction to a message that was no answer counts for no topic;
// a malformed one changes nothing.
func TestTeamsReactionCountsForTheAnswersTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1reaction"
	e.do(t, e.message(conv, "SMSが届かない"))
	got := e.conn.sentTo(conv)
	if len(got) != 1 {
		t.Fatalf("%d messages for a question, want the answer", len(got))
	}
	answer := got[0]
	var wire struct {
		ChannelData struct {
			FeedbackLoop struct{ Type string } `json:"feedbackLoop"`
		} `json:"channelData"`
	}
	json.Unmarshal(answer.Raw, &wire)
	if wire.ChannelData.FeedbackLoop.Type != "default" {
		t.Errorf("the answer does not ask for Teams' feedback: %s", answer.Raw)
	}
	if strings.Contains(string(answer.Raw), cards.VerbFeedback) {
		t.Error("the answer's card still has vote buttons")
	}

	react := func(to, reaction, feedback string) *httptest.ResponseRecorder {
		a := e.message(conv, "")
		delete(a, "text")
		a["type"], a["name"], a["replyToId"] = "invoke", "message/submitAction", to
		a["value"] = map[string]any{"actionName": "feedback", "actionValue": map[string]any{"reaction": reaction, "feedback": feedback}}
		return e.post(a)
	}
	if rec := react(answer.ID, "dislike", `{"feedbackText":"090-1234-5678 に届きません"}`); rec.Code != http.StatusOK {
		t.Fatalf("reaction: HTTP %d %s", rec.Code, rec.Body)
	}
	stats, err := e.store.FeedbackStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Topic != "sms-not-arriving" || stats[0].NotHelpful != 1 {
		t.Fatalf("feedback stored = %+v, want one 👎 on sms-not-arriving", stats)
	}
	comments, err := e.store.FeedbackComments(t.Context(), 10)
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments = %+v, %v", comments, err)
	}
	if c := comments[0].Comment; strings.Contains(c, "1234") || c != "090••••5678 に届きません" {
		t.Errorf("comment kept as %q: want it with the number masked", c)
	}
	after := e.conn.sentTo(conv)[1:]
	if len(after) != 1 || !strings.Contains(after[0].cardText(), "担当者") {
		t.Errorf("a 👎 was answered with %d messages, want the offer of a person", len(after))
	}

	// Not an answer (the offer of a person): no topic. Malformed: nothing.
	// Naming no message, as the Agents Playground does, with the comment
	// as plain text: the conversation's last answer.
	react(after[0].ID, "like", "")
	react(answer.ID, "love", "")
	react("", "dislike", "SMSが来ない")
	a := e.message(conv, "")
	delete(a, "text")
	a["type"], a["name"], a["replyToId"], a["value"] = "invoke", "message/submitAction", answer.ID, "not an object"
	if rec := e.post(a); rec.Code != http.StatusOK {
		t.Errorf("a malformed reaction: HTTP %d, want 200 and nothing done", rec.Code)
	}
	stats, _ = e.store.FeedbackStats(t.Context())
	want := map[string][2]int{"sms-not-arriving": {0, 2}, "": {1, 0}}
	if len(stats) != len(want) {
		t.Fatalf("feedback stored = %+v, want %v", stats, want)
	}
	for _, s := range stats {
		if w := want[s.Topic]; s.Helpful != w[0] || s.NotHelpful != w[1] {
			t.Errorf("topic %q: %d 👍 %d 👎, want %v", s.Topic, s.Helpful, s.NotHelpful, w)
		}
	}
	if comments, _ := e.store.FeedbackComments(t.Context(), 10); len(comments) != 2 || comments[0].Comment != "SMSが来ない" {
		t.Errorf("comments = %+v, want the plain one too", comments)
	}
}

// TestVerifiedTokensExpire checks the verified-token cache: a token that
// checked out is accepted again, but never past its expiry.
func TestVerifiedTokensExpire(t *testing.T) {
	t.Parallel()
	p := newIDP(t)
	now := time.Now()
	clock := func() time.Time { return now }
	a := bot.NewAuthenticator(bot.AuthConfig{AppID: testAppID, OpenIDMetadataURL: p.metadataURL(), Now: clock})
	c := p.claims("https://smba.example/teams/")
	c["exp"] = now.Add(time.Minute).Unix()
	tok := "Bearer " + p.key.sign(t, jwt.SigningMethodRS256, p.key.kid, c)
	for i := 0; i < 2; i++ {
		if _, err := a.Authenticate(t.Context(), tok); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	now = now.Add(time.Minute + clockSkew + time.Second)
	if _, err := a.Authenticate(t.Context(), tok); err == nil {
		t.Error("an expired token was accepted from the cache")
	}
}

const clockSkew = 5 * time.Minute

// redeliveredClick clicks lookupDialog's button in conv while the
// connector is down (when: what failed) and wants a 502, so that the click
// is redelivered; brings the connector back and redelivers it; then wants
// both replies, once each and in order.
func redeliveredClick(t *testing.T, e *env, conv string, down *atomic.Bool, when string) {
	t.Helper()
	click := e.execute(conv, "test.lookup", map[string]any{})
	if rec := e.post(click); rec.Code != http.StatusBadGateway {
		t.Fatalf("%s: got HTTP %d, want 502 so the click is redelivered", when, rec.Code)
	}
	down.Store(false)
	if rec := e.post(click); rec.Code != http.StatusOK {
		t.Fatalf("redelivery: got HTTP %d, want 200", rec.Code)
	}
	lookupSent(t, e, conv)
}

// lookupSent checks that conv got lookupDialog's two replies, once each
// and in order.
func lookupSent(t *testing.T, e *env, conv string) {
	t.Helper()
	var texts []string
	for _, s := range e.conn.sentTo(conv) {
		texts = append(texts, s.Activity.Text)
	}
	if want := []string{"looking...", "found value-of-k1"}; strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", texts, want)
	}
}
