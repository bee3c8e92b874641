package store

import "time"

// ShortenLocks makes s's locks expire after ttl unless renewed, and renews
// them every renewal, so that tests see expiry and renewal in seconds. Call
// it before taking s's locks.
func ShortenLocks(s *DB, ttl, renewal time.Duration) {
	s.leases.close()
	s.leases = holdLeases(s, ttl, renewal)
}
