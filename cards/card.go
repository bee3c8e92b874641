// Package cards renders everything the bot shows: Adaptive Cards (version 1.5,
// as Teams renders them) and the localised strings they carry. Every card is a
// pure function of its inputs, so golden-file tests pin what a user sees.
package cards

import (
	"encoding/json"
	"strconv"
)

// ContentType is the attachment content type of an Adaptive Card.
const ContentType = "application/vnd.microsoft.card.adaptive"

// Version is the Adaptive Card schema version the bot targets. Teams supports
// 1.5, which is also what Action.Execute (Universal Actions) needs.
const Version = "1.5"

// MaxBytes is the largest card the bot will send. Teams accepts messages up to
// about 100 KB; staying under 80 KB leaves room for the activity envelope.
const MaxBytes = 80 << 10

// Card is one Adaptive Card. The zero value is not useful; build cards with
// the constructors in this package.
type Card struct {
	Type    string   `json:"type"`
	Schema  string   `json:"$schema,omitempty"`
	Version string   `json:"version"`
	Lang    string   `json:"lang,omitempty"`
	Body    []any    `json:"body"`
	Actions []Action `json:"actions,omitempty"`
	MSTeams *MSTeams `json:"msteams,omitempty"`
	// Refresh makes Teams ask the bot for the card again whenever one of
	// its users looks at it (Universal Actions' automatic refresh): a
	// flow's card, once the flow has moved on, comes back as Closed.
	Refresh *Refresh `json:"refresh,omitempty"`
	// frozen is the card's wire form, kept by Freeze.
	frozen json.RawMessage
}

// Refresh is a card's refresh: the Action.Execute Teams sends, for the
// users listed (Teams' ids, "29:..."; up to 60).
type Refresh struct {
	Action  Action   `json:"action"`
	UserIDs []string `json:"userIds"`
}

// VerbCardRefresh is the verb of a flow card's refresh; CardKey, in its
// data, is which card of the conversation it is.
const (
	VerbCardRefresh = "card.refresh"
	CardKey         = "card"
)

// RefreshFor makes c refresh, for user, as card number n of its
// conversation.
func (c *Card) RefreshFor(user string, n int) {
	c.Refresh = &Refresh{
		Action:  Action{Type: "Action.Execute", Title: "Refresh", Verb: VerbCardRefresh, Data: map[string]string{CardKey: strconv.Itoa(n)}},
		UserIDs: []string{user},
	}
}

// Closed replaces a flow's card once the flow has moved on (finished, ended,
// or gone a step further): the same place in the chat, none of the flow's
// buttons left to press, only the way back to the menu.
func Closed(l Lang) *Card {
	c := newCard(l, subtle(txtClosed.In(l)))
	c.Actions = []Action{submit(txtBackToMenu.In(l), VerbMenu)}
	return c
}

var txtClosed = Text{
	"この手続きは終わったか、次の段階に進みました。続きはチャットの新しいメッセージからどうぞ。",
	"This step is over, or the flow has moved on. Carry on from the newest message in the chat.",
}

// Freeze encodes c once and keeps the encoding, for a card built once and
// sent many times (an answer: the same for everyone who asks). c must not
// change afterwards; Frozen gives the encoding.
func (c *Card) Freeze() *Card {
	c.frozen, _ = json.Marshal(c) // cards always encode
	return c
}

// Frozen is the encoding Freeze kept, or nil.
func (c *Card) Frozen() json.RawMessage { return c.frozen }

// MSTeams holds the Teams-specific card properties.
type MSTeams struct {
	Width string `json:"width,omitempty"`
}

// Message is one reply: plain text, a card, or both (text first).
type Message struct {
	Text string
	Card *Card
	// Cites, with a card, is the document the card's answer comes from:
	// the message then goes as one, the card under a line that cites it
	// ("Source [1]"), which Teams shows as a citation.
	Cites *Citation
	// Prompts are what the person might ask next, offered above the box
	// they type in (in a 1:1 chat); picking one sends its text.
	Prompts []string
	// Topic, on an answer, is the knowledge-base topic it answers: Teams
	// shows its own 👍/👎 under the message, and a reaction counts for the
	// topic (VerbReaction).
	Topic string
}

// Citation is a document a message cites.
type Citation struct {
	Name, URL, Abstract string
	// Line is the message's text, with the document's marker "[1]".
	Line string
}

// Cite is the citation of a document named name at url, in l.
func Cite(l Lang, name, url, abstract string) *Citation {
	return &Citation{Name: name, URL: url, Abstract: abstract, Line: txtSourceLine.In(l)}
}

// newCard starts a full-width card in the given language.
func newCard(l Lang, body ...any) *Card {
	return &Card{
		Type:    "AdaptiveCard",
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Version: Version,
		Lang:    l.Tag(),
		Body:    body,
		MSTeams: &MSTeams{Width: "Full"},
	}
}

// JSON returns the card's wire form.
func (c *Card) JSON() ([]byte, error) { return json.Marshal(c) }

// TextBlock is an Adaptive Card text element.
type TextBlock struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Wrap     bool   `json:"wrap,omitempty"`
	Size     string `json:"size,omitempty"`
	Weight   string `json:"weight,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
	Color    string `json:"color,omitempty"`
	Spacing  string `json:"spacing,omitempty"`
	Style    string `json:"style,omitempty"`
	FontType string `json:"fontType,omitempty"`
}

func heading(text string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: text, Wrap: true, Size: "Large", Weight: "Bolder", Style: "heading"}
}

func para(text string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: text, Wrap: true}
}

func subtle(text string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: text, Wrap: true, IsSubtle: true, Size: "Small"}
}

// FactSet shows label/value pairs.
type FactSet struct {
	Type  string `json:"type"`
	Facts []Fact `json:"facts"`
}

// Fact is one FactSet row.
type Fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Action is an Adaptive Card action. Type is Action.Submit, Action.Execute or
// Action.OpenUrl.
type Action struct {
	Type  string            `json:"type"`
	Title string            `json:"title"`
	Verb  string            `json:"verb,omitempty"`
	URL   string            `json:"url,omitempty"`
	Data  map[string]string `json:"data,omitempty"`
	Style string            `json:"style,omitempty"`
	Card  *Card             `json:"card,omitempty"` // Action.ShowCard's card
}

// VerbKey is the data key that carries an Action.Submit's verb. Action.Execute
// carries its verb natively; Submit has only data, so the verb rides in it.
const VerbKey = "verb"

// submit builds an Action.Submit whose data carries verb plus extra pairs.
// Submit, not Execute, is used for navigation: the answer arrives as a new
// message, so the card the user clicked (say, the menu) stays in the chat.
func submit(title, verb string, kv ...string) Action {
	data := map[string]string{VerbKey: verb}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i]] = kv[i+1]
	}
	return Action{Type: "Action.Submit", Title: title, Data: data}
}

// execute builds an Action.Execute: the bot answers with a card that replaces
// the clicked one in place (used where the old card must not stay clickable).
func execute(title, verb string, kv ...string) Action {
	a := submit(title, verb, kv...)
	a.Type = "Action.Execute"
	a.Verb = verb
	delete(a.Data, VerbKey)
	if len(a.Data) == 0 {
		a.Data = nil
	}
	return a
}

func openURL(title, url string) Action {
	return Action{Type: "Action.OpenUrl", Title: title, URL: url}
}

// ActionSet places buttons inside the body.
type ActionSet struct {
	Type    string   `json:"type"`
	Actions []Action `json:"actions"`
}

// Container groups elements, e.g. to give them a style.
type Container struct {
	Type      string `json:"type"`
	Items     []any  `json:"items"`
	Style     string `json:"style,omitempty"`
	Spacing   string `json:"spacing,omitempty"`
	Separator bool   `json:"separator,omitempty"`
}

// Summary is a card's first line of text (its heading), for transcripts.
func Summary(c *Card) string {
	for _, e := range c.Body {
		if t, ok := e.(TextBlock); ok && t.Text != "" {
			return t.Text
		}
	}
	return ""
}

// Alert is a line in the attention colour, for a refusal on a card.
func Alert(text string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: text, Wrap: true, Color: "Attention", Weight: "Bolder"}
}

// Buttons lists the card's Submit and Execute buttons, those of the body's
// ActionSets first, then its actions: what a person may type rather than
// click. Buttons of nested cards (Action.ShowCard) are not among them.
func (c *Card) Buttons() []Button {
	if c == nil {
		return nil
	}
	var out []Button
	add := func(as []Action) {
		for _, a := range as {
			if a.Type != "Action.Submit" && a.Type != "Action.Execute" {
				continue
			}
			b := Button{Title: a.Title, Verb: a.Verb}
			for k, v := range a.Data {
				if k == VerbKey {
					b.Verb = v
					continue
				}
				if b.Data == nil {
					b.Data = map[string]string{}
				}
				b.Data[k] = v
			}
			out = append(out, b)
		}
	}
	var walk func(els []any)
	walk = func(els []any) {
		for _, el := range els {
			switch el := el.(type) {
			case ActionSet:
				add(el.Actions)
			case Container:
				walk(el.Items)
			}
		}
	}
	walk(c.Body)
	add(c.Actions)
	return out
}
