package cards_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/cards"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// constructors are every exported card constructor, by golden-file name.
var constructors = []struct {
	name string
	fn   func(cards.Lang) *cards.Card
}{
	{"welcome", cards.Welcome},
	{"menu", cards.Menu},
	{"ask-prompt", cards.AskPrompt},
	{"unreadable", cards.Unreadable},
	{"escalate-form", func(l cards.Lang) *cards.Card { return cards.EscalateForm(l, "SMSが届かない", 6, "") }},
	{"my-ticket", func(l cards.Lang) *cards.Card {
		return cards.MyTicket(l, cards.TicketView{ID: "12", State: cards.TicketAssigned, Assignee: "Bob Agent"}, cards.Text{JA: "依頼の状況", EN: "Your request"}.In(l), "")
	}},
	{"my-ticket-refreshing", func(l cards.Lang) *cards.Card {
		// The person's card of an open ticket: it refreshes for them.
		return cards.MyTicket(l, cards.TicketView{ID: "12", State: cards.TicketOpen, RequesterID: "29:1person", RequesterCard: "sent"}, cards.Text{JA: "ヘルプデスクに送りました", EN: "Sent to the helpdesk"}.In(l), "")
	}},
	{"ticket-gone", func(l cards.Lang) *cards.Card { return cards.TicketGone(l) }},
	{"ticket-assigned", func(l cards.Lang) *cards.Card { return cards.Ticket(l, sampleTicket(cards.TicketAssigned)) }},
	{"ticket-open", func(l cards.Lang) *cards.Card { return cards.Ticket(l, sampleTicket(cards.TicketOpen)) }},
	{"answer", sampleAnswer(cards.FeedbackAsk)},
	{"answer-feedback-given", sampleAnswer(cards.FeedbackGiven)},
	{"suggestions", func(l cards.Lang) *cards.Card {
		return cards.Suggestions(l, []cards.Button{
			{Title: "SMS", Verb: cards.VerbTopic, Data: map[string]string{cards.TopicKey: "sms-not-arriving"}},
			{Title: "Roaming", Verb: cards.VerbTopic, Data: map[string]string{cards.TopicKey: "roaming-abroad"}},
		}, sampleHuman)
	}},
	{"out-of-scope", func(l cards.Lang) *cards.Card { return cards.OutOfScope(l, sampleHuman) }},
	{"human-offer", func(l cards.Lang) *cards.Card { return cards.HumanOffer(l, sampleHuman) }},
	{"troubleshooter-question", func(l cards.Lang) *cards.Card {
		return cards.TroubleshooterQuestion(l, cards.Text{JA: "SMSの確認", EN: "Checking the SMS"}.In(l), 2, "", "Is the number right?", []cards.Button{
			{Title: "Yes", Verb: cards.VerbTSAnswer, Data: map[string]string{cards.TSKey: "sms", cards.NodeKey: "number", cards.NextKey: "abroad"}},
			{Title: "No", Verb: cards.VerbTSAnswer, Data: map[string]string{cards.TSKey: "sms", cards.NodeKey: "number", cards.NextKey: "fix-number"}},
		}, sampleHuman)
	}},
	{"troubleshooter-question-from-log", func(l cards.Lang) *cards.Card {
		// The voice troubleshooter, its first question answered by the
		// log: the call was answered and hung up before #.
		now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.FixedZone("JST", 9*3600))
		d := cards.SignInDiagnosis{Shape: cards.ShapeVoiceNoAnswer, Method: cards.MethodVoice, Detail: cards.DetailHungUp, Count: 1, First: now.Add(-7 * time.Minute), Last: now.Add(-7 * time.Minute)}
		return cards.TroubleshooterQuestion(l, cards.Text{JA: "電話の確認", EN: "Checking the call"}.In(l), 1, cards.SignInEvidence(l, d, now, true), "What happened after you answered?", []cards.Button{
			{Title: "I pressed #", Verb: cards.VerbTSAnswer, Data: map[string]string{cards.TSKey: "voice", cards.NodeKey: "after", cards.NextKey: "extension"}},
		}, sampleHuman)
	}},
	{"troubleshooter-settled", func(l cards.Lang) *cards.Card {
		now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.FixedZone("JST", 9*3600))
		d := cards.SignInDiagnosis{Shape: cards.ShapeSMSWrongCode, Method: cards.MethodSMS, Count: 2, First: now.Add(-12 * time.Minute), Last: now.Add(-9 * time.Minute)}
		return cards.TroubleshooterSettled(l, cards.Text{JA: "SMSの確認", EN: "Checking the SMS"}.In(l), d, now, sampleHuman)
	}},
	{"choice", func(l cards.Lang) *cards.Card {
		return cards.ChoiceCard(l, cards.Text{JA: "電話番号の変更", EN: "Changing your phone number"}.In(l), "Body.",
			[]cards.Fact{{Title: "Mobile", Value: "+81 90••••5678"}},
			[]cards.Button{{Title: "Yes", Verb: "change.pick", Data: map[string]string{"choice": "known"}}}, sampleHuman)
	}},
	{"choice-refreshing", func(l cards.Lang) *cards.Card {
		// A flow's card as a person sees it: it refreshes for them alone.
		c := cards.ChoiceCard(l, cards.Text{JA: "電話番号の変更", EN: "Changing your phone number"}.In(l), "Body.",
			nil, []cards.Button{{Title: "Yes", Verb: "change.pick", Data: map[string]string{"choice": "known"}}}, sampleHuman)
		c.RefreshFor("29:1person", 3)
		return c
	}},
	{"closed", cards.Closed},
	// What a person's own sign-in log shows, one card per shape; the
	// times are 09:12 and 09:20 of the day "now" is in, 23:50 of the day
	// before for the policy block.
	{"signins-sms-no-code", signIns(cards.ShapeSMSNoCode, 3, "")},
	{"signins-sms-wrong-code", signIns(cards.ShapeSMSWrongCode, 1, "")},
	{"signins-voice-no-answer", signIns(cards.ShapeVoiceNoAnswer, 2, "")},
	{"signins-voice-voicemail", func(l cards.Lang) *cards.Card {
		now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.FixedZone("JST", 9*3600))
		d := cards.SignInDiagnosis{Shape: cards.ShapeVoiceNoAnswer, Method: cards.MethodVoice, Detail: cards.DetailVoicemail, Count: 1, First: now.Add(-4 * time.Minute), Last: now.Add(-4 * time.Minute)}
		return cards.SignInFindings(l, d, now, sampleHuman)
	}},
	{"signins-app-ignored", signIns(cards.ShapeAppIgnored, 1, "")},
	{"signins-app-denied", signIns(cards.ShapeAppDenied, 4, "")},
	{"signins-app-wrong-number", signIns(cards.ShapeAppWrongNumber, 1, "")},
	{"signins-throttled", signIns(cards.ShapeThrottled, 6, "")},
	{"signins-account-blocked", signIns(cards.ShapeAccountBlocked, 1, "")},
	{"signins-blocked-policy", signIns(cards.ShapeBlockedByPolicy, 1, "FR")},
	{"signins-must-register", signIns(cards.ShapeMustRegister, 1, "")},
	{"signins-unknown", signIns(cards.ShapeUnknown, 2, "")},
	{"form", func(l cards.Lang) *cards.Card {
		return cards.FormCard(l, cards.Text{JA: "番号を入力してください", EN: "Enter the number"}.In(l), "Body.", "Problem.",
			cards.InputText{ID: "number", Label: "Phone number", Placeholder: "090-1234-5678", IsRequired: true, ErrorMsg: "Required.", Style: "Tel", MaxLength: 40},
			cards.Button{Title: "Next", Verb: "change.number"}, sampleHuman)
	}},
	{"preview", func(l cards.Lang) *cards.Card {
		return cards.PreviewCard(l, cards.Text{JA: "携帯電話を変更", EN: "Change the mobile"}.In(l), "Body.",
			[]cards.Fact{{Title: "Mobile", Value: "+81 90••••5678"}}, []cards.Fact{{Title: "Mobile", Value: "+81 80••••1234"}},
			"Now", "After", &cards.Button{Title: "Confirm", Verb: "change.confirm", Data: map[string]string{"req": "chg-1"}},
			&cards.Button{Title: "Cancel", Verb: "change.cancel", Data: map[string]string{"req": "chg-1"}}, "")
	}},
	{"preview-done", func(l cards.Lang) *cards.Card {
		return cards.PreviewCard(l, cards.Text{JA: "携帯電話を変更", EN: "Change the mobile"}.In(l), "",
			[]cards.Fact{{Title: "Mobile", Value: "+81 90••••5678"}}, []cards.Fact{{Title: "Mobile", Value: "+81 80••••1234"}},
			"Now", "After", nil, nil, "Done")
	}},
	{"result", func(l cards.Lang) *cards.Card {
		return cards.ResultCard(l, cards.Text{JA: "変更しました", EN: "Done"}.In(l), "Body.", false,
			[]cards.Fact{{Title: "Mobile", Value: "+81 80••••1234"}}, []cards.Link{{Title: "Open", URL: cards.MySecurityInfoURL}}, sampleHuman)
	}},
}

var sampleHuman = cards.Button{Title: "Talk to a person", Verb: cards.VerbHuman}

// sampleAnswer is an answer card with every part filled in. The texts are
// placeholders: the knowledge base's own texts are tested in dialogs.
func sampleAnswer(fb cards.FeedbackState) func(cards.Lang) *cards.Card {
	return func(l cards.Lang) *cards.Card {
		return cards.Answer(l, cards.AnswerView{
			TopicID: "sms-not-arriving", Title: cards.Text{JA: "SMSが届かない", EN: "The SMS doesn't arrive"}.In(l), Body: "Body text.",
			Steps:     []string{"First", "Second"},
			Links:     []cards.Link{{Title: "Open Security info", URL: cards.MySecurityInfoURL}},
			FollowUps: []cards.Button{{Title: "Troubleshoot", Verb: cards.VerbTroubleshoot, Data: map[string]string{cards.TSKey: "sms"}}, sampleHuman},
			Related:   []cards.Button{{Title: "Roaming", Verb: cards.VerbTopic, Data: map[string]string{cards.TopicKey: "roaming-abroad"}}},
			Feedback:  fb,
		})
	}
}

var langs = []cards.Lang{cards.Japanese, cards.English}

// eachCard runs f as a subtest for every constructor in every language.
func eachCard(t *testing.T, f func(t *testing.T, name string, c *cards.Card)) {
	t.Helper()
	for _, ctor := range constructors {
		for _, l := range langs {
			name := ctor.name + "-" + string(l)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f(t, name, ctor.fn(l))
			})
		}
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	eachCard(t, func(t *testing.T, name string, c *cards.Card) {
		got, err := json.MarshalIndent(c, "", "  ")
		if err != nil {
			t.Fatalf("MarshalIndent: %v", err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", name+".json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatalf("write golden file: %v", err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden file (run go test -update to create it): %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", name, path, got, want)
		}
	})
}

func TestCardEnvelope(t *testing.T) {
	t.Parallel()
	eachCard(t, func(t *testing.T, name string, c *cards.Card) {
		b, err := c.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if len(b) >= cards.MaxBytes {
			t.Errorf("card is %d bytes, want under %d", len(b), cards.MaxBytes)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("unmarshal own JSON: %v", err)
		}
		if got, want := m["type"], "AdaptiveCard"; got != want {
			t.Errorf("type = %v, want %q", got, want)
		}
		if got, want := m["version"], "1.5"; got != want {
			t.Errorf("version = %v, want %q", got, want)
		}
		if body, _ := m["body"].([]any); len(body) == 0 {
			t.Errorf("body is empty, want at least a heading")
		}
	})
}

func TestCardLanguage(t *testing.T) {
	t.Parallel()
	for _, ctor := range constructors {
		t.Run(ctor.name, func(t *testing.T) {
			t.Parallel()
			ja, en := ctor.fn(cards.Japanese), ctor.fn(cards.English)
			if got, want := ja.Lang, "ja"; got != want {
				t.Errorf("Japanese card lang = %q, want %q", got, want)
			}
			if got, want := en.Lang, "en"; got != want {
				t.Errorf("English card lang = %q, want %q", got, want)
			}
			jaHead, enHead := firstText(ja), firstText(en)
			if jaHead == "" || enHead == "" || jaHead == enHead {
				t.Errorf("headings: ja %q, en %q; want two different non-empty texts", jaHead, enHead)
			}
			if !hasJapanese(jaHead) {
				t.Errorf("Japanese heading %q has no Japanese characters", jaHead)
			}
			if hasJapanese(enHead) {
				t.Errorf("English heading %q has Japanese characters", enHead)
			}
		})
	}
}

func TestSubmitActionsHaveVerb(t *testing.T) {
	t.Parallel()
	eachCard(t, func(t *testing.T, name string, c *cards.Card) {
		b, err := c.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		var m any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("unmarshal own JSON: %v", err)
		}
		actions := 0
		walkActions(m, func(a map[string]any) {
			actions++
			switch a["type"] {
			case "Action.Submit":
				data, _ := a["data"].(map[string]any)
				if verb, _ := data[cards.VerbKey].(string); verb == "" {
					t.Errorf("Action.Submit %q has data %v, want a non-empty %q", a["title"], a["data"], cards.VerbKey)
				}
			case "Action.Execute":
				if verb, _ := a["verb"].(string); verb == "" {
					t.Errorf("Action.Execute %q has no verb", a["title"])
				}
			case "Action.OpenUrl":
				if url, _ := a["url"].(string); url == "" {
					t.Errorf("Action.OpenUrl %q has no url", a["title"])
				}
			}
			if title, _ := a["title"].(string); title == "" {
				t.Errorf("action %v has no title", a)
			}
		})
		// The ask prompt waits for typing; a preview replaced by its outcome
		// must not be clickable again. Every other card offers a way on.
		if !strings.HasPrefix(name, "ask-prompt-") && !strings.HasPrefix(name, "preview-done-") && actions == 0 {
			t.Errorf("card has no actions, want at least a way back to the menu")
		}
	})
}

func TestMenuLanguageSwitch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang      cards.Lang
		wantTitle string
		wantLang  string
	}{
		{cards.Japanese, "English", "en"},
		{cards.English, "日本語", "ja"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			t.Parallel()
			for _, c := range []*cards.Card{cards.Menu(tt.lang), cards.Welcome(tt.lang)} {
				last := c.Actions[len(c.Actions)-1]
				if last.Title != tt.wantTitle || last.Data[cards.VerbKey] != cards.VerbLanguage || last.Data[cards.LangKey] != tt.wantLang {
					t.Errorf("last action = %+v, want %q with verb %q and lang %q", last, tt.wantTitle, cards.VerbLanguage, tt.wantLang)
				}
			}
		})
	}
}

func TestLangFromLocale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		locale string
		want   cards.Lang
	}{
		{"ja-JP", cards.Japanese},
		{"ja", cards.Japanese},
		{"JA-jp", cards.Japanese},
		{" ja-JP ", cards.Japanese},
		{"ja_JP", cards.Japanese},
		{"en-US", cards.English},
		{"", cards.English},
		{"fr-FR", cards.English},
		{"jax", cards.English},
		{"jv-ID", cards.English},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			t.Parallel()
			if got := cards.LangFromLocale(tt.locale); got != tt.want {
				t.Errorf("LangFromLocale(%q) = %q, want %q", tt.locale, got, tt.want)
			}
		})
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   cards.Lang
		wantOK bool
	}{
		{"ja", cards.Japanese, true},
		{"en", cards.English, true},
		{"", "", false},
		{"fr", "", false},
		{"JA", "", false},
	}
	for _, tt := range tests {
		got, ok := cards.ParseLang(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	for _, m := range []struct {
		name string
		fn   func(cards.Lang) cards.Message
	}{
		{"LanguageSet", cards.LanguageSet},
		{"Restarted", cards.Restarted},
		{"ChannelHello", cards.ChannelHello},
	} {
		ja, en := m.fn(cards.Japanese), m.fn(cards.English)
		if !hasJapanese(ja.Text) || hasJapanese(en.Text) {
			t.Errorf("%s: ja %q, en %q; want Japanese then English text", m.name, ja.Text, en.Text)
		}
		if ja.Card != nil || en.Card != nil {
			t.Errorf("%s: has a card, want text only", m.name)
		}
	}
}

// firstText is the text of the card's first TextBlock.
func firstText(c *cards.Card) string {
	for _, e := range c.Body {
		if tb, ok := e.(cards.TextBlock); ok {
			return tb.Text
		}
	}
	return ""
}

// hasJapanese reports whether s has kana or CJK ideographs.
func hasJapanese(s string) bool {
	for _, r := range s {
		if (r >= 0x3040 && r <= 0x30ff) || (r >= 0x4e00 && r <= 0x9fff) {
			return true
		}
	}
	return false
}

// walkActions calls f for every action object anywhere in a decoded card:
// the card's actions and those of ActionSets in the body.
func walkActions(v any, f func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		if typ, _ := v["type"].(string); len(typ) > len("Action.") && typ[:len("Action.")] == "Action." {
			f(v)
		}
		for _, child := range v {
			walkActions(child, f)
		}
	case []any:
		for _, child := range v {
			walkActions(child, f)
		}
	}
}

func TestDetectLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text   string
		want   cards.Lang
		wantOK bool
	}{
		{"SMSが届かない", cards.Japanese, true},
		{"ショートメール", cards.Japanese, true},
		{"機種変更", cards.Japanese, true},
		{"I'm abroad and can't get the code", cards.English, true},
		{"sms not arriving", cards.English, true},
		{"SMS", "", false},
		{"OK!", "", false},
		{"090-1234-5678", "", false},
		{"", "", false},
		{"👍", "", false},
	}
	for _, tt := range tests {
		got, ok := cards.DetectLang(tt.text)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("DetectLang(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.wantOK)
		}
	}
}

func signIns(shape cards.SignInShape, count int, country string) func(cards.Lang) *cards.Card {
	return func(l cards.Lang) *cards.Card {
		jst := time.FixedZone("JST", 9*3600)
		now := time.Date(2026, 12, 3, 9, 30, 0, 0, jst)
		d := cards.SignInDiagnosis{Shape: shape, Count: count, First: now.Add(-18 * time.Minute), Last: now.Add(-10 * time.Minute), Country: country}
		if count == 1 {
			d.First = d.Last
		}
		if shape == cards.ShapeBlockedByPolicy {
			d.First, d.Last = now.Add(-220*time.Minute), now.Add(-220*time.Minute)
		}
		return cards.SignInFindings(l, d, now, sampleHuman)
	}
}

func sampleTicket(state string) cards.TicketView {
	return cards.TicketView{ID: "12", State: state, UserName: "山田 花子", UPN: "hanako@example.ac.jp", Topic: "SMSが届かない",
		Words: "スマホをなくしました", Opened: time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC), Age: 42 * time.Minute,
		Assignee: "Bob Agent", AssigneeID: "29:1bob", Methods: []string{"携帯電話: +81 90••••5678"}, Tried: []string{"回答: SMSが届かない"},
		Transcript: []cards.TranscriptLine{{FromUser: true, Text: "SMSが届かない"}, {Text: "SMSの確認コードが届かない"}},
		History:    []string{"Bob Agent: 担当"}, SignIns: []string{"12/03 09:12 SMS: コード未入力 (500121)", "12/03 09:05 SMS: コード未入力 (500121)"}}
}

// TestGoldenCardsPassMicrosoftsLibrary checks every golden card with
// Microsoft's Adaptive Cards library (tools/cardcheck), as Teams reads
// them. It needs Node and `npm ci` in tools/cardcheck, and skips without;
// CI installs both and also checks every card the bot's tests sent.
func TestGoldenCardsPassMicrosoftsLibrary(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat("../tools/cardcheck/node_modules/adaptivecards"); err != nil {
		t.Skip("tools/cardcheck is not installed (cd tools/cardcheck && npm ci)")
	}
	out, err := exec.Command(node, "../tools/cardcheck/check.cjs", "testdata").CombinedOutput()
	if err != nil {
		t.Errorf("Microsoft's Adaptive Cards library refuses golden cards:\n%s", out)
	}
}

// TestSignInLineNamesTheCountry: a ticket's line names the country a
// blocked sign-in came from in the helpdesk's language, and shows a code
// that names no country as it came.
func TestSignInLineNamesTheCountry(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 12, 0, 0, time.UTC)
	for code, want := range map[string]string{"FR": ", フランス (53003)", "ZZ": ", ZZ (53003)", "XQ": ", XQ (53003)"} {
		if got := cards.SignInLine(cards.Japanese, at, cards.ShapeBlockedByPolicy, "", "", 53003, code); !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, want it to end %q", code, got, want)
		}
	}
}
