package cards

import (
	"fmt"
	"strings"
	"time"
)

// The passkey campaign's cards: the personal message each phone-only person
// gets in their 1:1 chat, and the helpdesk's status card.

// Campaign verbs. The "register a passkey" button is VerbPasskey with
// CampaignKey in its data, so the flow is the one the menu starts.
const (
	VerbCampaignLater        = "campaign.later"        // remind me later
	VerbCampaignNoSmartphone = "campaign.nosmartphone" // I can't use a smartphone
)

// CampaignKey is the data key naming the campaign a button belongs to.
const CampaignKey = "campaign"

// CampaignInviteView is what the personal card shows.
type CampaignInviteView struct {
	Campaign string
	Reminder bool      // a reminder rather than the first message
	End      time.Time // the day SMS and voice codes end
	DaysLeft int
	Methods  []Fact // the person's phone methods, masked
}

var (
	txtCampaignTitle    = Text{"パスキーの登録をお願いします", "Please register a passkey"}
	txtCampaignReminder = Text{"【再送】パスキーの登録をお願いします", "Reminder: please register a passkey"}
	txtCampaignWhy      = Text{
		"%sから、SMS と音声通話による確認コードは使えなくなります。その日以降、サインイン方法が電話だけの場合はサインインの途中で止められ、パスキーを登録するまで先へ進めません。Teams にも入れなくなるため、今のうちに登録してください。",
		"From %s, codes by text message and voice call stop working. After that day, anyone whose only sign-in method is a phone is stopped at sign-in until they register a passkey, and can't reach Teams either. Please register one now.",
	}
	txtCampaignStand = Text{"現在のサインイン方法は電話だけです（あと %d 日）。", "Your sign-in methods are phones only (%d days left)."}
	txtCampaignHow   = Text{
		"スマートフォンの Microsoft Authenticator なら 5 分ほどで登録できます。下のボタンから手順をご案内します。",
		"With Microsoft Authenticator on a smartphone it takes about five minutes. The button below walks you through it.",
	}
	txtCampaignStart        = Text{"パスキーを登録する", "Register a passkey"}
	txtCampaignLater        = Text{"あとで通知する", "Remind me later"}
	txtCampaignNoSmartphone = Text{"スマートフォンを使えない", "I can't use a smartphone"}
	txtCampaignLaterOK      = Text{
		"%s以降にもう一度お知らせします。期限は%sです。",
		"I'll remind you again after %s. The deadline is %s.",
	}
)

// CampaignInvite is the personal message of the passkey campaign.
func CampaignInvite(l Lang, v CampaignInviteView) *Card {
	title := txtCampaignTitle
	if v.Reminder {
		title = txtCampaignReminder
	}
	c := newCard(l, heading(title.In(l)), para(txtCampaignWhy.Format(l, Day(l, v.End))),
		TextBlock{Type: "TextBlock", Text: txtCampaignStand.Format(l, v.DaysLeft), Wrap: true, Weight: "Bolder", Color: "Attention"})
	if len(v.Methods) > 0 {
		c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: v.Methods})
	}
	c.Body = append(c.Body, para(txtCampaignHow.In(l)))
	start := submit(txtCampaignStart.In(l), VerbPasskey, CampaignKey, v.Campaign)
	start.Style = "positive"
	c.Actions = append(c.Actions, start,
		submit(txtCampaignLater.In(l), VerbCampaignLater, CampaignKey, v.Campaign),
		submit(txtCampaignNoSmartphone.In(l), VerbCampaignNoSmartphone, CampaignKey, v.Campaign))
	return c
}

// CampaignLaterOK confirms "remind me later".
func CampaignLaterOK(l Lang, until, end time.Time) Message {
	return Message{Text: txtCampaignLaterOK.Format(l, Day(l, until), Day(l, end))}
}

// Day writes a date the way each language does: 2027年2月1日, 1 February 2027.
func Day(l Lang, t time.Time) string {
	if l == Japanese {
		return t.Format("2006年1月2日")
	}
	return t.Format("2 January 2006")
}

// CampaignStatusView is what the helpdesk's status card shows.
type CampaignStatusView struct {
	At           time.Time
	PhoneOnly    int
	Contacted    int
	Started      int
	Registered   int
	Unreachable  int
	NoSmartphone int
	DaysLeft     int
	// History is the phone-only count over time, oldest first, for the
	// chart.
	History []int
}

var (
	txtCampaignStatusTitle = Text{"パスキー移行キャンペーン", "Passkey campaign"}
	txtCampaignStatusLeft  = Text{"SMS・音声の終了まであと %d 日", "%d days until SMS and voice codes end"}
	txtCampaignPhoneOnly   = Text{"電話だけの人", "Phones only"}
	txtCampaignContacted   = Text{"連絡済み", "Contacted"}
	txtCampaignStarted     = Text{"登録を開始", "Started"}
	txtCampaignRegistered  = Text{"移行済み", "Moved off phones"}
	txtCampaignUnreachable = Text{"連絡できない", "Unreachable"}
	txtCampaignNoPhone     = Text{"スマホを使えない", "Can't use a smartphone"}
	txtCampaignTrend       = Text{"電話だけの人の推移", "Phones only, over time"}
	txtCampaignUpdated     = Text{"%s 時点", "As of %s"}
)

// CampaignStatus is the card the helpdesk channel keeps, updated in place.
func CampaignStatus(l Lang, v CampaignStatusView) *Card {
	n := func(i int) string { return fmt.Sprint(i) }
	c := newCard(l, heading(txtCampaignStatusTitle.In(l)),
		TextBlock{Type: "TextBlock", Text: txtCampaignStatusLeft.Format(l, max(v.DaysLeft, 0)), Wrap: true, Weight: "Bolder", Color: "Attention"},
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: txtCampaignPhoneOnly.In(l), Value: n(v.PhoneOnly)},
			{Title: txtCampaignContacted.In(l), Value: n(v.Contacted)},
			{Title: txtCampaignStarted.In(l), Value: n(v.Started)},
			{Title: txtCampaignRegistered.In(l), Value: n(v.Registered)},
			{Title: txtCampaignUnreachable.In(l), Value: n(v.Unreachable)},
			{Title: txtCampaignNoPhone.In(l), Value: n(v.NoSmartphone)},
		}})
	if len(v.History) > 1 {
		c.Body = append(c.Body, subtle(txtCampaignTrend.In(l)),
			TextBlock{Type: "TextBlock", Text: Sparkline(v.History, 30) + "  " + n(v.History[0]) + " → " + n(v.History[len(v.History)-1]),
				FontType: "Monospace", Wrap: false})
	}
	c.Body = append(c.Body, subtle(txtCampaignUpdated.Format(l, v.At.Format("2006-01-02 15:04 MST"))))
	return c
}

// sparks are the eight heights of a text chart.
var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as a one-line bar chart of at most width bars,
// scaled from zero to the largest value, so that a count falling towards
// zero looks like it. Older values are merged when there are more than
// width (each bar shows the last value of its span).
func Sparkline(values []int, width int) string {
	if len(values) == 0 || width < 1 {
		return ""
	}
	if len(values) > width {
		merged := make([]int, width)
		for i := range merged {
			merged[i] = values[(i+1)*len(values)/width-1]
		}
		values = merged
	}
	top := 0
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		i := 0
		if top > 0 {
			i = min(len(sparks)-1, max(v, 0)*(len(sparks)-1)/top)
		}
		b.WriteRune(sparks[i])
	}
	return b.String()
}
