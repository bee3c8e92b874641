package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mfadesk/mfadesk/dialogs"
)

const ticketsUsage = `Usage:
  mfadesk tickets list [--all] [--json]
        list open tickets (waiting or assigned), oldest first; --all includes
        resolved and cancelled ones
`

func ticketsCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprint(stderr, ticketsUsage)
		return 2
	}
	fs := flag.NewFlagSet("tickets list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := fs.Bool("all", false, "include resolved and cancelled tickets")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx := context.Background()
	st, err := openDataStore(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	defer st.Close()
	states := []string{dialogs.TicketOpen, dialogs.TicketAssigned}
	if *all {
		states = nil
	}
	recs, err := st.Tickets(ctx, states...)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "#\tSTATE\tAGE\tPERSON\tTOPIC\tASSIGNED TO")
	}
	now := time.Now()
	for _, rec := range recs {
		var t dialogs.Ticket
		if err := json.Unmarshal(rec.Data, &t); err != nil {
			fmt.Fprintf(stderr, "mfadesk: ticket %d unreadable: %v\n", rec.ID, err)
			continue
		}
		assignee := ""
		if t.Assignee != nil {
			assignee = t.Assignee.Name
		}
		if *asJSON {
			// The summary only: no transcript, no words, no methods.
			enc.Encode(map[string]any{"id": rec.ID, "state": t.State, "created": t.Created, "updated": t.Updated,
				"person": t.User.Name, "upn": t.UPN, "topic": t.Topic, "assignee": assignee, "approval": t.Pending != nil,
				"thread": t.Thread.ID})
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", rec.ID, t.State, now.Sub(t.Created).Round(time.Minute),
			strings.TrimSpace(t.User.Name+" "+t.UPN), t.Topic, assignee)
	}
	if !*asJSON {
		tw.Flush()
	}
	return 0
}
