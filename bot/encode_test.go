package bot

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/mfadesk/mfadesk/cards"
)

// TestEncodeFrozenCard: an activity carrying a frozen card reads, on the
// wire, exactly as the same activity carrying the card itself would,
// whatever else it carries (text, a citation, prompts, a second
// attachment that is not a frozen card).
func TestEncodeFrozenCard(t *testing.T) {
	card := func() *cards.Card { return cards.Menu(cards.Japanese) }
	activity := func(c *cards.Card, more ...schema.Attachment) *OutgoingActivity {
		a := &OutgoingActivity{
			Type: "message", Text: "出典 [1] \"quoted\" <b>", TextFormat: "markdown", Locale: "ja-JP",
			Recipient:        &schema.ChannelAccount{ID: "29:1", Name: "山田 花子"},
			Entities:         []any{citationEntity(&cards.Citation{Name: "手順書", URL: "https://example.com/a?b=1&c=2", Abstract: "要約"})},
			SuggestedActions: &SuggestedActions{To: []string{"29:1"}, Actions: []SuggestedAction{{Type: "imBack", Title: "次", Value: "次"}}},
		}
		a.Attachments = append(cardAttachment(c), more...)
		return a
	}
	other := schema.Attachment{ContentType: cards.ContentType, Content: card().Freeze(), Name: "named"}
	for name, more := range map[string][]schema.Attachment{"alone": nil, "with another attachment": {other}} {
		want, err := json.Marshal(activity(card(), more...))
		if err != nil {
			t.Fatal(err)
		}
		frozen := activity(card().Freeze(), more...)
		if _, ok := frozen.Attachments[0].Content.(frozenCard); !ok {
			t.Fatalf("%s: a frozen card is attached as %T, want its kept encoding", name, frozen.Attachments[0].Content)
		}
		got, err := frozen.encode()
		if err != nil {
			t.Fatalf("%s: encode: %v", name, err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: encoding is not JSON: %v\n%s", name, err, got)
		}
		json.Unmarshal(want, &w)
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("%s: wire form differs from the unfrozen card's (-want +got):\n%s", name, diff)
		}
	}
}
