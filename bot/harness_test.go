package bot_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
	"github.com/mfadesk/mfadesk/store"
)

// The fake cloud: a Bot Framework identity provider (OpenID metadata + JWKS,
// plain HTTP), an Entra authority over TLS (metadata, keys, client-credentials
// token endpoint) and a Bot Connector that records what the bot sends. All
// are real HTTP servers so that the bot's real clients run against them.

const (
	testAppID    = "5d6a8a3e-7f4b-4c1d-9a3e-2b1c0d9e8f7a"
	testTenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testSecret   = "s3cr3t-client-secret-value"
	otherTenant  = "11111111-2222-3333-4444-555555555555"
	channelTeams = "msteams"
)

type rsaKey struct {
	priv *rsa.PrivateKey
	kid  string
}

func newRSAKey(t testing.TB, kid string) *rsaKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &rsaKey{priv: k, kid: kid}
}

func (k *rsaKey) jwk(endorsements []string) map[string]any {
	m := map[string]any{
		"kty": "RSA", "use": "sig", "kid": k.kid,
		"n": base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
	}
	if endorsements != nil {
		m["endorsements"] = endorsements
	}
	return m
}

func (k *rsaKey) sign(t testing.TB, method jwt.SigningMethod, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// idp is the Bot Framework identity provider.
type idp struct {
	srv          *httptest.Server
	key          *rsaKey
	metadataHits atomic.Int64
	jwksHits     atomic.Int64
	endorsedFor  []string
}

func newIDP(t testing.TB) *idp {
	p := &idp{key: newRSAKey(t, "bf-key-1"), endorsedFor: []string{channelTeams, "webchat"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		p.metadataHits.Add(1)
		writeTestJSON(w, 200, map[string]any{"issuer": bot.BotFrameworkIssuer, "jwks_uri": p.srv.URL + "/v1/.well-known/keys"})
	})
	mux.HandleFunc("GET /v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		p.jwksHits.Add(1)
		writeTestJSON(w, 200, map[string]any{"keys": []any{p.key.jwk(p.endorsedFor)}})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) metadataURL() string { return p.srv.URL + "/v1/.well-known/openidconfiguration" }

// claims are those of a valid channel token for serviceURL.
func (p *idp) claims(serviceURL string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": bot.BotFrameworkIssuer, "aud": testAppID, "serviceurl": serviceURL,
		"nbf": now.Add(-5 * time.Second).Unix(), "iat": now.Add(-5 * time.Second).Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

func (p *idp) token(t testing.TB, serviceURL string) string {
	return p.key.sign(t, jwt.SigningMethodRS256, p.key.kid, p.claims(serviceURL))
}

// authority is the Entra token authority (TLS, like the real one).
type authority struct {
	srv       *httptest.Server
	key       *rsaKey
	tokenHits atomic.Int64
	lastToken atomic.Value // string
}

func newAuthority(t testing.TB) *authority {
	a := &authority{key: newRSAKey(t, "entra-key-1")}
	mux := http.NewServeMux()
	oidc := func(w http.ResponseWriter, r *http.Request) {
		base := a.srv.URL + "/" + r.PathValue("tenant")
		writeTestJSON(w, 200, map[string]any{
			"issuer":                 base + "/v2.0",
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"jwks_uri":               base + "/discovery/v2.0/keys",
		})
	}
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", oidc)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", func(w http.ResponseWriter, r *http.Request) {
		writeTestJSON(w, 200, map[string]any{"keys": []any{a.key.jwk(nil)}})
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		a.tokenHits.Add(1)
		r.ParseForm()
		if r.PathValue("tenant") != testTenant || r.Form.Get("client_id") != testAppID || r.Form.Get("client_secret") != testSecret ||
			!slices.Contains(strings.Fields(r.Form.Get("scope")), bot.ConnectorScope) {
			writeTestJSON(w, 400, map[string]any{"error": "invalid_client"})
			return
		}
		tok := a.key.sign(t, jwt.SigningMethodRS256, a.key.kid, jwt.MapClaims{
			"aud": "https://api.botframework.com", "iss": a.srv.URL + "/" + testTenant + "/v2.0",
			"exp": time.Now().Add(time.Hour).Unix(), "appid": testAppID,
		})
		a.lastToken.Store(tok)
		writeTestJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": tok})
	})
	a.srv = httptest.NewTLSServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

// sent is one activity the connector received.
type sent struct {
	// ID is the id the connector gave the message.
	ID           string
	Method, Path string
	Auth         string
	Raw          []byte
	Activity     struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		ReplyToID   string `json:"replyToId"`
		Attachments []struct {
			ContentType string          `json:"contentType"`
			Content     json.RawMessage `json:"content"`
		} `json:"attachments"`
	}
}

// cardText is the card's visible text, for assertions.
func (s sent) cardText() string {
	var b strings.Builder
	for _, a := range s.Activity.Attachments {
		b.Write(a.Content)
	}
	return s.Activity.Text + b.String()
}

// connector is the fake Bot Connector.
type connector struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []sent
	seq atomic.Int64
	// fail, when set, answers instead of accepting (for retry tests).
	fail func(n int64) (status int, retryAfter string)
	// failFirst, when set, answers 502 to the first sending of each
	// request it picks: its retry, the same body again, goes through.
	failFirst func(n int64) bool
	failed    sync.Map // sha256 of the bodies failFirst failed
	// refuse, when set, answers a status other than 0 it gives for a
	// request's path instead of accepting it (one chat that refuses).
	refuse func(path string) int
	hits   atomic.Int64
	// members answers GET .../members/{id}: the ids (aadObjectId) in
	// each conversation or team; anything else is a 404.
	members map[string][]string
}

// failWhile makes the connector answer 503 (retried, then given up) while
// down is set.
func (c *connector) failWhile(down *atomic.Bool) {
	c.fail = func(int64) (int, string) {
		if down.Load() {
			return http.StatusServiceUnavailable, ""
		}
		return 0, ""
	}
}

// refuseWhile makes the connector refuse (403, not retried) while down is
// set.
func (c *connector) refuseWhile(down *atomic.Bool) {
	c.refuse = func(string) int {
		if down.Load() {
			return http.StatusForbidden
		}
		return 0
	}
}

func newConnector(t testing.TB) *connector {
	c := &connector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.hits.Add(1)
		if c.failFirst != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			sum := sha256.Sum256(append([]byte(r.URL.Path), body...))
			if _, again := c.failed.Load(sum); !again && c.failFirst(n) {
				c.failed.Store(sum, true)
				writeTestJSON(w, http.StatusBadGateway, map[string]any{"error": map[string]string{"code": "BadGateway"}})
				return
			}
		}
		if c.fail != nil {
			if status, ra := c.fail(n); status != 0 {
				if ra != "" {
					w.Header().Set("Retry-After", ra)
				}
				writeTestJSON(w, status, map[string]any{"error": map[string]string{"code": "Throttled"}})
				return
			}
		}
		if c.refuse != nil {
			if status := c.refuse(r.URL.Path); status != 0 {
				writeTestJSON(w, status, map[string]any{"error": map[string]string{"code": "BotDisabledByAdmin"}})
				return
			}
		}
		if r.Method == http.MethodGet {
			c.member(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		s := sent{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Raw: body}
		if strings.HasSuffix(r.URL.Path, "/v3/conversations") && strings.Contains(string(body), `"channel"`) {
			// A new channel thread: Teams names it after its first message.
			var p struct {
				Activity    json.RawMessage `json:"activity"`
				ChannelData struct {
					Channel struct{ ID string } `json:"channel"`
				} `json:"channelData"`
			}
			json.Unmarshal(body, &p)
			json.Unmarshal(p.Activity, &s.Activity)
			keepCards(s)
			id := fmt.Sprintf("bot-msg-%d", c.seq.Add(1))
			conv := p.ChannelData.Channel.ID + ";messageid=" + id
			s.Path += "/" + conv + "/activities"
			c.mu.Lock()
			c.got = append(c.got, s)
			c.mu.Unlock()
			writeTestJSON(w, 201, map[string]string{"id": conv, "activityId": id})
			return
		}
		json.Unmarshal(body, &s.Activity)
		keepCards(s)
		s.ID = fmt.Sprintf("bot-msg-%d", c.seq.Add(1))
		c.mu.Lock()
		c.got = append(c.got, s)
		c.mu.Unlock()
		writeTestJSON(w, 201, map[string]string{"id": s.ID})
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// keepCards writes each Adaptive Card the connector receives to the
// directory MFADESK_CARD_DUMP names, if any, one file per distinct card:
// CI checks every card the tests sent with Microsoft's own library
// (tools/cardcheck).
func keepCards(s sent) {
	dir := os.Getenv("MFADESK_CARD_DUMP")
	if dir == "" {
		return
	}
	for _, a := range s.Activity.Attachments {
		if a.ContentType != "application/vnd.microsoft.card.adaptive" {
			continue
		}
		sum := sha256.Sum256(a.Content)
		os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:12])+".json"), a.Content, 0o644)
	}
}

// member answers GET /v3/conversations/{conv}/members/{id}.
func (c *connector) member(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/teams/v3/conversations/"), "/")
	if len(parts) == 3 && parts[1] == "members" {
		conv, id := parts[0], parts[2]
		c.mu.Lock()
		ids := c.members[conv]
		c.mu.Unlock()
		if slices.Contains(ids, id) || strings.HasPrefix(id, "29:1user-") && strings.HasPrefix(conv, "a:") {
			writeTestJSON(w, 200, map[string]string{"id": id, "aadObjectId": id, "name": "member", "userPrincipalName": "user@contoso.example"})
			return
		}
	}
	writeTestJSON(w, 404, map[string]any{"error": map[string]string{"code": "MemberNotFoundInConversation"}})
}

func (c *connector) serviceURL() string { return c.srv.URL + "/teams/" }

// sentTo returns what was sent into one conversation.
func (c *connector) sentTo(conversationID string) []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []sent
	for _, s := range c.got {
		if strings.Contains(s.Path, "/v3/conversations/"+conversationID+"/") {
			out = append(out, s)
		}
	}
	return out
}

func (c *connector) all() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sent(nil), c.got...)
}

// env is a bot wired as main wires it, against the fake cloud.
type env struct {
	// signIns is the default effects' sign-in log reader: a test may
	// give it another Graph before its first turn.
	signIns   *bot.SignInLog
	t         testing.TB
	idp       *idp
	authority *authority
	conn      *connector
	dbPath    string
	store     *store.DB
	handler   http.Handler
	runner    *bot.Runner
	log       *zap.Logger
	clock     func() time.Time // the runner's, if not time.Now
	dialogs   map[string]dialogs.Dialog
	effects   bot.EffectRunner
	effectsFn func(*store.DB) bot.EffectRunner
	deskCfg   *bot.HelpdeskConfig
	approval  bool
	tickets   *bot.Tickets
	pgDSN     string // the store is this PostgreSQL database, not a file
	pgConns   int    // its connection budget
	// waits keeps runner.Wait from overlapping a request (which would reuse
	// the runner's WaitGroup while it is being waited on) when a test posts
	// from several goroutines.
	waits *sync.RWMutex
	// metrics is what the bot reported, as GET /metrics would show it.
	metrics *prometheus.Registry
	// stepUpFn, set by withStepUp, builds the step-up that changes need;
	// stepUp is the one in use, whose ServeHTTP is the sign-in callback.
	stepUpFn func() *bot.StepUp
	stepUp   *bot.StepUp
	// chats makes the runner remember people's 1:1 chats, as main's does.
	chats bool
}

type envOption func(*env)

func withLogger(l *zap.Logger) envOption                { return func(e *env) { e.log = l } }
func withClock(now func() time.Time) envOption          { return func(e *env) { e.clock = now } }
func withDialogs(d map[string]dialogs.Dialog) envOption { return func(e *env) { e.dialogs = d } }
func withEffects(r bot.EffectRunner) envOption          { return func(e *env) { e.effects = r } }

// withDesk turns on helpdesk escalation; approval also turns on
// SELF_SERVICE_WRITES=approval.
func withDesk(cfg bot.HelpdeskConfig, approval bool) envOption {
	return func(e *env) { e.deskCfg, e.approval = &cfg, approval }
}

// withStepUp makes changes need a real step-up sign-in, as main wires it:
// f builds the StepUp (Provider, Users, Now) on each (re)start, and the
// harness gives it the store, the logger and the runner. It has no effect
// with withEffects or withEffectsFunc. The callback is e.stepUp.
func withStepUp(f func() *bot.StepUp) envOption { return func(e *env) { e.stepUpFn = f } }

// withPersonalChats makes the bot remember each person's 1:1 chat (and
// its locale), as main wires it, for messages the bot sends first.
func withPersonalChats() envOption { return func(e *env) { e.chats = true } }

// withPostgres runs the bot on the PostgreSQL database dsn, as a replica
// sharing it with others would, with the default connection budget.
func withPostgres(dsn string) envOption { return func(e *env) { e.pgDSN = dsn } }

// withConnections gives the bot's PostgreSQL store a budget of n
// connections.
func withConnections(n int) envOption { return func(e *env) { e.pgConns = n } }

// withEffectsFunc builds the effect runner on each (re)start's store.
func withEffectsFunc(f func(*store.DB) bot.EffectRunner) envOption {
	return func(e *env) { e.effectsFn = f }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, idp: newIDP(t), authority: newAuthority(t), conn: newConnector(t), log: zap.NewNop(),
		dbPath: filepath.Join(t.TempDir(), "mfadesk.db"), pgConns: store.DefaultMaxConns}
	for _, o := range opts {
		o(e)
	}
	e.start()
	return e
}

// start (re)builds the bot on the same database file, as a restart would.
func (e *env) start() {
	t := e.t
	var st *store.DB
	var err error
	if e.pgDSN != "" {
		st, err = store.OpenPostgres(t.Context(), e.pgDSN, e.pgConns)
	} else {
		st, err = store.OpenSQLite(t.Context(), e.dbPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	t.Cleanup(func() { st.Close() })
	client := e.authority.srv.Client() // trusts the authority's certificate
	auth := bot.NewAuthenticator(bot.AuthConfig{
		AppID: testAppID, TenantID: testTenant, OpenIDMetadataURL: e.idp.metadataURL(),
		AuthorityHost: e.authority.srv.URL + "/", HTTPClient: client,
	})
	cred, err := bot.NewCredential(bot.CredentialConfig{
		AppType: bot.SingleTenant, AppID: testAppID, Password: testSecret, TenantID: testTenant,
		AuthorityHost: e.authority.srv.URL + "/", Transport: client,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.metrics = prometheus.NewRegistry()
	metrics := bot.NewMetrics(e.metrics)
	// A transport of its own: httptest.Server.Close, in parallel tests,
	// closes http.DefaultTransport's idle connections under a request.
	conn := bot.NewConnector(&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}, bot.NewTokenCache(cred))
	conn.SetMetrics(metrics)
	effects := e.effects
	if e.effectsFn != nil {
		effects = e.effectsFn(st)
	}
	stepUp := &bot.StepUp{Off: true}
	if e.stepUpFn != nil {
		stepUp = e.stepUpFn()
		stepUp.Store, stepUp.Audit, stepUp.Log = st, st, e.log
	}
	if effects == nil {
		effects = &bot.Effects{Feedback: st, Graph: sharedGraph, Changes: st, Region: "JP", Now: time.Now, Log: e.log,
			Policy: bot.RateLimit{Store: st, PerHour: 5}, StepUp: stepUp, Privilege: &bot.Privilege{Graph: sharedGraph},
			Passes: sharedGraph, Sessions: sharedGraph, TAPLifetime: 60, TAPOnce: true,
			SignIns: &bot.SignInLog{Graph: sharedGraph, Log: e.log, Now: time.Now}}
		e.signIns = effects.(*bot.Effects).SignIns
	}
	runner := bot.NewRunner(st, dialogs.NewRouter(testKB(t), e.dialogs), conn, effects, e.log)
	if e.stepUpFn != nil {
		stepUp.Runner = runner
		e.stepUp = stepUp
	}
	if x, ok := effects.(*bot.Effects); ok {
		x.Runner, x.Chats = runner, conn
	}
	if locks := st.ConversationLocks(); locks != nil {
		runner.ShareLocks(locks)
	}
	runner.SetMetrics(metrics)
	if e.clock != nil {
		runner.SetClock(e.clock)
	}
	if e.chats {
		runner.RememberChats(&bot.PersonalChats{Store: st, Log: e.log, Now: time.Now})
	}
	e.runner = runner
	e.waits = &sync.RWMutex{}
	if e.deskCfg != nil {
		x := effects.(*bot.Effects)
		x.Approval = e.approval
		d := bot.NewTickets(*e.deskCfg, e.log)
		d.Store, d.Conn, d.Graph, d.Agents, d.Audit = st, conn, sharedGraph, sharedGraph, st
		if x, ok := effects.(*bot.Effects); ok {
			d.SignIns = x.SignIns
		}
		d.Metrics = metrics
		if locks := st.TicketLocks(); locks != nil {
			d.ShareLocks(locks)
		}
		runner.SetTickets(d)
		e.tickets = d
	}
	handler := bot.NewHandler(auth, []string{testTenant}, runner, e.log)
	handler.SetMetrics(metrics)
	e.handler = bot.Routes(handler, st.Ping, e.log)
}

// replica starts a second bot on the same database, talking to the same
// fake cloud: another replica behind the load balancer. opts may change
// how it reaches the database (its budget, its application_name).
func (e *env) replica(opts ...envOption) *env {
	r := *e
	for _, o := range opts {
		o(&r)
	}
	r.start()
	return &r
}

// restart closes the store and starts a new bot on the same file.
func (e *env) restart() {
	e.store.Close()
	e.start()
}

type activity map[string]any

var seq atomic.Int64

func nextID() string { return fmt.Sprintf("1732%09d", seq.Add(1)) }

// message is a Teams personal-chat message from user n of the test tenant.
func (e *env) message(conv string, text string) activity {
	return activity{
		"type": "message", "id": nextID(), "timestamp": "2026-11-21T10:00:00.1234567Z",
		"serviceUrl": e.conn.serviceURL(), "channelId": channelTeams,
		"from":         map[string]any{"id": "29:1user-" + conv, "name": "山田 花子", "aadObjectId": aadFor(conv)},
		"conversation": map[string]any{"id": conv, "conversationType": "personal", "tenantId": testTenant},
		"recipient":    map[string]any{"id": "28:" + testAppID, "name": "MFA Desk"},
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
		"locale":       "ja-JP", "text": text, "textFormat": "plain",
	}
}

func (e *env) conversationUpdate(conv string) activity {
	a := e.message(conv, "")
	delete(a, "text")
	a["type"] = "conversationUpdate"
	a["membersAdded"] = []any{map[string]any{"id": "29:1user-" + conv}, map[string]any{"id": "28:" + testAppID}}
	return a
}

func (e *env) submit(conv string, data map[string]any) activity {
	a := e.message(conv, "")
	delete(a, "text")
	a["value"] = data
	return a
}

// clickedCardID is the activity id of the card every test click is on.
const clickedCardID = "bot-msg-clicked"

// execute is an Action.Execute click, as Teams sends it: an invoke named
// adaptiveCard/action.
func (e *env) execute(conv, verb string, data map[string]any) activity {
	a := e.message(conv, "")
	delete(a, "text")
	a["type"], a["name"] = "invoke", "adaptiveCard/action"
	a["replyToId"] = clickedCardID // Teams names the card that was clicked
	a["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
	return a
}

// post sends an activity with a valid token, or with authz when given.
func (e *env) post(a activity, authz ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	body, err := json.Marshal(a)
	if err != nil {
		e.t.Fatal(err)
	}
	var h string
	if len(authz) > 0 {
		h = authz[0]
	} else {
		h = "Bearer " + e.idp.token(e.t, e.conn.serviceURL())
	}
	return e.postRaw(body, h)
}

func (e *env) postRaw(body []byte, authz string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	rec := httptest.NewRecorder()
	e.waits.RLock()
	e.handler.ServeHTTP(rec, req)
	e.waits.RUnlock()
	e.waits.Lock()
	e.runner.Wait() // effects of card clicks finish after the answer
	e.waits.Unlock()
	return rec
}

func writeTestJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newRecorder(e *env, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

// testKB is the built-in knowledge base.
func testKB(t testing.TB) *faq.KB {
	t.Helper()
	kb, err := faq.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

// aadFor gives each test conversation its own person (object id), so that
// tests sharing the Graph simulator never see each other's methods.
func aadFor(conv string) string {
	h := sha256.Sum256([]byte(conv))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-8" + x[17:20] + "-" + x[20:32]
}

// The Graph simulator and client shared by every test: msgraph-sdk-go must
// not build a client while another one is decoding (see graph.New), so the
// one client is built before any test runs.
var (
	sharedSim   *sim.Server
	sharedGraph *graph.Client
)

func TestMain(m *testing.M) {
	sharedSim = sim.New()
	srv := httptest.NewServer(sharedSim)
	c, err := graph.New(graph.Config{Credential: staticToken{}, BaseURL: srv.URL + "/v1.0", Timeout: 5 * time.Second, RetryWait: 2 * time.Second,
		Transport: &http.Transport{}})
	if err != nil {
		panic(err)
	}
	sharedGraph = c
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

type staticToken struct{}

func (staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "test", ExpiresOn: time.Now().Add(time.Hour)}, nil
}
