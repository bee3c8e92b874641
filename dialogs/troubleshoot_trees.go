package dialogs

import (
	"slices"

	"github.com/mfadesk/mfadesk/cards"
)

// tsTree is an interactive troubleshooter: a few questions, then the fix.
type tsTree struct {
	ID    string
	Topic string // the FAQ topic it belongs to (feedback is counted there)
	Title cards.Text
	Start string
	Nodes map[string]tsNode
	// Method is the method it is about: a sign-in log that shows this
	// method failing is shown on its first question.
	Method cards.SignInMethod
	// Settled are the shapes of the sign-in log that answer it before any
	// question, besides those that settle every tree (settledEverywhere).
	Settled []cards.SignInShape
}

// settledEverywhere are the shapes of the sign-in log no troubleshooter's
// questions can change: the person is blocked, or must register a method,
// whatever their phone does.
var settledEverywhere = []cards.SignInShape{
	cards.ShapeThrottled, cards.ShapeAccountBlocked, cards.ShapeBlockedByPolicy, cards.ShapeMustRegister,
}

// settledBy says whether the sign-in log answers the whole tree.
func (t tsTree) settledBy(d cards.SignInDiagnosis) bool {
	return slices.Contains(settledEverywhere, d.Shape) || slices.Contains(t.Settled, d.Shape)
}

// skipKnown follows, from node, the options the sign-in log proves, and
// says where it stops and how many questions it answered.
func (t tsTree) skipKnown(node string, d cards.SignInDiagnosis) (string, int) {
	skipped := 0
	for range len(t.Nodes) { // the trees have no loops (TestTroubleshooterTrees); this bounds a mistake
		next := ""
		for _, o := range t.Nodes[node].Options {
			if o.Proven != nil && o.Proven(d) {
				next = o.Next
				break
			}
		}
		if next == "" {
			break
		}
		node, skipped = next, skipped+1
	}
	return node, skipped
}

// tsNode is a question with options, or (without options) a fix.
type tsNode struct {
	Text    cards.Text
	Options []tsOption
	Steps   []cards.Text
	Actions []string // faq actions offered with a fix
}

type tsOption struct {
	Label cards.Text
	Next  string
	// Proven says the person's sign-in log shows this is the answer: the
	// question is skipped (tsTree.skipKnown).
	Proven func(cards.SignInDiagnosis) bool
}

func (n tsNode) isFix() bool { return len(n.Options) == 0 }

func opt(ja, en, next string) tsOption {
	return tsOption{Label: cards.Text{JA: ja, EN: en}, Next: next}
}

// provenBy is o, answered by the sign-in log where proof says so.
func (o tsOption) provenBy(proof func(cards.SignInDiagnosis) bool) tsOption {
	o.Proven = proof
	return o
}

// What the sign-in log can prove about the person's phone.
var (
	// The call reached them: they answered it.
	callAnswered = func(d cards.SignInDiagnosis) bool { return d.Detail == cards.DetailHungUp }
	// No call reached them: the phone was out of reach. (A call that went
	// to voicemail proves nothing either way: it may have rung unheard.)
	callMissed = func(d cards.SignInDiagnosis) bool { return d.Detail == cards.DetailUnreachable }
	// Microsoft Authenticator is set up: a notification went to it and was
	// not answered, denied, or got the wrong number.
	appSetUp = func(d cards.SignInDiagnosis) bool {
		return slices.Contains([]cards.SignInShape{cards.ShapeAppIgnored, cards.ShapeAppDenied, cards.ShapeAppWrongNumber}, d.Shape)
	}
)

// trees are the three troubleshooters the helpdesk sees most often.
var trees = map[string]tsTree{
	"sms": {
		ID: "sms", Topic: "sms-not-arriving", Start: "other-sms", Method: cards.MethodSMS,
		// A wrong code entered: the SMS did arrive.
		Settled: []cards.SignInShape{cards.ShapeSMSWrongCode},
		Title:   cards.Text{JA: "SMSが届かないときの確認", EN: "When the SMS code doesn't arrive"},
		Nodes: map[string]tsNode{
			"other-sms": {Text: cards.Text{JA: "そのスマホに、ほかのSMS（友人や他のサービスからのもの）は届いていますか？", EN: "Do other text messages (from friends or other services) reach that phone?"},
				Options: []tsOption{opt("はい、届く", "Yes, they do", "number"), opt("いいえ、何も届かない", "No, nothing arrives", "signal")}},
			"signal": {Text: cards.Text{JA: "電波は入っていますか？（機内モードではありませんか？）", EN: "Does the phone have signal (and is airplane mode off)?"},
				Options: []tsOption{opt("電波はある", "Yes, there's signal", "fix-plan"), opt("圏外・電波が弱い", "No or weak signal", "fix-signal")}},
			"number": {Text: cards.Text{JA: "セキュリティ情報に登録されている電話番号は、今のあなたの番号ですか？", EN: "Is the phone number registered in your Security info your current number?"},
				Options: []tsOption{opt("はい", "Yes", "abroad"), opt("違う・分からない", "No / not sure", "fix-number")}},
			"abroad": {Text: cards.Text{JA: "今、海外にいますか？", EN: "Are you abroad right now?"},
				Options: []tsOption{opt("はい、海外にいる", "Yes, I'm abroad", "fix-abroad"), opt("いいえ、国内", "No", "fix-overseas-block")}},
			"fix-signal": {Text: cards.Text{JA: "SMSは電波がないと届きません。電波の良い場所に移動してから「コードを再送信」を選んでください。", EN: "Text messages need signal. Move somewhere with good reception, then choose \"Resend code\"."},
				Steps: []cards.Text{
					{JA: "電波の良い場所で1〜2分待つ", EN: "Wait a minute or two where the signal is good"},
					{JA: "認証アプリを登録済みなら、アプリのコードは電波がなくても使える", EN: "If you have the Authenticator app, its codes work without any signal"},
					{JA: "固定電話を登録済みなら「別の方法でサインインする」から音声通話を選ぶ", EN: "If you registered a landline, choose \"Sign in another way\" and take a call there"},
				}, Actions: []string{"human"}},
			"fix-plan": {Text: cards.Text{JA: "電波があるのにSMSが全く届かない場合、契約プランがSMSに対応していない（データ専用SIMなど）か、SMSの受信が止められている可能性があります。携帯会社に確認してください。それまでは音声通話か認証アプリを使えます。", EN: "If there is signal but no text arrives at all, your plan may not include SMS (a data-only SIM, say) or SMS may be blocked on the line. Ask your carrier; until then, use a voice call or the Authenticator app."},
				Actions: []string{"troubleshoot-voice", "human"}},
			"fix-number": {Text: cards.Text{JA: "登録した番号が古いと、コードは古い番号に送られます。別の方法でサインインできれば、https://aka.ms/mysecurityinfo で番号を直せます。ほかに方法がない場合は担当者にご相談ください。", EN: "If the registered number is old, the codes go to the old number. If you can sign in another way, fix the number at https://aka.ms/mysecurityinfo. If you have no other way in, talk to a person."},
				Actions: []string{"change-phone", "human"}},
			"fix-abroad": {Text: cards.Text{JA: "海外ではローミングの設定や契約によってSMSが届かないことがあります。海外での確認に進みましょう。", EN: "Abroad, roaming settings and your plan decide whether texts arrive. Let's check what works where you are."},
				Actions: []string{"troubleshoot-roaming"}},
			"fix-overseas-block": {Text: cards.Text{JA: "MicrosoftのSMSは海外の番号から送られます。携帯会社の迷惑SMS対策で「海外からのSMS」や「国際SMS」を拒否していると届きません。", EN: "Microsoft sends its codes from international numbers. If your carrier's spam filter rejects SMS from overseas senders, the codes never arrive."},
				Steps: []cards.Text{
					{JA: "携帯会社のアプリやサイトで、迷惑SMSの設定を開く", EN: "Open your carrier's spam SMS settings (app or website)"},
					{JA: "「海外からのSMS」「国際SMS」の受信を許可する", EN: "Allow messages from overseas / international senders"},
					{JA: "数分待ってからコードを再送信する（何度も続けて送ると一時的に止められます）", EN: "Wait a few minutes, then resend the code (many requests in a row get blocked for a while)"},
					{JA: "急ぐときは「別の方法でサインインする」から音声通話か認証アプリを選ぶ", EN: "In a hurry? Choose \"Sign in another way\" and use a voice call or the app"},
				}, Actions: []string{"human"}},
		},
	},
	"voice": {
		ID: "voice", Topic: "voice-call-failed", Start: "rang", Method: cards.MethodVoice,
		Title: cards.Text{JA: "電話（音声通話）で認証できないときの確認", EN: "When the phone call verification fails"},
		Nodes: map[string]tsNode{
			"rang": {Text: cards.Text{JA: "認証の電話はかかってきましたか？", EN: "Did the verification call come through?"},
				Options: []tsOption{opt("かかってきた", "Yes, it rang", "after").provenBy(callAnswered), opt("かかってこない", "No call at all", "forward").provenBy(callMissed)}},
			"forward": {Text: cards.Text{JA: "その番号で、転送や留守番電話サービスを使っていますか？", EN: "Is call forwarding or voicemail on for that number?"},
				Options: []tsOption{opt("はい・たぶん", "Yes / maybe", "fix-forward"), opt("いいえ", "No", "fix-nocall")}},
			"after": {Text: cards.Text{JA: "電話に出たあと、どうなりましたか？", EN: "What happened after you answered?"},
				Options: []tsOption{
					opt("# を押したが失敗した", "I pressed # but it failed", "extension"),
					opt("# を押すと知らなかった", "I didn't know to press #", "fix-press"),
					opt("# が反応しない", "# doesn't seem to work", "line")}},
			"extension": {Text: cards.Text{JA: "電話番号を登録したとき、「内線番号」の欄に何か入力しましたか？", EN: "When you registered the number, did you fill in the extension field?"},
				Options: []tsOption{opt("入力した", "Yes", "fix-extension"), opt("していない", "No", "fix-press")}},
			"line": {Text: cards.Text{JA: "どんな電話ですか？", EN: "What kind of phone is it?"},
				Options: []tsOption{
					opt("固定電話（ダイヤル回線かも）", "A landline (maybe pulse dialling)", "fix-pulse"),
					opt("光電話・IP電話", "A fibre or IP phone", "fix-fibre"),
					opt("携帯・スマホ", "A mobile phone", "fix-mobile")}},
			"fix-press": {Text: cards.Text{JA: "音声ガイダンスが始まってから約20秒以内に # を押さないと、認証は失敗します。電話に出たらすぐ # を押してください。", EN: "You have about 20 seconds from the start of the recorded message to press #; after that the verification fails. Press # as soon as you hear the message."}},
			"fix-extension": {Text: cards.Text{JA: "内線番号が入っていると、音声通話の認証がうまく動かないことがあります。https://aka.ms/mysecurityinfo で電話を「変更」し、内線番号の欄を空にしてください。", EN: "A filled-in extension can stop the call verification from working. At https://aka.ms/mysecurityinfo choose \"Change\" on the phone and leave the extension empty."},
				Actions: []string{"human"}},
			"fix-forward": {Text: cards.Text{JA: "転送されると、認証の電話が正しく届かないことがあります。転送や留守番電話をいったん止めてから、もう一度試してください。", EN: "A forwarded call may never reach you properly. Turn forwarding and voicemail off for a moment and try again."}},
			"fix-nocall": {Text: cards.Text{JA: "登録した番号が正しいか、電波があるかを確認してください。それでもかからない場合は、SMSか認証アプリでサインインできます。", EN: "Check that the registered number is right and that the phone has signal. If the call still doesn't come, sign in with SMS or the Authenticator app instead."},
				Actions: []string{"troubleshoot-sms", "human"}},
			"fix-pulse": {Text: cards.Text{JA: "ダイヤル回線の電話では、まず *（トーンボタン）を押してから # を押すと認識されることがあります。ダイヤル式（黒電話）ではガイダンスを操作できないため、別の番号か認証アプリを使ってください。", EN: "On a pulse-dialling line, press * (the tone key) first and then #; that often works. A rotary phone can't answer the guidance at all, so use another number or the app."},
				Actions: []string{"add-method"}},
			"fix-fibre": {Text: cards.Text{JA: "一部の光電話・IP電話では # が正しく伝わりません。携帯電話の番号に変えるか、認証アプリを使ってください。", EN: "Some fibre and IP phones don't pass # on correctly. Use a mobile number instead, or the Authenticator app."},
				Actions: []string{"change-phone", "add-method"}},
			"fix-mobile": {Text: cards.Text{JA: "通話中に画面のキーパッドを開いて # を押してください。イヤホンやスピーカーの設定で音が届かないこともあります。うまくいかなければSMSか認証アプリを使えます。", EN: "During the call, open the on-screen keypad and press #. Headset or speaker settings can also get in the way. If it still fails, use SMS or the app."},
				Actions: []string{"troubleshoot-sms", "human"}},
		},
	},
	"roaming": {
		ID: "roaming", Topic: "roaming-abroad", Start: "when",
		Title: cards.Text{JA: "海外で認証するときの確認", EN: "Signing in while abroad"},
		Nodes: map[string]tsNode{
			"when": {Text: cards.Text{JA: "今、海外にいますか？それとも出発前の準備ですか？", EN: "Are you abroad now, or getting ready for a trip?"},
				Options: []tsOption{opt("出発前", "Getting ready", "fix-before"), opt("もう海外にいる", "I'm abroad now", "app")}},
			"app": {Text: cards.Text{JA: "スマホに認証アプリ（Microsoft Authenticator）を登録済みですか？", EN: "Is the Microsoft Authenticator app already set up on your phone?"},
				Options: []tsOption{opt("はい", "Yes", "fix-app").provenBy(appSetUp), opt("いいえ", "No", "signal")}},
			"signal": {Text: cards.Text{JA: "現地でスマホは電話回線につながっていますか？（ローミング）", EN: "Is your phone connected to a mobile network there (roaming)?"},
				Options: []tsOption{opt("つながっている", "Yes", "fix-roaming"), opt("つながらない・Wi-Fiだけ", "No, or only Wi-Fi", "fix-stuck")}},
			"fix-before": {Text: cards.Text{JA: "出発前に認証アプリを入れておくのがいちばん確実です。アプリのコードは電波がなくても使え、ローミング料金もかかりません。", EN: "The surest thing is to set up the Authenticator app before you leave. Its codes work without signal and cost nothing in roaming fees."},
				Steps: []cards.Text{
					{JA: "https://aka.ms/mysecurityinfo で「サインイン方法の追加」から認証アプリを登録する", EN: "At https://aka.ms/mysecurityinfo choose \"Add sign-in method\" and add the Authenticator app"},
					{JA: "登録後、一度アプリでサインインを試しておく", EN: "Try one sign-in with the app before you go"},
					{JA: "SMSや電話を使う場合は、ローミング中の受信料金を契約先に確認する", EN: "If you'll rely on SMS or calls, check your carrier's roaming charges for receiving them"},
				}, Actions: []string{"add-method"}},
			"fix-app": {Text: cards.Text{JA: "認証アプリは電波がなくてもコードを表示できます。サインイン画面で「別の方法でサインインする」→「確認コードを使用する」を選び、アプリに表示された6桁のコードを入力してください。", EN: "The app shows codes even offline. On the sign-in screen choose \"Sign in another way\" → \"Use a verification code\" and type the 6-digit code the app shows."}},
			"fix-roaming": {Text: cards.Text{JA: "ローミング中もSMSや電話は届くことがありますが、料金がかかる場合があります。届かないときは、スマホの設定でローミングがオンか、携帯会社の海外SMSの設定を確認してください。", EN: "Texts and calls can reach you while roaming, though they may cost money. If they don't arrive, check that roaming is on and that your carrier allows international SMS."},
				Actions: []string{"troubleshoot-sms", "human"}},
			"fix-stuck": {Text: cards.Text{JA: "電話回線につながらず認証アプリもない場合、SMSも電話も届かないため自分では認証できません。ヘルプデスクが本人確認のうえ対応しますので、担当者にご相談ください。", EN: "With no mobile network and no app, neither texts nor calls can reach you, so you can't verify on your own. The helpdesk can help after checking who you are: talk to a person."},
				Actions: []string{"human"}},
		},
	},
}
