package bot

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
)

// IdleStore finds conversations idle for a while.
type IdleStore interface {
	IdleConversations(ctx context.Context, before time.Time, mark string) ([]string, error)
}

// ForgetIdleNumbers removes abandoned change flows, with the full phone
// numbers they hold, from conversations idle since before. It takes each
// conversation's lock, so it never races a turn.
func (r *Runner) ForgetIdleNumbers(ctx context.Context, idle IdleStore, before time.Time) (int, error) {
	ids, err := idle.IdleConversations(ctx, before, `"number":"`)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		snap, unlock, err := r.lockLoad(ctx, id, "")
		if err != nil {
			return n, err
		}
		sess, dropped := dialogs.ForgetNumbers(r.decodeSession(snap.State))
		if dropped {
			if err = r.commit(ctx, id, "", sess, nil); err == nil {
				n++
			}
		}
		unlock()
		if err != nil {
			return n, err
		}
	}
	if n > 0 {
		r.log.Info("abandoned change flows forgotten", zap.Int("conversations", n))
	}
	return n, nil
}

var _ IdleStore = (*store.DB)(nil)
