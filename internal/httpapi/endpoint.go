package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Endpoint is one route on the server, with everything needed to authorise and describe it.
type Endpoint struct {
	// Method is the HTTP method, e.g. "GET" (which also answers HEAD, as http.ServeMux does).
	Method string
	// Path is an http.ServeMux path pattern, e.g. "/api/campaigns/{id}" or "/static/{file...}".
	Path string
	// Roles may call the endpoint. Required unless Public.
	Roles []Role
	// Public endpoints need no token: /healthz, /metrics, the static web UI. Being explicit
	// keeps an endpoint from becoming public because someone forgot to list its roles.
	Public bool
	// TenantFiltered endpoints serve data of several centres and filter it themselves by the
	// principal's centre (TenantFilter); the others serve the server's own centre (WithTenant),
	// which only its users and head office may call.
	TenantFiltered bool
	// PersonalData endpoints answer with personal data (full names, phone or ID numbers,
	// recordings): every GET of one is written to the audit log.
	PersonalData bool
	// PasswordChange endpoints may be called by a person who must change their password
	// first (who am I, sign out, change the password); every other endpoint answers them 403.
	PasswordChange bool
	// Summary is one line saying what the endpoint does, shown in GET /api/endpoints.
	Summary string
	// Handler serves the request. The principal is available through PrincipalFrom.
	Handler http.Handler
}

// Pattern returns the http.ServeMux pattern, "GET /api/campaigns/{id}".
func (e Endpoint) Pattern() string { return e.Method + " " + e.Path }

// Allows reports whether role may call the endpoint (always true for public ones).
func (e Endpoint) Allows(role Role) bool {
	return e.Public || slices.Contains(e.Roles, role)
}

var methods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// validate catches registration mistakes at start-up, where they are cheap to fix.
func (e Endpoint) validate() error {
	switch {
	case !slices.Contains(methods, e.Method):
		return fmt.Errorf("method %q is not one of %s", e.Method, strings.Join(methods, ", "))
	case !strings.HasPrefix(e.Path, "/"):
		return fmt.Errorf("path %q does not start with /", e.Path)
	case e.Handler == nil:
		return fmt.Errorf("no handler")
	case strings.TrimSpace(e.Summary) == "":
		return fmt.Errorf("no summary: the endpoint index needs one line saying what it does")
	case e.Public && len(e.Roles) > 0:
		return fmt.Errorf("public but also lists roles %s: choose one", joinRoles(e.Roles))
	case !e.Public && len(e.Roles) == 0:
		return fmt.Errorf("no roles: list who may call it, or mark it Public")
	}
	for _, r := range e.Roles {
		if _, err := ParseRole(string(r)); err != nil {
			return err
		}
	}
	return nil
}
