package dialogs_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
)

func wantEffects(want ...dialogs.Effect) func(*testing.T, dialogs.Session, dialogs.Turn) {
	return func(t *testing.T, _ dialogs.Session, out dialogs.Turn) {
		t.Helper()
		if diff := cmp.Diff(want, out.Effects); diff != "" {
			t.Errorf("effects (-want +got):\n%s", diff)
		}
	}
}

func TestFAQTranscripts(t *testing.T) {
	t.Parallel()
	feedback := func(helpful string) dialogs.Input {
		return submit(cards.VerbFeedback, cards.TopicKey, "sms-not-arriving", cards.HelpfulKey, helpful)
	}
	tests := []struct {
		name  string
		turns []turn
	}{
		{"a confident answer", []turn{
			{name: "question", in: text("SMSが届かない"), want: []string{answer("sms-not-arriving", ja)}, check: wantEffects()},
		}},
		{"two unhelpful turns offer a person", []turn{
			{name: "out of scope", in: text("プリンターが動かない"), want: []string{oos(ja)}},
			{name: "again", in: text("学食のメニューは？"), want: []string{oos(ja), offer(ja)}},
			{name: "the count starts over", in: text("図書館の開館時間"), want: []string{oos(ja)}},
			{name: "a good answer resets it", in: text("スマホをなくした"), want: []string{answer("lost-phone", ja)}},
			{name: "so one miss is just a miss", in: text("図書館の開館時間"), want: []string{oos(ja)}},
		}},
		{"a topic button", []turn{
			{name: "click", in: submit(cards.VerbTopic, cards.TopicKey, "roaming-abroad"), want: []string{answer("roaming-abroad", ja)}},
			{name: "a topic that is gone", in: submit(cards.VerbTopic, cards.TopicKey, "fax"), want: []string{card(cards.Menu, ja)}},
		}},
		{"feedback by Action.Submit", []turn{
			{name: "helpful", in: feedback("yes"), want: []string{"text: " + cards.FeedbackThanks(ja).Text},
				check: wantEffects(dialogs.RecordFeedback{Topic: "sms-not-arriving", Helpful: true})},
			{name: "not helpful offers a person", in: feedback("no"), want: []string{"text: " + cards.FeedbackThanks(ja).Text, offer(ja)},
				check: wantEffects(dialogs.RecordFeedback{Topic: "sms-not-arriving", Helpful: false})},
			{name: "unknown topic records nothing", in: submit(cards.VerbFeedback, cards.TopicKey, "fax", cards.HelpfulKey, "yes"), want: nil,
				check: wantEffects()},
		}},
		{"feedback by Action.Execute updates the card", []turn{
			{name: "helpful", in: func() dialogs.Input { in := feedback("yes"); in.Execute = true; return in }(), want: nil,
				check: func(t *testing.T, _ dialogs.Session, out dialogs.Turn) {
					if out.Update == nil {
						t.Fatal("no card update for an Action.Execute")
					}
					for _, e := range out.Update.Body {
						if as, ok := e.(cards.ActionSet); ok {
							for _, a := range as.Actions {
								if a.Verb == cards.VerbFeedback {
									t.Error("the updated card still has feedback buttons")
								}
							}
						}
					}
				}},
		}},
		{"a vote on a troubleshooter's fix keeps the fix", []turn{
			{name: "vote", in: func() dialogs.Input {
				in := submit(cards.VerbFeedback, cards.TopicKey, "voice-call-failed", cards.HelpfulKey, "yes", cards.TSKey, "voice", cards.NodeKey, "fix-press")
				in.Execute = true
				return in
			}(), want: nil, check: func(t *testing.T, _ dialogs.Session, out dialogs.Turn) {
				if out.Update == nil {
					t.Fatal("no card update")
				}
				b, _ := out.Update.JSON()
				if !strings.Contains(string(b), "約20秒以内") {
					t.Errorf("the updated card is not the fix that was voted on: %s", b)
				}
			}},
		}},
		{"a troubleshooter gives way to a typed question", []turn{
			{name: "start", in: submit(cards.VerbTroubleshoot, cards.TSKey, "voice"), want: []string{"card: 電話（音声通話）で認証できないときの確認"},
				check: wantStack(dialogs.Frame{Dialog: "troubleshoot", Version: 1, State: []byte(`{"tree":"voice","node":"rang"}`)})},
			{name: "typed instead", in: text("海外でコードが受け取れない"), want: []string{answer("roaming-abroad", ja)}, check: wantStack()},
		}},
	}
	r := dialogs.NewRouter(testKB, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			play(t, r, dialogs.Session{}, tt.turns)
		})
	}
}

// TestAnswersKeptPerLanguageAndPhase: an answer is built once and then
// shared, so what it depends on besides the topic must be in its key. The
// same question asked in the other language, or once SMS and voice codes
// have ended, gets its own answer, and each answer's kept encoding is its
// card's.
func TestAnswersKeptPerLanguageAndPhase(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, nil)
	r.SetTenant(faq.DefaultTenant()) // Microsoft telephony, ending 2027-02-01
	ask := func(lang cards.Lang, at time.Time) *cards.Card {
		t.Helper()
		in := text("SMSが届かない")
		if lang == cards.English {
			in = text("I don't get the SMS code")
			in.Locale = "en-US"
		}
		in.Now = at
		_, out := r.Step(dialogs.Session{}, in)
		if len(out.Replies) == 0 || out.Replies[0].Card == nil {
			t.Fatalf("%s at %s: no answer card", lang, at)
		}
		c := out.Replies[0].Card
		if want, _ := json.Marshal(c); string(c.Frozen()) != string(want) {
			t.Errorf("%s at %s: kept encoding is not the card's:\n%s\nwant\n%s", lang, at, c.Frozen(), want)
		}
		return c
	}
	before := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	after := time.Date(2027, 2, 2, 9, 0, 0, 0, time.UTC)
	jaBefore, enBefore, jaAfter := ask(cards.Japanese, before), ask(cards.English, before), ask(cards.Japanese, after)
	if again := ask(cards.Japanese, before); again != jaBefore {
		t.Error("the same question, language and phase built a new answer; want the kept one")
	}
	for name, c := range map[string]*cards.Card{"ja before": jaBefore, "en before": enBefore, "ja after": jaAfter} {
		b, _ := json.Marshal(c)
		wantEnding := name != "ja after"
		if got := strings.Contains(string(b), "2027年2月1日で終わります") || strings.Contains(string(b), "end on 1 February 2027"); got != wantEnding {
			t.Errorf("%s: says codes are ending = %v, want %v:\n%s", name, got, wantEnding, b)
		}
		if isEN := strings.Contains(string(b), `"lang":"en"`); isEN != (name == "en before") {
			t.Errorf("%s: English card = %v:\n%s", name, isEN, b)
		}
	}
}
