package bot_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkTurn runs whole turns through the real handler: token check, a
// FAQ question, the SQLite store and a reply to a local fake connector.
func BenchmarkTurn(b *testing.B) {
	e := newEnv(b)
	token := "Bearer " + e.idp.token(b, e.conn.serviceURL())
	var n atomic.Int64
	// One turn first: it builds the matcher, which start-up does in the
	// background.
	if rec := e.post(e.message("a:1bench-warm", "SMSが届かない"), token); rec.Code != http.StatusOK {
		b.Fatalf("HTTP %d", rec.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.SetParallelism(25) // 50 turns in flight on 2 cores, as the load run
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			msg := e.message(fmt.Sprintf("a:1bench-%d", i%50), "SMSが届かない")
			if rec := e.post(msg, token); rec.Code != http.StatusOK {
				b.Fatalf("HTTP %d", rec.Code)
			}
		}
	})
}
