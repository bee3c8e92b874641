package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

func TestStepUpIsOneTime(t *testing.T) {
	forEach(t, func(t *testing.T, e env) {
		ctx := t.Context()
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		u := store.StepUp{StateHash: "h1", UserID: "alice", TenantID: "t", Purpose: "change", Subject: "chg-1",
			Nonce: "n", Verifier: "v", Resume: []byte(`{"conv":"a:1"}`), Created: now, Expires: now.Add(10 * time.Minute)}
		if err := e.s.CreateStepUp(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.UseStepUp(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown state: got %v, want ErrNotFound", err)
		}
		// Two callbacks at once: exactly one wins.
		var wg sync.WaitGroup
		results := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := e.s.UseStepUp(ctx, "h1", now.Add(time.Minute))
				if err == nil && (got.Nonce != "n" || got.Verifier != "v" || got.Subject != "chg-1" || string(got.Resume) != `{"conv":"a:1"}`) {
					t.Errorf("used request = %+v", got)
				}
				results[i] = err
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrStepUpUsed):
				t.Errorf("concurrent use: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d callbacks used one request, want 1", wins)
		}
		if _, ok, err := e.s.FreshStepUp(ctx, "alice", "chg-1", now.Add(-time.Hour)); err != nil || ok {
			t.Fatalf("before the outcome: fresh = %v, %v; want none", ok, err)
		}
		signedIn := now.Add(30 * time.Second)
		if err := e.s.FinishStepUp(ctx, "h1", "ok", now.Add(time.Minute), signedIn); err != nil {
			t.Fatal(err)
		}
		at, ok, err := e.s.FreshStepUp(ctx, "alice", "chg-1", now)
		if err != nil || !ok || !at.Equal(signedIn) {
			t.Fatalf("FreshStepUp = %v, %v, %v; want %v", at, ok, err, signedIn)
		}
		for _, c := range []struct{ user, subject string }{{"bob", "chg-1"}, {"alice", "chg-2"}} {
			if _, ok, _ := e.s.FreshStepUp(ctx, c.user, c.subject, now); ok {
				t.Errorf("a step-up for alice/chg-1 counted for %s/%s", c.user, c.subject)
			}
		}
		if _, ok, _ := e.s.FreshStepUp(ctx, "alice", "chg-1", signedIn.Add(time.Second)); ok {
			t.Error("a sign-in older than since counted as fresh")
		}
		if got, err := e.s.UseStepUp(ctx, "h1", now); !errors.Is(err, store.ErrStepUpUsed) || got.Nonce != "" || got.Verifier != "" {
			t.Errorf("after finishing: %v, nonce %q verifier %q; want used and wiped", err, got.Nonce, got.Verifier)
		}

		// A refused sign-in unlocks nothing.
		u2 := u
		u2.StateHash, u2.Subject = "h2", "chg-3"
		if err := e.s.CreateStepUp(ctx, u2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.UseStepUp(ctx, "h2", now); err != nil {
			t.Fatal(err)
		}
		if err := e.s.FinishStepUp(ctx, "h2", "weak", time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := e.s.FreshStepUp(ctx, "alice", "chg-3", time.Time{}); ok {
			t.Error("a refused sign-in counted as a step-up")
		}
		if n, err := e.s.PruneStepUps(ctx, now.Add(time.Second)); err != nil || n != 2 {
			t.Errorf("PruneStepUps = %d, %v; want 2", n, err)
		}
	})
}
