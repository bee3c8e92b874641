package cards

// The words of the step-up sign-in: the card that asks for it, and the page
// the browser lands on afterwards. Codes come from package bot (the
// verdicts of bot/stepup and the callback's own outcomes); an unknown code
// reads as a failure.

// Sign-in outcome codes, as the callback reports them.
const (
	SignInOK          = "ok"
	SignInOtherPerson = "other_person"
	SignInWrongTenant = "wrong_tenant"
	SignInReplayed    = "replayed"
	SignInStale       = "stale"
	SignInWeak        = "weak"
	SignInCancelled   = "cancelled"
	SignInFailed      = "failed"
	SignInExpired     = "expired"
	SignInUsed        = "used"
	SignInUnknown     = "unknown"
	// SignInOKAgent is SignInOK for a helpdesk agent, whose action does not
	// continue by itself.
	SignInOKAgent = "ok_agent"
)

var signInOutcomes = map[string]struct{ title, body Text }{
	SignInOK: {
		Text{JA: "本人確認ができました", EN: "You're verified"},
		Text{JA: "Teams に戻ってください。変更はチャットの中でそのまま進みます。何も入力する必要はありません。このページは閉じてかまいません。", EN: "Go back to Teams: the change carries on in the chat by itself, with nothing to type. You can close this page."}},
	SignInOKAgent: {
		Text{JA: "本人確認ができました", EN: "You're verified"},
		Text{JA: "Teams に戻り、もう一度ボタンを押してください（10分以内）。このページは閉じてかまいません。", EN: "Go back to Teams and press the button again (within 10 minutes). You can close this page."}},
	SignInOtherPerson: {
		Text{JA: "別のアカウントでサインインされました", EN: "You signed in with another account"},
		Text{JA: "変更を始めた本人のアカウントでサインインする必要があります。何も変更していません。Teams のカードからもう一度お試しください。", EN: "The sign-in must be by the person who started the change. Nothing was changed. Try again from the card in Teams."}},
	SignInWrongTenant: {
		Text{JA: "別の組織のアカウントでサインインされました", EN: "You signed in with an account of another organisation"},
		Text{JA: "所属組織のアカウントでサインインしてください。何も変更していません。", EN: "Sign in with your organisation's account. Nothing was changed."}},
	SignInReplayed: {
		Text{JA: "サインインを確認できませんでした", EN: "The sign-in could not be verified"},
		Text{JA: "このサインインは今回の依頼のものではありません。何も変更していません。Teams のカードからもう一度お試しください。", EN: "This sign-in does not belong to this request. Nothing was changed. Try again from the card in Teams."}},
	SignInStale: {
		Text{JA: "サインインが古すぎます", EN: "That sign-in was too long ago"},
		Text{JA: "直前にパスワードと多要素認証でサインインし直す必要があります。何も変更していません。Teams のカードからもう一度お試しください。", EN: "You need to sign in again, just now, with your password and MFA. Nothing was changed. Try again from the card in Teams."}},
	SignInWeak: {
		Text{JA: "多要素認証でのサインインが確認できませんでした", EN: "The sign-in did not use multi-factor authentication"},
		Text{JA: "サインイン方法の変更には、パスワードだけでなく多要素認証（Authenticator、SMS、パスキーなど）でのサインインが必要です。何も変更していません。", EN: "Changing how you sign in needs a sign-in with multi-factor authentication (Authenticator, SMS, a passkey…), not a password alone. Nothing was changed."}},
	SignInCancelled: {
		Text{JA: "サインインがキャンセルされました", EN: "The sign-in was cancelled"},
		Text{JA: "何も変更していません。続けるには Teams のカードからもう一度サインインしてください。", EN: "Nothing was changed. To go on, sign in again from the card in Teams."}},
	SignInFailed: {
		Text{JA: "サインインを確認できませんでした", EN: "The sign-in could not be verified"},
		Text{JA: "Microsoft からの応答を確認できませんでした。何も変更していません。少し待ってから Teams のカードでもう一度お試しください。", EN: "The answer from Microsoft could not be verified. Nothing was changed. Wait a moment and try again from the card in Teams."}},
	SignInExpired: {
		Text{JA: "このサインインの期限が切れました", EN: "This sign-in link has expired"},
		Text{JA: "確認の期限（10分）を過ぎたため、何も変更していません。Teams でもう一度手続きを始めてください。", EN: "It was not completed within the 10 minutes the confirmation is valid, so nothing was changed. Please start again in Teams."}},
	SignInUsed: {
		Text{JA: "このサインインのリンクは使用済みです", EN: "This sign-in link was already used"},
		Text{JA: "同じリンクは一度しか使えません。結果は Teams のチャットでご確認ください。", EN: "A link works once. See the outcome in your Teams chat."}},
	SignInUnknown: {
		Text{JA: "このサインインのリンクは無効です", EN: "This sign-in link is not valid"},
		Text{JA: "Teams のカードのボタンからサインインしてください。何も変更していません。", EN: "Please sign in from the button on the card in Teams. Nothing was changed."}},
}

// SignInOutcome returns the title and explanation of a sign-in outcome code.
func SignInOutcome(code string) (title, body Text) {
	o, ok := signInOutcomes[code]
	if !ok {
		o = signInOutcomes[SignInFailed]
	}
	return o.title, o.body
}

// SignInPageTitle names the bot on the callback page.
var SignInPageTitle = Text{JA: "MFA Desk 本人確認", EN: "MFA Desk identity check"}

var txtAgentSignIn = Text{
	JA: "一時アクセスパスの発行と変更の承認には、あなた自身の本人確認（多要素認証でのサインイン）が必要です。上のボタンでサインインしてから、もう一度押してください。",
	EN: "Issuing a Temporary Access Pass or approving a change needs your own identity check (a sign-in with MFA). Sign in with the button above, then press yours again.",
}

// AgentSignIn puts the sign-in an agent needs on top of the ticket card c,
// for the agent's eyes only (an invoke answer).
func AgentSignIn(l Lang, c *Card, url string) *Card {
	c.Body = append([]any{Alert(txtAgentSignIn.In(l))}, c.Body...)
	c.Actions = append([]Action{{Type: "Action.OpenUrl", Title: txtSignInConfirm.In(l), URL: url, Style: "positive"}}, c.Actions...)
	return c
}

var txtSignInConfirm = Text{JA: "サインインして確認する", EN: "Sign in to confirm"}
