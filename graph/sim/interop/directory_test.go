package interop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

const (
	yamamotoID     = "7d4e2a19-3c5b-4f8e-b1a6-9e0d2c4f6a81" // Authentication Administrator
	itoID          = "e5b7c9d1-2f4a-4b6c-8d0e-1a3c5e7f9b20" // member of protectedGroup
	protectedGroup = "4b8e1f3a-6c2d-4e9f-a7b5-0d1c2e3f4a5b"
)

// TestSDKDirectoryRolesPaging follows the simulator's @odata.nextLink with
// the SDK, through the mount prefix.
func TestSDKDirectoryRolesPaging(t *testing.T) {
	s, client, _ := setup(t)
	ctx := context.Background()
	patch := httptest.NewRequest(http.MethodPatch, "/_sim/users/"+yamamotoID,
		strings.NewReader(`{"directoryRoles":["Authentication Administrator","Global Reader"]}`))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, patch)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH roles: %d %s", rec.Code, rec.Body)
	}

	b := client.Users().ByUserId(yamamotoID).TransitiveMemberOf().GraphDirectoryRole()
	page, err := b.Get(ctx, &users.ItemTransitiveMemberOfGraphDirectoryRoleRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.ItemTransitiveMemberOfGraphDirectoryRoleRequestBuilderGetQueryParameters{Top: ptr(int32(1))},
	})
	var names, templates []string
	for pages := 0; ; pages++ {
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		for _, r := range page.GetValue() {
			names = append(names, *r.GetDisplayName())
			templates = append(templates, *r.GetRoleTemplateId())
		}
		next := page.GetOdataNextLink()
		if next == nil || pages == 2 {
			break
		}
		if !strings.Contains(*next, mountedAt+"/v1.0/") {
			t.Errorf("nextLink %q lost the mount prefix", *next)
		}
		page, err = b.WithUrl(*next).Get(ctx, nil)
	}
	if strings.Join(names, "|") != "Authentication Administrator|Global Reader" ||
		strings.Join(templates, "|") != "c4e39bd9-1100-46d3-8c65-fb160da0071f|f2ef992c-3afb-46b9-b7cf-a126ee74c451" {
		t.Errorf("roles = %q %q", names, templates)
	}
}

func TestSDKCheckMemberGroupsAndSendMail(t *testing.T) {
	s, client, enc := setup(t)
	ctx := context.Background()

	check := users.NewItemCheckMemberGroupsPostRequestBody()
	check.SetGroupIds([]string{protectedGroup, "9e8d7c6b-1111-4111-8111-0000000000aa"})
	got, err := client.Users().ByUserId(itoID).CheckMemberGroups().PostAsCheckMemberGroupsPostResponse(ctx, check, nil)
	if err != nil || len(got.GetValue()) != 1 || got.GetValue()[0] != protectedGroup {
		t.Errorf("checkMemberGroups: %v, %v", got, err)
	}

	msg := models.NewMessage()
	msg.SetSubject(ptr("件名"))
	body := models.NewItemBody()
	body.SetContentType(ptr(models.TEXT_BODYTYPE))
	body.SetContent(ptr("本文"))
	msg.SetBody(body)
	addr := models.NewEmailAddress()
	addr.SetAddress(ptr("hanako.sato@contoso.example"))
	to := models.NewRecipient()
	to.SetEmailAddress(addr)
	msg.SetToRecipients([]models.Recipientable{to})
	send := users.NewItemSendMailPostRequestBody()
	send.SetMessage(msg)
	send.SetSaveToSentItems(ptr(false))
	if err := client.Users().ByUserId(satoUPN).SendMail().Post(ctx, send, nil); err != nil {
		t.Fatalf("sendMail: %v", err)
	}
	mail := s.SentMail()
	if len(mail) != 1 || mail[0].Subject != "件名" || mail[0].Body != "本文" || mail[0].ContentType != "text" ||
		mail[0].SaveToSentItems || len(mail[0].To) != 1 || mail[0].To[0] != "hanako.sato@contoso.example" {
		t.Errorf("sent mail = %+v", mail)
	}
	for _, e := range enc.got {
		if e != "gzip" {
			t.Errorf("a body went out with Content-Encoding %q", e)
		}
	}
}
