package graph

import (
	"context"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/applicationswithappid"
)

// AppCredential is one of an app registration's credentials: a client
// secret or a certificate, and when it stops working.
type AppCredential struct {
	Kind string // "secret" or "certificate"
	Name string // its description in Entra
	End  time.Time
}

// AppCredentials lists the client secrets and certificates of the app
// registration appID. It needs Application.Read.All (an app may not read
// its own registration otherwise): without it Graph answers 403, and the
// caller falls back to what the administrator configured.
func (c *Client) AppCredentials(ctx context.Context, appID string) ([]AppCredential, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	app, err := c.sdk.ApplicationsWithAppId(&appID).Get(ctx, &applicationswithappid.ApplicationsWithAppIdRequestBuilderGetRequestConfiguration{
		QueryParameters: &applicationswithappid.ApplicationsWithAppIdRequestBuilderGetQueryParameters{
			Select: []string{"passwordCredentials", "keyCredentials"},
		},
	})
	if err != nil {
		return nil, wrap("read app registration", err)
	}
	var out []AppCredential
	for _, p := range app.GetPasswordCredentials() {
		if p.GetEndDateTime() != nil {
			out = append(out, AppCredential{Kind: "secret", Name: str(p.GetDisplayName()), End: p.GetEndDateTime().UTC()})
		}
	}
	for _, k := range app.GetKeyCredentials() {
		if k.GetEndDateTime() != nil {
			out = append(out, AppCredential{Kind: "certificate", Name: str(k.GetDisplayName()), End: k.GetEndDateTime().UTC()})
		}
	}
	return out, nil
}
