package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/store"
)

// answerNotes remember which topic each answer message was, for the
// reactions Teams sends about it later (its 👍/👎 names the message, not
// the topic). Notes are written together, answerNotesDelay after the
// first waiting one, off the turns' path: an answer costs no write of its
// own, and a busy minute's answers are a few statements. A reaction that
// comes before its answer's note is written finds it waiting. A note not
// written (the database away) waits for the next write; a process that
// stops writes what waits (Runner.Wait), so only a crash loses the last
// fraction of a second's notes, and their reactions count for no topic.
type answerNotes struct {
	store AnswerStore
	log   *zap.Logger
	// writeMu lets one write run at a time, so that inFlight empties in
	// order.
	writeMu sync.Mutex
	mu      sync.Mutex
	// waiting are the notes not yet written, and inFlight those being
	// written; writing says a write is scheduled or running.
	waiting, inFlight []store.SentAnswer
	writing           bool
	failing           bool // the last write failed
}

// AnswerStore keeps the answer notes.
type AnswerStore interface {
	RecordSentAnswers(ctx context.Context, answers []store.SentAnswer) error
	AnswerTopic(ctx context.Context, conversationID, messageID string) (string, error)
}

const (
	answerNotesDelay = 200 * time.Millisecond
	answerNotesRetry = 5 * time.Second
	// maxWaitingNotes bounds the notes kept while the database is away:
	// the oldest go first.
	maxWaitingNotes = 10000
)

// note remembers that message id of a conversation answered topic.
func (n *answerNotes) note(a store.SentAnswer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.waiting = append(n.waiting, a)
	if over := len(n.waiting) - maxWaitingNotes; over > 0 {
		n.waiting = n.waiting[over:]
	}
	if !n.writing {
		n.writing = true
		time.AfterFunc(answerNotesDelay, func() { n.write(true) })
	}
}

// write writes the waiting notes. scheduled is the write note planned;
// another (Runner.Wait's) leaves the schedule as it is.
func (n *answerNotes) write(scheduled bool) {
	n.writeMu.Lock()
	defer n.writeMu.Unlock()
	n.mu.Lock()
	batch := n.waiting
	n.waiting = nil
	n.inFlight = append(n.inFlight, batch...)
	n.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := n.store.RecordSentAnswers(ctx, batch)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.inFlight = n.inFlight[len(batch):]
	delay := answerNotesDelay
	if err != nil {
		// The database is away: try again in a while, saying so once.
		if !n.failing {
			n.log.Warn("answer notes not written; trying again every few seconds", zap.Int("notes", len(batch)), zap.Error(err))
		}
		n.waiting, n.failing, delay = append(batch, n.waiting...), true, answerNotesRetry
	} else {
		n.failing = false
	}
	if !scheduled {
		return
	}
	n.writing = len(n.waiting) > 0
	if n.writing {
		time.AfterFunc(delay, func() { n.write(true) })
	}
}

// topic returns the topic message id of a conversation answered, "" if it
// is not known.
func (n *answerNotes) topic(ctx context.Context, conversationID, id string) string {
	n.mu.Lock()
	for _, a := range slices.Concat(n.inFlight, n.waiting) {
		if a.ConversationID == conversationID && a.MessageID == id {
			n.mu.Unlock()
			return a.Topic
		}
	}
	n.mu.Unlock()
	topic, err := n.store.AnswerTopic(ctx, conversationID, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		n.log.Warn("answer's topic not read", zap.Error(err))
	}
	return topic
}
