package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// Mailer reads a person's address and sends mail; *graph.Client is the
// real one.
type Mailer interface {
	User(ctx context.Context, id string) (graph.User, error)
	SendMail(ctx context.Context, from string, m graph.Mail) error
}

// Notices tells people by email, from one sender mailbox, about changes to
// their sign-in methods and passes issued for them: a channel that a stolen
// Teams session does not hold (NIST SP 800-63B: notify on a channel
// independent of the change).
type Notices struct {
	Graph Mailer
	From  string // the sender mailbox (NOTIFY_FROM); empty: no email
	Log   *zap.Logger
	Now   func() time.Time
}

// Mail sends the notice of kind (cards.NoticeChange, cards.NoticeTAP) to
// the person owner: what happened (masked), when, and what to do if it
// wasn't them, in their language first. The address and the text are
// never logged.
func (n *Notices) Mail(ctx context.Context, owner, kind string, what []cards.Text) error {
	if n == nil || n.From == "" {
		return nil // configured off; main said so at start
	}
	u, err := n.Graph.User(ctx, owner)
	if err != nil {
		return fmt.Errorf("notice: read the person: %w", err)
	}
	to := u.Mail
	if to == "" {
		to = u.UserPrincipalName
	}
	first := cards.LangFromLocale(u.PreferredLanguage)
	subject, body := cards.NoticeMail(first, kind, what, n.Now())
	if err := n.Graph.SendMail(ctx, n.From, graph.Mail{To: to, Subject: subject, Body: body}); err != nil {
		return fmt.Errorf("notice: send mail: %w", err)
	}
	n.Log.Info("security notice mailed", zap.String("kind", kind))
	return nil
}

// AuditReader reads a person's audit log.
type AuditReader interface {
	Audit(ctx context.Context, userID string, since time.Time) ([]store.AuditEntry, error)
}

// maxAuditLines bounds the audit entries an urgent ticket carries.
const maxAuditLines = 20

// auditLines is a person's audit log of the last week, newest first, one
// line each, for an urgent ticket. Numbers in it are already masked.
func auditLines(ctx context.Context, a AuditReader, user string, now time.Time) ([]string, error) {
	entries, err := a.Audit(ctx, user, now.Add(-7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	slices.Reverse(entries)
	if len(entries) > maxAuditLines {
		entries = entries[:maxAuditLines]
	}
	lines := make([]string, 0, len(entries))
	for _, e := range entries {
		by := "self"
		if e.ActorID != e.UserID {
			by = "by " + e.ActorID
		}
		line := fmt.Sprintf("%s %s %s", e.At.UTC().Format("2006-01-02 15:04Z"), e.Operation, e.Method)
		if e.Masked != "" {
			line += " " + e.Masked
		}
		lines = append(lines, line+" — "+e.Result+" ("+by+")")
	}
	return lines, nil
}
