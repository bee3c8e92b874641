package faq

import (
	"math"
	"math/rand/v2"
	"sync"
)

// classifier is the matcher's second opinion: a softmax regression over the
// same weighted features, trained on the knowledge base's questions (and
// the "none of these" class) when the matcher is built.
//
// Nearest examples rank topics well but say little about how sure to be
// when topics share most of their words: every passkey topic says
// パスキー, so the lead of the best one stays small even when the question
// plainly asks what a passkey is. The classifier learns which features tell
// such topics apart (とは and "what is" from 登録 and "set up"), and when
// it agrees with the ranking and gives the topic more than half of its
// probability, the question is answered at once (see match). It never
// reorders the topics: on its own it ranks worse than the examples do.
type classifier struct {
	classes int
	feature map[string]int // feature → row of weights
	// weights is len(feature) × classes, kept as float32 once trained
	// (half the memory; probabilities agree to six digits).
	weights []float32
	bias    []float64
}

// Training. Fixed, not tuned per knowledge base: enough passes for the
// weights to settle, a step that is stable for unit-length inputs, and a
// little weight decay so that no single rare word decides alone.
const (
	trainPasses = 30
	trainStep   = 0.5
	weightDecay = 1e-4
	trainSeed   = 1 // the order of examples is shuffled, the same way every time
)

// trainedCache keeps the classifiers trained in this process, by what they
// learnt from: the same knowledge base loaded again (a reload that changed
// nothing, every test that loads the built-in one) is not trained again.
// Training is deterministic, so a cached one is the one training would give.
var trainedCache = struct {
	sync.Mutex
	m map[string]*classifier
}{m: map[string]*classifier{}}

// maxTrained bounds the cache: a knowledge base edited and reloaded all day
// keeps only the latest few.
const maxTrained = 4

func trained(key []byte, train func() *classifier) *classifier {
	trainedCache.Lock()
	defer trainedCache.Unlock()
	if c, ok := trainedCache.m[string(key)]; ok {
		return c
	}
	c := train()
	if len(trainedCache.m) >= maxTrained {
		clear(trainedCache.m)
	}
	trainedCache.m[string(key)] = c
	return c
}

// sample is one training question: its feature vector and its class.
type sample struct {
	vec   sparse
	class int
}

// sparse is a feature vector as rows of the classifier and their values.
type sparse struct {
	rows []int
	vals []float64
}

func trainClassifier(vecs []map[string]float64, classes []int, n int) *classifier {
	c := &classifier{classes: n, feature: map[string]int{}, bias: make([]float64, n)}
	samples := make([]sample, len(vecs))
	for i, v := range vecs {
		var s sparse
		for _, k := range sortedKeys(v) {
			row, ok := c.feature[k]
			if !ok {
				row = len(c.feature)
				c.feature[k] = row
			}
			s.rows = append(s.rows, row)
			s.vals = append(s.vals, v[k])
		}
		samples[i] = sample{s, classes[i]}
	}
	weights := make([]float64, len(c.feature)*n)
	rng := rand.New(rand.NewPCG(trainSeed, trainSeed))
	p := make([]float64, n)
	for range trainPasses {
		rng.Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })
		for _, s := range samples {
			probsInto(p, c.bias, weights, s.vec)
			p[s.class]-- // the gradient of the log loss: p - onehot
			for k := range n {
				c.bias[k] -= trainStep * p[k]
			}
			for i, row := range s.vec.rows {
				x := s.vec.vals[i]
				w := weights[row*n : row*n+n]
				for k := range n {
					w[k] -= trainStep * (p[k]*x + weightDecay*w[k])
				}
			}
		}
	}
	c.weights = make([]float32, len(weights))
	for i, w := range weights {
		c.weights[i] = float32(w)
	}
	return c
}

// probsInto writes into p the class probabilities of v under bias and
// weights (a row of len(p) per feature).
func probsInto[W float32 | float64](p, bias []float64, weights []W, v sparse) {
	n := len(p)
	copy(p, bias)
	for i, row := range v.rows {
		x := v.vals[i]
		w := weights[row*n : row*n+n]
		for k := range n {
			p[k] += float64(w[k]) * x
		}
	}
	top := p[0]
	for _, z := range p[1:] {
		top = max(top, z)
	}
	var sum float64
	for k := range p {
		p[k] = math.Exp(p[k] - top)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
}

// probs gives the class probabilities of a question's feature vector;
// features the classifier never saw carry no weight.
func (c *classifier) probs(v map[string]float64) []float64 {
	var s sparse
	for _, k := range sortedKeys(v) {
		if row, ok := c.feature[k]; ok {
			s.rows = append(s.rows, row)
			s.vals = append(s.vals, v[k])
		}
	}
	p := make([]float64, c.classes)
	probsInto(p, c.bias, c.weights, s)
	return p
}
