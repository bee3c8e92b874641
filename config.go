package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// secret is a configuration value that must never be printed or logged.
type secret string

func (secret) String() string   { return "[redacted]" }
func (secret) GoString() string { return "[redacted]" }

// config is everything the bot reads from the environment.
type config struct {
	Port           int
	BindAddress    string
	AppID          string
	AppPassword    secret
	AppTenantID    string
	AppType        string
	OpenIDMetadata string
	AuthorityHost  string
	AllowedTenants []string
	AllowAnonymous bool
	DataDir        string
	CacheDir       string         // the dictionary's image; empty: the user's cache directory
	Playground     bool           // local mode starts the Agents Playground in front of the bot
	Zone           *time.Location // TIME_ZONE: where the times people and agents read are
	SecretExpires  time.Time      // SECRET_EXPIRES: when MicrosoftAppPassword (or the certificate) expires; zero: unknown
	RetentionDays  int            // conversation state, closed tickets, feedback, known chats
	AuditDays      int            // audit entries
	DatabaseURL    secret         // PostgreSQL; empty: SQLite under DataDir
	DatabaseConns  int            // the replica's PostgreSQL connection budget
	MetricsToken   secret         // bearer token GET /metrics requires; empty: none
	LogLevel       zapcore.Level
	LogFormat      string
	FAQFile        string
	GraphMode      string   // graphReal or graphSimulator
	GraphBaseURL   string   // real Graph's root (GraphMode graph)
	GraphSeedFile  string   // users the simulator starts with
	GraphSimRoles  []string // the simulator token's permissions; nil: all
	PhoneRegion    string   // region of numbers typed without a country code
	WriteLimit     int      // changes per person per hour
	Helpdesk       bot.HelpdeskConfig
	Approval       bool // SELF_SERVICE_WRITES=approval
	StepUp         stepUpConfig
	NotifyFrom     string // the mailbox security notices are sent from
	ProtectedGroup string // Entra group whose members are not self-service
	HelpdeskLang   cards.Lang
	Tenant         faq.Tenant // the organisation's plan for SMS, voice and passkeys
	// The passkey campaign (mfadesk campaign).
	CampaignName, TeamsAppID, BotServiceURL string
}

// stepUpConfig is how the bot asks for a fresh sign-in before writes.
type stepUpConfig struct {
	Off          bool          // STEP_UP=off: writes need no sign-in (warned at every start)
	Mode         string        // signinEntra or signinSimulator
	MaxAge       time.Duration // how old the sign-in may be
	AuthContext  string        // Conditional Access authentication context id, "c1"; empty: amr must show MFA
	PublicURL    string        // the bot's own public root; the redirect URI is PublicURL + bot.CallbackPath
	ClientID     string        // app registration doing the sign-in; default MicrosoftAppId
	ClientSecret secret        // its secret; default MicrosoftAppPassword
}

// Sign-in modes.
const (
	signinEntra     = "entra"
	signinSimulator = "simulator"
)

// The playground's helpdesk team and channel (tools/playground), the
// helpdesk in local mode.
const (
	playgroundTeam    = "19:14a7e6995f05f052a55edf6bc9e801d2@thread.tacv2"
	playgroundChannel = "19:6c5c8a893db3386d24fca1efca3bcb34@thread.tacv2"
	// playgroundAgents is local mode's agent group; the Graph simulator
	// puts the playground's two helpdesk agents (佐藤 健一, 鈴木 美咲) in it.
	playgroundAgents = "5f1c2b7a-8e3d-4c6a-9b1f-0d2e4a6c8b10"
)

// envVar documents one environment variable for --help and the README.
// external marks variables read by a library (azidentity), not loadConfig.
type envVar struct {
	name, def, help string
	external        bool
}

// envVars lists every variable the bot reads, in the order --help shows them.
var envVars = []envVar{
	{"PORT", "3978", "port of the messaging endpoint (POST /api/messages), /healthz and /readyz", false},
	{"BIND_ADDRESS", "all interfaces; 127.0.0.1 in local mode", "address to listen on", false},
	{"MicrosoftAppId", "", "the Azure Bot's app (client) id; empty = local mode: no authentication, loopback only", false},
	{"MicrosoftAppPassword", "", "client secret of the app registration (SingleTenant, MultiTenant)", false},
	{"MicrosoftAppTenantId", "", "your Entra tenant id (required for SingleTenant and UserAssignedMSI)", false},
	{"MicrosoftAppType", "SingleTenant", "SingleTenant, MultiTenant (legacy) or UserAssignedMSI", false},
	{"BotOpenIdMetadata", bot.DefaultOpenIDMetadata, "Bot Framework OpenID metadata used to verify inbound tokens", false},
	{"AZURE_AUTHORITY_HOST", bot.DefaultAuthorityHost, "Entra authority for tokens (https; another cloud or a test authority)", false},
	{"ALLOWED_TENANTS", "", "comma-separated tenant ids accepted besides MicrosoftAppTenantId", false},
	{"BOT_ALLOW_ANONYMOUS", "false", "true allows local mode (no authentication) on a non-loopback address", false},
	{"DATA_DIR", "./data", "directory of the embedded SQLite database (mfadesk.db)", false},
	{"CACHE_DIR", "mfadesk in the user's cache directory ($XDG_CACHE_HOME, ~/.cache)", "where the Japanese dictionary's image (27 MB) is made on first start and mapped from at every later one; unwritable: the dictionary is read into memory at each start (about 40 MB more, 0.5 s slower)", false},
	{"DATABASE_URL", "", "PostgreSQL (postgres://user:password@host:5432/db?sslmode=require) shared by several replicas; empty: SQLite in DATA_DIR", false},
	{"DATABASE_MAX_CONNECTIONS", strconv.Itoa(store.DefaultMaxConns), "PostgreSQL connections one replica opens at most (2 to 1000); replicas times this, plus admin sessions, must stay under the server's max_connections", false},
	{"FAQ_FILE", "(built in)", "an edited copy of faq/knowledge.yaml to answer from; reloaded on SIGHUP", false},
	{"GRAPH_MODE", "simulator in local mode, graph otherwise", "graph: Microsoft Graph; simulator: the built-in Graph simulator (served under /graph-simulator/)", false},
	{"GRAPH_BASE_URL", graph.DefaultBaseURL, "Microsoft Graph's v1.0 root (another cloud); with the CLI in simulator mode, a running simulator", false},
	{"GRAPH_SIMULATOR_ROLES", "every permission the bot needs", "the Graph permissions the simulator's token grants, comma-separated (none: none), to see what mfadesk doctor says when one is missing", false},
	{"GRAPH_SIMULATOR_SEED", "", "JSON file of users the simulator starts with (unknown users are made up on first sight)", false},
	{"AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET", "", "Graph credentials (azidentity DefaultAzureCredential; also certificate, workload or managed identity); unset: the bot's own app registration", true},
	{"DEFAULT_PHONE_REGION", "JP", "region of phone numbers typed without a country code (ISO 3166 code)", false},
	{"WRITE_LIMIT_PER_HOUR", "5; 100 in local mode", "how many changes of sign-in methods one person may make per hour", false},
	{"HELPDESK_CHANNEL_ID", "the playground's channel in local mode; else none (escalation off)", "Teams channel id (19:...@thread.tacv2) where tickets are posted", false},
	{"HELPDESK_GROUP_ID", "the playground's agents in local mode; required with HELPDESK_CHANNEL_ID", "object id of the Entra security group whose members are helpdesk agents (transitive membership; guests never count)", false},
	{"HELPDESK_TEAM_ID", "the playground's team in local mode", "id of the helpdesk's team (19:...), to learn its service URL from any of its channels; who is an agent is HELPDESK_GROUP_ID's business", false},
	{"HELPDESK_LANGUAGE", "ja", "language of the ticket cards and notes in the helpdesk channel: ja, en or both (Japanese, then English)", false},
	{"HELPDESK_REMIND_AFTER", "30m", "re-announce a ticket nobody took after this long (Go duration; 0 = never)", false},
	{"TAP_LIFETIME_MINUTES", "60", "lifetime of Temporary Access Passes agents issue (10 to 43200)", false},
	{"TAP_USABLE_ONCE", "true", "whether those passes work for one sign-in only", false},
	{"STEP_UP", "signin", "signin: a fresh, strong Microsoft Entra sign-in by the person before every change of sign-in methods; off: none (never in production; warned at every start)", false},
	{"STEP_UP_MAX_AGE", "10m", "how long ago that sign-in may have happened (Go duration, 1m to 1h)", false},
	{"STEP_UP_AUTH_CONTEXT", "c1 with the simulator; else empty", "Conditional Access authentication context id (c1..c99) requested and required in the token's acrs claim; empty: the token's amr must show MFA (Entra's v2.0 ID tokens carry none: set this)", false},
	{"SIGNIN_MODE", "simulator in local mode, entra otherwise", "entra: Microsoft Entra ID at AZURE_AUTHORITY_HOST; simulator: the built-in sign-in simulator under /signin-simulator/", false},
	{"PUBLIC_URL", "http://127.0.0.1:PORT with the simulator", "the bot's public https root; PUBLIC_URL/auth/callback is the redirect URI to register (Web platform)", false},
	{"STEP_UP_CLIENT_ID", "MicrosoftAppId", "the app registration the sign-in uses (needed with MicrosoftAppType=UserAssignedMSI)", false},
	{"STEP_UP_CLIENT_SECRET", "MicrosoftAppPassword", "that app registration's client secret", false},
	{"NOTIFY_FROM", "a simulated mailbox with the Graph simulator; required otherwise", "mailbox (UPN or object id) that sends people an email after every change of their sign-in methods and every pass issued for them (Graph Mail.Send, limited to this mailbox)", false},
	{"PROTECTED_GROUP_ID", "", "object id of an Entra group whose members' sign-in methods only the helpdesk changes, like accounts holding a directory role (which always are)", false},
	{"TELEPHONY", "microsoft", "who sends SMS and voice codes: microsoft (they end on SMS_VOICE_END), provider (the organisation contracted one through the Microsoft Security Store, so they go on) or none (not used)", false},
	{"SMS_VOICE_END", "2027-02-01", "the day Microsoft-provided SMS and voice codes end for this tenant (YYYY-MM-DD)", false},
	{"PASSKEY_KINDS", "authenticator,synced,windows-hello,security-key", "the passkeys the organisation allows, comma-separated: authenticator, synced, windows-hello, security-key; none: none yet", false},
	{"CAMPAIGN_NAME", "passkeys", "the passkey campaign (mfadesk campaign) that /metrics reports and the command runs", false},
	{"TEAMS_APP_ID", "", "the app's id in the organisation's Teams catalogue, for mfadesk campaign to install the bot for people who don't have it", false},
	{"BOT_SERVICE_URL", "https://smba.trafficmanager.net/teams/", "the Bot Connector of the tenant's region, for the campaign's first messages (a chat's own is kept once known)", false},
	{"SELF_SERVICE_WRITES", "direct", "direct: people's confirmed changes are made at once; approval: they become tickets an agent approves", false},
	{"METRICS_BEARER_TOKEN", "", "token Prometheus must send (Authorization: Bearer ...) to read GET /metrics; empty: open to whoever reaches the port", false},
	{"PLAYGROUND", "on in local mode", "on: `go run .` in local mode also starts the Agents Playground twice, as a person (http://localhost:56150) and as a helpdesk agent (56151), installing it on first use; off: only the bot", false},
	{"SECRET_EXPIRES", "", "the day the app registration's client secret or certificate expires (YYYY-MM-DD), for the warnings 30 days ahead when the bot may not read its own registration (Application.Read.All)", false},
	{"RETENTION_DAYS", "90", "days the bot keeps what a person's requests leave behind, after it was last touched: conversation state, closed tickets, feedback, the 1:1 chats it knows (1 to 3650); purged daily", false},
	{"AUDIT_RETENTION_DAYS", "400", "days the audit of changes, passes and refusals is kept (RETENTION_DAYS to 3650)", false},
	{"TIME_ZONE", "the host's (TZ, /etc/localtime)", "IANA time zone (Asia/Tokyo) of the times the bot shows people and agents: a confirmation's deadline, a notice's time", false},
	{"LOG_LEVEL", "info", "debug, info, warn or error", false},
	{"LOG_FORMAT", "json; console in local mode", "json or console", false},
}

// phoneRegion matches an ISO 3166 alpha-2 region code.
var phoneRegion = regexp.MustCompile(`^[A-Z]{2}$`)

// guid matches an Entra object, app or tenant id.
var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// loadConfig reads and validates the environment. Every error names the
// variable and says how to fix it.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		BindAddress:    strings.TrimSpace(getenv("BIND_ADDRESS")),
		AppID:          strings.TrimSpace(getenv("MicrosoftAppId")),
		AppPassword:    secret(getenv("MicrosoftAppPassword")),
		AppTenantID:    strings.TrimSpace(getenv("MicrosoftAppTenantId")),
		AppType:        strings.TrimSpace(getenv("MicrosoftAppType")),
		OpenIDMetadata: orDefault(getenv("BotOpenIdMetadata"), bot.DefaultOpenIDMetadata),
		AuthorityHost:  orDefault(getenv("AZURE_AUTHORITY_HOST"), bot.DefaultAuthorityHost),
		DataDir:        orDefault(getenv("DATA_DIR"), "./data"),
		CacheDir:       strings.TrimSpace(getenv("CACHE_DIR")),
		DatabaseURL:    secret(strings.TrimSpace(getenv("DATABASE_URL"))),
		MetricsToken:   secret(strings.TrimSpace(getenv("METRICS_BEARER_TOKEN"))),
		LogFormat:      strings.ToLower(strings.TrimSpace(getenv("LOG_FORMAT"))),
		FAQFile:        strings.TrimSpace(getenv("FAQ_FILE")),
		GraphMode:      strings.ToLower(strings.TrimSpace(getenv("GRAPH_MODE"))),
		GraphBaseURL:   orDefault(getenv("GRAPH_BASE_URL"), graph.DefaultBaseURL),
		GraphSeedFile:  strings.TrimSpace(getenv("GRAPH_SIMULATOR_SEED")),
		GraphSimRoles:  simulatorRoles(getenv),
		PhoneRegion:    strings.ToUpper(orDefault(getenv("DEFAULT_PHONE_REGION"), "JP")),
	}
	var err error
	if c.Port, err = strconv.Atoi(orDefault(getenv("PORT"), "3978")); err != nil || c.Port < 1 || c.Port > 65535 {
		return c, fmt.Errorf("PORT=%q is not a port number: use a number from 1 to 65535", getenv("PORT"))
	}
	if v := strings.TrimSpace(getenv("SECRET_EXPIRES")); v != "" {
		if c.SecretExpires, err = time.Parse("2006-01-02", v); err != nil {
			return c, fmt.Errorf("SECRET_EXPIRES=%q: use the expiry date Entra shows, as 2027-06-30", v)
		}
	}
	if c.RetentionDays, err = strconv.Atoi(orDefault(getenv("RETENTION_DAYS"), "90")); err != nil || c.RetentionDays < 1 || c.RetentionDays > 3650 {
		return c, fmt.Errorf("RETENTION_DAYS=%q: use a number of days from 1 to 3650", getenv("RETENTION_DAYS"))
	}
	if c.AuditDays, err = strconv.Atoi(orDefault(getenv("AUDIT_RETENTION_DAYS"), "400")); err != nil || c.AuditDays < c.RetentionDays || c.AuditDays > 3650 {
		return c, fmt.Errorf("AUDIT_RETENTION_DAYS=%q: use a number of days from RETENTION_DAYS (%d) to 3650: the audit outlives what it is about", getenv("AUDIT_RETENTION_DAYS"), c.RetentionDays)
	}
	c.Zone = time.Local
	if v := strings.TrimSpace(getenv("TIME_ZONE")); v != "" {
		if c.Zone, err = time.LoadLocation(v); err != nil || v == "Local" {
			return c, fmt.Errorf("TIME_ZONE=%q: use an IANA time zone name such as Asia/Tokyo or UTC", v)
		}
	}
	switch strings.ToLower(strings.TrimSpace(getenv("PLAYGROUND"))) {
	case "", "on":
		c.Playground = c.local() // a registered bot has Teams in front of it
	case "off":
	default:
		return c, fmt.Errorf("PLAYGROUND=%q: use on or off", getenv("PLAYGROUND"))
	}
	if c.AllowAnonymous, err = parseBool(getenv("BOT_ALLOW_ANONYMOUS")); err != nil {
		return c, fmt.Errorf("BOT_ALLOW_ANONYMOUS=%q: use true or false", getenv("BOT_ALLOW_ANONYMOUS"))
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("LOG_LEVEL"), "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL=%q: use debug, info, warn or error", getenv("LOG_LEVEL"))
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.local() {
			c.LogFormat = "console"
		}
	case "json", "console":
	default:
		return c, fmt.Errorf("LOG_FORMAT=%q: use json or console", c.LogFormat)
	}
	for _, t := range strings.Split(getenv("ALLOWED_TENANTS"), ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !guid.MatchString(t) {
			return c, fmt.Errorf("ALLOWED_TENANTS: %q is not a tenant id: give tenant GUIDs separated by commas", t)
		}
		c.AllowedTenants = append(c.AllowedTenants, t)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(string(c.DatabaseURL), "postgres://") && !strings.HasPrefix(string(c.DatabaseURL), "postgresql://") {
		return c, errors.New("DATABASE_URL must be a postgres:// URL (postgres://user:password@host:5432/database?sslmode=require)")
	}
	if c.DatabaseConns, err = strconv.Atoi(orDefault(getenv("DATABASE_MAX_CONNECTIONS"), strconv.Itoa(store.DefaultMaxConns))); err != nil ||
		c.DatabaseConns < 2 || c.DatabaseConns > 1000 {
		return c, fmt.Errorf("DATABASE_MAX_CONNECTIONS=%q: use a number from 2 to 1000, the connections one replica may open; keep replicas times it, plus a few for admin sessions, under the server's max_connections (100 by default)", getenv("DATABASE_MAX_CONNECTIONS"))
	}
	switch c.GraphMode {
	case "":
		c.GraphMode = graphReal
		if c.local() {
			c.GraphMode = graphSimulator
		}
	case graphReal, graphSimulator:
	default:
		return c, fmt.Errorf("GRAPH_MODE=%q: use graph (Microsoft Graph) or simulator (the built-in simulator, for testing)", c.GraphMode)
	}
	if err := checkURL("GRAPH_BASE_URL", c.GraphBaseURL, true); err != nil {
		return c, err
	}
	writeLimit := "5"
	if c.local() {
		// Trying the flows over and over is what local mode is for.
		writeLimit = "100"
	}
	if c.WriteLimit, err = strconv.Atoi(orDefault(getenv("WRITE_LIMIT_PER_HOUR"), writeLimit)); err != nil || c.WriteLimit < 1 || c.WriteLimit > 1000 {
		return c, fmt.Errorf("WRITE_LIMIT_PER_HOUR=%q: use a number from 1 to 1000", getenv("WRITE_LIMIT_PER_HOUR"))
	}
	if err := c.loadHelpdesk(getenv); err != nil {
		return c, err
	}
	if !phoneRegion.MatchString(c.PhoneRegion) {
		return c, fmt.Errorf("DEFAULT_PHONE_REGION=%q: use a two-letter region code such as JP or US", c.PhoneRegion)
	}
	if err := checkURL("BotOpenIdMetadata", c.OpenIDMetadata, true); err != nil {
		return c, err
	}
	if err := checkURL("AZURE_AUTHORITY_HOST", c.AuthorityHost, false); err != nil {
		return c, err
	}
	if c.local() {
		err = c.checkLocal()
	} else {
		// checkAzure fills in defaults (AppType) that loadStepUp reads.
		err = c.checkAzure()
	}
	if err != nil {
		return c, err
	}
	if err := c.loadStepUp(getenv); err != nil {
		return c, err
	}
	if c.ProtectedGroup = strings.TrimSpace(getenv("PROTECTED_GROUP_ID")); c.ProtectedGroup != "" && !guid.MatchString(c.ProtectedGroup) {
		return c, fmt.Errorf("PROTECTED_GROUP_ID=%q is not a group's object id: copy the Object ID GUID from the group's overview in Entra", c.ProtectedGroup)
	}
	if c.Tenant, err = loadTenant(getenv); err != nil {
		return c, err
	}
	c.NotifyFrom = strings.TrimSpace(getenv("NOTIFY_FROM"))
	c.CampaignName = orDefault(strings.TrimSpace(getenv("CAMPAIGN_NAME")), "passkeys")
	c.TeamsAppID = strings.TrimSpace(getenv("TEAMS_APP_ID"))
	c.BotServiceURL = orDefault(strings.TrimSpace(getenv("BOT_SERVICE_URL")), "https://smba.trafficmanager.net/teams/")
	if c.TeamsAppID != "" && !guid.MatchString(c.TeamsAppID) {
		return c, fmt.Errorf("TEAMS_APP_ID=%q: use the app's id in the Teams catalogue, a GUID", c.TeamsAppID)
	}
	if c.NotifyFrom == "" {
		if c.GraphMode != graphSimulator {
			return c, errors.New("NOTIFY_FROM is empty: people must hear of every change of their sign-in methods by email, not only in Teams; set it to the mailbox that sends those notices (a shared mailbox such as mfa-desk@example.ac.jp) and grant Mail.Send for it (README, Security)")
		}
		c.NotifyFrom = simulatedNoticeMailbox
	}
	return c, nil
}

// simulatedNoticeMailbox sends notices in the Graph simulator, which makes
// up a user for an object id it has not seen.
const simulatedNoticeMailbox = "6d666164-6573-4b00-8000-6e6f74696365"

// checkLocal validates local mode: no credentials at all, and loopback only
// unless anonymity was asked for explicitly.
func (c config) checkLocal() error {
	if c.AppPassword != "" || c.AppTenantID != "" || c.AppType != "" {
		return fmt.Errorf("MicrosoftAppId is empty but MicrosoftAppPassword, MicrosoftAppTenantId or MicrosoftAppType is set: set MicrosoftAppId too, or unset them all for local mode")
	}
	if c.BindAddress != "" && !isLoopback(c.BindAddress) && !c.AllowAnonymous {
		return fmt.Errorf("BIND_ADDRESS=%q is not a loopback address, and without MicrosoftAppId authentication is off: set MicrosoftAppId (and its password and tenant), bind to 127.0.0.1, or set BOT_ALLOW_ANONYMOUS=true if you really want an open endpoint", c.BindAddress)
	}
	return nil
}

// checkAzure validates the credentials for a registered bot.
func (c *config) checkAzure() error {
	if !guid.MatchString(c.AppID) {
		return fmt.Errorf("MicrosoftAppId=%q is not an app id: copy the Application (client) ID GUID from the app registration", c.AppID)
	}
	if c.AppType == "" {
		c.AppType = bot.SingleTenant
	}
	switch c.AppType {
	case bot.SingleTenant, bot.UserAssignedMSI:
		if !guid.MatchString(c.AppTenantID) {
			return fmt.Errorf("MicrosoftAppTenantId=%q is not a tenant id: %s bots need the Directory (tenant) ID GUID", c.AppTenantID, c.AppType)
		}
	case bot.MultiTenant:
		if c.AppTenantID != "" && !guid.MatchString(c.AppTenantID) {
			return fmt.Errorf("MicrosoftAppTenantId=%q is not a tenant id: give the Directory (tenant) ID GUID or leave it empty", c.AppTenantID)
		}
	default:
		return fmt.Errorf("MicrosoftAppType=%q: use SingleTenant, MultiTenant or UserAssignedMSI", c.AppType)
	}
	switch {
	case c.AppType == bot.UserAssignedMSI && c.AppPassword != "":
		return fmt.Errorf("MicrosoftAppPassword is set but MicrosoftAppType=UserAssignedMSI uses the managed identity: unset the password")
	case c.AppType != bot.UserAssignedMSI && c.AppPassword == "":
		return fmt.Errorf("MicrosoftAppPassword is empty: create a client secret in the app registration and set it (or use MicrosoftAppType=UserAssignedMSI)")
	}
	if c.AllowAnonymous {
		return fmt.Errorf("BOT_ALLOW_ANONYMOUS=true but MicrosoftAppId is set: authentication cannot be turned off for a registered bot; unset BOT_ALLOW_ANONYMOUS")
	}
	return nil
}

// local reports whether the bot runs without an Azure registration.
func (c config) local() bool { return c.AppID == "" }

// listenAddr is where the server listens.
func (c config) listenAddr() string {
	host := c.BindAddress
	if host == "" && c.local() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(c.Port))
}

// tenants is the allow-list of tenants; empty allows any.
func (c config) tenants() []string {
	if c.AppType == bot.SingleTenant || c.AppType == bot.UserAssignedMSI {
		return append([]string{c.AppTenantID}, c.AllowedTenants...)
	}
	return c.AllowedTenants
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	return v
}

func parseBool(v string) (bool, error) {
	if strings.TrimSpace(v) == "" {
		return false, nil
	}
	return strconv.ParseBool(strings.TrimSpace(v))
}

// checkURL requires an absolute URL; https unless allowHTTPLoopback and the
// host is a loopback address (test doubles run there).
func checkURL(name, v string, allowHTTPLoopback bool) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s=%q is not a URL: give an absolute https URL", name, v)
	}
	if u.Scheme == "https" || (allowHTTPLoopback && u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("%s=%q must use https", name, v)
}

// usage is the text of mfadesk --help.
func usage() string {
	var b strings.Builder
	b.WriteString(`mfadesk: a Microsoft Teams bot that helps people with multi-factor authentication
and hands the hard cases to their helpdesk.

Usage:
  mfadesk [serve]     start the bot (the default)
  mfadesk faq ...     match questions, evaluate the matcher, check the knowledge base
                      (mfadesk faq for details)
  mfadesk graph ...   run the Graph simulator, list a person's sign-in methods
                      (mfadesk graph for details)
  mfadesk audit list  the audit log of changes to sign-in methods (JSON lines)
  mfadesk tickets list  open helpdesk tickets (--all: closed ones too; --json)
  mfadesk campaign ...  message everyone whose only sign-in methods are phones,
                      until they have a passkey (mfadesk campaign for details)
  mfadesk manifest build --app-id GUID ...
                      build the Teams app package to upload (mfadesk manifest for details)
  mfadesk doctor [--app-package FILE.zip]
                      check what this configuration needs (Bot Framework,
                      Graph and its permissions, database, helpdesk, sign-in,
                      mailbox) and say how to fix each problem
  mfadesk purge [--dry-run]
                      delete now what is older than RETENTION_DAYS and
                      AUDIT_RETENTION_DAYS (the bot does it daily)
  mfadesk reset       local mode: delete the local database, so that the next
                      start is fresh (the simulators keep nothing on disk)
  mfadesk help        show this help
  mfadesk version     print the version

Without MicrosoftAppId the bot runs in local mode: no authentication, listening
on 127.0.0.1 only, for the Microsoft 365 Agents Playground (see README.md).

Environment:
`)
	for _, v := range envVars {
		def := v.def
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(&b, "  %-22s %s\n  %-22s default: %s\n", v.name, v.help, "", def)
	}
	return b.String()
}

// loadHelpdesk reads the escalation settings.
func (c *config) loadHelpdesk(getenv func(string) string) error {
	h := bot.HelpdeskConfig{
		ChannelID: strings.TrimSpace(getenv("HELPDESK_CHANNEL_ID")),
		GroupID:   strings.ToLower(strings.TrimSpace(getenv("HELPDESK_GROUP_ID"))),
		TeamID:    strings.TrimSpace(getenv("HELPDESK_TEAM_ID")),
		BotName:   "MFA Desk",
		BotID:     "28:" + c.AppID,
	}
	if c.local() {
		h.BotID = "28:mfadesk-local"
		if h.ChannelID == "" {
			h.ChannelID, h.TeamID = playgroundChannel, orDefault(h.TeamID, playgroundTeam)
			h.GroupID = orDefault(h.GroupID, playgroundAgents)
		}
	}
	switch {
	case h.ChannelID != "" && h.GroupID == "":
		return fmt.Errorf("HELPDESK_GROUP_ID is empty: with HELPDESK_CHANNEL_ID set, name the Entra security group of the helpdesk's agents (its Object ID); only its members can act on tickets")
	case h.GroupID != "" && !guid.MatchString(h.GroupID):
		return fmt.Errorf("HELPDESK_GROUP_ID=%q is not a group's object id: copy the Object ID GUID from the group's overview in Entra", h.GroupID)
	}
	switch l := strings.ToLower(strings.TrimSpace(getenv("HELPDESK_LANGUAGE"))); l {
	case "", "ja":
		c.HelpdeskLang = cards.Japanese
	case "en":
		c.HelpdeskLang = cards.English
	case "both", "ja+en":
		c.HelpdeskLang = cards.Both
	default:
		return fmt.Errorf("HELPDESK_LANGUAGE=%q: use ja, en or both", l)
	}
	if h.ChannelID != "" && !strings.HasPrefix(h.ChannelID, "19:") {
		return fmt.Errorf("HELPDESK_CHANNEL_ID=%q is not a channel id: copy it from the channel's link (19:...@thread.tacv2)", h.ChannelID)
	}
	if h.TeamID != "" && !strings.HasPrefix(h.TeamID, "19:") {
		return fmt.Errorf("HELPDESK_TEAM_ID=%q is not a team id: use the team's thread id (19:...@thread.tacv2), not its group id", h.TeamID)
	}
	var err error
	if h.RemindAfter, err = time.ParseDuration(orDefault(getenv("HELPDESK_REMIND_AFTER"), "30m")); err != nil || h.RemindAfter < 0 {
		return fmt.Errorf("HELPDESK_REMIND_AFTER=%q: use a duration such as 30m or 1h (0 turns reminders off)", getenv("HELPDESK_REMIND_AFTER"))
	}
	if h.TAPLifetime, err = strconv.Atoi(orDefault(getenv("TAP_LIFETIME_MINUTES"), "60")); err != nil || h.TAPLifetime < 10 || h.TAPLifetime > 43200 {
		return fmt.Errorf("TAP_LIFETIME_MINUTES=%q: use a number of minutes from 10 to 43200", getenv("TAP_LIFETIME_MINUTES"))
	}
	once := orDefault(getenv("TAP_USABLE_ONCE"), "true")
	if h.TAPOnce, err = parseBool(once); err != nil {
		return fmt.Errorf("TAP_USABLE_ONCE=%q: use true or false", getenv("TAP_USABLE_ONCE"))
	}
	switch w := strings.ToLower(strings.TrimSpace(getenv("SELF_SERVICE_WRITES"))); w {
	case "", "direct":
	case "approval":
		if h.ChannelID == "" {
			return fmt.Errorf("SELF_SERVICE_WRITES=approval needs HELPDESK_CHANNEL_ID: approvals happen on tickets in the helpdesk channel")
		}
		c.Approval = true
	default:
		return fmt.Errorf("SELF_SERVICE_WRITES=%q: use direct or approval", w)
	}
	c.Helpdesk = h
	return nil
}

// authContextID matches a Conditional Access authentication context id.
var authContextID = regexp.MustCompile(`^[cC][1-9][0-9]?$`)

// loadStepUp reads the step-up settings. With Microsoft Entra it needs the
// public address (for the redirect URI) and an app registration's secret.
func (c *config) loadStepUp(getenv func(string) string) error {
	s := stepUpConfig{
		Mode:         strings.ToLower(strings.TrimSpace(getenv("SIGNIN_MODE"))),
		AuthContext:  strings.TrimSpace(getenv("STEP_UP_AUTH_CONTEXT")),
		PublicURL:    strings.TrimRight(strings.TrimSpace(getenv("PUBLIC_URL")), "/"),
		ClientID:     orDefault(getenv("STEP_UP_CLIENT_ID"), c.AppID),
		ClientSecret: secret(strings.TrimSpace(getenv("STEP_UP_CLIENT_SECRET"))),
	}
	if s.ClientSecret == "" {
		s.ClientSecret = c.AppPassword
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("STEP_UP"))); v {
	case "", "signin":
	case "off":
		s.Off = true
	default:
		return fmt.Errorf("STEP_UP=%q: use signin (a fresh sign-in before every change) or off", v)
	}
	var err error
	if s.MaxAge, err = time.ParseDuration(orDefault(getenv("STEP_UP_MAX_AGE"), "10m")); err != nil || s.MaxAge < time.Minute || s.MaxAge > time.Hour {
		return fmt.Errorf("STEP_UP_MAX_AGE=%q: use a duration from 1m to 1h, such as 10m", getenv("STEP_UP_MAX_AGE"))
	}
	switch s.Mode {
	case "":
		s.Mode = signinEntra
		if c.local() {
			s.Mode = signinSimulator
		}
	case signinEntra, signinSimulator:
	default:
		return fmt.Errorf("SIGNIN_MODE=%q: use entra (Microsoft Entra ID) or simulator (the built-in sign-in simulator, for testing)", s.Mode)
	}
	if s.AuthContext == "" && s.Mode == signinSimulator {
		s.AuthContext = "c1"
	}
	if s.AuthContext != "" && !authContextID.MatchString(s.AuthContext) {
		return fmt.Errorf("STEP_UP_AUTH_CONTEXT=%q: use the id of an authentication context from Conditional Access, c1 to c99", s.AuthContext)
	}
	if s.PublicURL == "" && s.Mode == signinSimulator {
		s.PublicURL = "http://" + loopbackAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: c.Port})
	}
	c.StepUp = s
	if s.Off || s.Mode == signinSimulator {
		return nil
	}
	if err := checkURL("PUBLIC_URL", s.PublicURL, false); err != nil {
		return fmt.Errorf("%w: step-up sign-in (STEP_UP=signin) sends people back to the bot at PUBLIC_URL%s; set PUBLIC_URL to the bot's public https root and register that redirect URI in the app registration (or STEP_UP=off, never in production)", err, bot.CallbackPath)
	}
	if c.AppType == bot.UserAssignedMSI && (getenv("STEP_UP_CLIENT_ID") == "" || s.ClientSecret == "") {
		return errors.New("MicrosoftAppType=UserAssignedMSI: a managed identity cannot sign people in; set STEP_UP_CLIENT_ID and STEP_UP_CLIENT_SECRET to an app registration with the redirect URI PUBLIC_URL" + bot.CallbackPath)
	}
	if s.ClientID == "" || s.ClientSecret == "" {
		return errors.New("step-up sign-in needs an app registration: set MicrosoftAppId and MicrosoftAppPassword, or STEP_UP_CLIENT_ID and STEP_UP_CLIENT_SECRET")
	}
	return nil
}

// loadTenant reads the organisation's plan for SMS, voice and passkeys.
func loadTenant(getenv func(string) string) (faq.Tenant, error) {
	t := faq.DefaultTenant()
	if v := strings.ToLower(strings.TrimSpace(getenv("TELEPHONY"))); v != "" {
		if err := faq.CheckTelephony(v); err != nil {
			return t, fmt.Errorf("TELEPHONY: %w", err)
		}
		t.Telephony = v
	}
	if v := strings.TrimSpace(getenv("SMS_VOICE_END")); v != "" {
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return t, fmt.Errorf("SMS_VOICE_END=%q: use a date such as 2027-02-01", v)
		}
		t.SMSVoiceEnd = d
	}
	switch v := strings.TrimSpace(getenv("PASSKEY_KINDS")); strings.ToLower(v) {
	case "":
	case "none":
		t.PasskeyKinds = nil
	default:
		kinds, err := faq.ParsePasskeyKinds(v)
		if err != nil {
			return t, fmt.Errorf("PASSKEY_KINDS: %w", err)
		}
		t.PasskeyKinds = kinds
	}
	return t, nil
}

// retention is what the purge deletes at now.
func (c config) retention(now time.Time) store.Retention {
	return store.Retention{
		Data:          now.AddDate(0, 0, -c.RetentionDays),
		Audit:         now.AddDate(0, 0, -c.AuditDays),
		ClosedTickets: []string{dialogs.TicketResolved, dialogs.TicketCancelled},
	}
}
