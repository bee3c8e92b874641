package bot_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/bot"
)

func TestConnectorRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		fail      func(n int64) (int, string)
		wantErr   bool
		wantHits  int64
		wantSaved int
	}{
		{"429 with Retry-After, then accepted", func(n int64) (int, string) {
			if n == 1 {
				return http.StatusTooManyRequests, "0"
			}
			return 0, ""
		}, false, 2, 1},
		{"502 and 504, then accepted", func(n int64) (int, string) {
			switch n {
			case 1:
				return http.StatusBadGateway, ""
			case 2:
				return http.StatusGatewayTimeout, ""
			}
			return 0, ""
		}, false, 3, 1},
		{"503 every time gives up after 4 attempts", func(int64) (int, string) { return http.StatusServiceUnavailable, "" }, true, 4, 0},
		{"400 is not retried", func(int64) (int, string) { return http.StatusBadRequest, "" }, true, 1, 0},
		{"403 is not retried", func(int64) (int, string) { return http.StatusForbidden, "" }, true, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn := newConnector(t)
			conn.fail = tc.fail
			c := bot.NewConnector(&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}, nil)
			id, err := c.Reply(t.Context(), conn.serviceURL(), "a:1conv", "123", &bot.OutgoingActivity{Type: "message", Text: "hello"})
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error: %v", err, tc.wantErr)
			}
			var ce *bot.ConnectorError
			if tc.wantErr && !errors.As(err, &ce) {
				t.Errorf("error %v is not a *ConnectorError", err)
			}
			if got := conn.hits.Load(); got != tc.wantHits {
				t.Errorf("connector was called %d times, want %d", got, tc.wantHits)
			}
			if got := len(conn.all()); got != tc.wantSaved {
				t.Errorf("connector stored %d activities, want %d", got, tc.wantSaved)
			}
			if !tc.wantErr && id == "" {
				t.Error("the id the connector returned was dropped")
			}
		})
	}
}

func TestConnectorPaths(t *testing.T) {
	t.Parallel()
	conn := newConnector(t)
	c := bot.NewConnector(nil, nil)
	ctx := t.Context()
	conv := "19:abc@thread.tacv2;messageid=1700000000000"
	if _, err := c.Send(ctx, conn.serviceURL(), conv, &bot.OutgoingActivity{Type: "message", Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(ctx, conn.serviceURL(), conv, "bot-msg-1", &bot.OutgoingActivity{Type: "message", Text: "b"}); err != nil {
		t.Fatal(err)
	}
	cr, err := c.CreateConversation(ctx, conn.serviceURL(), &bot.ConversationParameters{IsGroup: true, Activity: &bot.OutgoingActivity{Type: "message", Text: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if cr.ID == "" && cr.ActivityID == "" {
		// The fake answers {"id": ...}; a real connector adds activityId.
		t.Error("create conversation returned nothing")
	}
	got := conn.all()
	want := []struct{ method, path string }{
		{http.MethodPost, "/teams/v3/conversations/" + conv + "/activities"},
		{http.MethodPut, "/teams/v3/conversations/" + conv + "/activities/bot-msg-1"},
		{http.MethodPost, "/teams/v3/conversations"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Method != w.method || got[i].Path != w.path {
			t.Errorf("request %d: got %s %s, want %s %s", i, got[i].Method, got[i].Path, w.method, w.path)
		}
	}
}
