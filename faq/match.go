package faq

import (
	"math"
	"sort"

	"go.yaml.in/yaml/v3"
)

// noneID names the "none of these" class internally.
const noneID = ""

// Confidence says how sure the matcher is.
type Confidence int

// Confidence levels.
const (
	// OutOfScope: the question is not about anything the bot knows.
	OutOfScope Confidence = iota
	// Unsure: about MFA, but the best topics are close; offer the top few.
	Unsure
	// Confident: one topic stands out; answer it.
	Confident
)

func (c Confidence) String() string {
	switch c {
	case Confident:
		return "confident"
	case Unsure:
		return "unsure"
	}
	return "out-of-scope"
}

// Candidate is one ranked topic.
type Candidate struct {
	ID    string
	Score float64 // 0..1
}

// Result is the matcher's answer for one question.
type Result struct {
	Confidence Confidence
	Candidates []Candidate // best first, at most three
}

// Best returns the best topic id, or "" when the question is out of scope.
func (r Result) Best() string {
	if r.Confidence == OutOfScope || len(r.Candidates) == 0 {
		return ""
	}
	return r.Candidates[0].ID
}

// Score is the best candidate's score, 0 when there is none.
func (r Result) Score() float64 {
	if len(r.Candidates) == 0 {
		return 0
	}
	return r.Candidates[0].Score
}

// Thresholds of the decision, on the best topic's score. They were set on
// a held-out set of questions written apart from the knowledge base
// (faq/testdata/heldout.jsonl), not on the evaluation set.
const (
	inScopeScore   = 0.15 // below: not about MFA as far as we can tell
	confidentScore = 0.45 // at or above, with the margin below: answer directly
	confidentGap   = 0.06 // lead of the best topic over the second
	exampleWeight  = 0.6  // nearest example vs. the topic as a whole
)

// matcher ranks knowledge-base topics for free-text questions. It is
// immutable after construction and safe for concurrent use.
type matcher struct {
	ids        []string
	idf        map[string]float64
	unknownIDF float64
	postings   map[string][]posting // feature → examples and topics having it
	exNorm     []float64
	exTopic    []int
	cenNorm    []float64
}

type posting struct {
	example  int // -1 for a centroid entry
	topic    int
	weight   float64
	centroid bool
}

// newMatcher builds the matcher for kb: every example question and title,
// in both languages, becomes a weighted feature vector.
func newMatcher(kb *KB) *matcher {
	m := &matcher{idf: map[string]float64{}, postings: map[string][]posting{}}
	type ex struct {
		topic int
		f     map[string]float64
	}
	var exs []ex
	df := map[string]int{}
	var none Lines
	if err := yaml.Unmarshal(outOfScope, &none); err != nil {
		panic("faq: outofscope.yaml: " + err.Error()) // embedded, so a build-time mistake
	}
	topics := append([]Entry(nil), kb.Entries...)
	topics = append(topics, Entry{ID: noneID, Examples: none})
	for ti, e := range topics {
		m.ids = append(m.ids, e.ID)
		texts := append(append([]string{e.Title.JA, e.Title.EN}, e.Examples.JA...), e.Examples.EN...)
		for _, t := range texts {
			f := features(t)
			if len(f) == 0 {
				continue
			}
			exs = append(exs, ex{ti, f})
			for k := range f {
				df[k]++
			}
		}
	}
	// Document frequency over example questions, not topics: "MFA" occurs
	// in most topics but in few of their questions, and still says a lot.
	n := float64(len(exs))
	for k, d := range df {
		m.idf[k] = math.Log((n + 1) / (float64(d) + 0.5))
	}
	m.unknownIDF = math.Log((n + 1) / 0.5)

	centroids := make([]map[string]float64, len(topics))
	for i := range centroids {
		centroids[i] = map[string]float64{}
	}
	m.exNorm = make([]float64, len(exs))
	m.exTopic = make([]int, len(exs))
	for i, e := range exs {
		v, norm := m.weigh(e.f)
		m.exNorm[i], m.exTopic[i] = norm, e.topic
		for k, w := range v {
			m.postings[k] = append(m.postings[k], posting{example: i, topic: e.topic, weight: w})
			centroids[e.topic][k] += w / norm
		}
	}
	m.cenNorm = make([]float64, len(centroids))
	for ti, c := range centroids {
		var sum float64
		for _, w := range c {
			sum += w * w
		}
		m.cenNorm[ti] = math.Sqrt(sum)
		for k, w := range c {
			m.postings[k] = append(m.postings[k], posting{example: -1, topic: ti, weight: w, centroid: true})
		}
	}
	return m
}

// weigh turns raw feature weights into TF-IDF weights and returns the
// vector's length. Features never seen in the knowledge base weigh the most:
// a question full of words the bot has never seen is probably about
// something else, and its similarity drops accordingly.
func (m *matcher) weigh(f map[string]float64) (map[string]float64, float64) {
	v := make(map[string]float64, len(f))
	var sum float64
	for k, w := range f {
		idf, ok := m.idf[k]
		if !ok {
			idf = m.unknownIDF
		}
		x := w * idf
		v[k] = x
		sum += x * x
	}
	return v, math.Sqrt(sum)
}

func (m *matcher) match(text string) Result {
	q, qNorm := m.weigh(features(text))
	if qNorm == 0 {
		return Result{Confidence: OutOfScope}
	}
	exDot := map[int]float64{}
	cenDot := make([]float64, len(m.ids))
	for k, w := range q {
		for _, p := range m.postings[k] {
			if p.centroid {
				cenDot[p.topic] += w * p.weight
			} else {
				exDot[p.example] += w * p.weight
			}
		}
	}
	best := make([]float64, len(m.ids))
	for ex, dot := range exDot {
		if s := dot / (qNorm * m.exNorm[ex]); s > best[m.exTopic[ex]] {
			best[m.exTopic[ex]] = s
		}
	}
	cands := make([]Candidate, len(m.ids))
	for ti := range m.ids {
		cen := 0.0
		if m.cenNorm[ti] > 0 {
			cen = cenDot[ti] / (qNorm * m.cenNorm[ti])
		}
		cands[ti] = Candidate{ID: m.ids[ti], Score: exampleWeight*best[ti] + (1-exampleWeight)*cen}
	}
	noneScore := cands[len(cands)-1].Score // the "none of these" class is last
	cands = cands[:len(cands)-1]
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		return cands[i].ID < cands[j].ID
	})
	cands = cands[:min(3, len(cands))]
	r := Result{Candidates: cands, Confidence: OutOfScope}
	top := cands[0].Score
	second := 0.0
	if len(cands) > 1 {
		second = cands[1].Score
	}
	switch {
	case top < inScopeScore || noneScore >= top:
	case top >= confidentScore && top-second >= confidentGap:
		r.Confidence = Confident
	default:
		r.Confidence = Unsure
	}
	return r
}
