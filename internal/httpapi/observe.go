package httpapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// requestInfo is filled in while a request is served and read by observe when it is done.
type requestInfo struct {
	user string
	err  error // the detail of a failure the response names only generically (InternalError)
}

type requestInfoKey struct{}

func setUser(r *http.Request, user string) {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		info.user = user
	}
}

func setError(r *http.Request, err error) {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		info.err = err
	}
}

// observe wraps the mux: it recovers panics into a 500, counts and times every request, and
// logs one line per request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		r = r.WithContext(ContextWithAuditor(ctx, s.auditor, s.clock.Now))

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // the handler asked net/http to abort the connection; let it
				}
				s.log.ErrorContext(r.Context(), "http handler panicked",
					"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !sw.wroteHeader {
					Error(sw, http.StatusInternalServerError, "internal error")
				}
			}
			status := sw.status()
			// The mux sets r.Pattern on the request it routed; unmatched requests share one label
			// so that scanners probing random paths cannot blow up the metric's cardinality.
			path := r.Pattern
			if path == "" {
				path = "unmatched"
			} else if _, p, ok := cutMethod(path); ok {
				path = p
			}
			elapsed := time.Since(start)
			// Any client may send any method: methods outside the known few share one label, so
			// that made-up ones cannot add series (nor log lines of their choosing).
			method := r.Method
			if !slices.Contains(methods, method) {
				method = "other"
			}
			s.metrics.requests.WithLabelValues(method, path, strconv.Itoa(status)).Inc()
			s.metrics.duration.WithLabelValues(method, path).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			attrs := []any{"method", method, "path", MaskNumbers(Clip(r.URL.Path)), "status", status,
				"duration", elapsed, "user", info.user, "client", ClientAddr(r)}
			if info.err != nil {
				attrs = append(attrs, "error", info.err.Error())
			}
			s.log.Log(r.Context(), level, "http request", attrs...)
		}()
		securityHeaders(w.Header(), r)
		if !s.limit(sw, r) {
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// securityHeaders are set on every response before the handler runs: no content sniffing, no
// framing, no referrer leaving the site, a content policy of the site's own resources only, and
// for the API (personal data, recordings) no copy kept by a browser or proxy. A handler may
// override them.
func securityHeaders(h http.Header, r *http.Request) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Cache-Control", "no-store")
	}
}

// MaskNumbers hides the middle of every run of 7 or more digits in s (a phone or ID number in a
// path such as /api/dnc/+8613800000001): the request log keeps which request it was, not the
// number.
func MaskNumbers(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if n := j - i; n >= 7 {
			head, tail := 2, 2 // a short number keeps less of itself
			if n >= 11 {
				head, tail = 3, 4
			}
			for k := i + head; k < j-tail; k++ {
				b[k] = '*'
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return string(b)
}

func cutMethod(pattern string) (method, path string, ok bool) {
	for i := range len(pattern) {
		if pattern[i] == ' ' {
			return pattern[:i], pattern[i+1:], true
		}
		if pattern[i] == '/' {
			break
		}
	}
	return "", pattern, false
}

// statusWriter remembers the status code. It passes Flush and Hijack through, because streaming
// endpoints and the agent desktop's WebSocket need them, and Unwrap for http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
	hijacked    bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.code, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) status() int {
	switch {
	case w.hijacked:
		return http.StatusSwitchingProtocols
	case w.wroteHeader:
		return w.code
	default:
		return http.StatusOK // net/http sends 200 for a handler that wrote nothing
	}
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if !w.wroteHeader {
			w.code, w.wroteHeader = http.StatusOK, true
		}
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("httpapi: the underlying ResponseWriter does not support hijacking")
	}
	conn, rw, err := h.Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
