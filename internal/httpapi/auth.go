package httpapi

import (
	"fmt"
	"net/http"
	"strings"
)

// authorize wraps h so that only a request with a known bearer token whose role e allows
// reaches it: 401 without a usable token, 403 for a role e does not list.
func (s *Server) authorize(e Endpoint, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			Error(w, http.StatusUnauthorized, "missing bearer token: send Authorization: Bearer <token>")
			return
		}
		p, ok := s.tokens.Lookup(token)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline", error="invalid_token"`)
			Error(w, http.StatusUnauthorized, "unknown token")
			return
		}
		setUser(r, p.User) // for the request log, also when the role is refused
		if !e.Allows(p.Role) {
			Error(w, http.StatusForbidden, fmt.Sprintf("role %s may not call %s; allowed roles: %s",
				p.Role, e.Pattern(), joinRoles(e.Roles)))
			return
		}
		h.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header. The scheme is
// matched case-insensitively, as RFC 7235 says.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
