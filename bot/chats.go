package bot

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/store"
)

// PersonalChats remembers each person's 1:1 chat with the bot from the
// activities that arrive in it, with their client's locale, so that the
// bot can write to them first later (the passkey campaign, the reminder of
// a temporary number) in the chat they know. Only a change is written: one
// write per person, chat and locale, not per message.
type PersonalChats struct {
	Store interface {
		RememberChat(ctx context.Context, userID string, c store.PersonalChat, at time.Time) error
	}
	Log  *zap.Logger
	Now  func() time.Time
	seen sync.Map // Entra object id → store.PersonalChat
}

// Learn notes the chat an activity came from, if it is a person's 1:1 chat.
// The activity is authenticated: its aadObjectId is the sender's.
func (p *PersonalChats) Learn(ctx context.Context, a *Activity) {
	// Only what the person sent: an installation's events may come from
	// whoever installed the app.
	if p == nil || (a.Type != typeMessage && a.Type != typeInvoke) ||
		a.Conversation.ConversationType != "personal" || a.From.AadObjectID == "" || a.Conversation.ID == "" {
		return
	}
	c := store.PersonalChat{TeamsID: a.From.ID, Conversation: a.Conversation.ID, ServiceURL: a.ServiceURL, Locale: a.Locale}
	if old, ok := p.seen.Load(a.From.AadObjectID); ok && old.(store.PersonalChat) == c {
		return
	}
	if err := p.Store.RememberChat(ctx, a.From.AadObjectID, c, p.Now()); err != nil {
		p.Log.Warn("personal chat not remembered", zap.Error(err))
		return
	}
	p.seen.Store(a.From.AadObjectID, c)
}
