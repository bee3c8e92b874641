package campaign_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/bot/campaign"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
	"github.com/mfadesk/mfadesk/store"
	"github.com/mfadesk/mfadesk/store/storetest"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type simToken struct{}

func (simToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "sim", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// connector is a Bot Connector over HTTP that records every card it is
// given, by the person whose 1:1 chat it went to. After hangFrom sends it
// takes each message but never answers, as when the sender dies mid-send.
type connector struct {
	mu       sync.Mutex
	sent     map[string][]string // person → card titles, in order
	convs    map[string]string   // conversation → person
	channel  []string            // status cards posted or updated in the helpdesk channel
	hangFrom int                 // 0: never
	n        int
}

func newConnector(t testing.TB) (*connector, string) {
	c := &connector{sent: map[string][]string{}, convs: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(srv.Close)
	return c, srv.URL + "/"
}

func (c *connector) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IsGroup     bool                  `json:"isGroup"`
		Members     []struct{ ID string } `json:"members"`
		Activity    *json.RawMessage      `json:"activity"`
		Attachments []struct {
			Content struct {
				Body []struct{ Text string } `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	c.mu.Lock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/conversations" && body.IsGroup:
		c.channel = append(c.channel, "posted")
		c.mu.Unlock()
		fmt.Fprint(w, `{"id":"19:helpdesk;messageid=1","activityId":"1"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/v3/conversations":
		id := "a:" + body.Members[0].ID
		c.convs[id] = body.Members[0].ID
		c.mu.Unlock()
		fmt.Fprintf(w, `{"id":%q}`, id)
	case r.Method == http.MethodPut:
		c.channel = append(c.channel, "updated")
		c.mu.Unlock()
		fmt.Fprint(w, `{"id":"1"}`)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/activities"):
		conv := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v3/conversations/"), "/activities")
		c.n++
		title := ""
		if len(body.Attachments) > 0 && len(body.Attachments[0].Content.Body) > 0 {
			title = body.Attachments[0].Content.Body[0].Text
		}
		c.sent[c.convs[conv]] = append(c.sent[c.convs[conv]], title)
		if c.hangFrom > 0 && c.n > c.hangFrom {
			// Delivered, but the answer never comes back: the sender can't
			// tell that it went out.
			c.mu.Unlock()
			<-r.Context().Done()
			return
		}
		id := c.n
		c.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"m%d"}`, id)
	default:
		c.mu.Unlock()
		http.NotFound(w, r)
	}
}

func (c *connector) messages() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	for k, v := range c.sent {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// world is a seeded tenant in the Graph simulator, a store and a connector.
//
// The tests of this package don't run in parallel: msgraph-sdk-go sets a
// package-level default while a client is built (a data race with any
// client in use), and each test builds its own.
type world struct {
	sim     *sim.Server
	simURL  string
	graph   *graph.Client
	store   *store.DB
	conn    *connector
	connURL string
	seed    []sim.SeedUser
	now     time.Time
}

func newWorld(t testing.TB, people int, opts ...sim.Option) *world {
	t.Helper()
	w := &world{seed: sim.TenantSeed(people, 7), now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	w.sim = sim.New(append(opts, sim.WithSeed(w.seed))...)
	srv := httptest.NewServer(w.sim)
	t.Cleanup(srv.Close)
	w.simURL = srv.URL
	var err error
	w.graph, err = graph.New(graph.Config{Credential: simToken{}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second, RetryWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.store, _ = storetest.SQLite(t)
	w.conn, w.connURL = newConnector(t)
	return w
}

func (w *world) campaign() *campaign.Campaign {
	return &campaign.Campaign{Config: campaign.Config{Name: "passkeys", TeamsAppID: "6f1a2b3c-0000-4000-8000-00000000a001",
		BotID: "28:bot", TenantID: "tenant", ServiceURL: w.connURL, Tenant: faq.DefaultTenant(), RemindAfter: 7 * 24 * time.Hour,
		Rate: 1000, Workers: 4, PageSize: 50, Holder: "test", HelpdeskChannel: "19:helpdesk", HelpdeskLang: cards.Japanese,
		Now: func() time.Time { return w.now }},
		Graph: w.graph, Privilege: &bot.Privilege{Graph: w.graph}, Chats: bot.NewConnector(http.DefaultClient, nil), Store: w.store}
}

// want is who the campaign must reach, from the seed itself (not through
// the code under test): members with an enabled account, no directory
// role, at least one phone and no other way to pass MFA.
func (w *world) want() (reachable, noTeams map[string]bool) {
	reachable, noTeams = map[string]bool{}, map[string]bool{}
	for _, u := range w.seed {
		if u.UserType == "Guest" || strings.Contains(strings.ToUpper(u.UserPrincipalName), "#EXT#") ||
			(u.AccountEnabled != nil && !*u.AccountEnabled) || len(u.DirectoryRoles) > 0 {
			continue
		}
		if len(u.Phones) == 0 || len(u.Authenticators) > 0 || u.SoftwareOath > 0 || len(u.FIDO2) > 0 || len(u.WindowsHello) > 0 {
			continue
		}
		if u.Teams != nil && !*u.Teams {
			noTeams[u.ID] = true
			continue
		}
		reachable[u.ID] = true
	}
	if len(reachable) < len(w.seed)/5 || len(noTeams) == 0 {
		panic(fmt.Sprintf("the seeded tenant has %d reachable phone-only people and %d without Teams: too few to test with", len(reachable), len(noTeams)))
	}
	return reachable, noTeams
}

func TestDryRunCountsAndChangesNothing(t *testing.T) {

	w := newWorld(t, 400)
	reachable, noTeams := w.want()
	var listed []campaign.Person
	rep, err := w.campaign().Find(t.Context(), true, func(p campaign.Person) { listed = append(listed, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Listed != len(w.seed) {
		t.Errorf("listed %d people, the tenant has %d", rep.Listed, len(w.seed))
	}
	if got, want := rep.ByMix[graph.MixPhoneOnly], len(reachable)+len(noTeams); got != want || len(listed) != want {
		t.Errorf("phone-only: counted %d, listed %d; want %d", got, len(listed), want)
	}
	for _, p := range listed {
		if strings.Contains(p.UPN, "@") && !strings.Contains(p.UPN, "•••@") {
			t.Errorf("dry-run list shows a sign-in name unmasked: %q", p.UPN)
		}
	}
	if rep.Skipped["guest"] == 0 || rep.Skipped["disabled"] == 0 || rep.Skipped["privileged"] == 0 {
		t.Errorf("skipped = %v; the seeded tenant has guests, disabled and privileged phone users", rep.Skipped)
	}
	if c, _ := w.store.CountCampaign(t.Context(), "passkeys", w.now); c != (store.CampaignCounts{At: w.now}) {
		t.Errorf("a dry run recorded %+v", c)
	}
	if len(w.conn.messages()) != 0 {
		t.Error("a dry run sent messages")
	}
}

func TestRunReachesEveryoneOnceThenOnlyReminds(t *testing.T) {

	w := newWorld(t, 300)
	reachable, noTeams := w.want()
	c := w.campaign()
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Reach(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sent := w.conn.messages()
	if len(sent) != len(reachable) || rep.Sent != len(reachable) || rep.Unreachable != len(noTeams) {
		t.Fatalf("reached %d people (report: sent %d, unreachable %d); want %d reachable, %d without Teams",
			len(sent), rep.Sent, rep.Unreachable, len(reachable), len(noTeams))
	}
	for id, titles := range sent {
		if !reachable[id] || len(titles) != 1 || !strings.Contains(titles[0], "パスキー") && !strings.Contains(titles[0], "passkey") {
			t.Errorf("%s got %q", id, titles)
		}
	}

	// The same day again: nothing new to send.
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	if rep, _ := c.Reach(t.Context()); rep.Sent != 0 {
		t.Fatalf("a second run the same day sent %d messages", rep.Sent)
	}

	// One person registers a passkey; a week later everyone else gets one
	// reminder, and they don't.
	var registered string
	for id := range reachable {
		registered = id
		break
	}
	resp, err := http.Post(w.simURL+"/_sim/users/"+registered+"/passkeys", "application/json", strings.NewReader(`{"displayName":"iPhone"}`))
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("register a passkey in the simulator: %v %v", err, resp.Status)
	}
	w.now = w.now.Add(8 * 24 * time.Hour)
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	rep, err = c.Reach(t.Context())
	if err != nil || rep.Reminders != len(reachable)-1 || rep.Sent != len(reachable)-1 {
		t.Fatalf("week 2: %+v, %v; want %d reminders", rep, err, len(reachable)-1)
	}
	for id, titles := range w.conn.messages() {
		want := 2
		if id == registered {
			want = 1
		}
		if len(titles) != want {
			t.Errorf("%s: %d messages, want %d", id, len(titles), want)
		}
	}
	counts, hist, err := c.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if counts.Registered != 1 || counts.PhoneOnly != len(reachable)-1+len(noTeams) || counts.Unreachable != len(noTeams) {
		t.Errorf("counts = %+v", counts)
	}
	if err := c.PostStatus(t.Context(), c.StatusView(counts, hist)); err != nil {
		t.Fatal(err)
	}
	if err := c.PostStatus(t.Context(), c.StatusView(counts, hist)); err != nil {
		t.Fatal(err)
	}
	if got := w.conn.channel; len(got) != 2 || got[0] != "posted" || got[1] != "updated" {
		t.Errorf("helpdesk status card: %v, want posted once then updated in place", got)
	}
}

func TestKilledMidRunSendsNoDuplicates(t *testing.T) {

	w := newWorld(t, 300)
	reachable, _ := w.want()
	c := w.campaign()
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	// The first run dies after 10 messages, with sends in flight.
	w.conn.mu.Lock()
	w.conn.hangFrom = 10
	w.conn.mu.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for {
			w.conn.mu.Lock()
			n := w.conn.n
			w.conn.mu.Unlock()
			if n > 12 {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	if _, err := c.Reach(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v, want it cancelled", err)
	}
	w.conn.mu.Lock()
	w.conn.hangFrom = 0
	w.conn.mu.Unlock()

	// Restarted: everyone else is reached, nobody twice.
	rep, err := w.campaign().Reach(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Settled == 0 {
		t.Error("the sends in flight when the run died were not settled")
	}
	sent := w.conn.messages()
	for id, titles := range sent {
		if len(titles) != 1 {
			t.Errorf("%s got %d messages", id, len(titles))
		}
	}
	// A send cut off before it reached the connector counts as sent too:
	// at most that many people miss their first message (the next wave
	// reminds them).
	if missing := len(reachable) - len(sent); missing < 0 || int64(missing) > rep.Settled {
		t.Errorf("%d of %d people reached; %d sends settled", len(sent), len(reachable), rep.Settled)
	}
}

func TestOneRunAtATime(t *testing.T) {

	w := newWorld(t, 10)
	a, b := w.campaign(), w.campaign()
	b.Holder = "other replica"
	_, release, err := a.Hold(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Hold(t.Context()); !errors.Is(err, campaign.ErrBusy) {
		t.Fatalf("second holder: %v, want ErrBusy", err)
	}
	release()
	_, release, err = b.Hold(t.Context())
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	release()
}

func TestGroupWhenTheReportIsUnavailable(t *testing.T) {

	w := newWorld(t, 120, sim.WithPremium(false))
	c := w.campaign()
	if _, err := c.Find(t.Context(), true, nil); !errors.Is(err, campaign.ErrNoSource) {
		t.Fatalf("no report, no group: %v, want ErrNoSource", err)
	}
	// Put the first half in a group: the group scan finds its phone-only
	// people, and only them.
	group := "7d1e0000-0000-4000-8000-0000000000c1"
	for i := range w.seed[:60] {
		groups, _ := json.Marshal(map[string]any{"groups": append(w.seed[i].Groups, group)})
		req, _ := http.NewRequest(http.MethodPatch, w.simURL+"/_sim/users/"+w.seed[i].ID, strings.NewReader(string(groups)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode >= 300 {
			t.Fatalf("put a person in the group: %v %v", err, resp.Status)
		}
		resp.Body.Close()
	}
	reachable, noTeams := w.want()
	want := 0
	for _, u := range w.seed[:60] {
		if reachable[u.ID] || noTeams[u.ID] {
			want++
		}
	}
	c.Group = group
	rep, err := c.Find(t.Context(), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Source != "group" || rep.Listed != 60 || rep.ByMix[graph.MixPhoneOnly] != want {
		t.Errorf("group scan: %+v; want 60 listed, %d phone-only", rep, want)
	}
}

// The report lags behind what people register: someone who registered a
// passkey between the scan and their message gets no message.
func TestNoMessageForWhoRegisteredSinceTheScan(t *testing.T) {

	w := newWorld(t, 100)
	reachable, _ := w.want()
	c := w.campaign()
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	var quick string
	for id := range reachable {
		quick = id
		break
	}
	resp, err := http.Post(w.simURL+"/_sim/users/"+quick+"/passkeys", "application/json", strings.NewReader(`{"displayName":"iPhone"}`))
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("register a passkey in the simulator: %v", err)
	}
	rep, err := c.Reach(t.Context())
	if err != nil || rep.Moved != 1 || rep.Sent != len(reachable)-1 {
		t.Fatalf("reach: %+v, %v; want 1 moved, %d sent", rep, err, len(reachable)-1)
	}
	if _, got := w.conn.messages()[quick]; got {
		t.Error("a person who registered since the scan was messaged")
	}
	if p, _ := w.store.CampaignPersonByID(t.Context(), "passkeys", quick); p.Status != store.CampaignRegistered {
		t.Errorf("their status is %q, want registered", p.Status)
	}
}

// Someone who has written to the bot before gets the message in that chat:
// no installation, no new conversation.
func TestKnownChatIsUsed(t *testing.T) {

	w := newWorld(t, 60)
	reachable, _ := w.want()
	var known string
	for id := range reachable {
		known = id
		break
	}
	if err := w.store.RememberChat(t.Context(), known, store.PersonalChat{TeamsID: "29:known", Conversation: "a:known", ServiceURL: w.connURL}, w.now); err != nil {
		t.Fatal(err)
	}
	w.conn.convs["a:known"] = "in the known chat"
	c := w.campaign()
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reach(t.Context()); err != nil {
		t.Fatal(err)
	}
	sent := w.conn.messages()
	if len(sent["in the known chat"]) != 1 || len(sent[known]) != 0 {
		t.Errorf("known person's messages: %d in their chat, %d in a new one", len(sent["in the known chat"]), len(sent[known]))
	}
	resp, err := http.Get(w.simURL + "/_sim/users/" + known)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var u struct {
		InstalledApps []string `json:"installedApps"`
	}
	json.NewDecoder(resp.Body).Decode(&u)
	if len(u.InstalledApps) != 0 {
		t.Errorf("the app was installed again for someone who has it: %v", u.InstalledApps)
	}
}

// When the bot can't be installed for anyone (a wrong app id, a missing
// permission, the app policy), the run stops and nobody is marked
// unreachable for what is the configuration's fault.
func TestInstallRefusedForEveryoneStopsTheRun(t *testing.T) {

	seed := sim.TenantSeed(200, 7)
	no := false
	for i := range seed {
		seed[i].Teams = &no
	}
	s := sim.New(sim.WithSeed(seed))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	w := newWorld(t, 10)
	w.graph, _ = graph.New(graph.Config{Credential: simToken{}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second})
	c := w.campaign()
	if _, err := c.Find(t.Context(), false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Reach(t.Context()); !errors.Is(err, campaign.ErrInstallRefused) {
		t.Fatalf("reach: %v, want ErrInstallRefused", err)
	}
	counts, err := w.store.CountCampaign(t.Context(), "passkeys", w.now)
	if err != nil || counts.Unreachable != 0 || counts.PhoneOnly < 40 {
		t.Fatalf("after the stop: %+v, %v; want nobody unreachable", counts, err)
	}
}
