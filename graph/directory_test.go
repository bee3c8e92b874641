package graph_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

// Seeded users for the step-up and notification calls.
const (
	admin          = "7d4e2a19-3c5b-4f8e-b1a6-9e0d2c4f6a81"
	member         = "e5b7c9d1-2f4a-4b6c-8d0e-1a3c5e7f9b20"
	protectedGroup = "4b8e1f3a-6c2d-4e9f-a7b5-0d1c2e3f4a5b"
	otherGroup     = "9e8d7c6b-1111-4111-8111-0000000000aa"
)

func directorySeed() sim.Option {
	return sim.WithSeed([]sim.SeedUser{
		{ID: admin, UserPrincipalName: "kenta.yamamoto@contoso.example", DirectoryRoles: []string{"Authentication Administrator"}},
		{ID: member, UserPrincipalName: "yumi.ito@contoso.example", Mail: "yumi.ito@mail.contoso.example", Groups: []string{protectedGroup}},
	})
}

// wire sees every request the client sends, after the SDK's middleware
// (so compressed, with the headers that go out), and may change it.
type wire struct {
	next   http.RoundTripper
	change func(*http.Request)

	mu   sync.Mutex
	seen []seenRequest
}

type seenRequest struct {
	method, path, encoding string
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	if w.change != nil {
		r = r.Clone(r.Context())
		w.change(r)
	}
	w.mu.Lock()
	w.seen = append(w.seen, seenRequest{r.Method, r.URL.Path, r.Header.Get("Content-Encoding")})
	w.mu.Unlock()
	return w.next.RoundTrip(r)
}

func (w *wire) requests(method, pathSuffix string) []seenRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []seenRequest
	for _, r := range w.seen {
		if r.method == method && strings.HasSuffix(r.path, pathSuffix) {
			out = append(out, r)
		}
	}
	return out
}

// newWiredClient is newClient with a [wire] between client and simulator.
// The same rule holds: call it before t.Parallel.
func newWiredClient(t *testing.T, change func(*http.Request), opts ...sim.Option) (*graph.Client, *sim.Server, *wire) {
	t.Helper()
	s := sim.New(opts...)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	w := &wire{next: &http.Transport{}, change: change}
	c, err := graph.New(graph.Config{Credential: fakeCredential{}, BaseURL: srv.URL + "/v1.0", Transport: w,
		Timeout: 5 * time.Second, RetryWait: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s, w
}

func TestUserMail(t *testing.T) {
	c, _ := newClient(t, directorySeed())
	t.Parallel()
	tests := []struct {
		id, want string
	}{
		{member, "yumi.ito@mail.contoso.example"},
		{admin, "kenta.yamamoto@contoso.example"}, // the simulator's default: the UPN
		{alice, alice[:8] + "@contoso.example"},
	}
	for _, tt := range tests {
		u, err := c.User(t.Context(), tt.id)
		if err != nil || u.Mail != tt.want {
			t.Errorf("User(%s).Mail = %q, %v; want %q", tt.id, u.Mail, err, tt.want)
		}
	}
}

func TestSendMail(t *testing.T) {
	c, s, w := newWiredClient(t, nil, directorySeed())
	t.Parallel()
	m := graph.Mail{To: "Hanako.Sato@contoso.example", Subject: "MFA の設定が変わりました",
		Body: "電話番号が変更されました。\nYour phone number was changed."}
	if err := c.SendMail(t.Context(), "yumi.ito@contoso.example", m); err != nil {
		t.Fatal(err)
	}
	got := s.SentMail()
	if len(got) != 1 {
		t.Fatalf("the simulator has %d messages, want 1", len(got))
	}
	want := sim.SentMail{From: "yumi.ito@mail.contoso.example", To: []string{m.To}, Subject: m.Subject, Body: m.Body,
		ContentType: "text", SaveToSentItems: false, At: got[0].At}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("sent %+v, want %+v", got[0], want)
	}
	posts := w.requests(http.MethodPost, "/sendMail")
	if len(posts) != 1 || posts[0].encoding != "gzip" {
		t.Errorf("requests %+v, want one gzip-compressed POST", posts)
	}
}

func TestSendMailFailures(t *testing.T) {
	ok := graph.Mail{To: "hanako.sato@contoso.example", Subject: "s", Body: "secret body text"}
	type env struct {
		c *graph.Client
		s *sim.Server
	}
	mk := func() env { c, s := newClient(t); return env{c, s} }
	tests := []struct {
		name      string
		env       env
		fault     *sim.Fault
		from      string
		mail      graph.Mail
		wantKind  graph.ErrorKind // Unknown: no error
		wantPosts int
		wantSent  int
	}{
		{name: "throttled, then sent once", env: mk(), fault: &sim.Fault{Method: http.MethodPost, PathContains: "/sendMail", Status: 429, RetryAfter: time.Second, Times: 1},
			from: alice, mail: ok, wantPosts: 2, wantSent: 1},
		{name: "throttled too long", env: mk(), fault: &sim.Fault{Method: http.MethodPost, PathContains: "/sendMail", Status: 429, RetryAfter: time.Minute},
			from: alice, mail: ok, wantKind: graph.Throttled, wantPosts: 1},
		{name: "a 503 is not retried", env: mk(), fault: &sim.Fault{Method: http.MethodPost, PathContains: "/sendMail", Status: 503, Times: 1},
			from: alice, mail: ok, wantKind: graph.Unavailable, wantPosts: 1},
		{name: "a 504 is not retried", env: mk(), fault: &sim.Fault{Method: http.MethodPost, PathContains: "/sendMail", Status: 504, Times: 1},
			from: alice, mail: ok, wantKind: graph.Unavailable, wantPosts: 1},
		{name: "unknown sender", env: mk(), from: "nobody@contoso.example", mail: ok, wantKind: graph.NotFound, wantPosts: 1},
		{name: "no recipient", env: mk(), from: alice, mail: graph.Mail{Subject: "s", Body: "b"}, wantKind: graph.Invalid},
		{name: "recipient not an address", env: mk(), from: alice, mail: graph.Mail{To: "hanako sato", Subject: "s", Body: "b"}, wantKind: graph.Invalid},
		{name: "no sender", env: mk(), mail: ok, wantKind: graph.Invalid},
		{name: "rejected by Graph", env: mk(), from: alice, mail: graph.Mail{To: ok.To, Body: "b"}, wantKind: graph.Invalid, wantPosts: 1},
	}
	t.Parallel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.fault != nil {
				tt.env.s.Inject(*tt.fault)
			}
			err := tt.env.c.SendMail(t.Context(), tt.from, tt.mail)
			if got := graph.KindOf(err); got != tt.wantKind || (tt.wantKind == graph.Unknown) != (err == nil) {
				t.Errorf("got %v, want kind %v", err, tt.wantKind)
			}
			if err != nil && (strings.Contains(err.Error(), "hanako") || strings.Contains(err.Error(), "secret")) {
				t.Errorf("error %q shows the address or the text", err)
			}
			if n := countWrites(tt.env.s); n != tt.wantPosts {
				t.Errorf("%d POSTs reached Graph, want %d", n, tt.wantPosts)
			}
			if n := len(tt.env.s.SentMail()); n != tt.wantSent {
				t.Errorf("%d messages sent, want %d", n, tt.wantSent)
			}
		})
	}
}

func TestDirectoryRoles(t *testing.T) {
	c, s := newClient(t, directorySeed())
	// The wire asks for one role a page, so three roles take three pages.
	onePerPage := func(r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "directoryRole") && r.URL.Query().Get("$skiptoken") == "" {
			q := r.URL.Query()
			q.Set("$top", "1")
			r.URL.RawQuery = q.Encode()
		}
	}
	paged, pagedSim, w := newWiredClient(t, onePerPage)
	three := []string{"Global Administrator", "Helpdesk Administrator", "Tenant Helpdesk Lead"}
	setRoles(t, pagedSim, alice, three)
	t.Parallel()

	tests := []struct {
		name string
		c    *graph.Client
		user string
		want []string
	}{
		{"no role", c, alice, nil},
		{"no role, seeded", c, member, nil},
		{"one role", c, admin, []string{"Authentication Administrator"}},
		{"one role, by UPN", c, "kenta.yamamoto@contoso.example", []string{"Authentication Administrator"}},
		{"three pages", paged, alice, three},
	}
	for _, tt := range tests {
		got, err := tt.c.DirectoryRoles(t.Context(), tt.user)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: DirectoryRoles = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if n := len(w.requests(http.MethodGet, "directoryRole")); n != 3 {
		t.Errorf("%d GETs for three roles one per page, want 3", n)
	}

	if _, err := c.DirectoryRoles(t.Context(), "nobody@contoso.example"); graph.KindOf(err) != graph.NotFound {
		t.Errorf("unknown user: got %v, want NotFound", err)
	}
	s.Inject(sim.Fault{Method: http.MethodGet, PathContains: "/transitiveMemberOf/", Status: 429, RetryAfter: time.Second, Times: 1})
	if got, err := c.DirectoryRoles(t.Context(), admin); err != nil || len(got) != 1 {
		t.Errorf("after a 429: %q, %v; want the read retried", got, err)
	}
}

// setRoles gives a user directory roles through the simulator's control
// endpoint, as an administrator would in the Entra admin center.
func setRoles(t *testing.T, s *sim.Server, user string, roles []string) {
	t.Helper()
	body := `{"directoryRoles":["` + strings.Join(roles, `","`) + `"]}`
	req := httptest.NewRequest(http.MethodPatch, "/_sim/users/"+user, strings.NewReader(body))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH /_sim/users/%s: %d %s", user, rec.Code, rec.Body)
	}
}

func TestMemberOfGroups(t *testing.T) {
	c, _, w := newWiredClient(t, nil, directorySeed())
	retried, retriedSim := newClient(t, directorySeed())
	failing, failingSim := newClient(t, directorySeed())
	t.Parallel()
	ctx := t.Context()

	many := make([]string, 0, 25)
	for i := range 25 {
		many = append(many, fmt.Sprintf("9e8d7c6b-2222-4222-8222-%012x", i))
	}
	many[22] = strings.ToUpper(protectedGroup)
	tests := []struct {
		name   string
		user   string
		groups []string
		want   []string
	}{
		{"member", member, []string{otherGroup, protectedGroup}, []string{protectedGroup}},
		{"spelt as asked", "yumi.ito@contoso.example", []string{strings.ToUpper(protectedGroup)}, []string{strings.ToUpper(protectedGroup)}},
		{"not a member", member, []string{otherGroup}, nil},
		{"no groups", admin, []string{protectedGroup}, nil},
		{"made-up user", alice, []string{protectedGroup}, nil},
		{"asked twice", member, []string{protectedGroup, protectedGroup}, []string{protectedGroup}},
		{"more than 20", member, many, []string{many[22]}},
		{"nothing to check", member, nil, nil},
	}
	for _, tt := range tests {
		got, err := c.MemberOfGroups(ctx, tt.user, tt.groups)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: MemberOfGroups = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	// 7 calls above, one of them split in two, one with nothing to ask.
	posts := w.requests(http.MethodPost, "/checkMemberGroups")
	if len(posts) != 8 {
		t.Errorf("%d checkMemberGroups calls, want 8", len(posts))
	}
	for _, p := range posts {
		if p.encoding != "gzip" {
			t.Errorf("a request went out with Content-Encoding %q, want gzip", p.encoding)
		}
	}

	if _, err := c.MemberOfGroups(ctx, member, []string{"sales"}); graph.KindOf(err) != graph.Invalid {
		t.Errorf("a name instead of an id: got %v, want Invalid", err)
	}
	if _, err := c.MemberOfGroups(ctx, "nobody@contoso.example", []string{protectedGroup}); graph.KindOf(err) != graph.NotFound {
		t.Errorf("unknown user: got %v, want NotFound", err)
	}

	// Read-like, so retried: after a 429 and after a 503.
	t.Run("retried", func(t *testing.T) {
		t.Parallel()
		retriedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: "/checkMemberGroups", Status: 429, RetryAfter: time.Second, Times: 1})
		retriedSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: "/checkMemberGroups", Status: 503, Times: 1})
		if got, err := retried.MemberOfGroups(t.Context(), member, []string{protectedGroup}); err != nil || len(got) != 1 {
			t.Errorf("after a 429 and a 503: %q, %v; want the call retried", got, err)
		}
		if n := countWrites(retriedSim); n != 3 {
			t.Errorf("%d POSTs, want 3 (two refused, one answered)", n)
		}
	})
	t.Run("Graph down", func(t *testing.T) {
		t.Parallel()
		failingSim.Inject(sim.Fault{Method: http.MethodPost, PathContains: "/checkMemberGroups", Status: 503})
		if _, err := failing.MemberOfGroups(t.Context(), member, []string{protectedGroup}); graph.KindOf(err) != graph.Unavailable {
			t.Errorf("got %v, want Unavailable", err)
		}
		if n := countWrites(failingSim); n != 4 {
			t.Errorf("%d POSTs, want 4 (the call and 3 retries)", n)
		}
	})
}

func TestRevokeSessions(t *testing.T) {
	c, s := newClient(t)
	t.Parallel()
	if err := c.RevokeSessions(t.Context(), alice); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPost || !strings.HasSuffix(reqs[0].Path, "/revokeSignInSessions") || reqs[0].Status != http.StatusOK {
		t.Errorf("requests = %+v, want one POST revokeSignInSessions answered 200", reqs)
	}
	if err := c.RevokeSessions(t.Context(), "nobody@contoso.example"); graph.KindOf(err) != graph.NotFound {
		t.Errorf("unknown user: got %v, want NotFound", err)
	}
}

func TestUserType(t *testing.T) {
	const (
		guest          = "3c7a9e51-8b2d-4f6e-a1c3-5d7e9f0b2a46"
		externalMember = "8a1f3d5c-7e9b-4c2a-b4d6-e8f0a2c4e6b8"
	)
	c, s := newClient(t, directorySeed(), sim.WithSeed([]sim.SeedUser{
		{ID: guest, UserPrincipalName: "alice_example.org#EXT#@contoso.onmicrosoft.com", UserType: "Guest"},
		// A B2B account turned member: userType Member, but still #EXT#.
		{ID: externalMember, UserPrincipalName: "bob_partner.example#EXT#@contoso.onmicrosoft.com", UserType: "Member"},
	}))
	t.Parallel()
	ctx := t.Context()
	tests := []struct {
		name, id     string
		wantType     string
		wantExternal bool
	}{
		{"seeded member", member, "Member", false},
		{"made-up user", alice, "Member", false},
		{"guest", guest, "Guest", true},
		{"external member", externalMember, "Member", true},
		{"guest by its #EXT# UPN", "alice_example.org#EXT#@contoso.onmicrosoft.com", "Guest", true},
	}
	for _, tt := range tests {
		u, err := c.User(ctx, tt.id)
		if err != nil {
			t.Errorf("%s: User: %v", tt.name, err)
			continue
		}
		if u.UserType != tt.wantType || u.External() != tt.wantExternal {
			t.Errorf("%s: UserType %q External %v, want %q %v", tt.name, u.UserType, u.External(), tt.wantType, tt.wantExternal)
		}
	}

	// An administrator turns the member into a guest.
	req := httptest.NewRequest(http.MethodPatch, "/_sim/users/"+member, strings.NewReader(`{"userType":"Guest"}`))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH /_sim/users/%s: %d %s", member, rec.Code, rec.Body)
	}
	if u, err := c.User(ctx, member); err != nil || u.UserType != "Guest" || !u.External() {
		t.Errorf("after the PATCH: User = %+v, %v; want a Guest, external", u, err)
	}
}

func TestUserExternal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		userType, upn string
		want          bool
	}{
		{"Member", "yumi.ito@contoso.example", false},
		{"member", "yumi.ito@contoso.example", false},
		{"MEMBER", "yumi.ito@contoso.example", false},
		{"Guest", "yumi.ito@contoso.example", true},
		{"guest", "alice_example.org#EXT#@contoso.onmicrosoft.com", true},
		{"", "yumi.ito@contoso.example", true}, // not read: fail closed
		{" Member", "yumi.ito@contoso.example", true},
		{"Other", "yumi.ito@contoso.example", true},
		{"Member", "bob_partner.example#EXT#@contoso.onmicrosoft.com", true},
		{"Member", "bob_partner.example#ext#@contoso.onmicrosoft.com", true},
		{"Member", "", false},
	}
	for _, tt := range tests {
		u := graph.User{UserType: tt.userType, UserPrincipalName: tt.upn}
		if got := u.External(); got != tt.want {
			t.Errorf("User{UserType: %q, UPN: %q}.External() = %v, want %v", tt.userType, tt.upn, got, tt.want)
		}
	}
}
