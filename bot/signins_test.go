package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/graph"
)

// seedSignIns gives person aad these sign-in attempts in the shared
// simulator, in Graph's v1.0 shape.
func seedSignIns(t *testing.T, aad string, attempts []map[string]any) {
	t.Helper()
	// Only these: the simulator outlives a test (go test -count).
	sharedSim.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodDelete, "/_sim/users/"+aad+"/signins", nil))
	b, _ := json.Marshal(attempts)
	rec := httptest.NewRecorder()
	sharedSim.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_sim/users/"+aad+"/signins", bytes.NewReader(b)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("seed: %d %s", rec.Code, rec.Body)
	}
}

// TestAnswerExplainsThePersonsOwnSignIns: a person who asks why the SMS
// doesn't come gets the answer, then what their own sign-in log shows:
// the time (in the bot's zone), what happened and what to do. Asked again
// at once, the log is not read again; someone whose log shows nothing
// failing gets the answer alone.
func TestAnswerExplainsThePersonsOwnSignIns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1signins"
	at := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	seedSignIns(t, aadFor(conv), []map[string]any{
		{"createdDateTime": at.UTC().Format(time.RFC3339), "status": map[string]any{"errorCode": 500121,
			"failureReason":     "Authentication failed during strong authentication request.",
			"additionalDetails": "MFA denied; user never entered the verification code"},
			"conditionalAccessStatus": "notApplied", "ipAddress": "203.0.113.7", "location": map[string]any{"city": "Kyoto", "countryOrRegion": "JP"}},
	})
	e.do(t, e.message(conv, "SMSが届かない"))
	got := e.conn.sentTo(conv)
	if len(got) != 2 {
		t.Fatalf("%d messages, want the answer and what the sign-in log shows", len(got))
	}
	if !strings.Contains(got[0].cardText(), "SMSの確認コードが届かない") {
		t.Errorf("the answer came second or not at all: %s", got[0].cardText())
	}
	findings := got[1].cardText()
	for _, want := range []string{"サインインの記録を確認しました", at.Format("15:04") + " のサインインでは", "コードが入力されないまま", "迷惑メッセージ"} {
		if !strings.Contains(findings, want) {
			t.Errorf("what the log shows lacks %q:\n%s", want, findings)
		}
	}
	if strings.Contains(findings, "203.0.113.7") || strings.Contains(findings, "Kyoto") {
		t.Errorf("the IP address or the city is shown:\n%s", findings)
	}

	e.do(t, e.message(conv, "SMSが来ません"))
	if n := len(e.conn.sentTo(conv)); n != 3 {
		t.Errorf("asked again at once: %d messages in all, want one more answer and no second look at the log", n)
	}

	quiet := "a:1signins-quiet"
	e.do(t, e.message(quiet, "SMSが届かない"))
	if n := len(e.conn.sentTo(quiet)); n != 1 {
		t.Errorf("nothing failing in the log: %d messages, want the answer alone", n)
	}
}

// TestTicketListsTheFailedSignIns: the helpdesk's card of a ticket lists
// the person's failed sign-ins of the day before, one short line each,
// with Entra's error code and no IP address or city.
func TestTicketListsTheFailedSignIns(t *testing.T) {
	t.Parallel()
	e := newDeskEnv(t, false)
	conv := "a:desk-signins"
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	seedSignIns(t, aadFor(conv), []map[string]any{
		{"createdDateTime": at.UTC().Format(time.RFC3339), "status": map[string]any{"errorCode": 500121,
			"additionalDetails": "MFA denied; user hung up the phone call without succeeding the authentication"}, "ipAddress": "203.0.113.8", "location": map[string]any{"city": "Sendai", "countryOrRegion": "JP"}},
	})
	thread := e.openTicket(t, conv, "電話が来ない")
	card := e.conn.sentTo(thread)[0].cardText()
	want := at.Format("01/02 15:04") + " 電話: 応答後 ＃ を押さず終了 (500121)" // markdown's # as a look-alike
	if !strings.Contains(card, "失敗したサインイン") || !strings.Contains(card, want) {
		t.Errorf("the ticket card does not list %q:\n%s", want, card)
	}
	if strings.Contains(card, "203.0.113.8") || strings.Contains(card, "Sendai") {
		t.Errorf("the ticket card shows the IP address or the city:\n%s", card)
	}
}

// gatedLog is a sign-in log that answers only once opened.
type gatedLog struct {
	open     chan struct{}
	attempts []graph.SignIn
}

func (g gatedLog) SignIns(ctx context.Context, _ string, _ time.Time) ([]graph.SignIn, error) {
	select {
	case <-g.open:
		return g.attempts, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestAnswerDoesNotWaitForTheSignInLog: the answer goes out, and the
// message is answered (HTTP 200), while the sign-in log has not answered
// yet; what the log shows follows once it does.
func TestAnswerDoesNotWaitForTheSignInLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gate := gatedLog{open: make(chan struct{}), attempts: []graph.SignIn{{At: time.Now(), ErrorCode: 50053}}}
	e.signIns.Graph = gate
	conv := "a:1signins-slow"
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- e.postNow(e.message(conv, "SMSが届かない")) }()
	select {
	case rec := <-answered:
		if rec.Code != http.StatusOK {
			t.Fatalf("answered HTTP %d %s", rec.Code, rec.Body)
		}
	case <-time.After(30 * time.Second):
		close(gate.open)
		t.Fatal("the message was not answered while the sign-in log kept it waiting")
	}
	if got := e.conn.sentTo(conv); len(got) != 1 || !strings.Contains(got[0].cardText(), "SMSの確認コードが届かない") {
		t.Fatalf("before the log answered: %d messages, want the answer", len(got))
	}
	close(gate.open)
	e.runner.Wait()
	if got := e.conn.sentTo(conv); len(got) != 2 || !strings.Contains(got[1].cardText(), "試した回数が多すぎた") {
		t.Errorf("after the log answered: %d messages, want what it shows (too many attempts)", len(got))
	}
}

// refusingLog is a sign-in log Graph refuses (no Entra ID P1), or that
// fails (err other than a refusal).
type refusingLog struct{ err error }

func (r refusingLog) SignIns(context.Context, string, time.Time) ([]graph.SignIn, error) {
	return nil, r.err
}

// TestLooksAreCountedByWhatTheyFound: a look Graph refuses counts as off,
// one that fails as unread; neither adds to the answer.
func TestLooksAreCountedByWhatTheyFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err   error
		found string
	}{
		{&graph.Error{Kind: graph.Forbidden, Status: 403, Err: graph.ErrNoPremium}, "off"},
		{&graph.Error{Kind: graph.Unavailable, Status: 503}, "unread"},
	} {
		e := newEnv(t)
		e.signIns.Graph = refusingLog{tc.err}
		conv := "a:1signins-" + tc.found
		e.do(t, e.message(conv, "SMSが届かない"))
		if n := len(e.conn.sentTo(conv)); n != 1 {
			t.Errorf("%s: %d messages, want the answer alone", tc.found, n)
		}
		got := series(t, e.metrics)
		if got[`mfadesk_signin_diagnoses_total{found=`+tc.found+`}`] != 1 || got[`mfadesk_signin_diagnoses_total{found=nothing}`] != 0 {
			t.Errorf("%s: counted %v", tc.found, got)
		}
	}
}

// TestEachShapeSeededIsExplained: each failure shape, seeded in the Graph
// simulator as Entra's v1.0 log writes it, is explained in both languages.
func TestEachShapeSeededIsExplained(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i, tc := range []struct {
		status  map[string]any
		ca      string
		ja, en  string
		country string
	}{
		{map[string]any{"errorCode": 500121, "additionalDetails": "MFA denied; user never entered the verification code"}, "", "コードが入力されないまま", "none was entered", ""},
		{map[string]any{"errorCode": 500121, "additionalDetails": "MFA denied; phone call went to voicemail"}, "", "留守番電話につながり", "the call went to voicemail", ""},
		{map[string]any{"errorCode": 500121, "additionalDetails": "MFA denied; unable to reach the user's phone"}, "", "あなたの電話につながりませんでした", "could not reach your phone", ""},
		{map[string]any{"errorCode": 500121, "additionalDetails": "MFA denied; user hung up the phone call without succeeding the authentication"}, "", "# が押されないまま通話が切れました", "it ended before # was pressed", ""},
		{map[string]any{"errorCode": 500121, "additionalDetails": "MFA denied; user didn't respond to mobile app notification"}, "", "時間内に応答がありません", "not answered in time", ""},
		{map[string]any{"errorCode": 500121, "additionalDetails": "MFA denied; user declined the authentication"}, "", "「拒否」されました", "it was denied", ""},
		{map[string]any{"errorCode": 50053, "failureReason": "Account is locked because user tried to sign in too many times with an incorrect user ID or password."}, "", "試した回数が多すぎた", "too many attempts", ""},
		{map[string]any{"errorCode": 53003, "failureReason": "Access has been blocked by Conditional Access policies."}, "failure", "フランスからのアクセス", "a sign-in from France was blocked", "FR"},
		{map[string]any{"errorCode": 50079, "failureReason": "Due to a configuration change made by your administrator, you must enroll in multi-factor authentication."}, "", "新しい認証方法の登録を求められています", "register a new sign-in method", ""},
		{map[string]any{"errorCode": 50158, "failureReason": "External security challenge not satisfied."}, "", "原因を読み取れませんでした", "can't tell why", ""},
	} {
		for _, lang := range []string{"ja", "en"} {
			conv := fmt.Sprintf("a:1shape-%d-%s", i, lang)
			seedSignIns(t, aadFor(conv), []map[string]any{{"status": tc.status, "conditionalAccessStatus": tc.ca,
				"location": map[string]any{"countryOrRegion": tc.country}}})
			text := "SMSが届かない"
			if lang == "en" {
				text = "I don't get the SMS code"
			}
			e.do(t, e.message(conv, text))
			got := e.conn.sentTo(conv)
			want := tc.ja
			if lang == "en" {
				want = tc.en
			}
			if len(got) != 2 || !strings.Contains(got[1].cardText(), want) {
				last := ""
				if len(got) > 0 {
					last = got[len(got)-1].cardText()
				}
				t.Errorf("%v in %s: %d messages, the last %q; want it to say %q", tc.status, lang, len(got), last, want)
			}
		}
	}
}

// TestTroubleshooterStartsFromTheSeededLog: a person whose phone the
// verification call could not reach asks why it fails; the answer's
// troubleshooter, clicked next, does not ask what the log answers ("did
// it ring?") and says what the log showed.
func TestTroubleshooterStartsFromTheSeededLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1signins-ts"
	at := time.Now().Add(-6 * time.Minute).Truncate(time.Second)
	seedSignIns(t, aadFor(conv), []map[string]any{
		{"createdDateTime": at.UTC().Format(time.RFC3339), "status": map[string]any{"errorCode": 500121,
			"failureReason":     "Authentication failed during strong authentication request.",
			"additionalDetails": "MFA denied; unable to reach the user's phone"}, "conditionalAccessStatus": "notApplied"},
	})
	e.do(t, e.message(conv, "音声通話の認証が失敗する"))
	if got := e.conn.sentTo(conv); len(got) != 2 || !strings.Contains(got[1].cardText(), "あなたの電話につながりませんでした") {
		t.Fatalf("%d messages; want the answer, then that the call could not reach the phone", len(got))
	}
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbTroubleshoot, cards.TSKey: "voice"}))
	got := e.conn.sentTo(conv)
	first := got[len(got)-1].cardText()
	for _, want := range []string{"サインインの記録より", at.Format("15:04"), "あなたの電話につながりませんでした", "記録から分かる質問は省きました", "転送や留守番電話サービスを使っていますか"} {
		if !strings.Contains(first, want) {
			t.Errorf("the troubleshooter's first card lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "かかってきましたか") {
		t.Errorf("it asked whether the call came, which the log answers:\n%s", first)
	}
	if n := series(t, e.metrics)[`mfadesk_signin_diagnoses_total{found=voice-no-answer}`]; n != 1 {
		t.Errorf("looks that found an unanswered call counted %v, want 1", n)
	}
}
