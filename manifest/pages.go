package manifest

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
)

//go:embed pages/pages.html
var pageFiles embed.FS

// Page paths, which the manifest's developer URLs point at by default.
const (
	AboutPath   = "/"
	PrivacyPath = "/privacy"
	TermsPath   = "/terms"
)

// Pages serves the app's public pages, in Japanese and English: about,
// privacy and terms of use. They are rendered once; each is a few
// kilobytes with no outside resources.
func Pages() http.Handler {
	tmpl := template.Must(template.ParseFS(pageFiles, "pages/pages.html"))
	rendered := map[string][]byte{}
	for path, page := range map[string]struct{ name, title string }{
		AboutPath:   {"about", "概要 / About"},
		PrivacyPath: {"privacy", "プライバシー / Privacy"},
		TermsPath:   {"terms", "利用条件 / Terms of use"},
	} {
		t := template.Must(tmpl.Clone())
		template.Must(t.New("content").Parse(`{{template "` + page.name + `" .}}`))
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, "layout", map[string]string{"Title": page.title}); err != nil {
			panic(err) // the embedded template is fixed; TestPages renders it
		}
		rendered[path] = buf.Bytes()
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
