package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Register mounts the sign-in, user, token and audit endpoints:
//
//	POST   /api/session                      sign in {"user","password"}: sets the session cookie (public)
//	GET    /api/session                      who am I (any role)
//	DELETE /api/session                      sign out (any role)
//	POST   /api/session/password             {"current_password","new_password"} (any signed-in person)
//	GET    /api/admin/users                  users of the administrator's centre (?tenant= narrows)
//	POST   /api/admin/users                  {"user","role","tenant","agent_id"[,"password"]}: a random password when none is given, shown once
//	GET    /api/admin/users/{name}           one user
//	PATCH  /api/admin/users/{name}           {"role","tenant","agent_id","disabled","unlock"}, each optional
//	POST   /api/admin/users/{name}/password  reset: a new random password, shown once
//	GET    /api/admin/tokens                 API tokens (never the tokens themselves)
//	POST   /api/admin/tokens                 {"user","role","tenant","agent_id","expires"}: the token, shown once
//	DELETE /api/admin/tokens/{id}            revoke
//	GET    /api/audit                        the audit log, newest first (auditor): ?tenant ?user ?action ?from ?to ?before ?limit
//
// An administrator of a centre manages that centre's users and tokens; one of head office
// manages every centre's. Every endpoint scopes itself by centre (TenantFiltered).
func (s *Store) Register(srv *httpapi.Server) {
	all := httpapi.Roles()
	admin := []httpapi.Role{httpapi.RoleAdmin}
	ep := func(method, path, summary string, roles []httpapi.Role, h http.HandlerFunc) {
		srv.Handle(httpapi.Endpoint{Method: method, Path: path, Roles: roles, TenantFiltered: true, Summary: summary, Handler: h,
			// A person whose password must change may still see who they are, sign out and change it.
			PasswordChange: path == "/api/session" || path == "/api/session/password"})
	}
	srv.Handle(httpapi.Endpoint{Method: http.MethodPost, Path: "/api/session", Public: true,
		Summary: `sign in: {"user","password"} sets the session cookie`, Handler: http.HandlerFunc(s.signIn)})
	ep("GET", "/api/session", "who am I: user, role, centre, and the session's expiry", all, s.whoAmI)
	ep("DELETE", "/api/session", "sign out", all, s.signOut)
	ep("POST", "/api/session/password", `change your password: {"current_password","new_password"}; ends your other sessions`, all, s.changePassword)
	ep("GET", "/api/admin/users", "users of your centre (head office: all; ?tenant= narrows)", admin, s.listUsers)
	ep("POST", "/api/admin/users", `create a user: {"user","role","tenant","agent_id"[,"password"]}; a random password, shown once, when none is given`, admin, s.createUser)
	ep("GET", "/api/admin/users/{name}", "one user", admin, s.getUser)
	ep("PATCH", "/api/admin/users/{name}", `change a user: {"role","tenant","agent_id","disabled","unlock"}, each optional`, admin, s.updateUser)
	ep("POST", "/api/admin/users/{name}/password", "reset a user's password: a new random one, shown once, to change at sign-in", admin, s.resetPassword)
	ep("GET", "/api/admin/tokens", "API tokens of your centre (never the tokens themselves)", admin, s.listTokens)
	ep("POST", "/api/admin/tokens", `create an API token: {"user","role","tenant","agent_id","expires"}; the token is shown once`, admin, s.createToken)
	ep("DELETE", "/api/admin/tokens/{id}", "revoke an API token", admin, s.revokeToken)
	ep("GET", "/api/audit", "the audit log, newest first: ?tenant ?user ?action (prefix) ?from ?to (RFC 3339 or date) ?before (seq) ?limit", []httpapi.Role{httpapi.RoleAuditor}, s.auditLog)
}

// signInCSRF refuses a sign-in form another site's page posts: it would sign the victim in
// as the attacker.
var signInCSRF = http.NewCrossOriginProtection()

type signInRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

type sessionBody struct {
	httpapi.Principal
	MustChangePassword bool       `json:"must_change_password"`
	Expires            *time.Time `json:"expires,omitempty"`
}

func (s *Store) signIn(w http.ResponseWriter, r *http.Request) {
	if err := signInCSRF.Check(r); err != nil {
		httpapi.Error(w, http.StatusForbidden, "cross-origin sign-in refused: sign in from hotline's own pages")
		return
	}
	var req signInRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if req.User == "" || req.Password == "" || len(req.User) > 64 || len(req.Password) > MaxPasswordLen {
		httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("user (at most 64 bytes) and password (at most %d) are required", MaxPasswordLen))
		return
	}
	sess, err := s.SignIn(r.Context(), req.User, req.Password)
	who := httpapi.Principal{User: req.User}
	if err == nil {
		who = sess.User.Principal()
	} else if u, uerr := s.User(r.Context(), req.User); uerr == nil {
		who = u.Principal() // so the centre's auditor sees attempts on its users
	}
	var locked *LockedError
	switch {
	case errors.As(err, &locked):
		s.audit(r, who, "session.sign_in_refused", req.User, err.Error())
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(locked.Until).Seconds())+1))
		httpapi.Error(w, http.StatusTooManyRequests, err.Error())
		return
	case errors.Is(err, ErrBadCredentials):
		s.audit(r, who, "session.sign_in_failed", req.User, "")
		httpapi.Error(w, http.StatusUnauthorized, err.Error())
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "sign-in failed", "error", err)
		httpapi.Error(w, http.StatusInternalServerError, "sign-in failed; try again")
		return
	}
	s.audit(r, who, "session.sign_in", req.User, "")
	httpapi.SetSessionCookie(w, r, sess.ID, sess.Expires)
	exp := sess.Expires.UTC()
	httpapi.WriteJSON(w, http.StatusOK, sessionBody{Principal: who, MustChangePassword: sess.User.MustChangePassword, Expires: &exp})
}

// audit records an entry for a request whose principal the server has not set (sign-in); a
// failure is logged, since the response does not depend on it.
func (s *Store) audit(r *http.Request, p httpapi.Principal, action, object, detail string) {
	r = r.WithContext(httpapi.WithPrincipal(r.Context(), p))
	if err := httpapi.Audit(r, action, object, detail); err != nil {
		s.log.ErrorContext(r.Context(), "audit entry lost", "action", action, "user", p.User, "error", err)
	}
}

func (s *Store) whoAmI(w http.ResponseWriter, r *http.Request) {
	if _, ok := httpapi.TenantFilter(w, r); !ok {
		return
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	body := sessionBody{Principal: p}
	if id, ok := httpapi.SessionID(r); ok && r.Header.Get("Authorization") == "" {
		u, sess, err := s.session(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		exp := sess.Expires.UTC()
		body.MustChangePassword, body.Expires = u.MustChangePassword, &exp
	}
	httpapi.WriteJSON(w, http.StatusOK, body)
}

// sessionOf returns the request's session id when it was authenticated by its cookie.
func sessionOf(r *http.Request) (string, bool) {
	if r.Header.Get("Authorization") != "" {
		return "", false
	}
	return httpapi.SessionID(r)
}

func (s *Store) signOut(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionOf(r)
	if !ok {
		httpapi.Error(w, http.StatusBadRequest, "signed in with an API token: there is no session to end (an administrator revokes tokens)")
		return
	}
	if err := s.SignOut(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.ClearSessionCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Store) changePassword(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionOf(r)
	if !ok {
		httpapi.Error(w, http.StatusBadRequest, "signed in with an API token, which has no password: sign in as a person")
		return
	}
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	if err := s.ChangePassword(r.Context(), p.User, req.Current, req.New, id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scoped answers 403 (false) when the administrator may not manage centre tenant.
func scoped(w http.ResponseWriter, r *http.Request, tenant string) bool {
	p, _ := httpapi.PrincipalFrom(r.Context())
	if _, err := httpapi.EffectiveTenant(p, tenant); err != nil || (tenant == httpapi.AllTenants && p.Tenant != httpapi.AllTenants) {
		httpapi.Error(w, http.StatusForbidden, (&httpapi.TenantError{Principal: p, Asked: tenant}).Error())
		return false
	}
	return true
}

func (s *Store) listUsers(w http.ResponseWriter, r *http.Request) {
	tenant, ok := httpapi.TenantFilter(w, r)
	if !ok {
		return
	}
	users, err := s.Users(r.Context(), tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, users)
}

func (s *Store) createUser(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User     string       `json:"user"`
		Role     httpapi.Role `json:"role"`
		Tenant   string       `json:"tenant"`
		AgentID  string       `json:"agent_id"`
		Password string       `json:"password"`
	}
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if !scoped(w, r, req.Tenant) {
		return
	}
	u := User{Name: req.User, Role: req.Role, Tenant: req.Tenant, AgentID: req.AgentID}
	password, err := s.CreateUser(r.Context(), u, req.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := httpapi.Audit(r, "user.create", u.Name, fmt.Sprintf("role %s, centre %s", u.Role, u.Tenant)); err != nil {
		s.log.ErrorContext(r.Context(), "audit entry lost", "error", err)
	}
	u, err = s.User(r.Context(), u.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body := map[string]any{"user": u}
	if req.Password == "" {
		body["password"] = password
	}
	httpapi.WriteJSON(w, http.StatusCreated, body)
}

// managed returns the user the path names, when the administrator may manage them.
func (s *Store) managed(w http.ResponseWriter, r *http.Request) (User, bool) {
	if _, ok := httpapi.TenantFilter(w, r); !ok {
		return User{}, false
	}
	u, err := s.User(r.Context(), r.PathValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return User{}, false
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	if !p.Sees(u.Tenant) || (u.Tenant == httpapi.AllTenants && p.Tenant != httpapi.AllTenants) {
		// Not 403: a user of another centre is none of this administrator's business, not even
		// whether they exist.
		s.fail(w, r, fmt.Errorf("user %s %w", u.Name, ErrNotFound))
		return User{}, false
	}
	return u, true
}

func (s *Store) getUser(w http.ResponseWriter, r *http.Request) {
	if u, ok := s.managed(w, r); ok {
		httpapi.WriteJSON(w, http.StatusOK, u)
	}
}

func (s *Store) updateUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managed(w, r)
	if !ok {
		return
	}
	var patch UserPatch
	if err := httpapi.DecodeJSON(w, r, &patch); err != nil {
		return
	}
	if patch.Tenant != nil && !scoped(w, r, *patch.Tenant) {
		return
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	if u.Name == p.User && (patch.Role != nil || patch.Tenant != nil || patch.Disabled != nil) {
		// Another administrator does that, so no one locks the last one out by mistake.
		httpapi.Error(w, http.StatusBadRequest, "you cannot change your own role, centre or disabled state")
		return
	}
	after, err := s.UpdateUser(r.Context(), u.Name, patch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	change, _ := json.Marshal(patch)
	if err := httpapi.Audit(r, "user.update", u.Name, string(change)); err != nil {
		s.log.ErrorContext(r.Context(), "audit entry lost", "error", err)
	}
	httpapi.WriteJSON(w, http.StatusOK, after)
}

func (s *Store) resetPassword(w http.ResponseWriter, r *http.Request) {
	u, ok := s.managed(w, r)
	if !ok {
		return
	}
	password, err := s.ResetPassword(r.Context(), u.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := httpapi.Audit(r, "user.reset_password", u.Name, ""); err != nil {
		s.log.ErrorContext(r.Context(), "audit entry lost", "error", err)
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"user": u.Name, "password": password})
}

func (s *Store) listTokens(w http.ResponseWriter, r *http.Request) {
	tenant, ok := httpapi.TenantFilter(w, r)
	if !ok {
		return
	}
	ts, err := s.Tokens(r.Context(), tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, ts)
}

func (s *Store) createToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User    string       `json:"user"`
		Role    httpapi.Role `json:"role"`
		Tenant  string       `json:"tenant"`
		AgentID string       `json:"agent_id"`
		Expires string       `json:"expires"`
	}
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		return
	}
	if !scoped(w, r, req.Tenant) {
		return
	}
	expires, err := parseTime(req.Expires)
	if err != nil || expires.IsZero() {
		httpapi.Error(w, http.StatusBadRequest, `expires: required, a date (2026-12-31) or RFC 3339 time`)
		return
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	t, token, err := s.CreateToken(r.Context(), APIToken{User: req.User, Role: req.Role, Tenant: req.Tenant, AgentID: req.AgentID, Expires: expires, CreatedBy: p.User})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := httpapi.Audit(r, "token.create", t.ID, fmt.Sprintf("for %s, role %s, centre %s, expires %s", t.User, t.Role, t.Tenant, t.Expires.Format(time.RFC3339))); err != nil {
		s.log.ErrorContext(r.Context(), "audit entry lost", "error", err)
	}
	httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"token": token, "info": t})
}

func (s *Store) revokeToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.TokenByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	if !p.Sees(t.Tenant) {
		s.fail(w, r, fmt.Errorf("token %s %w", t.ID, ErrNotFound))
		return
	}
	if err := s.RevokeToken(r.Context(), t.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Store) auditLog(w http.ResponseWriter, r *http.Request) {
	tenant, ok := httpapi.TenantFilter(w, r)
	if !ok {
		return
	}
	qs := r.URL.Query()
	q := AuditQuery{Tenant: tenant, User: qs.Get("user"), Action: qs.Get("action")}
	var err error
	if q.From, err = parseTime(qs.Get("from")); err != nil {
		httpapi.Error(w, http.StatusBadRequest, "from: "+err.Error())
		return
	}
	if q.To, err = parseTime(qs.Get("to")); err != nil {
		httpapi.Error(w, http.StatusBadRequest, "to: "+err.Error())
		return
	}
	if v := qs.Get("before"); v != "" {
		if q.Before, err = strconv.ParseInt(v, 10, 64); err != nil || q.Before < 1 {
			httpapi.Error(w, http.StatusBadRequest, "before: want a positive sequence number")
			return
		}
	}
	q.Limit = 100
	if v := qs.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > 1000 {
			httpapi.Error(w, http.StatusBadRequest, "limit: want 1..1000")
			return
		}
	}
	entries, err := s.Audit(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body := map[string]any{"entries": entries}
	if n := len(entries); n > 0 && n == q.Limit {
		body["next"] = fmt.Sprintf("before=%d", entries[n-1].Seq)
	}
	httpapi.WriteJSON(w, http.StatusOK, body)
}

// parseTime reads a date (UTC midnight) or an RFC 3339 time within years 2000..2100; "" is
// the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}, fmt.Errorf("%q is neither a date (2026-03-02) nor an RFC 3339 time", s)
		}
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, fmt.Errorf("%q is outside 2000..2100", s)
	}
	return t, nil
}

// fail answers err with its status: 400 for a bad field, 404, 409, 429, else a logged 500.
func (s *Store) fail(w http.ResponseWriter, r *http.Request, err error) {
	var in *InputError
	var locked *LockedError
	switch {
	case errors.As(err, &in):
		httpapi.Error(w, http.StatusBadRequest, in.Error())
	case errors.As(err, &locked):
		httpapi.Error(w, http.StatusTooManyRequests, locked.Error())
	case errors.Is(err, ErrNotFound):
		httpapi.Error(w, http.StatusNotFound, lastPart(err))
	case errors.Is(err, ErrExists):
		httpapi.Error(w, http.StatusConflict, lastPart(err))
	default:
		s.log.ErrorContext(r.Context(), "accounts request failed", "path", r.URL.Path, "error", err)
		httpapi.Error(w, http.StatusInternalServerError, "internal error")
	}
}

// lastPart drops the "changing user x: " prefixes of a wrapped error for the caller.
func lastPart(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}
