package bot

import (
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus series. Labels carry kinds and
// outcomes from small fixed sets, never user data: no ids, no text, no
// numbers. A nil *Metrics records nothing.
type Metrics struct {
	turns            *prometheus.CounterVec
	turnSeconds      *prometheus.HistogramVec
	duplicates       prometheus.Counter
	graphCalls       *prometheus.CounterVec
	graphSeconds     *prometheus.HistogramVec
	connectorRetries *prometheus.CounterVec
	connectorFailed  prometheus.Counter
	escalations      *prometheus.CounterVec
	faqMatches       *prometheus.CounterVec
	signInDiagnoses  *prometheus.CounterVec
}

// NewMetrics registers the bot's series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_turns_total",
			Help: "Activities received on /api/messages, by type and outcome (ok, refused, bad_request, unavailable, undelivered, error).",
		}, []string{"type", "outcome"}),
		turnSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mfadesk_turn_duration_seconds",
			Help:    "Time to answer an activity, by type.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"type"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mfadesk_duplicate_activities_total",
			Help: "Activities the Bot Connector delivered again, answered without running the turn again.",
		}),
		graphCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_graph_requests_total",
			Help: "HTTP requests to Microsoft Graph (each retry counts), by operation and result (2xx, 429, 4xx, 5xx, error).",
		}, []string{"operation", "result"}),
		graphSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mfadesk_graph_request_duration_seconds",
			Help:    "Duration of HTTP requests to Microsoft Graph, by operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
		connectorRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_connector_retries_total",
			Help: "Bot Connector requests tried again, by the reason (the HTTP status, or transport).",
		}, []string{"reason"}),
		connectorFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mfadesk_connector_failures_total",
			Help: "Bot Connector requests that failed after their retries.",
		}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_escalations_total",
			Help: "Tickets opened in the helpdesk channel, by kind (help: a person asked; approval: a change awaits approval).",
		}, []string{"kind"}),
		faqMatches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_faq_matches_total",
			Help: "Questions matched against the knowledge base, by the topic answered (none when unsure) and confidence.",
		}, []string{"topic", "confidence"}),
		signInDiagnoses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_signin_diagnoses_total",
			Help: "Looks at people's own sign-in logs after an answer, by what they found: a failure shape (sms-no-code, voice-no-answer, app-denied, throttled, blocked-policy, …), nothing (no failure since the last success), unread (Graph failed) or off (no permission or licence: turned off for an hour).",
		}, []string{"found"}),
	}
	reg.MustRegister(m.turns, m.turnSeconds, m.duplicates, m.graphCalls, m.graphSeconds,
		m.connectorRetries, m.connectorFailed, m.escalations, m.faqMatches, m.signInDiagnoses)
	return m
}

// ObservePools adds gauges of the database's connection pools, read at
// each scrape: connections in use and open, and the waits for one. A pool
// always in use, its waits climbing, means the replica's budget
// (DATABASE_MAX_CONNECTIONS) is too small for its load or the database too
// slow: turns that wait too long for a connection answer 503.
func ObservePools(reg prometheus.Registerer, stats func() map[string]sql.DBStats) {
	reg.MustRegister(poolCollector{stats: stats,
		inUse: prometheus.NewDesc("mfadesk_db_connections_in_use", "Database connections in use, by pool.", []string{"pool"}, nil),
		open:  prometheus.NewDesc("mfadesk_db_connections_open", "Database connections open, by pool.", []string{"pool"}, nil),
		waits: prometheus.NewDesc("mfadesk_db_connection_waits_total", "Times a query waited for a free connection, by pool.", []string{"pool"}, nil),
	})
}

type poolCollector struct {
	stats              func() map[string]sql.DBStats
	inUse, open, waits *prometheus.Desc
}

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.inUse
	ch <- c.open
	ch <- c.waits
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(s.InUse), pool)
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(s.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.WaitCount), pool)
	}
}

// activityTypes are the label values of an activity's type; anything else
// (a sender can put any string there) counts as "other".
var activityTypes = map[string]bool{
	"unknown": true, typeMessage: true, typeInvoke: true, typeConversationUpdate: true, typeInstallationUpdate: true,
	"messageReaction": true, "typing": true, "event": true, "messageUpdate": true, "messageDelete": true,
}

func (m *Metrics) turn(kind string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if !activityTypes[kind] {
		kind = "other"
	}
	m.turns.WithLabelValues(kind, outcome(status)).Inc()
	m.turnSeconds.WithLabelValues(kind).Observe(d.Seconds())
}

// outcome names an HTTP answer of the messaging endpoint.
func outcome(status int) string {
	switch {
	case status < 300:
		return "ok"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "refused"
	case status == http.StatusServiceUnavailable:
		return "unavailable"
	case status == http.StatusBadGateway:
		return "undelivered"
	case status < 500:
		return "bad_request"
	}
	return "error"
}

func (m *Metrics) duplicate() {
	if m != nil {
		m.duplicates.Inc()
	}
}

func (m *Metrics) connectorRetry(status int) {
	if m == nil {
		return
	}
	reason := "transport"
	if status != 0 {
		reason = strconv.Itoa(status)
	}
	m.connectorRetries.WithLabelValues(reason).Inc()
}

func (m *Metrics) connectorFailure() {
	if m != nil {
		m.connectorFailed.Inc()
	}
}

func (m *Metrics) escalation(kind string) {
	if m != nil {
		m.escalations.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) faqMatch(topic, confidence string) {
	if m == nil {
		return
	}
	if topic == "" {
		topic = "none"
	}
	m.faqMatches.WithLabelValues(topic, confidence).Inc()
}

// signInDiagnosis counts one look at a sign-in log by what it found
// (dialogs.Turn.Diagnosed): which failures people meet most, and how often
// the log explains them.
func (m *Metrics) signInDiagnosis(found string) {
	if m != nil {
		m.signInDiagnoses.WithLabelValues(found).Inc()
	}
}

// InstrumentGraph wraps the transport of the Graph client so that every
// request is counted and timed by operation.
func (m *Metrics) InstrumentGraph(next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return next
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		op := graphOperation(r.Method, r.URL.Path)
		start := time.Now()
		resp, err := next.RoundTrip(r)
		m.graphSeconds.WithLabelValues(op).Observe(time.Since(start).Seconds())
		result := "error"
		if err == nil {
			switch s := resp.StatusCode; {
			case s < 300:
				result = "2xx"
			case s == http.StatusTooManyRequests:
				result = "429"
			case s < 500:
				result = "4xx"
			default:
				result = "5xx"
			}
		}
		m.graphCalls.WithLabelValues(op, result).Inc()
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// graphResources are the path segments that name what a Graph request
// acts on; every other segment is an id and is left out of the label.
var graphResources = map[string]bool{
	"users": true, "authentication": true, "methods": true, "phoneMethods": true,
	"microsoftAuthenticatorMethods": true, "temporaryAccessPassMethods": true, "emailMethods": true,
	"softwareOathMethods": true, "fido2Methods": true, "windowsHelloForBusinessMethods": true,
	"passwordMethods": true, "platformCredentialMethods": true, "revokeSignInSessions": true,
	"enableSmsSignIn": true, "disableSmsSignIn": true,
	"sendMail": true, "checkMemberGroups": true, "transitiveMemberOf": true,
	"graph.directoryRole": true, "microsoft.graph.directoryRole": true,
}

// graphOperation names a Graph request for metrics: its method and the
// resource it acts on, e.g. "POST phoneMethods", "DELETE phoneMethods/{id}".
func graphOperation(method, path string) string {
	resource, id := "other", false
	for _, seg := range strings.Split(path, "/") {
		switch {
		case seg == "" || seg == "v1.0" || seg == "beta":
		case graphResources[seg]:
			resource, id = seg, false
		default:
			id = true
		}
	}
	if id && resource != "users" {
		resource += "/{id}"
	}
	return method + " " + resource
}
