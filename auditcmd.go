package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"
)

const auditUsage = `Usage:
  mfadesk audit list [--user AAD_OBJECT_ID] [--since 2026-11-01T00:00:00Z | --since 24h]
        print the audit log of changes to sign-in methods as JSON lines (numbers masked)
`

func auditCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	fs := flag.NewFlagSet("audit list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "only this person's entries (Entra object id)")
	sinceArg := fs.String("since", "", "only entries from this time (RFC 3339) or this long ago (e.g. 24h)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var since time.Time
	if *sinceArg != "" {
		if d, err := time.ParseDuration(*sinceArg); err == nil {
			since = time.Now().Add(-d)
		} else if t, err := time.Parse(time.RFC3339, *sinceArg); err == nil {
			since = t
		} else {
			fmt.Fprintf(stderr, "mfadesk: --since %q: give an RFC 3339 time (2026-11-01T00:00:00Z) or a duration (24h)\n", *sinceArg)
			return 2
		}
	}
	ctx := context.Background()
	st, err := openDataStore(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	defer st.Close()
	entries, err := st.Audit(ctx, *user, since)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			fmt.Fprintln(stderr, "mfadesk:", err)
			return 1
		}
	}
	return 0
}
