package dialogs

import (
	"slices"
	"strings"
	"sync"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
)

// maxUnhelpful is how many unhelpful turns in a row make the bot offer a
// person on its own.
const maxUnhelpful = 2

// answerQuestion matches free text against the knowledge base and answers:
// the topic's card when confident, the closest topics when unsure, and what
// the bot covers when the question is about something else.
func (r *Router) answerQuestion(kb *faq.KB, s *Session, in Input, out *Turn) {
	l := in.Lang
	// Thanks, a greeting or nothing readable ask nothing: a short answer,
	// and the turn counts neither as helpful nor as unhelpful.
	switch faq.SmallTalkOf(in.Text) {
	case faq.Thanks:
		out.Replies = append(out.Replies, cards.YoureWelcome(l))
		return
	case faq.Greeting:
		// As "hi" and 「こんにちは」 typed alone: what the bot can do.
		out.Replies = append(out.Replies, cards.Message{Card: cards.Menu(l)})
		return
	case faq.Noise:
		out.Replies = append(out.Replies, cards.Message{Card: cards.Unreadable(l)})
		return
	}
	res := kb.Match(in.Text)
	out.Matched = &Matched{Confidence: res.Confidence.String()}
	human := humanButton(l)
	switch res.Confidence {
	case faq.Confident:
		e, _ := kb.Entry(res.Best())
		out.Matched.Topic = e.ID
		out.Replies = append(out.Replies, r.answer(kb, e, in))
		s.Unhelpful = 0
		s.LastTopic = e.ID
		return
	case faq.Unsure:
		var topics []cards.Button
		for _, c := range res.Candidates {
			if e, ok := kb.Entry(c.ID); ok {
				topics = append(topics, topicButton(e, l))
			}
		}
		out.Replies = append(out.Replies, cards.Message{Card: cards.Suggestions(l, topics, human)})
	default:
		out.Replies = append(out.Replies, cards.Message{Card: cards.OutOfScope(l, human)})
	}
	unhelpful(s, l, out, false)
}

// unhelpful counts a turn that did not help and, after maxUnhelpful in a
// row, offers a person. offerNow offers one at once (a 👎). The offer
// comes when it helps, not as a refrain: once per topic (the last one
// answered, or none), and never right after the last one. Every card
// that did not help has its own "Talk to a person" button anyway.
func unhelpful(s *Session, l cards.Lang, out *Turn, offerNow bool) {
	s.Unhelpful++
	if !offerNow && s.Unhelpful < maxUnhelpful {
		return
	}
	s.Unhelpful = 0
	if s.OfferedLast || slices.Contains(s.Offered, s.LastTopic) {
		return
	}
	out.Replies = append(out.Replies, cards.Message{Card: cards.HumanOffer(l, humanButton(l))})
	s.OfferedLast = true
	s.Offered = append(s.Offered, s.LastTopic)
	if n := len(s.Offered); n > maxOffered {
		s.Offered = slices.Clone(s.Offered[n-maxOffered:])
	}
}

// maxOffered bounds the topics remembered as offered.
const maxOffered = 10

// answerCard renders a knowledge-base entry in in's language, as it applies
// to tenant t on in's day.
func answerCard(kb *faq.KB, t faq.Tenant, entry *faq.Entry, in Input, fb cards.FeedbackState) *cards.Card {
	l := in.Lang
	e := entry.In(t, in.Now)
	v := cards.AnswerView{
		TopicID:   entry.ID,
		Title:     pick(l, e.Title.JA, e.Title.EN),
		Notice:    pick(l, e.Notice.JA, e.Notice.EN),
		Body:      pick(l, e.Answer.JA, e.Answer.EN),
		Steps:     pickLines(l, e.Steps),
		FollowUps: followUps(l, e.Actions),
		Feedback:  fb,
	}
	for _, li := range e.Links {
		v.Links = append(v.Links, cards.Link{Title: pick(l, li.Title.JA, li.Title.EN), URL: li.URL})
	}
	for _, id := range entry.Related {
		if r, ok := kb.Entry(id); ok {
			v.Related = append(v.Related, topicButton(r, l))
		}
	}
	return cards.Answer(l, v)
}

// answer is entry e's answer as a reply (answerMessage), built once per
// language and phase of the SMS and voice retirement for the router's
// tenant and knowledge base kb, and its card encoded once: the answer is
// the same for everyone who asks, and building and encoding it each time
// was a seventh of a question's CPU under load.
func (r *Router) answer(kb *faq.KB, e *faq.Entry, in Input) cards.Message {
	memo := r.answers.Load()
	if memo == nil || memo.kb != kb {
		// A turn that started with the knowledge base just replaced.
		return answerMessage(kb, r.tenant, e, in)
	}
	key := answerKey{e.ID, in.Lang, r.tenant.PhoneCodesEnding(in.Now), r.tenant.PhoneCodesEnded(in.Now)}
	if m, ok := memo.messages.Load(key); ok {
		return m.(cards.Message)
	}
	m := answerMessage(kb, r.tenant, e, in)
	m.Card.Freeze()
	memo.messages.Store(key, m)
	return m
}

// answerMemo keeps the answer messages built from one knowledge base for
// one tenant. Its messages are shared: nothing changes them.
type answerMemo struct {
	kb       *faq.KB
	messages sync.Map // answerKey → cards.Message
}

// answerKey is what an answer message depends on besides the topic's
// entry: the language, and whether SMS and voice codes are ending or have
// ended (faq.Entry.In).
type answerKey struct {
	topic         string
	lang          cards.Lang
	ending, ended bool
}

// answerMessage is an entry's answer as a reply: its card, citing the
// document it comes from.
func answerMessage(kb *faq.KB, t faq.Tenant, e *faq.Entry, in Input) cards.Message {
	// Rated with Teams' own 👍/👎 under the message, not buttons in it.
	m := cards.Message{Card: answerCard(kb, t, e, in, cards.FeedbackNone), Topic: e.ID}
	for _, id := range e.Related {
		if r, ok := kb.Entry(id); ok && len(m.Prompts) < maxPrompts {
			bt := r.ButtonTitle()
			m.Prompts = append(m.Prompts, pick(in.Lang, bt.JA, bt.EN))
		}
	}
	if src := e.Cites(); src != nil {
		l := in.Lang
		// Teams shows a citation's abstract under its name, and wants
		// one: without its own, the question the answer is about.
		abstract := pick(l, src.Abstract.JA, src.Abstract.EN)
		if abstract == "" {
			abstract = pick(l, e.Title.JA, e.Title.EN)
		}
		m.Cites = cards.Cite(l, pick(l, src.Name.JA, src.Name.EN), src.URL, abstract)
	}
	return m
}

// maxPrompts bounds the suggested prompts under an answer.
const maxPrompts = 3

func topicButton(e *faq.Entry, l cards.Lang) cards.Button {
	t := e.ButtonTitle()
	return cards.Button{Title: pick(l, t.JA, t.EN), Verb: cards.VerbTopic, Data: map[string]string{cards.TopicKey: e.ID}}
}

var txtActions = map[string]cards.Text{
	faq.ActionTroubleshootSMS:     {JA: "SMSの確認を始める", EN: "Troubleshoot the SMS"},
	faq.ActionTroubleshootVoice:   {JA: "電話認証の確認を始める", EN: "Troubleshoot the call"},
	faq.ActionTroubleshootRoaming: {JA: "海外での認証を確認する", EN: "Check what works abroad"},
	faq.ActionChangePhone:         {JA: "電話番号を変更する", EN: "Change my phone number"},
	faq.ActionChangeAuthenticator: {JA: "Authenticatorを新しいスマホへ", EN: "Move Authenticator to a new phone"},
	faq.ActionAddMethod:           {JA: "認証方法を追加する", EN: "Add a sign-in method"},
	faq.ActionRemoveMethod:        {JA: "認証方法を削除する", EN: "Remove a sign-in method"},
	faq.ActionPasskey:             {JA: "パスキーを登録する", EN: "Register a passkey"},
}

// RetirementTopic explains the end of SMS and voice codes.
const RetirementTopic = "sms-voice-retirement"

var txtHuman = cards.Text{JA: "担当者と話す", EN: "Talk to a person"}

func humanButton(l cards.Lang) cards.Button {
	return cards.Button{Title: txtHuman.In(l), Verb: cards.VerbHuman}
}

// followUps turns knowledge-base actions into buttons. "Talk to a person"
// is always offered, last.
func followUps(l cards.Lang, actions []string) []cards.Button {
	var bs []cards.Button
	for _, a := range actions {
		b := cards.Button{Title: txtActions[a].In(l)}
		switch a {
		case faq.ActionHuman:
			continue
		case faq.ActionTroubleshootSMS, faq.ActionTroubleshootVoice, faq.ActionTroubleshootRoaming:
			b.Verb, b.Data = cards.VerbTroubleshoot, map[string]string{cards.TSKey: strings.TrimPrefix(a, "troubleshoot-")}
		case faq.ActionPasskey:
			b.Verb, b.Data = cards.VerbPasskey, nil
		default:
			b.Verb, b.Data = cards.VerbChange, map[string]string{cards.KindKey: a}
		}
		bs = append(bs, b)
	}
	return append(bs, humanButton(l))
}

func pick(l cards.Lang, ja, en string) string {
	return cards.Text{JA: ja, EN: en}.In(l)
}

func pickLines(l cards.Lang, ls faq.Lines) []string {
	if l == cards.Japanese {
		return ls.JA
	}
	return ls.EN
}
