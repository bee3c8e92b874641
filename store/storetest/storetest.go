// Package storetest opens databases for tests: a temporary SQLite file, or
// a fresh schema in the PostgreSQL server TEST_DATABASE_URL names (by
// default the one on 127.0.0.1:5432, database test).
//
// Without a reachable server, PostgreSQL tests skip and say so; with
// MFADESK_REQUIRE_POSTGRES=1 (as CI sets) they fail instead.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/mfadesk/mfadesk/store"
)

// DefaultPostgresURL is the server tests use unless TEST_DATABASE_URL says
// otherwise.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SQLite opens a new database file in the test's temporary directory and
// returns it with its path, closed when the test ends.
func SQLite(t testing.TB) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "mfadesk.db")
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

// PostgresURL creates an empty schema for the test and returns a URL whose
// connections use it; the schema is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("MFADESK_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL at TEST_DATABASE_URL (%s) is required (MFADESK_REQUIRE_POSTGRES=1) but not reachable: %v", redact(base), err)
		}
		t.Skipf("SKIP: PostgreSQL not reachable at %s (%v): set TEST_DATABASE_URL to run the PostgreSQL tests", redact(base), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "mfadesk_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL must be a postgres:// URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens the store on a fresh schema (see PostgresURL), closed when
// the test ends.
func Postgres(t testing.TB) (*store.DB, string) {
	t.Helper()
	dsn := PostgresURL(t)
	s, err := store.OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, dsn
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
