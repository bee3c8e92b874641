package faq

import (
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

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

// The decision, on the topics' scores. A question is out of scope when the
// best topic scores low or "none of these" scores at least as high. It is
// answered at once (Confident) only when the best topic leads both the
// second and "none of these" by a clear margin, and is the nearest topic as
// a whole too (leadsAsAWhole): how far ahead it is says more than its
// score, which long, rambling questions pull down for every topic alike.
// It is also answered at once when the classifier (classifier.go) picks the
// same topic with more than half of its probability, which helps where
// neighbouring topics share most of their words and no lead is large.
// Set on the held-out sets (faq/testdata), never on the evaluation set, and
// on the safe side: a wrong answer given at once costs more than three
// buttons.
const (
	inScopeScore   = 0.15 // below: not about MFA as far as we can tell
	confidentScore = 0.25 // at or above, with the margin below: answer directly
	confidentGap   = 0.10 // lead of the best topic over the second and over "none of these"
	secondOpinion  = 0.5  // or: the classifier agrees, with more than this probability
	// Out of scope, too, when the classifier gives "none of these" more than
	// this. Higher than secondOpinion: turning away an MFA question costs more.
	secondOpinionNone = 0.8
)

// How a topic's score mixes its nearest example with the topic as a whole
// (its centroid). "None of these" leans on its nearest example: its
// questions are about anything, so their centre says little.
const (
	exampleWeight     = 0.6
	noneExampleWeight = 0.7
)

// unknownDF is the document frequency given to features the knowledge base
// lacks (see newMatcher).
const unknownDF = 5

// matcher ranks knowledge-base topics for free-text questions. It is
// immutable after construction and safe for concurrent use.
//
// Every question of the knowledge base is indexed twice: as written, and
// as its kana reading (readingForm), so that questions typed in romaji or
// kana meet it. A question is compared in the same form(s).
type matcher struct {
	ids        []string
	idf        map[string]float64
	unknownIDF float64
	index      [views]index
	second     *classifier // a second opinion on how sure to be
}

// The views of a text.
const (
	written = iota // as written
	read           // Japanese as its folded kana reading
	views
)

// index holds the example questions of one view.
type index struct {
	postings map[string][]posting // feature → examples and topics having it
	exNorm   []float64
	exTopic  []int
	cenNorm  []float64 // per topic
}

// A posting is 16 bytes: there are about 150,000 of them.
type posting struct {
	example int32 // -1 for a topic's centroid
	topic   int32
	weight  float64
}

// newMatcher builds the matcher for kb: every example question and title,
// in both languages, becomes a weighted feature vector.
func newMatcher(kb *KB) *matcher {
	m := &matcher{idf: map[string]float64{}}
	type ex struct {
		topic int
		f     [views]map[string]float64
	}
	var exs []ex
	df := map[string]int{}
	var none Lines
	if err := yaml.Unmarshal(outOfScope, &none); err != nil {
		panic("faq: outofscope.yaml: " + err.Error()) // embedded, so a build-time mistake
	}
	topics := append([]Entry(nil), kb.Entries...)
	topics = append(topics, Entry{ID: noneID, Examples: none})
	h := sha256.New() // what the classifier learns from: topics and their questions, in order
	seen := 0         // texts read so far
	for ti, e := range topics {
		m.ids = append(m.ids, e.ID)
		texts := append(append([]string{e.Title.JA, e.Title.EN}, e.Examples.JA...), e.Examples.EN...)
		for _, t := range texts {
			fmt.Fprintf(h, "%s\x00%s\x00", e.ID, t)
			if seen++; seen%500 == 0 {
				analyser().unmapPages() // see below
			}
			f := textViews(t)
			if len(f[written]) == 0 {
				continue
			}
			exs = append(exs, ex{ti, f})
			for k := range f[written] {
				df[k]++
			}
			for k := range f[read] {
				if _, ok := f[written][k]; !ok {
					df[k]++
				}
			}
		}
	}
	// Reading every question touches 16 MB of the dictionary's mapped
	// pages, which answering mostly does not need (it maps back those it
	// reads). Let go of them as we go, so that they do not add to the
	// process's peak.
	analyser().unmapPages()
	// Document frequency over example questions, not topics: "MFA" occurs
	// in most topics but in few of their questions, and still says a lot.
	n := float64(len(exs))
	for k, d := range df {
		m.idf[k] = math.Log((n + 1) / (float64(d) + 0.5))
	}
	// A word the knowledge base has never seen counts like one in a few of
	// its questions: it may be about something else, or just said another
	// way ("currently", "came through"), which is common in long questions.
	m.unknownIDF = math.Log((n + 1) / unknownDF)

	for v := range views {
		ix := &m.index[v]
		ix.postings = map[string][]posting{}
		centroids := make([]map[string]float64, len(topics))
		for i := range centroids {
			centroids[i] = map[string]float64{}
		}
		ix.exNorm = make([]float64, len(exs))
		ix.exTopic = make([]int, len(exs))
		for i, e := range exs {
			w, norm := m.weigh(e.f[v])
			ix.exNorm[i], ix.exTopic[i] = norm, e.topic
			for k, x := range w {
				ix.postings[k] = append(ix.postings[k], posting{example: int32(i), topic: int32(e.topic), weight: x})
				centroids[e.topic][k] += x / norm
			}
		}
		ix.cenNorm = make([]float64, len(centroids))
		for ti, c := range centroids {
			var sum float64
			for _, k := range sortedKeys(c) {
				sum += c[k] * c[k]
				ix.postings[k] = append(ix.postings[k], posting{example: -1, topic: int32(ti), weight: c[k]})
			}
			ix.cenNorm[ti] = math.Sqrt(sum)
		}
		// Into one array, without the spare capacity appending left.
		total := 0
		for _, ps := range ix.postings {
			total += len(ps)
		}
		all := make([]posting, 0, total)
		for _, k := range sortedKeys(ix.postings) {
			start := len(all)
			all = append(all, ix.postings[k]...)
			ix.postings[k] = all[start:len(all):len(all)]
		}
	}
	// The classifier learns every Japanese question twice: as written, and
	// as if typed in romaji (its reading alone), which is all a romaji
	// question has. Learnt only as written, it finds romaji questions too
	// thin for any topic and calls them "none of these".
	var vecs []map[string]float64
	var classes []int
	for _, e := range exs {
		vecs, classes = append(vecs, m.classifierInput(e.f)), append(classes, e.topic)
		if !sameKeys(e.f[written], e.f[read]) {
			asRomaji := [views]map[string]float64{written: e.f[read], read: e.f[read]}
			vecs, classes = append(vecs, m.classifierInput(asRomaji)), append(classes, e.topic)
		}
	}
	m.second = trained(h.Sum(nil), func() *classifier { return trainClassifier(vecs, classes, len(topics)) })
	return m
}

// classifierInput is the classifier's feature vector for a text's views:
// each view it is compared in (see match), weighted, at unit length, and
// under its own prefix.
func (m *matcher) classifierInput(f [views]map[string]float64) map[string]float64 {
	v := map[string]float64{}
	add := func(prefix string, g map[string]float64) {
		w, norm := m.weigh(g)
		if norm == 0 {
			return
		}
		for k, x := range w {
			v[prefix+k] = x / norm
		}
	}
	switch {
	case hasReading(f[written]):
		add("r|", f[read])
	case sameKeys(f[written], f[read]):
		add("w|", f[written])
	default:
		add("w|", f[written])
		add("r|", f[read])
	}
	return v
}

// textViews returns the features of text as written and as read. A text
// without Japanese reads as written; one typed in romaji is written as read.
func textViews(text string) [views]map[string]float64 {
	n := normalize(text)
	var f [views]map[string]float64
	f[written] = featuresOf(n)
	f[read] = f[written]
	if r := readingForm(n); r != n {
		f[read] = featuresOf(r)
	}
	return f
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// weigh turns raw feature weights into TF-IDF weights and returns the
// vector's length. Features never seen in the knowledge base weigh as much
// as rare ones: a question full of words the bot has never seen is probably
// about something else, and its similarity drops accordingly.
func (m *matcher) weigh(f map[string]float64) (map[string]float64, float64) {
	v := make(map[string]float64, len(f))
	var sum float64
	for _, k := range sortedKeys(f) { // in order: the same sum every time
		w := f[k]
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

// parts gives every topic's nearest-example and centroid similarity.
func (m *matcher) parts(ix *index, f map[string]float64) (best, cen []float64) {
	q, qNorm := m.weigh(f)
	best = make([]float64, len(m.ids))
	cen = make([]float64, len(m.ids))
	if qNorm == 0 {
		return best, cen
	}
	// Dense: most examples share a feature or two with any question.
	scratch := dotScratch.Get().(*[]float64)
	defer dotScratch.Put(scratch)
	exDot := slices.Grow((*scratch)[:0], len(ix.exNorm))[:len(ix.exNorm)]
	clear(exDot)
	*scratch = exDot
	cenDot := make([]float64, len(m.ids))
	for _, k := range sortedKeys(q) {
		w := q[k]
		for _, p := range ix.postings[k] {
			if p.example < 0 {
				cenDot[p.topic] += w * p.weight
			} else {
				exDot[p.example] += w * p.weight
			}
		}
	}
	for ex, dot := range exDot {
		if dot == 0 {
			continue
		}
		if s := dot / (qNorm * ix.exNorm[ex]); s > best[ix.exTopic[ex]] {
			best[ix.exTopic[ex]] = s
		}
	}
	for ti := range m.ids {
		if ix.cenNorm[ti] > 0 {
			cen[ti] = cenDot[ti] / (qNorm * ix.cenNorm[ti])
		}
	}
	return best, cen
}

// dotScratch holds the per-example sums of parts between questions.
var dotScratch = sync.Pool{New: func() any { return new([]float64) }}

// scores gives every topic's score (the "none of these" class last) for one
// view of a question, its nearest example mixed with the topic as a whole,
// and that similarity to the topic as a whole alone.
func (m *matcher) scores(ix *index, f map[string]float64) (score, cen []float64) {
	best, cen := m.parts(ix, f)
	score = make([]float64, len(m.ids))
	for ti := range m.ids {
		w := exampleWeight
		if ti == len(m.ids)-1 { // "none of these"
			w = noneExampleWeight
		}
		score[ti] = w*best[ti] + (1-w)*cen[ti]
	}
	return score, cen
}

func (m *matcher) match(text string) Result {
	f := textViews(text)
	var score, cen []float64
	switch {
	case hasReading(f[written]):
		// Typed in romaji, in part at least: compare its reading.
		score, cen = m.scores(&m.index[read], f[read])
	case sameKeys(f[written], f[read]):
		score, cen = m.scores(&m.index[written], f[written]) // no Japanese
	default:
		// Japanese: as written, and as read, which forgives kana for
		// kanji and a wrong kanji of the same sound (規定 for 既定). Each
		// topic keeps the better.
		score, cen = m.scores(&m.index[written], f[written])
		s, c := m.scores(&m.index[read], f[read])
		for i := range score {
			if s[i] > score[i] {
				score[i], cen[i] = s[i], c[i]
			}
		}
	}
	if slicesMax(score) == 0 {
		return Result{Confidence: OutOfScope}
	}
	cands := make([]Candidate, len(m.ids)-1)
	for ti := range cands {
		cands[ti] = Candidate{ID: m.ids[ti], Score: score[ti]}
	}
	noneScore := score[len(score)-1] // the "none of these" class is last
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
	opinion := m.second.probs(m.classifierInput(f))
	switch {
	case top < inScopeScore || noneScore >= top:
	case opinion[len(opinion)-1] > secondOpinionNone:
		// The examples lean to a topic but the classifier is all but sure it
		// is about something else (moving LINE to a new phone): a word or two
		// in common is not enough to offer topics.
	case top >= confidentScore && top-second >= confidentGap && top-noneScore >= confidentGap &&
		m.leadsAsAWhole(cands[0].ID, cen):
		r.Confidence = Confident
	case m.seconds(cands[0].ID, opinion):
		r.Confidence = Confident
	default:
		r.Confidence = Unsure
	}
	return r
}

// seconds reports whether the classifier's probabilities p agree that the
// question is about topic id, with more than half of the probability: more
// than all the other topics and "none of these" together. Two ways of judging that
// agree are right far more often than either alone.
func (m *matcher) seconds(id string, p []float64) bool {
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	return m.ids[best] == id && p[best] > secondOpinion
}

// leadsAsAWhole reports whether topic id is also the topic nearest to the
// question as a whole (by centroid), not only by its nearest example: one
// close example of the wrong topic ("didn't bring my phone to work" for
// "can't bring my phone to work") is not enough to answer at once.
func (m *matcher) leadsAsAWhole(id string, cen []float64) bool {
	best := -1
	for ti := range len(m.ids) - 1 { // not "none of these"
		if best < 0 || cen[ti] > cen[best] {
			best = ti
		}
	}
	return best >= 0 && m.ids[best] == id
}

// hasReading reports whether features come from a kana reading.
func hasReading(f map[string]float64) bool {
	for k := range f {
		if strings.HasPrefix(k, "rm:") || strings.HasPrefix(k, "rj:") {
			return true
		}
	}
	return false
}

func sameKeys(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func slicesMax(s []float64) float64 {
	m := 0.0
	for _, x := range s {
		m = max(m, x)
	}
	return m
}
