package signinsim

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// pageCSS is the pages' only style. The Content-Security-Policy allows
// exactly this text by its hash, so the page needs no 'unsafe-inline' and
// loads nothing from anywhere.
const pageCSS = `
body{margin:0;background:#f2f2f2;color:#1b1b1b;font-family:"Segoe UI","Hiragino Sans","Meiryo",sans-serif;font-size:15px;line-height:1.5}
main{max-width:440px;margin:48px auto;padding:32px 40px;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.sim{margin:0 0 16px;padding:6px 10px;background:#fff4ce;border-left:4px solid #8a6d00;font-size:13px}
h1{font-size:22px;font-weight:600;margin:0 0 8px}
.en{display:block;color:#444;font-size:.9em;font-weight:normal}
.upn{margin:0 0 16px;color:#444}
.acr,.app{font-size:13px;color:#444}
code{font-family:Consolas,monospace;background:#f2f2f2;padding:0 4px}
label{display:block;margin:16px 0 4px;font-size:13px}
input[type=text]{box-sizing:border-box;width:100%;padding:6px 8px;border:1px solid #8a8886;font-family:Consolas,monospace}
.buttons{display:flex;flex-direction:column;gap:8px;margin-top:20px}
button{padding:8px 12px;border:1px solid #0067b8;background:#0067b8;color:#fff;font:inherit;cursor:pointer;text-align:left}
button.secondary{background:#fff;color:#0067b8}
button .en{color:inherit;opacity:.9}
.error{border-left:4px solid #a4262c;padding-left:10px}
footer{margin-top:24px;font-size:12px;color:#605e5c}
`

// renderPage writes both pages: the sign-in form, and the error page when
// d.Error is set. Japanese comes first (the bot's users read it first),
// each English line marked lang="en" for screen readers. Every value from
// outside is escaped here; the page is not an html/template, which would
// double the binary's size (see manifest.pageSource).
func renderPage(d pageData) []byte {
	e := html.EscapeString
	var b strings.Builder
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	title := "サインイン / Sign in"
	if d.Error != nil {
		title = "エラー / Error"
	}
	w(`<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>`, title, ` - Entra ID シミュレーター / simulator</title>
<style>`, pageCSS, `</style>
</head>
<body>
<main>
<p class="sim" role="note">これは Microsoft Entra ID のサインインのシミュレーターです。<span class="en" lang="en">This is a simulator of the Microsoft Entra ID sign-in, not Microsoft.</span></p>`)
	if x := d.Error; x != nil {
		code := ""
		if x.Code != "" {
			code = e(x.Code) + ": "
		}
		w(`
<div class="error">
<h1>サインインできませんでした<span class="en" lang="en">Sign-in failed</span></h1>
<p id="error-ja">`, e(x.JA), `</p>
<p id="error-en" lang="en">`, code, e(x.EN), `</p>
</div>`)
	} else {
		if p := d.Person; p != nil {
			w(`
<h1 id="heading">`, e(p.Name), ` としてサインイン<span class="en" lang="en">Sign in as `, e(p.Name), `</span></h1>
<p class="upn" id="upn">`, e(p.UPN), `</p>`)
		} else {
			w(`
<h1 id="heading">アカウントを指定してください<span class="en" lang="en">Choose an account</span></h1>`)
			if d.Hint != "" {
				w(`
<p id="unknown-hint">「`, e(d.Hint), `」に一致するアカウントはありません。<span class="en" lang="en">No account matches “`, e(d.Hint), `”.</span></p>`)
			}
		}
		if len(d.ACRs) > 0 {
			w(`
<p class="acr" id="acrs">要求された認証コンテキスト<span lang="en"> / Requested authentication context</span>: `)
			for i, a := range d.ACRs {
				if i > 0 {
					w(", ")
				}
				w("<code>", e(a), "</code>")
			}
			w("</p>")
		}
		required := ""
		if d.Person == nil {
			required = " required"
		}
		w(`
<p class="app">アプリ<span lang="en"> / App</span>: <code id="client-id">`, e(d.ClientID), `</code></p>
<form method="post" id="signin">
<input type="hidden" name="tx" value="`, e(d.TX), `">
<label for="account">別のアカウントでサインイン（オブジェクトID）<span class="en" lang="en">Sign in as another account (object id)</span></label>
<input type="text" id="account" name="account" autocomplete="off" spellcheck="false"
 placeholder="00000000-0000-0000-0000-000000000000" pattern="[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"`, required, `>
<div class="buttons">
<button type="submit" id="mfa" name="method" value="mfa">多要素認証でサインイン<span class="en" lang="en">Sign in with MFA</span></button>
<button type="submit" id="password" name="method" value="password" class="secondary">パスワードのみでサインイン<span class="en" lang="en">Password only</span></button>
<button type="submit" id="cancel" name="method" value="cancel" class="secondary" formnovalidate>キャンセル<span class="en" lang="en">Cancel</span></button>
</div>
</form>`)
	}
	w(`
<footer>`, e(d.Time), `</footer>
</main>
</body>
</html>
`)
	return []byte(b.String())
}

// pageData is what renderPage shows.
type pageData struct {
	Error    *pageErrorData
	Person   *Person
	Hint     string
	ACRs     []string
	ClientID string
	TX       string
	Time     string
}

// pageErrorData is a [pageError] as renderPage shows it.
type pageErrorData struct {
	Code string // "AADSTS50011", or ""
	JA   string
	EN   string
}

// writePage renders the sign-in page or an error page. formTarget is the
// redirect URI the form will end up at, or "" for a page without a form.
func (s *Server) writePage(w http.ResponseWriter, status int, d pageData, formTarget string) {
	d.Time = pageTime(s.now())
	page := renderPage(d)
	// Browsers apply form-action to the redirects that follow a form
	// submission too, so the redirect URI's origin must be allowed along
	// with our own, or the 302 to the app would be blocked.
	formAction := "'none'"
	if formTarget != "" {
		formAction = "'self'"
		if o := origin(formTarget); o != "" {
			formAction += " " + o
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src "+s.styleHash+
		"; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// writeErrorPage shows e.
func (s *Server) writeErrorPage(w http.ResponseWriter, e *pageError) {
	d := &pageErrorData{JA: e.ja, EN: e.en}
	if e.aadsts != 0 {
		d.Code = "AADSTS" + strconv.Itoa(e.aadsts)
	}
	s.writePage(w, e.status, pageData{Error: d}, "")
}

// origin returns the scheme://host[:port] of an http(s) URL as a CSP source
// expression, or "" if it has none or has characters a source list cannot
// carry.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	o := u.Scheme + "://" + u.Host
	for i := 0; i < len(o); i++ {
		if c := o[i]; c <= ' ' || c >= 0x7f || c == ';' || c == ',' || c == '\'' {
			return ""
		}
	}
	return o
}
