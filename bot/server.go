package bot

import (
	"context"
	"net/http"
	"runtime/debug"
	"time"

	"go.uber.org/zap"
)

// Routes returns the bot's HTTP routes: the messaging endpoint and the
// liveness and readiness probes. ready reports whether the bot can serve
// turns (the store answers).
func Routes(messages http.Handler, ready func(context.Context) error, log *zap.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/messages", messages)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ready(ctx); err != nil {
			log.Warn("not ready", zap.Error(err))
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return Recover(mux, log)
}

// Recover turns a panic in a handler into a 500 with the stack logged, so
// one bad turn cannot take the server down.
func Recover(next http.Handler, log *zap.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", zap.String("path", r.URL.Path), zap.Any("panic", v), zap.ByteString("stack", debug.Stack()))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
