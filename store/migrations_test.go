package store

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestRowidTablesMigrate: a SQLite file of version 10, with a conversation
// and a processed activity in it, opens at the current version with both
// kept: the state loads, the activity is still known (a redelivery is not
// run again), and its answer is the one saved.
func TestRowidTablesMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mfadesk.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append([]string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`},
		sqliteMigrations[:10]...) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0)`,
		`INSERT INTO conversations (id, state, updated_at) VALUES ('a:1old', '"saved"', 1)`,
		`INSERT INTO processed_activities (conversation_id, activity_id, response, processed_at) VALUES ('a:1old', 'act-1', '"answer"', 1)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	s, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("a version 10 file did not open: %v", err)
	}
	defer s.Close()
	snap, err := s.Load(t.Context(), "a:1old", "act-1")
	if err != nil {
		t.Fatal(err)
	}
	if string(snap.State) != `"saved"` || !snap.Seen || string(snap.Response) != `"answer"` {
		t.Errorf("after the migration: state %q, seen %v, response %q; want \"saved\", true, \"answer\"", snap.State, snap.Seen, snap.Response)
	}
	var withoutRowid int
	if err := s.read.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('conversations', 'processed_activities') AND sql LIKE '%WITHOUT ROWID%'`).Scan(&withoutRowid); err != nil {
		t.Fatal(err)
	}
	if withoutRowid != 2 {
		t.Errorf("%d of the two tables are WITHOUT ROWID", withoutRowid)
	}
}

// TestChatLocaleMigrates: the 1:1 chats a version 11 file knows stay
// known after the locale column is added, found by their conversation,
// with no locale until the person writes again.
func TestChatLocaleMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mfadesk.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append([]string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`},
		sqliteMigrations[:11]...) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 0)`,
		`INSERT INTO personal_chats (user_id, teams_id, conversation, service_url, updated_at) VALUES ('u', '29:1u', 'a:1u', 'https://smba.example/', 1)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	s, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("a version 11 file did not open: %v", err)
	}
	defer s.Close()
	user, c, err := s.PersonalChatIn(t.Context(), "a:1u")
	want := PersonalChat{TeamsID: "29:1u", Conversation: "a:1u", ServiceURL: "https://smba.example/"}
	if err != nil || user != "u" || c != want {
		t.Errorf("after the migration: %q, %+v, %v; want u, %+v", user, c, err, want)
	}
}
