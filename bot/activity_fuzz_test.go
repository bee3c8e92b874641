package bot

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

// FuzzDecodeActivity feeds the messaging endpoint's decoder whatever a
// caller with a valid token could send: it never panics, refuses with an
// errBadActivity that does not echo the body, and what it accepts becomes
// a bounded dialog input.
func FuzzDecodeActivity(f *testing.F) {
	base := `{"type":"message","id":"1","serviceUrl":"https://smba.trafficmanager.net/jp/","channelId":"msteams",` +
		`"from":{"id":"29:1a","aadObjectId":"5a1ce000-0000-4000-8000-000000000001"},"conversation":{"id":"a:1x","conversationType":"personal"},` +
		`"recipient":{"id":"28:bot"},"locale":"ja-JP","text":"<at>MFA Desk</at> SMSが届かない"}`
	for _, s := range []string{
		base,
		strings.Replace(base, `"text":"<at>MFA Desk</at> SMSが届かない"`, `"value":{"verb":"menu","n":1,"b":true,"nested":{"x":1}}`, 1),
		strings.Replace(base, `"type":"message"`, `"type":"invoke","name":"adaptiveCard/action","value":{"action":{"type":"Action.Execute","verb":"change.confirm","data":{"req":"r1"}}}`, 1),
		strings.Replace(base, `"type":"message"`, `"type":"conversationUpdate","membersAdded":[{"id":"28:bot"},{"id":"29:1a"}]`, 1),
		strings.Replace(base, `"conversationType":"personal"`, `"conversationType":"channel","isGroup":true`, 1) + ` `,
		`{"type":"message","channelData":{"team":{"id":1}}}`,
		`{"type":"message","channelData":"text"}`,
		`{"type":"invoke","name":"adaptiveCard/action","value":"not an object"}`,
		`{"type":""}`, `{}`, `[]`, `null`, ``, `{"type":"message"`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := decodeActivity(body)
		if err != nil {
			var bad errBadActivity
			if !errors.As(err, &bad) {
				t.Fatalf("error %T %v, want errBadActivity", err, err)
			}
			if len(body) > 40 && strings.Contains(err.Error(), string(body)) {
				t.Fatalf("the error echoes the body: %v", err)
			}
			return
		}
		a.handled()
		a.TenantID()
		in, ok := a.input()
		if !ok {
			return
		}
		if n := utf8.RuneCountInString(in.Text); n > maxTextRunes {
			t.Fatalf("input text of %d runes, want at most %d", n, maxTextRunes)
		}
		if strings.Contains(strings.ToLower(in.Text), "<at>") && strings.Contains(strings.ToLower(in.Text), "</at>") {
			t.Fatalf("mention left in %q", in.Text)
		}
		switch in.Scope {
		case dialogs.Personal, dialogs.GroupChat, dialogs.Channel:
		default:
			t.Fatalf("scope %q", in.Scope)
		}
	})
}

// FuzzSubmitValue: a card submit's value becomes a verb and string data,
// whatever its shape.
func FuzzSubmitValue(f *testing.F) {
	for _, s := range []string{
		`{"verb":"change.pick","choice":"sms"}`, `{"verb":1,"n":2.5,"b":false,"x":null,"o":{"a":1},"l":[1]}`,
		`{}`, `[]`, `"s"`, `null`, ``, `{"verb":"menu","verb":"other"}`, `{"number":"090-1234-5678"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		verb, data, ok := submitValue(json.RawMessage(raw))
		if !ok {
			if verb != "" || data != nil {
				t.Fatalf("refused but returned %q %v", verb, data)
			}
			return
		}
		if _, has := data[cards.VerbKey]; has {
			t.Fatal("the verb is left in the data")
		}
		var obj map[string]any
		if json.Unmarshal(raw, &obj) == nil {
			if s, isString := obj[cards.VerbKey].(string); isString && s != verb {
				t.Fatalf("verb %q, want %q", verb, s)
			}
		}
	})
}
