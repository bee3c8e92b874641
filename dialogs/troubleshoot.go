package dialogs

import (
	"encoding/json"

	"github.com/mfadesk/mfadesk/cards"
)

// Troubleshooter runs the interactive troubleshooters: a few questions with
// buttons, then the fix. It starts from a button (VerbTroubleshoot) and also
// picks up an answer clicked on an older card (VerbTSAnswer) after it ended.
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

// ask shows the current node: a question (and waits) or the fix (and ends).
func ask(st tsState, in Input) Turn {
	t := trees[st.Tree]
	n := t.Nodes[st.Node]
	l := in.Lang
	if n.isFix() {
		card, _ := fixCard(t.ID, st.Node, l, cards.FeedbackAsk)
		return Turn{Status: Complete, Replies: []cards.Message{{Card: card}}}
	}
	opts := make([]cards.Button, len(n.Options))
	for i, o := range n.Options {
		opts[i] = cards.Button{Title: o.Label.In(l), Verb: cards.VerbTSAnswer,
			Data: map[string]string{cards.TSKey: t.ID, cards.NodeKey: st.Node, cards.NextKey: o.Next}}
	}
	card := cards.TroubleshooterQuestion(l, t.Title.In(l), len(st.Trail)+1, n.Text.In(l), opts, humanButton(l))
	state, _ := json.Marshal(st)
	return Turn{Status: Waiting, State: state, Replies: []cards.Message{{Card: card}}}
}

// fixCard renders the fix at the end of a troubleshooter. ok is false when
// there is no such fix (a card from an older version of the trees).
func fixCard(tree, node string, l cards.Lang, fb cards.FeedbackState) (card *cards.Card, ok bool) {
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
		Body:         n.Text.In(l),
		Steps:        steps,
		FollowUps:    followUps(l, n.Actions),
		Feedback:     fb,
		FeedbackData: map[string]string{cards.TSKey: t.ID, cards.NodeKey: node},
	}), true
}
