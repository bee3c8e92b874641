package dialogs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
)

// Passkey walks a person to a passkey: where they stand (SMS only, and what
// the end of SMS and voice codes means for them), which device, how to
// register there, and, once they say it's done, the new passkey found
// through Graph. Where the tenant's SMS and voice codes end it then offers
// to remove the phone methods, through the guided change (a confirm and
// the person's own sign-in). It writes nothing itself.
type Passkey struct {
	Tenant faq.Tenant
}

// ID implements [Dialog].
func (Passkey) ID() string { return "passkey" }

// Version implements [Dialog].
func (Passkey) Version() int { return 1 }

// Verbs of the passkey flow.
const (
	VerbPasskeyDevice = "passkey.device" // data: device
	VerbPasskeyAdded  = "passkey.added"  // "I've registered it"
	deviceKey         = "device"
)

// The devices a person can register a passkey with.
const (
	deviceIPhone      = "iphone"
	deviceAndroid     = "android"
	deviceWindows     = "windows"
	deviceSecurityKey = "security-key"
	deviceNone        = "none" // no smartphone, or one too old
)

type passkeyState struct {
	Owner  string   `json:"owner"`
	Stage  string   `json:"stage"`            // loading, device, waiting, checking, moving
	Before []string `json:"before,omitempty"` // passkey ids before, to find the new one
	Device string   `json:"device,omitempty"`
	Phones bool     `json:"phones,omitempty"` // SMS or voice methods are registered
}

// Next implements [Dialog].
func (d Passkey) Next(raw json.RawMessage, in Input) Turn {
	l := in.Lang
	var st passkeyState
	if raw != nil {
		if json.Unmarshal(raw, &st) != nil {
			return Turn{Status: Cancelled}
		}
		if in.Kind != ResultInput && !sameUser(in.User, st.Owner) {
			return Turn{Status: Waiting, State: raw, Replies: []cards.Message{{Text: txtPasskeyNotYours.In(l)}}}
		}
	}
	switch in.Kind {
	case ResultInput:
		return d.result(st, in)
	case TextInput:
		if in.Verb == "" { // not the command that starts it: a question
			return Turn{Status: Complete, Pass: true}
		}
	}
	switch in.Verb {
	case cards.VerbPasskey:
		if in.Scope != Personal && in.Scope != "" {
			// Methods are nobody else's business.
			return Turn{Status: Waiting, State: mustJSON(passkeyState{Owner: ownerOf(in.User), Stage: "moving"}),
				Replies: []cards.Message{{Text: txtMovedToPersonal.In(l)}}, Effects: []Effect{MoveToPersonal{Verb: cards.VerbPasskey}}}
		}
		st = passkeyState{Owner: ownerOf(in.User), Stage: "loading"}
		effects := []Effect{LoadMethods{}}
		if c := in.Data[cards.CampaignKey]; c != "" { // from the campaign's card
			effects = append(effects, CampaignAct{Campaign: c, Action: campaignStart})
		}
		return Turn{Status: Waiting, State: mustJSON(st), Effects: effects}
	case VerbPasskeyDevice:
		if st.Stage != "device" && st.Stage != "waiting" {
			return Turn{Status: Complete, Pass: true}
		}
		return d.instructions(st, in.Data[deviceKey], in)
	case VerbPasskeyAdded:
		if st.Stage != "waiting" {
			return Turn{Status: Complete, Pass: true}
		}
		st.Stage = "checking"
		return Turn{Status: Waiting, State: mustJSON(st), Effects: []Effect{LoadMethods{}}}
	}
	return Turn{Status: Complete, Pass: true}
}

func (d Passkey) result(st passkeyState, in Input) Turn {
	l := in.Lang
	res := in.Result
	if res.Effect == (MoveToPersonal{}).EffectName() {
		if res.Err != nil {
			return Turn{Status: Complete, Replies: []cards.Message{{Text: txtMoveFailed.In(l)}}}
		}
		return Turn{Status: Complete}
	}
	if res.Err != nil {
		return problemEnd(l, res.Err)
	}
	m, _ := res.Value.(MethodsView)
	switch st.Stage {
	case "loading":
		return d.standing(st, m, in)
	case "checking":
		return d.checked(st, m, in)
	}
	return Turn{Status: Complete}
}

// standing tells the person where they stand and asks for their device.
func (d Passkey) standing(st passkeyState, m MethodsView, in Input) Turn {
	l := in.Lang
	st.Stage = "device"
	st.Phones = len(m.Phones) > 0
	for _, p := range m.Passkeys {
		st.Before = append(st.Before, p.ID)
	}
	var body []string
	switch {
	case len(m.Passkeys) > 0:
		names := make([]string, len(m.Passkeys))
		for i, p := range m.Passkeys {
			names[i] = passkeyName(l, p.Name)
		}
		body = append(body, txtPasskeyHave.Format(l, strings.Join(names, "、")))
	case d.Tenant.PhoneCodesEnded(in.Now) && st.Phones && len(m.Devices) == 0:
		body = append(body, txtPasskeyPhoneEnded.In(l))
	case d.Tenant.PhoneCodesEnding(in.Now) && st.Phones && len(m.Devices) == 0 && len(m.Others) == 0:
		body = append(body, txtPasskeyPhoneOnly.Format(l, endDate(l, d.Tenant)))
	case d.Tenant.PhoneCodesEnding(in.Now) && st.Phones:
		body = append(body, txtPasskeyPhoneToo.Format(l, endDate(l, d.Tenant)))
	default:
		body = append(body, txtPasskeyWhy.In(l))
	}
	if len(d.Tenant.PasskeyKinds) == 0 {
		c := cards.ResultCard(l, txtPasskeyTitle.In(l), strings.Join(append(body, txtPasskeyNoneAllowed.In(l)), "\n\n"), true, methodFacts(l, m), nil, humanButton(l))
		return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
	}
	body = append(body, txtPasskeyWhichDevice.In(l))
	c := cards.ChoiceCard(l, txtPasskeyTitle.In(l), strings.Join(body, "\n\n"), methodFacts(l, m), d.deviceButtons(l), humanButton(l))
	return Turn{Status: Waiting, State: mustJSON(st), Replies: []cards.Message{{Card: c}}}
}

// deviceButtons offers the devices whose passkeys the organisation allows.
func (d Passkey) deviceButtons(l cards.Lang) []cards.Button {
	var bs []cards.Button
	add := func(device string, t cards.Text) {
		bs = append(bs, cards.Button{Title: t.In(l), Verb: VerbPasskeyDevice, Data: map[string]string{deviceKey: device}})
	}
	phone := d.Tenant.Allows(faq.PasskeyAuthenticator) || d.Tenant.Allows(faq.PasskeySynced)
	if phone {
		add(deviceIPhone, txtDeviceIPhone)
		add(deviceAndroid, txtDeviceAndroid)
	}
	if d.Tenant.Allows(faq.PasskeyWindowsHello) {
		add(deviceWindows, txtDeviceWindows)
	}
	if d.Tenant.Allows(faq.PasskeySecurityKey) {
		add(deviceSecurityKey, txtDeviceKey)
	}
	add(deviceNone, txtDeviceNone)
	return bs
}

// instructions shows how to register on the chosen device.
func (d Passkey) instructions(st passkeyState, device string, in Input) Turn {
	l := in.Lang
	var steps []cards.Text
	switch device {
	case deviceIPhone, deviceAndroid:
		if !d.Tenant.Allows(faq.PasskeyAuthenticator) {
			steps = stepsSynced
			break
		}
		steps = stepsAuthenticator
		if device == deviceIPhone {
			steps = append([]cards.Text{txtStepIOSVersion}, steps...)
		} else {
			steps = append([]cards.Text{txtStepAndroidVersion}, steps...)
		}
	case deviceWindows:
		steps = stepsWindowsHello
	case deviceSecurityKey:
		steps = stepsSecurityKey
	case deviceNone:
		return d.noSmartphone(l)
	default:
		return Turn{Status: Waiting, State: mustJSON(st), Replies: []cards.Message{{Text: txtPasskeyPickDevice.In(l)}}}
	}
	st.Stage, st.Device = "waiting", device
	lines := make([]string, len(steps))
	for i, s := range steps {
		lines[i] = fmt.Sprintf("%d. %s", i+1, s.In(l))
	}
	added := cards.Button{Title: txtPasskeyAddedButton.In(l), Verb: VerbPasskeyAdded}
	c := cards.ResultCard(l, txtPasskeyHowTitle.In(l), strings.Join(lines, "\n")+"\n\n"+txtPasskeyThenPress.In(l), false, nil,
		[]cards.Link{{Title: txtOpenSecurityInfo.In(l), URL: cards.MySecurityInfoURL}}, added, humanButton(l))
	return Turn{Status: Waiting, State: mustJSON(st), Replies: []cards.Message{{Card: c}}}
}

// noSmartphone offers what the organisation allows without a phone, or a
// person.
func (d Passkey) noSmartphone(l cards.Lang) Turn {
	var ways []string
	if d.Tenant.Allows(faq.PasskeySecurityKey) {
		ways = append(ways, txtNoPhoneKey.In(l))
	}
	if d.Tenant.Allows(faq.PasskeyWindowsHello) {
		ways = append(ways, txtNoPhoneHello.In(l))
	}
	body := txtNoPhoneNone.In(l)
	if len(ways) > 0 {
		body = txtNoPhoneIntro.In(l) + "\n- " + strings.Join(ways, "\n- ") + "\n\n" + txtNoPhoneAsk.In(l)
	}
	c := cards.ResultCard(l, txtNoPhoneTitle.In(l), body, false, nil, nil, humanButton(l))
	return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
}

// checked looks for the new passkey after "I've registered it".
func (d Passkey) checked(st passkeyState, m MethodsView, in Input) Turn {
	l := in.Lang
	var added []PasskeyView
	for _, p := range m.Passkeys {
		if !slices.Contains(st.Before, p.ID) {
			added = append(added, p)
		}
	}
	if len(added) == 0 {
		st.Stage = "waiting"
		again := cards.Button{Title: txtPasskeyAddedButton.In(l), Verb: VerbPasskeyAdded}
		c := cards.ResultCard(l, txtPasskeyNotYetTitle.In(l), txtPasskeyNotYet.In(l), true, nil, nil, again, humanButton(l))
		return Turn{Status: Waiting, State: mustJSON(st), Replies: []cards.Message{{Card: c}}}
	}
	names := make([]string, len(added))
	for i, p := range added {
		names[i] = passkeyName(l, p.Name)
	}
	body := txtPasskeyFound.Format(l, strings.Join(names, "、")) + "\n\n" + txtPasskeyHowToSignIn.In(l)
	var buttons []cards.Button
	if len(m.Phones) > 0 && (d.Tenant.PhoneCodesEnded(in.Now) || d.Tenant.PhoneCodesEnding(in.Now)) {
		body += "\n\n" + txtPasskeyRemovePhones.Format(l, endDate(l, d.Tenant))
		buttons = append(buttons, cards.Button{Title: txtPasskeyRemoveButton.In(l), Verb: cards.VerbChange,
			Data: map[string]string{cards.KindKey: "remove-method"}})
	}
	c := cards.ResultCard(l, txtPasskeyDoneTitle.In(l), body, false, methodFacts(l, m), nil, append(buttons, humanButton(l))...)
	return Turn{Status: Complete, Replies: []cards.Message{{Card: c}}}
}

// passkeyName shows a passkey's name (what kind of authenticator holds it,
// or what its owner called it: shown inert), in l when it is the generic
// word.
func passkeyName(l cards.Lang, name string) string {
	if name == "" || name == "passkey" {
		return txtPasskeyGeneric.In(l)
	}
	return cards.Plain(name)
}

// endDate is the tenant's end of SMS and voice codes in l.
func endDate(l cards.Lang, t faq.Tenant) string { return cards.Day(l, t.SMSVoiceEnd) }

// PasskeyView is a registered passkey, named from what kind of
// authenticator holds it.
type PasskeyView struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Added time.Time `json:"added,omitzero"`
}

var (
	txtPasskeyTitle    = cards.Text{JA: "パスキーの登録", EN: "Registering a passkey"}
	txtPasskeyGeneric  = cards.Text{JA: "パスキー", EN: "passkey"}
	txtPasskeyNotYours = cards.Text{JA: "この手続きは開始した本人だけが進められます。", EN: "Only the person who started this can continue it."}
	txtPasskeyHave     = cards.Text{JA: "パスキーはすでに登録されています（%s）。別の端末にも登録しておくと、どちらかをなくしても困りません。",
		EN: "You already have a passkey (%s). A second one on another device keeps you going if you lose one."}
	txtPasskeyPhoneOnly = cards.Text{
		JA: "登録されている方法は SMS・音声通話だけです。%s以降は、サインインのときにパスキーの登録を求められ、登録するまで先に進めなくなります。今のうちに登録しましょう。",
		EN: "SMS and voice calls are your only methods. From %s you will be stopped at sign-in until you register a passkey. Let's register one now.",
	}
	txtPasskeyPhoneToo = cards.Text{
		JA: "SMS・音声通話のコードは%sで終わります。ほかの方法もあるので止まることはありませんが、パスキーがあればより安全で簡単にサインインできます。",
		EN: "SMS and voice codes end on %s. You have another method, so you won't be stopped, but a passkey is safer and quicker to sign in with.",
	}
	txtPasskeyPhoneEnded = cards.Text{
		JA: "この組織では SMS・音声通話のコードはもう使えません。パスキーを登録すれば、またサインインできるようになります。",
		EN: "SMS and voice codes no longer work here. Register a passkey and you can sign in again.",
	}
	txtPasskeyWhy = cards.Text{
		JA: "パスキーは、スマホや PC の画面ロック（顔・指紋・PIN）でサインインする方法です。コードを入力しないので、フィッシングにもだまされません。",
		EN: "A passkey signs you in with your phone's or PC's screen lock (face, fingerprint or PIN). There is no code to type, so phishing can't steal it.",
	}
	txtPasskeyNoneAllowed = cards.Text{
		JA: "この組織では、まだパスキーを使えません。ヘルプデスクにお問い合わせください。",
		EN: "This organisation does not offer passkeys yet. Please ask the helpdesk.",
	}
	txtPasskeyWhichDevice = cards.Text{JA: "どの端末に登録しますか？", EN: "Which device will you register it on?"}
	txtPasskeyPickDevice  = cards.Text{JA: "上のボタンから端末を選んでください。", EN: "Please choose a device with the buttons above."}
	txtDeviceIPhone       = cards.Text{JA: "iPhone", EN: "iPhone"}
	txtDeviceAndroid      = cards.Text{JA: "Android スマホ", EN: "Android phone"}
	txtDeviceWindows      = cards.Text{JA: "Windows PC（Windows Hello）", EN: "Windows PC (Windows Hello)"}
	txtDeviceKey          = cards.Text{JA: "セキュリティキー", EN: "Security key"}
	txtDeviceNone         = cards.Text{JA: "スマホがない・古い", EN: "No smartphone, or an old one"}

	txtPasskeyHowTitle    = cards.Text{JA: "パスキーの登録手順", EN: "How to register your passkey"}
	txtPasskeyThenPress   = cards.Text{JA: "登録が終わったら「登録しました」を押してください。こちらで確認します。", EN: "When you're done, press \"I've registered it\" and I'll check."}
	txtPasskeyAddedButton = cards.Text{JA: "登録しました", EN: "I've registered it"}
	txtOpenSecurityInfo   = cards.Text{JA: "セキュリティ情報を開く", EN: "Open Security info"}
	txtStepIOSVersion     = cards.Text{JA: "iPhone が iOS 17 以降か確認する（設定 → 一般 → 情報）", EN: "Check the iPhone runs iOS 17 or later (Settings → General → About)"}
	txtStepAndroidVersion = cards.Text{JA: "Android 14 以降か確認する（設定 → デバイス情報）", EN: "Check the phone runs Android 14 or later (Settings → About phone)"}
	stepsAuthenticator    = []cards.Text{
		{JA: "Microsoft Authenticator アプリを最新にする", EN: "Update the Microsoft Authenticator app"},
		{JA: "PC で https://aka.ms/mysecurityinfo を開き、「サインイン方法の追加」から「パスキー」を選ぶ", EN: "On a PC, open https://aka.ms/mysecurityinfo, choose \"Add sign-in method\", then \"Passkey\""},
		{JA: "PC に QR コードが出たら、スマホのカメラで読み取る（PC とスマホの両方で Bluetooth をオンに）", EN: "When the PC shows a QR code, scan it with the phone's camera (turn Bluetooth on, on both)"},
		{JA: "保存先に「Authenticator」を選び、画面ロックで確認する", EN: "Choose Authenticator as where to save it, and confirm with your screen lock"},
	}
	stepsSynced = []cards.Text{
		{JA: "PC で https://aka.ms/mysecurityinfo を開き、「サインイン方法の追加」から「パスキー」を選ぶ", EN: "On a PC, open https://aka.ms/mysecurityinfo, choose \"Add sign-in method\", then \"Passkey\""},
		{JA: "QR コードをスマホのカメラで読み取る（PC とスマホの両方で Bluetooth をオンに）", EN: "Scan the QR code with the phone's camera (turn Bluetooth on, on both)"},
		{JA: "iCloud キーチェーンか Google パスワード マネージャーに保存し、画面ロックで確認する", EN: "Save it in iCloud Keychain or Google Password Manager, and confirm with your screen lock"},
	}
	stepsWindowsHello = []cards.Text{
		{JA: "Windows Hello（顔・指紋・PIN）を設定済みか確認する", EN: "Make sure Windows Hello (face, fingerprint or PIN) is set up"},
		{JA: "その PC で https://aka.ms/mysecurityinfo を開き、「サインイン方法の追加」から「パスキー」を選ぶ", EN: "On that PC, open https://aka.ms/mysecurityinfo, choose \"Add sign-in method\", then \"Passkey\""},
		{JA: "保存先に「この Windows デバイス」を選び、Windows Hello で確認する", EN: "Choose \"This Windows device\" and confirm with Windows Hello"},
	}
	stepsSecurityKey = []cards.Text{
		{JA: "PC で https://aka.ms/mysecurityinfo を開き、「サインイン方法の追加」から「パスキー」を選ぶ", EN: "On a PC, open https://aka.ms/mysecurityinfo, choose \"Add sign-in method\", then \"Passkey\""},
		{JA: "保存先に「セキュリティキー」を選び、キーを USB に挿すか NFC でかざす", EN: "Choose \"Security key\", then insert the key or hold it to NFC"},
		{JA: "キーの PIN を設定（または入力）し、キーに触れる", EN: "Set (or enter) the key's PIN and touch the key"},
	}

	txtNoPhoneTitle = cards.Text{JA: "スマホがない、または古い場合", EN: "No smartphone, or an old one"}
	txtNoPhoneIntro = cards.Text{JA: "スマホがなくても、この組織では次の方法でパスキーを使えます。", EN: "Without a smartphone, this organisation lets you use a passkey on:"}
	txtNoPhoneKey   = cards.Text{JA: "セキュリティキー（USB・NFC の小さな鍵）", EN: "a security key (a small USB or NFC key)"}
	txtNoPhoneHello = cards.Text{JA: "ご自身の Windows PC の Windows Hello", EN: "Windows Hello on your own Windows PC"}
	txtNoPhoneAsk   = cards.Text{JA: "セキュリティキーの貸し出しなどは、ヘルプデスクにご相談ください。", EN: "Ask the helpdesk about borrowing a security key."}
	txtNoPhoneNone  = cards.Text{JA: "スマホがない場合の方法は、ヘルプデスクが一緒に考えます。担当者にご相談ください。", EN: "The helpdesk will find a way without a smartphone with you. Please talk to a person."}

	txtPasskeyNotYetTitle = cards.Text{JA: "新しいパスキーがまだ見つかりません", EN: "No new passkey yet"}
	txtPasskeyNotYet      = cards.Text{
		JA: "登録が最後まで終わっているか確認し、1分ほどしてからもう一度「登録しました」を押してください。",
		EN: "Check the registration went all the way through, then press \"I've registered it\" again in a minute.",
	}
	txtPasskeyDoneTitle   = cards.Text{JA: "パスキーを登録しました", EN: "Your passkey is registered"}
	txtPasskeyFound       = cards.Text{JA: "新しいパスキー「%s」を確認しました。", EN: "I can see your new passkey: %s."}
	txtPasskeyHowToSignIn = cards.Text{
		JA: "次からは、サインイン画面で「サインイン オプション」または「パスキーでサインイン」を選び、画面ロックで確認するだけです。PC では QR コードをスマホで読み取ります。",
		EN: "Next time, choose \"Sign-in options\" or \"Sign in with a passkey\" on the sign-in page and confirm with your screen lock. On a PC, scan the QR code with your phone.",
	}
	txtPasskeyRemovePhones = cards.Text{
		JA: "SMS・音声通話のコードは%sで終わるため、電話番号の方法は削除しても構いません。電話が「既定のサインイン方法」になっている場合は、先に https://aka.ms/mysecurityinfo で既定をパスキーに変えてください。削除は確認とサインインのあとに行います。",
		EN: "SMS and voice codes end on %s, so you may remove your phone methods. If the phone is your default sign-in method, first make the passkey the default at https://aka.ms/mysecurityinfo. Removing one takes a confirm and a sign-in.",
	}
	txtPasskeyRemoveButton = cards.Text{JA: "電話番号の方法を削除する", EN: "Remove my phone methods"}
)
