package signinsim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mfadesk/mfadesk/bot/stepup/signinsim"
)

// Mount the simulator under a prefix of the bot's own server, as local mode
// does, and read the discovery document an OIDC client starts from.
func Example() {
	base := "http://127.0.0.1:3978/signin-simulator"
	s := signinsim.New(base, signinsim.WithClient("app-id", "app-secret", "http://127.0.0.1:3978/auth/callback"))
	mux := http.NewServeMux()
	mux.Handle("/signin-simulator/", http.StripPrefix("/signin-simulator", s))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET",
		"/signin-simulator/4f5e6d7c-1a2b-4c3d-8e9f-0a1b2c3d4e5f/v2.0/.well-known/openid-configuration", nil))
	var d struct {
		Issuer        string `json:"issuer"`
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &d)
	fmt.Println(d.Issuer)
	fmt.Println(d.Authorization)
	fmt.Println(d.Token)
	// Output:
	// http://127.0.0.1:3978/signin-simulator/4f5e6d7c-1a2b-4c3d-8e9f-0a1b2c3d4e5f/v2.0
	// http://127.0.0.1:3978/signin-simulator/4f5e6d7c-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/authorize
	// http://127.0.0.1:3978/signin-simulator/4f5e6d7c-1a2b-4c3d-8e9f-0a1b2c3d4e5f/oauth2/v2.0/token
}
