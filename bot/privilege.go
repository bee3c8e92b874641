package bot

import (
	"context"
	"fmt"

	"github.com/mfadesk/mfadesk/dialogs"
)

// Directory reads what makes an account privileged; *graph.Client is the
// real one.
type Directory interface {
	DirectoryRoles(ctx context.Context, userID string) ([]string, error)
	MemberOfGroups(ctx context.Context, userID string, groupIDs []string) ([]string, error)
}

// Privilege tells privileged accounts from the rest: those holding any
// Microsoft Entra directory role, and members of the protected group. Their
// sign-in methods are not self-service (a person from the helpdesk must
// change them), and no agent can issue them a pass from a ticket card:
// taking over such an account is worth more than any other.
type Privilege struct {
	Graph   Directory
	GroupID string // PROTECTED_GROUP_ID; empty: directory roles only
}

// Protected reports whether user's account is privileged. It fails closed:
// a nil Privilege, or a directory that cannot be read, is an error, and
// the caller refuses.
func (p *Privilege) Protected(ctx context.Context, user string) (bool, error) {
	if p == nil || p.Graph == nil {
		return false, fmt.Errorf("privilege: no directory to check")
	}
	roles, err := p.Graph.DirectoryRoles(ctx, user)
	if err != nil {
		return false, fmt.Errorf("privilege: directory roles: %w", err)
	}
	if len(roles) > 0 {
		return true, nil
	}
	if p.GroupID == "" {
		return false, nil
	}
	in, err := p.Graph.MemberOfGroups(ctx, user, []string{p.GroupID})
	if err != nil {
		return false, fmt.Errorf("privilege: protected group: %w", err)
	}
	return len(in) > 0, nil
}

// refuseProtected is the write path's check: nil for an ordinary account,
// else the problem the person (or agent) is told.
func (p *Privilege) refuseProtected(ctx context.Context, user string) error {
	protected, err := p.Protected(ctx, user)
	switch {
	case err != nil:
		return &dialogs.Problem{Code: "privilege_unknown", Retryable: true}
	case protected:
		return problemProtected
	}
	return nil
}

var problemProtected = &dialogs.Problem{Code: "protected_account"}
