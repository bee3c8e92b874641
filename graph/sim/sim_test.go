package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTemporaryAccessPass(t *testing.T) {
	t.Parallel()
	taps := methodsPath(suzukiID, "temporaryAccessPassMethods")
	tests := []struct {
		name       string
		body       any
		wantStatus int
		wantLife   float64
		wantOnce   bool
		wantUsable bool
		wantReason string
		wantStart  string
	}{
		{"defaults", map[string]any{}, 201, 60, false, true, "EnabledByPolicy", "2025-07-01T09:00:00Z"},
		{"no body", nil, 201, 60, false, true, "EnabledByPolicy", "2025-07-01T09:00:00Z"},
		{"one-time, shortest", map[string]any{"lifetimeInMinutes": 10, "isUsableOnce": true}, 201, 10, true, true, "EnabledByPolicy", "2025-07-01T09:00:00Z"},
		{"longest", map[string]any{"lifetimeInMinutes": 43200}, 201, 43200, false, true, "EnabledByPolicy", "2025-07-01T09:00:00Z"},
		{"starts tomorrow", map[string]any{"startDateTime": "2025-07-02T00:00:00Z"}, 201, 60, false, false, "NotYetValid", "2025-07-02T00:00:00Z"},
		{"started long ago", map[string]any{"startDateTime": "2025-06-01T00:00:00.000Z", "lifetimeInMinutes": 60}, 201, 60, false, false, "Expired", "2025-06-01T00:00:00Z"},
		{"too short", map[string]any{"lifetimeInMinutes": 9}, 400, 0, false, false, "", ""},
		{"too long", map[string]any{"lifetimeInMinutes": 43201}, 400, 0, false, false, "", ""},
		{"bad start", map[string]any{"startDateTime": "tomorrow"}, 400, 0, false, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, ts := start(t)
			r := send(t, ts.URL, http.MethodPost, taps, tt.body)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.body)
			}
			if tt.wantStatus != 201 {
				if got := r.errCode(t); got != codeInvalidRequest && got != codeBadRequest {
					t.Errorf("code = %q, want invalidRequest or BadRequest", got)
				}
				return
			}
			got := r.obj(t)
			pass, _ := got["temporaryAccessPass"].(string)
			if len(pass) != 8 || strings.Trim(pass, tapAlphabet) != "" {
				t.Errorf("temporaryAccessPass = %q, want 8 characters from %q", pass, tapAlphabet)
			}
			if got["lifetimeInMinutes"] != tt.wantLife || got["isUsableOnce"] != tt.wantOnce ||
				got["isUsable"] != tt.wantUsable || got["methodUsabilityReason"] != tt.wantReason ||
				got["startDateTime"] != tt.wantStart {
				t.Errorf("got %s, want lifetime %v once %v usable %v reason %v start %v",
					r.body, tt.wantLife, tt.wantOnce, tt.wantUsable, tt.wantReason, tt.wantStart)
			}
			if got["@odata.type"] != kindTAP.odataType() {
				t.Errorf("@odata.type = %v", got["@odata.type"])
			}
			// Reading it back never shows the pass.
			list := send(t, ts.URL, http.MethodGet, taps, nil)
			if strings.Contains(string(list.body), pass) {
				t.Errorf("GET list leaks the pass: %s", list.body)
			}
			all := send(t, ts.URL, http.MethodGet, methodsPath(suzukiID, "methods"), nil)
			if strings.Contains(string(all.body), pass) {
				t.Errorf("GET methods leaks the pass: %s", all.body)
			}
			debug := send(t, ts.URL, http.MethodGet, "/_sim/users/"+suzukiID, nil)
			if strings.Contains(string(debug.body), pass) {
				t.Errorf("debug state leaks the pass: %s", debug.body)
			}
		})
	}
}

func TestTemporaryAccessPassLifecycle(t *testing.T) {
	t.Parallel()
	clock := newTestClock(t0)
	s := New(WithSeed(seedUsers(t)), WithClock(clock.now))
	ts := httptest.NewServer(s)
	defer ts.Close()
	taps := methodsPath(suzukiID, "temporaryAccessPassMethods")

	first := send(t, ts.URL, http.MethodPost, taps, map[string]any{"lifetimeInMinutes": 60}).obj(t)
	second := send(t, ts.URL, http.MethodPost, taps, map[string]any{"lifetimeInMinutes": 30}).obj(t)
	if first["id"] == second["id"] || first["temporaryAccessPass"] == second["temporaryAccessPass"] {
		t.Errorf("a new pass reused the old id or value: %v, %v", first, second)
	}
	list := send(t, ts.URL, http.MethodGet, taps, nil).values(t)
	if len(list) != 1 || list[0]["id"] != second["id"] {
		t.Fatalf("after a second POST, list = %v, want only %v", list, second["id"])
	}
	if list[0]["temporaryAccessPass"] != nil {
		t.Errorf("GET shows temporaryAccessPass = %v, want null", list[0]["temporaryAccessPass"])
	}

	clock.set(t0.Add(31 * time.Minute))
	got := send(t, ts.URL, http.MethodGet, taps+"/"+second["id"].(string), nil).obj(t)
	if got["isUsable"] != false || got["methodUsabilityReason"] != "Expired" {
		t.Errorf("after its lifetime: isUsable %v reason %v, want false Expired", got["isUsable"], got["methodUsabilityReason"])
	}

	if r := send(t, ts.URL, http.MethodDelete, taps+"/"+second["id"].(string), nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE status = %d, want 204", r.status)
	}
	if r := send(t, ts.URL, http.MethodDelete, taps+"/"+second["id"].(string), nil); r.status != http.StatusNotFound {
		t.Errorf("second DELETE status = %d, want 404", r.status)
	}
	if n := len(send(t, ts.URL, http.MethodGet, taps, nil).values(t)); n != 0 {
		t.Errorf("after DELETE, %d passes remain", n)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	phones := methodsPath(satoID, "phoneMethods")
	tests := []struct {
		name   string
		fault  Fault
		method string
		path   string
		want   []int    // statuses of consecutive identical requests
		retry  []string // Retry-After of each; "" for none
	}{
		{"429 twice then through", Fault{Status: 429, RetryAfter: 1500 * time.Millisecond, Times: 2}, http.MethodGet, phones,
			[]int{429, 429, 200}, []string{"2", "2", ""}},
		{"429 without RetryAfter says 0", Fault{Status: 429, Times: 1}, http.MethodGet, phones,
			[]int{429, 200}, []string{"0", ""}},
		{"503 forever", Fault{Status: 503}, http.MethodGet, phones,
			[]int{503, 503, 503}, []string{"", "", ""}},
		{"503 with Retry-After", Fault{Status: 503, RetryAfter: 3 * time.Second, Times: 1}, http.MethodGet, phones,
			[]int{503, 200}, []string{"3", ""}},
		{"500 once", Fault{Status: 500, Times: 1}, http.MethodGet, phones,
			[]int{500, 200}, []string{"", ""}},
		{"method filter misses", Fault{Method: http.MethodPost, Status: 500}, http.MethodGet, phones,
			[]int{200, 200}, []string{"", ""}},
		{"method filter hits", Fault{Method: "delete", Status: 500, Times: 1}, http.MethodDelete, phones + "/" + officeID,
			[]int{500, 204, 404}, []string{"", "", ""}},
		{"path filter misses", Fault{PathContains: "fido2Methods", Status: 500}, http.MethodGet, phones,
			[]int{200}, []string{""}},
		{"latency only", Fault{Latency: 20 * time.Millisecond, Times: 1}, http.MethodGet, phones,
			[]int{200, 200}, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ts := start(t)
			s.Inject(tt.fault)
			for i, want := range tt.want {
				begin := time.Now()
				r := send(t, ts.URL, tt.method, tt.path, nil)
				if r.status != want {
					t.Fatalf("request %d: status = %d, want %d; body %s", i+1, r.status, want, r.body)
				}
				if got := r.header.Get("Retry-After"); got != tt.retry[i] {
					t.Errorf("request %d: Retry-After = %q, want %q", i+1, got, tt.retry[i])
				}
				if want >= 400 {
					if got := r.errCode(t); got != faultCode(want) {
						t.Errorf("request %d: code = %q, want %q", i+1, got, faultCode(want))
					}
				}
				if i == 0 && tt.fault.Latency > 0 {
					if el := time.Since(begin); el < tt.fault.Latency {
						t.Errorf("answered after %v, want at least %v", el, tt.fault.Latency)
					}
				}
			}
			s.ClearFaults()
			if r := send(t, ts.URL, http.MethodGet, phones, nil); r.status != http.StatusOK {
				t.Errorf("after ClearFaults: status = %d, want 200", r.status)
			}
		})
	}
}

func TestFaultControlEndpoint(t *testing.T) {
	t.Parallel()
	s, ts := start(t)
	r := send(t, ts.URL, http.MethodPost, "/_sim/faults",
		`{"method":"POST","pathContains":"/phoneMethods","status":429,"retryAfter":"2s","latency":0.01,"times":1}`)
	if r.status != http.StatusCreated {
		t.Fatalf("POST /_sim/faults: %d %s", r.status, r.body)
	}
	wantFault := Fault{Method: "POST", PathContains: "/phoneMethods", Status: 429, RetryAfter: 2 * time.Second, Latency: 10 * time.Millisecond, Times: 1}
	var echoed Fault
	if err := json.Unmarshal(r.body, &echoed); err != nil {
		t.Fatal(err)
	}
	if echoed != wantFault {
		t.Errorf("echo = %+v, want %+v", echoed, wantFault)
	}
	list := send(t, ts.URL, http.MethodGet, "/_sim/faults", nil)
	if !strings.Contains(string(list.body), `"remaining":1`) || !strings.Contains(string(list.body), `"retryAfter":"2s"`) {
		t.Errorf("GET /_sim/faults = %s", list.body)
	}

	body := map[string]string{"phoneType": "office", "phoneNumber": "+81 312345678"}
	if r := send(t, ts.URL, http.MethodPost, methodsPath(tanakaID, "phoneMethods"), body); r.status != 429 || r.header.Get("Retry-After") != "2" {
		t.Errorf("first POST: status %d Retry-After %q, want 429 \"2\"", r.status, r.header.Get("Retry-After"))
	}
	if r := send(t, ts.URL, http.MethodPost, methodsPath(tanakaID, "phoneMethods"), body); r.status != 201 {
		t.Errorf("second POST: status %d, want 201", r.status)
	}

	send(t, ts.URL, http.MethodPost, "/_sim/faults", `{"status":500}`)
	if r := send(t, ts.URL, http.MethodDelete, "/_sim/faults", nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE /_sim/faults: %d", r.status)
	}
	if r := send(t, ts.URL, http.MethodGet, "/v1.0/users/"+satoID, nil); r.status != 200 {
		t.Errorf("after DELETE /_sim/faults: status %d, want 200", r.status)
	}
	_ = s

	bad := []string{`{"status":200}`, `{"status":429,"times":-1}`, `{"retryAfter":"soon"}`, `{"latency":-1}`, `nope`}
	for _, b := range bad {
		if r := send(t, ts.URL, http.MethodPost, "/_sim/faults", b); r.status != http.StatusBadRequest {
			t.Errorf("POST /_sim/faults %s: status %d, want 400", b, r.status)
		}
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	clock := newTestClock(t0)
	s := New(WithSeed(seedUsers(t)), WithClock(clock.now))
	ts := httptest.NewServer(s)
	defer ts.Close()

	send(t, ts.URL, http.MethodGet, methodsPath(satoID, "phoneMethods"), nil)
	send(t, ts.URL, http.MethodGet, "/_sim/users/"+satoID, nil) // not logged
	clock.set(t0.Add(time.Second))
	s.Inject(Fault{Status: 503, Times: 1})
	send(t, ts.URL, http.MethodPatch, methodsPath(satoID, "phoneMethods/"+mobileID), map[string]string{"phoneNumber": "+81 9055556666"})
	send(t, ts.URL, http.MethodPatch, methodsPath(satoID, "phoneMethods/"+mobileID), map[string]string{"phoneNumber": "+81 9055556666"})

	got := s.Requests()
	for i := range got {
		if !isGUID(got[i].RequestID) {
			t.Errorf("request %d: RequestID %q", i, got[i].RequestID)
		}
		got[i].RequestID = ""
	}
	want := []Request{
		{Method: "GET", Path: methodsPath(satoID, "phoneMethods"), Status: 200, Time: t0},
		{Method: "PATCH", Path: methodsPath(satoID, "phoneMethods/"+mobileID), Status: 503, Time: t0.Add(time.Second)},
		{Method: "PATCH", Path: methodsPath(satoID, "phoneMethods/"+mobileID), Status: 204, Time: t0.Add(time.Second)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
	writes := 0
	for _, r := range got {
		if r.IsWrite() {
			writes++
		}
	}
	if writes != 2 {
		t.Errorf("writes = %d, want 2", writes)
	}

	r := send(t, ts.URL, http.MethodGet, "/_sim/requests", nil)
	var wire []map[string]any
	if err := json.Unmarshal(r.body, &wire); err != nil {
		t.Fatalf("GET /_sim/requests: %v; body %s", err, r.body)
	}
	if len(wire) != 3 || wire[1]["method"] != "PATCH" || wire[1]["status"] != float64(503) || wire[1]["time"] == nil {
		t.Errorf("GET /_sim/requests = %s", r.body)
	}
	if strings.Contains(string(r.body), "9055556666") {
		t.Errorf("the request log holds a request body: %s", r.body)
	}

	send(t, ts.URL, http.MethodDelete, "/_sim/requests", nil)
	if n := len(s.Requests()); n != 0 {
		t.Errorf("after DELETE /_sim/requests, %d requests remain", n)
	}
	if r := send(t, ts.URL, http.MethodGet, "/_sim/requests", nil); strings.TrimSpace(string(r.body)) != "[]" {
		t.Errorf("empty log = %s, want []", r.body)
	}
}

func TestStripPrefix(t *testing.T) {
	t.Parallel()
	s := New(WithSeed(seedUsers(t)))
	mux := http.NewServeMux()
	mux.Handle("/graph-simulator/", http.StripPrefix("/graph-simulator", s))
	mux.HandleFunc("/api/messages", func(w http.ResponseWriter, r *http.Request) {})
	mounted := httptest.NewServer(mux)
	defer mounted.Close()
	direct := httptest.NewServer(s)
	defer direct.Close()

	tests := []struct {
		name, base, path string
		method           string
		body             any
		wantStatus       int
	}{
		{"mounted methods", mounted.URL, "/graph-simulator" + methodsPath(satoID, "methods"), http.MethodGet, nil, 200},
		{"mounted UPN", mounted.URL, "/graph-simulator/v1.0/users/hanako.sato@contoso.example/authentication/phoneMethods", http.MethodGet, nil, 200},
		{"mounted write", mounted.URL, "/graph-simulator" + methodsPath(tanakaID, "phoneMethods"), http.MethodPost,
			map[string]string{"phoneType": "mobile", "phoneNumber": "+81 8011112222"}, 201},
		{"mounted control", mounted.URL, "/graph-simulator/_sim/users/" + tanakaID, http.MethodGet, nil, 200},
		{"direct sees the same state", direct.URL, methodsPath(tanakaID, "phoneMethods/"+mobileID), http.MethodGet, nil, 200},
		{"mounted unknown", mounted.URL, "/graph-simulator/v2/users", http.MethodGet, nil, 404},
	}
	for _, tt := range tests { // in order: later cases read earlier writes
		r := send(t, tt.base, tt.method, tt.path, tt.body)
		if r.status != tt.wantStatus {
			t.Errorf("%s: %s %s: status = %d, want %d; body %s", tt.name, tt.method, tt.path, r.status, tt.wantStatus, r.body)
		}
	}
	if got := s.Requests()[0].Path; got != methodsPath(satoID, "methods") {
		t.Errorf("logged path = %q, want it without the prefix", got)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	const d = 30 * time.Millisecond
	_, ts := start(t, WithLatency(d))
	begin := time.Now()
	if r := send(t, ts.URL, http.MethodGet, "/v1.0/users/"+satoID, nil); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if el := time.Since(begin); el < d {
		t.Errorf("answered after %v, want at least %v", el, d)
	}
}

// TestCancelledWriteNotApplied checks that a write whose client gave up
// during the simulated latency leaves no trace in the state.
func TestCancelledWriteNotApplied(t *testing.T) {
	t.Parallel()
	s, ts := start(t, WithLatency(2*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+methodsPath(tanakaID, "phoneMethods"),
		strings.NewReader(`{"phoneType":"mobile","phoneNumber":"+81 8011112222"}`))
	if _, err := testClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do: err = %v, want deadline exceeded", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := s.Requests(); len(got) != 1 || got[0].Status != http.StatusServiceUnavailable {
		t.Fatalf("Requests() = %+v, want one answered 503", got)
	}
	s.mu.Lock()
	n := s.users[tanakaID].count(kindPhone)
	s.mu.Unlock()
	if n != 0 {
		t.Errorf("tanaka has %d phones, want 0", n)
	}
}

func TestProvisioningDeterministic(t *testing.T) {
	t.Parallel()
	a := httptest.NewServer(New())
	defer a.Close()
	b := httptest.NewServer(New())
	defer b.Close()

	ua, ub := debugState(t, a.URL, anonID), debugState(t, b.URL, strings.ToUpper(anonID))
	if diff := cmp.Diff(ua, ub); diff != "" {
		t.Errorf("same id, different users (-a +b):\n%s", diff)
	}
	if ua.UserPrincipalName != "1a2b3c4d@contoso.example" || ua.DisplayName != "Test User 1a2b" ||
		ua.PreferredLanguage != "ja-JP" || ua.Mail != ua.UserPrincipalName {
		t.Errorf("provisioned user = %+v", ua)
	}
	if ua.DefaultMethodID != mobileID || ua.DefaultMethod != "mobile" {
		t.Errorf("default = %s (%s), want the mobile phone", ua.DefaultMethodID, ua.DefaultMethod)
	}
	models := map[string]bool{}
	for _, m := range deviceModels() {
		models[m.name] = true
	}

	numbers := map[string]string{}
	for i := range 200 {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i*7919, i)
		methods := send(t, a.URL, http.MethodGet, methodsPath(id, "methods"), nil).values(t)
		var phone, device string
		var created string
		for _, m := range methods {
			switch m["@odata.type"] {
			case kindPhone.odataType():
				phone = m["phoneNumber"].(string)
			case kindAuthenticator.odataType():
				device, _ = m["displayName"].(string)
				created, _ = m["createdDateTime"].(string)
			}
		}
		if !phoneNumberRE.MatchString(phone) || !strings.HasPrefix(phone, "+81 90") || len(phone) != len("+81 9012345678") {
			t.Errorf("%s: phone %q, want +81 90 and 8 digits", id, phone)
		}
		if other, dup := numbers[phone]; dup {
			t.Errorf("%s and %s share the number %s", id, other, phone)
		}
		numbers[phone] = id
		if !models[device] {
			t.Errorf("%s: Authenticator device %q is not one of the models", id, device)
		}
		if c, err := time.Parse(time.RFC3339, created); err != nil || !c.Before(time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)) || c.Year() < 2023 {
			t.Errorf("%s: createdDateTime %q, want a date in 2023-2025", id, created)
		}
	}
}

func TestSeedFile(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	tests := []struct {
		id          string
		wantDefault string
		wantLabel   string
		wantMethods int
	}{
		{satoID, mobileID, "mobile", 6},
		{suzukiID, mobileID, "mobile", 2},
		{tanakaID, tanakaPix, "microsoftAuthenticator", 6},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			d := debugState(t, ts.URL, tt.id)
			if d.DefaultMethodID != tt.wantDefault || d.DefaultMethod != tt.wantLabel {
				t.Errorf("default = %s (%s), want %s (%s)", d.DefaultMethodID, d.DefaultMethod, tt.wantDefault, tt.wantLabel)
			}
			if len(d.Methods) != tt.wantMethods {
				t.Errorf("%d methods, want %d", len(d.Methods), tt.wantMethods)
			}
		})
	}
}

func TestSeedValidation(t *testing.T) {
	t.Parallel()
	const id = "6f2b8c1e-4a7d-4e3b-9c51-2d8e0f1a3b4c"
	tests := []struct {
		name    string
		json    string
		wantErr string
	}{
		{"ok", `[{"id":"` + id + `","userPrincipalName":"a@contoso.example"}]`, ""},
		{"no id", `[{"userPrincipalName":"a@contoso.example"}]`, "not an object id"},
		{"bad upn", `[{"id":"` + id + `","userPrincipalName":"alice"}]`, "userPrincipalName"},
		{"bad phone", `[{"id":"` + id + `","userPrincipalName":"a@c.example","phones":[{"type":"mobile","number":"090-1234-5678"}]}]`, "Invalid phone number"},
		{"bad phone type", `[{"id":"` + id + `","userPrincipalName":"a@c.example","phones":[{"type":"pager","number":"+81 9012345678"}]}]`, "Invalid phone type"},
		{"two mobiles", `[{"id":"` + id + `","userPrincipalName":"a@c.example","phones":[{"type":"mobile","number":"+81 9012345678"},{"type":"mobile","number":"+81 9012345679"}]}]`, "already has"},
		{"alternate without mobile", `[{"id":"` + id + `","userPrincipalName":"a@c.example","phones":[{"type":"alternateMobile","number":"+81 9012345678"}]}]`, "requires a mobile"},
		{"alternate listed before mobile", `[{"id":"` + id + `","userPrincipalName":"a@c.example","phones":[{"type":"alternateMobile","number":"+81 9012345678"},{"type":"mobile","number":"+81 9012345679"}]}]`, ""},
		{"six authenticators", `[{"id":"` + id + `","userPrincipalName":"a@c.example","authenticators":[{"displayName":"1"},{"displayName":"2"},{"displayName":"3"},{"displayName":"4"},{"displayName":"5"},{"displayName":"6"}]}]`, "at most 5"},
		{"device without name", `[{"id":"` + id + `","userPrincipalName":"a@c.example","fido2":[{"model":"YubiKey"}]}]`, "displayName is required"},
		{"bad device id", `[{"id":"` + id + `","userPrincipalName":"a@c.example","authenticators":[{"id":"x","displayName":"iPhone"}]}]`, "not a GUID"},
		{"bad email", `[{"id":"` + id + `","userPrincipalName":"a@c.example","email":"nope"}]`, "Invalid email"},
		{"negative oath", `[{"id":"` + id + `","userPrincipalName":"a@c.example","softwareOath":-1}]`, "negative"},
		{"duplicate id", `[{"id":"` + id + `","userPrincipalName":"a@c.example"},{"id":"` + strings.ToUpper(id) + `","userPrincipalName":"b@c.example"}]`, "duplicate id"},
		{"duplicate upn", `[{"id":"` + id + `","userPrincipalName":"a@c.example"},{"id":"` + anonID + `","userPrincipalName":"A@c.example"}]`, "duplicate userPrincipalName"},
		{"unknown field", `[{"id":"` + id + `","userPrincipalName":"a@c.example","phone":"+81 9012345678"}]`, "unknown field"},
		{"roles and groups", `[{"id":"` + id + `","userPrincipalName":"a@c.example","directoryRoles":["helpdesk administrator","Tenant Helpdesk Lead"],"groups":["` + otherID + `"]}]`, ""},
		{"empty role", `[{"id":"` + id + `","userPrincipalName":"a@c.example","directoryRoles":[" "]}]`, "role name is empty"},
		{"role twice", `[{"id":"` + id + `","userPrincipalName":"a@c.example","directoryRoles":["Global Administrator","global administrator"]}]`, "listed twice"},
		{"guest", `[{"id":"` + id + `","userPrincipalName":"a_b.example#EXT#@c.example","userType":"Guest"}]`, ""},
		{"member", `[{"id":"` + id + `","userPrincipalName":"a@c.example","userType":"Member"}]`, ""},
		{"bad userType", `[{"id":"` + id + `","userPrincipalName":"a@c.example","userType":"guest"}]`, `userType "guest" is neither "Member" nor "Guest"`},
		{"bad group", `[{"id":"` + id + `","userPrincipalName":"a@c.example","groups":["sales"]}]`, "not an object id"},
		{"group twice", `[{"id":"` + id + `","userPrincipalName":"a@c.example","groups":["` + otherID + `","` + strings.ToUpper(otherID) + `"]}]`, "listed twice"},
		{"not JSON", `{`, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "seed.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			users, err := LoadSeedFile(path)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("LoadSeedFile: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("LoadSeedFile error = %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && len(users) == 0:
				t.Fatal("no users")
			}
		})
	}
	if _, err := LoadSeedFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadSeedFile of a missing file: no error")
	}
}

func TestNewPanicsOnInvalidSeed(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New with an invalid seed did not panic")
		}
	}()
	New(WithSeed([]SeedUser{{ID: "not-a-guid", UserPrincipalName: "a@contoso.example"}}))
}

func TestAuthenticatorControl(t *testing.T) {
	t.Parallel()
	_, ts := start(t)
	path := "/_sim/users/" + suzukiID + "/authenticators"
	for i := range maxAuthenticators {
		r := send(t, ts.URL, http.MethodPost, path, map[string]string{"displayName": fmt.Sprintf("iPhone %d", 11+i)})
		if r.status != http.StatusCreated {
			t.Fatalf("register %d: %d %s", i+1, r.status, r.body)
		}
	}
	if r := send(t, ts.URL, http.MethodPost, path, map[string]string{"displayName": "one too many"}); r.status != http.StatusConflict {
		t.Errorf("sixth registration: status %d, want 409", r.status)
	}
	if r := send(t, ts.URL, http.MethodPost, path, map[string]string{}); r.status != http.StatusBadRequest {
		t.Errorf("no displayName: status %d, want 400", r.status)
	}
	list := send(t, ts.URL, http.MethodGet, methodsPath(suzukiID, "microsoftAuthenticatorMethods"), nil).values(t)
	if len(list) != maxAuthenticators || list[0]["createdDateTime"] != "2025-07-01T09:00:00Z" {
		t.Errorf("Authenticators = %v", list)
	}
	// Suzuki's default stays the mobile phone registered first.
	if d := debugState(t, ts.URL, suzukiID); d.DefaultMethod != "mobile" {
		t.Errorf("default = %q, want mobile", d.DefaultMethod)
	}
}

// TestConcurrentUse adds and removes phones for many users at once while
// others read; run with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s, ts := start(t)
	const workers, rounds = 16, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	check := func(r *http.Response, err error, want int, what string) {
		if err != nil {
			errs <- fmt.Errorf("%s: %w", what, err)
			return
		}
		r.Body.Close()
		if r.StatusCode != want {
			errs <- fmt.Errorf("%s: status %d, want %d", what, r.StatusCode, want)
		}
	}
	for w := range workers {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", w)
		wg.Go(func() {
			for i := range rounds {
				body := fmt.Sprintf(`{"phoneType":"office","phoneNumber":"+81 3%08d"}`, w*1000+i)
				r, err := testClient.Post(ts.URL+methodsPath(id, "phoneMethods"), "application/json", strings.NewReader(body))
				check(r, err, 201, "add "+id)
				req, _ := http.NewRequest(http.MethodPatch, ts.URL+methodsPath(id, "phoneMethods/"+officeID),
					strings.NewReader(`{"phoneNumber":"+81 355556666"}`))
				r, err = testClient.Do(req)
				check(r, err, 204, "update "+id)
				req, _ = http.NewRequest(http.MethodDelete, ts.URL+methodsPath(id, "phoneMethods/"+officeID), nil)
				r, err = testClient.Do(req)
				check(r, err, 204, "delete "+id)
				r, err = testClient.Get(ts.URL + methodsPath(satoID, "methods"))
				check(r, err, 200, "read shared user")
			}
		})
	}
	wg.Go(func() {
		for range rounds {
			s.Inject(Fault{PathContains: "/nothing-matches", Status: 500})
			_ = s.Requests()
			s.ClearFaults()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range workers {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", w)
		if n := len(debugState(t, ts.URL, id).Methods); n != 3 {
			t.Errorf("%s has %d methods, want 3 (password, mobile, Authenticator)", id, n)
		}
	}
	if got, want := len(s.Requests()), workers*rounds*4; got != want {
		t.Errorf("logged %d requests, want %d", got, want)
	}
}

func TestFaultJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Fault
	}{
		{`{"status":429,"retryAfter":2}`, Fault{Status: 429, RetryAfter: 2 * time.Second}},
		{`{"status":503,"retryAfter":"1500ms","times":3}`, Fault{Status: 503, RetryAfter: 1500 * time.Millisecond, Times: 3}},
		{`{"latency":0.25,"pathContains":"/phoneMethods","method":"GET"}`, Fault{Method: "GET", PathContains: "/phoneMethods", Latency: 250 * time.Millisecond}},
	}
	for _, tt := range tests {
		var got Fault
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Unmarshal(%s) = %+v, want %+v", tt.in, got, tt.want)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var back Fault
		if err := json.Unmarshal(b, &back); err != nil || back != got {
			t.Errorf("round trip %s → %s → %+v (%v)", tt.in, b, back, err)
		}
	}
}

func TestRequestLogBounded(t *testing.T) {
	t.Parallel()
	s := New(WithClock(nil))
	for i := range maxLog + 5 {
		s.record(Request{Method: http.MethodGet, Path: fmt.Sprint(i)})
	}
	got := s.Requests()
	if len(got) != maxLog || got[0].Path != "5" || got[len(got)-1].Path != fmt.Sprint(maxLog+4) {
		t.Errorf("log holds %d requests, %s..%s; want %d, 5..%d", len(got), got[0].Path, got[len(got)-1].Path, maxLog, maxLog+4)
	}
}
