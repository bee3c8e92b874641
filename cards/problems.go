package cards

// Problems are what the bot tells people when something is refused or
// fails. Packages bot and graph report a code (a guardrail, a phone
// number's flaw, a refusal of the write path, an outage); the words for it
// are here, in both languages, next to every other text.

// problemTexts maps problem codes to their text. A text with a %d or %s
// takes the problem's arguments.
var problemTexts = map[string]Text{
	// Guardrails on writes (graph.Rule).
	"last_method": {"これは最後に残っている多要素認証の方法のため削除できません。削除するとサインインできなくなります。先に別の方法を追加してください。",
		"This is your last sign-in verification method, so it can't be removed: you would no longer be able to sign in. Please add another method first."},
	"default_method": {"これは既定のサインイン方法のため、他の方法がある間は削除できません。先に https://aka.ms/mysecurityinfo で別の方法を既定にするか、削除せずに番号を変更してください。",
		"This is your default sign-in method, so it can't be removed while you have other methods. First make another method the default at https://aka.ms/mysecurityinfo, or change the number instead of deleting it."},
	"slot_taken": {"この種類の電話はすでに登録されています（種類ごとに 1 つまで）。番号を変えるには「変更」を選んでください。",
		"A phone of this type is already registered (one per type). To use a different number, choose \"Change\"."},
	"slot_empty": {"この種類の電話は登録されていないため、変更できません。新しく登録するには「追加」を選んでください。",
		"No phone of this type is registered, so there is nothing to change. To register one, choose \"Add\"."},
	"alternate_needs_mobile": {"代替の電話を登録するには、先に「電話」（携帯電話）を登録してください。",
		"An alternate mobile phone needs a mobile phone. Please register your mobile phone first."},
	"mobile_with_alternate": {"代替の電話が登録されている間は「電話」を削除できません。削除せずに番号を変更するか、先に代替の電話を削除してください。",
		"Your mobile phone can't be removed while an alternate mobile phone is registered. Change its number instead, or remove the alternate phone first."},
	"too_many_authenticators": {"Microsoft Authenticator は 5 台まで登録できます。使わなくなった端末を先に削除してください。",
		"Microsoft Authenticator can be registered on at most 5 devices. Please remove a device you no longer use first."},
	"office_voice_only": {"会社電話は音声通話にだけ使えます（SMS は届きません）。SMS を使う場合は携帯電話の番号を「電話」として登録してください。",
		"An office phone can only receive voice calls, not SMS. To use SMS, register a mobile number as your mobile phone."},
	"no_sms_on_landline": {"固定電話や IP 電話（050 など）の番号には SMS が届きません。音声通話を選ぶか、携帯電話の番号を入力してください。",
		"Landline and internet phone numbers (such as 050 numbers) can't receive SMS. Please choose a voice call, or enter a mobile number."},
	"same_number": {"入力された番号は現在の番号と同じです。変更する場合は新しい番号を入力してください。",
		"That is the number already registered. To change it, please enter the new number."},
	"duplicate_number": {"この番号は別の種類の電話としてすでに登録されています。別の番号を入力してください。",
		"This number is already registered as another of your phones. Please enter a different number."},
	"unsupported_method": {"この種類の方法はボットでは削除できません。https://aka.ms/mysecurityinfo で操作するか、ヘルプデスクにご相談ください。",
		"The bot can't remove this kind of method. Please use https://aka.ms/mysecurityinfo or contact the help desk."},
	// Phone numbers that can not be registered (graph.PhoneReason).
	"empty": {"電話番号を入力してください（例: 090-1234-5678）。",
		"Please enter a phone number (e.g. 090-1234-5678)."},
	"not_a_number": {"電話番号として読み取れませんでした。数字とハイフンだけで入力してください（例: 090-1234-5678）。",
		"That doesn't look like a phone number. Please use only digits and hyphens (e.g. 090-1234-5678)."},
	"too_short": {"番号が短すぎます。市外局番から入力してください（例: 090-1234-5678）。",
		"The number is too short. Please include the area code (e.g. 090-1234-5678)."},
	"too_long": {"番号が長すぎます。桁数を確認してください。海外の番号は「+」と国番号から入力してください（例: +1 415 555 2671）。",
		"The number is too long. Please check the digits; for a number abroad, start with + and the country code (e.g. +1 415 555 2671)."},
	"invalid_number": {"この番号は使われていない形式です。番号を確認してください。海外の番号は「+」と国番号から入力してください。",
		"This isn't a valid phone number. Please check the digits; for a number abroad, start with + and the country code."},
	"premium_rate": {"有料情報サービスの番号（0990 など）は登録できません。ご自身の携帯電話か固定電話の番号を入力してください。",
		"Premium-rate numbers can't be registered. Please enter your own mobile or landline number."},
	"toll_free": {"フリーダイヤル（0120・0800 など）は登録できません。ご自身の携帯電話か固定電話の番号を入力してください。",
		"Toll-free numbers (such as 0120 or 0800) can't be registered. Please enter your own mobile or landline number."},
	"shared_cost": {"通話料を分担する番号は登録できません。ご自身の携帯電話か固定電話の番号を入力してください。",
		"Shared-cost numbers can't be registered. Please enter your own mobile or landline number."},
	"service_number": {"この番号（ナビダイヤル・020・転送サービスなど）は本人の電話につながらないため登録できません。ご自身の携帯電話か固定電話の番号を入力してください。",
		"This is a service number (such as a shared-access, pager or forwarding number), so it can't be registered. Please enter your own mobile or landline number."},
	"unknown_region": {"国番号が分かりません。「+」と国番号から入力してください（例: +81 90-1234-5678）。",
		"The country code is missing or unknown. Please start with + and the country code (e.g. +81 90-1234-5678)."},
	"has_extension": {"内線番号は登録できません（音声通話による認証が正しく動作しません）。内線を除いた直通の番号を入力してください。",
		"Extensions can't be registered: they stop voice-call verification from working. Please enter a direct number without the extension."},
	// The write path, the step-up and the privilege check (package bot).
	"rate_limited": {"この1時間に%d回変更しています。安全のため、しばらく時間をおいてからお試しください。急ぐ場合は担当者にご相談ください。",
		"You have made %d changes in the last hour. For your safety, please wait a while before the next one, or talk to a person if it is urgent."},
	"own_account": {"自分自身のアカウントには、一時アクセスパスの発行や変更の承認はできません。",
		"You can't issue a pass for, or approve a change to, your own account."},
	"pass_already_issued": {"このボタンからは、すでに一時アクセスパスを発行しています。必要ならもう一度「発行する」を押してください。",
		"A pass was already issued from this click. Press Issue the pass again if another one is needed."},
	"changed_meanwhile": {"確認したときから登録内容が変わっていたため、削除しませんでした。もう一度最初からやり直してください。",
		"What is registered changed since you confirmed, so nothing was removed. Please start again."},
	"graph_unavailable": {"Microsoftのサービスが混み合っているか応答しません。少し待ってからもう一度お試しください。",
		"Microsoft's service is busy or not answering. Please try again in a moment."},
	"graph_forbidden": {"ボットにこの変更を行う権限がありません。担当者にご相談ください。",
		"The bot is not allowed to make this change. Please talk to a person."},
	"graph_not_found": {"アカウントまたは認証方法が見つかりませんでした。担当者にご相談ください。",
		"Your account or that method could not be found. Please talk to a person."},
	"graph_refused": {"Microsoftがこの変更を受け付けませんでした。担当者にご相談ください。",
		"Microsoft refused this change. Please talk to a person."},
	"internal": {"問題が発生しました。しばらくしてからもう一度お試しください。",
		"Something went wrong. Please try again in a little while."},
	"privilege_unknown": {"このアカウントに管理者権限があるか確認できなかったため、何も変更していません。少ししてからもう一度お試しください。",
		"Whether this account holds an admin role could not be checked, so nothing was changed. Please try again in a moment."},
	"protected_account": {"管理者権限のあるアカウントの認証方法は、ボットでは変更できません。ヘルプデスクの担当者が対応します。",
		"Sign-in methods of accounts with admin roles can't be changed through the bot. A person from the helpdesk must do this."},
	"not_owner": {"本人以外は変更できません。", "Only the person concerned can make this change."},
	"no_tenant": {"所属組織が分からないため、本人確認ができません。担当者にご相談ください。",
		"Your organisation is not known here, so your identity cannot be checked. Please talk to a person."},
	"step_up_unavailable": {"本人確認のサインインが使えないため、変更できません。担当者にご相談ください。",
		"The identity check is not available, so nothing can be changed. Please talk to a person."},
	"step_up_required": {"本人確認のサインインが済んでいないか、時間が経ちすぎています。もう一度確定してサインインしてください。",
		"There is no recent sign-in confirming it's you. Confirm again and sign in."},
	// Tickets (package bot).
	"helpdesk_off": {"このボットからはまだヘルプデスクにつなげません。お急ぎの場合は、ヘルプデスクの窓口に直接ご連絡ください。",
		"The helpdesk can't be reached from this bot yet. If it is urgent, please contact the helpdesk directly."},
	"store": {"依頼を保存できませんでした。少ししてからもう一度お試しください。",
		"Your request could not be saved. Please try again in a moment."},
	"no_ticket": {"この依頼は見つかりませんでした。", "That request could not be found."},
	"conflict": {"ほかの操作と重なりました。もう一度お試しください。",
		"Someone else changed this request at the same moment. Please try again."},
	// Why the passkey campaign could not reach someone (bot/campaign).
	"campaign_app_not_installable": {"このボットをインストールできませんでした（Teams のライセンスがない、アプリがポリシーで許可されていない、またはアカウントがない）。",
		"The bot could not be installed for this person (no Teams licence, the app is not allowed by policy, or no such account)."},
	"campaign_chat_refused": {"この人との個人チャットを開けないか、メッセージを送れませんでした（ボットがブロックされている可能性があります）。",
		"The bot could not open a personal chat with this person or post in it (they may have blocked it)."},
	"agent_unknown": {"ヘルプデスクの担当者か確認できませんでした。少ししてからもう一度お試しください。",
		"Whether you are a helpdesk agent could not be checked. Please try again in a moment."},
}

// problemFallback is the text of a code without one of its own.
var problemFallback = Text{"この操作は実行できませんでした。もう一度お試しいただくか、担当者にご相談ください。",
	"That could not be done. Please try again, or talk to a person."}

// ProblemText is the text for a problem code in l, with args filled in;
// an unknown code gets a general one, never the code.
func ProblemText(l Lang, code string, args ...any) string {
	t, ok := problemTexts[code]
	if !ok {
		return problemFallback.In(l)
	}
	if len(args) > 0 {
		return t.Format(l, args...)
	}
	return t.In(l)
}

// HasProblemText reports whether code has a text of its own.
func HasProblemText(code string) bool {
	_, ok := problemTexts[code]
	return ok
}
