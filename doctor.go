package main

import (
	"archive/zip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/store"
)

// A doctor's finding: what was checked, how it went, and for a problem,
// how to fix it.
type finding struct {
	check  string
	status string // ok, FAIL, warn, skip
	detail string
	fix    string
}

// graphPermissions are the Graph application permissions the features
// need, and why (README, "Permissions to grant").
type graphPermission struct {
	role string
	need func(config) bool
	why  string
}

var graphPermissions = []graphPermission{
	{"UserAuthenticationMethod.ReadWrite.All", func(config) bool { return true }, "read and change sign-in methods, issue passes"},
	{"User.Read.All", func(config) bool { return true }, "people's names, languages and roles"},
	{"Mail.Send", func(config) bool { return true }, "security notices by email (limit it to NOTIFY_FROM)"},
	{"RoleManagement.Read.Directory", func(config) bool { return true }, "name the directory roles of privileged people"},
	{"GroupMember.Read.All", func(c config) bool { return c.Helpdesk.ChannelID != "" || c.ProtectedGroup != "" }, "agents' and protected group membership"},
	{"User.RevokeSessions.All", func(c config) bool { return c.Helpdesk.ChannelID != "" }, "sign a person out from an urgent ticket"},
	// Optional: without it (or without Entra ID P1) answers don't explain
	// people's own failed sign-ins, and the passkey campaign reads a group
	// instead of the registration report (checkSignInLog says so).
	{"AuditLog.Read.All", func(config) bool { return false }, "read people's own sign-ins and the methods registration report"},
}

// doctorCommand checks what a deployment needs and says, for each problem,
// what is wrong and how to fix it. It reads the same environment as the
// bot; it changes nothing (the database aside, which it opens as the bot
// would, bringing its schema up to date).
func doctorCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mfadesk doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pkg := fs.String("app-package", "", "the Teams app package (zip) to check against MicrosoftAppId and PUBLIC_URL")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: mfadesk doctor [--app-package FILE.zip]")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	findings := diagnose(ctx, getenv, *pkg)
	problems := 0
	for _, f := range findings {
		if f.status == "FAIL" {
			problems++
		}
	}
	noun := "problems"
	if problems == 1 {
		noun = "problem"
	}
	fmt.Fprintf(stdout, "mfadesk doctor: %d checks, %d %s\n\n", len(findings), problems, noun)
	for _, f := range findings {
		fmt.Fprintf(stdout, "  %-5s %-26s %s\n", f.status, f.check, f.detail)
		if f.fix != "" && f.status != "ok" && f.status != "skip" {
			fmt.Fprintf(stdout, "  %-5s %-26s fix: %s\n", "", "", f.fix)
		}
	}
	if problems > 0 {
		return 1
	}
	return 0
}

func diagnose(ctx context.Context, getenv func(string) string, pkg string) []finding {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return []finding{{"configuration", "FAIL", err.Error(), "set the variable as the message says (mfadesk help lists them all)"}}
	}
	mode := "registered bot " + cfg.AppID + " (" + cfg.AppType + ")"
	if cfg.local() {
		mode = "local mode (no MicrosoftAppId): no authentication, simulators"
	}
	out := []finding{{"configuration", "ok", mode, ""}}
	out = append(out, checkDatabase(ctx, cfg))
	out = append(out, checkBotFramework(ctx, cfg)...)
	graphFinding, roles := checkGraph(ctx, cfg)
	out = append(out, graphFinding)
	out = append(out, checkPermissions(cfg, roles), checkSignInLog(ctx, cfg, roles))
	out = append(out, checkCredentialExpiry(ctx, cfg))
	out = append(out, checkHelpdesk(cfg), checkStepUp(cfg), checkMailbox(cfg))
	if pkg != "" {
		out = append(out, checkAppPackage(cfg, pkg))
	}
	return out
}

func checkDatabase(ctx context.Context, cfg config) finding {
	const name = "database"
	if cfg.DatabaseURL != "" {
		st, err := store.OpenPostgres(ctx, string(cfg.DatabaseURL), 2)
		if err != nil {
			return finding{name, "FAIL", "PostgreSQL: " + err.Error(), "check DATABASE_URL (host, database, user, password, sslmode) and that the server lets this host in"}
		}
		defer st.Close()
		if err := st.Ping(ctx); err != nil {
			return finding{name, "FAIL", err.Error(), "check that the PostgreSQL server is up"}
		}
		return finding{name, "ok", "PostgreSQL, schema up to date", ""}
	}
	path := filepath.Join(cfg.DataDir, "mfadesk.db")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return finding{name, "FAIL", "DATA_DIR can't be created: " + err.Error(), "set DATA_DIR to a directory the bot may write"}
		}
		probe, err := os.CreateTemp(cfg.DataDir, ".doctor-*")
		if err != nil {
			return finding{name, "FAIL", "DATA_DIR is not writable: " + err.Error(), "set DATA_DIR to a directory the bot may write"}
		}
		probe.Close()
		os.Remove(probe.Name())
		return finding{name, "ok", "SQLite: " + path + " is made at the first start", ""}
	}
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		return finding{name, "FAIL", "SQLite " + path + ": " + err.Error(), "check DATA_DIR and the file's permissions; a newer bot's file can't be opened by an older one"}
	}
	defer st.Close()
	return finding{name, "ok", "SQLite " + path + ", schema up to date", ""}
}

// checkBotFramework fetches the keys inbound tokens are checked with, and
// the bot's own token for the Bot Connector.
func checkBotFramework(ctx context.Context, cfg config) []finding {
	if cfg.local() {
		return []finding{
			{"Bot Framework keys", "skip", "local mode checks no tokens", ""},
			{"Bot Connector token", "skip", "local mode sends no tokens", ""},
		}
	}
	var out []finding
	auth := bot.NewAuthenticator(bot.AuthConfig{AppID: cfg.AppID, TenantID: cfg.AppTenantID,
		OpenIDMetadataURL: cfg.OpenIDMetadata, AuthorityHost: cfg.AuthorityHost})
	if err := auth.Warm(ctx); err != nil {
		out = append(out, finding{"Bot Framework keys", "FAIL", err.Error(), "let the bot reach " + cfg.OpenIDMetadata + " (BotOpenIdMetadata) over HTTPS: proxy (HTTPS_PROXY) or firewall"})
	} else {
		out = append(out, finding{"Bot Framework keys", "ok", "fetched from " + cfg.OpenIDMetadata, ""})
	}
	cred, err := bot.NewCredential(bot.CredentialConfig{AppType: cfg.AppType, AppID: cfg.AppID, Password: string(cfg.AppPassword),
		TenantID: cfg.AppTenantID, AuthorityHost: cfg.AuthorityHost})
	if err == nil {
		_, err = bot.NewTokenCache(cred).Token(ctx)
	}
	if err != nil {
		out = append(out, finding{"Bot Connector token", "FAIL", firstLine(err),
			"check MicrosoftAppId, MicrosoftAppTenantId and MicrosoftAppPassword against the Azure Bot's app registration (a secret that expired is a common cause: Certificates & secrets)"})
	} else {
		out = append(out, finding{"Bot Connector token", "ok", "the bot's app registration signs in", ""})
	}
	return out
}

// checkGraph gets a Graph token as the bot would and reads the
// permissions (roles) granted in it. With the simulator, the token is the
// simulator's: GRAPH_SIMULATOR_ROLES changes what it grants, to act out a
// missing permission.
func checkGraph(ctx context.Context, cfg config) (finding, []string) {
	const name = "Graph token"
	var cred azcore.TokenCredential = simulatorToken{roles: cfg.GraphSimRoles}
	where := "the Graph simulator"
	if cfg.GraphMode == graphReal {
		var err error
		if cred, err = graphCredential(cfg); err != nil {
			return finding{name, "FAIL", err.Error(), "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or a managed identity, or use the bot's app registration"}, nil
		}
		where = cfg.GraphBaseURL
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope(cfg)}})
	if err != nil {
		return finding{name, "FAIL", firstLine(err), "check the Graph credential (see README, Microsoft Graph): its secret may have expired"}, nil
	}
	roles, err := tokenRoles(tok.Token)
	if err != nil {
		return finding{name, "FAIL", "the token can't be read: " + err.Error(), "use an app-only credential (client secret, certificate, workload or managed identity)"}, nil
	}
	return finding{name, "ok", "for " + where + ", with " + fmt.Sprint(len(roles)) + " application permissions", ""}, roles
}

func checkPermissions(cfg config, roles []string) finding {
	const name = "Graph permissions"
	if roles == nil {
		return finding{name, "skip", "no Graph token to read them from", ""}
	}
	var missing, why []string
	for _, p := range graphPermissions {
		if p.need(cfg) && !slices.Contains(roles, p.role) {
			missing = append(missing, p.role)
			why = append(why, p.role+": "+p.why)
		}
	}
	if len(missing) > 0 {
		return finding{name, "FAIL", "not granted: " + strings.Join(why, "; "),
			"Entra ID > App registrations > the app > API permissions > Add > Microsoft Graph > Application permissions > " + strings.Join(missing, ", ") + ", then Grant admin consent"}
	}
	return finding{name, "ok", "all the features need are granted", ""}
}

// checkSignInLog says whether answers can explain people's own failed
// sign-ins: it needs AuditLog.Read.All and Microsoft Entra ID P1, and the
// bot turns the feature off by itself without them. A real Graph is asked
// once for the log of nobody (an object id no one has): a tenant without
// P1 is refused all the same.
func checkSignInLog(ctx context.Context, cfg config, roles []string) finding {
	const name = "sign-in diagnosis"
	const grant = "grant the Graph application permission AuditLog.Read.All (Entra ID > App registrations > the app > API permissions), then Grant admin consent"
	switch {
	case roles == nil:
		return finding{name, "skip", "no Graph token to read the permissions from", ""}
	case !slices.Contains(roles, "AuditLog.Read.All"):
		return finding{name, "warn", "off: AuditLog.Read.All is not granted, so answers don't explain people's own failed sign-ins", grant}
	case cfg.GraphMode != graphReal:
		return finding{name, "ok", "on: the Graph simulator serves the sign-in log (PATCH /_sim/tenant {\"premium\":false} acts out a tenant without P1)", ""}
	}
	c, err := newGraphClient(cfg, cfg.GraphBaseURL, nil)
	if err == nil {
		_, err = c.SignIns(ctx, "00000000-0000-0000-0000-000000000000", time.Now().Add(-time.Hour))
	}
	switch {
	case err == nil:
		return finding{name, "ok", "on: answers about failing methods explain the person's own sign-ins of the last 24 hours", ""}
	case errors.Is(err, graph.ErrNoPremium):
		return finding{name, "warn", "off: the tenant has no Microsoft Entra ID P1, which the sign-in log needs", "license Microsoft Entra ID P1 or P2 (Microsoft 365 E3/A3 include P1); nothing to change in the bot"}
	case errors.Is(err, graph.ErrNoAuditPermission):
		return finding{name, "warn", "off: Graph refuses the sign-in log to this app", grant}
	}
	return finding{name, "warn", "not checked: " + firstLine(err), "run mfadesk doctor again; the bot turns the feature on when Graph answers"}
}

// checkCredentialExpiry reads when the bot's secret or certificate
// expires, as the running bot does (bot.CredentialWatch).
func checkCredentialExpiry(ctx context.Context, cfg config) finding {
	const name = "credential expiry"
	if cfg.local() {
		return finding{name, "skip", "local mode has no app registration", ""}
	}
	w := &bot.CredentialWatch{AppID: cfg.AppID, Configured: cfg.SecretExpires, Now: time.Now, Log: zap.NewNop()}
	if cfg.GraphMode == graphReal {
		if c, err := newGraphClient(cfg, cfg.GraphBaseURL, nil); err == nil {
			w.Graph = c
		}
	}
	end := w.Check(ctx)
	renew := "renew it in Entra ID > App registrations > Certificates & secrets, set the new MicrosoftAppPassword, and SECRET_EXPIRES; or, on Azure, use a managed identity (README)"
	switch left := time.Until(end); {
	case end.IsZero():
		return finding{name, "warn", "unknown: the bot can't warn before it expires", "grant Application.Read.All, or set SECRET_EXPIRES to the date Entra shows"}
	case left < 0:
		return finding{name, "FAIL", "expired on " + end.In(cfg.Zone).Format("2006-01-02"), renew}
	case left < bot.CredentialWarning:
		return finding{name, "FAIL", fmt.Sprintf("expires on %s, in %d days", end.In(cfg.Zone).Format("2006-01-02"), int(left.Hours()/24)), renew}
	}
	return finding{name, "ok", "expires on " + end.In(cfg.Zone).Format("2006-01-02"), ""}
}

func checkHelpdesk(cfg config) finding {
	const name = "helpdesk channel"
	h := cfg.Helpdesk
	switch {
	case h.ChannelID == "":
		return finding{name, "warn", "no HELPDESK_CHANNEL_ID: \"talk to a person\" is off", "set HELPDESK_CHANNEL_ID, HELPDESK_TEAM_ID and HELPDESK_GROUP_ID (README, The helpdesk)"}
	case h.TeamID == "":
		return finding{name, "warn", "no HELPDESK_TEAM_ID: the channel's service URL is learned from the channel only", "set HELPDESK_TEAM_ID to the team's id (19:...) from the channel's link"}
	}
	return finding{name, "ok", "channel " + h.ChannelID + ", agents are group " + h.GroupID, ""}
}

func checkStepUp(cfg config) finding {
	const name = "step-up sign-in"
	s := cfg.StepUp
	switch {
	case s.Off:
		return finding{name, "FAIL", "STEP_UP=off: a Teams session alone can change sign-in methods", "unset STEP_UP (never off in production)"}
	case s.Mode == signinSimulator:
		return finding{name, "ok", "the sign-in simulator at " + s.PublicURL + bot.CallbackPath, ""}
	case s.AuthContext == "":
		return finding{name, "warn", "no STEP_UP_AUTH_CONTEXT: Entra's ID tokens carry no MFA claim to require",
			"create a Conditional Access authentication context (c1..c99) that requires MFA and set STEP_UP_AUTH_CONTEXT"}
	}
	u, err := url.Parse(s.PublicURL)
	if err != nil || u.Scheme != "https" {
		return finding{name, "FAIL", "PUBLIC_URL " + s.PublicURL + " is not https", "set PUBLIC_URL to the bot's public https address"}
	}
	return finding{name, "ok", "Entra, authentication context " + s.AuthContext, "register " + s.PublicURL + bot.CallbackPath + " as a Web redirect URI of app " + s.ClientID}
}

func checkMailbox(cfg config) finding {
	const name = "notification mailbox"
	if cfg.NotifyFrom == "" {
		if cfg.GraphMode == graphSimulator {
			return finding{name, "ok", "a simulated mailbox", ""}
		}
		return finding{name, "FAIL", "no NOTIFY_FROM: people would not be told of changes by email", "set NOTIFY_FROM to a shared mailbox's address and limit Mail.Send to it (README, Security)"}
	}
	return finding{name, "ok", cfg.NotifyFrom, ""}
}

// checkAppPackage compares the app package with the bot it is for.
func checkAppPackage(cfg config, path string) finding {
	const name = "app package"
	zr, err := zip.OpenReader(path)
	if err != nil {
		return finding{name, "FAIL", err.Error(), "give the zip that mfadesk manifest build made"}
	}
	defer zr.Close()
	f, err := zr.Open("manifest.json")
	if err != nil {
		return finding{name, "FAIL", "no manifest.json in " + path, "build it with mfadesk manifest build"}
	}
	defer f.Close()
	var m struct {
		Bots         []struct{ BotID string } `json:"bots"`
		ValidDomains []string                 `json:"validDomains"`
	}
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		return finding{name, "FAIL", "manifest.json: " + err.Error(), "build it with mfadesk manifest build"}
	}
	if len(m.Bots) == 0 || !strings.EqualFold(m.Bots[0].BotID, cfg.AppID) {
		got := ""
		if len(m.Bots) > 0 {
			got = m.Bots[0].BotID
		}
		return finding{name, "FAIL", fmt.Sprintf("its bot id is %q, MicrosoftAppId is %q: Teams would send messages to another bot", got, cfg.AppID),
			"mfadesk manifest build --app-id " + cfg.AppID + ", then upload the new package"}
	}
	if u, err := url.Parse(cfg.StepUp.PublicURL); err == nil && !cfg.local() && !slices.Contains(m.ValidDomains, u.Hostname()) {
		return finding{name, "FAIL", "validDomains lacks " + u.Hostname() + " (PUBLIC_URL): the sign-in link would not open",
			"mfadesk manifest build --domain " + u.Hostname()}
	}
	return finding{name, "ok", "for bot " + cfg.AppID, ""}
}

// tokenRoles reads the roles claim of an access token. Its signature is
// not checked: the token came from our own credential, and only says what
// was granted.
func tokenRoles(token string) ([]string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims struct {
		Roles []string `json:"roles"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	if claims.Roles == nil {
		claims.Roles = []string{}
	}
	return claims.Roles, nil
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
