package cards

import (
	"fmt"
	"strings"
)

// More verbs, for answers and troubleshooters.
const (
	VerbTopic    = "faq.topic"    // show one topic's answer; data: topic
	VerbFeedback = "faq.feedback" // 👍/👎 on an answer card; data: topic, helpful
	// VerbReaction is Teams' own 👍/👎 under an answer message (its
	// feedback loop): data helpful, comment, and the answer's topic, which
	// the runner looks up by the message's id ("" if it is not known).
	VerbReaction     = "faq.reaction"
	VerbTroubleshoot = "ts.start"  // start a troubleshooter; data: ts
	VerbTSAnswer     = "ts.answer" // answer a troubleshooter question; data: ts, node, next
)

// Data keys of those verbs.
const (
	TopicKey   = "topic"
	HelpfulKey = "helpful"
	CommentKey = "comment"
	TSKey      = "ts"
	NodeKey    = "node"
	NextKey    = "next"
	KindKey    = "kind"
)

// Button is a button that sends a verb with data back to the bot.
type Button struct {
	Title string
	Verb  string
	Data  map[string]string
}

func (b Button) action() Action {
	a := submit(b.Title, b.Verb)
	for k, v := range b.Data {
		a.Data[k] = v
	}
	return a
}

// Link is a web page to open.
type Link struct {
	Title string
	URL   string
}

// FeedbackState is where the "was this helpful?" row stands.
type FeedbackState int

// Feedback states.
const (
	FeedbackAsk   FeedbackState = iota // show 👍 / 👎
	FeedbackGiven                      // say thanks; buttons gone
	FeedbackNone                       // no row (e.g. inside a troubleshooter)
)

// AnswerView is what an answer card shows.
type AnswerView struct {
	TopicID string
	Title   string
	// Notice goes above the body in the warning colour: SMS and voice codes
	// are ending, or have ended, for this organisation.
	Notice string
	// Evidence goes above the body: what the person's own sign-in log
	// showed, when a troubleshooter reached this fix from it.
	Evidence  string
	Body      string
	Steps     []string
	Links     []Link
	FollowUps []Button // actions first, then "talk to a person"
	Related   []Button
	Feedback  FeedbackState
	// FeedbackData rides on the feedback buttons besides the topic, so
	// that the card can be rebuilt when a vote replaces it (a
	// troubleshooter's fix says which tree and node it is).
	FeedbackData map[string]string
}

var (
	txtStepsHeading = Text{"手順", "What to do"}
	txtRelated      = Text{"関連する質問", "Related questions"}
	txtSourceLine   = Text{"出典 [1]", "Source [1]"}
	txtHelpfulQ     = Text{"この回答は役に立ちましたか？", "Was this answer helpful?"}
	txtHelpfulYes   = Text{"👍 はい", "👍 Yes"}
	txtHelpfulNo    = Text{"👎 いいえ", "👎 No"}
	txtThanks       = Text{"フィードバックありがとうございました。", "Thanks for your feedback."}
)

// Answer renders a knowledge-base answer.
func Answer(l Lang, v AnswerView) *Card {
	c := newCard(l, heading(v.Title))
	if v.Notice != "" {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: v.Notice, Wrap: true, Color: "Warning", Weight: "Bolder"})
	}
	if v.Evidence != "" {
		c.Body = append(c.Body, evidence(v.Evidence))
	}
	c.Body = append(c.Body, para(strings.TrimSpace(v.Body)))
	if len(v.Steps) > 0 {
		c.Body = append(c.Body,
			TextBlock{Type: "TextBlock", Text: txtStepsHeading.In(l), Weight: "Bolder", Wrap: true, Spacing: "Medium"},
			para(numbered(v.Steps)))
	}
	if len(v.Related) > 0 {
		c.Body = append(c.Body, subtle(txtRelated.In(l)), buttonSet(v.Related))
	}
	c.Body = append(c.Body, feedbackRow(l, v.TopicID, v.Feedback, v.FeedbackData)...)
	for _, li := range v.Links {
		c.Actions = append(c.Actions, openURL(li.Title, li.URL))
	}
	for _, f := range v.FollowUps {
		c.Actions = append(c.Actions, f.action())
	}
	return c
}

// feedbackRow asks whether the answer helped. Its buttons are Action.Execute:
// the answer card is replaced in place by one that says thanks, so nobody
// can vote twice from the same card.
func feedbackRow(l Lang, topic string, st FeedbackState, extra map[string]string) []any {
	switch st {
	case FeedbackAsk:
		vote := func(title, helpful string) Action {
			a := execute(title, VerbFeedback, TopicKey, topic, HelpfulKey, helpful)
			for k, v := range extra {
				a.Data[k] = v
			}
			return a
		}
		return []any{
			Container{Type: "Container", Spacing: "Large", Items: []any{subtle(txtHelpfulQ.In(l))}},
			ActionSet{Type: "ActionSet", Actions: []Action{vote(txtHelpfulYes.In(l), "yes"), vote(txtHelpfulNo.In(l), "no")}},
		}
	case FeedbackGiven:
		return []any{Container{Type: "Container", Spacing: "Large", Items: []any{subtle(txtThanks.In(l))}}}
	}
	return nil
}

var (
	txtSuggestTitle = Text{"こちらのことでしょうか？", "Is it one of these?"}
	txtSuggestBody  = Text{
		"はっきりとは分かりませんでした。近いものを選んでください。違う場合は、言い方を変えて書くか、担当者にご相談ください。",
		"I'm not sure I understood. Pick the closest one, say it in other words, or talk to a person.",
	}
	txtOutTitle = Text{"その質問にはお答えできません", "I can't help with that one"}
	txtOutBody  = Text{
		"私がお手伝いできるのは、多要素認証（MFA）のことだけです。たとえば、SMSや電話のコードが届かない、海外での認証、機種変更、認証アプリ（Microsoft Authenticator）のことなどです。",
		"I can only help with multi-factor authentication (MFA): codes by SMS or phone call that don't arrive, signing in abroad, changing phones, the Microsoft Authenticator app and the like.",
	}
	txtOfferTitle = Text{"担当者におつなぎしましょうか？", "Shall I get you a person?"}
	txtOfferBody  = Text{
		"うまくお役に立てていないようです。ヘルプデスクの担当者に相談できます。",
		"It looks like I'm not helping. A person at the helpdesk can take over.",
	}
	txtKeepAsking = Text{"自分で続ける", "I'll keep trying"}
)

// Suggestions offers the closest topics when the matcher is unsure.
func Suggestions(l Lang, topics []Button, human Button) *Card {
	c := newCard(l, heading(txtSuggestTitle.In(l)), para(txtSuggestBody.In(l)))
	c.Body = append(c.Body, buttonSet(topics))
	c.Actions = []Action{human.action()}
	return c
}

// buttonSet places buttons in the body, where they read as choices.
func buttonSet(bs []Button) ActionSet {
	set := ActionSet{Type: "ActionSet"}
	for _, b := range bs {
		set.Actions = append(set.Actions, b.action())
	}
	return set
}

// OutOfScope says what the bot covers and offers a person.
func OutOfScope(l Lang, human Button) *Card {
	c := newCard(l, heading(txtOutTitle.In(l)), para(txtOutBody.In(l)))
	c.Actions = []Action{human.action(), submit(txtBackToMenu.In(l), VerbMenu)}
	return c
}

// HumanOffer follows two unhelpful turns in a row.
func HumanOffer(l Lang, human Button) *Card {
	c := newCard(l, heading(txtOfferTitle.In(l)), para(txtOfferBody.In(l)))
	c.Actions = []Action{human.action(), submit(txtKeepAsking.In(l), VerbAsk)}
	return c
}

// The replies to messages that ask nothing: thanks, or nothing readable
// (a greeting gets the menu). Short, and no offer of a person: nothing
// went wrong.
var (
	txtWelcome = Text{
		"どういたしまして。ほかにも困ったことがあれば、いつでもここに書いてください。",
		"You're welcome. If anything else comes up, just write it here.",
	}
	txtUnreadable = Text{
		"すみません、読み取れませんでした。困っていることを短く書いてみてください（例：「SMSが届かない」）。メニューから選ぶこともできます。",
		"Sorry, I couldn't read that. Tell me in a few words what's wrong (for example \"the SMS code never arrives\"), or pick from the menu.",
	}
	txtMenuButton = Text{"メニュー", "Menu"}
)

// YoureWelcome answers thanks.
func YoureWelcome(l Lang) Message { return Message{Text: txtWelcome.In(l)} }

// Unreadable answers a message with no words in it (「？？？」, an emoji).
func Unreadable(l Lang) *Card {
	c := newCard(l, para(txtUnreadable.In(l)))
	c.Actions = []Action{submit(txtMenuButton.In(l), VerbMenu)}
	return c
}

// FeedbackThanks answers feedback sent without Action.Execute (a client
// that only knows Action.Submit), where the card cannot be updated.
func FeedbackThanks(l Lang) Message { return Message{Text: txtThanks.In(l)} }

var txtStepOf = Text{"質問 %d", "Question %d"}

// evidence sets apart what the person's sign-in log showed (SignInEvidence).
func evidence(text string) Container {
	return Container{Type: "Container", Style: "emphasis", Items: []any{TextBlock{Type: "TextBlock", Text: text, Wrap: true, Size: "Small"}}}
}

// TroubleshooterQuestion is one question of a troubleshooter, under what
// the person's sign-in log showed (evidenceText, SignInEvidence; may be
// empty). Its options are Action.Submit buttons, so the conversation
// reads top to bottom.
func TroubleshooterQuestion(l Lang, title string, number int, evidenceText, question string, options []Button, human Button) *Card {
	c := newCard(l,
		TextBlock{Type: "TextBlock", Text: title, Wrap: true, Weight: "Bolder", IsSubtle: true, Size: "Small"},
		TextBlock{Type: "TextBlock", Text: fmt.Sprintf(txtStepOf.In(l), number), Wrap: true, Size: "Small", IsSubtle: true},
	)
	if evidenceText != "" {
		c.Body = append(c.Body, evidence(evidenceText))
	}
	c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: question, Wrap: true, Size: "Medium", Weight: "Bolder"}, buttonSet(options))
	c.Actions = []Action{human.action()}
	return c
}
