package faq_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/faq"
)

func builtIn(t testing.TB) *faq.KB {
	t.Helper()
	kb, err := faq.Load("")
	if err != nil {
		t.Fatalf("the built-in knowledge base does not load: %v", err)
	}
	return kb
}

func TestBuiltInKnowledgeBaseCoversExactlyTheTopics(t *testing.T) {
	t.Parallel()
	kb := builtIn(t)
	var ids []string
	for _, e := range kb.Entries {
		ids = append(ids, e.ID)
		if n := len(e.Examples.JA); n < 15 {
			t.Errorf("%s: %d Japanese examples, want at least 15", e.ID, n)
		}
		if n := len(e.Examples.EN); n < 10 {
			t.Errorf("%s: %d English examples, want at least 10", e.ID, n)
		}
	}
	slices.Sort(ids)
	want := slices.Clone(faq.TopicIDs)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("topics = %v, want %v", ids, want)
	}
}

func TestParseErrorsNameFileEntryAndField(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("knowledge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  func(string) string
		wants []string
	}{
		{"missing English answer", func(s string) string {
			i := strings.Index(s, "      Most missing codes come down to signal")
			j := i + strings.Index(s[i:], "\n") + 1
			return s[:i] + s[j:]
		}, []string{"edited.yaml", "entry sms-not-arriving", "answer.en", "missing"}},
		{"unknown action", func(s string) string {
			return strings.Replace(s, "actions: [troubleshoot-sms, human]", "actions: [troubleshoot-sms, fax-it]", 1)
		}, []string{"entry sms-not-arriving", "actions[1]", `"fax-it"`}},
		{"bad link", func(s string) string {
			return strings.Replace(s, "- url: https://aka.ms/mysecurityinfo", "- url: aka.ms/mysecurityinfo", 1)
		}, []string{"entry sms-not-arriving", "links[0].url", "not an https URL"}},
		{"duplicate id", func(s string) string {
			return strings.Replace(s, "- id: costs", "- id: sms-not-arriving", 1)
		}, []string{"entry sms-not-arriving", "id", "used by another entry", "topic costs: missing"}},
		{"misspelt field", func(s string) string {
			return strings.Replace(s, "  related: [roaming-abroad", "  relatd: [roaming-abroad", 1)
		}, []string{"edited.yaml", "relatd"}},
		{"related topic that does not exist", func(s string) string {
			return strings.Replace(s, "related: [roaming-abroad, voice-call-failed]", "related: [roaming-abroad, fax-machine]", 1)
		}, []string{"entry sms-not-arriving", "related[1]", `"fax-machine"`}},
		{"not YAML", func(string) string { return "- id: [unclosed" }, []string{"edited.yaml"}},
		{"a title too wide for a button, and no label", func(s string) string {
			i := strings.Index(s, "- id: mail-app-signin\n")
			j := strings.Index(s[i:], "  label:\n") + i
			return s[:j] + s[j+strings.Index(s[j:], "  answer:"):]
		}, []string{"entry mail-app-signin", "label.ja", "55 columns", "label.en", "51 columns"}},
		{"a source that is not https, with a name too long", func(s string) string {
			return strings.Replace(s, "  related: [roaming-abroad, voice-call-failed]\n",
				"  related: [roaming-abroad, voice-call-failed]\n  source:\n    name: {ja: 学内の多要素認証ガイド, en: "+strings.Repeat("MFA guide ", 9)+"}\n    url: http://mfa.example.ac.jp/guide\n", 1)
		}, []string{"entry sms-not-arriving", "source.url", "not an https URL", "source.name.en", "Teams shows 80"}},
		{"a label too wide", func(s string) string {
			return strings.Replace(s, "en: My mail app stopped getting email\n", "en: My mail app stopped getting email after MFA\n", 1)
		}, []string{"entry mail-app-signin", "label.en", "43 columns"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			edited := tc.edit(string(good))
			if edited == string(good) {
				t.Fatal("the edit changed nothing; the test would prove nothing")
			}
			path := filepath.Join(t.TempDir(), "edited.yaml")
			if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := faq.Load(path)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadFileThatIsNotThere(t *testing.T) {
	t.Parallel()
	if _, err := faq.Load(filepath.Join(t.TempDir(), "nope.yaml")); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("got %v, want an error naming the file", err)
	}
}

// TestMatcherOnHeldOutQuestions guards the matcher's quality on questions
// written apart from the knowledge base: testdata/heldout.jsonl,
// testdata/heldout-realistic.jsonl, written the way people type to a
// helpdesk bot in Teams (long, rambling, typos, romaji, English), and
// testdata/heldout-passkeys.jsonl, on the passkey topics. Each must
// reach faq.Floors: top-1 ≥ 95 %, top-3 ≥ 99 %, out of scope rejected
// ≥ 90 %, at least 60 % of in-scope questions answered at once with the
// right topic and at most 1 % with a wrong one.
func TestMatcherOnHeldOutQuestions(t *testing.T) {
	t.Parallel()
	kb := builtIn(t)
	for _, name := range []string{"heldout.jsonl", "heldout-realistic.jsonl", "heldout-passkeys.jsonl"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cases, err := faq.ReadCases(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				for _, id := range c.IDs {
					if !slices.Contains(faq.TopicIDs, id) {
						t.Errorf("line %d: %q is not a topic", i+1, id)
					}
				}
			}
			r := faq.Evaluate(kb, cases)
			rt := r.Rates()
			t.Logf("top-1 %.1f%%, top-3 %.1f%%, at once %.1f%% right / %.1f%% wrong (%d in scope); out of scope %.1f%% rejected, %.1f%% answered at once (%d)",
				100*rt.Top1, 100*rt.Top3, 100*rt.AtOnceRight, 100*rt.AtOnceWrong, r.InScope, 100*rt.Rejected, 100*rt.OutOfScopeAtOnce, r.OutOfScope)
			if below := rt.Below(faq.Floors); len(below) > 0 {
				for _, m := range r.Misses {
					t.Logf("miss: %q want %v, got %v %v", m.Text, m.IDs, m.Got.Confidence, m.Got.Candidates)
				}
				t.Errorf("below the floors: %s", strings.Join(below, "; "))
			}
		})
	}
}

// TestRomaji: questions typed in Latin letters are understood, in romaji
// lines and inside English ones, in Hepburn, Nihon-shiki or keyboard
// spelling; English stays English.
func TestRomaji(t *testing.T) {
	t.Parallel()
	kb := builtIn(t)
	cases := []struct {
		text string
		want []string // acceptable best topics; none: out of scope
	}{
		{"sms ga todokanai", []string{"sms-not-arriving"}},
		{"kishuhenko shitara authenticator ga tsukaenai", []string{"authenticator-device-change"}},
		{"pasuki tte nani", []string{"passkey-what"}},
		{"pasukii tte nan no koto desu ka", []string{"passkey-what"}},
		{"sumaho wo ie ni wasureta", []string{"forgot-phone"}},
		{"SUMAHO NAKUSHITA", []string{"lost-phone"}},
		{"pasuwa-do wasureta", []string{"password-forgotten"}},
		{"ninsyou kôdo ga konai", []string{"sms-not-arriving", "authenticator-no-notification"}},
		{"kaigai shucchou de sms ga uketorenai", []string{"roaming-abroad"}},
		{"garakei shika motte nai", []string{"no-smartphone"}},
		{"hi team, sumaho wo nakushimashita. thanks", []string{"lost-phone"}},
		{"スマホ wasureta", []string{"forgot-phone"}},
		{"purintaa ga ugokanai", nil},
		{"arigatou gozaimasu", nil},
	}
	for _, tc := range cases {
		for _, id := range tc.want {
			if _, ok := kb.Entry(id); !ok {
				t.Skipf("%q: no topic %s in this knowledge base", tc.text, id)
			}
		}
		r := kb.Match(tc.text)
		if got := r.Best(); len(tc.want) == 0 && got != "" || len(tc.want) > 0 && !slices.Contains(tc.want, got) {
			t.Errorf("Match(%q) = %q (%v %v), want one of %v", tc.text, got, r.Confidence, r.Candidates, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	kb := builtIn(t)
	cases := []struct {
		text string
		want string // "" = out of scope
	}{
		{"ＳＭＳが届かない", "sms-not-arriving"}, // full width
		{"しょーとめーるがこない", "sms-not-arriving"},
		{"ｽﾏﾎを家に忘れた", "forgot-phone"}, // half-width katakana
		{"スマホなくした", "lost-phone"},
		{"I lost my phone on the train", "lost-phone"},
		{"機種変で番号が変わります", "phone-change"},
		{"press # but the call fails", "voice-call-failed"},
		{"お疲れ様です。経理課の佐藤です。SMSのコードが届かなくて困っています。よろしくお願いします。", "sms-not-arriving"},
		{"Good morning team, the verification text never came through, any idea? thanks", "sms-not-arriving"},
		{"プリンターが動かない", ""},
		{"お疲れ様です", ""},
		{"thanks!", ""},
		{"", ""},
		{"!!!", ""},
	}
	for _, tc := range cases {
		if got := kb.Match(tc.text).Best(); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q (%v)", tc.text, got, tc.want, kb.Match(tc.text).Candidates)
		}
	}
}

// BenchmarkMatch matches every example question of the knowledge base in
// turn and reports the 50th and 99th percentile of one match as well.
func BenchmarkMatch(b *testing.B) {
	kb := builtIn(b)
	var questions []string
	for _, e := range kb.Entries {
		questions = append(append(questions, e.Examples.JA...), e.Examples.EN...)
	}
	kb.Match("warm up") // the dictionary loads on first use
	took := make([]time.Duration, 0, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		kb.Match(questions[i%len(questions)])
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"SMSが届かない", "I'm abroad", "", "\x00\xff", "ｽﾏﾎ", "@sms @@", strings.Repeat("あ", 500)} {
		f.Add(s)
	}
	kb := builtIn(f)
	f.Fuzz(func(t *testing.T, s string) {
		r := kb.Match(s)
		if len(r.Candidates) > 3 {
			t.Errorf("%d candidates, want at most 3", len(r.Candidates))
		}
		if id := r.Best(); id != "" {
			if _, ok := kb.Entry(id); !ok {
				t.Errorf("best %q is not a topic", id)
			}
		}
	})
}

func TestAnswersCiteTheirSourceOrFirstLink(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("knowledge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(good), "  related: [roaming-abroad, voice-call-failed]\n",
		"  related: [roaming-abroad, voice-call-failed]\n  source:\n    name: {ja: 学内の多要素認証ガイド, en: Our MFA guide}\n    url: https://mfa.example.ac.jp/guide\n", 1)
	path := filepath.Join(t.TempDir(), "kb.yaml")
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	kb, err := faq.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sms, _ := kb.Entry("sms-not-arriving")
	if c := sms.Cites(); c == nil || c.URL != "https://mfa.example.ac.jp/guide" || c.Name.JA != "学内の多要素認証ガイド" {
		t.Errorf("sms-not-arriving cites %+v, want its source", c)
	}
	costs, _ := kb.Entry("costs")
	if c := costs.Cites(); len(costs.Links) > 0 && (c == nil || c.URL != costs.Links[0].URL) {
		t.Errorf("costs cites %+v, want its first link %s", c, costs.Links[0].URL)
	}
}
