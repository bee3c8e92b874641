package dialogs_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

// TestSmallTalkGetsAShortFriendlyAnswer: thanks, greetings (with the menu,
// as "hi" is) and noise are answered as such, in the language written, never with "I can't answer
// that", and they do not count towards offering a person.
func TestSmallTalkGetsAShortFriendlyAnswer(t *testing.T) {
	r := dialogs.NewRouter(testKB, nil)
	for _, c := range []struct {
		text string
		want string
	}{
		{"ありがとう", msg(cards.YoureWelcome, ja)},
		{"ありがとうございました！", msg(cards.YoureWelcome, ja)},
		{"thank you!", msg(cards.YoureWelcome, en)},
		{"おはようございます", card(cards.Menu, ja)},
		{"good morning", card(cards.Menu, en)},
		{"？？？", card(cards.Unreadable, ja)},
	} {
		// Each after an unhelpful turn: one more unhelpful one would offer
		// a person.
		s, _ := r.Step(dialogs.Session{}, text("banana"))
		s, out := r.Step(s, text(c.text))
		if got := summaries(out.Replies); !cmp.Equal(got, []string{c.want}) {
			t.Errorf("%q: replies %v, want %v", c.text, got, []string{c.want})
		}
		if s.Unhelpful != 1 {
			t.Errorf("%q: unhelpful turns %d after it, want 1 (small talk counts neither way)", c.text, s.Unhelpful)
		}
	}
}

// TestPersonOfferedWhenItHelps: a person is offered by the bot itself at
// most once per topic and never twice in a row, however long the
// conversation goes on without help; the out-of-scope and suggestion
// cards keep their own "Talk to a person" button.
func TestPersonOfferedWhenItHelps(t *testing.T) {
	r := dialogs.NewRouter(testKB, nil)
	var s dialogs.Session
	var out dialogs.Turn
	offered := []int{}
	say := func(i int, words string) {
		s, out = r.Step(s, text(words))
		for _, m := range out.Replies {
			if summary(m) == offer(ja) {
				offered = append(offered, i)
			}
		}
	}
	// 25 messages: nothing the bot knows, then an answered topic and more
	// it cannot help with, then a 👎 on the answer.
	for i := range 12 {
		say(i, fmt.Sprintf("banana %d", i))
	}
	say(12, "SMSが届かない") // answered: a new topic
	for i := 13; i < 24; i++ {
		say(i, fmt.Sprintf("cherry %d", i))
	}
	if len(offered) != 2 {
		t.Errorf("a person was offered after messages %v, want twice: once with no topic, once on the SMS topic", offered)
	}
	for i := 1; i < len(offered); i++ {
		if offered[i] == offered[i-1]+1 {
			t.Errorf("offered twice in a row (messages %d and %d)", offered[i-1], offered[i])
		}
	}
	// A 👎 on the SMS answer: that topic had its offer already.
	s, out = r.Step(s, submit(cards.VerbFeedback, cards.TopicKey, "sms-not-arriving", cards.HelpfulKey, "no"))
	for _, m := range out.Replies {
		if summary(m) == offer(ja) {
			t.Error("a 👎 on a topic already offered a person offered one again")
		}
	}
}
