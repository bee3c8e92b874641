package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/graph"
)

type countingLog struct {
	calls int
	err   error
}

func (c *countingLog) SignIns(context.Context, string, time.Time) ([]graph.SignIn, error) {
	c.calls++
	return []graph.SignIn{{ErrorCode: 500121}}, c.err
}

// TestSignInLogTurnsItselfOff: without Entra ID P1 or AuditLog.Read.All,
// the first refusal turns the feature off for a while, and Graph is not
// asked again meanwhile; a person's attempts are read once, then kept a
// moment; any other error is only that turn's.
func TestSignInLogTurnsItselfOff(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, refusal := range []error{graph.ErrNoPremium, graph.ErrNoAuditPermission} {
		g := &countingLog{err: &graph.Error{Op: "read sign-in log", Kind: graph.Forbidden, Status: 403, Err: refusal}}
		s := &SignInLog{Graph: g, Log: zap.NewNop(), Now: func() time.Time { return now }}
		for range 3 {
			if _, err := s.Read(t.Context(), "u1"); !errors.Is(err, errSignInsOff) {
				t.Errorf("%v: %v, want the feature off", refusal, err)
			}
		}
		if g.calls != 1 {
			t.Errorf("%v: Graph asked %d times, want once", refusal, g.calls)
		}
	}
	g := &countingLog{}
	clock := now
	s := &SignInLog{Graph: g, Log: zap.NewNop(), Now: func() time.Time { return clock }}
	for range 2 {
		if got, err := s.Read(t.Context(), "u1"); err != nil || len(got) != 1 || got[0].ErrorCode != 500121 {
			t.Fatalf("read: %+v %v", got, err)
		}
	}
	clock = clock.Add(signInsKept)
	s.Read(t.Context(), "u1")
	if g.calls != 2 {
		t.Errorf("Graph asked %d times, want once, then again once the attempts were old", g.calls)
	}
	g.err = &graph.Error{Kind: graph.Unavailable}
	clock = clock.Add(signInsKept)
	if _, err := s.Read(t.Context(), "u1"); err == nil || errors.Is(err, errSignInsOff) {
		t.Errorf("Graph away: %v, want that error, the feature still on", err)
	}
}
