package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
)

// ReminderStore finds the conversations whose change flow may wait with a
// temporary number, and the person whose 1:1 chat each one is.
type ReminderStore interface {
	IdleConversations(ctx context.Context, before time.Time, mark string) ([]string, error)
	PersonalChatIn(ctx context.Context, conversationID string) (string, store.PersonalChat, error)
}

// reminderTimeout bounds one conversation's reminder turn, the wait for
// its lock included.
const reminderTimeout = time.Minute

// RemindTemporaryNumbers runs a reminder turn ([dialogs.EventTempReminder])
// in each 1:1 chat whose change flow waits with a temporary number and
// that was last saved before quietSince (main passes the start of the
// day, so that someone who was in the chat today is not reminded today).
// The flow answers at most once a calendar day; the turn is the runner's
// usual one, under the conversation's lock. A conversation that fails (no
// chat known, a store error) is logged and the others go on; an error
// other than an unknown chat is returned at the end, for the job to be
// tried again. A reminder the Bot Connector refused is logged by the turn
// and not sent again that day. It returns how many people were reminded.
func (r *Runner) RemindTemporaryNumbers(ctx context.Context, st ReminderStore, quietSince time.Time) (int, error) {
	ids, err := st.IdleConversations(ctx, quietSince, dialogs.TempWaitMark)
	if err != nil {
		return 0, err
	}
	reminded, failed, retry := 0, 0, 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return reminded, err
		}
		sent, err := r.remind(ctx, st, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			failed++
			r.log.Warn("temporary-number reminder not sent: the person's 1:1 chat is not known", zap.String("conversation", id))
			continue
		case err != nil:
			failed, retry = failed+1, retry+1
			r.log.Warn("temporary-number reminder not sent", zap.String("conversation", id), zap.Error(err))
			continue
		}
		if sent > 0 {
			reminded++
		}
	}
	if reminded > 0 || failed > 0 {
		r.log.Info("temporary-number reminders", zap.Int("reminded", reminded), zap.Int("failed", failed))
	}
	if retry > 0 {
		// Trying again is safe: those reminded today are not again.
		return reminded, fmt.Errorf("bot: %d temporary-number reminders failed", retry)
	}
	return reminded, nil
}

// remind runs the reminder turn in one conversation, addressed to the
// person whose 1:1 chat it is, in the language of their client.
func (r *Runner) remind(ctx context.Context, st ReminderStore, conversationID string) (int, error) {
	user, chat, err := st.PersonalChatIn(ctx, conversationID)
	if err != nil {
		return 0, err
	}
	conv := dialogs.Conv{ServiceURL: chat.ServiceURL, ID: conversationID}
	who := dialogs.User{ID: chat.TeamsID, AADObjectID: user}
	in := dialogs.Input{Kind: dialogs.EventInput, Event: dialogs.EventTempReminder, Scope: dialogs.Personal,
		Locale: chat.Locale, User: who, Conv: conv}
	a := resumeActivity(resumeRef{Conv: conv, User: who, Locale: chat.Locale})
	rctx, cancel := context.WithTimeout(ctx, reminderTimeout)
	defer cancel()
	return r.resume(rctx, a, in)
}

var _ ReminderStore = (*store.DB)(nil)
