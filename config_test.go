package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/faq"
)

const (
	testAppID    = "11111111-2222-3333-4444-555555555555"
	testTenant   = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	testTenant2  = "99999999-8888-7777-6666-555555555555"
	testPassword = "s3cr3t~PaSsWoRd.value"
)

// env turns a map into the getenv loadConfig takes; unset names read as "".
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// azureEnv is a valid SingleTenant registration, changed by each case.
func azureEnv(kv ...string) map[string]string {
	m := map[string]string{
		"MicrosoftAppId":       testAppID,
		"MicrosoftAppPassword": testPassword,
		"MicrosoftAppTenantId": testTenant,
		"PUBLIC_URL":           "https://bot.example.ac.jp",
		"NOTIFY_FROM":          "mfa-desk@example.ac.jp",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestLoadConfigLocalDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatalf("loadConfig(empty): %v", err)
	}
	if !c.local() {
		t.Errorf("local() = false, want true without MicrosoftAppId")
	}
	for _, tt := range []struct{ name, got, want string }{
		{"listenAddr()", c.listenAddr(), "127.0.0.1:3978"},
		{"LogFormat", c.LogFormat, "console"},
		{"OpenIDMetadata", c.OpenIDMetadata, "https://login.botframework.com/v1/.well-known/openidconfiguration"},
		{"AuthorityHost", c.AuthorityHost, "https://login.microsoftonline.com/"},
		{"DataDir", c.DataDir, "./data"},
		{"DatabaseConns", fmt.Sprint(c.DatabaseConns), "25"},
		{"WriteLimit", fmt.Sprint(c.WriteLimit), "100"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if c.Port != 3978 {
		t.Errorf("Port = %d, want 3978", c.Port)
	}
	if c.LogLevel != zapcore.InfoLevel {
		t.Errorf("LogLevel = %v, want info", c.LogLevel)
	}
	if c.AllowAnonymous {
		t.Errorf("AllowAnonymous = true, want false")
	}
	if got := c.tenants(); len(got) != 0 {
		t.Errorf("tenants() = %q, want none", got)
	}
	// The playground's helpdesk, whose agents the Graph simulator seeds.
	if c.Helpdesk.ChannelID != playgroundChannel || c.Helpdesk.GroupID != playgroundAgents || c.HelpdeskLang != cards.Japanese {
		t.Errorf("helpdesk = %+v (%s), want the playground's channel and agent group, in Japanese", c.Helpdesk, c.HelpdeskLang)
	}
	agents := withPlaygroundAgents(nil)
	if len(agents) != 2 || !slices.Contains(agents[0].Groups, playgroundAgents) || !slices.Contains(agents[1].Groups, playgroundAgents) {
		t.Errorf("playground agents = %+v, want two in the agent group", agents)
	}
}

func TestLoadConfigValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		env         map[string]string
		wantListen  string
		wantType    string
		wantTenants []string
		wantFormat  string
	}{
		{
			name:       "local on another port",
			env:        map[string]string{"PORT": "8080"},
			wantListen: "127.0.0.1:8080", wantFormat: "console",
		},
		{
			name:       "local anonymous on all interfaces",
			env:        map[string]string{"BIND_ADDRESS": "0.0.0.0", "BOT_ALLOW_ANONYMOUS": "true"},
			wantListen: "0.0.0.0:3978", wantFormat: "console",
		},
		{
			name:       "local on IPv6 loopback",
			env:        map[string]string{"BIND_ADDRESS": "::1"},
			wantListen: "[::1]:3978", wantFormat: "console",
		},
		{
			name:       "local with http OpenID metadata on loopback",
			env:        map[string]string{"BotOpenIdMetadata": "http://127.0.0.1:9999/openid"},
			wantListen: "127.0.0.1:3978", wantFormat: "console",
		},
		{
			name:       "SingleTenant by default",
			env:        azureEnv("ALLOWED_TENANTS", " "+testTenant2+" ,"),
			wantListen: ":3978", wantType: "SingleTenant", wantFormat: "json",
			wantTenants: []string{testTenant, testTenant2},
		},
		{
			name:       "SingleTenant explicit",
			env:        azureEnv("MicrosoftAppType", "SingleTenant", "ALLOWED_TENANTS", testTenant2),
			wantListen: ":3978", wantType: "SingleTenant", wantFormat: "json",
			wantTenants: []string{testTenant, testTenant2},
		},
		{
			name: "UserAssignedMSI",
			env: azureEnv("MicrosoftAppType", "UserAssignedMSI", "MicrosoftAppPassword", "",
				"BIND_ADDRESS", "10.0.0.4", "LOG_FORMAT", "Console",
				"STEP_UP_CLIENT_ID", "0b1f0000-0000-4000-8000-00000000c11e", "STEP_UP_CLIENT_SECRET", "s"),
			wantListen: "10.0.0.4:3978", wantType: "UserAssignedMSI", wantFormat: "console",
			wantTenants: []string{testTenant},
		},
		{
			name:       "MultiTenant without tenant allows any",
			env:        azureEnv("MicrosoftAppType", "MultiTenant", "MicrosoftAppTenantId", ""),
			wantListen: ":3978", wantType: "MultiTenant", wantFormat: "json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := loadConfig(env(tt.env))
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			if got := c.listenAddr(); got != tt.wantListen {
				t.Errorf("listenAddr() = %q, want %q", got, tt.wantListen)
			}
			if c.AppType != tt.wantType {
				t.Errorf("AppType = %q, want %q", c.AppType, tt.wantType)
			}
			if got := c.tenants(); !slices.Equal(got, tt.wantTenants) {
				t.Errorf("tenants() = %q, want %q", got, tt.wantTenants)
			}
			if c.LogFormat != tt.wantFormat {
				t.Errorf("LogFormat = %q, want %q", c.LogFormat, tt.wantFormat)
			}
		})
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string // the error must name it
	}{
		{"PORT not a number", map[string]string{"PORT": "abc"}, "PORT"},
		{"PORT out of range", map[string]string{"PORT": "70000"}, "PORT"},
		{"PORT zero", map[string]string{"PORT": "0"}, "PORT"},
		{"app id not a GUID", azureEnv("MicrosoftAppId", "my-bot"), "MicrosoftAppId"},
		{"SingleTenant without tenant", azureEnv("MicrosoftAppTenantId", ""), "MicrosoftAppTenantId"},
		{"SingleTenant tenant not a GUID", azureEnv("MicrosoftAppTenantId", "contoso.onmicrosoft.com"), "MicrosoftAppTenantId"},
		{"UserAssignedMSI without tenant", azureEnv("MicrosoftAppType", "UserAssignedMSI", "MicrosoftAppPassword", "", "MicrosoftAppTenantId", ""), "MicrosoftAppTenantId"},
		{"missing password", azureEnv("MicrosoftAppPassword", ""), "MicrosoftAppPassword"},
		{"UserAssignedMSI with password", azureEnv("MicrosoftAppType", "UserAssignedMSI"), "MicrosoftAppPassword"},
		{"unknown app type", azureEnv("MicrosoftAppType", "Foo"), "MicrosoftAppType"},
		{"OpenID metadata http on a public host", map[string]string{"BotOpenIdMetadata": "http://login.botframework.com/v1/.well-known/openidconfiguration"}, "BotOpenIdMetadata"},
		{"OpenID metadata not a URL", map[string]string{"BotOpenIdMetadata": "login.botframework.com"}, "BotOpenIdMetadata"},
		{"authority host http", map[string]string{"AZURE_AUTHORITY_HOST": "http://login.microsoftonline.com/"}, "AZURE_AUTHORITY_HOST"},
		{"authority host http on loopback", azureEnv("AZURE_AUTHORITY_HOST", "http://127.0.0.1:8443/"), "AZURE_AUTHORITY_HOST"},
		{"allowed tenant not a GUID", azureEnv("ALLOWED_TENANTS", testTenant2+",contoso"), "ALLOWED_TENANTS"},
		{"local mode on all interfaces", map[string]string{"BIND_ADDRESS": "0.0.0.0"}, "BIND_ADDRESS"},
		{"anonymous with an app id", azureEnv("BOT_ALLOW_ANONYMOUS", "true"), "BOT_ALLOW_ANONYMOUS"},
		{"anonymous not a bool", map[string]string{"BOT_ALLOW_ANONYMOUS": "yes please"}, "BOT_ALLOW_ANONYMOUS"},
		{"password without app id", map[string]string{"MicrosoftAppPassword": testPassword}, "MicrosoftAppPassword"},
		{"tenant without app id", map[string]string{"MicrosoftAppTenantId": testTenant}, "MicrosoftAppTenantId"},
		{"connection budget not a number", map[string]string{"DATABASE_MAX_CONNECTIONS": "many"}, "DATABASE_MAX_CONNECTIONS"},
		{"connection budget of one", map[string]string{"DATABASE_MAX_CONNECTIONS": "1"}, "DATABASE_MAX_CONNECTIONS"},
		{"connection budget too large", map[string]string{"DATABASE_MAX_CONNECTIONS": "1001"}, "DATABASE_MAX_CONNECTIONS"},
		{"unknown log level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"unknown log format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"helpdesk without an agent group", azureEnv("HELPDESK_CHANNEL_ID", "19:desk@thread.tacv2", "NOTIFY_FROM", "desk@example.ac.jp", "PUBLIC_URL", "https://bot.example"), "HELPDESK_GROUP_ID"},
		{"agent group not a GUID", map[string]string{"HELPDESK_GROUP_ID": "helpdesk-agents"}, "HELPDESK_GROUP_ID"},
		{"unknown helpdesk language", map[string]string{"HELPDESK_LANGUAGE": "fr"}, "HELPDESK_LANGUAGE"},
		{"unknown telephony", map[string]string{"TELEPHONY": "docomo"}, "TELEPHONY"},
		{"end date not a date", map[string]string{"SMS_VOICE_END": "1 Feb 2027"}, "SMS_VOICE_END"},
		{"unknown passkey kind", map[string]string{"PASSKEY_KINDS": "authenticator,face-id"}, "PASSKEY_KINDS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(env(tt.env))
			if err == nil {
				t.Fatalf("loadConfig(%v): got nil error, want one naming %s", tt.env, tt.wantVar)
			}
			if !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("loadConfig error = %q, want it to name %s", err, tt.wantVar)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("loadConfig error = %q, contains the password", err)
			}
		})
	}
}

func TestLoadConfigConnectionBudget(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		want  int
	}{{"", 25}, {"2", 2}, {" 40 ", 40}, {"1000", 1000}} {
		c, err := loadConfig(env(map[string]string{"DATABASE_MAX_CONNECTIONS": tt.value}))
		if err != nil || c.DatabaseConns != tt.want {
			t.Errorf("DATABASE_MAX_CONNECTIONS=%q: got %d (%v), want %d", tt.value, c.DatabaseConns, err, tt.want)
		}
	}
}

func TestSecretRedacted(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(azureEnv()))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if got := string(c.AppPassword); got != testPassword {
		t.Fatalf("AppPassword = %q, want the configured password", got)
	}
	for _, verb := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X"} {
		for _, what := range []struct {
			name string
			arg  any
		}{
			{"config", c},
			{"*config", &c},
			{"secret", c.AppPassword},
		} {
			out := fmt.Sprintf(verb, what.arg)
			if strings.Contains(out, testPassword) || strings.Contains(out, fmt.Sprintf("%x", testPassword)) ||
				strings.Contains(out, fmt.Sprintf("%X", testPassword)) {
				t.Errorf("Sprintf(%q, %s) = %s, shows the password", verb, what.name, out)
			}
			if (verb == "%v" || verb == "%s" || verb == "%+v" || verb == "%#v") && !strings.Contains(out, "[redacted]") {
				t.Errorf("Sprintf(%q, %s) = %s, want it to contain [redacted]", verb, what.name, out)
			}
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	u := usage()
	want := []string{"serve", "help", "version"}
	for _, v := range envVars {
		want = append(want, v.name)
	}
	for _, w := range want {
		if !strings.Contains(u, w) {
			t.Errorf("usage() does not mention %q", w)
		}
	}
}

// TestEnvVarsComplete checks that envVars documents every variable
// loadConfig reads, and nothing it does not.
func TestEnvVarsComplete(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	getenv := func(k string) string {
		read[k] = true
		return azureEnv()[k]
	}
	if _, err := loadConfig(getenv); err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	documented := map[string]bool{}
	for _, v := range envVars {
		if !v.external {
			documented[v.name] = true
		}
	}
	if got, want := slices.Sorted(maps.Keys(read)), slices.Sorted(maps.Keys(documented)); !slices.Equal(got, want) {
		t.Errorf("loadConfig reads %q, envVars documents %q; want the same names", got, want)
	}
}

func TestLoadConfigStepUp(t *testing.T) {
	t.Parallel()
	t.Run("local mode signs in at the simulator with an authentication context", func(t *testing.T) {
		t.Parallel()
		c, err := loadConfig(env(map[string]string{"PORT": "4000"}))
		if err != nil {
			t.Fatal(err)
		}
		s := c.StepUp
		if s.Off || s.Mode != signinSimulator || s.AuthContext != "c1" || s.MaxAge != 10*time.Minute || s.PublicURL != "http://127.0.0.1:4000" {
			t.Errorf("local step-up = %+v, want on, simulator, c1, 10m, http://127.0.0.1:4000", s)
		}
	})
	t.Run("a registered bot signs in with Entra", func(t *testing.T) {
		t.Parallel()
		c, err := loadConfig(env(azureEnv("STEP_UP_AUTH_CONTEXT", "c7", "STEP_UP_MAX_AGE", "5m")))
		if err != nil {
			t.Fatal(err)
		}
		s := c.StepUp
		if s.Mode != signinEntra || s.AuthContext != "c7" || s.MaxAge != 5*time.Minute || s.ClientID != testAppID || string(s.ClientSecret) != testPassword {
			t.Errorf("step-up = %+v", s)
		}
		if got := fmt.Sprint(s.ClientSecret); strings.Contains(got, testPassword) {
			t.Errorf("the client secret prints as %q", got)
		}
	})
	t.Run("STEP_UP=off needs no public address", func(t *testing.T) {
		t.Parallel()
		c, err := loadConfig(env(azureEnv("STEP_UP", "off", "PUBLIC_URL", "")))
		if err != nil || !c.StepUp.Off {
			t.Errorf("STEP_UP=off: %+v, %v", c.StepUp, err)
		}
	})
	for _, tt := range []struct {
		name  string
		env   map[string]string
		names string
	}{
		{"unknown STEP_UP", azureEnv("STEP_UP", "maybe"), "STEP_UP"},
		{"max age too short", azureEnv("STEP_UP_MAX_AGE", "10s"), "STEP_UP_MAX_AGE"},
		{"max age too long", azureEnv("STEP_UP_MAX_AGE", "24h"), "STEP_UP_MAX_AGE"},
		{"max age not a duration", azureEnv("STEP_UP_MAX_AGE", "ten"), "STEP_UP_MAX_AGE"},
		{"not an authentication context", azureEnv("STEP_UP_AUTH_CONTEXT", "mfa"), "STEP_UP_AUTH_CONTEXT"},
		{"unknown sign-in mode", azureEnv("SIGNIN_MODE", "ldap"), "SIGNIN_MODE"},
		{"no public address", azureEnv("PUBLIC_URL", ""), "PUBLIC_URL"},
		{"a plain-http public address", azureEnv("PUBLIC_URL", "http://bot.example.ac.jp"), "PUBLIC_URL"},
		{"no sender for the notices", azureEnv("NOTIFY_FROM", ""), "NOTIFY_FROM"},
		{"a managed identity cannot sign people in", azureEnv("MicrosoftAppType", "UserAssignedMSI", "MicrosoftAppPassword", ""), "STEP_UP_CLIENT_ID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.names) {
				t.Errorf("loadConfig error = %v, want it to name %s", err, tt.names)
			}
		})
	}
}

// The organisation's plan for SMS, voice and passkeys: Microsoft's by
// default, or what the admin says.
func TestLoadConfigTenant(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Tenant; got.Telephony != faq.TelephonyMicrosoft || !got.SMSVoiceEnd.Equal(faq.DefaultSMSVoiceEnd) || len(got.PasskeyKinds) != 4 {
		t.Errorf("default tenant = %+v, want Microsoft's plan with every passkey kind", got)
	}
	c, err = loadConfig(env(map[string]string{"TELEPHONY": "Provider", "SMS_VOICE_END": "2027-03-31", "PASSKEY_KINDS": "security-key, authenticator"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Tenant; got.Telephony != faq.TelephonyProvider || got.SMSVoiceEnd.Format("2006-01-02") != "2027-03-31" ||
		!slices.Equal(got.PasskeyKinds, []string{faq.PasskeyAuthenticator, faq.PasskeySecurityKey}) {
		t.Errorf("tenant = %+v, want a provider, 31 March, Authenticator and security keys", got)
	}
	c, err = loadConfig(env(map[string]string{"TELEPHONY": "none", "PASSKEY_KINDS": "none"}))
	if err != nil || c.Tenant.Telephony != faq.TelephonyNone || len(c.Tenant.PasskeyKinds) != 0 {
		t.Errorf("tenant = %+v, %v; want no telephony and no passkeys", c.Tenant, err)
	}
}

// Five changes an hour protect people; local mode, where the flows are
// tried over and over, allows a hundred. Either can be set.
func TestLoadConfigWriteLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{"registered", azureEnv(), 5},
		{"local", nil, 100},
		{"registered, set", azureEnv("WRITE_LIMIT_PER_HOUR", "12"), 12},
		{"local, set", map[string]string{"WRITE_LIMIT_PER_HOUR": "3"}, 3},
	} {
		c, err := loadConfig(env(tt.env))
		if err != nil || c.WriteLimit != tt.want {
			t.Errorf("%s: WriteLimit = %d (%v), want %d", tt.name, c.WriteLimit, err, tt.want)
		}
	}
}

func TestLoadConfigTimeZone(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(map[string]string{"TIME_ZONE": "Asia/Tokyo"}))
	if err != nil || c.Zone.String() != "Asia/Tokyo" {
		t.Fatalf("TIME_ZONE=Asia/Tokyo: zone %v (%v)", c.Zone, err)
	}
	if c, err := loadConfig(env(nil)); err != nil || c.Zone != time.Local {
		t.Errorf("no TIME_ZONE: zone %v (%v), want the host's", c.Zone, err)
	}
	for _, bad := range []string{"JST", "Asia/Tokio", "Local", "+09:00"} {
		if _, err := loadConfig(env(map[string]string{"TIME_ZONE": bad})); err == nil || !strings.Contains(err.Error(), "IANA") {
			t.Errorf("TIME_ZONE=%q: error %v, want one naming IANA zones", bad, err)
		}
	}
}

func TestLoadConfigRetention(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	if err != nil || c.RetentionDays != 90 || c.AuditDays != 400 {
		t.Fatalf("defaults: %d and %d days (%v), want 90 and 400", c.RetentionDays, c.AuditDays, err)
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if r := c.retention(now); !r.Data.Equal(now.AddDate(0, 0, -90)) || !r.Audit.Equal(now.AddDate(0, 0, -400)) || len(r.ClosedTickets) != 2 {
		t.Errorf("retention(%v) = %+v", now, r)
	}
	for _, bad := range []map[string]string{
		{"RETENTION_DAYS": "0"}, {"RETENTION_DAYS": "forever"}, {"RETENTION_DAYS": "4000"},
		{"RETENTION_DAYS": "120", "AUDIT_RETENTION_DAYS": "60"}, // the audit would go first
	} {
		if _, err := loadConfig(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
