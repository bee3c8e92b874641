// Package faq is the bot's knowledge of MFA problems: a bilingual knowledge
// base (YAML, embedded in the binary, replaceable by a file a helpdesk edits)
// and a matcher that maps how people phrase a problem to its topic.
package faq

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

//go:embed knowledge.yaml
var embedded []byte

// outOfScope holds questions about other things, the matcher's "none of
// these" class. It is not part of the editable knowledge base.
//
//go:embed outofscope.yaml
var outOfScope []byte

// EmbeddedName names the built-in knowledge base in error messages.
const EmbeddedName = "faq/knowledge.yaml (built in)"

// Text is one piece of text in both languages.
type Text struct {
	JA string `yaml:"ja"`
	EN string `yaml:"en"`
}

// Lines is a list of lines in both languages, e.g. steps.
type Lines struct {
	JA []string `yaml:"ja"`
	EN []string `yaml:"en"`
}

// Link is a web page an answer points to.
type Link struct {
	Title Text   `yaml:"title"`
	URL   string `yaml:"url"`
}

// Entry is one topic of the knowledge base.
type Entry struct {
	ID    string `yaml:"id"`
	Title Text   `yaml:"title"`
	// Label is the title short enough for a button (ButtonWidth), where
	// the title is longer: Teams cuts a button's title off, mid-word.
	Label Text `yaml:"label"`
	// Source is the organisation's document the answer comes from, cited
	// under it; without one, the answer cites its first link.
	Source   *Source  `yaml:"source"`
	Answer   Text     `yaml:"answer"`
	Steps    Lines    `yaml:"steps"`
	Links    []Link   `yaml:"links"`
	Actions  []string `yaml:"actions"`
	Related  []string `yaml:"related"`
	Examples Lines    `yaml:"examples"`
	// SMSVoice marks a topic about SMS or voice codes: while they are
	// ending for the tenant its answer carries a notice, and once they
	// have ended, Ended (if given) is the answer instead.
	SMSVoice bool     `yaml:"sms_voice"`
	Ended    *Variant `yaml:"when_sms_voice_ended"`
}

// Source is a document an answer cites: its name (at most 80 characters,
// as Teams shows), its address and, optionally, what it is about (at most
// 160).
type Source struct {
	Name     Text   `yaml:"name"`
	URL      string `yaml:"url"`
	Abstract Text   `yaml:"abstract"`
}

// Cites is the document the entry's answer cites: its source, or else its
// first link; nil when it has neither.
func (e *Entry) Cites() *Source {
	if e.Source != nil {
		return e.Source
	}
	if len(e.Links) > 0 {
		return &Source{Name: e.Links[0].Title, URL: e.Links[0].URL}
	}
	return nil
}

// Variant is what an entry says instead once the tenant's SMS and voice
// codes have ended: its answer, steps, links and actions.
type Variant struct {
	Answer  Text     `yaml:"answer"`
	Steps   Lines    `yaml:"steps"`
	Links   []Link   `yaml:"links"`
	Actions []string `yaml:"actions"`
}

// The follow-up actions an entry may offer. Each becomes a button on the
// answer card.
const (
	ActionHuman               = "human"                // talk to a person
	ActionTroubleshootSMS     = "troubleshoot-sms"     // the SMS troubleshooter
	ActionTroubleshootVoice   = "troubleshoot-voice"   // the voice call troubleshooter
	ActionTroubleshootRoaming = "troubleshoot-roaming" // the travel / roaming troubleshooter
	ActionChangePhone         = "change-phone"         // guided phone number change
	ActionChangeAuthenticator = "change-authenticator" // Authenticator on a new device
	ActionAddMethod           = "add-method"           // add a backup method
	ActionRemoveMethod        = "remove-method"        // remove a lost or unknown method
	ActionPasskey             = "passkey"              // move to a passkey
)

// Actions lists every valid action.
var Actions = []string{
	ActionHuman, ActionTroubleshootSMS, ActionTroubleshootVoice, ActionTroubleshootRoaming,
	ActionChangePhone, ActionChangeAuthenticator, ActionAddMethod, ActionRemoveMethod, ActionPasskey,
}

// TopicIDs are the topics the knowledge base must cover, exactly. Tests,
// the evaluation set and other parts of the bot refer to them.
var TopicIDs = []string{
	"sms-not-arriving", "sms-robot-check", "voice-call-failed", "roaming-abroad", "costs", "registration-limits",
	"forgot-phone", "lost-phone", "no-smartphone", "privacy-phone-number", "phone-banned-at-work",
	"which-method", "default-method-ignored", "unknown-app-code", "deleted-authenticator", "add-method",
	"when-to-register", "missed-deadline", "no-pc", "mail-app-signin", "password-forgotten", "what-is-mfa",
	"phone-change", "authenticator-device-change", "number-matching", "contact-verification", "why-sms-first",
	"passkey-what", "sms-voice-retirement", "passkey-register-authenticator", "passkey-register-other",
	"passkey-blocked-prompt", "passkey-unsupported-device", "passkey-signin-problem", "passkey-new-phone",
	"authenticator-no-notification",
}

// KB is a validated knowledge base with its matcher. It is immutable and
// safe for concurrent use; a reload builds a new one.
type KB struct {
	Source  string // where it was loaded from, for messages
	Entries []Entry
	byID    map[string]*Entry
	// byTitle finds an entry by its title or button label, as a button or
	// a suggested prompt sends it (Fold).
	byTitle map[string]*Entry
	// matcher is built on first use, or by Warm: it needs the Japanese
	// dictionary and trains a classifier, about a second of work that
	// start-up need not wait for.
	matcher func() *matcher
	warm    atomic.Bool
	recent  *recentAnswers
}

// Match ranks the topics for one question. The first call waits for the
// matcher to be built.
func (kb *KB) Match(text string) Result {
	return kb.recent.answer(text, func(text string) Result { return kb.matcher().match(text) })
}

// Warm builds the matcher now, so that the first question does not wait
// for it.
func (kb *KB) Warm() { kb.matcher() }

// Warmed reports whether the matcher is built (for readiness probes).
func (kb *KB) Warmed() bool { return kb.warm.Load() }

// ByTitle returns the entry whose title or button label is text, as a
// suggested prompt sends it or a person types it off a button: width,
// case and surrounding punctuation aside.
func (kb *KB) ByTitle(text string) (*Entry, bool) {
	e, ok := kb.byTitle[Fold(text)]
	return e, ok
}

// Fold folds what typing a title or a command may change: width
// (ＭＥＮＵ), case, surrounding spaces and punctuation. Titles, labels,
// commands and button titles are all matched through it.
func Fold(s string) string {
	return strings.Trim(strings.ToLower(norm.NFKC.String(s)), " \t\r\n.!?。！？、,/")
}

// Entry returns the entry with the given id.
func (kb *KB) Entry(id string) (*Entry, bool) {
	e, ok := kb.byID[id]
	return e, ok
}

// Load reads the knowledge base from path, or the built-in one when path is
// empty.
func Load(path string) (*KB, error) {
	if path == "" {
		return Parse(EmbeddedName, embedded)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("faq: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a knowledge base. Errors name the source, the
// entry and the field, so whoever edited the file can find the mistake.
func Parse(source string, data []byte) (*KB, error) {
	var entries []Entry
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt field is a mistake, not an extension
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("faq: %s: %w", source, err)
	}
	kb := &KB{Source: source, Entries: entries, byID: make(map[string]*Entry, len(entries)), byTitle: map[string]*Entry{}}
	var errs []error
	fail := func(i int, id, field, msg string, args ...any) {
		if id == "" {
			id = fmt.Sprintf("#%d", i+1)
		}
		errs = append(errs, fmt.Errorf("faq: %s: entry %s: %s: %s", source, id, field, fmt.Sprintf(msg, args...)))
	}
	for i := range entries {
		e := &entries[i]
		if e.ID == "" {
			fail(i, "", "id", "missing")
			continue
		}
		if _, dup := kb.byID[e.ID]; dup {
			fail(i, e.ID, "id", "used by another entry too")
			continue
		}
		kb.byID[e.ID] = e
		for _, t := range []string{e.Title.JA, e.Title.EN, e.Label.JA, e.Label.EN} {
			if k := Fold(t); k != "" {
				kb.byTitle[k] = e
			}
		}
		if !slices.Contains(TopicIDs, e.ID) {
			fail(i, e.ID, "id", "not a known topic (known: %s)", strings.Join(TopicIDs, ", "))
		}
		check := func(prefix string, fields map[string]Text, steps Lines, links []Link, actions []string) {
			for field, t := range fields {
				if strings.TrimSpace(t.JA) == "" {
					fail(i, e.ID, prefix+field+".ja", "missing")
				}
				if strings.TrimSpace(t.EN) == "" {
					fail(i, e.ID, prefix+field+".en", "missing")
				}
			}
			if len(steps.JA) != len(steps.EN) {
				fail(i, e.ID, prefix+"steps", "%d Japanese steps but %d English ones", len(steps.JA), len(steps.EN))
			}
			for j, l := range links {
				field := fmt.Sprintf("%slinks[%d]", prefix, j)
				if u, err := url.Parse(l.URL); err != nil || u.Scheme != "https" || u.Host == "" {
					fail(i, e.ID, field+".url", "%q is not an https URL", l.URL)
				}
				if l.Title.JA == "" || l.Title.EN == "" {
					fail(i, e.ID, field+".title", "needs both ja and en")
				}
			}
			for j, a := range actions {
				if !slices.Contains(Actions, a) {
					fail(i, e.ID, fmt.Sprintf("%sactions[%d]", prefix, j), "unknown action %q (known: %s)", a, strings.Join(Actions, ", "))
				}
			}
		}
		check("", map[string]Text{"title": e.Title, "answer": e.Answer}, e.Steps, e.Links, e.Actions)
		if src := e.Source; src != nil {
			if u, err := url.Parse(src.URL); err != nil || u.Scheme != "https" || u.Host == "" {
				fail(i, e.ID, "source.url", "%q is not an https URL", src.URL)
			}
			for field, limit := range map[string]int{"name": 80, "abstract": 160} {
				t := src.Name
				if field == "abstract" {
					t = src.Abstract
				}
				if field == "name" && (t.JA == "" || t.EN == "") {
					fail(i, e.ID, "source.name", "needs both ja and en")
				}
				for lang, v := range map[string]string{"ja": t.JA, "en": t.EN} {
					if n := len([]rune(v)); n > limit {
						fail(i, e.ID, "source."+field+"."+lang, "%d characters; Teams shows %d", n, limit)
					}
				}
			}
		}
		if v := e.Ended; v != nil {
			if !e.SMSVoice {
				fail(i, e.ID, "when_sms_voice_ended", "only for topics marked sms_voice: true")
			}
			check("when_sms_voice_ended.", map[string]Text{"answer": v.Answer}, v.Steps, v.Links, v.Actions)
		}
		for lang, title := range map[string]string{"ja": e.ButtonTitle().JA, "en": e.ButtonTitle().EN} {
			if w := columns(title); w > ButtonWidth {
				fail(i, e.ID, "label."+lang, "%d columns wide on a button, which shows %d: give a shorter label", w, ButtonWidth)
			}
		}
		if len(e.Examples.JA) == 0 {
			fail(i, e.ID, "examples.ja", "needs example questions")
		}
		if len(e.Examples.EN) == 0 {
			fail(i, e.ID, "examples.en", "needs example questions")
		}
	}
	for i := range entries {
		for j, r := range entries[i].Related {
			if _, ok := kb.byID[r]; !ok {
				fail(i, entries[i].ID, fmt.Sprintf("related[%d]", j), "no entry with id %q", r)
			}
		}
	}
	for _, id := range TopicIDs {
		if _, ok := kb.byID[id]; !ok {
			errs = append(errs, fmt.Errorf("faq: %s: topic %s: missing", source, id))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	kb.recent = newRecentAnswers()
	kb.matcher = sync.OnceValue(func() *matcher {
		m := newMatcher(kb)
		kb.warm.Store(true)
		return m
	})
	return kb, nil
}

// ButtonWidth is the widest a button's title may be, in columns (a
// Japanese character takes two): about what Teams shows of a button in a
// full-width card on a phone before it cuts the title off.
const ButtonWidth = 40

// ButtonTitle is what a button leading to the entry says: its label, or
// its title when it has none, in each language.
func (e *Entry) ButtonTitle() Text {
	t := e.Title
	if e.Label.JA != "" {
		t.JA = e.Label.JA
	}
	if e.Label.EN != "" {
		t.EN = e.Label.EN
	}
	return t
}

// columns is how wide s is on screen: two columns for a wide (Japanese)
// character, one for the rest.
func columns(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
