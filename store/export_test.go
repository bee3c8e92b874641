package store

import (
	"context"
	"maps"
	"slices"
	"time"
)

// ShortenLocks makes s's locks expire after ttl unless renewed, and renews
// them every renewal, so that tests see expiry and renewal in seconds. Call
// it before taking s's locks.
func ShortenLocks(s *DB, ttl, renewal time.Duration) {
	s.leases.close()
	s.leases = holdLeases(s, ttl, renewal)
}

// StaleRenewal reads the holders of s's locks now, as the renewal loop
// does, and returns the renewal of those holders, to run later: after
// some of them let go.
func StaleRenewal(s *DB) func(context.Context) {
	s.leases.mu.Lock()
	holders := slices.Collect(maps.Keys(s.leases.holders))
	s.leases.mu.Unlock()
	return func(ctx context.Context) { s.leases.renewHolders(ctx, time.Now(), holders) }
}
