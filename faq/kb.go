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
	ID       string   `yaml:"id"`
	Title    Text     `yaml:"title"`
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
	kb := &KB{Source: source, Entries: entries, byID: make(map[string]*Entry, len(entries))}
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
		if v := e.Ended; v != nil {
			if !e.SMSVoice {
				fail(i, e.ID, "when_sms_voice_ended", "only for topics marked sms_voice: true")
			}
			check("when_sms_voice_ended.", map[string]Text{"answer": v.Answer}, v.Steps, v.Links, v.Actions)
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
