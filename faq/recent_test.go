package faq

import (
	"fmt"
	"testing"
)

// TestRecentAnswers: a question asked again is answered from memory with
// the result matching gave; what a caller does to its result does not
// reach the next one; memory stays within two generations, and a question
// forgotten is matched again, with the same result.
func TestRecentAnswers(t *testing.T) {
	calls := map[string]int{}
	match := func(text string) Result {
		calls[text]++
		return Result{Confidence: Confident, Candidates: []Candidate{{ID: "topic-" + text, Score: 0.9}, {ID: "other", Score: 0.1}}}
	}
	r := newRecentAnswers()
	first := r.answer("SMSが届かない", match)
	first.Candidates[0].ID = "changed by the caller"
	again := r.answer("SMSが届かない", match)
	if calls["SMSが届かない"] != 1 {
		t.Errorf("a repeated question was matched %d times, want once", calls["SMSが届かない"])
	}
	if again.Confidence != Confident || len(again.Candidates) != 2 || again.Candidates[0].ID != "topic-SMSが届かない" {
		t.Errorf("answered from memory: %+v, want the first result as matching gave it", again)
	}

	for i := range 3 * recentPerGeneration {
		r.answer(fmt.Sprint("question ", i), match)
	}
	if n := len(r.now) + len(r.earlier); n > 2*recentPerGeneration {
		t.Errorf("%d questions remembered, want at most %d", n, 2*recentPerGeneration)
	}
	if got := r.answer("question 0", match); calls["question 0"] != 2 || got.Candidates[0].ID != "topic-question 0" {
		t.Errorf("a forgotten question: matched %d times, result %+v; want matched again, same result", calls["question 0"], got)
	}
	last := fmt.Sprint("question ", 3*recentPerGeneration-1)
	if r.answer(last, match); calls[last] != 1 {
		t.Errorf("a recent question was matched %d times, want once", calls[last])
	}

	long := string(make([]byte, recentMaxLen+1))
	r.answer(long, match)
	r.answer(long, match)
	if calls[long] != 2 {
		t.Errorf("a long question was remembered (matched %d times, want 2)", calls[long])
	}
}

// TestMatchRemembersTheSameResult: through the knowledge base, a question
// answered from memory gets what the matcher gives.
func TestMatchRemembersTheSameResult(t *testing.T) {
	kb, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SMSが届かない", "パスキーって何？", "I'm abroad and can't get the code"} {
		want := kb.matcher().match(q)
		for range 2 {
			got := kb.Match(q)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Match(%q) = %+v, want %+v", q, got, want)
			}
		}
	}
}
