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
type Report struct {
	InScope, Top1, Top3  int
	OutOfScope, Rejected int
	Misses               []Miss
}

// Miss is a case the matcher got wrong.
type Miss struct {
	Case
	Got Result
}

// Rates returns top-1 and top-3 accuracy on in-scope questions and the
// share of out-of-scope questions rejected, each 0..1.
func (r Report) Rates() (top1, top3, rejected float64) {
	div := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	return div(r.Top1, r.InScope), div(r.Top3, r.InScope), div(r.Rejected, r.OutOfScope)
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
			continue
		}
		r.InScope++
		if slices.Contains(c.IDs, got.Best()) {
			r.Top1++
		} else {
			r.Misses = append(r.Misses, Miss{c, got})
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
