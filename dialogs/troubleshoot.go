package dialogs

import (
	"encoding/json"

	"github.com/mfadesk/mfadesk/cards"
)

// Troubleshooter runs the interactive troubleshooters: a few questions with
// buttons, then the fix. It starts from a button (VerbTroubleshoot) and also
// picks up an answer clicked on an older card (VerbTSAnswer) after it ended.
//
// When the person's own sign-in log was read a moment ago (Input.SignIns),
// it starts from that: a log that settles the question (a block, a code
// that did arrive) ends it at once with what the log shows, and questions
// the log answers ("did the call come?" when it went to voicemail) are
// skipped, saying so.
type Troubleshooter struct{}

// ID implements [Dialog].
func (Troubleshooter) ID() string { return "troubleshoot" }

// Version implements [Dialog].
func (Troubleshooter) Version() int { return 1 }

type tsState struct {
	Tree  string   `json:"tree"`
	Node  string   `json:"node"`
	Trail []string `json:"trail,omitempty"` // nodes answered, for the helpdesk's context
}

// Next implements [Dialog].
func (Troubleshooter) Next(raw json.RawMessage, in Input) Turn {
	var st tsState
	if raw != nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			return Turn{Status: Cancelled, Pass: true}
		}
	}
	if in.Kind != SubmitInput {
		// Typing instead of clicking: the person moved on. Let the router
		// treat the text as a new question.
		return Turn{Status: Cancelled, Pass: true}
	}
	switch in.Verb {
	case cards.VerbTroubleshoot:
		t, ok := trees[in.Data[cards.TSKey]]
		if !ok {
			return Turn{Status: Cancelled, Pass: true}
		}
		if d := in.SignIns; d != nil && t.settledBy(*d) {
			card := cards.TroubleshooterSettled(in.Lang, t.Title.In(in.Lang), *d, in.Now, humanButton(in.Lang))
			return Turn{Status: Complete, Replies: []cards.Message{{Card: card}}}
		}
		return ask(tsState{Tree: t.ID, Node: t.Start}, in)
	case cards.VerbTSAnswer:
		t, ok := trees[in.Data[cards.TSKey]]
		if !ok {
			return Turn{Status: Cancelled, Pass: true}
		}
		if _, ok := t.Nodes[in.Data[cards.NodeKey]]; !ok {
			return Turn{Status: Cancelled, Pass: true}
		}
		next := in.Data[cards.NextKey]
		if _, ok := t.Nodes[next]; !ok {
			return Turn{Status: Cancelled, Pass: true}
		}
		// An answer from an older card (or another troubleshooter) simply
		// continues from what was clicked: the buttons say where they lead.
		if st.Tree != t.ID {
			st = tsState{Tree: t.ID}
		}
		st.Trail = append(st.Trail, in.Data[cards.NodeKey])
		st.Node = next
		return ask(st, in)
	}
	return Turn{Status: Cancelled, Pass: true}
}

// ask shows the current node, or the first one past it the sign-in log
// does not answer: a question (and waits) or the fix (and ends).
func ask(st tsState, in Input) Turn {
	t := trees[st.Tree]
	l := in.Lang
	evidence := ""
	// A log that settles the tree ended it at its start; one that does
	// not may answer some of its questions.
	if d := in.SignIns; d != nil && !t.settledBy(*d) {
		var skipped int
		st.Node, skipped = t.skipKnown(st.Node, *d)
		// What the log shows goes on the first card when it is about
		// this tree's method, and on any card it skipped questions for.
		if skipped > 0 || (len(st.Trail) == 0 && t.Method != "" && d.Method == t.Method) {
			evidence = cards.SignInEvidence(l, *d, in.Now, skipped > 0)
		}
	}
	n := t.Nodes[st.Node]
	if n.isFix() {
		card, _ := fixCard(t.ID, st.Node, l, cards.FeedbackAsk, evidence)
		return Turn{Status: Complete, Replies: []cards.Message{{Card: card}}}
	}
	opts := make([]cards.Button, len(n.Options))
	for i, o := range n.Options {
		opts[i] = cards.Button{Title: o.Label.In(l), Verb: cards.VerbTSAnswer,
			Data: map[string]string{cards.TSKey: t.ID, cards.NodeKey: st.Node, cards.NextKey: o.Next}}
	}
	card := cards.TroubleshooterQuestion(l, t.Title.In(l), len(st.Trail)+1, evidence, n.Text.In(l), opts, humanButton(l))
	state, _ := json.Marshal(st)
	return Turn{Status: Waiting, State: state, Replies: []cards.Message{{Card: card}}}
}

// fixCard renders the fix at the end of a troubleshooter, under what the
// person's sign-in log showed (evidence; may be empty). ok is false when
// there is no such fix (a card from an older version of the trees).
func fixCard(tree, node string, l cards.Lang, fb cards.FeedbackState, evidence string) (card *cards.Card, ok bool) {
	t, ok := trees[tree]
	if !ok {
		return nil, false
	}
	n, ok := t.Nodes[node]
	if !ok || !n.isFix() {
		return nil, false
	}
	steps := make([]string, len(n.Steps))
	for i, s := range n.Steps {
		steps[i] = s.In(l)
	}
	return cards.Answer(l, cards.AnswerView{
		TopicID:      t.Topic,
		Title:        t.Title.In(l),
		Evidence:     evidence,
		Body:         n.Text.In(l),
		Steps:        steps,
		FollowUps:    followUps(l, n.Actions),
		Feedback:     fb,
		FeedbackData: map[string]string{cards.TSKey: t.ID, cards.NodeKey: node},
	}), true
}
