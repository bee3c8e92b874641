package bot_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
	"github.com/mfadesk/mfadesk/store"
)

// Guided changes end to end: the real handler and runner, the real Graph
// client over HTTP against the simulator, the SQLite store.

// pendingReq finds the request id on the newest preview card sent into conv.
func (e *env) pendingReq(t *testing.T, conv string) string {
	t.Helper()
	got := e.conn.sentTo(conv)
	for i := len(got) - 1; i >= 0; i-- {
		raw := string(got[i].Raw)
		if j := strings.Index(raw, `"req":"`); j >= 0 && strings.Contains(raw, dialogs.VerbChangeConfirm) {
			rest := raw[j+7:]
			return rest[:strings.Index(rest, `"`)]
		}
	}
	t.Fatalf("no preview card with a confirm button in %s", conv)
	return ""
}

// lastText is the text of the last message sent to conv, leaving out the
// security notices that follow every change (notices() has those) and
// typing indicators.
func (e *env) lastText(conv string) string {
	got := e.conn.sentTo(conv)
	for i := len(got) - 1; i >= 0; i-- {
		if text := got[i].cardText(); got[i].Activity.Type != "typing" && !strings.Contains(text, cards.VerbNotMe) {
			return text
		}
	}
	return ""
}

// texts are the texts of the messages sent to conv, without the security
// notices.
func (e *env) texts(conv string) []string {
	var out []string
	for _, a := range e.conn.sentTo(conv) {
		if text := a.cardText(); !strings.Contains(text, cards.VerbNotMe) {
			out = append(out, text)
		}
	}
	return out
}

// notices are the security notices sent to conv.
func (e *env) notices(conv string) []string {
	var out []string
	for _, a := range e.conn.sentTo(conv) {
		if text := a.cardText(); strings.Contains(text, cards.VerbNotMe) {
			out = append(out, text)
		}
	}
	return out
}

func (e *env) do(t *testing.T, a activity) *httptest.ResponseRecorder {
	t.Helper()
	rec := e.post(a)
	if rec.Code != http.StatusOK {
		t.Fatalf("got HTTP %d: %s", rec.Code, rec.Body)
	}
	return rec
}

// backupOffice walks the backup flow to the preview of adding an office
// number.
func (e *env) backupOffice(t *testing.T, conv, number string) {
	t.Helper()
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "backup"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "office"}))
	e.do(t, e.message(conv, number))
}

// confirmPending clicks Confirm on the newest preview.
func (e *env) confirmPending(t *testing.T, conv string) *httptest.ResponseRecorder {
	t.Helper()
	return e.do(t, e.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": e.pendingReq(t, conv)}))
}

func writesFor(user string) (n int) {
	for _, r := range sharedSim.Requests() {
		// checkMemberGroups is a POST that only reads (is this an agent?).
		if r.IsWrite() && strings.Contains(r.Path, user) && !strings.HasSuffix(r.Path, "/checkMemberGroups") {
			n++
		}
	}
	return n
}

func methodsOf(t *testing.T, user string) graph.Methods {
	t.Helper()
	m, err := sharedGraph.Methods(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPhoneChangeHappyPathWritesOnlyAfterConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-happy"
	user := aadFor(conv)
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "phone"}))
	if !strings.Contains(e.lastText(conv), "電話番号は変わりますか") || !strings.Contains(e.lastText(conv), "••••") {
		t.Fatalf("first card should show the masked methods and ask: %s", e.lastText(conv))
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "known"}))
	e.do(t, e.message(conv, "080-1234-5678"))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "sms"}))
	if !strings.Contains(e.lastText(conv), "+81 80-1234-5678") {
		t.Fatalf("the person's own preview should show the new number whole, to catch a typo: %s", e.lastText(conv))
	}
	if n := writesFor(user); n != 0 {
		t.Fatalf("%d writes reached Graph before the confirm", n)
	}
	req := e.pendingReq(t, conv)
	click := e.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req})
	rec := e.do(t, click)
	if again := e.do(t, click); again.Body.String() != rec.Body.String() {
		t.Errorf("a redelivered click got %s, want the same answer %s", again.Body, rec.Body)
	}
	if !strings.Contains(rec.Body.String(), "変更しました") || strings.Contains(rec.Body.String(), dialogs.VerbChangeConfirm) {
		t.Errorf("a quick change should answer the click with its outcome, buttons gone: %s", rec.Body)
	}
	if !strings.Contains(rec.Body.String(), "+81 80••••5678") || strings.Contains(rec.Body.String(), "1234-5678") {
		t.Errorf("once done, the preview should show the number masked: %s", rec.Body)
	}
	if !strings.Contains(e.lastText(conv), "変更しました") {
		t.Errorf("no result card: %s", e.lastText(conv))
	}
	if p, _ := methodsOf(t, user).Phone(graph.Mobile); p.Number != "+81 8012345678" {
		t.Errorf("mobile is %s, want the new number", p.Masked)
	}
	// A double click, and a replay of the same confirm: nothing more is written.
	writes := writesFor(user)
	e.do(t, e.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req}))
	if writesFor(user) != writes {
		t.Error("a second confirm wrote again")
	}
	if !strings.Contains(e.lastText(conv), "もう使えません") {
		t.Errorf("a second confirm should be told it is no longer valid: %s", e.lastText(conv))
	}
	audit, err := e.store.Audit(t.Context(), user, time.Time{})
	if err != nil || len(audit) != 1 || audit[0].Operation != dialogs.OpChangePhone || audit[0].Masked != "+81 80••••5678" || audit[0].Result != "ok" {
		t.Errorf("audit = %+v (%v), want one change-phone entry with the masked number", audit, err)
	}
	for _, a := range audit {
		if b, _ := json.Marshal(a); bytes.Contains(b, []byte("8012345678")) {
			t.Errorf("audit holds the full number: %s", b)
		}
	}
}

// TestCurrentNumberRefusedWhileTheBotTypes: every step that waits on Graph is
// preceded by a typing indicator in the person's chat, and the number the
// person has now, typed as the new one, is refused with nothing written.
func TestCurrentNumberRefusedWhileTheBotTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-current"
	user := aadFor(conv)
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "phone"}))
	var kinds []string
	for _, s := range e.conn.sentTo(conv) {
		kinds = append(kinds, s.Activity.Type)
	}
	if i := slices.Index(kinds, "typing"); i < 0 || i == len(kinds)-1 {
		t.Errorf("activities %v: want a typing indicator before the methods card", kinds)
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "known"}))
	current, ok := methodsOf(t, user).Phone(graph.Mobile)
	if !ok {
		t.Fatal("the simulator gave the person no mobile number")
	}
	e.do(t, e.message(conv, "今の番号は "+current.Number+" です"))
	if got := e.lastText(conv); !strings.Contains(got, "これは今登録されている番号です") {
		t.Errorf("the current number as the new one: %s", got)
	}
	if n := writesFor(user); n != 0 {
		t.Errorf("%d writes", n)
	}
}

func TestBadNumberIsAskedAgainWithTheReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-bad"
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "backup"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "office"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangeNumber, "number": "1234"}))
	if !strings.Contains(e.lastText(conv), "短すぎ") {
		t.Errorf("a short number should be refused with the reason: %s", e.lastText(conv))
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangeNumber, "number": "03-1234-5678"}))
	if !strings.Contains(e.lastText(conv), "音声のみ") {
		t.Errorf("an office number goes straight to a voice-only preview: %s", e.lastText(conv))
	}
	if n := writesFor(aadFor(conv)); n != 0 {
		t.Errorf("%d writes before any confirm", n)
	}
}

func TestConfirmByAnotherPersonOrAfterCancelChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-guard"
	user := aadFor(conv)
	e.backupOffice(t, conv, "03-1234-5678")
	req := e.pendingReq(t, conv)

	intruder := e.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req})
	intruder["from"] = map[string]any{"id": "29:1intruder", "name": "Mallory", "aadObjectId": "99999999-9999-4999-8999-999999999999"}
	e.do(t, intruder)
	if !strings.Contains(e.lastText(conv), "本人だけ") {
		t.Errorf("another person's confirm should be refused: %s", e.lastText(conv))
	}
	e.do(t, e.execute(conv, dialogs.VerbChangeCancel, map[string]any{"req": req}))
	e.do(t, e.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": req}))
	if !strings.Contains(e.lastText(conv), "もう使えません") {
		t.Errorf("a confirm after cancel should be refused: %s", e.lastText(conv))
	}
	if n := writesFor(user); n != 0 {
		t.Errorf("%d writes reached Graph", n)
	}
}

func TestGraphDownDuringConfirmThenRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-503"
	user := aadFor(conv)
	e.backupOffice(t, conv, "03-1234-5678")
	sharedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: user + "/authentication/phoneMethods", Status: 503})
	e.confirmPending(t, conv)
	sharedSim.ClearFaultsMatching(user)
	if !strings.Contains(e.conn.sentTo(conv)[len(e.conn.sentTo(conv))-2].cardText(), "変更できませんでした") {
		t.Errorf("the person should hear nothing changed: %s", e.lastText(conv))
	}
	if _, ok := methodsOf(t, user).Phone(graph.Office); ok {
		t.Fatal("the office phone was added although Graph failed")
	}
	e.confirmPending(t, conv)
	if _, ok := methodsOf(t, user).Phone(graph.Office); !ok {
		t.Errorf("the retry did not add the office phone: %s", e.lastText(conv))
	}
}

func TestRemoveMethodsButNeverTheLast(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-remove"
	user := aadFor(conv)
	m := methodsOf(t, user)
	if len(m.Authenticators) != 1 {
		t.Fatalf("provisioned user has %d Authenticators, want 1", len(m.Authenticators))
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "remove"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "device:" + m.Authenticators[0].ID}))
	e.confirmPending(t, conv)
	if len(methodsOf(t, user).Authenticators) != 0 {
		t.Fatalf("the Authenticator was not removed: %s", e.lastText(conv))
	}
	writes := writesFor(user)
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "remove"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "phone:mobile"}))
	if !strings.Contains(e.lastText(conv), "最後の認証方法") {
		t.Errorf("removing the last method should be refused: %s", e.lastText(conv))
	}
	if writesFor(user) != writes {
		t.Error("the refused removal reached Graph")
	}
}

func TestTemporaryNumberPathWithPartialFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-temp"
	user := aadFor(conv)
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "phone"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "unknown"}))
	e.do(t, e.message(conv, "03-1111-2222"))
	e.confirmPending(t, conv)
	if _, ok := methodsOf(t, user).Phone(graph.Office); !ok || !strings.Contains(e.lastText(conv), "一時的な番号を登録しました") {
		t.Fatalf("the temporary number was not registered: %s", e.lastText(conv))
	}
	e.restart() // the person comes back days later

	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange}))
	if !strings.Contains(e.conn.sentTo(conv)[len(e.conn.sentTo(conv))-2].Activity.Text, "おかえりなさい") {
		t.Fatalf("the bot did not remember the temporary number: %s", e.lastText(conv))
	}
	e.do(t, e.message(conv, "070-9999-8888"))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "sms"}))
	sharedSim.Inject(sim.Fault{Method: http.MethodDelete, PathContains: user + "/authentication/phoneMethods", Status: 503})
	e.confirmPending(t, conv)
	sharedSim.ClearFaultsMatching(user)
	m := methodsOf(t, user)
	if p, _ := m.Phone(graph.Mobile); p.Number != "+81 7099998888" {
		t.Errorf("step one (the new mobile) should be done: mobile is %s", p.Masked)
	}
	if _, ok := m.Phone(graph.Office); !ok {
		t.Fatal("step two should have failed and left the temporary number")
	}
	if texts := e.texts(conv); !strings.Contains(texts[len(texts)-2], "途中まで") {
		t.Errorf("the person should hear exactly what is done: %s", texts[len(texts)-2])
	}
	if n := e.notices(conv); len(n) != 2 || !strings.Contains(n[1], "70••••8888") || strings.Contains(n[1], "3••••2222") {
		t.Errorf("the partial change should be notified with what was done only: %q", n)
	}
	patches := 0
	for _, r := range sharedSim.Requests() {
		if r.Method == http.MethodPatch && strings.Contains(r.Path, user) {
			patches++
		}
	}
	e.confirmPending(t, conv)
	m = methodsOf(t, user)
	if _, ok := m.Phone(graph.Office); ok {
		t.Errorf("retrying step two did not remove the temporary number: %s", e.lastText(conv))
	}
	after := 0
	for _, r := range sharedSim.Requests() {
		if r.Method == http.MethodPatch && strings.Contains(r.Path, user) {
			after++
		}
	}
	if after != patches {
		t.Error("the retry redid step one")
	}
}

func TestAuthenticatorOnANewDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-auth"
	user := aadFor(conv)
	old := methodsOf(t, user).Authenticators[0]
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "change-authenticator"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangeAdded}))
	if !strings.Contains(e.lastText(conv), "まだ見つかりません") {
		t.Errorf("no new device yet: %s", e.lastText(conv))
	}
	// The person adds the app on the new phone at mysecurityinfo.
	req := httptest.NewRequest(http.MethodPost, "/_sim/users/"+user+"/authenticators", strings.NewReader(`{"displayName":"iPhone 16"}`))
	rec := httptest.NewRecorder()
	sharedSim.ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		t.Fatalf("sim: %d %s", rec.Code, rec.Body)
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangeAdded}))
	if !strings.Contains(e.lastText(conv), "iPhone 16") {
		t.Fatalf("the new device should be named: %s", e.lastText(conv))
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "device:" + old.ID}))
	e.confirmPending(t, conv)
	m := methodsOf(t, user)
	if len(m.Authenticators) != 1 || m.Authenticators[0].DisplayName != "iPhone 16" {
		t.Errorf("Authenticators = %+v, want only the new device", m.Authenticators)
	}
	if !strings.Contains(e.lastText(conv), "古いスマホの Authenticator アプリからも") {
		t.Errorf("the result should remind to remove the account from the old phone's app: %s", e.lastText(conv))
	}
}

func TestWriteLimitPerPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withEffectsFunc(func(st *store.DB) bot.EffectRunner {
		return &bot.Effects{Feedback: st, Graph: sharedGraph, Changes: st, Region: "JP", Now: time.Now, Log: zap.NewNop(),
			Policy: bot.RateLimit{Store: st, PerHour: 1}, StepUp: &bot.StepUp{Off: true}, Privilege: &bot.Privilege{Graph: sharedGraph}}
	}))
	conv := "a:1change-limit"
	user := aadFor(conv)
	addOffice := func(number string) {
		e.backupOffice(t, conv, number)
		e.confirmPending(t, conv)
	}
	addOffice("03-1234-5678")
	if _, ok := methodsOf(t, user).Phone(graph.Office); !ok {
		t.Fatal("the first change did not go through")
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "remove"}))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "phone:office"}))
	writes := writesFor(user)
	e.confirmPending(t, conv)
	if writesFor(user) != writes {
		t.Error("a change over the limit reached Graph")
	}
	if !strings.Contains(e.lastText(conv), "1回変更しています") {
		t.Errorf("the person should be told about the limit: %s", e.lastText(conv))
	}
}

func TestChangeLogsCarryNoPhoneNumbers(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.DebugLevel)
	e := newEnv(t, withLogger(zap.New(core)))
	conv := "a:1change-logs"
	e.backupOffice(t, conv, "12") // refused: too short
	e.do(t, e.message(conv, "03-9876-5432"))
	sharedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: aadFor(conv) + "/authentication/phoneMethods", Status: 503, Times: 2})
	e.confirmPending(t, conv)
	e.confirmPending(t, conv)
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, entry := range logs.All() {
		line := entry.Message
		for k, v := range entry.ContextMap() {
			line += fmt.Sprintf(" %s=%v", k, v)
		}
		for _, secret := range []string{"9876", "5432", "03-9876"} {
			if strings.Contains(line, secret) {
				t.Errorf("log entry %q contains %q", line, secret)
			}
		}
	}
}

func TestAbandonedFlowsForgetTheNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	abandoned, waiting := "a:1forget-abandoned", "a:1forget-waiting"
	e.backupOffice(t, abandoned, "03-4444-5555") // preview shown, never confirmed
	e.do(t, e.submit(waiting, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "phone"}))
	e.do(t, e.submit(waiting, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "unknown"}))
	e.do(t, e.message(waiting, "03-6666-7777"))
	e.confirmPending(t, waiting) // the temporary number is registered; the flow waits

	n, err := e.runner.ForgetIdleNumbers(t.Context(), e.store, time.Now().Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("forgot %d conversations (%v), want 1", n, err)
	}
	snap, _ := e.store.Load(t.Context(), abandoned, "")
	if strings.Contains(string(snap.State), "44445555") || strings.Contains(string(snap.State), `"dialog":"change"`) {
		t.Errorf("the abandoned flow and its number are still saved: %s", snap.State)
	}
	snap, _ = e.store.Load(t.Context(), waiting, "")
	if !strings.Contains(string(snap.State), `"stage":"temp-done"`) {
		t.Errorf("the flow waiting for the new number was dropped: %s", snap.State)
	}
}

func TestSlowChangeAnswersTheClickThenUpdatesTheCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1change-slow"
	e.backupOffice(t, conv, "03-1212-3434")
	sharedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: aadFor(conv) + "/authentication/phoneMethods", Latency: 4 * time.Second, Times: 1})
	start := time.Now()
	rec := e.postRaw(mustJSON(t, e.execute(conv, dialogs.VerbChangeConfirm, map[string]any{"req": e.pendingReq(t, conv)})), "Bearer "+e.idp.token(t, e.conn.serviceURL()))
	if !strings.Contains(rec.Body.String(), "確定しました") {
		t.Errorf("a slow change should answer the click at once: %s", rec.Body)
	}
	if time.Since(start) < 4*time.Second {
		t.Fatal("postRaw returned before the background write (it waits for the runner)")
	}
	var updated bool
	for _, s := range e.conn.sentTo(conv) {
		if s.Method == http.MethodPut && strings.HasSuffix(s.Path, "/activities/"+clickedCardID) && strings.Contains(s.cardText(), "変更しました") {
			updated = true
		}
	}
	if !updated {
		t.Error("the clicked card was not updated in place with the outcome")
	}
}

// A confirmation's deadline is shown in the organisation's zone (the
// runner's clock is in it): 「10:39 まで有効」 in Japan, whatever the host's
// zone, and with the zone's name in English.
func TestDeadlineInTheOrganisationsZone(t *testing.T) {
	t.Parallel()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	// 01:29 UTC is 10:29 in Tokyo; the confirmation lasts ten minutes.
	at := time.Date(2026, 12, 2, 1, 29, 0, 0, time.UTC)
	e := newEnv(t, withClock(func() time.Time { return at.In(tokyo) }))
	for _, tt := range []struct{ conv, lang, want, not string }{
		{"a:1deadline-ja", "", "（10:39 まで有効）", "UTC"},
		{"a:1deadline-en", "English", "valid until 10:39 JST", "UTC"},
	} {
		if tt.lang != "" {
			e.do(t, e.message(tt.conv, tt.lang))
		}
		e.do(t, e.submit(tt.conv, map[string]any{cards.VerbKey: cards.VerbChange, cards.KindKey: "phone"}))
		e.do(t, e.submit(tt.conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "known"}))
		e.do(t, e.message(tt.conv, "080-1234-5678"))
		e.do(t, e.submit(tt.conv, map[string]any{cards.VerbKey: dialogs.VerbChangePick, "choice": "sms"}))
		if got := e.lastText(tt.conv); !strings.Contains(got, tt.want) || strings.Contains(got, tt.not) {
			t.Errorf("%s preview: want %q and no %q in:\n%s", tt.conv, tt.want, tt.not, got)
		}
	}
}
