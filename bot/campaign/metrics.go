package campaign

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mfadesk/mfadesk/faq"
	"github.com/mfadesk/mfadesk/store"
)

// Counter is where the gauges read a campaign's figures; *store.DB is the
// real one.
type Counter interface {
	CountCampaign(ctx context.Context, campaign string, at time.Time) (store.CampaignCounts, error)
}

// Observe exports campaign name's figures as Prometheus gauges, read from
// the store at each scrape (the figures change as people click, not only
// when the command runs), and the days left before SMS and voice codes end.
func Observe(reg prometheus.Registerer, name string, counts Counter, tenant faq.Tenant, now func() time.Time) {
	reg.MustRegister(&collector{name: name, counts: counts, tenant: tenant, now: now,
		people: prometheus.NewDesc("mfadesk_campaign_people", "People of the passkey campaign, by status: phone_only (still), contacted, started, registered (moved off phones), unreachable, no_smartphone.",
			[]string{"campaign", "status"}, nil),
		daysLeft: prometheus.NewDesc("mfadesk_campaign_days_left", "Days until the tenant's SMS and voice codes end.", []string{"campaign"}, nil),
	})
}

type collector struct {
	name             string
	counts           Counter
	tenant           faq.Tenant
	now              func() time.Time
	people, daysLeft *prometheus.Desc
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.people
	ch <- c.daysLeft
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	ch <- prometheus.MustNewConstMetric(c.daysLeft, prometheus.GaugeValue, float64(DaysLeft(c.tenant, now)), c.name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.counts.CountCampaign(ctx, c.name, now)
	if err != nil {
		return // a scrape without the figures beats a failed scrape
	}
	for status, v := range map[string]int{"phone_only": n.PhoneOnly, "contacted": n.Contacted, "started": n.Started,
		"registered": n.Registered, "unreachable": n.Unreachable, "no_smartphone": n.NoSmartphone} {
		ch <- prometheus.MustNewConstMetric(c.people, prometheus.GaugeValue, float64(v), c.name, status)
	}
}
