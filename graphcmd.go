package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/graph"
	"github.com/mfadesk/mfadesk/graph/sim"
)

const graphUsage = `Usage:
  mfadesk graph simulate [--addr 127.0.0.1:8650] [--seed FILE]
        run the Graph simulator on its own (Graph v1.0 paths under /v1.0)
  mfadesk graph methods USER
        list a person's sign-in methods (numbers masked) from the configured Graph:
        GRAPH_MODE=graph (Azure credentials, see README) or GRAPH_MODE=simulator with
        GRAPH_BASE_URL pointing at a running simulator (e.g. the bot's
        http://127.0.0.1:3978/graph-simulator/v1.0)
`

func graphCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, graphUsage)
		return 2
	}
	switch args[0] {
	case "simulate":
		return graphSimulate(args[1:], stdout, stderr)
	case "methods":
		if len(args) != 2 {
			fmt.Fprint(stderr, graphUsage)
			return 2
		}
		return graphMethods(args[1], stdout, stderr)
	}
	fmt.Fprintf(stderr, "mfadesk graph: unknown command %q\n\n%s", args[0], graphUsage)
	return 2
}

func graphSimulate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8650", "address to listen on")
	seed := fs.String("seed", "", "JSON file of users to start with")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var opts []sim.Option
	if *seed != "" {
		users, err := sim.LoadSeedFile(*seed)
		if err != nil {
			fmt.Fprintln(stderr, "mfadesk:", err)
			return 1
		}
		opts = append(opts, sim.WithSeed(users))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	srv := &http.Server{Handler: sim.New(opts...), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Graph simulator on http://%s/v1.0 (Ctrl-C to stop)\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	return 0
}

func graphMethods(user string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk: configuration:", err)
		return 2
	}
	if cfg.GraphMode == graphSimulator && os.Getenv("GRAPH_BASE_URL") == "" {
		fmt.Fprintln(stderr, "mfadesk: GRAPH_MODE is simulator but GRAPH_BASE_URL is empty: point it at a running simulator, e.g. http://127.0.0.1:3978/graph-simulator/v1.0")
		return 2
	}
	client, err := newGraphClient(cfg, cfg.GraphBaseURL, nil)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u, err := client.User(ctx, user)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	m, err := client.Methods(ctx, u.ID)
	if err != nil {
		fmt.Fprintln(stderr, "mfadesk:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s <%s> (%s)\n\n", u.DisplayName, u.UserPrincipalName, u.ID)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "method\tdetail\tregistered\tid")
	date := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02")
	}
	if m.HasPassword {
		fmt.Fprintln(w, "password\t-\t-\t-")
	}
	for _, p := range m.Phones {
		fmt.Fprintf(w, "phone (%s)\t%s, SMS sign-in %s\t-\t%s\n", p.Type, p.Masked, orDash(string(p.SMS)), p.ID)
	}
	for _, a := range m.Authenticators {
		fmt.Fprintf(w, "Microsoft Authenticator\t%s\t%s\t%s\n", orDash(a.DisplayName), date(a.Created), a.ID)
	}
	for _, o := range m.Others {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.Kind, orDash(o.DisplayName), date(o.Created), o.ID)
	}
	w.Flush()
	fmt.Fprintf(stdout, "\n%d method(s) can answer an MFA prompt.\n", m.MFACapable())
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Graph modes (GRAPH_MODE).
const (
	graphReal      = "graph"
	graphSimulator = "simulator"
)

// newGraphClient builds the Graph client for cfg: Azure credentials for
// real Graph, a stand-in token for the simulator at baseURL.
func newGraphClient(cfg config, baseURL string, transport http.RoundTripper) (*graph.Client, error) {
	var cred azcore.TokenCredential = simulatorToken{roles: cfg.GraphSimRoles}
	if cfg.GraphMode == graphReal {
		var err error
		if cred, err = graphCredential(cfg); err != nil {
			return nil, err
		}
	}
	return graph.New(graph.Config{Credential: cred, BaseURL: baseURL, Transport: transport})
}

// azureIdentityVars are the variables through which DefaultAzureCredential
// finds an identity; any of them set means "use it".
var azureIdentityVars = []string{"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
	"AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"}

// graphCredential picks Graph's credential: an Azure identity configured
// in the environment (DefaultAzureCredential), otherwise the bot's own app
// registration, which then needs the Graph permissions too.
func graphCredential(cfg config) (azcore.TokenCredential, error) {
	for _, k := range azureIdentityVars {
		if os.Getenv(k) != "" {
			return azidentity.NewDefaultAzureCredential(nil)
		}
	}
	if cfg.AppID != "" {
		return bot.NewCredential(bot.CredentialConfig{AppType: cfg.AppType, AppID: cfg.AppID, Password: string(cfg.AppPassword),
			TenantID: cfg.AppTenantID, AuthorityHost: cfg.AuthorityHost})
	}
	return azidentity.NewDefaultAzureCredential(nil)
}

// graphScope is the token scope of the Graph at GRAPH_BASE_URL: another
// cloud's own host, else graph.microsoft.com.
func graphScope(cfg config) string {
	if u, err := url.Parse(cfg.GraphBaseURL); err == nil && cfg.GraphMode == graphReal && !strings.HasSuffix(u.Hostname(), "graph.microsoft.com") {
		return u.Scheme + "://" + u.Host + "/.default"
	}
	return "https://graph.microsoft.com/.default"
}

// checkGraphCredential gets one Graph token, so that a bot without working
// Graph credentials refuses to start instead of failing on first use.
func checkGraphCredential(ctx context.Context, cfg config) error {
	cred, err := graphCredential(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope(cfg)}}); err != nil {
		return fmt.Errorf("GRAPH_MODE=graph but no Graph token could be had (set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, use a managed identity, or grant the bot's app registration the Graph permissions; GRAPH_MODE=simulator is for testing only): %w", err)
	}
	return nil
}

// simulatorToken is the credential for the Graph simulator, which checks
// that a bearer token is present but not what it says. It is shaped like
// an app-only token (unsigned), granting roles, or every permission the bot
// needs, so that mfadesk doctor reads it as it reads Entra's.
type simulatorToken struct{ roles []string }

func (t simulatorToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	roles := t.roles
	if roles == nil {
		for _, p := range graphPermissions {
			roles = append(roles, p.role)
		}
	}
	claims, _ := json.Marshal(map[string]any{"aud": "https://graph.microsoft.com", "iss": "mfadesk graph simulator", "roles": roles})
	enc := base64.RawURLEncoding.EncodeToString
	return azcore.AccessToken{Token: enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(claims) + ".", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// simulatorRoles are the permissions GRAPH_SIMULATOR_ROLES grants the
// simulator's token (comma-separated; "none" for none), to act out a
// missing one; nil: all.
func simulatorRoles(getenv func(string) string) []string {
	v := strings.TrimSpace(getenv("GRAPH_SIMULATOR_ROLES"))
	if v == "" {
		return nil
	}
	roles := []string{}
	for _, r := range strings.Split(v, ",") {
		if r = strings.TrimSpace(r); r != "" && r != "none" {
			roles = append(roles, r)
		}
	}
	return roles
}
