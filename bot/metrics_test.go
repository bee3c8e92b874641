package bot_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/mfadesk/mfadesk/bot"
	"github.com/mfadesk/mfadesk/cards"
	"github.com/mfadesk/mfadesk/dialogs"
	"github.com/mfadesk/mfadesk/store"
	"github.com/mfadesk/mfadesk/store/storetest"
)

// series returns the value of every series of the registry as
// "name{label=value,...}" → value.
func series(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func TestMetricsCountTurnsWithoutUserData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conv := "a:1metrics-person"
	msg := e.message(conv, "SMSが届かない")
	e.do(t, msg)
	e.do(t, msg) // a redelivery
	e.do(t, e.message(conv, "天気はどう？"))
	e.post(e.message(conv, "hi"), "Bearer forged")
	e.postRaw([]byte(`{"type":`), "Bearer "+e.idp.token(t, e.conn.serviceURL()))
	e.do(t, e.submit(conv, map[string]any{cards.VerbKey: cards.VerbMenu}))

	got := series(t, e.metrics)
	for key, want := range map[string]float64{
		`mfadesk_turns_total{outcome=ok,type=message}`:                  4,
		`mfadesk_turns_total{outcome=refused,type=unknown}`:             1,
		`mfadesk_turns_total{outcome=bad_request,type=unknown}`:         1,
		`mfadesk_turn_duration_seconds{type=message}`:                   4,
		`mfadesk_duplicate_activities_total{}`:                          1,
		`mfadesk_faq_matches_total{confidence=out-of-scope,topic=none}`: 1,
		// The SMS answer looked at the sign-in log: nothing failing.
		`mfadesk_signin_diagnoses_total{found=nothing}`: 1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	var sms float64
	for key, v := range got {
		if strings.HasPrefix(key, "mfadesk_faq_matches_total{confidence=confident,") {
			sms += v
		}
		for _, private := range []string{conv, aadFor(conv), "1234", "5678", "SMS", "天気", "山田"} {
			if strings.Contains(key, private) {
				t.Errorf("series %s carries user data (%q)", key, private)
			}
		}
	}
	if sms != 1 {
		t.Errorf("confident FAQ matches = %v, want 1 (the SMS question): %v", sms, got)
	}
}

func TestGraphRequestsAreCountedByOperation(t *testing.T) {
	t.Parallel()
	graphSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer graphSrv.Close()
	reg := prometheus.NewRegistry()
	client := &http.Client{Transport: bot.NewMetrics(reg).InstrumentGraph(nil)}
	user := "5a1ce000-0000-4000-8000-000000000001"
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, "/v1.0/users/" + user + "/authentication/methods"},
		{http.MethodGet, "/v1.0/users/" + user + "/authentication/methods"},
		{http.MethodPost, "/v1.0/users/" + user + "/authentication/phoneMethods"},
		{http.MethodDelete, "/v1.0/users/" + user + "/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7"},
		{http.MethodGet, "/v1.0/users/s2412345@example.ac.jp"},
	} {
		r, _ := http.NewRequest(req.method, graphSrv.URL+req.path, nil)
		resp, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := series(t, reg)
	for key, want := range map[string]float64{
		`mfadesk_graph_requests_total{operation=GET methods,result=2xx}`:              2,
		`mfadesk_graph_requests_total{operation=POST phoneMethods,result=429}`:        1,
		`mfadesk_graph_requests_total{operation=DELETE phoneMethods/{id},result=2xx}`: 1,
		`mfadesk_graph_requests_total{operation=GET users,result=2xx}`:                1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v (all: %v)", key, got[key], want, got)
		}
	}
	for key := range got {
		if strings.Contains(key, user) || strings.Contains(key, "example.ac.jp") || strings.Contains(key, "3179e48a") {
			t.Errorf("series %s carries an id", key)
		}
	}
}

// A turn that panics is answered 500 by Recover, outside the handler: it
// still counts as an error, not as ok.
func TestMetricsCountAPanickingTurnAsError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withDialogs(map[string]dialogs.Dialog{"test.ask": askDialog{panicOn: "boom"}}))
	conv := "a:1metrics-panic"
	e.post(e.submit(conv, map[string]any{cards.VerbKey: "test.ask"}))
	if rec := e.post(e.message(conv, "boom")); rec.Code != http.StatusInternalServerError {
		t.Fatalf("HTTP %d, want 500", rec.Code)
	}
	got := series(t, e.metrics)
	if got[`mfadesk_turns_total{outcome=error,type=message}`] != 1 || got[`mfadesk_turns_total{outcome=ok,type=message}`] != 1 {
		t.Errorf("turns: %v; want one ok (the start) and one error (the panic)", got)
	}
}

func TestPoolGauges(t *testing.T) {
	t.Parallel()
	sqlite, _ := storetest.SQLite(t)
	pg, _ := storetest.Postgres(t)
	for _, tc := range []struct {
		st    *store.DB
		pools []string
	}{{sqlite, []string{"write", "read"}}, {pg, []string{"data"}}} {
		reg := prometheus.NewRegistry()
		bot.ObservePools(reg, tc.st.PoolStats)
		release, err := func() (func(), error) {
			if l := tc.st.ConversationLocks(); l != nil {
				return l.Lock(t.Context(), "a:1pool")
			}
			return func() {}, nil
		}()
		if err != nil {
			t.Fatal(err)
		}
		got := series(t, reg)
		release()
		for _, pool := range tc.pools {
			if _, ok := got["mfadesk_db_connections_open{pool="+pool+"}"]; !ok {
				t.Errorf("no gauge for pool %s: %v", pool, got)
			}
		}
		if inUse, ok := got["mfadesk_db_connections_in_use{pool=data}"]; tc.st == pg && (!ok || inUse != 0) {
			t.Errorf("a held lock is a lease and should hold no connection: %v", got)
		}
	}
}
