package faq

import (
	"hash/maphash"
	"sync"
)

// recentAnswers remembers the results of recent questions, so that a
// question asked again is not matched again. People ask the same few
// questions in the same words: the buttons and the command menu send fixed
// texts, and on a bad day hundreds write 「SMSが届かない」. Matching is a
// pure function of the text and the knowledge base, and a knowledge base
// never changes (a reload builds a new one, with its own recentAnswers), so
// a remembered result is always the result.
//
// It keeps no text: questions are keyed by two 64-bit hashes with seeds
// chosen at start, 128 bits that nobody outside the process can aim at.
// The two newest generations of at most recentPerGeneration questions each
// are kept; a question found in the older one moves to the newer.
type recentAnswers struct {
	seeds        [2]maphash.Seed
	mu           sync.Mutex
	now, earlier map[questionKey]Result
}

type questionKey [2]uint64

const (
	recentPerGeneration = 512
	// recentMaxLen: longer questions are rarely asked twice in the same
	// words.
	recentMaxLen = 256
)

func newRecentAnswers() *recentAnswers {
	return &recentAnswers{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, now: map[questionKey]Result{}}
}

// answer returns the result for text, from memory or from match.
func (r *recentAnswers) answer(text string, match func(string) Result) Result {
	if len(text) > recentMaxLen {
		return match(text)
	}
	key := questionKey{maphash.String(r.seeds[0], text), maphash.String(r.seeds[1], text)}
	r.mu.Lock()
	res, ok := r.now[key]
	if !ok {
		if res, ok = r.earlier[key]; ok {
			r.remember(key, res)
		}
	}
	r.mu.Unlock()
	if !ok {
		res = match(text)
		r.mu.Lock()
		r.remember(key, res)
		r.mu.Unlock()
	}
	// The caller may change its candidates; the remembered ones stay.
	res.Candidates = append([]Candidate(nil), res.Candidates...)
	return res
}

// remember keeps res; r.mu is held.
func (r *recentAnswers) remember(key questionKey, res Result) {
	if len(r.now) >= recentPerGeneration {
		r.earlier, r.now = r.now, make(map[questionKey]Result, recentPerGeneration)
	}
	r.now[key] = res
}
