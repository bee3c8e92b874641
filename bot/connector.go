package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// OutgoingActivity is an activity the bot sends. It is its own type, not
// schema.Activity, because that one serialises zero timestamps and empty
// objects ("0001-01-01T00:00:00Z", "from":{}) that channels reject or show.
type OutgoingActivity struct {
	Type         string                      `json:"type"`
	From         *schema.ChannelAccount      `json:"from,omitempty"`
	Recipient    *schema.ChannelAccount      `json:"recipient,omitempty"`
	Conversation *schema.ConversationAccount `json:"conversation,omitempty"`
	ReplyToID    string                      `json:"replyToId,omitempty"`
	Text         string                      `json:"text,omitempty"`
	TextFormat   string                      `json:"textFormat,omitempty"`
	Locale       string                      `json:"locale,omitempty"`
	Summary      string                      `json:"summary,omitempty"`
	Attachments  []schema.Attachment         `json:"attachments,omitempty"`
	Entities     []any                       `json:"entities,omitempty"`
	// SuggestedActions are prompts offered above the compose box.
	SuggestedActions *SuggestedActions `json:"suggestedActions,omitempty"`
	ChannelData      any               `json:"channelData,omitempty"`
	// topic is the knowledge-base topic the message answers, noted
	// with the id it is delivered as (answerNotes).
	topic string
}

// frozenCard is a card's encoding kept by cards.Card.Freeze, as an
// attachment's content.
type frozenCard json.RawMessage

func (f frozenCard) MarshalJSON() ([]byte, error) { return f, nil }

// encode is a's wire form. A frozen card goes in as it is: handed to
// encoding/json, which checks and compacts whatever a MarshalJSON returns,
// it was scanned again on every send, as costly as encoding the card.
func (a *OutgoingActivity) encode() ([]byte, error) {
	if !slices.ContainsFunc(a.Attachments, func(at schema.Attachment) bool { _, ok := at.Content.(frozenCard); return ok }) {
		return json.Marshal(a)
	}
	rest := *a
	rest.Attachments = nil
	b, err := json.Marshal(&rest)
	if err != nil {
		return nil, err
	}
	size := len(b) + 16
	for _, at := range a.Attachments {
		if f, ok := at.Content.(frozenCard); ok {
			size += len(f) + len(at.ContentType) + 32
		}
	}
	b = append(append(make([]byte, 0, size), b[:len(b)-1]...), `,"attachments":[`...) // the object, reopened
	for i, at := range a.Attachments {
		if i > 0 {
			b = append(b, ',')
		}
		f, ok := at.Content.(frozenCard)
		if !ok || at.ContentURL != "" || at.Name != "" || at.ThumbnailURL != "" {
			e, err := json.Marshal(at)
			if err != nil {
				return nil, err
			}
			b = append(b, e...)
			continue
		}
		ct, _ := json.Marshal(at.ContentType) // a string always encodes
		b = append(append(append(append(b, `{"contentType":`...), ct...), `,"content":`...), f...)
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// SuggestedActions are buttons Teams shows above the compose box of a 1:1
// chat until the person sends something; an imBack sends its value as
// their message.
type SuggestedActions struct {
	To      []string          `json:"to,omitempty"`
	Actions []SuggestedAction `json:"actions"`
}

// SuggestedAction is one of them.
type SuggestedAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	Value string `json:"value"`
}

// ConversationParameters create a conversation (a proactive message, or a new
// thread in a channel).
type ConversationParameters struct {
	IsGroup     bool                    `json:"isGroup,omitempty"`
	Bot         *schema.ChannelAccount  `json:"bot,omitempty"`
	Members     []schema.ChannelAccount `json:"members,omitempty"`
	TopicName   string                  `json:"topicName,omitempty"`
	TenantID    string                  `json:"tenantId,omitempty"`
	Activity    *OutgoingActivity       `json:"activity,omitempty"`
	ChannelData any                     `json:"channelData,omitempty"`
}

// ConnectorError is a non-2xx answer from the Bot Connector.
type ConnectorError struct {
	Method string
	Status int
	Code   string // the error code in the body, if any
}

func (e *ConnectorError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("connector: %s: HTTP %d (%s)", e.Method, e.Status, e.Code)
	}
	return fmt.Sprintf("connector: %s: HTTP %d", e.Method, e.Status)
}

// tokenSource gives access tokens for the connector.
type tokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Connector is a Bot Connector REST client (the v3 API): replies, new
// messages, card updates and new conversations. It retries throttling and
// transient failures with jittered backoff, honouring Retry-After.
type Connector struct {
	client      *http.Client
	tokens      tokenSource // nil: no auth, for local mode with the playground
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	metrics     *Metrics
}

// SetMetrics counts the connector's retries and failures.
func (c *Connector) SetMetrics(m *Metrics) { c.metrics = m }

// NewConnector returns a connector client. A nil tokens sends no
// Authorization header (local mode only).
func NewConnector(client *http.Client, tokens tokenSource) *Connector {
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	return &Connector{client: client, tokens: tokens, maxAttempts: 4, baseDelay: 250 * time.Millisecond, maxDelay: 10 * time.Second}
}

func activitiesURL(serviceURL, conversationID string, activityID string) string {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conversationID) + "/activities"
	if activityID != "" {
		u += "/" + url.PathEscape(activityID)
	}
	return u
}

type resourceResponse struct {
	ID string `json:"id"`
}

// Send posts a new message into a conversation and returns its id (empty
// when the channel gives none).
func (c *Connector) Send(ctx context.Context, serviceURL, conversationID string, a *OutgoingActivity) (string, error) {
	var rr resourceResponse
	err := c.do(ctx, http.MethodPost, activitiesURL(serviceURL, conversationID, ""), a, &rr)
	return rr.ID, err
}

// Reply posts a as a reply to the activity replyToID and returns its id.
func (c *Connector) Reply(ctx context.Context, serviceURL, conversationID, replyToID string, a *OutgoingActivity) (string, error) {
	if replyToID == "" {
		return c.Send(ctx, serviceURL, conversationID, a)
	}
	a.ReplyToID = replyToID
	var rr resourceResponse
	err := c.do(ctx, http.MethodPost, activitiesURL(serviceURL, conversationID, replyToID), a, &rr)
	return rr.ID, err
}

// Update replaces a message the bot sent earlier (a card, updated in place).
func (c *Connector) Update(ctx context.Context, serviceURL, conversationID, activityID string, a *OutgoingActivity) error {
	return c.do(ctx, http.MethodPut, activitiesURL(serviceURL, conversationID, activityID), a, nil)
}

// ConversationResource is the answer to creating a conversation.
type ConversationResource struct {
	ID         string `json:"id"`
	ActivityID string `json:"activityId"`
	ServiceURL string `json:"serviceUrl"`
}

// CreateConversation starts a conversation: a 1:1 chat with a user, or a new
// thread in a channel.
func (c *Connector) CreateConversation(ctx context.Context, serviceURL string, p *ConversationParameters) (ConversationResource, error) {
	var cr ConversationResource
	err := c.do(ctx, http.MethodPost, strings.TrimRight(serviceURL, "/")+"/v3/conversations", p, &cr)
	return cr, err
}

// Member is a conversation or team member, as the connector describes one.
type Member struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	AADObjectID       string `json:"aadObjectId"`
	UserPrincipalName string `json:"userPrincipalName"`
	Email             string `json:"email"`
}

// ErrNotMember reports that the connector does not know the member there.
var ErrNotMember = errors.New("connector: not a member")

// Member looks up one member of a conversation or team by id or Entra
// object id. It returns [ErrNotMember] when they are not in it.
func (c *Connector) Member(ctx context.Context, serviceURL, conversationID, memberID string) (Member, error) {
	var m Member
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conversationID) + "/members/" + url.PathEscape(memberID)
	err := c.do(ctx, http.MethodGet, u, nil, &m)
	var ce *ConnectorError
	if errors.As(err, &ce) && ce.Status == http.StatusNotFound {
		return Member{}, ErrNotMember
	}
	return m, err
}

// retryable reports whether a status is worth retrying: throttling,
// precondition races and the usual transient gateway errors.
func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusPreconditionFailed,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (c *Connector) do(ctx context.Context, method, u string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if a, ok := in.(*OutgoingActivity); ok {
			body, err = a.encode()
		} else {
			body, err = json.Marshal(in)
		}
		if err != nil {
			return fmt.Errorf("connector: encode: %w", err)
		}
	}
	for attempt := 1; ; attempt++ {
		retryAfter, transient, err := c.once(ctx, method, u, body, out)
		if err == nil {
			return nil
		}
		if !transient || attempt >= c.maxAttempts || ctx.Err() != nil {
			c.metrics.connectorFailure()
			return err
		}
		delay := c.backoff(attempt, retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
			c.metrics.connectorFailure()
			return err // the wait would outlive the caller
		}
		var ce *ConnectorError
		status := 0
		if errors.As(err, &ce) {
			status = ce.Status
		}
		c.metrics.connectorRetry(status)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// backoff is exponential with full jitter, or the server's Retry-After when
// it gave one (capped, so a bad header cannot park a turn for hours).
func (c *Connector) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.maxDelay) + rand.N(c.baseDelay)
	}
	ceiling := min(c.baseDelay<<(attempt-1), c.maxDelay)
	return c.baseDelay/2 + rand.N(ceiling)
}

// once makes one request. Alongside any error it returns the server's
// Retry-After (0 if none) and whether trying again may help: yes for
// transport errors and retryable statuses, no for a refused token request
// (azidentity already retried that) or a request the connector rejected.
func (c *Connector) once(ctx context.Context, method, u string, body []byte, out any) (time.Duration, bool, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("connector: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if c.tokens != nil {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return 0, false, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, true, fmt.Errorf("connector: %s: %w", method, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, true, fmt.Errorf("connector: %s: read answer: %w", method, err)
	}
	if resp.StatusCode/100 != 2 {
		ce := &ConnectorError{Method: method, Status: resp.StatusCode}
		var eb struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil {
			ce.Code = eb.Error.Code
		}
		return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), retryable(resp.StatusCode), ce
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		// A missing or odd body is not a failure: the message was accepted
		// (the playground answers 202 with no body for split messages).
		_ = json.Unmarshal(data, out)
	}
	return 0, false, nil
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
