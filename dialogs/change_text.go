package dialogs

import "github.com/mfadesk/mfadesk/cards"

// The guided changes' texts, in both languages.
var (
	txtWhatChange        = cards.Text{JA: "何を変更しますか？", EN: "What would you like to change?"}
	txtWhatChangeBody    = cards.Text{JA: "現在の登録内容を確認してから、変更内容をお見せします。確認するまで何も変わりません。", EN: "I'll look at what you have registered, then show you exactly what will change. Nothing changes until you confirm."}
	txtKindPhone         = cards.Text{JA: "電話番号を変更する", EN: "Change my phone number"}
	txtKindAuthenticator = cards.Text{JA: "Authenticatorを新しいスマホへ", EN: "Move Authenticator to a new phone"}
	txtKindBackup        = cards.Text{JA: "予備の認証方法を追加する", EN: "Add a backup method"}
	txtKindRemove        = cards.Text{JA: "認証方法を削除する", EN: "Remove a sign-in method"}
	txtMovedToPersonal   = cards.Text{JA: "サインイン方法の変更は、ほかの人に見えないよう、ボットとの個人チャットで続けます。個人チャットにメッセージを送りました。", EN: "Changes to how you sign in continue in your private chat with me, where nobody else can see them. I've sent you a message there."}
	txtMoveFailed        = cards.Text{JA: "個人チャットを開けませんでした。Teams でボットとの個人チャットを開き、「サインイン方法を変更する」と送ってください。", EN: "I couldn't open a private chat with you. Open your personal chat with the bot in Teams and send \"change my sign-in method\"."}
	txtReading           = cards.Text{JA: "登録されているサインイン方法を確認しています…", EN: "Checking your registered sign-in methods…"}

	txtPhoneTitle  = cards.Text{JA: "電話番号の変更", EN: "Changing your phone number"}
	txtPhoneAsk    = cards.Text{JA: "今の登録は次のとおりです。電話番号は変わりますか？", EN: "This is what you have now. Is your phone number changing?"}
	txtNewKnown    = cards.Text{JA: "変わる（新しい番号が分かる）", EN: "Yes, and I know the new number"}
	txtNewUnknown  = cards.Text{JA: "変わる（新しい番号はまだ分からない）", EN: "Yes, but I don't know it yet"}
	txtSameNumber  = cards.Text{JA: "番号は同じ（スマホだけ替える）", EN: "No, same number, new phone"}
	txtWhichNumber = cards.Text{JA: "どの番号が変わりますか？", EN: "Which number is changing?"}
	txtSameTitle   = cards.Text{JA: "SMS・電話は手続き不要です", EN: "Nothing to do for SMS and calls"}
	txtSameBody    = cards.Text{JA: "番号が同じなら、SMSや音声通話はそのまま新しいスマホで使えます。認証アプリ（Microsoft Authenticator）を使っている場合は、アプリの引っ越しが必要です。", EN: "With the same number, SMS and calls simply reach your new phone. If you use the Microsoft Authenticator app, it has to be moved to the new phone."}

	txtSlotMobile    = cards.Text{JA: "携帯電話（SMS・音声）", EN: "Mobile (SMS and calls)"}
	txtSlotAlternate = cards.Text{JA: "代替の携帯電話", EN: "Alternate mobile"}
	txtShortMobile   = cards.Text{JA: "携帯電話", EN: "mobile"}
	txtShortOffice   = cards.Text{JA: "職場・固定電話", EN: "office phone"}
	txtSlotOffice    = cards.Text{JA: "職場・固定電話（音声のみ）", EN: "Office or landline (calls only)"}

	txtNumberTitle    = cards.Text{JA: "%s の番号を入力してください", EN: "Enter the number for: %s"}
	txtNumberBody     = cards.Text{JA: "市外局番から入力してください。ハイフンや全角数字でも大丈夫です。海外の番号は + と国番号から。", EN: "Include the area code; hyphens and full-width digits are fine. For a number outside Japan, start with + and the country code."}
	txtTempBody       = cards.Text{JA: "機種変更の後も変わらない番号（自宅や職場の固定電話など）を一時的に登録します。固定電話は音声通話のみ使えます。", EN: "Register a number that will not change with your new phone (a home or office landline, say) for the time being. Landlines work for calls only."}
	txtNumberLabel    = cards.Text{JA: "電話番号", EN: "Phone number"}
	txtNumberRequired = cards.Text{JA: "電話番号を入力してください。", EN: "Please enter a phone number."}
	txtNext           = cards.Text{JA: "次へ", EN: "Next"}
	txtModeTitle      = cards.Text{JA: "SMSも使いますか？", EN: "Use it for SMS too?"}
	txtModeBody       = cards.Text{JA: "%s でコードを受け取る方法を選んでください。", EN: "How should %s receive codes?"}
	txtModeSMS        = cards.Text{JA: "SMSと音声通話", EN: "SMS and calls"}
	txtModeVoice      = cards.Text{JA: "音声通話のみ", EN: "Calls only"}

	txtBackupTitle = cards.Text{JA: "予備の認証方法を追加", EN: "Adding a backup method"}
	txtBackupBody  = cards.Text{JA: "方法が1つだけだと、スマホを忘れたりなくしたりしたときにサインインできなくなります。もう1つ登録しておきましょう。認証アプリは https://aka.ms/mysecurityinfo から追加できます。", EN: "With only one method, a forgotten or lost phone locks you out. Register a second one. The Authenticator app is added at https://aka.ms/mysecurityinfo."}
	txtBackupFull  = cards.Text{JA: "電話番号の枠はすべて使われています。認証アプリは https://aka.ms/mysecurityinfo から追加できます。", EN: "All phone slots are in use. The Authenticator app is added at https://aka.ms/mysecurityinfo."}
	txtAddAppAt    = cards.Text{JA: "認証アプリを追加する", EN: "Add the Authenticator app"}

	txtRemoveTitle = cards.Text{JA: "削除する方法を選んでください", EN: "Which one should go?"}
	txtRemoveBody  = cards.Text{JA: "なくしたスマホや、覚えのない方法を選んでください。最後の1つは削除できません。", EN: "Pick a lost device or a method you don't recognise. The last one can't be removed."}
	txtLastTitle   = cards.Text{JA: "最後の認証方法は削除できません", EN: "That is your last way to sign in"}
	txtLastBody    = cards.Text{JA: "これを削除するとサインインできなくなります。先に別の方法を追加するか、担当者にご相談ください。", EN: "Removing it would lock you out. Add another method first, or talk to a person."}

	txtAuthTitle     = cards.Text{JA: "Authenticatorを新しいスマホへ", EN: "Moving Authenticator to a new phone"}
	txtAuthSteps     = cards.Text{JA: "1. 新しいスマホに Microsoft Authenticator を入れる\n2. https://aka.ms/mysecurityinfo で「サインイン方法の追加」→「認証アプリ」\n3. パソコンがあれば表示されたQRコードをアプリで読み取る（スマホだけなら「このリンクをクリックして…ペアリング」をタップ）\n4. 画面の2桁の数字をアプリに入力する\n\n終わったら「追加しました」を押してください。", EN: "1. Install Microsoft Authenticator on the new phone\n2. At https://aka.ms/mysecurityinfo choose \"Add sign-in method\" → \"Authenticator app\"\n3. With a PC, scan the QR code with the app (phone only: tap the pairing link instead)\n4. Type the 2-digit number shown into the app\n\nPress \"I've added it\" when you're done."}
	txtOpenSecurity  = cards.Text{JA: "セキュリティ情報を開く", EN: "Open Security info"}
	txtAddedIt       = cards.Text{JA: "追加しました", EN: "I've added it"}
	txtNotYetTitle   = cards.Text{JA: "新しい端末がまだ見つかりません", EN: "I don't see a new device yet"}
	txtNotYetBody    = cards.Text{JA: "登録が完了するまで少しかかることがあります。手順を最後（2桁の数字の入力）まで終えてから、もう一度押してください。", EN: "It can take a moment. Finish every step (typing the 2-digit number), then press it again."}
	txtFoundDevice   = cards.Text{JA: "新しい端末を確認しました: %s", EN: "Found your new device: %s"}
	txtNoOldDevice   = cards.Text{JA: "古い端末の登録はありません。", EN: "There is no old device to remove."}
	txtRemoveOld     = cards.Text{JA: "%s を削除", EN: "Remove %s"}
	txtRemoveOldBody = cards.Text{JA: "古いスマホの登録を削除しましょう。削除しても新しい端末はそのまま使えます。", EN: "Now remove the old phone's entry. The new device keeps working."}
	txtKeepAll       = cards.Text{JA: "削除しない", EN: "Keep them all"}

	txtBefore      = cards.Text{JA: "今", EN: "Now"}
	txtAfter       = cards.Text{JA: "確認後", EN: "After you confirm"}
	txtPreviewBody = cards.Text{JA: "次の変更を行います。内容を確認して「確定する」を押してください（%s まで有効）。", EN: "This is exactly what will change. Press Confirm to go ahead (valid until %s)."}
	txtConfirm     = cards.Text{JA: "確定する", EN: "Confirm"}
	txtCancel      = cards.Text{JA: "キャンセル", EN: "Cancel"}
	txtOpAdd       = cards.Text{JA: "%s に %s を追加（%s）", EN: "Add %s %s (%s)"}
	txtOpChange    = cards.Text{JA: "%s を %s に変更（%s）", EN: "Change %s to %s (%s)"}
	txtOpDelete    = cards.Text{JA: "%s を削除", EN: "Remove %s"}
	txtVoiceOnly   = cards.Text{JA: "音声のみ", EN: "calls only"}
	txtSMSAndVoice = cards.Text{JA: "SMS・音声", EN: "SMS and calls"}
	txtApplying    = cards.Text{JA: "確定しました。変更しています…", EN: "Confirmed. Making the change…"}

	txtSignInPreparing  = cards.Text{JA: "本人確認の準備をしています…", EN: "Preparing the identity check…"}
	txtSignInTitle      = cards.Text{JA: "最後に、本人確認のためサインインしてください", EN: "One last step: sign in to confirm it's you"}
	txtSignInBody       = cards.Text{JA: "サインイン方法を変更するには、いまこの場で Microsoft アカウント（組織のアカウント）に多要素認証でサインインし直す必要があります。ボタンを押すとブラウザーが開きます。サインインが終わると、このカードが自動で更新されます（%s まで有効）。", EN: "To change how you sign in, you need to sign in again, right now, to your organisation's Microsoft account with multi-factor authentication. The button opens your browser; when you're done, this card updates by itself (valid until %s)."}
	txtSignInButton     = cards.Text{JA: "サインインして確認する", EN: "Sign in to confirm"}
	txtSignInAgain      = cards.Text{JA: "もう一度サインインする", EN: "Sign in again"}
	txtSignInNotWaiting = cards.Text{JA: "サインインを確認しましたが、この変更はもう受付を終えています。何も変更していません。", EN: "Your sign-in was checked, but this change is no longer open. Nothing was changed."}

	txtNoLongerValid  = cards.Text{JA: "このボタンはもう使えません。何も変更していません。", EN: "That button is no longer valid. Nothing was changed."}
	txtNotYours       = cards.Text{JA: "この変更を確定できるのは、手続きを始めた本人だけです。何も変更していません。", EN: "Only the person who started this change can confirm it. Nothing was changed."}
	txtTooLate        = cards.Text{JA: "変更はすでに実行中です。", EN: "The change is already being made."}
	txtExpiredTitle   = cards.Text{JA: "確認の期限が切れました", EN: "This confirmation has expired"}
	txtExpiredBody    = cards.Text{JA: "10分以内に確定されなかったため、何も変更していません。もう一度やり直してください。", EN: "It was not confirmed within 10 minutes, so nothing was changed. Please start again."}
	txtStartAgain     = cards.Text{JA: "最初からやり直す", EN: "Start again"}
	txtCancelledTitle = cards.Text{JA: "キャンセルしました", EN: "Cancelled"}
	txtCancelled      = cards.Text{JA: "キャンセルしました。何も変更していません。", EN: "Cancelled. Nothing was changed."}
	txtNothingChanged = cards.Text{JA: "変更できませんでした", EN: "Nothing was changed"}
	txtPartly         = cards.Text{JA: "途中まで変更しました", EN: "Only part of the change went through"}
	txtPartlyBody     = cards.Text{JA: "完了: %s\n未完了: %s\n理由: %s\n未完了の分だけもう一度確定できます。", EN: "Done: %s\nNot done: %s\nWhy: %s\nYou can confirm the rest again."}
	txtSomethingWrong = cards.Text{JA: "問題が発生しました。しばらくしてからもう一度お試しください。", EN: "Something went wrong. Please try again in a little while."}

	txtDoneTitle     = cards.Text{JA: "変更しました", EN: "Done"}
	txtDoneAuthBody  = cards.Text{JA: "古いスマホの Authenticator アプリからも、このアカウントを削除してください（アカウントを選んで「アカウントの削除」）。", EN: "Also remove this account from the Authenticator app on the old phone (open the account, then \"Remove account\")."}
	txtTempDoneTitle = cards.Text{JA: "一時的な番号を登録しました", EN: "Temporary number registered"}
	txtTempDoneBody  = cards.Text{JA: "機種変更が終わって新しい番号が分かったら、またここで「新しい番号が分かった」を押すか、新しい番号をそのまま送ってください。続きから進めます（新しい番号の登録と一時的な番号の削除）。", EN: "When your new phone and number are ready, come back and press \"I have my new number\", or just send the new number. I'll pick up where we left off: add the new number and remove the temporary one."}
	txtHaveNewNumber = cards.Text{JA: "新しい番号が分かった", EN: "I have my new number"}
	txtWelcomeBack   = cards.Text{JA: "おかえりなさい。一時的に %s を登録しています。新しい番号を登録して、一時的な番号を削除しましょう。", EN: "Welcome back. %s is registered for the time being. Let's add your new number and remove the temporary one."}

	txtTempKept       = cards.Text{JA: "一時的な番号 %s は登録したままです。新しい番号が分かったら、ここで「新しい番号が分かった」と送るか、番号をそのまま送ってください。続きから進めます。", EN: "The temporary number %s stays registered. When you have your new number, send \"I have my new number\" here, or just send the number, and I'll pick up where we left off."}
	txtTempReminder   = cards.Text{JA: "一時的な番号がまだ登録されています", EN: "Your temporary number is still registered"}
	txtTempRemindBody = cards.Text{JA: "%s を一時的に登録したままです。新しい番号が分かったら、ボタンを押すか番号をそのまま送ってください。新しい番号を登録して、一時的な番号を削除します。", EN: "%s is still registered for the time being. When you have your new number, press the button or just send the number: I'll add it and remove the temporary one."}

	txtIsTemporary     = cards.Text{JA: "これは一時的に登録した番号です。新しい携帯電話の番号を入力してください。", EN: "That is the temporary number. Please enter your new mobile number."}
	txtSameAsCurrent   = cards.Text{JA: "これは今登録されている番号です。新しい番号を入力してください。", EN: "That is the number you have registered now. Please enter the new one."}
	txtAlreadyThere    = cards.Text{JA: "この番号はすでに「%s」として登録されています。別の番号を入力してください。", EN: "That number is already registered as \"%s\". Please enter a different one."}
	txtDonePhoneBody   = cards.Text{JA: "今の登録は次のとおりです。新しい番号でコードを受け取れるか、https://aka.ms/mysecurityinfo に一度サインインして試してください。", EN: "This is what you have now. Sign in once at https://aka.ms/mysecurityinfo to check that codes reach the new number."}
	txtDoneAuthToo     = cards.Text{JA: "古いスマホに Microsoft Authenticator も入っていた場合は、新しいスマホへの移行も必要です（電話番号とは別です）。", EN: "If Microsoft Authenticator was on the old phone too, move it to the new one as well: it is separate from the number."}
	txtDoneRemovedBody = cards.Text{JA: "削除しました。残っている方法は次のとおりです。", EN: "Removed. These are the methods you have left."}

	txtInterrupted      = cards.Text{JA: "前回の変更が途中で止まった可能性があります。今の登録を確認しています…", EN: "The last change may have been interrupted. Checking what you have now…"}
	txtInterruptedTitle = cards.Text{JA: "前回の変更を確認しました", EN: "Checked the interrupted change"}
	txtInterruptedBody  = cards.Text{JA: "今の登録は次のとおりです。済んでいない分だけ、もう一度確定できます（済んだ分は繰り返しません）。", EN: "This is what you have now. You can confirm what is left again; nothing already done is repeated."}

	txtNoMethods     = cards.Text{JA: "登録なし", EN: "none registered"}
	txtUnnamedDevice = cards.Text{JA: "名前のない端末", EN: "unnamed device"}
	txtAddedOn       = cards.Text{JA: "%s（%s 登録）", EN: "%s (added %s)"}
)

var (
	txtApprovalTitle = cards.Text{JA: "ヘルプデスクの承認待ちです", EN: "Waiting for the helpdesk's approval"}
	txtApprovalBody  = cards.Text{
		JA: "この組織では、認証方法の変更はヘルプデスクの承認後に行われます。依頼 #%d として送りました。承認されると、ここでお知らせします。まだ何も変更していません。",
		EN: "In this organisation, changes to sign-in methods are made once the helpdesk approves them. Your change went to them as request #%d; you'll hear here when it is approved. Nothing has changed yet.",
	}
)

// ChangeTopic names a method change as a ticket's topic.
func ChangeTopic(l cards.Lang) string {
	return cards.Text{JA: "認証方法の変更（承認依頼）", EN: "Sign-in method change (approval)"}.In(l)
}

// OpLines describes a change's writes for the helpdesk, masked.
func OpLines(l cards.Lang, ops []ChangeOp) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = opLine(l, op)
	}
	return out
}

var (
	txtPhoneEnded = cards.Text{
		JA: "この組織では SMS・音声通話のコードはもう使えないため、電話番号を変えてもサインインには使えません。パスキーを登録してください。",
		EN: "SMS and voice codes no longer work here, so a new number won't help you sign in. Please register a passkey.",
	}
	txtMenuPasskey = cards.Text{JA: "パスキーを登録する", EN: "Register a passkey"}
	txtPhoneAnyway = cards.Text{JA: "電話番号の変更を続ける", EN: "Change the number anyway"}
)
