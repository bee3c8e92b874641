package graph_test

import (
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/graph/sim"
)

// The SDK reads the app registration's secret through the simulator, over
// HTTP, as it would from Graph.
func TestAppCredentials(t *testing.T) {
	end := time.Date(2027, 1, 15, 3, 0, 0, 0, time.UTC)
	c, _ := newClient(t, sim.WithAppSecretExpiry(end))
	t.Parallel()
	creds, err := c.AppCredentials(t.Context(), "2f0b5c1e-7a4d-4e6b-9c8f-1d2e3f4a5b6c")
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || creds[0].Kind != "secret" || !creds[0].End.Equal(end) {
		t.Fatalf("credentials %+v, want one secret ending %v", creds, end)
	}
	if _, err := c.AppCredentials(t.Context(), "not-an-id"); err == nil {
		t.Error("a malformed app id was accepted")
	}
}
