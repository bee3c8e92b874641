package cards

// Verbs name what a button asks the bot to do. Dialogs switch on them; the
// cards put them on buttons. They are part of the wire format of cards already
// posted in chats, so renaming one breaks old buttons.
const (
	VerbMenu     = "menu"
	VerbAsk      = "faq.ask"
	VerbChange   = "change.start"
	VerbPasskey  = "passkey.start"
	VerbHuman    = "human.start"
	VerbLanguage = "lang.set"
)

// LangKey is the data key of the language a VerbLanguage button selects.
const LangKey = "lang"

// MySecurityInfoURL is where people manage their own sign-in methods.
const MySecurityInfoURL = "https://aka.ms/mysecurityinfo"

var (
	txtWelcomeTitle = Text{"MFA Desk へようこそ", "Welcome to MFA Desk"}
	txtWelcomeIntro = Text{
		"多要素認証（MFA）で困ったときのお手伝いをします。日本語でも英語でも、困っていることをそのまま書いてください。",
		"I help with multi-factor authentication (MFA). Tell me what is wrong in your own words, in English or Japanese.",
	}
	txtCanDo = Text{
		"- よくある質問に答えます（SMSが届かない、海外で使いたい など）\n- 電話番号や Authenticator のスマホの変更を一緒に進めます\n- 解決しないときはヘルプデスクの担当者につなぎます",
		"- Answer common questions (the SMS code never arrives, travelling abroad, ...)\n- Walk you through changing your phone number or your Authenticator phone\n- Hand you over to a person at the helpdesk when I can't solve it",
	}
	txtExample = Text{
		"例：「SMSが届かない」「機種変更するので電話番号を変えたい」",
		"For example: \"The SMS code never arrives\" or \"I got a new phone\"",
	}
	txtMenuTitle   = Text{"何をしますか？", "What would you like to do?"}
	txtMenuAsk     = Text{"質問する", "Ask a question"}
	txtMenuChange  = Text{"サインイン方法を変更する", "Change my sign-in method"}
	txtMenuPasskey = Text{"パスキーを登録する", "Register a passkey"}
	txtMenuHuman   = Text{"担当者と話す", "Talk to a person"}
	txtSwitchLang  = Text{"English", "日本語"}
	txtMenuHint    = Text{
		"いつでも「メニュー」と入力するとこの画面に戻ります。",
		"Type \"menu\" at any time to come back here.",
	}
)

// menuActions are the main menu's buttons in l, with the language switch last.
func menuActions(l Lang) []Action {
	return []Action{
		submit(txtMenuAsk.In(l), VerbAsk),
		submit(txtMenuPasskey.In(l), VerbPasskey),
		submit(txtMenuChange.In(l), VerbChange),
		submit(txtMenuHuman.In(l), VerbHuman),
		submit(txtSwitchLang.In(l), VerbLanguage, LangKey, string(l.Other())),
	}
}

// Welcome is the first card a person sees: what the bot does and the menu.
func Welcome(l Lang) *Card {
	c := newCard(l,
		heading(txtWelcomeTitle.In(l)),
		para(txtWelcomeIntro.In(l)),
		para(txtCanDo.In(l)),
		subtle(txtExample.In(l)),
	)
	c.Actions = menuActions(l)
	return c
}

// Menu is the main menu.
func Menu(l Lang) *Card {
	c := newCard(l,
		heading(txtMenuTitle.In(l)),
		subtle(txtMenuHint.In(l)),
	)
	c.Actions = menuActions(l)
	return c
}
