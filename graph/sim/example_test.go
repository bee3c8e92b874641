package sim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mfadesk/mfadesk/graph/sim"
)

// Mount the simulator under a prefix of the bot's own server, make Graph
// throttle the next request, and read a provisioned user's phones.
func Example() {
	s := sim.New()
	mux := http.NewServeMux()
	mux.Handle("/graph-simulator/", http.StripPrefix("/graph-simulator", s))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	s.Inject(sim.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second, Times: 1})
	url := srv.URL + "/graph-simulator/v1.0/users/1a2b3c4d-0000-4000-8000-00000000beef/authentication/phoneMethods"
	for range 2 {
		res, err := http.Get(url)
		if err != nil {
			panic(err)
		}
		var body struct {
			Value []struct {
				PhoneType   string `json:"phoneType"`
				PhoneNumber string `json:"phoneNumber"`
			} `json:"value"`
		}
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		fmt.Println(res.StatusCode, res.Header.Get("Retry-After"), len(body.Value))
	}
	fmt.Println(len(s.Requests()), "requests reached the simulator")
	// Output:
	// 429 2 0
	// 200  1
	// 2 requests reached the simulator
}
