package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SessionCookie is the name of the cookie that carries a signed-in person's session id.
const SessionCookie = "hotline_session"

// Authenticator resolves the credentials the server does not hold itself: the sessions of
// people who signed in, and API tokens kept outside the server's token set (in the state file).
// ok is false for an unknown, expired or revoked credential; err is for a store that failed.
type Authenticator interface {
	Session(ctx context.Context, id string) (p Principal, ok bool, err error)
	Token(ctx context.Context, token string) (p Principal, ok bool, err error)
}

type credential int

const (
	noCredential credential = iota
	byToken
	bySession
)

// authorize wraps h so that only a request from a known principal whose role e allows, and who
// may see the server's centre, reaches it: 401 without usable credentials, 403 for a role e does
// not list, for a centre the principal does not belong to, and for a cookie-authenticated
// request from another origin. Requests that change something, and reads of endpoints marked
// PersonalData, are written to the audit log.
func (s *Server) authorize(e Endpoint, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// What a signed-in caller reads is theirs (personal data, their centre's figures): no
		// browser or proxy keeps a copy, and its absence teaches nothing either.
		w.Header().Set("Cache-Control", "no-store")
		p, how, err := s.authenticate(r)
		if err != nil {
			s.log.ErrorContext(r.Context(), "authenticating a request failed", "error", err)
			Error(w, http.StatusServiceUnavailable, "cannot check credentials right now; try again")
			return
		}
		switch how {
		case noCredential:
			w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
			if _, ok := bearerToken(r); ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="hotline", error="invalid_token"`)
				Error(w, http.StatusUnauthorized, "unknown token")
				return
			}
			if _, ok := SessionID(r); ok {
				ClearSessionCookie(w, r)
				Error(w, http.StatusUnauthorized, "session expired or signed out: sign in again (POST /api/session)")
				return
			}
			Error(w, http.StatusUnauthorized, "missing credentials: send Authorization: Bearer <token>, or sign in (POST /api/session)")
			return
		case bySession:
			// A browser sends the session cookie with any request to this host, also one a page
			// of another site makes it send: refuse those (CSRF, cross-site WebSocket hijacking).
			if err := s.sameOrigin(r); err != nil {
				Error(w, http.StatusForbidden, err.Error())
				return
			}
		}
		setUser(r, p.User) // for the request log, also when the role is refused
		if p.MustChangePassword && !e.PasswordChange {
			Error(w, http.StatusForbidden, "you must change your password before anything else: POST /api/session/password {\"current_password\",\"new_password\"}")
			return
		}
		if !e.Allows(p.Role) {
			Error(w, http.StatusForbidden, fmt.Sprintf("role %s may not call %s; allowed roles: %s",
				p.Role, e.Pattern(), joinRoles(e.Roles)))
			return
		}
		if !e.TenantFiltered && s.tenant != "" && !p.Sees(s.tenant) {
			Error(w, http.StatusForbidden, (&TenantError{Principal: p, Asked: s.tenant}).Error())
			return
		}
		r = r.WithContext(WithPrincipal(r.Context(), p))
		h.ServeHTTP(w, r)
		if audited(e, r) {
			s.auditRequest(w, r, e, p)
		}
	})
}

// authenticate finds the request's principal: from its bearer token when it has an
// Authorization header (the server's tokens, then the authenticator's), else from its session
// cookie.
func (s *Server) authenticate(r *http.Request) (Principal, credential, error) {
	if token, ok := bearerToken(r); ok {
		if p, ok := s.tokens.Lookup(token); ok {
			return p, byToken, nil
		}
		if s.auth == nil {
			return Principal{}, noCredential, nil
		}
		p, ok, err := s.auth.Token(r.Context(), token)
		if err != nil || !ok {
			return Principal{}, noCredential, err
		}
		return p, byToken, nil
	}
	if r.Header.Get("Authorization") != "" || s.auth == nil {
		return Principal{}, noCredential, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return Principal{}, noCredential, nil
	}
	p, ok, err := s.auth.Session(r.Context(), c.Value)
	if err != nil || !ok {
		return Principal{}, noCredential, err
	}
	return p, bySession, nil
}

// sameOrigin refuses a cookie-authenticated request a browser sent on behalf of another
// origin: a state-changing one by net/http's CrossOriginProtection (Sec-Fetch-Site, else
// Origin against Host), and a WebSocket upgrade unless its Origin is this host, since a
// handshake is a GET the protection lets through and browsers send Origin on every one.
func (s *Server) sameOrigin(r *http.Request) error {
	if err := s.csrf.Check(r); err != nil {
		return fmt.Errorf("cross-origin request refused: a signed-in browser may change things only from hotline's own pages (%w)", err)
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return nil
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "same-origin":
		return nil
	case "":
	default:
		return fmt.Errorf("cross-origin WebSocket refused: Sec-Fetch-Site is %q", site)
	}
	o, err := url.Parse(r.Header.Get("Origin"))
	if err != nil || o.Host == "" || !strings.EqualFold(o.Host, r.Host) {
		return fmt.Errorf("cross-origin WebSocket refused: Origin %q is not this server (%s)", r.Header.Get("Origin"), r.Host)
	}
	return nil
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

// SetSessionCookie gives the browser the session id: HttpOnly (no script reads it), Secure on a
// TLS connection, SameSite=Strict (no other site's page makes the browser send it), for the
// whole host, until expires.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, id string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", Expires: expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// ClearSessionCookie tells the browser to forget its session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// SessionID returns the request's session cookie value, if any.
func SessionID(r *http.Request) (string, bool) {
	c, err := r.Cookie(SessionCookie)
	if errors.Is(err, http.ErrNoCookie) || c == nil || c.Value == "" {
		return "", false
	}
	return c.Value, true
}
