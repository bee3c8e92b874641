package faq

import (
	"slices"
	"testing"
)

// Every replica trains its own classifier when it loads the knowledge base;
// they must all come out the same, or a person's answer would depend on
// which replica took the message.
func TestClassifierIsTheSameOnEveryLoad(t *testing.T) {
	t.Parallel()
	a, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.matcher.second.weights, b.matcher.second.weights) || !slices.Equal(a.matcher.second.bias, b.matcher.second.bias) {
		t.Fatal("two loads of the same knowledge base trained different classifiers")
	}
}

// The classifier learns what tells topics apart, not only what they share:
// on questions that share their main word (パスキー) it must put most of
// its probability on the topic each asks about.
func TestClassifierTellsNeighbouringTopicsApart(t *testing.T) {
	t.Parallel()
	kb, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	m := kb.matcher
	for text, want := range map[string]string{
		"パスキーとは何のことですか":                        "passkey-what",
		"パスキーを登録する手順を知りたい":                     "passkey-register-authenticator",
		"機種変更したらパスキーが使えなくなった":                  "passkey-new-phone",
		"what is the deal with passkeys":       "passkey-what",
		"the printer on floor 3 keeps jamming": noneID,
	} {
		p := m.second.probs(m.classifierInput(textViews(text)))
		best := 0
		for k := range p {
			if p[k] > p[best] {
				best = k
			}
		}
		if m.ids[best] != want || p[best] <= secondOpinion {
			t.Errorf("%q: classifier says %q (%.2f), want %q above %.2f", text, m.ids[best], p[best], want, secondOpinion)
		}
	}
}
