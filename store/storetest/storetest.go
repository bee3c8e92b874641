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
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
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

// Postgres opens the store, with the default connection budget, on a fresh
// schema (see PostgresURL), closed when the test ends.
func Postgres(t testing.TB) (*store.DB, string) {
	t.Helper()
	dsn := PostgresURL(t)
	s, err := store.OpenPostgres(t.Context(), dsn, store.DefaultMaxConns)
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

// Outage is a TCP proxy in front of a PostgreSQL server that a test can
// cut, as a network failure or a database restart would: open connections
// are dropped and new ones refused until Restore.
type Outage struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

// ThroughOutage returns dsn rewritten to reach its server through a new
// proxy, and the proxy.
func ThroughOutage(t testing.TB, dsn string) (string, *Outage) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &Outage{ln: ln, target: u.Host, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); o.Cut() })
	go o.serve()
	u.Host = ln.Addr().String()
	return u.String(), o
}

func (o *Outage) serve() {
	for {
		c, err := o.ln.Accept()
		if err != nil {
			return
		}
		o.mu.Lock()
		if o.down {
			o.mu.Unlock()
			c.Close()
			continue
		}
		o.conns[c] = true
		o.mu.Unlock()
		go o.pipe(c)
	}
}

func (o *Outage) pipe(c net.Conn) {
	s, err := net.Dial("tcp", o.target)
	if err != nil {
		c.Close()
		return
	}
	o.mu.Lock()
	o.conns[s] = true
	o.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
}

// Cut drops every connection and refuses new ones.
func (o *Outage) Cut() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = true
	for c := range o.conns {
		c.Close()
	}
	clear(o.conns)
}

// Restore lets connections through again.
func (o *Outage) Restore() {
	o.mu.Lock()
	o.down = false
	o.mu.Unlock()
}
