package dialogs

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
)

// TestTroubleshooterTrees checks every tree: each option leads to a node,
// every node can be reached, every question ends in a fix, texts exist in
// both languages and actions are ones the answer cards know.
func TestTroubleshooterTrees(t *testing.T) {
	t.Parallel()
	for id, tree := range trees {
		t.Run(id, func(t *testing.T) {
			if tree.ID != id {
				t.Errorf("tree %q has ID %q", id, tree.ID)
			}
			if !slices.Contains(faq.TopicIDs, tree.Topic) {
				t.Errorf("topic %q is not a knowledge-base topic", tree.Topic)
			}
			reached := map[string]bool{}
			var walk func(name string, depth int)
			walk = func(name string, depth int) {
				n, ok := tree.Nodes[name]
				if !ok {
					t.Errorf("node %q does not exist", name)
					return
				}
				if depth > 6 {
					t.Errorf("node %q is more than 6 questions deep (a loop?)", name)
					return
				}
				reached[name] = true
				if n.Text.JA == "" || n.Text.EN == "" {
					t.Errorf("node %q lacks a text in one language", name)
				}
				for _, s := range n.Steps {
					if s.JA == "" || s.EN == "" {
						t.Errorf("node %q has a step without both languages", name)
					}
				}
				for _, a := range n.Actions {
					if !slices.Contains(faq.Actions, a) {
						t.Errorf("node %q offers unknown action %q", name, a)
					}
				}
				for _, o := range n.Options {
					if o.Label.JA == "" || o.Label.EN == "" {
						t.Errorf("node %q has an option without both languages", name)
					}
					walk(o.Next, depth+1)
				}
			}
			walk(tree.Start, 0)
			for name := range tree.Nodes {
				if !reached[name] {
					t.Errorf("node %q cannot be reached", name)
				}
			}
		})
	}
}

// TestEveryAnswerCardRenders renders every topic's answer in both languages:
// under the size limit, with feedback buttons and a way to a person.
func TestEveryAnswerCardRenders(t *testing.T) {
	t.Parallel()
	kb, err := faq.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range kb.Entries {
		for _, l := range []cards.Lang{cards.Japanese, cards.English} {
			c := answerCard(kb, faq.DefaultTenant(), &e, Input{Lang: l, Now: time.Now()}, cards.FeedbackAsk)
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > cards.MaxBytes {
				t.Errorf("%s/%s: %d bytes, over %d", e.ID, l, len(b), cards.MaxBytes)
			}
			var verbs []string
			for _, a := range c.Actions {
				verbs = append(verbs, a.Data[cards.VerbKey])
			}
			if !slices.Contains(verbs, cards.VerbHuman) {
				t.Errorf("%s/%s: no \"talk to a person\" button", e.ID, l)
			}
		}
	}
}

// TestTroubleshooterStartsFromTheLog: with the person's sign-in log read a
// moment ago, a troubleshooter ends at once when the log settles it,
// skips the questions the log answers (and says so), and asks the usual
// first question, with the log's line, when the log answers none.
func TestTroubleshooterStartsFromTheLog(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	diag := func(shape cards.SignInShape, method cards.SignInMethod, detail cards.SignInDetail) *cards.SignInDiagnosis {
		return &cards.SignInDiagnosis{Shape: shape, Method: method, Detail: detail, Count: 1, First: now.Add(-5 * time.Minute), Last: now.Add(-5 * time.Minute)}
	}
	voicemail := diag(cards.ShapeVoiceNoAnswer, cards.MethodVoice, cards.DetailVoicemail)
	tests := []struct {
		name, tree string
		log        *cards.SignInDiagnosis
		status     Status
		node       string // where it waits, or the fix it ends at ("" for what the log shows)
		evidence   bool   // the card shows what the log showed
	}{
		{"no log", "voice", nil, Waiting, "rang", false},
		{"voicemail: it may have rung unheard, so nothing is skipped", "voice", voicemail, Waiting, "rang", true},
		{"out of reach: no call came", "voice", diag(cards.ShapeVoiceNoAnswer, cards.MethodVoice, cards.DetailUnreachable), Waiting, "forward", true},
		{"hung up: the call came", "voice", diag(cards.ShapeVoiceNoAnswer, cards.MethodVoice, cards.DetailHungUp), Waiting, "after", true},
		{"a call the log says little of", "voice", diag(cards.ShapeVoiceNoAnswer, cards.MethodVoice, ""), Waiting, "rang", true},
		{"a wrong code: the SMS did arrive", "sms", diag(cards.ShapeSMSWrongCode, cards.MethodSMS, ""), Complete, "", true},
		{"no code entered: nothing ruled out", "sms", diag(cards.ShapeSMSNoCode, cards.MethodSMS, ""), Waiting, "other-sms", true},
		{"another method's failure is not shown", "sms", diag(cards.ShapeAppDenied, cards.MethodApp, ""), Waiting, "other-sms", false},
		{"voicemail says nothing of SMS", "sms", voicemail, Waiting, "other-sms", false},
		{"throttled: no question helps", "voice", diag(cards.ShapeThrottled, cards.MethodVoice, ""), Complete, "", true},
		{"blocked by policy", "roaming", diag(cards.ShapeBlockedByPolicy, "", ""), Complete, "", true},
		{"must register", "sms", diag(cards.ShapeMustRegister, "", ""), Complete, "", true},
		{"abroad: the app's failure does not say where they are", "roaming", diag(cards.ShapeAppIgnored, cards.MethodApp, ""), Waiting, "when", false},
		{"a failure of no method says nothing of roaming", "roaming", diag(cards.ShapeUnknown, "", ""), Waiting, "when", false},
		{"a refused call settles nothing abroad", "roaming", diag(cards.ShapeVoiceNoAnswer, cards.MethodVoice, cards.DetailUnreachable), Waiting, "when", false},
	}
	for _, tt := range tests {
		for _, l := range []cards.Lang{cards.Japanese, cards.English} {
			in := Input{Kind: SubmitInput, Verb: cards.VerbTroubleshoot, Data: map[string]string{cards.TSKey: tt.tree},
				Lang: l, Now: now, SignIns: tt.log}
			out := Troubleshooter{}.Next(nil, in)
			if out.Status != tt.status || len(out.Replies) != 1 || out.Replies[0].Card == nil {
				t.Errorf("%s/%s: status %v, %d replies; want %v and one card", tt.name, l, out.Status, len(out.Replies), tt.status)
				continue
			}
			b, _ := json.Marshal(out.Replies[0].Card)
			card := string(b)
			switch {
			case tt.status == Waiting:
				var st tsState
				if err := json.Unmarshal(out.State, &st); err != nil || st.Node != tt.node {
					t.Errorf("%s/%s: waits at %q, want %q", tt.name, l, st.Node, tt.node)
				}
			case tt.node != "":
				if !strings.Contains(card, `"node":"`+tt.node+`"`) {
					t.Errorf("%s/%s: ends elsewhere than %s: %s", tt.name, l, tt.node, card)
				}
			default:
				if want := (cards.Text{JA: "原因が分かっています", EN: "already shows what went wrong"}).In(l); !strings.Contains(card, want) {
					t.Errorf("%s/%s: not settled by the log: %s", tt.name, l, card)
				}
				// What the log shows (its time), and a person, as on
				// every troubleshooter card.
				if !strings.Contains(card, "09:25") || !strings.Contains(card, cards.VerbHuman) {
					t.Errorf("%s/%s: the settled card lacks the log's time or a person: %s", tt.name, l, card)
				}
			}
			from := cards.Text{JA: "サインインの記録より", EN: "From your sign-in log"}.In(l)
			if tt.evidence && tt.node != "" && !strings.Contains(card, from) {
				t.Errorf("%s/%s: the card does not say what the log showed: %s", tt.name, l, card)
			}
			if !tt.evidence && strings.Contains(card, from) {
				t.Errorf("%s/%s: the card shows a log that says nothing of it: %s", tt.name, l, card)
			}
		}
	}

	// The questions the log answers are skipped later on too: abroad now,
	// and the app is set up (a notification went to it), so "is the app
	// set up?" is not asked. The log's line comes with the skip.
	in := Input{Kind: SubmitInput, Verb: cards.VerbTSAnswer, Lang: cards.English, Now: now,
		SignIns: diag(cards.ShapeAppIgnored, cards.MethodApp, ""),
		Data:    map[string]string{cards.TSKey: "roaming", cards.NodeKey: "when", cards.NextKey: "app"}}
	st, _ := json.Marshal(tsState{Tree: "roaming", Node: "when"})
	out := Troubleshooter{}.Next(st, in)
	b, _ := json.Marshal(out.Replies)
	if out.Status != Complete || !strings.Contains(string(b), `"node":"fix-app"`) || !strings.Contains(string(b), "I skipped the questions it answers") {
		t.Errorf("abroad with the app set up: %v %s, want the fix for the app, saying the question was skipped", out.Status, b)
	}
	// A log that settles every tree (too many attempts, at the app) is
	// not taken for an answer later on: the person chose to go on.
	in.SignIns = diag(cards.ShapeThrottled, cards.MethodApp, "")
	out = Troubleshooter{}.Next(st, in)
	b, _ = json.Marshal(out.Replies)
	if out.Status != Waiting || strings.Contains(string(b), "From your sign-in log") {
		t.Errorf("abroad, throttled at the app: %v %s, want the question whether the app is set up, without the log", out.Status, b)
	}
}

// TestTheLogProvesOneOptionAtMost: whatever the sign-in log shows, it
// proves at most one option of a question; two would make the skip depend
// on the options' order.
func TestTheLogProvesOneOptionAtMost(t *testing.T) {
	t.Parallel()
	shapes := []cards.SignInShape{cards.ShapeSMSNoCode, cards.ShapeSMSWrongCode, cards.ShapeVoiceNoAnswer, cards.ShapeAppIgnored,
		cards.ShapeAppDenied, cards.ShapeAppWrongNumber, cards.ShapeThrottled, cards.ShapeAccountBlocked,
		cards.ShapeBlockedByPolicy, cards.ShapeMustRegister, cards.ShapeUnknown}
	methods := []cards.SignInMethod{"", cards.MethodSMS, cards.MethodVoice, cards.MethodApp, cards.MethodPasskey, cards.MethodOther}
	details := []cards.SignInDetail{"", cards.DetailVoicemail, cards.DetailUnreachable, cards.DetailHungUp}
	for id, tree := range trees {
		for name, n := range tree.Nodes {
			for _, shape := range shapes {
				for _, m := range methods {
					for _, det := range details {
						d := cards.SignInDiagnosis{Shape: shape, Method: m, Detail: det}
						proven := 0
						for _, o := range n.Options {
							if o.Proven != nil && o.Proven(d) {
								proven++
							}
						}
						if proven > 1 {
							t.Errorf("%s/%s: %d options proven by %+v", id, name, proven, d)
						}
					}
				}
			}
		}
	}
}
