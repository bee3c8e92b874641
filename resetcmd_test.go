package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// reset deletes the local database and nothing else, and refuses where it
// could delete someone's real data or pull a database from under a bot.
func TestResetCommand(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	for _, f := range []string{"mfadesk.db", "mfadesk.db-wal", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(free.Addr().(*net.TCPAddr).Port)
	free.Close()
	reset := func(vars map[string]string) (int, string) {
		t.Helper()
		var out bytes.Buffer
		code := resetCommand(nil, env(vars), &out, &out)
		return code, out.String()
	}
	local := map[string]string{"DATA_DIR": dir, "PORT": port}

	if code, out := reset(azureEnv("DATA_DIR", dir)); code == 0 || !strings.Contains(out, "refused") {
		t.Errorf("registered bot: exit %d, %q", code, out)
	}
	if code, out := reset(map[string]string{"DATA_DIR": dir, "PORT": port, "DATABASE_URL": "postgres://x@127.0.0.1/db"}); code == 0 || !strings.Contains(out, "refused") {
		t.Errorf("PostgreSQL: exit %d, %q", code, out)
	}
	running, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	if code, out := reset(local); code == 0 || !strings.Contains(out, "stop it first") {
		t.Errorf("bot running: exit %d, %q", code, out)
	}
	running.Close()
	if _, err := os.Stat(filepath.Join(dir, "mfadesk.db")); err != nil {
		t.Fatalf("a refused reset deleted the database: %v", err)
	}

	if code, out := reset(local); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("reset: exit %d, %q", code, out)
	}
	for _, f := range []string{"mfadesk.db", "mfadesk.db-wal"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", f, err)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("reset deleted another file: %v", err)
	}
	if code, out := reset(local); code != 0 || !strings.Contains(out, "nothing to reset") {
		t.Errorf("second reset: exit %d, %q", code, out)
	}
}
