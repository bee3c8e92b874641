package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"go.uber.org/zap"
)

// MaxBodyBytes is the largest activity accepted. Teams messages are far
// smaller; anything bigger is refused before it is parsed.
const MaxBodyBytes = 256 << 10

// Handler is the Bot Framework messaging endpoint (POST /api/messages).
//
// Order matters: the token is checked before the body is read, so an
// unauthenticated caller cannot make the bot parse anything; the body is
// then bounded, decoded, checked against the token's claims and the tenant
// allow-list, and only then does a turn run.
type Handler struct {
	auth    *Authenticator // nil: authentication off (local mode)
	tenants []string       // allowed tenant ids; empty: any
	runner  *Runner
	log     *zap.Logger
	metrics *Metrics
}

// NewHandler returns the messaging endpoint. auth nil turns authentication
// off, which main allows only on a loopback address or when told explicitly.
func NewHandler(auth *Authenticator, tenants []string, runner *Runner, log *zap.Logger) *Handler {
	return &Handler{auth: auth, tenants: tenants, runner: runner, log: log}
}

// SetMetrics counts and times the activities the endpoint answers.
func (h *Handler) SetMetrics(m *Metrics) { h.metrics = m }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	raw := w // MaxBytesReader closes the connection of an oversized body through it
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	w = sw
	kind := "unknown" // until the body is decoded
	defer func() {
		if v := recover(); v != nil {
			h.metrics.turn(kind, http.StatusInternalServerError, time.Since(start))
			panic(v) // Recover answers 500 and logs it
		}
		h.metrics.turn(kind, sw.status, time.Since(start))
	}()
	log := h.log
	if id := requestID(r); id != "" {
		log = log.WithLazy(zap.String("request_id", id)) // encoded only if something is logged
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}

	var id *Identity
	if h.auth != nil {
		var err error
		id, err = h.auth.Authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			h.refuse(w, log, err)
			return
		}
	}

	body, err := readBody(http.MaxBytesReader(raw, r.Body, MaxBodyBytes), r.ContentLength)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			log.Warn("activity refused", zap.Int("status", http.StatusRequestEntityTooLarge))
			writeError(w, http.StatusRequestEntityTooLarge, "body larger than 256 KB")
			return
		}
		writeError(w, http.StatusBadRequest, "could not read body")
		return
	}
	a, err := decodeActivity(body)
	if err != nil {
		log.Warn("activity refused", zap.Int("status", http.StatusBadRequest), zap.Error(err))
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	log = log.WithLazy(zap.String("activity_id", a.ID), zap.String("type", string(a.Type)))
	kind = string(a.Type)

	if id != nil {
		if err := id.Admits(a.ServiceURL, a.ChannelID); err != nil {
			h.refuse(w, log, err)
			return
		}
	}
	if len(h.tenants) > 0 && !slices.Contains(h.tenants, a.TenantID()) {
		log.Warn("activity refused: tenant not allowed", zap.Int("status", http.StatusForbidden))
		writeError(w, http.StatusForbidden, "tenant not allowed")
		return
	}

	in, ok := a.input()
	if !a.handled() || !ok {
		w.WriteHeader(http.StatusOK)
		return
	}
	resp, err := h.runner.Run(r.Context(), a, in)
	if err != nil {
		status, reason := http.StatusInternalServerError, "turn failed"
		var se errStore
		switch {
		case errors.Is(err, errUndelivered):
			// The turn happened but its replies did not reach the channel;
			// a redelivery sends them.
			status, reason = http.StatusBadGateway, "replies not delivered yet; redeliver the activity"
		case errors.As(err, &se) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			// Retryable by the sender: the turn did not happen.
			status, reason = http.StatusServiceUnavailable, "temporarily unavailable; try again"
		}
		log.Error("turn failed", zap.Int("status", status), zap.Duration("duration", time.Since(start)), zap.Error(err))
		writeError(w, status, reason)
		return
	}
	log.Info("turn", zap.Duration("duration", time.Since(start)))
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, resp.Status, resp.Body)
}

func (h *Handler) refuse(w http.ResponseWriter, log *zap.Logger, err error) {
	status, reason := http.StatusUnauthorized, "unauthorized"
	var ae *AuthError
	if errors.As(err, &ae) {
		status, reason = ae.Status, ae.Reason
	}
	// The error may say why a token failed; it never contains the token.
	log.Warn("activity refused", zap.Int("status", status), zap.Error(err))
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="botframework"`)
	}
	writeError(w, status, reason)
}

func requestID(r *http.Request) string {
	for _, h := range []string{"X-Request-Id", "Request-Id", "Ms-Cv"} {
		if v := r.Header.Get(h); v != "" && len(v) <= 128 {
			return v
		}
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"encode response"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": http.StatusText(status), "message": message}})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// readBody reads a request's body into a buffer of the size its
// Content-Length announces (a bound, not a promise: the reader stops at
// MaxBodyBytes). io.ReadAll grew its buffer from 512 bytes, four copies
// for a typical activity.
func readBody(r io.Reader, announced int64) ([]byte, error) {
	var b bytes.Buffer
	if announced > 0 {
		b.Grow(int(min(announced, MaxBodyBytes)) + 1) // +1: the read that finds the end
	}
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}
