package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func sendMailPath(user string) string { return "/v1.0/users/" + user + "/sendMail" }

// mailBody is a sendMail body; to, subject and content are left out when
// empty.
func mailBody(subject, content string, to ...string) map[string]any {
	msg := map[string]any{}
	if subject != "" {
		msg["subject"] = subject
	}
	if content != "" {
		msg["body"] = map[string]any{"contentType": "Text", "content": content}
	}
	var rcpt []any
	for _, a := range to {
		rcpt = append(rcpt, map[string]any{"emailAddress": map[string]any{"address": a}})
	}
	if rcpt != nil {
		msg["toRecipients"] = rcpt
	}
	return map[string]any{"message": msg, "saveToSentItems": false}
}

func getMail(t *testing.T, base, query string) []SentMail {
	t.Helper()
	r := send(t, base, http.MethodGet, "/_sim/mail"+query, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /_sim/mail%s: status %d, body %s", query, r.status, r.body)
	}
	var out struct {
		Value []SentMail `json:"value"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Value
}

func TestSendMail(t *testing.T) {
	t.Parallel()
	s, ts := start(t)

	// As msgraph-sdk-go sends it: gzip, the action's parameter names
	// capitalised, and an @odata.type on the message.
	sdkBody := `{"Message":{"@odata.type":"#microsoft.graph.message","body":{"content":"新しい電話番号が登録されました。\nBody line 2","contentType":"text"},` +
		`"subject":"MFA の変更","toRecipients":[{"emailAddress":{"address":"Hanako.Sato@contoso.example"}}]},"SaveToSentItems":false}`
	r := send(t, ts.URL, http.MethodPost, sendMailPath("ichiro.suzuki@contoso.example"), gzipped(t, []byte(sdkBody)),
		"Content-Encoding", "gzip")
	if r.status != http.StatusAccepted || len(r.body) != 0 {
		t.Fatalf("sendMail: status %d, body %q; want 202 and no body", r.status, r.body)
	}
	want := SentMail{From: "ichiro.suzuki@contoso.example", To: []string{"Hanako.Sato@contoso.example"},
		Subject: "MFA の変更", Body: "新しい電話番号が登録されました。\nBody line 2", ContentType: "text", At: t0}
	if got := s.SentMail(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("SentMail() = %+v, want [%+v]", got, want)
	}

	// From a seeded user with a mail address of its own, and from a made-up one.
	if r := send(t, ts.URL, http.MethodPost, sendMailPath(itoID), mailBody("s2", "b2", "a@example.jp", "b@example.jp")); r.status != http.StatusAccepted {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	if r := send(t, ts.URL, http.MethodPost, sendMailPath(anonID), map[string]any{
		"message": map[string]any{"subject": "s3", "body": map[string]any{"contentType": "HTML", "content": "<p>b3</p>"},
			"toRecipients": []any{map[string]any{"emailAddress": map[string]any{"address": "a@example.jp"}}}}}); r.status != http.StatusAccepted {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}

	all := getMail(t, ts.URL, "")
	if len(all) != 3 || all[1].From != "yumi.ito@mail.contoso.example" || all[2].From != anonID[:8]+"@contoso.example" {
		t.Fatalf("GET /_sim/mail = %+v, want three messages, oldest first, from each sender's address", all)
	}
	if all[2].ContentType != "html" || !all[2].SaveToSentItems {
		t.Errorf("third message = %+v, want html and saveToSentItems defaulting to true", all[2])
	}
	tests := []struct {
		query string
		want  []string // subjects
	}{
		{"?to=hanako.sato@CONTOSO.example", []string{"MFA の変更"}},
		{"?to=a@example.jp", []string{"s2", "s3"}},
		{"?to=b@example.jp", []string{"s2"}},
		{"?to=nobody@example.jp", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range getMail(t, ts.URL, tt.query) {
			got = append(got, m.Subject)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("GET /_sim/mail%s: subjects %q, want %q", tt.query, got, tt.want)
		}
	}

	runSteps(t, ts.URL, []step{
		{http.MethodDelete, "/_sim/mail", nil, 204, "", ""},
		{http.MethodGet, "/_sim/mail", nil, 200, "", `{"value":[]}`},
		{http.MethodPost, "/_sim/mail", nil, 405, "methodNotAllowed", ""},
	})
	for _, req := range s.Requests() {
		if strings.Contains(req.Path, "_sim") {
			t.Errorf("control request %s %s was logged", req.Method, req.Path)
		}
	}
}

func TestSendMailErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		user       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"no body", satoID, nil, 400, codeBadRequest},
		{"not JSON", satoID, "{", 400, codeBadRequest},
		{"no message", satoID, map[string]any{"saveToSentItems": false}, 400, codeInvalidRequest},
		{"no recipients", satoID, mailBody("s", "b"), 400, codeInvalidRecipients},
		{"bad recipient", satoID, mailBody("s", "b", "a@example.jp", "not an address"), 400, codeInvalidRecipients},
		{"recipient without address", satoID, map[string]any{"message": map[string]any{"subject": "s",
			"body": map[string]any{"content": "b"}, "toRecipients": []any{map[string]any{}}}}, 400, codeInvalidRecipients},
		{"no subject", satoID, mailBody("", "b", "a@example.jp"), 400, codeInvalidRequest},
		{"blank subject", satoID, mailBody(" ", "b", "a@example.jp"), 400, codeInvalidRequest},
		{"no content", satoID, mailBody("s", "", "a@example.jp"), 400, codeInvalidRequest},
		{"odd content type", satoID, map[string]any{"message": map[string]any{"subject": "s",
			"body":         map[string]any{"contentType": "rtf", "content": "b"},
			"toRecipients": []any{map[string]any{"emailAddress": map[string]any{"address": "a@example.jp"}}}}}, 400, codeInvalidRequest},
		{"unknown sender", "ghost@contoso.example", mailBody("s", "b", "a@example.jp"), 404, codeItemNotFound},
		{"GET", satoID, nil, 405, "methodNotAllowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ts := start(t)
			method := http.MethodPost
			if tt.name == "GET" {
				method = http.MethodGet
			}
			r := send(t, ts.URL, method, sendMailPath(tt.user), tt.body)
			if r.status != tt.wantStatus || r.errCode(t) != tt.wantCode {
				t.Errorf("status %d, code %q; want %d %q; body %s", r.status, r.errCode(t), tt.wantStatus, tt.wantCode, r.body)
			}
			if strings.Contains(string(r.body), "not an address") {
				t.Errorf("the error echoes the address: %s", r.body)
			}
			if n := len(s.SentMail()); n != 0 {
				t.Errorf("%d messages recorded, want none", n)
			}
		})
	}
}

func TestSentMailKeepsTheLatest(t *testing.T) {
	t.Parallel()
	s, ts := start(t)
	for i := range maxMail + 2 {
		if r := send(t, ts.URL, http.MethodPost, sendMailPath(satoID), mailBody(fmt.Sprint(i), "b", "a@example.jp")); r.status != http.StatusAccepted {
			t.Fatalf("mail %d: status %d, body %s", i, r.status, r.body)
		}
	}
	got := s.SentMail()
	if len(got) != maxMail || got[0].Subject != "2" || got[len(got)-1].Subject != fmt.Sprint(maxMail+1) {
		t.Errorf("kept %d messages, %q..%q; want %d, 2..%d", len(got), got[0].Subject, got[len(got)-1].Subject, maxMail, maxMail+1)
	}
	s.ClearSentMail()
	if len(s.SentMail()) != 0 {
		t.Error("ClearSentMail left messages")
	}
}
