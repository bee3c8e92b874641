package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// The bot warns 30 days before its secret expires, read from its app
// registration through Graph (the real client, the simulator): in the log
// at each check, in the helpdesk channel once a day, and in /metrics. With
// the registration unreadable, the configured date stands in.
func TestCredentialWatch(t *testing.T) {
	st, _ := storetest.SQLite(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	sharedSim.SetAppSecretExpiry(now.Add(20 * 24 * time.Hour))
	t.Cleanup(func() { sharedSim.SetAppSecretExpiry(time.Now().AddDate(1, 0, 0)) })

	core, logs := observer.New(zap.InfoLevel)
	var mu sync.Mutex
	var posted []string
	clock := now
	w := &bot.CredentialWatch{Graph: sharedGraph, AppID: "7d1f2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b", Now: func() time.Time { return clock }, Log: zap.New(core),
		Once: func(ctx context.Context, name string, at time.Time, every time.Duration, job func() error) (bool, error) {
			return st.OnceEvery(ctx, name, "replica", at, every, job)
		},
		Announce: func(_ context.Context, text string) error {
			mu.Lock()
			defer mu.Unlock()
			posted = append(posted, text)
			return nil
		}}
	reg := prometheus.NewRegistry()
	w.Observe(reg)

	end := w.Check(t.Context())
	w.Check(t.Context()) // an hour later, say: no second post
	if !end.Equal(now.Add(20 * 24 * time.Hour)) {
		t.Fatalf("expiry %v, want the simulator's", end)
	}
	if len(posted) != 1 || !strings.Contains(posted[0], "あと 20 日") || !strings.Contains(posted[0], "20 days left") {
		t.Fatalf("helpdesk posts %q, want one, in both languages, with the days left", posted)
	}
	if n := logs.FilterMessageSnippet("expires soon").Len(); n != 2 {
		t.Errorf("%d warnings in the log, want one per check", n)
	}
	if got := gauge(t, reg, "mfadesk_credential_expiry_timestamp_seconds"); got != float64(end.Unix()) {
		t.Errorf("/metrics has %v, want %d", got, end.Unix())
	}
	clock = now.Add(25 * time.Hour)
	w.Check(t.Context())
	if len(posted) != 2 {
		t.Errorf("the next day: %d posts, want 2", len(posted))
	}

	// Far off: nothing said.
	sharedSim.SetAppSecretExpiry(clock.Add(200 * 24 * time.Hour))
	before := len(posted)
	clock = clock.Add(25 * time.Hour)
	w.Check(t.Context())
	if len(posted) != before || logs.FilterMessageSnippet("expires soon").Len() != 3 {
		t.Errorf("a secret 200 days away was warned about")
	}

	// Graph can't tell (no such app): SECRET_EXPIRES stands in.
	w.AppID = "not-an-app-id"
	w.Configured = clock.Add(5 * 24 * time.Hour)
	if end := w.Check(t.Context()); !end.Equal(w.Configured) {
		t.Errorf("expiry %v, want the configured %v", end, w.Configured)
	}
}

// gauge reads a gauge's value from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}
