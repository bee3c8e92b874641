package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
)

// Activity is an inbound activity. It keeps msbotbuilder-go's schema and
// overrides the fields whose types there make valid input fail to decode:
// value may be any JSON (not only an object), channel data is decoded into
// the Teams shape on demand, and timestamps are not parsed at all (the bot
// has no use for them and a channel's odd format must not cost a turn).
type Activity struct {
	schema.Activity
	Value          json.RawMessage `json:"value,omitempty"`
	ChannelData    json.RawMessage `json:"channelData,omitempty"`
	Timestamp      json.RawMessage `json:"timestamp,omitempty"`
	LocalTimestamp json.RawMessage `json:"localTimestamp,omitempty"`
	Expiration     json.RawMessage `json:"expiration,omitempty"`

	teams teamsChannelData
}

// teamsChannelData is the part of Teams' channelData the bot reads.
type teamsChannelData struct {
	Tenant *struct {
		ID string `json:"id"`
	} `json:"tenant"`
	Team *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"team"`
	Channel *struct {
		ID string `json:"id"`
	} `json:"channel"`
	EventType string `json:"eventType"`
}

// Activity types the bot handles.
const (
	typeMessage            = "message"
	typeInvoke             = "invoke"
	typeTyping             = "typing"
	typeConversationUpdate = "conversationUpdate"
	typeInstallationUpdate = "installationUpdate"

	invokeCardAction = "adaptiveCard/action"
	// invokeReaction is Teams' own 👍/👎 under a message (its feedback
	// loop), with the comment its form asks for.
	invokeReaction = "message/submitAction"
)

// errBadActivity marks a request the bot cannot act on; the handler answers
// 400 with the message.
type errBadActivity string

func (e errBadActivity) Error() string { return string(e) }

// decodeActivity parses and checks a request body. It returns
// errBadActivity for anything the bot cannot act on.
func decodeActivity(body []byte) (*Activity, error) {
	var a Activity
	if err := json.Unmarshal(body, &a); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, errBadActivity("body is not valid JSON")
		}
		return nil, errBadActivity("body is not a valid activity: " + fieldOf(err))
	}
	if a.Type == "" {
		return nil, errBadActivity("activity has no type")
	}
	if len(a.ChannelData) > 0 && string(a.ChannelData) != "null" {
		if err := json.Unmarshal(a.ChannelData, &a.teams); err != nil {
			return nil, errBadActivity("channelData is not valid: " + fieldOf(err))
		}
	}
	if !a.handled() {
		return &a, nil
	}
	switch {
	case a.Conversation.ID == "":
		return nil, errBadActivity("activity has no conversation.id")
	case a.From.ID == "":
		return nil, errBadActivity("activity has no from.id")
	case a.ChannelID == "":
		return nil, errBadActivity("activity has no channelId")
	}
	u, err := url.Parse(a.ServiceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errBadActivity("activity has no valid serviceUrl")
	}
	return &a, nil
}

// fieldOf describes a decoding error without echoing the input.
func fieldOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	return "malformed"
}

// handled reports whether the bot acts on this activity type; everything
// else is acknowledged and ignored.
func (a *Activity) handled() bool {
	switch a.Type {
	case typeMessage, typeConversationUpdate, typeInstallationUpdate:
		return true
	case typeInvoke:
		return a.Name == invokeCardAction || a.Name == invokeReaction
	}
	return false
}

// TenantID is the Entra tenant the activity comes from.
func (a *Activity) TenantID() string {
	if a.teams.Tenant != nil && a.teams.Tenant.ID != "" {
		return a.teams.Tenant.ID
	}
	return a.Conversation.TenantID
}

func (a *Activity) scope() dialogs.Scope {
	switch a.Conversation.ConversationType {
	case "channel":
		return dialogs.Channel
	case "groupChat":
		return dialogs.GroupChat
	}
	if a.Conversation.IsGroup {
		return dialogs.GroupChat
	}
	return dialogs.Personal
}

// mentionTag matches Teams' inline mentions, "<at>MFA Desk</at>".
var mentionTag = regexp.MustCompile(`(?i)<at>[^<]*</at>`)

// maxTextRunes bounds what a dialog sees of one message.
const maxTextRunes = 2000

// input turns the activity into a dialog input. ok is false for activities
// that carry nothing for the dialogs (a member leaving, say).
func (a *Activity) input() (in dialogs.Input, ok bool) {
	in = dialogs.Input{
		ActivityID: a.ID,
		Locale:     a.Locale,
		Scope:      a.scope(),
		User:       dialogs.User{ID: a.From.ID, AADObjectID: a.From.AadObjectID, Name: a.From.Name},
		Conv: dialogs.Conv{ServiceURL: a.ServiceURL, ID: a.Conversation.ID, TenantID: a.TenantID(),
			BotID: a.Recipient.ID, BotName: a.Recipient.Name},
		CardID: a.ReplyToID,
	}
	switch a.Type {
	case typeMessage:
		if verb, data, isSubmit := submitValue(a.Value); isSubmit {
			in.Kind, in.Verb, in.Data = dialogs.SubmitInput, verb, data
			return in, true
		}
		text := strings.TrimSpace(mentionTag.ReplaceAllString(a.Text, " "))
		if r := []rune(text); len(r) > maxTextRunes {
			text = string(r[:maxTextRunes])
		}
		if text == "" {
			return in, false
		}
		in.Kind, in.Text = dialogs.TextInput, text
		return in, true
	case typeInvoke:
		if a.Name == invokeReaction {
			return a.reactionInput(in)
		}
		var v struct {
			Action struct {
				Verb string          `json:"verb"`
				Data json.RawMessage `json:"data"`
			} `json:"action"`
		}
		if json.Unmarshal(a.Value, &v) != nil {
			return in, false
		}
		_, data, _ := submitValue(v.Action.Data)
		in.Kind, in.Verb, in.Data, in.Execute = dialogs.SubmitInput, v.Action.Verb, data, true
		return in, true
	case typeConversationUpdate:
		return a.membersInput(in)
	case typeInstallationUpdate:
		if !strings.HasPrefix(a.Action, "add") {
			return in, false
		}
		in.Kind, in.Event = dialogs.EventInput, dialogs.EventUserJoined
		if in.Scope != dialogs.Personal {
			in.Event = dialogs.EventBotAdded
		}
		return in, true
	}
	return in, false
}

// reactionInput reads Teams' 👍 or 👎 under one of the bot's messages
// (in.CardID): value {actionName: "feedback", actionValue: {reaction:
// "like"|"dislike", feedback: a JSON string {"feedbackText": …}}}. The
// Agents Playground sends the comment as plain text, and no replyToId.
func (a *Activity) reactionInput(in dialogs.Input) (dialogs.Input, bool) {
	var v struct {
		ActionName  string `json:"actionName"`
		ActionValue struct {
			Reaction string `json:"reaction"`
			Feedback string `json:"feedback"`
		} `json:"actionValue"`
	}
	if json.Unmarshal(a.Value, &v) != nil || v.ActionName != "feedback" {
		return in, false
	}
	helpful := map[string]string{"like": "yes", "dislike": "no"}[v.ActionValue.Reaction]
	if helpful == "" {
		return in, false
	}
	comment := v.ActionValue.Feedback
	var form struct {
		Text string `json:"feedbackText"`
	}
	if json.Unmarshal([]byte(comment), &form) == nil {
		comment = form.Text
	}
	in.Kind, in.Verb = dialogs.SubmitInput, cards.VerbReaction
	in.Data = map[string]string{cards.HelpfulKey: helpful, cards.CommentKey: comment}
	return in, true
}

// membersInput reads a conversationUpdate: in a personal chat any join is
// the person arriving; elsewhere only the bot's own arrival matters (the
// bot does not greet everyone who joins a team).
func (a *Activity) membersInput(in dialogs.Input) (dialogs.Input, bool) {
	botAdded, userAdded := false, false
	for _, m := range a.MembersAdded {
		if m.ID == a.Recipient.ID {
			botAdded = true
		} else {
			userAdded = true
		}
	}
	in.Kind = dialogs.EventInput
	switch {
	case in.Scope == dialogs.Personal && (botAdded || userAdded):
		in.Event = dialogs.EventUserJoined
	case in.Scope != dialogs.Personal && botAdded:
		in.Event = dialogs.EventBotAdded
	default:
		return in, false
	}
	return in, true
}

// submitValue reads a card submit's value: a JSON object whose verb field
// names the action; its other fields (button data and card inputs) become
// string data. Non-string scalars are formatted; nested values are dropped,
// since no card of ours submits them.
func submitValue(raw json.RawMessage) (verb string, data map[string]string, ok bool) {
	var obj map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil || obj == nil {
		return "", nil, false
	}
	data = make(map[string]string, len(obj))
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			data[k] = v
		case float64:
			data[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			data[k] = strconv.FormatBool(v)
		}
	}
	verb = data[cards.VerbKey]
	delete(data, cards.VerbKey)
	return verb, data, true
}
