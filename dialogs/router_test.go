package dialogs_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
)

const (
	ja = cards.Japanese
	en = cards.English
)

var now = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

// Inputs, as a Japanese Teams client in a personal chat sends them.

func text(s string) dialogs.Input {
	return dialogs.Input{Kind: dialogs.TextInput, Text: s, Locale: "ja-JP", Scope: dialogs.Personal, Now: now}
}

func submit(verb string, kv ...string) dialogs.Input {
	data := map[string]string{cards.VerbKey: verb}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i]] = kv[i+1]
	}
	return dialogs.Input{Kind: dialogs.SubmitInput, Verb: verb, Data: data, Locale: "ja-JP", Scope: dialogs.Personal, Now: now}
}

func event(e dialogs.Event, scope dialogs.Scope) dialogs.Input {
	return dialogs.Input{Kind: dialogs.EventInput, Event: e, Locale: "ja-JP", Scope: scope, Now: now}
}

func withLocale(in dialogs.Input, locale string) dialogs.Input {
	in.Locale = locale
	return in
}

// summary names a reply by what a person sees first: a card's first
// TextBlock (its heading) or a message's text.
func summary(m cards.Message) string {
	if m.Card != nil {
		for _, e := range m.Card.Body {
			if tb, ok := e.(cards.TextBlock); ok {
				return "card: " + tb.Text
			}
		}
		return "card: (no text)"
	}
	return "text: " + m.Text
}

func summaries(ms []cards.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, summary(m))
	}
	return out
}

// testKB is the built-in knowledge base.
var testKB = func() *faq.KB {
	kb, err := faq.Load("")
	if err != nil {
		panic(err)
	}
	return kb
}()

// answer is the summary of the answer card of a topic.
func answer(id string, l cards.Lang) string {
	e, _ := testKB.Entry(id)
	return "card: " + cards.Text{JA: e.Title.JA, EN: e.Title.EN}.In(l)
}

var human = cards.Button{Verb: cards.VerbHuman}

func oos(l cards.Lang) string   { return summary(cards.Message{Card: cards.OutOfScope(l, human)}) }
func offer(l cards.Lang) string { return summary(cards.Message{Card: cards.HumanOffer(l, human)}) }

// card and msg give the summary of a reply built by the cards package, so
// that the transcripts follow rewording of the cards (pinned by their golden
// files) while still checking which card, in which language.
func card(fn func(cards.Lang) *cards.Card, l cards.Lang) string {
	return summary(cards.Message{Card: fn(l)})
}

func msg(fn func(cards.Lang) cards.Message, l cards.Lang) string {
	return summary(fn(l))
}

// turn is one line of a transcript.
type turn struct {
	name  string
	in    dialogs.Input
	want  []string                                        // reply summaries, in order
	check func(*testing.T, dialogs.Session, dialogs.Turn) // optional
}

// play feeds the turns through Step in sequence, starting from s.
func play(t *testing.T, r *dialogs.Router, s dialogs.Session, turns []turn) dialogs.Session {
	t.Helper()
	for i, tt := range turns {
		var out dialogs.Turn
		s, out = r.Step(s, tt.in)
		if diff := cmp.Diff(tt.want, summaries(out.Replies)); diff != "" {
			t.Errorf("turn %d %q: replies (-want +got):\n%s", i+1, tt.name, diff)
		}
		if tt.check != nil {
			tt.check(t, s, out)
		}
	}
	return s
}

func wantLang(l cards.Lang) func(*testing.T, dialogs.Session, dialogs.Turn) {
	return func(t *testing.T, s dialogs.Session, _ dialogs.Turn) {
		t.Helper()
		if s.Lang != l {
			t.Errorf("session Lang = %q, want %q", s.Lang, l)
		}
	}
}

func TestRouterTranscripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start dialogs.Session
		turns []turn
	}{
		{
			name: "welcome once",
			turns: []turn{
				{name: "installed", in: event(dialogs.EventUserJoined, dialogs.Personal), want: []string{card(cards.Welcome, ja)},
					check: func(t *testing.T, s dialogs.Session, _ dialogs.Turn) {
						if !s.Welcomed {
							t.Errorf("Welcomed = false after the welcome, want true")
						}
					}},
				{name: "joined again", in: event(dialogs.EventUserJoined, dialogs.Personal), want: nil},
				{name: "and again, in English", in: withLocale(event(dialogs.EventUserJoined, dialogs.Personal), "en-US"), want: nil},
			},
		},
		{
			name: "welcome in English for an English client",
			turns: []turn{
				{name: "installed", in: withLocale(event(dialogs.EventUserJoined, dialogs.Personal), "en-US"), want: []string{card(cards.Welcome, en)}},
			},
		},
		{
			name: "channel hello once",
			turns: []turn{
				{name: "added to a team", in: event(dialogs.EventBotAdded, dialogs.Channel), want: []string{msg(cards.ChannelHello, ja)}},
				{name: "added again", in: event(dialogs.EventBotAdded, dialogs.Channel), want: nil},
				{name: "member joined", in: event(dialogs.EventUserJoined, dialogs.Channel), want: nil},
			},
		},
		{
			name: "typed menu commands",
			turns: []turn{
				{name: "menu", in: text("menu"), want: []string{card(cards.Menu, ja)}},
				{name: "full-width", in: text("ＭＥＮＵ"), want: []string{card(cards.Menu, ja)}},
				{name: "katakana", in: text("メニュー"), want: []string{card(cards.Menu, ja)}},
				{name: "case and punctuation", in: text("  Menu! "), want: []string{card(cards.Menu, ja)}},
				{name: "help", in: text("ヘルプ"), want: []string{card(cards.Menu, ja)}},
				{name: "menu inside an English sentence is a question, answered in English", in: text("what is on the cafeteria lunch menu today"), want: []string{oos(en)}},
			},
		},
		{
			name: "typed language switch",
			turns: []turn{
				{name: "English", in: text("English"), want: []string{msg(cards.LanguageSet, en), card(cards.Menu, en)}, check: wantLang(en)},
				{name: "question stays English on a ja-JP client", in: text("SMSが届かない"), want: []string{answer("sms-not-arriving", en)}, check: wantLang(en)},
				{name: "menu stays English", in: text("メニュー"), want: []string{card(cards.Menu, en)}},
				{name: "日本語", in: text("日本語"), want: []string{msg(cards.LanguageSet, ja), card(cards.Menu, ja)}, check: wantLang(ja)},
				{name: "question in Japanese on an en-US client", in: withLocale(text("SMS never arrives"), "en-US"), want: []string{answer("sms-not-arriving", ja)}},
				{name: "英語で", in: text("英語で"), want: []string{msg(cards.LanguageSet, en), card(cards.Menu, en)}, check: wantLang(en)},
			},
		},
		{
			name: "language buttons",
			turns: []turn{
				{name: "lang=en", in: submit(cards.VerbLanguage, cards.LangKey, "en"), want: []string{msg(cards.LanguageSet, en), card(cards.Menu, en)}, check: wantLang(en)},
				{name: "human is English", in: submit(cards.VerbHuman), want: []string{summary(cards.Message{Card: cards.EscalateForm(en, "", 0, "")})}},
				{name: "never mind", in: submit(cards.VerbTicketDismiss), want: []string{"text: OK, nothing was sent to the helpdesk."}},
				{name: "lang=ja", in: submit(cards.VerbLanguage, cards.LangKey, "ja"), want: []string{msg(cards.LanguageSet, ja), card(cards.Menu, ja)}, check: wantLang(ja)},
				{name: "no lang toggles", in: submit(cards.VerbLanguage), want: []string{msg(cards.LanguageSet, en), card(cards.Menu, en)}, check: wantLang(en)},
				{name: "bad lang toggles", in: submit(cards.VerbLanguage, cards.LangKey, "fr"), want: []string{msg(cards.LanguageSet, ja), card(cards.Menu, ja)}, check: wantLang(ja)},
			},
		},
		{
			name: "language follows the client until chosen",
			turns: []turn{
				{name: "en-US client", in: withLocale(text("menu"), "en-US"), want: []string{card(cards.Menu, en)}, check: wantLang("")},
				{name: "ja-JP client", in: text("menu"), want: []string{card(cards.Menu, ja)}, check: wantLang("")},
				{name: "no locale", in: withLocale(text("menu"), ""), want: []string{card(cards.Menu, en)}},
			},
		},
		{
			name: "answers in the language the user writes",
			turns: []turn{
				{name: "Japanese from an en-US client", in: withLocale(text("SMSが届かない"), "en-US"), want: []string{answer("sms-not-arriving", ja)}},
				{name: "a button keeps Japanese", in: withLocale(submit(cards.VerbMenu), "en-US"), want: []string{card(cards.Menu, ja)}},
				{name: "a lone acronym says nothing", in: withLocale(text("SMS"), "en-US"), want: []string{answer("sms-not-arriving", ja)}},
				{name: "English from a ja-JP client", in: text("I'm abroad and can't get the code"), want: []string{answer("roaming-abroad", en)}},
				{name: "an explicit choice wins over writing", in: text("日本語"), want: []string{"text: " + cards.LanguageSet(ja).Text, card(cards.Menu, ja)}},
				{name: "English text after choosing Japanese", in: text("the code never arrives"), want: []string{answer("sms-not-arriving", ja)}},
			},
		},
		{
			name: "menu buttons and free text",
			turns: []turn{
				{name: "free text", in: text("海外でコードが受け取れない"), want: []string{answer("roaming-abroad", ja)}},
				{name: "ask", in: submit(cards.VerbAsk), want: []string{card(cards.AskPrompt, ja)}},
				{name: "back to menu", in: submit(cards.VerbMenu), want: []string{card(cards.Menu, ja)}},
				{name: "unknown verb", in: submit("refund.start"), want: []string{card(cards.Menu, ja)}},
				{name: "button without a verb", in: submit(""), want: []string{card(cards.Menu, ja)}},
			},
		},
	}
	r := dialogs.NewRouter(testKB, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := play(t, r, tt.start, tt.turns)
			if len(s.Stack) != 0 {
				t.Errorf("Stack = %+v, want empty without dialogs", s.Stack)
			}
		})
	}
}

// echo is a two-step test dialog: it asks for a word, then echoes it. A
// button pressed while it waits counts as a failed try and asks again.
type echo struct{ version int }

const (
	echoID   = "echo"
	echoVerb = "echo.start"
)

type echoState struct {
	Tries int `json:"tries"`
}

var (
	askWord   = cards.Message{Text: "Which word?"}
	typeAWord = cards.Message{Text: "Please type a word."}
	badState  = cards.Message{Text: "bad state"}
)

func (echo) ID() string     { return echoID }
func (d echo) Version() int { return d.version }

func (echo) Next(st json.RawMessage, in dialogs.Input) dialogs.Turn {
	if st == nil {
		return dialogs.Turn{Status: dialogs.Waiting, State: mustJSON(echoState{}), Replies: []cards.Message{askWord}}
	}
	var s echoState
	if err := json.Unmarshal(st, &s); err != nil {
		return dialogs.Turn{Status: dialogs.Cancelled, Replies: []cards.Message{badState}}
	}
	if in.Kind != dialogs.TextInput {
		s.Tries++
		return dialogs.Turn{Status: dialogs.Waiting, State: mustJSON(s), Replies: []cards.Message{typeAWord}}
	}
	return dialogs.Turn{Status: dialogs.Complete, Replies: []cards.Message{{Text: fmt.Sprintf("echo: %s (tries: %d)", in.Text, s.Tries)}}}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func echoRouter() *dialogs.Router {
	return dialogs.NewRouter(testKB, map[string]dialogs.Dialog{echoVerb: echo{version: 2}})
}

// wantStack checks the session's dialog stack. Empty and nil (stack or
// state) count as equal: both persist as nothing. The buttons a frame
// remembers are TestTypedButtons's, the cards' numbers
// TestOldFlowCardsRefreshClosed's.
func wantStack(want ...dialogs.Frame) func(*testing.T, dialogs.Session, dialogs.Turn) {
	return func(t *testing.T, s dialogs.Session, _ dialogs.Turn) {
		t.Helper()
		if diff := cmp.Diff(want, s.Stack, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(dialogs.Frame{}, "Buttons", "Card")); diff != "" {
			t.Errorf("Stack (-want +got):\n%s", diff)
		}
	}
}

func frame(tries int) dialogs.Frame {
	return dialogs.Frame{Dialog: echoID, Version: 2, State: mustJSON(echoState{Tries: tries})}
}

func wantStatus(st dialogs.Status) func(*testing.T, dialogs.Session, dialogs.Turn) {
	return func(t *testing.T, _ dialogs.Session, out dialogs.Turn) {
		t.Helper()
		if out.Status != st {
			t.Errorf("Status = %v, want %v", out.Status, st)
		}
	}
}

func all(checks ...func(*testing.T, dialogs.Session, dialogs.Turn)) func(*testing.T, dialogs.Session, dialogs.Turn) {
	return func(t *testing.T, s dialogs.Session, out dialogs.Turn) {
		t.Helper()
		for _, c := range checks {
			c(t, s, out)
		}
	}
}

func TestRouterDialog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start dialogs.Session
		turns []turn
	}{
		{
			name: "start, answer, complete",
			turns: []turn{
				{name: "start", in: submit(echoVerb), want: []string{summary(askWord)},
					check: all(wantStatus(dialogs.Waiting), wantStack(frame(0)),
						func(t *testing.T, _ dialogs.Session, out dialogs.Turn) {
							if got, want := string(out.State), `{"tries":0}`; got != want {
								t.Errorf("Turn.State = %s, want %s", got, want)
							}
						})},
				{name: "answer", in: text("banana"), want: []string{"text: echo: banana (tries: 0)"},
					check: all(wantStatus(dialogs.Complete), wantStack())},
				{name: "free text after it ended", in: text("banana"), want: []string{oos(ja)},
					check: wantStack()},
			},
		},
		{
			name: "state is saved between steps",
			turns: []turn{
				{name: "start", in: submit(echoVerb), want: []string{summary(askWord)}},
				{name: "stray button goes to the dialog", in: submit("old.button"), want: []string{summary(typeAWord)},
					check: all(wantStatus(dialogs.Waiting), wantStack(frame(1)))},
				{name: "another", in: submit("old.button"), want: []string{summary(typeAWord)}, check: wantStack(frame(2))},
				{name: "answer", in: text("apple"), want: []string{"text: echo: apple (tries: 2)"}, check: wantStack()},
			},
		},
		{
			name: "global commands keep the dialog",
			turns: []turn{
				{name: "start", in: submit(echoVerb), want: []string{summary(askWord)}},
				{name: "menu", in: text("menu"), want: []string{card(cards.Menu, ja)}, check: wantStack(frame(0))},
				{name: "menu button", in: submit(cards.VerbMenu), want: []string{card(cards.Menu, ja)}, check: wantStack(frame(0))},
				{name: "English", in: text("English"), want: []string{msg(cards.LanguageSet, en), card(cards.Menu, en)},
					check: all(wantLang(en), wantStack(frame(0)))},
				{name: "join event", in: event(dialogs.EventUserJoined, dialogs.Personal), want: []string{card(cards.Welcome, en)}, check: wantStack(frame(0))},
				{name: "answer", in: text("cherry"), want: []string{"text: echo: cherry (tries: 0)"}, check: wantStack()},
			},
		},
		{
			name: "its own verb while it runs goes to it",
			turns: []turn{
				{name: "start", in: submit(echoVerb), want: []string{summary(askWord)}, check: wantStack(frame(0))},
				{name: "start again", in: submit(echoVerb), want: []string{summary(typeAWord)}, check: wantStack(frame(1))},
				{name: "answer", in: text("x"), want: []string{"text: echo: x (tries: 1)"}, check: wantStack()},
			},
		},
		{
			name:  "stale version is dropped and the input handled afresh",
			start: dialogs.Session{Welcomed: true, Stack: []dialogs.Frame{{Dialog: echoID, Version: 1, State: json.RawMessage(`{"tries":5}`)}}},
			turns: []turn{
				{name: "text after deploy", in: text("banana"), want: []string{msg(cards.Restarted, ja), oos(ja)},
					check: all(wantStack(), func(t *testing.T, s dialogs.Session, _ dialogs.Turn) {
						if !s.Welcomed {
							t.Errorf("Welcomed = false after a restart, want the rest of the session kept")
						}
					})},
				{name: "nothing more to apologise for, but a person is offered", in: text("banana"), want: []string{oos(ja), offer(ja)}},
			},
		},
		{
			name:  "stale version, restarted by its own verb",
			start: dialogs.Session{Stack: []dialogs.Frame{{Dialog: echoID, Version: 3, State: json.RawMessage(`"v3 shape"`)}}},
			turns: []turn{
				{name: "start", in: submit(echoVerb), want: []string{msg(cards.Restarted, ja), summary(askWord)},
					check: wantStack(frame(0))},
			},
		},
		{
			name:  "stale frame under a fresh one is dropped when it resurfaces",
			start: dialogs.Session{Stack: []dialogs.Frame{{Dialog: echoID, Version: 1}, frame(0)}},
			turns: []turn{
				{name: "answer the top", in: text("x"), want: []string{"text: echo: x (tries: 0)"},
					check: wantStack(dialogs.Frame{Dialog: echoID, Version: 1})},
				{name: "next turn", in: text("y"), want: []string{msg(cards.Restarted, ja), oos(ja)}, check: wantStack()},
			},
		},
		{
			name:  "unknown dialog is dropped",
			start: dialogs.Session{Lang: en, Stack: []dialogs.Frame{{Dialog: "refund", Version: 1, State: json.RawMessage(`{}`)}}},
			turns: []turn{
				{name: "menu", in: text("メニュー"), want: []string{msg(cards.Restarted, en), card(cards.Menu, en)}, check: wantStack()},
			},
		},
		{
			name:  "unknown dialog, then an event",
			start: dialogs.Session{Stack: []dialogs.Frame{{Dialog: "refund", Version: 1}}},
			turns: []turn{
				{name: "joined", in: event(dialogs.EventUserJoined, dialogs.Personal), want: []string{msg(cards.Restarted, ja), card(cards.Welcome, ja)}, check: wantStack()},
			},
		},
	}
	r := echoRouter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			play(t, r, tt.start, tt.turns)
		})
	}
}

// TestStepPure checks that Step depends only on its arguments and leaves
// them alone: the runner may retry a turn, and a stepped session must not
// change one the caller still holds.
func TestStepPure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    dialogs.Session
		in   dialogs.Input
	}{
		{"new conversation", dialogs.Session{}, event(dialogs.EventUserJoined, dialogs.Personal)},
		{"free text", dialogs.Session{Welcomed: true}, text("SMSが届かない")},
		{"language switch", dialogs.Session{Lang: ja}, submit(cards.VerbLanguage, cards.LangKey, "en")},
		{"start a dialog", dialogs.Session{}, submit(echoVerb)},
		{"start on a stack with spare capacity", dialogs.Session{Stack: append(make([]dialogs.Frame, 0, 4), frame(0))}, submit(echoVerb)},
		{"dialog keeps waiting", dialogs.Session{Stack: []dialogs.Frame{frame(0)}}, submit("old.button")},
		{"dialog completes", dialogs.Session{Stack: []dialogs.Frame{frame(1)}}, text("banana")},
		{"global inside a dialog", dialogs.Session{Stack: []dialogs.Frame{frame(0)}}, text("menu")},
		{"stale frame", dialogs.Session{Stack: []dialogs.Frame{{Dialog: echoID, Version: 1}}}, text("menu")},
	}
	r := echoRouter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := clone(t, tt.s)
			s1, out1 := r.Step(tt.s, tt.in)
			if diff := cmp.Diff(before, tt.s); diff != "" {
				t.Errorf("Step changed its input session (-before +after):\n%s", diff)
			}
			s2, out2 := r.Step(tt.s, tt.in)
			if diff := cmp.Diff(s1, s2); diff != "" {
				t.Errorf("sessions of two identical steps differ (-first +second):\n%s", diff)
			}
			if diff := cmp.Diff(out1, out2, cmp.AllowUnexported(cards.Card{})); diff != "" {
				t.Errorf("turns of two identical steps differ (-first +second):\n%s", diff)
			}
		})
	}
}

// TestStepResultsIndependent checks that two sessions stepped from the same
// one do not share storage: one step must not rewrite another's result.
func TestStepResultsIndependent(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, map[string]dialogs.Dialog{echoVerb: echo{version: 2}, "other.start": other{}})
	base := dialogs.Session{Stack: append(make([]dialogs.Frame, 0, 4), frame(0))}

	s1, _ := r.Step(base, submit(echoVerb))
	want := clone(t, s1)
	r.Step(base, submit("other.start"))
	if diff := cmp.Diff(want, s1); diff != "" {
		t.Errorf("a later Step from the same session changed an earlier result (-want +got):\n%s", diff)
	}
}

// other is a one-frame dialog that only waits.
type other struct{}

func (other) ID() string   { return "other" }
func (other) Version() int { return 1 }
func (other) Next(json.RawMessage, dialogs.Input) dialogs.Turn {
	return dialogs.Turn{Status: dialogs.Waiting, State: json.RawMessage(`"waiting"`)}
}

// clone deep-copies a session through its persisted form, as the runner
// stores it.
func clone(t *testing.T, s dialogs.Session) dialogs.Session {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal session: %v", err)
	}
	var c dialogs.Session
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("unmarshal session: %v", err)
	}
	if len(s.Stack) > 0 && len(c.Stack) == 0 {
		t.Fatalf("clone lost the stack")
	}
	return c
}

// TestOldFlowCardsRefreshClosed: a waiting flow's cards refresh, for the
// person the flow is for only; once the flow shows newer cards or ends,
// an older card's refresh replaces it with the closed card (no live
// buttons), while its newest card's refresh leaves it as it is. Looking
// at a card changes nothing in the session.
func TestOldFlowCardsRefreshClosed(t *testing.T) {
	t.Parallel()
	r := dialogs.NewRouter(testKB, nil)
	const person = "29:1person"
	as := func(in dialogs.Input) dialogs.Input {
		in.User = dialogs.User{ID: person, AADObjectID: "00000000-0000-4000-8000-000000000001"}
		return in
	}
	refreshOf := func(c *cards.Card) dialogs.Input {
		t.Helper()
		if c == nil || c.Refresh == nil {
			t.Fatalf("flow card without a refresh: %+v", c)
		}
		if diff := cmp.Diff([]string{person}, c.Refresh.UserIDs); diff != "" {
			t.Errorf("refresh users (-want +got):\n%s", diff)
		}
		in := as(submit(c.Refresh.Action.Verb))
		in.Data = c.Refresh.Action.Data
		in.Execute = true
		return in
	}
	s, out := r.Step(dialogs.Session{}, as(submit(cards.VerbTroubleshoot, cards.TSKey, "sms")))
	first := out.Replies[0].Card
	var next *cards.Button
	for _, b := range first.Buttons() {
		if b.Verb == cards.VerbTSAnswer {
			next = &b
			break
		}
	}
	if next == nil {
		t.Fatal("the troubleshooter's first card has no answer button")
	}
	data := []string{}
	for k, v := range next.Data {
		data = append(data, k, v)
	}
	s, out = r.Step(s, as(submit(next.Verb, data...)))
	if len(out.Replies) == 0 || out.Replies[0].Card == nil {
		t.Fatal("the troubleshooter's second step showed no card")
	}
	second := out.Replies[0].Card

	before := clone(t, s)
	s2, got := r.Step(s, refreshOf(first))
	if got.Update == nil || !onlyMenu(got.Update) || !strings.Contains(string(mustJSON(got.Update)), "この手続きは終わった") {
		t.Errorf("refresh of a superseded card: update %+v, want the closed card, no button but the menu", got.Update)
	}
	if diff := cmp.Diff(before, s2); diff != "" {
		t.Errorf("a refresh changed the session (-before +after):\n%s", diff)
	}
	if _, got := r.Step(s, refreshOf(second)); got.Update != nil || len(got.Replies) != 0 {
		t.Errorf("refresh of the flow's newest card: %+v, want nothing (the card stays)", got)
	}
	// The person types a question instead: the troubleshooter ends.
	s, _ = r.Step(s, as(text("パスキーって何？")))
	if _, got := r.Step(s, refreshOf(second)); got.Update == nil || !onlyMenu(got.Update) {
		t.Errorf("refresh of a card of an ended flow: update %+v, want the closed card", got.Update)
	}
	// Without a person (a reminder's turn), cards go without a refresh.
	_, out = r.Step(dialogs.Session{}, submit(cards.VerbTroubleshoot, cards.TSKey, "sms"))
	if c := out.Replies[0].Card; c.Refresh != nil {
		t.Errorf("a card of a turn with no person refreshes for %v", c.Refresh.UserIDs)
	}
}

// onlyMenu reports that c's one button goes back to the menu.
func onlyMenu(c *cards.Card) bool {
	bs := c.Buttons()
	return len(bs) == 1 && bs[0].Verb == cards.VerbMenu
}
