package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// purgeCommand deletes now what the daily purge would (RETENTION_DAYS,
// AUDIT_RETENTION_DAYS), or with --dry-run only counts it.
func purgeCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mfadesk purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dry := fs.Bool("dry-run", false, "count what would be deleted; delete nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mfadesk purge [--dry-run]\n\nDeletes what is older than RETENTION_DAYS (conversation state, closed tickets,\nfeedback, known 1:1 chats) and AUDIT_RETENTION_DAYS (audit entries), as the bot\ndoes once a day. Reads DATABASE_URL, or the SQLite file under DATA_DIR.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk purge: configuration:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := openDataStore(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk purge:", err)
		return 1
	}
	defer st.Close()
	now := time.Now()
	r := cfg.retention(now)
	p, err := st.Purge(ctx, r, *dry)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk purge:", err)
		return 1
	}
	verb := "deleted"
	if *dry {
		verb = "would delete (dry run: nothing deleted)"
	}
	fmt.Fprintf(stdout, "%s:\n", verb)
	fmt.Fprintf(stdout, "  %6d conversation states not touched since %s (RETENTION_DAYS=%d)\n", p.Conversations, r.Data.In(cfg.Zone).Format("2006-01-02"), cfg.RetentionDays)
	fmt.Fprintf(stdout, "  %6d closed tickets\n", p.Tickets)
	fmt.Fprintf(stdout, "  %6d feedback votes\n", p.Feedback)
	fmt.Fprintf(stdout, "  %6d known 1:1 chats\n", p.Chats)
	fmt.Fprintf(stdout, "  %6d audit entries from before %s (AUDIT_RETENTION_DAYS=%d)\n", p.Audit, r.Audit.In(cfg.Zone).Format("2006-01-02"), cfg.AuditDays)
	return 0
}
