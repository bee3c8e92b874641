package cards

import (
	"regexp"
	"strings"
)

// A requester's words reach the helpdesk, and the helpdesk hands out
// passes: words that render as bold "system" lines, links or history
// entries could talk an agent into one. So their words are shown only as
// plain text in a labelled quote: a RichTextBlock's TextRun, which Adaptive
// Cards never read as markdown, with links defanged so that no client turns
// them into something to click.

// RichTextBlock is an Adaptive Card text element of runs; its TextRuns are
// plain text.
type RichTextBlock struct {
	Type    string    `json:"type"`
	Inlines []TextRun `json:"inlines"`
}

// TextRun is a run of plain text.
type TextRun struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Italic   bool   `json:"italic,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
}

// linkLike finds what a client could turn into a link: "scheme://", a
// scheme that needs no slashes ("mailto:", "javascript:"), or a "www."
// host. "Note: …" stays as typed.
var linkLike = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]{1,20}://|\b(?:mailto|javascript|vbscript|data|tel|callto|sip|sips|file|msteams):|\bwww\.`)

// Inert makes a requester's text safe to show: links are defanged
// ("https://x" becomes "hxxps[:]//x"), and mention tags lose their angle
// brackets. Markdown needs nothing: a TextRun shows it as typed.
func Inert(s string) string {
	s = linkLike.ReplaceAllStringFunc(s, func(m string) string {
		lower := strings.ToLower(m)
		switch {
		case strings.HasPrefix(lower, "www."):
			return m[:3] + "[.]"
		case strings.HasPrefix(lower, "http"):
			m = "hxxp" + m[4:]
		}
		return strings.Replace(m, ":", "[:]", 1)
	})
	return mentionTags.Replace(s)
}

// mentionTags defuses Teams' mention markup.
var mentionTags = strings.NewReplacer("<at>", "‹at›", "</at>", "‹/at›", "<AT>", "‹AT›", "</AT>", "‹/AT›")

// Quote shows words a person typed, under a label the person cannot
// imitate: the label is a TextBlock, the words a separate plain run in an
// emphasised box.
func Quote(label, words string) Container { return Quotes(label, []string{words}) }

// plainLook replaces what markdown reads as formatting with look-alikes
// that it does not (full-width forms), for text from outside the bot that
// must sit in a TextBlock or a FactSet: a display name, a device name. A
// line break becomes a space, so that no one's name starts a new line.
var plainLook = strings.NewReplacer(
	"*", "＊", "_", "＿", "[", "［", "]", "］", "`", "｀", "#", "＃",
	">", "＞", "~", "～", "|", "｜", "\\", "＼", "\r\n", " ", "\n", " ", "\r", " ")

// Plain makes outside text inert where a TextRun can't hold it: links
// defanged as in [Inert], markdown's marks swapped for look-alikes.
func Plain(s string) string { return plainLook.Replace(Inert(s)) }

func plainAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = Plain(s)
	}
	return out
}

// Quotes shows several messages a person typed under one label, each a
// plain run of its own.
func Quotes(label string, words []string) Container {
	items := []any{TextBlock{Type: "TextBlock", Text: label, Size: "Small", IsSubtle: true, Wrap: true}}
	for _, w := range words {
		items = append(items, RichTextBlock{Type: "RichTextBlock", Inlines: []TextRun{{Type: "TextRun", Text: Inert(w)}}})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: items}
}

// QuoteCard is a message that carries nothing but a person's words, for a
// ticket's thread.
func QuoteCard(l Lang, label, words string) *Card { return newCard(l, Quote(label, words)) }
