package sim

// Person is a user as a sign-in page shows them.
type Person struct {
	ID, DisplayName, UserPrincipalName string
}

// Person finds the user an object id or user principal name names (making
// up an unknown object id's user, as every other path does), so that the
// sign-in simulator signs in the same people the Graph simulator knows.
func (s *Server) Person(key string) (Person, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.lookup(key)
	if err != nil {
		return Person{}, false
	}
	return Person{ID: u.id, DisplayName: u.displayName, UserPrincipalName: u.upn}, true
}
