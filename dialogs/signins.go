package dialogs

import (
	"slices"
	"strings"
	"time"

	"github.com/mfadesk/mfadesk/cards"
)

// Explaining failed sign-ins from the person's own sign-in log (Microsoft
// Entra's, read through Graph: bot.Effects). When the bot answers a
// question about a failing method in a 1:1 chat, it asks for the person's
// attempts of the last day (ReadSignIns), and if they show failed MFA
// steps since their last success, it says what the log shows, when, and
// what to do. Without the log (no permission, no licence, Graph away)
// nothing more is said: the answer stands as it always did.

// ReadSignIns asks the runner for the person's sign-in attempts of the last
// SignInWindow. Its Result.Value is []SignInAttempt, newest first.
type ReadSignIns struct{}

// EffectName implements [Effect].
func (ReadSignIns) EffectName() string { return "signins.read" }

// SignInWindow is how far back the person's attempts are read.
const SignInWindow = 24 * time.Hour

// signInRecheck is how long after one look at the log the bot looks again
// for the same person: someone asking the same thing twice in a row gets
// one explanation, not two.
const signInRecheck = 10 * time.Minute

// SignInAttempt is one attempt from the sign-in log: what explaining it
// needs. No IP address, no place beyond the country.
type SignInAttempt struct {
	At                time.Time
	ErrorCode         int
	FailureReason     string
	AdditionalDetails string
	ConditionalAccess string // success, failure, notApplied
	Country           string
	Steps             []SignInStep
}

// SignInStep is one method tried in an attempt.
type SignInStep struct {
	Method    string
	Succeeded bool
	Detail    string
}

// diagnosedTopics are the answers after which the log is read: those about
// a method that fails, or a sign-in that is blocked.
var diagnosedTopics = map[string]bool{
	"sms-not-arriving": true, "voice-call-failed": true, "roaming-abroad": true, "number-matching": true,
	"authenticator-no-notification": true, "default-method-ignored": true, "passkey-blocked-prompt": true,
	"passkey-signin-problem": true, "sms-voice-retirement": true,
}

// interrupts are error codes of a sign-in that merely asked for more on
// its way (MFA, a password reset registration, "stay signed in?"): the
// person's next step decides. Entra's error codes reference.
var interrupts = []int{50074, 50076, 50140, 50125, 50058, 16000}

// Diagnose reads the person's attempts (any order) and says what their
// failed ones since the last success show; ok is false when nothing failed
// since then.
func Diagnose(attempts []SignInAttempt) (d cards.SignInDiagnosis, ok bool) {
	sorted := slices.Clone(attempts)
	slices.SortFunc(sorted, func(a, b SignInAttempt) int { return b.At.Compare(a.At) }) // newest first
	var failed []SignInAttempt
	for _, a := range sorted {
		if a.ErrorCode == 0 {
			break // they got in after that: older failures are history
		}
		if !slices.Contains(interrupts, a.ErrorCode) {
			failed = append(failed, a)
		}
	}
	if len(failed) == 0 {
		return d, false
	}
	shape, method, detail := classify(failed[0])
	d = cards.SignInDiagnosis{Shape: shape, Method: method, Detail: detail, Last: failed[0].At, First: failed[0].At, Country: failed[0].Country}
	for _, a := range failed {
		if s, _, det := classify(a); s != shape || det != detail {
			break // an older, different story
		}
		d.Count++
		d.First = a.At
	}
	if shape != cards.ShapeBlockedByPolicy {
		d.Country = ""
	}
	return d, true
}

// classify says what one failed attempt shows, through which method, and
// for a call what became of it. v1.0's sign-in log says what happened at
// the MFA step only in status.additionalDetails, in Entra's words ("MFA
// denied; user declined the authentication", "MFA denied; user never
// entered the verification code", "MFA denied; phone call went to
// voicemail"): the method is read from them when no
// authenticationDetails (beta) name it.
func classify(a SignInAttempt) (cards.SignInShape, cards.SignInMethod, cards.SignInDetail) {
	detail := strings.ToLower(a.AdditionalDetails + " " + a.FailureReason)
	method := cards.SignInMethod("")
	for _, st := range a.Steps {
		if st.Succeeded {
			continue
		}
		if m := methodOf(st.Method); m != cards.MethodOther || method == "" {
			method = m
		}
		detail += " " + strings.ToLower(st.Detail)
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(detail, w) {
				return true
			}
		}
		return false
	}
	if method == "" || method == cards.MethodOther {
		switch {
		case has("mobile app", "notification", "declined"):
			// Only an app's notification is declined: a call is hung up.
			method = cards.MethodApp
		case has("phone call", "voicemail", "hung up", "unable to reach the user's phone"):
			method = cards.MethodVoice
		case has("verification code", "incorrect code", "sms", "text message"):
			method = cards.MethodSMS
		}
	}
	switch {
	case slices.Contains([]int{53003, 53000, 53001, 530032, 530035}, a.ErrorCode) || a.ConditionalAccess == "failure":
		return cards.ShapeBlockedByPolicy, method, ""
	case has("user is blocked", "fraud"):
		return cards.ShapeAccountBlocked, method, ""
	case a.ErrorCode == 50053 || a.ErrorCode == 50088 || has("too many", "duplicate authentication", "throttl"):
		return cards.ShapeThrottled, method, ""
	case a.ErrorCode == 50079 || a.ErrorCode == 50072 || has("registration prompted", "doesn't have any verification methods", "register"):
		return cards.ShapeMustRegister, method, ""
	}
	switch method {
	case cards.MethodSMS:
		if has("incorrect code", "invalid verification code", "invalid authentication", "already used") {
			return cards.ShapeSMSWrongCode, method, ""
		}
		return cards.ShapeSMSNoCode, method, ""
	case cards.MethodVoice:
		// Entra's words for what became of the call; "call not
		// answered" (beta) says too little to tell.
		switch {
		case has("voicemail"):
			return cards.ShapeVoiceNoAnswer, method, cards.DetailVoicemail
		case has("unable to reach", "unreachable"):
			return cards.ShapeVoiceNoAnswer, method, cards.DetailUnreachable
		case has("hung up"):
			return cards.ShapeVoiceNoAnswer, method, cards.DetailHungUp
		}
		return cards.ShapeVoiceNoAnswer, method, ""
	case cards.MethodApp:
		switch {
		case has("number"):
			return cards.ShapeAppWrongNumber, method, ""
		case has("declined", "denied the"):
			return cards.ShapeAppDenied, method, ""
		}
		return cards.ShapeAppIgnored, method, ""
	}
	return cards.ShapeUnknown, method, ""
}

// methodOf names an authenticationMethod of the sign-in log.
func methodOf(m string) cards.SignInMethod {
	switch l := strings.ToLower(m); {
	case strings.Contains(l, "text message") || l == "sms":
		return cards.MethodSMS
	case strings.Contains(l, "phone call") || strings.Contains(l, "voice"):
		return cards.MethodVoice
	case strings.Contains(l, "mobile app") || strings.Contains(l, "authenticator"):
		return cards.MethodApp
	case strings.Contains(l, "passkey") || strings.Contains(l, "fido"):
		return cards.MethodPasskey
	}
	return cards.MethodOther
}

// askSignIns adds the look at the sign-in log to a turn that answered a
// diagnosed topic in a 1:1 chat (never in a group: the log is the
// person's own), unless the bot looked a moment ago.
func askSignIns(s *Session, in Input, out *Turn) {
	if in.Scope != Personal || in.User.AADObjectID == "" || in.Now.Sub(s.SignInsRead) < signInRecheck {
		return
	}
	for _, m := range out.Replies {
		if diagnosedTopics[m.Topic] {
			s.SignInsRead = in.Now
			out.Effects = append(out.Effects, ReadSignIns{})
			return
		}
	}
}

// What a look at the sign-in log found, besides a shape (Turn.Diagnosed).
const (
	DiagnosedNothing = "nothing" // no failure since the last success
	DiagnosedUnread  = "unread"  // the log could not be read (off, refused, Graph away)
)

// signInsRead answers the look at the log: what it shows, or nothing. What
// it shows is noted in the session for the troubleshooters (SignInNote);
// a look that shows nothing, or failed, drops an older note.
func (r *Router) signInsRead(s *Session, in Input, out Turn) Turn {
	s.SignIns = nil
	attempts, _ := in.Result.Value.([]SignInAttempt)
	if in.Result.Err != nil {
		out.Diagnosed = DiagnosedUnread
		return out
	}
	d, ok := Diagnose(attempts)
	if !ok {
		out.Diagnosed = DiagnosedNothing
		return out
	}
	out.Diagnosed = string(d.Shape)
	d.Last, d.First = d.Last.In(in.Now.Location()), d.First.In(in.Now.Location())
	d.CodesEnded = r.tenant.PhoneCodesEnded(in.Now)
	s.SignIns = &SignInNote{Read: in.Now, Diagnosis: d}
	out.Replies = append(out.Replies, cards.Message{Card: cards.SignInFindings(in.Lang, d, in.Now, humanButton(in.Lang))})
	return out
}

// SignInNote is what the person's sign-in log showed at the bot's last
// look, kept for signInNoteFresh so that a troubleshooter started from
// the answer begins from it (Input.SignIns). It is dropped after that:
// failures "since the last success" go stale once the person may have
// got in.
type SignInNote struct {
	Read      time.Time             `json:"read"`
	Diagnosis cards.SignInDiagnosis `json:"diagnosis"`
}

// signInNoteFresh is how long a SignInNote is believed.
const signInNoteFresh = 15 * time.Minute

// signInsKnown gives in what the session's note says, while it is fresh
// and in the person's 1:1 chat. A stale note is dropped on the person's
// own turn (a message, a click): a turn no one started (a reminder) that
// says nothing leaves the session as it was.
func signInsKnown(s *Session, in *Input) {
	if s.SignIns == nil {
		return
	}
	if in.Now.Sub(s.SignIns.Read) >= signInNoteFresh {
		if in.Kind == TextInput || in.Kind == SubmitInput {
			s.SignIns = nil
		}
		return
	}
	if in.Scope == Personal {
		d := s.SignIns.Diagnosis
		in.SignIns = &d
	}
}

// maxSignInLines bounds the failed sign-ins a ticket lists.
const maxSignInLines = 5

// SignInLines lists the person's failed sign-ins for the helpdesk, newest
// first, at most maxSignInLines, in the helpdesk's language with times in
// loc: when, through what, what happened and Entra's error code. No IP
// address, no place beyond the country of a blocked one.
func SignInLines(attempts []SignInAttempt, loc *time.Location) []string {
	sorted := slices.Clone(attempts)
	slices.SortFunc(sorted, func(a, b SignInAttempt) int { return b.At.Compare(a.At) })
	lines := []string{}
	for _, a := range sorted {
		if a.ErrorCode == 0 || slices.Contains(interrupts, a.ErrorCode) {
			continue
		}
		shape, method, detail := classify(a)
		lines = append(lines, cards.SignInLine(HelpdeskLang, a.At.In(loc), shape, method, detail, a.ErrorCode, a.Country))
		if len(lines) == maxSignInLines {
			break
		}
	}
	return lines
}

// SignInsUnreadable is SignInLines' answer when the log could not be read.
func SignInsUnreadable() []string { return []string{cards.SignInsUnreadable(HelpdeskLang)} }
