package cards_test

import (
	"strings"
	"testing"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/graph"
)

// Every code package graph can report has words of its own, in Japanese
// and in English, and no two codes say the same thing.
func TestGraphProblemsHaveWords(t *testing.T) {
	t.Parallel()
	var codes []string
	for _, r := range graph.Rules {
		codes = append(codes, string(r))
	}
	for _, r := range graph.PhoneReasons {
		codes = append(codes, string(r))
	}
	seen := map[string]string{}
	for _, c := range codes {
		if !cards.HasProblemText(c) {
			t.Errorf("%q has no words", c)
			continue
		}
		ja, en := cards.ProblemText(cards.Japanese, c), cards.ProblemText(cards.English, c)
		if !hasJapanese(ja) || hasJapanese(en) || en == "" {
			t.Errorf("%q: ja %q / en %q in the wrong language", c, ja, en)
		}
		for _, m := range []string{ja, en} {
			if prev, ok := seen[m]; ok {
				t.Errorf("%q and %q say the same: %q", prev, c, m)
			}
			seen[m] = c
		}
	}
	if got := cards.ProblemText(cards.English, string(graph.RuleDefaultMethod)); !strings.Contains(got, "https://aka.ms/mysecurityinfo") {
		t.Errorf("default_method says %q, want the link to change the default", got)
	}
	if got := cards.ProblemText(cards.English, "no_such_code"); got == "" || strings.Contains(got, "no_such_code") {
		t.Errorf("an unknown code says %q, want general words and never the code", got)
	}
	if got := cards.ProblemText(cards.English, "rate_limited", 5); !strings.Contains(got, "5 changes") {
		t.Errorf("rate_limited says %q, want the count", got)
	}
}

// A helpdesk in both languages gets each text in Japanese, then English,
// with each language's verbs filled on its own.
func TestBothLanguages(t *testing.T) {
	t.Parallel()
	txt := cards.Text{JA: "依頼 #%s（%sさん）", EN: "Request #%s from %s"}
	if got, want := txt.Format(cards.Both, "3", "山田"), "依頼 #3（山田さん） / Request #3 from 山田"; got != want {
		t.Errorf("Format(Both) = %q, want %q", got, want)
	}
	if got := (cards.Text{JA: "OK", EN: "OK"}).In(cards.Both); got != "OK" {
		t.Errorf("a text the same in both languages reads %q, want it once", got)
	}
	if got := txt.Format(cards.English, "3", "Hanako"); got != "Request #3 from Hanako" {
		t.Errorf("Format(English) = %q", got)
	}
}
