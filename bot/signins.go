package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/graph"
)

// SignInLog reads people's own sign-in attempts (dialogs.ReadSignIns)
// through Graph's sign-in log. A person's attempts are read at most once
// every signInsKept: the answers that ask come in bursts, and Graph
// throttles the log. Once Graph says the log is not available (no
// AuditLog.Read.All, or no Microsoft Entra ID P1), it is not asked again
// for signInsOff: the bot answers as it would without the feature. The
// attempts are kept only in memory, and only that long.
type SignInLog struct {
	Graph interface {
		SignIns(ctx context.Context, userID string, since time.Time) ([]graph.SignIn, error)
	}
	Log *zap.Logger
	Now func() time.Time

	mu       sync.Mutex
	kept     map[string]keptSignIns
	offUntil time.Time
}

type keptSignIns struct {
	at       time.Time
	attempts []dialogs.SignInAttempt
}

const (
	// signInsWait bounds one read: the conversation waits for it (its
	// lock is held), and an explanation that comes later helps nobody.
	signInsWait   = 5 * time.Second
	signInsKept   = 2 * time.Minute
	signInsOff    = time.Hour
	maxKeptPeople = 10000
)

// errSignInsOff: the sign-in log is not available (see SignInLog).
var errSignInsOff = errors.New("the sign-in log is not available")

// Read returns userID's attempts of the last dialogs.SignInWindow, newest
// first.
func (s *SignInLog) Read(ctx context.Context, userID string) ([]dialogs.SignInAttempt, error) {
	now := s.Now()
	s.mu.Lock()
	if now.Before(s.offUntil) {
		s.mu.Unlock()
		return nil, errSignInsOff
	}
	if k, ok := s.kept[userID]; ok && now.Sub(k.at) < signInsKept {
		s.mu.Unlock()
		return k.attempts, nil
	}
	s.mu.Unlock()

	rctx, cancel := context.WithTimeout(ctx, signInsWait)
	defer cancel()
	got, err := s.Graph.SignIns(rctx, userID, now.Add(-dialogs.SignInWindow))
	switch {
	case errors.Is(err, graph.ErrNoPremium), errors.Is(err, graph.ErrNoAuditPermission):
		s.mu.Lock()
		s.offUntil = now.Add(signInsOff)
		s.mu.Unlock()
		s.Log.Warn("sign-in diagnosis off for an hour: Graph refuses the sign-in log (mfadesk doctor says why)", zap.Error(err))
		return nil, errSignInsOff
	case err != nil:
		return nil, err
	}
	attempts := make([]dialogs.SignInAttempt, len(got))
	for i, g := range got {
		a := dialogs.SignInAttempt{At: g.At, ErrorCode: g.ErrorCode, FailureReason: g.FailureReason,
			AdditionalDetails: g.AdditionalDetails, ConditionalAccess: g.ConditionalAccess, Country: g.Country}
		for _, st := range g.Steps {
			a.Steps = append(a.Steps, dialogs.SignInStep{Method: st.Method, Succeeded: st.Succeeded, Detail: st.Detail})
		}
		attempts[i] = a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kept == nil || len(s.kept) >= maxKeptPeople {
		for id, k := range s.kept {
			if now.Sub(k.at) >= signInsKept {
				delete(s.kept, id)
			}
		}
		if s.kept == nil || len(s.kept) >= maxKeptPeople {
			s.kept = map[string]keptSignIns{}
		}
	}
	s.kept[userID] = keptSignIns{at: now, attempts: attempts}
	return attempts, nil
}
