package cards

import (
	"fmt"
	"strings"
	"time"
)

// The security notices: after every change of a person's sign-in methods
// (and every Temporary Access Pass issued for them) they are told in their
// chat, with a "This wasn't me" button, and by email, a channel a stolen
// Teams session does not hold.

// VerbNotMe reports that the person did not make a change: it opens an
// urgent ticket. Data: KindKey names what was reported ("change", "tap").
const VerbNotMe = "security.notme"

// Kinds of notice.
const (
	NoticeChange = "change"
	NoticeTAP    = "tap"
)

var (
	txtNoticeTitle = Text{JA: "セキュリティのお知らせ: サインイン方法が変更されました", EN: "Security notice: your sign-in methods changed"}
	txtNoticeTAP   = Text{JA: "セキュリティのお知らせ: 一時アクセスパスが発行されました", EN: "Security notice: a Temporary Access Pass was issued for you"}
	txtNoticeBody  = Text{JA: "%s に次の変更がありました。確認用のメールも送りました。心当たりがなければ、すぐに下のボタンを押してください。", EN: "This happened at %s. An email with the same notice is on its way. If it wasn't you, press the button below at once."}
	txtNotMe       = Text{JA: "これは自分ではない", EN: "This wasn't me"}

	txtMailSubject    = Text{JA: "【MFA Desk】サインイン方法が変更されました", EN: "[MFA Desk] Your sign-in methods changed"}
	txtMailSubjectTAP = Text{JA: "【MFA Desk】一時アクセスパスが発行されました", EN: "[MFA Desk] A Temporary Access Pass was issued for you"}
	txtMailIntro      = Text{JA: "%s に、あなたのアカウントで次の変更がありました（電話番号は一部を伏せています）。", EN: "At %s, this happened to your account (phone numbers partly hidden):"}
	txtMailIfNotYou   = Text{JA: "心当たりがない場合は、すぐにヘルプデスクに電話または窓口で連絡し、パスワードを変更してください。Teams の MFA Desk で「これは自分ではない」を押すこともできます（Teams も乗っ取られている可能性があるため、まず電話か窓口で）。", EN: "If this wasn't you, call or visit your helpdesk at once and change your password. You can also press \"This wasn't me\" in MFA Desk in Teams (but call or visit first: your Teams may be in someone else's hands too)."}
	txtMailIfYou      = Text{JA: "ご自身の操作であれば、対応は不要です。", EN: "If it was you, there is nothing to do."}
	txtMailFooter     = Text{JA: "このメールは MFA Desk から自動で送信されています。返信はできません。", EN: "This email was sent automatically by MFA Desk. Replies are not read."}
)

// SecurityNotice is the chat message that tells the person what changed
// (what, numbers masked) and when, with the "This wasn't me" button.
func SecurityNotice(l Lang, kind string, what []string, at time.Time) *Card {
	title := txtNoticeTitle
	if kind == NoticeTAP {
		title = txtNoticeTAP
	}
	c := newCard(l, heading(title.In(l)), para(fmt.Sprintf(txtNoticeBody.In(l), at.Format("2006-01-02 15:04 MST"))))
	for _, w := range what {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: "- " + w, Wrap: true})
	}
	c.Actions = append(c.Actions, Button{Title: txtNotMe.In(l), Verb: VerbNotMe, Data: map[string]string{KindKey: kind}}.action())
	c.Actions[len(c.Actions)-1].Style = "destructive"
	return c
}

// NoticeMail is the email of a security notice, in both languages (the
// person's first): what happened (masked) and what to do if it wasn't them.
func NoticeMail(first Lang, kind string, what []Text, at time.Time) (subject, body string) {
	subj := txtMailSubject
	if kind == NoticeTAP {
		subj = txtMailSubjectTAP
	}
	langs := []Lang{first, first.Other()}
	var b strings.Builder
	for i, l := range langs {
		if i > 0 {
			b.WriteString("\n----------------------------------------\n\n")
		}
		b.WriteString(fmt.Sprintf(txtMailIntro.In(l), at.Format("2006-01-02 15:04 MST")) + "\n\n")
		for _, w := range what {
			b.WriteString("  - " + w.In(l) + "\n")
		}
		b.WriteString("\n" + txtMailIfNotYou.In(l) + "\n" + txtMailIfYou.In(l) + "\n\n" + txtMailFooter.In(l) + "\n")
	}
	return subj.In(langs[0]) + " / " + subj.In(langs[1]), b.String()
}
