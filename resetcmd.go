package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"
)

// resetCommand starts local mode over: it deletes the local SQLite
// database (conversations, tickets, feedback, audit). The simulators keep
// nothing on disk, so the next start has them fresh too, seeded from
// GRAPH_SIMULATOR_SEED if set. It refuses anywhere but local mode, and
// while a bot is running on the local port.
func resetCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: mfadesk reset   (local mode only: deletes DATA_DIR/mfadesk.db; stop the bot first)")
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk reset: configuration:", err)
		return 2
	}
	if !cfg.local() || cfg.DatabaseURL != "" {
		fmt.Fprintln(stderr, "mfadesk reset: refused: it deletes the local mode's data only (unset MicrosoftAppId and DATABASE_URL)")
		return 2
	}
	if c, err := net.DialTimeout("tcp", cfg.listenAddr(), time.Second); err == nil {
		c.Close()
		fmt.Fprintf(stderr, "mfadesk reset: a bot is running at %s: stop it first (Ctrl-C), then reset\n", cfg.listenAddr())
		return 1
	}
	db := filepath.Join(cfg.DataDir, "mfadesk.db")
	removed := 0
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		switch err := os.Remove(f); {
		case err == nil:
			removed++
		case !errors.Is(err, os.ErrNotExist):
			fmt.Fprintln(stderr, "mfadesk reset:", err)
			return 1
		}
	}
	if removed == 0 {
		fmt.Fprintf(stdout, "nothing to reset: no database at %s\n", db)
		return 0
	}
	fmt.Fprintf(stdout, "deleted %s: the next start has no conversations, tickets, feedback or audit entries, and fresh simulators\n", db)
	return 0
}
