package faq

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Case is one line of an evaluation file: a question and the topic ids that
// are acceptable answers (none: the question is out of scope).
type Case struct {
	Text string   `json:"text"`
	IDs  []string `json:"ids"`
}

// ReadCases reads an evaluation file in JSON Lines.
func ReadCases(r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// Report summarises an evaluation.
//
// Top1 counts in-scope questions whose best topic is right and not
// rejected; Top3 those with a right topic among the candidates the person is
// shown (none when the question is rejected as out of scope). AtOnceRight
// and AtOnceWrong count in-scope questions answered at once (Confident)
// with the right and a wrong topic: what the person gets without a click.
// OutOfScopeAtOnce counts out-of-scope questions answered at once anyway.
type Report struct {
	InScope, Top1, Top3      int
	AtOnceRight, AtOnceWrong int
	OutOfScope, Rejected     int
	OutOfScopeAtOnce         int
	Misses                   []Miss
}

// Miss is a case the matcher got wrong.
type Miss struct {
	Case
	Got Result
}

// Rates are a report's figures as shares, each 0..1. Top1, Top3, AtOnceRight
// and AtOnceWrong are over in-scope questions; Rejected and
// OutOfScopeAtOnce over out-of-scope ones.
type Rates struct {
	Top1, Top3, AtOnceRight, AtOnceWrong float64
	Rejected, OutOfScopeAtOnce           float64
}

// Rates returns the report's figures as shares. An empty side counts as
// perfect: 1 for what should be high, 0 for what should be low.
func (r Report) Rates() Rates {
	div := func(a, b int, empty float64) float64 {
		if b == 0 {
			return empty
		}
		return float64(a) / float64(b)
	}
	return Rates{
		Top1:             div(r.Top1, r.InScope, 1),
		Top3:             div(r.Top3, r.InScope, 1),
		AtOnceRight:      div(r.AtOnceRight, r.InScope, 1),
		AtOnceWrong:      div(r.AtOnceWrong, r.InScope, 0),
		Rejected:         div(r.Rejected, r.OutOfScope, 1),
		OutOfScopeAtOnce: div(r.OutOfScopeAtOnce, r.OutOfScope, 0),
	}
}

// Floors are the quality a held-out set must reach: Top1, Top3, AtOnceRight
// and Rejected are minimums, AtOnceWrong and OutOfScopeAtOnce maximums.
var Floors = Rates{Top1: 0.95, Top3: 0.99, AtOnceRight: 0.60, AtOnceWrong: 0.01, Rejected: 0.90, OutOfScopeAtOnce: 0.05}

// Below lists, in words, where rt falls short of floors; nil when it does not.
func (rt Rates) Below(floors Rates) []string {
	var out []string
	low := func(name string, got, want float64) {
		if got < want {
			out = append(out, fmt.Sprintf("%s %.1f%% < %.1f%%", name, 100*got, 100*want))
		}
	}
	high := func(name string, got, want float64) {
		if got > want {
			out = append(out, fmt.Sprintf("%s %.1f%% > %.1f%%", name, 100*got, 100*want))
		}
	}
	low("top-1", rt.Top1, floors.Top1)
	low("top-3", rt.Top3, floors.Top3)
	low("answered at once right", rt.AtOnceRight, floors.AtOnceRight)
	high("answered at once wrong", rt.AtOnceWrong, floors.AtOnceWrong)
	low("out of scope rejected", rt.Rejected, floors.Rejected)
	high("out of scope answered at once", rt.OutOfScopeAtOnce, floors.OutOfScopeAtOnce)
	return out
}

// Evaluate runs the matcher over cases.
func Evaluate(kb *KB, cases []Case) Report {
	var r Report
	for _, c := range cases {
		got := kb.Match(c.Text)
		if len(c.IDs) == 0 {
			r.OutOfScope++
			if got.Best() == "" {
				r.Rejected++
			} else {
				r.Misses = append(r.Misses, Miss{c, got})
			}
			if got.Confidence == Confident {
				r.OutOfScopeAtOnce++
			}
			continue
		}
		r.InScope++
		right := slices.Contains(c.IDs, got.Best())
		if right {
			r.Top1++
		} else {
			r.Misses = append(r.Misses, Miss{c, got})
		}
		if got.Confidence == Confident {
			if right {
				r.AtOnceRight++
			} else {
				r.AtOnceWrong++
			}
		}
		if got.Confidence == OutOfScope {
			continue // refused: the person is shown no topic at all
		}
		for _, cand := range got.Candidates {
			if slices.Contains(c.IDs, cand.ID) {
				r.Top3++
				break
			}
		}
	}
	return r
}
