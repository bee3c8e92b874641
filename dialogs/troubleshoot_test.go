package dialogs

import (
	"encoding/json"
	"slices"
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
