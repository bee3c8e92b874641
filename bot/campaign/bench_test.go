package campaign_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCampaign50k runs a whole campaign (scan, first messages) over a
// seeded tenant of 50,000 people in the Graph simulator, unpaced, and
// reports what it costs: people read a second, the peak heap, and how long
// the same run takes at the default pace of 8 calls a second to each of
// Graph and the Bot Connector (the pace, not the CPU, bounds a real run).
//
//	go test ./bot/campaign -run '^$' -bench Campaign50k -benchtime 1x
func BenchmarkCampaign50k(b *testing.B) {
	const people = 50_000
	for range b.N {
		b.StopTimer()
		w := newWorld(b, people)
		c := w.campaign()
		c.Rate, c.Workers, c.PageSize = 1e9, 8, 500
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // sample the heap while the run goes
			defer wg.Done()
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		rep, err := c.Find(b.Context(), false, nil)
		if err != nil {
			b.Fatal(err)
		}
		reach, err := c.Reach(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		wg.Wait()
		// Calls a real run makes: per phone-only person, the person and
		// their roles while finding, the installation and the methods when
		// messaging (Graph); the chat and the message (connector).
		graphCalls := float64(rep.ByMix["phone-only"]*2+reach.Sent*2) + float64(people)/500
		hours := graphCalls / 8 / 3600
		b.ReportMetric(float64(people)/elapsed.Seconds(), "people/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(hours, "hours-at-8/s")
		b.ReportMetric(float64(reach.Sent), "messages")
	}
}
