package faq

import (
	"slices"
	"testing"
)

// Every replica trains its own classifier when it loads the knowledge base;
// they must all come out the same, or a person's answer would depend on
// which replica took the message. (Trained here on a part of the examples,
// bypassing the process's cache.)
func TestClassifierIsTheSameOnEveryTraining(t *testing.T) {
	t.Parallel()
	var vecs []map[string]float64
	var classes []int
	for i, text := range []string{"SMSが届かない", "スマホをなくした", "パスキーとは", "what is a passkey", "sms not arriving",
		"lost my phone", "プリンターが動かない", "wifi is down", "機種変更した", "new phone"} {
		vecs, classes = append(vecs, textViews(text)[written]), append(classes, i%4)
	}
	a, b := trainClassifier(vecs, classes, 4), trainClassifier(vecs, classes, 4)
	if !slices.Equal(a.weights, b.weights) || !slices.Equal(a.bias, b.bias) {
		t.Fatal("two trainings on the same questions gave different classifiers")
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
	m := kb.matcher()
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
