package cards

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCampaignInvite(t *testing.T) {
	end := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, l := range []Lang{Japanese, English} {
		c := CampaignInvite(l, CampaignInviteView{Campaign: "passkeys", End: end, DaysLeft: 61,
			Methods: []Fact{{Title: "SMS", Value: "+81 90••••5678"}}})
		b, err := c.JSON()
		if err != nil || len(b) > MaxBytes {
			t.Fatalf("%s: %d bytes, %v", l, len(b), err)
		}
		s := string(b)
		for _, want := range []string{"61", "+81 90••••5678", map[Lang]string{Japanese: "2027年2月1日", English: "1 February 2027"}[l]} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: card lacks %q", l, want)
			}
		}
		var verbs []string
		for _, a := range c.Actions {
			if a.Data[CampaignKey] != "passkeys" {
				t.Errorf("%s: button %q does not carry its campaign", l, a.Title)
			}
			verbs = append(verbs, a.Data[VerbKey])
		}
		if strings.Join(verbs, " ") != VerbPasskey+" "+VerbCampaignLater+" "+VerbCampaignNoSmartphone {
			t.Errorf("%s: buttons %v", l, verbs)
		}
	}
	if r := CampaignInvite(English, CampaignInviteView{Reminder: true, End: time.Now()}); !strings.HasPrefix(Summary(r), "Reminder") {
		t.Errorf("a reminder is titled %q", Summary(r))
	}
}

func TestSparkline(t *testing.T) {
	for _, c := range []struct {
		in    []int
		width int
		want  string
	}{
		{[]int{800, 600, 400, 200, 0}, 10, "█▆▄▂▁"},
		{[]int{0, 0}, 10, "▁▁"},
		{[]int{5}, 10, "█"},
		{[]int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5, "█▆▄▃▁"}, // merged: the last of each pair (9 7 5 3 1)
		{nil, 10, ""},
	} {
		if got := Sparkline(c.in, c.width); got != c.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestCampaignStatusShowsTheTrend(t *testing.T) {
	c := CampaignStatus(Japanese, CampaignStatusView{At: time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC), PhoneOnly: 120, Contacted: 400,
		Registered: 280, DaysLeft: 54, History: []int{400, 250, 120}})
	b, _ := json.Marshal(c)
	for _, want := range []string{"あと 54 日", "400 → 120", "█"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("status card lacks %q", want)
		}
	}
}
