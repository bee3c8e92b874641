package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/store"
)

// faqCommand runs "mfadesk faq ...": match questions from stdin, evaluate
// the matcher on a file, or (with the store) show feedback counts.
func faqCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, faqUsage)
		return 2
	}
	if args[0] == "stats" {
		return faqStats(stdout, stderr)
	}
	kb, err := faq.Load(os.Getenv("FAQ_FILE"))
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	switch args[0] {
	case "match":
		return faqMatch(kb, stdin, stdout, stderr)
	case "eval":
		if len(args) != 2 {
			fmt.Fprint(stderr, faqUsage)
			return 2
		}
		return faqEval(kb, args[1], stdout, stderr)
	case "check":
		fmt.Fprintf(stdout, "%s: %d topics, valid\n", kb.Source, len(kb.Entries))
		return 0
	}
	fmt.Fprintf(stderr, "mfadesk faq: unknown command %q\n\n%s", args[0], faqUsage)
	return 2
}

const faqUsage = `Usage:
  mfadesk faq match         read questions (one per line) on stdin, write one JSON result per line
  mfadesk faq eval FILE     top-1, top-3, answered at once and out-of-scope rejection for a JSONL file of {"text","ids"}
  mfadesk faq check         validate the knowledge base (FAQ_FILE, or the built-in one)
  mfadesk faq stats         helpful / not helpful clicks per topic
`

// matchLine is one line of "mfadesk faq match" output.
type matchLine struct {
	Text       string   `json:"text"`
	ID         string   `json:"id"`
	Candidates []string `json:"candidates"`
	Score      float64  `json:"score"`
	Confidence string   `json:"confidence"`
}

func faqMatch(kb *faq.KB, stdin io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		text := strings.TrimRight(sc.Text(), "\r")
		r := kb.Match(text)
		line := matchLine{Text: text, ID: r.Best(), Candidates: []string{}, Score: round3(r.Score()), Confidence: r.Confidence.String()}
		for _, c := range r.Candidates {
			line.Candidates = append(line.Candidates, c.ID)
		}
		if err := enc.Encode(line); err != nil {
			fmt.Fprintln(stderr, "mfadesk:", err)
			return 1
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	return 0
}

func faqEval(kb *faq.KB, path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	defer f.Close()
	cases, err := faq.ReadCases(f)
	if err != nil {
		fmt.Fprintf(stderr, "mfadesk: %s: %v\n", path, err)
		return 1
	}
	if len(cases) == 0 {
		fmt.Fprintln(stderr, "mfadesk:", errors.New(path+": no cases"))
		return 1
	}
	r := faq.Evaluate(kb, cases)
	rt := r.Rates()
	fmt.Fprintf(stdout, "in scope:     %d questions\n", r.InScope)
	fmt.Fprintf(stdout, "top-1:        %.1f%% (%d)\n", 100*rt.Top1, r.Top1)
	fmt.Fprintf(stdout, "top-3:        %.1f%% (%d)\n", 100*rt.Top3, r.Top3)
	fmt.Fprintf(stdout, "at once:      %.1f%% right (%d), %.1f%% wrong (%d)\n", 100*rt.AtOnceRight, r.AtOnceRight, 100*rt.AtOnceWrong, r.AtOnceWrong)
	fmt.Fprintf(stdout, "out of scope: %d questions, %.1f%% rejected (%d), %.1f%% answered at once (%d)\n",
		r.OutOfScope, 100*rt.Rejected, r.Rejected, 100*rt.OutOfScopeAtOnce, r.OutOfScopeAtOnce)
	if below := rt.Below(faq.Floors); len(below) > 0 {
		fmt.Fprintf(stdout, "below floors: %s\n", strings.Join(below, "; "))
	}
	for _, miss := range r.Misses {
		var got []string
		for _, c := range miss.Got.Candidates {
			got = append(got, fmt.Sprintf("%s %.2f", c.ID, c.Score))
		}
		want := strings.Join(miss.IDs, "|")
		if want == "" {
			want = "(out of scope)"
		}
		fmt.Fprintf(stdout, "miss: %q want %s, got [%s] %s\n", miss.Text, want, strings.Join(got, ", "), miss.Got.Confidence)
	}
	return 0
}

// faqStats prints the 👍/👎 counts per topic from the bot's database, and
// the latest comments left with them.
func faqStats(stdout, stderr io.Writer) int {
	ctx := context.Background()
	st, err := openDataStore(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	defer st.Close()
	stats, err := st.FeedbackStats(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "topic\thelpful\tnot helpful\thelpful %\tlast vote (UTC)")
	for _, f := range stats {
		total := f.Helpful + f.NotHelpful
		topic := f.Topic
		if topic == "" {
			topic = "(answer not known)" // its note was lost in a crash
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%.0f%%\t%s\n", topic, f.Helpful, f.NotHelpful, 100*float64(f.Helpful)/float64(total), f.Last.Format("2006-01-02 15:04"))
	}
	if len(stats) == 0 {
		fmt.Fprintln(w, "(no feedback yet)")
	}
	if w.Flush() != nil {
		return 1
	}
	comments, err := st.FeedbackComments(ctx, 20)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	if len(comments) > 0 {
		fmt.Fprintln(stdout, "\nlatest comments (numbers masked):")
	}
	for _, c := range comments {
		vote := "👎"
		if c.Helpful {
			vote = "👍"
		}
		fmt.Fprintf(stdout, "%s %s %s: %s\n", c.At.Format("2006-01-02 15:04"), vote, c.Topic, strconv.Quote(c.Comment))
	}
	return 0
}

func boolExit(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// commandConns is the PostgreSQL connection budget of a command: one of
// the admin sessions the replicas' budgets leave room for. Its work is
// sequential or a few workers, which queue for these.
const commandConns = 4

// openDataStore opens the bot's database for the commands that read it:
// DATABASE_URL's, or the SQLite file under DATA_DIR, refusing to create an
// empty one in the wrong place.
func openDataStore(ctx context.Context) (*store.DB, error) {
	if url := strings.TrimSpace(os.Getenv("DATABASE_URL")); url != "" {
		return store.OpenPostgres(ctx, url, commandConns)
	}
	dir := os.Getenv("DATA_DIR")
	if dir == "" {
		dir = "./data"
	}
	path := filepath.Join(dir, "mfadesk.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (set DATA_DIR to the bot's data directory, or DATABASE_URL)", path)
	}
	return store.OpenSQLite(ctx, path)
}
