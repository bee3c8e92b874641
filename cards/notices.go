package cards

var (
	txtAskTitle  = Text{"ご質問をどうぞ", "Go ahead and ask"}
	txtAskPrompt = Text{
		"困っていることを、そのまま文章で書いて送ってください。",
		"Type your question in your own words and send it.",
	}
	txtAskExamples = Text{
		"例：「SMSが届かない」「海外でコードが受け取れない」「電話の # を押しても認証されない」",
		"For example: \"The SMS never arrives\", \"I'm abroad and can't get the code\", \"I pressed # on the call but it didn't sign me in\"",
	}

	txtBackToMenu = Text{"メニューに戻る", "Back to the menu"}

	txtLanguageSet = Text{"これからは日本語でお答えします。", "I'll answer in English from now on."}

	txtRestarted = Text{
		"ボットが更新されたため、途中だった手続きを最初からやり直させてください。お手数をおかけします。",
		"I was updated while we were talking, so let's start that again from the beginning. Sorry for the trouble.",
	}

	txtChannelHello = Text{
		"MFA Desk です。多要素認証（MFA）についての相談は、私との個人チャットでどうぞ。",
		"Hi, I'm MFA Desk. For help with multi-factor authentication (MFA), message me in a personal chat.",
	}
)

// AskPrompt invites a free-text question.
func AskPrompt(l Lang) *Card {
	return newCard(l,
		heading(txtAskTitle.In(l)),
		para(txtAskPrompt.In(l)),
		subtle(txtAskExamples.In(l)),
	)
}

// LanguageSet confirms a language switch, in the new language.
func LanguageSet(l Lang) Message { return Message{Text: txtLanguageSet.In(l)} }

// Restarted apologises for a flow dropped because the bot was updated.
func Restarted(l Lang) Message { return Message{Text: txtRestarted.In(l)} }

// ChannelHello is posted once when the bot is added to a team or group chat.
func ChannelHello(l Lang) Message { return Message{Text: txtChannelHello.In(l)} }
