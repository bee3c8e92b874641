package cards

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// SignInShape is what a person's failed sign-in attempts show (see
// dialogs.Diagnose).
type SignInShape string

// The shapes the bot explains.
const (
	ShapeSMSNoCode       SignInShape = "sms-no-code"      // a code went by SMS, none was entered
	ShapeSMSWrongCode    SignInShape = "sms-wrong-code"   // the code entered was not the one sent
	ShapeVoiceNoAnswer   SignInShape = "voice-no-answer"  // the call was not answered, or # not pressed
	ShapeAppIgnored      SignInShape = "app-ignored"      // Authenticator's notification was not answered
	ShapeAppDenied       SignInShape = "app-denied"       // it was denied
	ShapeAppWrongNumber  SignInShape = "app-wrong-number" // the wrong number was chosen
	ShapeThrottled       SignInShape = "throttled"        // blocked for too many attempts
	ShapeAccountBlocked  SignInShape = "account-blocked"  // blocked for MFA: fraud reported, or an admin
	ShapeBlockedByPolicy SignInShape = "blocked-policy"   // Conditional Access blocked it (place or device)
	ShapeMustRegister    SignInShape = "must-register"    // the sign-in asked for a new method to be registered
	ShapeUnknown         SignInShape = "unknown"          // failed, for a reason the bot cannot read
)

// SignInMethod is the method of a failed step, in the bot's words.
type SignInMethod string

// The methods.
const (
	MethodSMS     SignInMethod = "sms"
	MethodVoice   SignInMethod = "voice"
	MethodApp     SignInMethod = "app"
	MethodPasskey SignInMethod = "passkey"
	MethodOther   SignInMethod = "other"
)

// SignInDetail is what the log says more exactly about a failed call:
// the troubleshooters skip the questions it answers.
type SignInDetail string

// The details the bot reads.
const (
	DetailVoicemail   SignInDetail = "voicemail"   // the call went to voicemail
	DetailUnreachable SignInDetail = "unreachable" // the call could not reach the phone
	DetailHungUp      SignInDetail = "hung-up"     // the call was answered, and hung up before # was pressed
)

// SignInDiagnosis is what the sign-in log shows: Count failed attempts of
// one shape from First to Last (in the organisation's time zone), and for
// a block by policy the country the attempt came from. It is kept in the
// conversation's session for a few minutes (dialogs.SignInNote).
type SignInDiagnosis struct {
	Shape   SignInShape  `json:"shape"`
	Method  SignInMethod `json:"method,omitempty"`
	Detail  SignInDetail `json:"detail,omitempty"` // of the newest attempt
	Count   int          `json:"count"`
	First   time.Time    `json:"first"`
	Last    time.Time    `json:"last"`
	Country string       `json:"country,omitempty"`
	// CodesEnded: the organisation's SMS and voice codes have ended, so a
	// request to register is the move to a passkey.
	CodesEnded bool `json:"codesEnded,omitempty"`
}

var (
	txtSignInTitle  = Text{"サインインの記録を確認しました", "I looked at your recent sign-ins"}
	txtSignInOnce   = Text{"%s のサインイン", "At %s, "}
	txtSignInTimes  = Text{"%s〜%s の%d回のサインイン", "Between %[1]s and %[2]s (%[3]d sign-ins), "}
	txtSignInSource = Text{
		"あなた自身のサインインログ（過去24時間）から読み取りました。時刻は組織のタイムゾーンです。IPアドレスや詳しい場所は表示しません。",
		"Read from your own sign-in log (the last 24 hours). Times are in the organisation's time zone. No IP address or precise place is shown.",
	}
	txtSignInSteps = Text{"次にすること", "What to do"}

	// What each shape shows, after "Your sign-in at 09:12".
	signInShows = map[SignInShape]Text{
		ShapeSMSNoCode:       {"では、SMSで確認コードが送られましたが、コードが入力されないまま終わっています。", "a code was sent to you by SMS, and none was entered before the sign-in ended."},
		ShapeSMSWrongCode:    {"では、SMSのコードが入力されましたが、送られたコードと一致しませんでした。", "a code was sent to you by SMS, and the code entered was not that one."},
		ShapeVoiceNoAnswer:   {"では、確認の電話がかかりましたが、応答がないか、# が押されないまま終わっています。", "you were called to verify, and the call was not answered, or # was not pressed."},
		ShapeAppIgnored:      {"では、Microsoft Authenticator に通知が送られましたが、時間内に応答がありませんでした。", "a notification went to Microsoft Authenticator, and it was not answered in time."},
		ShapeAppDenied:       {"では、Microsoft Authenticator の通知が「拒否」されました。", "a notification went to Microsoft Authenticator, and it was denied."},
		ShapeAppWrongNumber:  {"では、Microsoft Authenticator で選んだ数字が、サインイン画面の数字と一致しませんでした。", "the number chosen in Microsoft Authenticator was not the one on the sign-in screen."},
		ShapeThrottled:       {"は、短い時間に試した回数が多すぎたため、一時的にブロックされました。", "the sign-in was blocked for a while: there were too many attempts in a short time."},
		ShapeAccountBlocked:  {"では、あなたのアカウントが多要素認証でブロックされています（不正の報告や管理者による措置）。", "your account is blocked for multifactor authentication (after a fraud report, or by an administrator)."},
		ShapeBlockedByPolicy: {"は、組織のアクセスのルール（条件付きアクセス）によってブロックされました。", "the sign-in was blocked by your organisation's access rules (Conditional Access)."},
		ShapeMustRegister:    {"では、新しい認証方法の登録を求められています。", "the sign-in asked you to register a new sign-in method."},
		ShapeUnknown:         {"は失敗していますが、記録からは原因を読み取れませんでした。", "the sign-in failed, and I can't tell why from the log."},
	}
	// What a failed call's detail shows, instead of its shape's words.
	signInDetailShows = map[SignInDetail]Text{
		DetailVoicemail:   {"では、確認の電話が留守番電話につながり、確認できないまま終わっています。", "you were called to verify, and the call went to voicemail."},
		DetailUnreachable: {"では、確認の電話をかけましたが、あなたの電話につながりませんでした。", "the call to verify could not reach your phone."},
		DetailHungUp:      {"では、確認の電話に出たあと、# が押されないまま通話が切れました。", "you answered the call to verify, and it ended before # was pressed."},
	}
	txtSignInBlockedFrom = Text{"は、%sからのアクセスとして、組織のアクセスのルール（条件付きアクセス）によってブロックされました。",
		"a sign-in from %s was blocked by your organisation's access rules (Conditional Access)."}
	txtSignInCodesEnded = Text{"SMSと音声通話のコードは終了しました。サインインを続けるには、パスキーの登録が必要です。",
		"SMS and voice codes have ended: to keep signing in, you need a passkey."}

	// What to do, per shape.
	signInNext = map[SignInShape][]Text{
		ShapeSMSNoCode: {
			{"SMSの受信箱と迷惑メッセージのフォルダを確認してください。", "Look in your text messages, spam folder included."},
			{"届いていなければ、電波の良い場所でサインインし直し、「コードを再送信」を選んでください。", "If nothing came, sign in again somewhere with good signal and choose \"Resend code\"."},
			{"携帯会社の設定で「海外からのSMS」を受け取れるようにしてください。Microsoft のコードは海外の番号から届きます。", "Allow SMS from overseas senders in your carrier's settings: Microsoft's codes come from international numbers."},
		},
		ShapeSMSWrongCode: {
			{"いちばん新しいSMSのコードを入力してください。古いコードは使えません。", "Enter the code from the newest message only: older codes no longer work."},
			{"コードは数分で期限が切れます。届いたらすぐに入力してください。", "Codes expire within minutes: enter it as soon as it arrives."},
		},
		ShapeVoiceNoAnswer: {
			{"電話に出て、案内のとおり # を押してください。押さないと確認になりません。", "Answer the call and press # when it asks you to: without it, nothing is confirmed."},
			{"電話がかかってこない場合は、電波と、登録した番号が正しいかを確認してください。", "If no call comes, check the signal and that your registered number is right."},
			{"サインイン画面の「別の方法でサインインする」から、ほかの方法も選べます。", "You can also choose \"Sign in another way\" on the sign-in screen."},
		},
		ShapeAppIgnored: {
			{"サインイン中は Microsoft Authenticator を開いて、届いた通知に1分以内に応答してください。", "While you sign in, open Microsoft Authenticator and answer the notification within a minute."},
			{"通知が来ない場合は、スマホの設定で Authenticator の通知を許可し、アプリを開いて画面を下に引いて更新してください。", "If no notification comes, allow notifications for Authenticator in your phone's settings, then open the app and pull down to refresh."},
		},
		ShapeAppDenied: {
			{"その時刻にサインインしようとしたのがあなたなら、もう一度サインインして「承認」を選んでください。", "If it was you signing in at that time, sign in again and choose Approve."},
			{"あなたでなければ、承認しないでください。ほかの誰かがあなたのパスワードを知っている可能性があります。すぐにパスワードを変更し、ヘルプデスクに連絡してください。", "If it was not you, do not approve it: someone may know your password. Change your password now and tell the helpdesk."},
		},
		ShapeAppWrongNumber: {
			{"サインイン画面に表示された2桁の数字を、Authenticator にそのまま入力してください。", "Type into Authenticator the two-digit number shown on the sign-in screen."},
			{"自分でサインインしていないのに数字を求められたら、入力せずにヘルプデスクに連絡してください。", "If you were not signing in and were asked for a number, enter nothing and tell the helpdesk."},
		},
		ShapeThrottled: {
			{"続けて試さず、少なくとも5分待ってから1回だけサインインしてください。試すたびに待ち時間が延びることがあります。", "Stop trying for at least five minutes, then sign in once: each try can make the block last longer."},
			{"それでもブロックされる場合は、ヘルプデスクに連絡してください。", "If it is still blocked, contact the helpdesk."},
		},
		ShapeAccountBlocked: {
			{"このブロックはヘルプデスクにしか解除できません。待っても解除されません。", "Only the helpdesk can lift this block: waiting won't."},
			{"心当たりのない認証の要求を「不正」と報告した場合は、パスワードも変更してください。", "If you reported a request you didn't expect as fraud, change your password too."},
		},
		ShapeBlockedByPolicy: {
			{"これは認証方法の不具合ではなく、組織のルールによるものです。組織が管理するパソコンや、学内・社内のネットワークからサインインしてください。", "This is a rule of your organisation, not a fault of your method: sign in from a device or network your organisation manages."},
			{"それでもブロックされる場合や、出張・留学中の場合は、ヘルプデスクに相談してください。", "If it is still blocked, or you are travelling, contact the helpdesk."},
		},
		ShapeMustRegister: {
			{"https://aka.ms/mysecurityinfo でパスキーを登録してください。Microsoft が送るSMSと音声通話のコードは2027年2月1日で終わります。", "Register a passkey at https://aka.ms/mysecurityinfo: the SMS and voice codes Microsoft sends end on 1 February 2027."},
			{"登録の手順は「パスキーを登録する」から案内します。", "\"Register a passkey\" walks you through it."},
		},
		ShapeUnknown: {
			{"上の回答の手順を試してください。", "Try the steps in the answer above."},
			{"それでもサインインできない場合は、担当者につなぎます。記録の時刻を伝えると調査が早くなります。", "If you still can't sign in, talk to a person: the times above help them look into it."},
		},
	}
)

// Short words for the helpdesk's ticket card: one line a failed sign-in.
var (
	signInShapeWords = map[SignInShape]Text{
		ShapeSMSNoCode:       {"コード未入力", "code never entered"},
		ShapeSMSWrongCode:    {"誤ったコード", "wrong code"},
		ShapeVoiceNoAnswer:   {"電話に応答なし／# 未押下", "call not answered or # not pressed"},
		ShapeAppIgnored:      {"通知に応答なし", "notification not answered"},
		ShapeAppDenied:       {"通知を拒否", "notification denied"},
		ShapeAppWrongNumber:  {"番号の不一致", "wrong number chosen"},
		ShapeThrottled:       {"試行回数が多すぎてブロック", "blocked: too many attempts"},
		ShapeAccountBlocked:  {"MFAでブロック（不正の報告など）", "blocked for MFA (fraud report or admin)"},
		ShapeBlockedByPolicy: {"条件付きアクセスでブロック", "blocked by Conditional Access"},
		ShapeMustRegister:    {"方法の登録を要求", "asked to register a method"},
		ShapeUnknown:         {"原因不明の失敗", "failed, reason not readable"},
	}
	signInDetailWords = map[SignInDetail]Text{
		DetailVoicemail:   {"留守番電話につながった", "went to voicemail"},
		DetailUnreachable: {"電話につながらない", "could not reach the phone"},
		DetailHungUp:      {"応答後 # を押さず終了", "answered, hung up before #"},
	}
	signInMethodWords = map[SignInMethod]Text{
		MethodSMS: {"SMS", "SMS"}, MethodVoice: {"電話", "phone call"}, MethodApp: {"Authenticator", "Authenticator"},
		MethodPasskey: {"パスキー", "passkey"},
	}
	txtSignInsUnreadable = Text{"（サインインログを読み取れませんでした）", "(the sign-in log could not be read)"}
)

// SignInLine is one failed sign-in as the helpdesk's card lists it:
// "12/03 09:12 SMS: code never entered (500121)", with the country for a
// block by policy.
func SignInLine(l Lang, at time.Time, shape SignInShape, method SignInMethod, detail SignInDetail, code int, country string) string {
	words := signInShapeWords[shape]
	if w, ok := signInDetailWords[detail]; ok {
		words = w
	}
	if words == (Text{}) {
		words = signInShapeWords[ShapeUnknown]
	}
	line := at.Format("01/02 15:04") + " "
	if m, ok := signInMethodWords[method]; ok {
		line += m.In(l) + ": "
	}
	line += words.In(l)
	if shape == ShapeBlockedByPolicy && country != "" {
		line += ", " + countryName(l, country)
	}
	return line + fmt.Sprintf(" (%d)", code)
}

// SignInsUnreadable is the line for a sign-in log that could not be read.
func SignInsUnreadable(l Lang) string { return txtSignInsUnreadable.In(l) }

// SignInFindings tells a person what their own sign-in log shows: when,
// how many times, through which method, and what to do. now places the
// times: a time of another day shows its date.
func SignInFindings(l Lang, d SignInDiagnosis, now time.Time, human Button) *Card {
	return findings(l, heading(txtSignInTitle.In(l)), d, now, human, false)
}

var (
	txtFromLogSettled = Text{
		"質問にお答えいただく必要はありません。あなたのサインインの記録から、原因が分かっています。",
		"No questions needed: your own sign-in log already shows what went wrong.",
	}
	txtFromLog        = Text{"サインインの記録より：", "From your sign-in log: "}
	txtFromLogSkipped = Text{"記録から分かる質問は省きました。", "I skipped the questions it answers."}
)

// TroubleshooterSettled ends a troubleshooter before its first question:
// the person's sign-in log shows a cause its questions cannot change (a
// block, too many attempts, a code that did arrive). Like every
// troubleshooter card, it offers a person.
func TroubleshooterSettled(l Lang, title string, d SignInDiagnosis, now time.Time, human Button) *Card {
	return findings(l, Container{Type: "Container", Items: []any{
		TextBlock{Type: "TextBlock", Text: title, Wrap: true, Weight: "Bolder", IsSubtle: true, Size: "Small"},
		para(txtFromLogSettled.In(l)),
	}}, d, now, human, true)
}

// SignInEvidence is the line a troubleshooter's card shows when the
// person's sign-in log answered for them: what it shows, and, skipped,
// that the questions it answers were left out.
func SignInEvidence(l Lang, d SignInDiagnosis, now time.Time, skipped bool) string {
	s := txtFromLog.In(l) + signInSays(l, d, now)
	if skipped {
		s += " " + txtFromLogSkipped.In(l)
	}
	return s
}

// signInSays is what the log shows, as a sentence: "At 09:12, a code was
// sent to you by SMS, and none was entered before the sign-in ended."
func signInSays(l Lang, d SignInDiagnosis, now time.Time) string {
	when := txtSignInOnce.Format(l, clock(l, d.Last, now))
	if d.Count > 1 {
		when = txtSignInTimes.Format(l, clock(l, d.First, now), clock(l, d.Last, now), d.Count)
	}
	shows := signInShows[d.Shape]
	if t, ok := signInDetailShows[d.Detail]; ok {
		shows = t
	}
	if shows == (Text{}) {
		shows = signInShows[ShapeUnknown]
	}
	text := when + shows.In(l)
	if d.Shape == ShapeBlockedByPolicy && d.Country != "" {
		text = when + txtSignInBlockedFrom.Format(l, countryName(l, d.Country))
	}
	if d.Shape == ShapeMustRegister && d.CodesEnded {
		text += " " + txtSignInCodesEnded.In(l)
	}
	return text
}

// findings is the card of what the log shows, under top: the sentence,
// what to do, where it was read, and the way on: a person where the
// shape needs one, or always when offerHuman.
func findings(l Lang, top any, d SignInDiagnosis, now time.Time, human Button, offerHuman bool) *Card {
	var steps []string
	for _, t := range signInNext[d.Shape] {
		steps = append(steps, t.In(l))
	}
	if len(steps) == 0 {
		for _, t := range signInNext[ShapeUnknown] {
			steps = append(steps, t.In(l))
		}
	}
	c := newCard(l, top, para(signInSays(l, d, now)), label(txtSignInSteps.In(l)), para(numbered(steps)), subtle(txtSignInSource.In(l)))
	if d.Shape == ShapeMustRegister {
		c.Actions = append(c.Actions, submit(txtMenuPasskey.In(l), VerbPasskey))
	}
	switch d.Shape {
	case ShapeAppDenied, ShapeAppWrongNumber, ShapeThrottled, ShapeAccountBlocked, ShapeBlockedByPolicy, ShapeUnknown:
		offerHuman = true
	}
	if offerHuman {
		c.Actions = append(c.Actions, human.action())
	}
	c.Actions = append(c.Actions, submit(txtMenuButton.In(l), VerbMenu))
	return c
}

// countryName names the country of a sign-in log's countryOrRegion (an
// ISO 3166 code, "FR") in l: フランス, France. A code that names no
// country (ZZ, a private-use code, a typo) is shown as it came.
func countryName(l Lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return code
	}
	names := display.English.Regions()
	if l == Japanese {
		names = display.Japanese.Regions()
	}
	if n := names.Name(r); n != "" {
		return n
	}
	return code
}

// clock is a time as the person reads it: the time of day, with the date
// when it is not today.
func clock(l Lang, t, now time.Time) string {
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	if l == Japanese {
		return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), t.Format("15:04"))
	}
	return t.Format("2 Jan 15:04")
}

func numbered(items []string) string {
	var b strings.Builder
	for i, s := range items {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	return strings.TrimRight(b.String(), "\n")
}
