package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/bot/campaign"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/store"
)

const campaignUsage = `Usage:
  mfadesk campaign run [--dry-run] [--group ID] [--remind-after 7d] [--rate 8] [--workers 4]
        find everyone whose only sign-in methods are phones and message each
        of them in Teams (a first message, then reminders every --remind-after
        until they have a passkey); --dry-run only counts and lists them
  mfadesk campaign status [--json]
        the campaign's figures, and the phone-only count over time
  mfadesk campaign retry-unreachable
        try again the people the bot could not reach (after fixing licences or
        the app policy)

It runs with the bot's configuration (the same environment), plus
CAMPAIGN_NAME, TEAMS_APP_ID and BOT_SERVICE_URL (mfadesk help).
`

// campaignCommand runs "mfadesk campaign ...".
func campaignCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, campaignUsage)
		return 2
	}
	fs := flag.NewFlagSet("campaign "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "count and list, change nothing")
	group := fs.String("group", "", "read this group's members when the registration report is unavailable")
	remind := fs.String("remind-after", "7d", "remind people this long after the last message (e.g. 7d, 72h)")
	rate := fs.Float64("rate", 8, "calls a second to each of Graph and the Bot Connector")
	workers := fs.Int("workers", 4, "messages sent in parallel")
	asJSON := fs.Bool("json", false, "status as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	remindAfter, err := parseDays(*remind)
	if err != nil || remindAfter < time.Hour {
		fmt.Fprintf(stderr, "mfadesk: --remind-after=%q: use a duration of an hour or more, such as 7d or 72h\n", *remind)
		return 2
	}
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk: configuration:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openDataStore(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	defer st.Close()
	c := &campaign.Campaign{Config: campaign.Config{
		Name: cfg.CampaignName, TeamsAppID: cfg.TeamsAppID, BotID: botAccountID(cfg), TenantID: cfg.AppTenantID,
		ServiceURL: cfg.BotServiceURL,
		Tenant:     cfg.Tenant, Group: *group, RemindAfter: remindAfter, Rate: *rate, Workers: *workers,
		Holder: holderName(), Dead: deadHere, HelpdeskChannel: cfg.Helpdesk.ChannelID, HelpdeskLang: cfg.HelpdeskLang,
	}, Store: st}
	// Warnings (who could not be read or reached, and why) go to stderr
	// with the progress; never names, addresses or numbers.
	if c.Log, err = newLogger(cfg); err != nil {
		c.Log = zap.NewNop()
	}

	switch args[0] {
	case "status":
		return campaignStatus(ctx, c, st, *asJSON, stdout, stderr)
	case "retry-unreachable":
		n, err := st.RetryUnreachable(ctx, c.Name, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "mfadesk:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%d people will be tried again on the next run\n", n)
		return 0
	case "run":
	default:
		fmt.Fprintf(stderr, "mfadesk campaign: unknown command %q\n\n%s", args[0], campaignUsage)
		return 2
	}

	if cfg.GraphMode == graphSimulator && os.Getenv("GRAPH_BASE_URL") == "" {
		fmt.Fprintln(stderr, "mfadesk: GRAPH_MODE is simulator but GRAPH_BASE_URL is empty: point it at a running simulator, e.g. http://127.0.0.1:3978/graph-simulator/v1.0")
		return 2
	}
	if !*dryRun && cfg.Tenant.Telephony != faq.TelephonyMicrosoft {
		fmt.Fprintf(stderr, "mfadesk: TELEPHONY=%s: SMS and voice codes don't end for this tenant, so there is nothing to warn people about (a dry run still counts them)\n", cfg.Tenant.Telephony)
		return 2
	}
	if c.TeamsAppID == "" && cfg.local() {
		c.TeamsAppID = localTeamsAppID // the simulator installs any app
	}
	if !*dryRun && c.TeamsAppID == "" {
		fmt.Fprintln(stderr, "mfadesk: TEAMS_APP_ID is empty: set it to the app's id in your Teams catalogue (Teams admin center → Manage apps), so the bot can be installed for people who don't have it")
		return 2
	}
	gc, err := newGraphClient(cfg, cfg.GraphBaseURL, nil)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	connector, err := newConnector(cfg, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	c.Graph, c.Chats = gc, connector
	c.Privilege = &bot.Privilege{Graph: gc, GroupID: cfg.ProtectedGroup}
	bar := newProgressBar(stderr)
	c.Progress = bar.show
	return campaignRun(ctx, c, *dryRun, stdout, stderr, bar)
}

func campaignRun(ctx context.Context, c *campaign.Campaign, dryRun bool, stdout, stderr io.Writer, bar *progressBar) int {
	if dryRun {
		fmt.Fprintln(stdout, "phone-only people (masked):")
		rep, err := c.Find(ctx, true, func(p campaign.Person) {
			fmt.Fprintf(stdout, "  %s\t%s\t%s\n", p.UPN, p.Lang, p.Mix)
		})
		bar.end()
		if err != nil {
			fmt.Fprintln(stderr, "mfadesk:", err)
			return 1
		}
		printFind(stdout, rep)
		return 0
	}
	ctx, release, err := c.Hold(ctx)
	if errors.Is(err, campaign.ErrBusy) {
		fmt.Fprintln(stderr, "mfadesk: another run of this campaign is in progress (on this or another replica); try again when it ends")
		return 3
	}
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	defer release()
	rep, err := c.Find(ctx, false, nil)
	bar.end()
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk: finding people:", err)
		return 1
	}
	printFind(stdout, rep)
	reach, err := c.Reach(ctx)
	bar.end()
	fmt.Fprintf(stdout, "\nmessages: %d due, %d sent (%d reminders), %d registered since the scan (not sent), %d unreachable, %d not sent (see the warnings; tried again next run)\n",
		reach.Due, reach.Sent, reach.Reminders, reach.Moved, reach.Unreachable, reach.Failed)
	if rep.Skipped["unchecked"] > 0 {
		fmt.Fprintf(stdout, "%d phone-only people could not be checked (Graph failed): not messaged, and nobody was dropped from the campaign this run\n", rep.Skipped["unchecked"])
	}
	if reach.Settled > 0 {
		fmt.Fprintf(stdout, "an earlier run was interrupted while sending to %d people: counted as sent, so nobody gets a message twice\n", reach.Settled)
	}
	if reach.Ended {
		fmt.Fprintln(stdout, "SMS and voice codes have ended: no messages are sent any more (phone-only people can't sign in to Teams)")
	}
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk: sending:", err)
		return 1
	}
	if err := c.Record(ctx); err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	counts, hist, err := c.Status(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	if err := c.PostStatus(ctx, c.StatusView(counts, hist)); err != nil {
		fmt.Fprintln(stderr, "mfadesk: the helpdesk's status card was not updated:", err)
	}
	if reach.Failed > 0 && reach.Sent == 0 {
		return 1 // nothing went out: a cron job should say so
	}
	return 0
}

func printFind(w io.Writer, rep campaign.FindReport) {
	fmt.Fprintf(w, "\nread from the %s: %d people\n", map[string]string{"report": "registration report", "group": "group"}[rep.Source], rep.Listed)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHODS\tPEOPLE")
	for _, k := range sortedKeys(rep.ByMix) {
		fmt.Fprintf(tw, "%s\t%d\n", k, rep.ByMix[k])
	}
	for _, k := range sortedKeys(rep.Skipped) {
		fmt.Fprintf(tw, "skipped: %s\t%d\n", k, rep.Skipped[k])
	}
	tw.Flush()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func campaignStatus(ctx context.Context, c *campaign.Campaign, st *store.DB, asJSON bool, stdout, stderr io.Writer) int {
	counts, hist, err := c.Status(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	v := c.StatusView(counts, hist)
	if asJSON {
		enc := json.NewEncoder(stdout)
		reasons, _ := st.UnreachableReasons(ctx, c.Name)
		enc.Encode(map[string]any{"campaign": c.Name, "at": counts.At, "phoneOnly": v.PhoneOnly, "contacted": v.Contacted,
			"started": v.Started, "registered": v.Registered, "unreachable": v.Unreachable, "unreachableBy": reasons,
			"noSmartphone": v.NoSmartphone, "daysLeft": v.DaysLeft, "history": v.History})
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "campaign\t%s\n", c.Name)
	fmt.Fprintf(tw, "days until SMS and voice codes end\t%d\n", max(v.DaysLeft, 0))
	fmt.Fprintf(tw, "still phone-only\t%d\n", v.PhoneOnly)
	fmt.Fprintf(tw, "contacted\t%d\n", v.Contacted)
	fmt.Fprintf(tw, "started the passkey flow\t%d\n", v.Started)
	fmt.Fprintf(tw, "moved off phones\t%d\n", v.Registered)
	fmt.Fprintf(tw, "unreachable\t%d\n", v.Unreachable)
	if reasons, err := st.UnreachableReasons(ctx, c.Name); err == nil {
		for _, r := range sortedKeys(reasons) {
			fmt.Fprintf(tw, "  %d\t%s\n", reasons[r], cards.ProblemText(cards.English, r))
		}
	}
	fmt.Fprintf(tw, "can't use a smartphone\t%d\n", v.NoSmartphone)
	if len(v.History) > 1 {
		fmt.Fprintf(tw, "phone-only over time\t%s\n", cards.Sparkline(v.History, 40))
	}
	tw.Flush()
	return 0
}

// localTeamsAppID stands in for the app's catalogue id in local mode.
const localTeamsAppID = "00000000-0000-4000-8000-00000000a9e5"

// botAccountID is the bot's Teams id ("28:" + its app id); in local mode it
// has none, and the playground needs none.
func botAccountID(cfg config) string {
	if cfg.local() {
		return ""
	}
	return "28:" + cfg.AppID
}

// parseDays reads a duration that may be given in days ("7d").
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("not a number of days: %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// holderName names this process in the campaign's lease: its host and
// boot (containers may share a host name but not their processes) and pid.
func holderName() string {
	return fmt.Sprintf("%s/%d", thisMachine(), os.Getpid())
}

func thisMachine() string {
	host, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return host + "@" + strings.TrimSpace(string(boot))
}

// deadHere reports whether a lease holder was a process of this host that
// no longer runs (killed, crashed): its lease need not run out first.
func deadHere(holder string) bool {
	machine, pidText, ok := strings.Cut(holder, "/")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || machine != thisMachine() || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// progressBar shows a run's progress on a terminal, redrawn in place; on
// anything else (a CI log) a line every tenth of the way.
type progressBar struct {
	w        io.Writer
	terminal bool
	last     string
	tenth    int
}

func newProgressBar(w io.Writer) *progressBar {
	b := &progressBar{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.terminal = true
		}
	}
	return b
}

func (b *progressBar) show(p campaign.Progress) {
	var line string
	if p.Total > 0 {
		const width = 30
		filled := min(width, p.Done*width/p.Total)
		line = fmt.Sprintf("%-5s [%s%s] %d/%d", p.Stage, strings.Repeat("█", filled), strings.Repeat("·", width-filled), p.Done, p.Total)
	} else {
		line = fmt.Sprintf("%-5s %d people read", p.Stage, p.Done)
	}
	if b.terminal {
		fmt.Fprintf(b.w, "\r%s", line)
		b.last = line
		return
	}
	tenth := 0
	if p.Total > 0 {
		tenth = p.Done * 10 / p.Total
	} else {
		tenth = p.Done / 1000
	}
	if tenth != b.tenth || p.Done == p.Total {
		b.tenth = tenth
		if line != b.last {
			fmt.Fprintln(b.w, line)
			b.last = line
		}
	}
}

// end finishes the bar's line before other output.
func (b *progressBar) end() {
	if b.terminal && b.last != "" {
		fmt.Fprintln(b.w)
	}
	b.last, b.tenth = "", 0
}
