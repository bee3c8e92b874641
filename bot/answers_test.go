package bot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/store"
)

// notesStore is an AnswerStore that can be made to fail.
type notesStore struct {
	mu      sync.Mutex
	written map[string]string // conversation/message → topic
	down    bool
}

func (s *notesStore) RecordSentAnswers(_ context.Context, answers []store.SentAnswer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errors.New("database away")
	}
	for _, a := range answers {
		s.written[a.ConversationID+"/"+a.MessageID] = a.Topic
	}
	return nil
}

func (s *notesStore) AnswerTopic(_ context.Context, conv, id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.written[conv+"/"+id]; ok {
		return t, nil
	}
	return "", store.ErrNotFound
}

// TestAnswerNotesWaitAndSurviveAFailedWrite: a note is found before it is
// written, is written soon after, and a write that fails keeps the notes
// for the next.
func TestAnswerNotesWaitAndSurviveAFailedWrite(t *testing.T) {
	st := &notesStore{written: map[string]string{}, down: true}
	n := &answerNotes{store: st, log: zap.NewNop()}
	n.note(store.SentAnswer{ConversationID: "a:1", MessageID: "m1", Topic: "sms"})
	if got := n.topic(t.Context(), "a:1", "m1"); got != "sms" {
		t.Errorf("a note waiting to be written: topic %q, want sms", got)
	}
	if got := n.topic(t.Context(), "a:1", "m2"); got != "" {
		t.Errorf("an unknown message: topic %q, want none", got)
	}
	time.Sleep(3 * answerNotesDelay) // a write or two fails meanwhile
	st.mu.Lock()
	st.down = false
	st.mu.Unlock()
	deadline := time.Now().Add(3 * answerNotesRetry)
	for {
		st.mu.Lock()
		written := st.written["a:1/m1"]
		st.mu.Unlock()
		if written == "sms" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the note was never written once the database was back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	n.mu.Lock()
	left := len(n.waiting)
	n.mu.Unlock()
	if left != 0 {
		t.Errorf("%d notes still waiting after they were written", left)
	}
}
