package signinsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// transaction is an authorization request waiting for the person on the
// sign-in page. Only its random id travels through the browser, so nothing
// the page posts back can change what was requested.
type transaction struct {
	tenant      string
	clientID    string
	redirectURI string
	scopes      []string
	state       string
	nonce       string
	challenge   string   // PKCE S256 code_challenge
	acrs        []string // authentication context ids the claims parameter asked for
	person      Person   // whom login_hint names, if known
	known       bool
	expires     time.Time
}

// grant is an issued authorization code and what redeeming it yields.
type grant struct {
	tenant      string
	clientID    string
	redirectURI string
	scopes      []string
	nonce       string
	challenge   string
	acrs        []string // granted: empty unless requested and the sign-in was MFA
	person      Person
	method      string // "mfa" or "password"
	authTime    time.Time
	expires     time.Time
	// redeemed keeps a used code until it expires, so a replay gets
	// Entra's "already redeemed" instead of "unknown code".
	redeemed bool
}

// Sign-in methods: the values of the page's "method" buttons.
const (
	methodMFA      = "mfa"
	methodPassword = "password"
	methodCancel   = "cancel"
)

// serveAuthorize is the authorization endpoint: GET is the authorization
// request, POST the sign-in page's answer.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		s.writeErrorPage(w, &pageError{status: http.StatusMethodNotAllowed,
			ja: "このメソッドは使えません。", en: "The endpoint accepts GET and POST only."})
		return
	}
	if !isGUID(tenant) {
		s.writeErrorPage(w, errPageTenant(tenant))
		return
	}
	tenant = strings.ToLower(tenant)
	if r.Method == http.MethodGet {
		s.authorizeRequest(w, r, tenant)
	} else {
		s.authorizeAnswer(w, r, tenant)
	}
}

// authorizeRequest checks an authorization request, stores it and shows the
// sign-in page.
func (s *Server) authorizeRequest(w http.ResponseWriter, r *http.Request, tenant string) {
	q := r.URL.Query()
	// RFC 6749 section 3.1: no parameter may appear twice.
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(q[k]) > 1 {
			s.writeErrorPage(w, &pageError{status: http.StatusBadRequest, aadsts: 9000411,
				ja: "リクエストの形式が正しくありません（" + k + " が重複しています）。",
				en: "The request is not properly formatted. The parameter '" + k + "' is duplicated."})
			return
		}
	}
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	// Until the client and its redirect URI check out, errors are a page:
	// redirecting to an unregistered URI would hand the answer to whoever
	// wrote the link.
	if e := s.checkClient(tenant, clientID, redirectURI); e != nil {
		s.writeErrorPage(w, e)
		return
	}
	tx, e := s.parseRequest(tenant, q)
	if e != nil {
		s.redirectError(w, r, redirectURI, q.Get("state"), e)
		return
	}
	now := s.now()
	tx.expires = now.Add(txLifetime)
	id := randomToken(32)
	s.mu.Lock()
	s.pruneLocked(now)
	if len(s.txs) >= maxPending {
		delete(s.txs, oldest(s.txs, func(t *transaction) time.Time { return t.expires }))
	}
	s.txs[id] = tx
	s.mu.Unlock()

	if wantsJSON(r) {
		out := txJSON{TX: id, ExpiresAt: tx.expires.UTC(), ACRs: tx.acrs}
		if tx.known {
			out.Person = &tx.person
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, out)
		return
	}
	d := pageData{ACRs: tx.acrs, ClientID: tx.clientID, TX: id, Hint: q.Get("login_hint")}
	if tx.known {
		d.Person = &tx.person
	}
	s.writePage(w, http.StatusOK, d, tx.redirectURI)
}

// txJSON is the sign-in page's content for scripts, which ask for it with
// "Accept: application/json" rather than scrape the page.
type txJSON struct {
	TX        string    `json:"tx"`
	ExpiresAt time.Time `json:"expiresAt"`
	Person    *Person   `json:"person"` // null: login_hint named nobody; send "account"
	ACRs      []string  `json:"acrs"`
}

// wantsJSON reports whether the client prefers JSON to HTML: browsers list
// text/html first, scripts name application/json.
func wantsJSON(r *http.Request) bool {
	first, _, _ := strings.Cut(r.Header.Get("Accept"), ",")
	mt, _, err := mime.ParseMediaType(strings.TrimSpace(first))
	return err == nil && mt == "application/json"
}

// checkClient checks the client id and the redirect URI, the two things
// that decide whether errors may be sent to the redirect URI.
func (s *Server) checkClient(tenant, clientID, redirectURI string) *pageError {
	if clientID == "" {
		return &pageError{status: http.StatusBadRequest, aadsts: 900144,
			ja: "client_id がありません。", en: errMissing("client_id").msg}
	}
	if s.app != nil && clientID != s.app.clientID {
		return &pageError{status: http.StatusBadRequest, aadsts: 700016,
			ja: "アプリ「" + clientID + "」はこのディレクトリにありません。",
			en: fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. "+
				"This can happen if the application has not been installed by the administrator of the tenant "+
				"or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
				clientID, tenant)}
	}
	if redirectURI == "" {
		// Entra falls back to a registered URI here; requiring it keeps
		// the token request's redirect_uri check meaningful.
		return &pageError{status: http.StatusBadRequest, aadsts: 900144,
			ja: "redirect_uri がありません。", en: errMissing("redirect_uri").msg}
	}
	mismatch := &pageError{status: http.StatusBadRequest, aadsts: 50011,
		ja: "リダイレクトURI「" + redirectURI + "」はアプリに登録されていません。",
		en: fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured "+
			"for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application.",
			redirectURI, clientID)}
	if s.app != nil {
		if !slices.Contains(s.app.redirectURIs, redirectURI) {
			return mismatch
		}
		return nil
	}
	u, err := parseRedirectURI(redirectURI)
	if err != nil || !isLoopback(u) {
		mismatch.en += " Without a registered client, the simulator accepts loopback redirect URIs only."
		return mismatch
	}
	return nil
}

// parseRedirectURI accepts what Entra lets an app register for the web
// platform: an absolute http(s) URL without a fragment.
func parseRedirectURI(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, err
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("scheme must be http or https")
	case u.Host == "":
		return nil, errors.New("no host")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("a redirect URI cannot have a fragment")
	case u.User != nil:
		return nil, errors.New("a redirect URI cannot have user information")
	}
	return u, nil
}

// isLoopback reports whether u's host is this machine.
func isLoopback(u *url.URL) bool {
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// parseRequest checks the rest of an authorization request, whose errors go
// back to the (checked) redirect URI.
func (s *Server) parseRequest(tenant string, q url.Values) (*transaction, *oauthError) {
	for _, k := range []string{"response_type", "response_mode", "scope", "state", "nonce",
		"code_challenge", "code_challenge_method", "login_hint", "prompt", "max_age", "claims"} {
		if len(q[k]) > 1 {
			return nil, newOAuthError(http.StatusBadRequest, "invalid_request", 9000411,
				"The request is not properly formatted. The parameter '%s' is duplicated.", k)
		}
	}
	invalid := func(name, why string) *oauthError {
		return newOAuthError(http.StatusBadRequest, "invalid_request", 90100,
			"The '%s' parameter is empty or not valid. %s", name, why)
	}
	switch rt := q.Get("response_type"); rt {
	case "":
		return nil, errMissing("response_type")
	case "code":
	default:
		// RFC 6749's code for this, as Entra sends it.
		return nil, newOAuthError(http.StatusBadRequest, "unsupported_response_type", 700054,
			"response_type '%s' is not enabled for the application. The simulator supports 'code' only.", rt)
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		return nil, invalid("response_mode", "The simulator supports 'query' only.")
	}
	scope := q.Get("scope")
	if scope == "" {
		return nil, errMissing("scope")
	}
	scopes := dedupe(strings.Fields(scope))
	if !slices.Contains(scopes, "openid") {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", 70011,
			"The provided value for the input parameter 'scope' is not valid. The simulator issues ID tokens only, so the scope must contain 'openid'.")
	}
	for _, k := range []string{"state", "nonce"} {
		if q.Get(k) == "" {
			return nil, errMissing(k)
		}
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge == "" || method != "S256" {
		// Entra allows "plain" and, for web apps, no PKCE at all; the bot
		// must always send S256, so anything else is a bug to catch here.
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", 9002325,
			"Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256.")
	}
	if !isS256Challenge(challenge) {
		return nil, newOAuthError(http.StatusBadRequest, "invalid_request", 501491,
			"Invalid size of Code_Challenge parameter.")
	}
	prompts := strings.Fields(q.Get("prompt"))
	for _, p := range prompts {
		if !slices.Contains([]string{"login", "none", "consent", "select_account", "create"}, p) {
			return nil, invalid("prompt", "Unknown prompt '"+p+"'.")
		}
	}
	if ma := q.Get("max_age"); ma != "" {
		if n, err := strconv.Atoi(ma); err != nil || n < 0 {
			return nil, invalid("max_age", "It must be a number of seconds.")
		}
	}
	acrs, err := requestedACRs(q.Get("claims"))
	if err != nil {
		return nil, invalid("claims", `It must be a JSON object as OpenID Connect Core section 5.5 describes, `+
			`with acrs values that are authentication context ids such as "c1".`)
	}
	if slices.Contains(prompts, "none") {
		// The simulator keeps no sessions, so a silent sign-in never
		// finds anyone signed in: Entra's answer in that case.
		return nil, newOAuthError(http.StatusBadRequest, "login_required", 50058,
			"A silent sign-in request was sent but no user is signed in.")
	}
	tx := &transaction{
		tenant:      tenant,
		clientID:    q.Get("client_id"),
		redirectURI: q.Get("redirect_uri"),
		scopes:      scopes,
		state:       q.Get("state"),
		nonce:       q.Get("nonce"),
		challenge:   challenge,
		acrs:        acrs,
	}
	if hint := strings.TrimSpace(q.Get("login_hint")); hint != "" {
		tx.person, tx.known = s.lookup(hint)
	}
	return tx, nil
}

// isS256Challenge reports whether c can be a base64url SHA-256 digest
// without padding, as RFC 7636 S256 produces.
func isS256Challenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !isUnreservedBase64(c[i]) {
			return false
		}
	}
	return true
}

func isUnreservedBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// claimRequest is one member of the OIDC claims request parameter
// (OpenID Connect Core, section 5.5.1).
type claimRequest struct {
	Essential bool              `json:"essential"`
	Value     *json.RawMessage  `json:"value"`
	Values    []json.RawMessage `json:"values"`
}

// requestedACRs returns the authentication context ids the claims parameter
// asks for under "acrs", from the id_token and the access_token members:
// a Conditional Access claims challenge names the access token, and the
// bot checks the ID token.
func requestedACRs(claims string) ([]string, error) {
	if claims == "" {
		return nil, nil
	}
	var top map[string]map[string]*claimRequest
	if err := json.Unmarshal([]byte(claims), &top); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	var out []string
	for _, member := range []string{"id_token", "access_token"} {
		cr := top[member]["acrs"]
		if cr == nil {
			continue
		}
		raws := cr.Values
		if cr.Value != nil {
			raws = append([]json.RawMessage{*cr.Value}, raws...)
		}
		for _, raw := range raws {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil || v == "" {
				return nil, errors.New("claims: acrs values must be non-empty strings")
			}
			out = append(out, v)
		}
	}
	return dedupe(out), nil
}

// dedupe returns xs without repeats, in first-seen order.
func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// submission is what the sign-in page (or a script) posts back.
type submission struct {
	TX      string `json:"tx"`
	Method  string `json:"method"`
	Account string `json:"account"`
}

// readSubmission reads a form or JSON body.
func readSubmission(w http.ResponseWriter, r *http.Request) (submission, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var in submission
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return in, fmt.Errorf("the body is not a JSON object {\"tx\",\"method\",\"account\"}: %w", err)
		}
		return in, nil
	}
	if err := r.ParseForm(); err != nil {
		return in, err
	}
	// PostForm, not Form: the query string is not part of the answer.
	return submission{TX: r.PostForm.Get("tx"), Method: r.PostForm.Get("method"), Account: r.PostForm.Get("account")}, nil
}

// authorizeAnswer finishes a transaction: the person signed in (a code for
// the app) or cancelled.
func (s *Server) authorizeAnswer(w http.ResponseWriter, r *http.Request, tenant string) {
	in, err := readSubmission(w, r)
	if err != nil {
		s.writeErrorPage(w, &pageError{status: http.StatusBadRequest,
			ja: "送信内容を読めませんでした。", en: "The request body could not be read: " + err.Error()})
		return
	}
	now := s.now()
	s.mu.Lock()
	tx := s.txs[in.TX]
	s.mu.Unlock()
	if tx == nil || tx.tenant != tenant || !now.Before(tx.expires) {
		s.writeErrorPage(w, &pageError{status: http.StatusBadRequest, aadsts: 50089,
			ja: "このサインイン画面は期限切れか、すでに使われています。アプリからもう一度やり直してください。",
			en: "Authentication failed due to flow token expired: this sign-in page has expired or was already used. Start again from the app."})
		return
	}
	var p Person
	switch in.Method {
	case methodCancel:
	case methodMFA, methodPassword:
		var e *pageError
		if p, e = s.signer(tenant, tx, strings.TrimSpace(in.Account)); e != nil {
			s.writeErrorPage(w, e)
			return
		}
	default:
		s.writeErrorPage(w, &pageError{status: http.StatusBadRequest,
			ja: "サインイン方法を選んでください。", en: "method must be \"mfa\", \"password\" or \"cancel\"."})
		return
	}

	s.mu.Lock()
	if s.txs[in.TX] != tx {
		// Another request finished this transaction since we looked.
		s.mu.Unlock()
		s.writeErrorPage(w, &pageError{status: http.StatusBadRequest, aadsts: 50089,
			ja: "このサインイン画面はすでに使われています。", en: "This sign-in page was already used."})
		return
	}
	delete(s.txs, in.TX)
	if in.Method == methodCancel {
		s.mu.Unlock()
		// Entra's answer when the person backs out of the sign-in.
		s.redirectError(w, r, tx.redirectURI, tx.state, newOAuthError(http.StatusBadRequest, "access_denied", 65004,
			"The user canceled the sign-in."))
		return
	}
	g := &grant{
		tenant:      tenant,
		clientID:    tx.clientID,
		redirectURI: tx.redirectURI,
		scopes:      tx.scopes,
		nonce:       tx.nonce,
		challenge:   tx.challenge,
		person:      p,
		method:      in.Method,
		authTime:    now,
		expires:     now.Add(codeLifetime),
	}
	// An authentication context the tenant ties to MFA is not satisfied by
	// a password, so a password-only sign-in carries no acrs at all.
	if in.Method == methodMFA {
		g.acrs = tx.acrs
	}
	code := randomToken(48)
	s.pruneLocked(now)
	if len(s.codes) >= maxPending {
		delete(s.codes, oldest(s.codes, func(g *grant) time.Time { return g.expires }))
	}
	s.codes[code] = g
	s.signins = append(s.signins, signIn{OID: p.ID, Tenant: tenant, Method: in.Method, At: now.UTC(), ClientID: tx.clientID})
	if n := len(s.signins) - maxSignins; n > 0 {
		s.signins = slices.Delete(s.signins, 0, n)
	}
	s.mu.Unlock()
	redirect(w, tx.redirectURI, url.Values{"code": {code}, "state": {tx.state}})
}

// signer is who signs in: the account typed on the page, else whom
// login_hint named.
func (s *Server) signer(tenant string, tx *transaction, account string) (Person, *pageError) {
	if account == "" {
		if !tx.known {
			return Person{}, &pageError{status: http.StatusBadRequest,
				ja: "アカウントが指定されていません。オブジェクトIDを入力してください。",
				en: "No account: the request had no login_hint the directory knows, and no object id was entered."}
		}
		return tx.person, nil
	}
	if !isGUID(account) {
		return Person{}, &pageError{status: http.StatusBadRequest,
			ja: "オブジェクトID「" + account + "」の形式が正しくありません（例: 00000000-0000-0000-0000-000000000000）。",
			en: "The object id '" + account + "' is not a GUID (e.g. 00000000-0000-0000-0000-000000000000)."}
	}
	p, ok := s.lookup(account)
	if !ok || p.ID == "" {
		return Person{}, &pageError{status: http.StatusBadRequest, aadsts: 50034,
			ja: "アカウント「" + account + "」はこのディレクトリにありません。",
			en: fmt.Sprintf("The user account %s does not exist in the %s directory.", account, tenant)}
	}
	return p, nil
}

// redirectError sends an OAuth error to the redirect URI, with the state the
// client sent so it can match the answer to its request.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state string, e *oauthError) {
	v := url.Values{"error": {e.code}, "error_description": {s.describe(r, e).Description}}
	if state != "" {
		v.Set("state", state)
	}
	redirect(w, redirectURI, v)
}

// redirect answers 302 to redirectURI with params added to its query.
func redirect(w http.ResponseWriter, redirectURI string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		http.Error(w, "signinsim: bad redirect URI", http.StatusInternalServerError)
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	h := w.Header()
	h.Set("Location", u.String())
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusFound)
}

// pruneLocked drops expired transactions and long-expired codes. The
// caller holds s.mu.
func (s *Server) pruneLocked(now time.Time) {
	for id, tx := range s.txs {
		if !now.Before(tx.expires) {
			delete(s.txs, id)
		}
	}
	for c, g := range s.codes {
		// Kept for a while past expiry so that a late redemption hears
		// "expired", not "unknown".
		if !now.Before(g.expires.Add(codeLifetime)) {
			delete(s.codes, c)
		}
	}
}

// oldest returns the key of m's entry that expires first.
func oldest[V any](m map[string]V, expires func(V) time.Time) string {
	var key string
	var at time.Time
	for k, v := range m {
		if e := expires(v); key == "" || e.Before(at) {
			key, at = k, e
		}
	}
	return key
}
