package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mfadesk/mfadesk/manifest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// TestPublicRoutes: the pages and /metrics sit beside the bot's own routes
// without hiding them, and /metrics wants its token when one is set.
func TestPublicRoutes(t *testing.T) {
	botRoutes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Bot", "yes")
		w.WriteHeader(http.StatusTeapot)
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	for _, token := range []secret{"", "s3cret"} {
		callback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Callback", "yes") })
		h := withPages(botRoutes, manifest.Pages(90, 400), metricsHandler(reg, token), callback)
		get := func(path, authz string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		for _, path := range []string{"/", "/privacy", "/terms"} {
			if rec := get(path, ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "MFA Desk") {
				t.Errorf("GET %s: %d", path, rec.Code)
			}
		}
		if rec := get("/auth/callback?state=x&code=y", ""); rec.Header().Get("X-Callback") != "yes" {
			t.Errorf("GET /auth/callback did not reach the sign-in callback: %d", rec.Code)
		}
		for _, path := range []string{"/api/messages", "/healthz", "/readyz", "/privacy/x"} {
			if rec := get(path, ""); rec.Header().Get("X-Bot") != "yes" {
				t.Errorf("GET %s did not reach the bot's routes: %d", path, rec.Code)
			}
		}
		if token == "" {
			if rec := get("/metrics", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
				t.Errorf("GET /metrics: %d", rec.Code)
			}
			continue
		}
		for _, authz := range []string{"", "Bearer wrong", "s3cret", "Bearer s3cret2"} {
			if rec := get("/metrics", authz); rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "go_goroutines") {
				t.Errorf("GET /metrics with %q: %d, want 401", authz, rec.Code)
			}
		}
		if rec := get("/metrics", "Bearer s3cret"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("GET /metrics with the token: %d", rec.Code)
		}
	}
}
