package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store"
)

// mfadesk purge --dry-run counts and deletes nothing; without it, the old
// goes and the recent stays.
func TestPurgeCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	st, err := store.OpenSQLite(t.Context(), filepath.Join(dir, "mfadesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for conv, at := range map[string]time.Time{"a:old": now.AddDate(0, 0, -40), "a:new": now.AddDate(0, 0, -5)} {
		if err := st.Commit(t.Context(), store.Commit{ConversationID: conv, ActivityID: "1", State: []byte(`{}`), At: at}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	vars := map[string]string{"DATA_DIR": dir, "RETENTION_DAYS": "30", "AUDIT_RETENTION_DAYS": "30"}
	purge := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if code := purgeCommand(args, env(vars), &out, &out); code != 0 {
			t.Fatalf("purge %v: exit %d\n%s", args, code, out.String())
		}
		return out.String()
	}
	conversations := regexp.MustCompile(`(\d+) conversation states`)
	count := func(out string) string {
		m := conversations.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no count of conversations in:\n%s", out)
		}
		return m[1]
	}
	if out := purge("--dry-run"); count(out) != "1" || !regexp.MustCompile(`dry run`).MatchString(out) {
		t.Fatalf("dry run:\n%s", out)
	}
	if out := purge("--dry-run"); count(out) != "1" {
		t.Fatalf("the dry run deleted something:\n%s", out)
	}
	if out := purge(); count(out) != "1" {
		t.Fatalf("purge:\n%s", out)
	}
	if out := purge("--dry-run"); count(out) != "0" {
		t.Fatalf("after the purge:\n%s", out)
	}
	st, err = store.OpenSQLite(t.Context(), filepath.Join(dir, "mfadesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if snap, err := st.Load(t.Context(), "a:new", ""); err != nil || snap.State == nil {
		t.Errorf("the recent conversation is gone (%v)", err)
	}
}
