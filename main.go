// Command mfadesk is a Microsoft Teams bot that helps people with
// multi-factor authentication and hands the hard cases to their helpdesk.
// Run it without arguments to serve; run "mfadesk help" for the rest.
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // TIME_ZONE works where the host has no zone files (a container)

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/bot/campaign"
	"github.com/mfadesk/mfadesk/bot/stepup"
	"github.com/mfadesk/mfadesk/bot/stepup/signinsim"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/graph/sim"
	"github.com/mfadesk/mfadesk/manifest"
	"github.com/mfadesk/mfadesk/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		return serveCommand()
	case "faq":
		return faqCommand(args[1:], os.Stdin, os.Stdout, os.Stderr)
	case "graph":
		return graphCommand(args[1:], os.Stdout, os.Stderr)
	case "audit":
		return auditCommand(args[1:], os.Stdout, os.Stderr)
	case "doctor":
		return doctorCommand(args[1:], os.Getenv, os.Stdout, os.Stderr)
	case "purge":
		return purgeCommand(args[1:], os.Getenv, os.Stdout, os.Stderr)
	case "reset":
		return resetCommand(args[1:], os.Getenv, os.Stdout, os.Stderr)
	case "tickets":
		return ticketsCommand(args[1:], os.Stdout, os.Stderr)
	case "campaign":
		return campaignCommand(args[1:], os.Stdout, os.Stderr)
	case "manifest":
		return manifestCommand(args[1:], os.Getenv, os.Stdout, os.Stderr)
	case "help", "-h", "-help", "--help":
		fmt.Print(usage())
		return 0
	case "version", "--version":
		fmt.Println("mfadesk", version)
		return 0
	}
	fmt.Fprintf(os.Stderr, "mfadesk: unknown command %q\n\n%s", cmd, usage())
	return 2
}

func serveCommand() int {
	if os.Getenv("GOGC") == "" {
		// Most of the live heap is the Japanese dictionary's arrays, which
		// hold no pointers and which a collection does not scan: collecting
		// twice as often as Go's default costs little CPU and keeps the
		// process's memory a sixth lower under load.
		debug.SetGCPercent(50)
	}
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mfadesk: configuration:", err)
		return 2
	}
	// The port opens first: a request that comes while the rest starts
	// waits in the listen queue (it is accepted once the server runs)
	// rather than being refused, and the platform's probe sees the
	// process up at once.
	ln, err := net.Listen("tcp", cfg.listenAddr())
	if err != nil {
		fmt.Fprintf(os.Stderr, "mfadesk: listen on %s: %v\n", cfg.listenAddr(), err)
		return 1
	}
	defer ln.Close()
	kb, err := faq.Load(cfg.FAQFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mfadesk: knowledge base (FAQ_FILE):", err)
		return 2
	}
	log, err := newLogger(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mfadesk: logger:", err)
		return 2
	}
	defer log.Sync()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if cfg.Playground {
		if pg := planPlaygrounds(log); pg != nil {
			if cfg.Helpdesk.ChannelID != "" {
				cfg.Helpdesk.ServiceURL = pg.agentConnector()
			}
			addr, _ := net.ResolveTCPAddr("tcp", cfg.listenAddr())
			go pg.start(ctx, loopbackAddr(addr), log)
			defer pg.stop()
		}
	}
	if err := serve(ctx, cfg, ln, kb, log); err != nil {
		log.Error("stopped", zap.Error(err))
		return 1
	}
	return 0
}

// serve runs the bot on ln until ctx ends, then shuts down gracefully: it
// stops accepting requests, lets in-flight turns finish, then closes the
// store.
func serve(ctx context.Context, cfg config, ln net.Listener, kb *faq.KB, log *zap.Logger) error {
	st, err := openStore(ctx, cfg.DatabaseURL, cfg.DatabaseConns, cfg.DataDir)
	if err != nil {
		return err
	}
	defer st.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)
	bot.ObservePools(reg, st.PoolStats)
	// The clock of what people read: the organisation's zone (TIME_ZONE).
	now := func() time.Time { return time.Now().In(cfg.Zone) }
	campaign.Observe(reg, cfg.CampaignName, st, cfg.Tenant, now)

	httpClient := &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        200,
			MaxIdleConnsPerHost: 100, // every reply goes to the same connector host
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			// A reply with its card is 3–8 KB: with the default 4 KB
			// buffer its request went out in two writes.
			WriteBufferSize:   32 << 10,
			ForceAttemptHTTP2: true,
		},
	}
	var (
		auth       *bot.Authenticator
		connector  *bot.Connector
		localProxy string
	)
	if connector, err = newConnector(cfg, httpClient); err != nil {
		return err
	}
	if cfg.local() {
		localProxy = "it starts with the bot (PLAYGROUND=on): open the addresses it logs"
		if !cfg.Playground {
			localProxy = "npm --prefix tools/playground ci (once), npm --prefix tools/playground start, then open http://localhost:56150"
		}
	} else {
		auth = bot.NewAuthenticator(bot.AuthConfig{
			AppID: cfg.AppID, TenantID: cfg.AppTenantID,
			OpenIDMetadataURL: cfg.OpenIDMetadata, AuthorityHost: cfg.AuthorityHost,
		})
		go func() {
			if err := auth.Warm(ctx); err != nil {
				log.Warn("could not fetch token signing keys yet; will retry on the first request", zap.Error(err))
			}
		}()
	}

	connector.SetMetrics(metrics)

	// The Graph client is built before any request is served (see graph.New).
	graphBase := cfg.GraphBaseURL
	if cfg.GraphMode == graphSimulator {
		graphBase = "http://" + loopbackAddr(ln.Addr()) + "/graph-simulator/v1.0"
	} else if err := checkGraphCredential(ctx, cfg); err != nil {
		return err
	}
	graphClient, err := newGraphClient(cfg, graphBase, metrics.InstrumentGraph(nil))
	if err != nil {
		return err
	}

	router := dialogs.NewRouter(kb, nil)
	router.SetTenant(cfg.Tenant)
	// The matcher (the Japanese dictionary, the classifier) is built while
	// the server starts; /readyz says ready once it is, and a question
	// arriving before that waits for it.
	if cfg.CacheDir != "" {
		faq.SetLexiconCache(cfg.CacheDir)
	}
	go func() {
		start := time.Now()
		// Building it leaves more garbage than it keeps: collected often,
		// the garbage does not raise the process's peak memory.
		gc := debug.SetGCPercent(20)
		kb.Warm()
		debug.SetGCPercent(gc)
		debug.FreeOSMemory()
		dictionary := faq.LexiconSource()
		log.Info("knowledge base ready", zap.Int("topics", len(kb.Entries)), zap.Duration("took", time.Since(start)), zap.String("dictionary", dictionary))
		if strings.HasPrefix(dictionary, "memory (") {
			log.Warn("the Japanese dictionary is held in memory, not mapped from an image: set CACHE_DIR to a writable directory to save about 40 MB and half a second at start", zap.String("dictionary", dictionary))
		}
	}()
	go reloadOnHangup(ctx, cfg.FAQFile, router, log)

	var graphSim *sim.Server
	if cfg.GraphMode == graphSimulator {
		if graphSim, err = newGraphSimulator(cfg, log); err != nil {
			return err
		}
	}
	stepUp, signinSim, err := newStepUp(cfg, ln.Addr(), httpClient, graphSim, log)
	if err != nil {
		return err
	}
	stepUp.Store, stepUp.Users, stepUp.Audit = st, graphClient, st
	effects := &bot.Effects{Feedback: st, Graph: graphClient, Changes: st, Region: cfg.PhoneRegion, Now: now, Log: log,
		Policy: bot.RateLimit{Store: st, PerHour: cfg.WriteLimit}, StepUp: stepUp, Approval: cfg.Approval,
		Passes: graphClient, Sessions: graphClient, TAPLifetime: cfg.Helpdesk.TAPLifetime, TAPOnce: cfg.Helpdesk.TAPOnce}
	runner := bot.NewRunner(st, router, connector, effects, log)
	runner.SetClock(now)
	stepUp.Runner, effects.Runner, effects.Chats = runner, runner, connector
	// Off by itself while Graph refuses the sign-in log (no permission or
	// no licence): mfadesk doctor says which.
	effects.SignIns = &bot.SignInLog{Graph: graphClient, Log: log.Named("signins"), Now: now}
	notices := &bot.Notices{Graph: graphClient, From: cfg.NotifyFrom, Log: log.Named("notices"), Now: now}
	privilege := &bot.Privilege{Graph: graphClient, GroupID: cfg.ProtectedGroup}
	effects.Notices, effects.Privilege, effects.Campaign = notices, privilege, st
	runner.SetMetrics(metrics)
	runner.RememberChats(&bot.PersonalChats{Store: st, Log: log, Now: time.Now})
	if locks := st.ConversationLocks(); locks != nil {
		runner.ShareLocks(locks) // replicas share the database
	}
	dialogs.HelpdeskLang = cfg.HelpdeskLang
	credentials := &bot.CredentialWatch{Graph: graphClient, AppID: cfg.AppID, Configured: cfg.SecretExpires, Now: now,
		Log: log.Named("credential"), Once: func(ctx context.Context, name string, at time.Time, every time.Duration, job func() error) (bool, error) {
			return st.OnceEvery(ctx, name, replicaName(), at, every, job)
		}}
	credentials.Observe(reg)
	if cfg.Helpdesk.ChannelID != "" {
		tickets := bot.NewTickets(cfg.Helpdesk, log.Named("helpdesk"))
		credentials.Announce = func(ctx context.Context, text string) error {
			return tickets.Announce(ctx, cfg.AppTenantID, cfg.BotServiceURL, text)
		}
		tickets.Store, tickets.Conn, tickets.Graph, tickets.Agents, tickets.Audit = st, connector, graphClient, graphClient, st
		tickets.SignIns = effects.SignIns
		tickets.Metrics = metrics
		if locks := st.TicketLocks(); locks != nil {
			tickets.ShareLocks(locks)
		}
		runner.SetTickets(tickets)
		log.Info("helpdesk escalation on", zap.String("channel", cfg.Helpdesk.ChannelID), zap.String("agent_group", cfg.Helpdesk.GroupID),
			zap.Bool("approval_mode", cfg.Approval))
	} else {
		log.Info("helpdesk escalation off: set HELPDESK_CHANNEL_ID to post tickets in a Teams channel")
	}
	handler := bot.NewHandler(auth, cfg.tenants(), runner, log)
	handler.SetMetrics(metrics)
	ready := func(ctx context.Context) error {
		if !kb.Warmed() {
			return errors.New("knowledge base still loading")
		}
		return st.Ping(ctx)
	}
	routes := withPages(bot.Routes(handler, ready, log), manifest.Pages(cfg.RetentionDays, cfg.AuditDays), metricsHandler(reg, cfg.MetricsToken), stepUp)
	if graphSim != nil {
		routes = withSimulator(routes, "/graph-simulator", graphSim)
	}
	if signinSim != nil {
		routes = withSimulator(routes, "/signin-simulator", signinSim)
	}
	srv := &http.Server{
		Handler:           routes,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(log.Named("http")),
	}
	if cfg.local() {
		log.Info("local mode: no MicrosoftAppId, so authentication is off and only this machine can connect; talk to the bot with the Agents Playground: "+localProxy,
			zap.String("addr", ln.Addr().String()), zap.String("store", st.Name()))
	} else {
		log.Info("listening", zap.String("addr", ln.Addr().String()), zap.String("app_type", cfg.AppType), zap.String("store", st.Name()))
	}
	if cfg.GraphMode == graphSimulator {
		log.Info("Graph simulator: the sign-in methods the bot reads and changes are simulated; read them at http://" + ln.Addr().String() + "/graph-simulator/v1.0/users/{id}/authentication/methods")
	}

	go housekeeping(ctx, st, runner, cfg.retention, now, log)
	if !cfg.local() { // local mode has no app registration
		go every(ctx, time.Hour, func() { credentials.Check(ctx) })
	}
	go ticketTicks(ctx, runner, cfg.Helpdesk.ChannelID != "")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight turns")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	runner.Wait() // changes confirmed by a card click finish and report
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}

// newConnector is the Bot Connector client: with the bot's credential, or
// none in local mode (the playground asks for no token).
func newConnector(cfg config, httpClient *http.Client) (*bot.Connector, error) {
	if cfg.local() {
		return bot.NewConnector(httpClient, nil), nil
	}
	cred, err := bot.NewCredential(bot.CredentialConfig{
		AppType: cfg.AppType, AppID: cfg.AppID, Password: string(cfg.AppPassword),
		TenantID: cfg.AppTenantID, AuthorityHost: cfg.AuthorityHost,
	})
	if err != nil {
		return nil, fmt.Errorf("connector credential: %w", err)
	}
	return bot.NewConnector(httpClient, bot.NewTokenCache(cred)), nil
}

// loopbackAddr is how the bot reaches its own listener: through the
// loopback address even when it listens on all interfaces.
func loopbackAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// openStore opens the bot's database: PostgreSQL when url is set, with at
// most maxConns connections, else the SQLite file in dataDir, created if
// needed.
func openStore(ctx context.Context, url secret, maxConns int, dataDir string) (*store.DB, error) {
	if url != "" {
		return store.OpenPostgres(ctx, string(url), maxConns)
	}
	return store.OpenSQLite(ctx, filepath.Join(dataDir, "mfadesk.db"))
}

// withPages serves, next to the bot's routes, the app's public pages
// (about, privacy, terms of use; the Teams app package links to them), the
// Prometheus metrics and the step-up sign-in's callback.
func withPages(routes, pages, metrics, signinCallback http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", pages)
	mux.Handle("GET "+manifest.PrivacyPath, pages)
	mux.Handle("GET "+manifest.TermsPath, pages)
	mux.Handle("GET /metrics", metrics)
	mux.Handle(bot.CallbackPath, signinCallback)
	mux.Handle("/", routes)
	return mux
}

// newStepUp builds the step-up sign-in from the configuration: Microsoft
// Entra, or the built-in simulator (returned too, to be served), or off.
// The caller fills in the store, the Graph reader, the audit log and the
// runner.
func newStepUp(cfg config, addr net.Addr, client *http.Client, graphSim *sim.Server, log *zap.Logger) (*bot.StepUp, *signinsim.Server, error) {
	s := &bot.StepUp{Off: cfg.StepUp.Off, Now: time.Now, Log: log.Named("stepup")}
	c := cfg.StepUp
	if c.Off {
		log.Warn("STEP_UP=off: changes of sign-in methods need no fresh sign-in, so a stolen Teams session is enough to change how someone signs in; never run a real organisation like this")
		return s, nil, nil
	}
	pc := stepup.Config{Authority: cfg.AuthorityHost, ClientID: c.ClientID, ClientSecret: string(c.ClientSecret),
		RedirectURL: c.PublicURL + bot.CallbackPath, AuthContext: c.AuthContext, MaxAge: c.MaxAge, HTTPClient: client}
	var simulator *signinsim.Server
	if c.Mode == signinSimulator {
		base := "http://" + loopbackAddr(addr) + "/signin-simulator"
		if pc.ClientID == "" {
			pc.ClientID = "mfadesk-local"
		}
		if pc.ClientSecret == "" {
			// Local mode has no app secret; the simulator and the bot share
			// one made up for this run.
			sec, err := stepup.NewRequest()
			if err != nil {
				return nil, nil, err
			}
			pc.ClientSecret = sec.State
		}
		pc.Authority = base + "/"
		opts := []signinsim.Option{signinsim.WithClient(pc.ClientID, pc.ClientSecret, pc.RedirectURL)}
		if graphSim != nil {
			// Sign in the people the Graph simulator knows, with their
			// object ids.
			opts = append(opts, signinsim.WithDirectory(func(hint string) (signinsim.Person, bool) {
				p, ok := graphSim.Person(hint)
				return signinsim.Person{ID: p.ID, Name: p.DisplayName, UPN: p.UserPrincipalName}, ok
			}))
		}
		simulator = signinsim.New(base, opts...)
		if !cfg.local() {
			log.Warn("SIGNIN_MODE=simulator on a registered bot: step-up sign-ins are simulated and anyone can pass them; for testing only")
		}
		log.Info("sign-in simulator: step-up sign-ins open " + base + " in the browser (simulated Microsoft Entra)")
	} else if c.AuthContext == "" {
		log.Warn("STEP_UP_AUTH_CONTEXT is empty: Microsoft Entra's v2.0 ID tokens carry no amr claim, so no sign-in can show MFA and every change will be refused; set it to a Conditional Access authentication context (README, Security)")
	}
	s.Provider = stepup.New(pc)
	return s, simulator, nil
}

// withSimulator serves a simulator under prefix next to the bot's routes,
// so that local mode runs the real clients over HTTP against it and a
// person or test can read what happened.
func withSimulator(routes http.Handler, prefix string, simulator http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, simulator))
	mux.Handle("/", routes)
	return mux
}

// metricsHandler serves reg in Prometheus' format, to scrapers that send
// the bearer token when one is configured.
func metricsHandler(reg *prometheus.Registry, token secret) http.Handler {
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + string(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// newGraphSimulator builds the Graph simulator that local mode's real
// Graph client talks to, seeded from GRAPH_SIMULATOR_SEED.
func newGraphSimulator(cfg config, log *zap.Logger) (*sim.Server, error) {
	var users []sim.SeedUser
	if cfg.GraphSeedFile != "" {
		var err error
		if users, err = sim.LoadSeedFile(cfg.GraphSeedFile); err != nil {
			return nil, fmt.Errorf("GRAPH_SIMULATOR_SEED: %w", err)
		}
	}
	if cfg.Helpdesk.GroupID == playgroundAgents {
		users = withPlaygroundAgents(users)
	}
	var opts []sim.Option
	if len(users) > 0 {
		opts = append(opts, sim.WithSeed(users))
	}
	if !cfg.local() {
		log.Warn("GRAPH_MODE=simulator on a registered bot: sign-in methods are simulated and nothing reaches Microsoft Graph")
	}
	return sim.New(opts...), nil
}

// withPlaygroundAgents adds the playground's two helpdesk agents (see
// tools/playground/.m365agentsplayground.yml) to the simulated tenant, in
// local mode's agent group, unless the seed file has them already. Its
// other people, the student of the person's playground among them, are no
// agents: the agent's playground (tools/playground/agent.yml) is 佐藤.
func withPlaygroundAgents(users []sim.SeedUser) []sim.SeedUser {
	agents := []sim.SeedUser{
		{ID: "18dc62b3-5391-49bd-b281-3bf45403d996", DisplayName: "佐藤 健一", UserPrincipalName: "sato.kenichi@example.ac.jp", Mail: "sato.kenichi@example.ac.jp"},
		{ID: "273919aa-4bda-48a5-a9f1-387508df301d", DisplayName: "鈴木 美咲", UserPrincipalName: "suzuki.misaki@example.ac.jp", Mail: "suzuki.misaki@example.ac.jp"},
	}
	for _, a := range agents {
		if slices.ContainsFunc(users, func(u sim.SeedUser) bool {
			return strings.EqualFold(u.ID, a.ID) || strings.EqualFold(u.UserPrincipalName, a.UserPrincipalName)
		}) {
			continue
		}
		a.Groups = []string{playgroundAgents}
		a.Phones = []sim.SeedPhone{{Type: "mobile", Number: "+81 9011112222"}}
		a.Authenticators = []sim.SeedDevice{{DisplayName: "iPhone 15"}}
		users = append(users, a)
	}
	return users
}

// reloadOnHangup reloads the knowledge base on SIGHUP. A file with mistakes
// is refused with the same message as at start, and the bot keeps answering
// from the last good one.
func reloadOnHangup(ctx context.Context, path string, router *dialogs.Router, log *zap.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			kb, err := faq.Load(path)
			if err != nil {
				log.Error("knowledge base not reloaded; still answering from the previous one", zap.Error(err))
				continue
			}
			kb.Warm() // the previous one answers meanwhile
			router.SetKnowledge(kb)
			log.Info("knowledge base reloaded", zap.String("source", kb.Source), zap.Int("topics", len(kb.Entries)))
		}
	}
}

// housekeeping runs at start and then once an hour: the daily retention
// purge when it is due, the daily reminder of temporary numbers in its
// morning window (clock tells the organisation's time), and it forgets old
// processed-activity ids, abandoned change flows (with the phone numbers
// they hold) idle for a day, and sign-in requests a day old. Running at
// start matters where the process rarely lives an hour.
func housekeeping(ctx context.Context, st *store.DB, runner *bot.Runner, retention func(time.Time) store.Retention, clock func() time.Time, log *zap.Logger) {
	holder := replicaName() // for the purge's lease
	once := func(ctx context.Context, name string, at time.Time, period time.Duration, job func() error) (bool, error) {
		return st.OnceEvery(ctx, name, holder, at, period, job)
	}
	clean := func() {
		// Once a day, by one replica: what RETENTION_DAYS and
		// AUDIT_RETENTION_DAYS say is old.
		now := time.Now()
		if p, ran, err := st.PurgeIfDue(ctx, retention(now), holder, now, 24*time.Hour); err != nil {
			log.Warn("retention purge failed; tried again within the hour", zap.Error(err))
		} else if ran {
			log.Info("retention purge", zap.Int64("conversations", p.Conversations), zap.Int64("tickets", p.Tickets),
				zap.Int64("feedback", p.Feedback), zap.Int64("chats", p.Chats), zap.Int64("audit", p.Audit))
		}
		day := time.Now().Add(-24 * time.Hour)
		if n, err := st.PruneActivities(ctx, day); err != nil {
			log.Warn("prune processed activities", zap.Error(err))
		} else if n > 0 {
			log.Debug("pruned processed activities", zap.Int64("rows", n))
		}
		if _, err := runner.ForgetIdleNumbers(ctx, st, day); err != nil {
			log.Warn("forget abandoned change flows", zap.Error(err))
		}
		if _, err := st.PruneStepUps(ctx, day); err != nil {
			log.Warn("prune sign-in requests", zap.Error(err))
		}
		if _, err := st.PruneLeases(ctx, day); err != nil {
			log.Warn("prune expired leases", zap.Error(err))
		}
		if _, err := remindIfDue(ctx, once, clock(), func(quietSince time.Time) error {
			_, err := runner.RemindTemporaryNumbers(ctx, st, quietSince)
			return err
		}); err != nil {
			log.Warn("temporary-number reminders failed; tried again within the hour", zap.Error(err))
		}
	}
	every(ctx, time.Hour, clean)
}

// The daily reminder of a temporary number goes out in a morning window of
// the organisation's day (TIME_ZONE): housekeeping runs hourly, so within
// the window's first hour unless no replica runs then. The window is
// shorter than remindEvery, and the rest of the day longer, so that
// OnceEvery neither runs it twice in a day nor skips a day.
const (
	reminderFrom, reminderUntil = 10, 18 // hours of the organisation's day
	remindEvery                 = 12 * time.Hour
)

// remindIfDue runs remind, through once (the store's OnceEvery, so by one
// replica), if now (the organisation's time) is in the reminder window and
// it has not run today. remind gets the start of now's day: people who
// were in their chat since then are not reminded today.
func remindIfDue(ctx context.Context, once func(ctx context.Context, name string, at time.Time, period time.Duration, job func() error) (bool, error),
	now time.Time, remind func(quietSince time.Time) error) (bool, error) {
	if h := now.Hour(); h < reminderFrom || h >= reminderUntil {
		return false, nil
	}
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	return once(ctx, "temp-number-reminder", now, remindEvery, func() error { return remind(dayStart) })
}

// ticketTicks posts tickets that could not be posted and reminds the
// helpdesk of unassigned ones, every minute.
func ticketTicks(ctx context.Context, runner *bot.Runner, on bool) {
	if !on {
		return
	}
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			runner.TickTickets(ctx)
		}
	}
}

// newLogger builds the zap logger: JSON for log collectors in production,
// readable console lines in local mode.
func newLogger(cfg config) (*zap.Logger, error) {
	zc := zap.NewProductionConfig()
	if cfg.LogFormat == "console" {
		zc = zap.NewDevelopmentConfig()
		zc.EncoderConfig.EncodeLevel = zapcore.CapitalLevelEncoder
		zc.DisableStacktrace = true
	}
	zc.Level = zap.NewAtomicLevelAt(cfg.LogLevel)
	zc.Sampling = nil // every refused request and failed reply matters
	zc.EncoderConfig.TimeKey = "time"
	zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return zc.Build()
}

// replicaName names this process among replicas, for leases.
func replicaName() string {
	h, err := os.Hostname()
	if err != nil {
		h = "mfadesk"
	}
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}

// every runs f now and then every period until ctx ends.
func every(ctx context.Context, period time.Duration, f func()) {
	f()
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}
