package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/mfadesk/mfadesk/graph"
)

// CredentialWarning is how long before the bot's client secret or
// certificate expires that it warns.
const CredentialWarning = 30 * 24 * time.Hour

// CredentialWatch warns before the bot's own credential stops working: the
// day it does, the bot can neither answer in Teams nor reach Graph, and
// Microsoft's FAQ bots show that admins learn it from users. It reads the
// expiry from the app registration through Graph (Application.Read.All),
// or takes the date the administrator configured (SECRET_EXPIRES). Within
// CredentialWarning it warns in the log at every check, and once a day, by
// one replica, in the helpdesk channel; /metrics always has the date.
type CredentialWatch struct {
	Graph interface {
		AppCredentials(ctx context.Context, appID string) ([]graph.AppCredential, error)
	}
	AppID      string
	Configured time.Time // SECRET_EXPIRES; zero: not set
	// Once runs the channel warning at most once a day across replicas
	// (store.DB.OnceEvery).
	Once func(ctx context.Context, name string, now time.Time, every time.Duration, job func() error) (bool, error)
	// Announce posts into the helpdesk channel; nil: no helpdesk.
	Announce func(ctx context.Context, text string) error
	Now      func() time.Time
	Log      *zap.Logger
	expires  prometheus.Gauge
}

// Observe registers the expiry gauge.
func (w *CredentialWatch) Observe(reg prometheus.Registerer) {
	w.expires = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mfadesk_credential_expiry_timestamp_seconds",
		Help: "When the bot's client secret or certificate expires (the soonest), as a Unix time; 0 when unknown. Alert when it is less than 30 days away.",
	})
	reg.MustRegister(w.expires)
}

// Check finds the soonest expiry and warns if it is near. It returns it
// (zero when neither Graph nor the configuration tells).
func (w *CredentialWatch) Check(ctx context.Context) time.Time {
	end, source := w.soonest(ctx)
	if w.expires != nil {
		if end.IsZero() {
			w.expires.Set(0)
		} else {
			w.expires.Set(float64(end.Unix()))
		}
	}
	now := w.Now()
	if end.IsZero() || end.Sub(now) > CredentialWarning {
		return end
	}
	days := int(end.Sub(now).Hours() / 24)
	if end.Before(now) {
		w.Log.Error("the bot's credential has expired: it can't answer in Teams or reach Graph until it is renewed",
			zap.Time("expired", end), zap.String("source", source))
	} else {
		w.Log.Warn("the bot's credential expires soon: renew it (Entra ID > App registrations > Certificates & secrets), then set the new one and SECRET_EXPIRES",
			zap.Time("expires", end), zap.Int("days_left", days), zap.String("source", source))
	}
	if w.Announce == nil || w.Once == nil {
		return end
	}
	text := fmt.Sprintf("⚠ MFA Desk のクライアントシークレット（または証明書）の有効期限は %s です（あと %d 日）。期限を過ぎるとボットは Teams で応答できなくなります。Entra ID の「アプリの登録 > 証明書とシークレット」で更新し、新しい値を設定してください。\n"+
		"⚠ MFA Desk's client secret (or certificate) expires on %s (%d days left). After that the bot can't answer in Teams. Renew it in Entra ID (App registrations > Certificates & secrets) and set the new one.",
		end.In(now.Location()).Format("2006-01-02"), days, end.In(now.Location()).Format("2006-01-02"), days)
	if _, err := w.Once(ctx, "credential-warning", now, 24*time.Hour, func() error { return w.Announce(ctx, text) }); err != nil {
		w.Log.Warn("credential warning not posted in the helpdesk channel", zap.Error(err))
	}
	return end
}

// soonest is the earliest expiry Graph reports for the app, or else the
// configured date.
func (w *CredentialWatch) soonest(ctx context.Context) (time.Time, string) {
	if w.Graph != nil && w.AppID != "" {
		creds, err := w.Graph.AppCredentials(ctx, w.AppID)
		if err == nil && len(creds) > 0 {
			var end time.Time
			for _, c := range creds {
				if end.IsZero() || c.End.Before(end) {
					end = c.End
				}
			}
			return end, "graph"
		}
		if err != nil && w.Configured.IsZero() {
			w.Log.Info("the credential's expiry can't be read from Graph (grant Application.Read.All, or set SECRET_EXPIRES)", zap.Error(err))
		}
	}
	if !w.Configured.IsZero() {
		return w.Configured, "SECRET_EXPIRES"
	}
	return time.Time{}, ""
}
