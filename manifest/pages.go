package manifest

import (
	_ "embed"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// pageSource is the layout, with <!--title--> and <!--content--> where
// each page's go, then the pages, each after a <!--page:name--> line. The
// pages are written by hand, not from a template: html/template (through
// text/template's calls of methods by name) would make the linker keep
// every method of every type in the binary, the Graph SDK's thousands
// among them, and the binary more than twice its size.
//
//go:embed pages/pages.html
var pageSource string

// Page paths, which the manifest's developer URLs point at by default.
const (
	AboutPath   = "/"
	PrivacyPath = "/privacy"
	TermsPath   = "/terms"
)

// Pages serves the app's public pages, in Japanese and English: about,
// privacy and terms of use. The privacy page states the retention periods
// (RETENTION_DAYS and AUDIT_RETENTION_DAYS). They are rendered once; each
// is a few kilobytes with no outside resources.
func Pages(retentionDays, auditDays int) http.Handler {
	rendered := map[string][]byte{}
	layout, pages, _ := strings.Cut(pageSource, "<!--page:")
	contents := map[string]string{}
	for _, p := range strings.Split("<!--page:"+pages, "<!--page:")[1:] {
		name, content, _ := strings.Cut(p, "-->")
		contents[name] = content
	}
	for path, page := range map[string]struct{ name, title string }{
		AboutPath:   {"about", "概要 / About"},
		PrivacyPath: {"privacy", "プライバシー / Privacy"},
		TermsPath:   {"terms", "利用条件 / Terms of use"},
	} {
		content, ok := contents[page.name]
		if !ok {
			panic("manifest: pages.html has no page " + page.name) // embedded; TestPages renders it
		}
		page := strings.NewReplacer("<!--title-->", html.EscapeString(page.title), "<!--content-->", content).Replace(layout)
		rendered[path] = []byte(strings.NewReplacer("<!--retention-days-->", strconv.Itoa(retentionDays), "<!--audit-days-->", strconv.Itoa(auditDays)).Replace(page))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := rendered[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "public, max-age=3600")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
	})
}
