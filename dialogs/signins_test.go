package dialogs_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

// TestDiagnose: each failure shape, as the sign-in log writes it (v1.0:
// status.additionalDetails and the error code; beta's
// authenticationDetails where a Graph gives them), is read as that shape,
// with the count and times of its attempts since the last success.
func TestDiagnose(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 0, 12, 0, 0, time.UTC)
	mfa := func(details string) dialogs.SignInAttempt {
		return dialogs.SignInAttempt{ErrorCode: 500121, FailureReason: "Authentication failed during strong authentication request.", AdditionalDetails: details}
	}
	step := func(method, detail string) dialogs.SignInAttempt {
		a := mfa("")
		a.Steps = []dialogs.SignInStep{{Method: "Password", Succeeded: true}, {Method: method, Detail: detail}}
		return a
	}
	tests := []struct {
		name string
		a    dialogs.SignInAttempt
		want cards.SignInShape
	}{
		{"SMS sent, never entered", mfa("MFA denied; user never entered the verification code"), cards.ShapeSMSNoCode},
		{"SMS, beta detail", step("Text message", "Authentication in progress"), cards.ShapeSMSNoCode},
		{"SMS, wrong code", mfa("MFA denied; user entered incorrect code"), cards.ShapeSMSWrongCode},
		{"voice to voicemail", mfa("MFA denied; phone call went to voicemail"), cards.ShapeVoiceNoAnswer},
		{"voice hung up", mfa("MFA denied; user hung up the phone call without succeeding the authentication"), cards.ShapeVoiceNoAnswer},
		{"voice, beta detail", step("Phone call", "Call not answered"), cards.ShapeVoiceNoAnswer},
		{"app not answered", mfa("MFA denied; user didn't respond to mobile app notification"), cards.ShapeAppIgnored},
		{"app denied", mfa("MFA denied; user declined the authentication"), cards.ShapeAppDenied},
		{"app wrong number", step("Mobile app notification", "User did not select the correct number"), cards.ShapeAppWrongNumber},
		{"throttled: duplicate attempts", mfa("MFA denied; duplicate authentication attempt"), cards.ShapeThrottled},
		{"throttled: locked", dialogs.SignInAttempt{ErrorCode: 50053}, cards.ShapeThrottled},
		{"throttled: telecom limit", dialogs.SignInAttempt{ErrorCode: 50088}, cards.ShapeThrottled},
		{"blocked after a fraud report", mfa("MFA denied; Phone App Reported Fraud"), cards.ShapeAccountBlocked},
		{"blocked for MFA", mfa("MFA denied; user is blocked"), cards.ShapeAccountBlocked},
		{"Conditional Access", dialogs.SignInAttempt{ErrorCode: 53003, ConditionalAccess: "failure", Country: "FR"}, cards.ShapeBlockedByPolicy},
		{"device not compliant", dialogs.SignInAttempt{ErrorCode: 53000}, cards.ShapeBlockedByPolicy},
		{"must register (after 1 February)", dialogs.SignInAttempt{ErrorCode: 50079}, cards.ShapeMustRegister},
		{"something else", dialogs.SignInAttempt{ErrorCode: 50158}, cards.ShapeUnknown},
	}
	for _, tt := range tests {
		older := tt.a
		older.At = t0
		newer := tt.a
		newer.At = t0.Add(8 * time.Minute)
		// Newest first, as Graph lists them: an interrupt on the way, two
		// failures of the shape, then an older success and failure.
		d, ok := dialogs.Diagnose([]dialogs.SignInAttempt{
			{ErrorCode: 50074, At: t0.Add(9 * time.Minute)}, newer, older,
			{At: t0.Add(-time.Hour)}, {ErrorCode: 53003, At: t0.Add(-2 * time.Hour)},
		})
		if !ok || d.Shape != tt.want || d.Count != 2 || !d.First.Equal(t0) || !d.Last.Equal(newer.At) {
			t.Errorf("%s: %+v %v, want %s twice from %v", tt.name, d, ok, tt.want, t0)
		}
		if (d.Country != "") != (tt.want == cards.ShapeBlockedByPolicy && tt.a.Country != "") {
			t.Errorf("%s: country %q shown", tt.name, d.Country)
		}
	}
	if _, ok := dialogs.Diagnose([]dialogs.SignInAttempt{{At: t0}, mfa("MFA denied; user declined the authentication")}); ok {
		t.Error("failures before a success were explained: the person got in since")
	}
	if _, ok := dialogs.Diagnose(nil); ok {
		t.Error("an empty log was explained")
	}

	// Calls that ended differently are different stories: the newest is
	// told alone.
	hungUp := mfa("MFA denied; user hung up the phone call without succeeding the authentication")
	hungUp.At = t0
	vm := mfa("MFA denied; phone call went to voicemail")
	vm.At = t0.Add(time.Minute)
	if d, _ := dialogs.Diagnose([]dialogs.SignInAttempt{vm, hungUp}); d.Count != 1 || d.Detail != cards.DetailVoicemail {
		t.Errorf("a call to voicemail after one hung up: %+v, want the voicemail alone", d)
	}

	// What became of a call, in Entra's words: the troubleshooters skip
	// the questions it answers.
	for details, want := range map[string]cards.SignInDetail{
		"MFA denied; phone call went to voicemail":                                      cards.DetailVoicemail,
		"MFA denied; unable to reach the user's phone":                                  cards.DetailUnreachable,
		"MFA denied; user hung up the phone call without succeeding the authentication": cards.DetailHungUp,
		"MFA denied; user declined the authentication":                                  "",
	} {
		if d, _ := dialogs.Diagnose([]dialogs.SignInAttempt{mfa(details)}); d.Detail != want {
			t.Errorf("%q: detail %q, want %q", details, d.Detail, want)
		}
	}
}

// TestSignInsAreReadInOneselfsChatOnly: an answer about a failing method
// asks for the person's own sign-in log in their 1:1 chat, once in a
// while; never in a group chat or channel, nor for an answer about
// something else; what the log shows comes back as a card, and a log that
// could not be read adds nothing.
func TestSignInsAreReadInOneselfsChatOnly(t *testing.T) {
	r := dialogs.NewRouter(testKB, nil)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	in := func(scope dialogs.Scope, text string, at time.Time) dialogs.Input {
		return dialogs.Input{Kind: dialogs.TextInput, Text: text, Scope: scope, Now: at, Locale: "ja-JP",
			User: dialogs.User{ID: "29:1", AADObjectID: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"}}
	}
	reads := func(out dialogs.Turn) bool {
		for _, e := range out.Effects {
			if _, ok := e.(dialogs.ReadSignIns); ok {
				return true
			}
		}
		return false
	}
	var s dialogs.Session
	for _, scope := range []dialogs.Scope{dialogs.GroupChat, dialogs.Channel} {
		if _, out := r.Step(s, in(scope, "SMSが届かない", now)); reads(out) {
			t.Errorf("scope %v: the sign-in log is read where others see the answer", scope)
		}
	}
	if _, out := r.Step(s, in(dialogs.Personal, "パスキーって何？", now)); reads(out) {
		t.Error("an answer about something else reads the sign-in log")
	}
	s, out := r.Step(s, in(dialogs.Personal, "SMSが届かない", now))
	if !reads(out) {
		t.Fatal("an answer about SMS in a 1:1 chat does not read the sign-in log")
	}
	if _, again := r.Step(s, in(dialogs.Personal, "SMSが届かない", now.Add(time.Minute))); reads(again) {
		t.Error("read again a minute later")
	}
	if _, later := r.Step(s, in(dialogs.Personal, "SMSが届かない", now.Add(time.Hour))); !reads(later) {
		t.Error("not read again an hour later")
	}

	result := func(res dialogs.Result) dialogs.Turn {
		_, out := r.Step(s, dialogs.Input{Kind: dialogs.ResultInput, Result: &res, Scope: dialogs.Personal, Now: now, Locale: "ja-JP"})
		return out
	}
	failed := []dialogs.SignInAttempt{{At: now.Add(-5 * time.Minute), ErrorCode: 500121, AdditionalDetails: "MFA denied; user declined the authentication"}}
	if out := result(dialogs.Result{Effect: "signins.read", Value: failed}); len(out.Replies) != 1 || out.Replies[0].Card == nil {
		t.Errorf("what the log shows: %+v, want one card", out.Replies)
	}
	if out := result(dialogs.Result{Effect: "signins.read", Err: errors.New("off")}); len(out.Replies) != 0 {
		t.Errorf("a log that could not be read added %+v", out.Replies)
	}
}

// TestTroubleshooterFollowsTheLogJustRead: what the look at the log after
// an answer showed is kept for a few minutes, in the person's 1:1 chat:
// the troubleshooter the answer offers starts from it, and a quarter of
// an hour later it starts afresh (the person may have got in since).
func TestTroubleshooterFollowsTheLogJustRead(t *testing.T) {
	r := dialogs.NewRouter(testKB, nil)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	user := dialogs.User{ID: "29:1", AADObjectID: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"}
	s, _ := r.Step(dialogs.Session{}, dialogs.Input{Kind: dialogs.TextInput, Text: "認証の電話がかかってこない", Scope: dialogs.Personal, Now: now, Locale: "ja-JP", User: user})
	unreachable := []dialogs.SignInAttempt{{At: now.Add(-3 * time.Minute), ErrorCode: 500121, AdditionalDetails: "MFA denied; unable to reach the user's phone"}}
	s, out := r.Step(s, dialogs.Input{Kind: dialogs.ResultInput, Scope: dialogs.Personal, Now: now, Locale: "ja-JP", User: user,
		Result: &dialogs.Result{Effect: "signins.read", Value: unreachable}})
	if len(out.Replies) != 1 {
		t.Fatalf("the log's findings: %d replies", len(out.Replies))
	}
	click := func(s dialogs.Session, scope dialogs.Scope, at time.Time) (dialogs.Turn, string) {
		_, out := r.Step(s, dialogs.Input{Kind: dialogs.SubmitInput, Verb: cards.VerbTroubleshoot, Data: map[string]string{cards.TSKey: "voice"},
			Scope: scope, Now: at, Locale: "ja-JP", User: user})
		b, _ := json.Marshal(out.Replies)
		return out, string(b)
	}
	if out, card := click(s, dialogs.Personal, now.Add(2*time.Minute)); out.Status != dialogs.Waiting || !strings.Contains(card, "転送や留守番電話") ||
		!strings.Contains(card, "あなたの電話につながりませんでした") || !strings.Contains(card, "記録から分かる質問は省きました") {
		t.Errorf("two minutes later: %v %s; want whether forwarding is on, saying the call could not reach the phone", out.Status, card)
	}
	if out, card := click(s, dialogs.Personal, now.Add(20*time.Minute)); out.Status != dialogs.Waiting || strings.Contains(card, "サインインの記録より") {
		t.Errorf("twenty minutes later: %v %s; want the first question, without the old log", out.Status, card)
	}
	// Were the same session a group's (it never is: the log is read in
	// 1:1 chats only), the note would not be shown there.
	if out, card := click(s, dialogs.GroupChat, now.Add(2*time.Minute)); out.Status != dialogs.Waiting || strings.Contains(card, "サインインの記録より") {
		t.Errorf("in a group chat: %v %s; want the first question, without the log", out.Status, card)
	}
	// A reminder no one started leaves even a stale note as it was: only
	// the person's own turns drop it.
	if later, _ := r.Step(s, dialogs.Input{Kind: dialogs.EventInput, Event: dialogs.EventTempReminder, Scope: dialogs.Personal,
		Now: now.Add(time.Hour), Locale: "ja-JP", User: user}); later.SignIns == nil {
		t.Error("a reminder dropped the stale note: the session changed for a turn that said nothing")
	}
	if later, _ := r.Step(s, dialogs.Input{Kind: dialogs.TextInput, Text: "メニュー", Scope: dialogs.Personal,
		Now: now.Add(time.Hour), Locale: "ja-JP", User: user}); later.SignIns != nil {
		t.Error("the person's turn an hour later kept the stale note")
	}
	// A later look that shows nothing failed drops the note.
	s, _ = r.Step(s, dialogs.Input{Kind: dialogs.ResultInput, Scope: dialogs.Personal, Now: now.Add(time.Minute), Locale: "ja-JP", User: user,
		Result: &dialogs.Result{Effect: "signins.read", Value: []dialogs.SignInAttempt{{At: now}}}})
	if s.SignIns != nil {
		t.Errorf("a look that showed no failure kept the older note: %+v", s.SignIns)
	}
}
