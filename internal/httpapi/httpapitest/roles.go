// Package httpapitest holds test helpers for code that mounts endpoints on an httpapi.Server.
package httpapitest

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// PlaceholderID fills every path parameter in CheckRoles, and is the agent id of the agent
// principal it uses, so that "an agent may only see their own calls" checks pass for it.
const PlaceholderID = "1"

// requestTimeout bounds each request, so that streaming endpoints (which serve until the client
// leaves) end when their context does.
const requestTimeout = 2 * time.Second

// OtherTenant is the centre of CheckRoles' principals that must see nothing of the server's.
const OtherTenant = "ZZ"

// CheckRoles walks every endpoint registered on srv, calling each with no token, with an
// unknown token, with a token of every role of head office, and with a token of every role of
// another centre (OtherTenant), and fails t when
//   - a non-public endpoint answers anything but 401 without a token or with an unknown one,
//   - a role the endpoint does not list gets anything but 403,
//   - a role it lists, or anyone on a public endpoint, gets 401 or 403,
//   - a user of another centre is not refused (403) on an endpoint serving the server's own
//     centre (srv.Tenant()), or on a TenantFiltered GET asking for that centre with ?tenant=,
//   - GET /api/endpoints for a role does not list exactly the endpoints that role may call.
//
// Handlers really run for allowed roles, with path parameters set to PlaceholderID and no
// body, so run it on a test server. It adds two tokens per role to srv.Tokens().
func CheckRoles(t *testing.T, srv *httpapi.Server) {
	t.Helper()
	tokens := make(map[httpapi.Role]string)
	others := make(map[httpapi.Role]string)
	for _, role := range httpapi.Roles() {
		for tenant, into := range map[string]map[httpapi.Role]string{httpapi.AllTenants: tokens, OtherTenant: others} {
			p := httpapi.Principal{User: "rolewalk-" + string(role), Role: role, Tenant: tenant}
			if role == httpapi.RoleAgent {
				p.AgentID = PlaceholderID
			}
			tok, err := srv.Tokens().Generate(p)
			if err != nil {
				t.Fatalf("adding a token for role %s: %v", role, err)
			}
			into[role] = tok
		}
	}

	endpoints := srv.Endpoints()
	if len(endpoints) == 0 {
		t.Fatal("server has no endpoints")
	}
	t.Run("endpoints", func(t *testing.T) {
		for _, ep := range endpoints {
			t.Run(ep.Pattern(), func(t *testing.T) {
				t.Parallel()
				checkEndpoint(t, srv, ep, tokens)
				checkTenant(t, srv, ep, others)
			})
		}
	})
	t.Run("index", func(t *testing.T) {
		for _, role := range httpapi.Roles() {
			checkIndex(t, srv, endpoints, role, tokens[role])
		}
	})
}

func checkEndpoint(t *testing.T, srv *httpapi.Server, ep httpapi.Endpoint, tokens map[httpapi.Role]string) {
	path := FillPath(ep.Path)
	if code, body := call(srv, ep.Method, path, ""); ep.Public && (code == http.StatusUnauthorized || code == http.StatusForbidden) {
		t.Errorf("public %s without a token: got %d %s", ep.Pattern(), code, short(body))
	} else if !ep.Public && code != http.StatusUnauthorized {
		t.Errorf("%s without a token: got %d, want 401; body %s", ep.Pattern(), code, short(body))
	}
	if code, body := call(srv, ep.Method, path, "not-a-real-token-0123456789"); !ep.Public && code != http.StatusUnauthorized {
		t.Errorf("%s with an unknown token: got %d, want 401; body %s", ep.Pattern(), code, short(body))
	}
	for _, role := range httpapi.Roles() {
		code, body := call(srv, ep.Method, path, tokens[role])
		switch allowed := ep.Allows(role); {
		case allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden):
			t.Errorf("%s as %s (allowed): got %d; body %s", ep.Pattern(), role, code, short(body))
		case !allowed && code != http.StatusForbidden:
			t.Errorf("%s as %s (not allowed): got %d, want 403; body %s", ep.Pattern(), role, code, short(body))
		case !allowed && !strings.Contains(body, string(role)):
			t.Errorf("%s as %s: 403 body does not name the role: %s", ep.Pattern(), role, short(body))
		}
	}
}

// checkTenant calls ep as each role it allows, as a user of OtherTenant.
func checkTenant(t *testing.T, srv *httpapi.Server, ep httpapi.Endpoint, others map[httpapi.Role]string) {
	if ep.Public {
		return
	}
	own := cmp.Or(srv.Tenant(), "GD")
	for _, role := range ep.Roles {
		switch {
		case !ep.TenantFiltered && srv.Tenant() != "":
			if code, body := call(srv, ep.Method, FillPath(ep.Path), others[role]); code != http.StatusForbidden || !strings.Contains(body, OtherTenant) {
				t.Errorf("%s as %s of centre %s: got %d, want 403 naming the centre; body %s", ep.Pattern(), role, OtherTenant, code, short(body))
			}
		case ep.TenantFiltered && ep.Method == http.MethodGet:
			if code, body := call(srv, ep.Method, FillPath(ep.Path)+"?tenant="+own, others[role]); code != http.StatusForbidden || !strings.Contains(body, own) {
				t.Errorf("%s?tenant=%s as %s of centre %s: got %d, want 403 naming the centre; body %s", ep.Pattern(), own, role, OtherTenant, code, short(body))
			}
		}
	}
}

func checkIndex(t *testing.T, srv *httpapi.Server, endpoints []httpapi.Endpoint, role httpapi.Role, token string) {
	code, body := call(srv, http.MethodGet, "/api/endpoints", token)
	if code != http.StatusOK {
		t.Errorf("GET /api/endpoints as %s: got %d %s", role, code, short(body))
		return
	}
	var idx struct {
		Endpoints []struct{ Method, Path string }
	}
	if err := json.Unmarshal([]byte(body), &idx); err != nil {
		t.Errorf("GET /api/endpoints as %s: decoding %s: %v", role, short(body), err)
		return
	}
	var got, want []string
	for _, e := range idx.Endpoints {
		got = append(got, e.Method+" "+e.Path)
	}
	for _, ep := range endpoints {
		if ep.Allows(role) {
			want = append(want, ep.Pattern())
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("GET /api/endpoints as %s lists\n  %v\nwant\n  %v", role, got, want)
	}
}

// call serves one request on srv's handler and returns the status and body.
func call(srv *httpapi.Server, method, path, token string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// short trims a response body for a failure message.
func short(body string) string {
	if len(body) > 300 {
		return body[:300] + "…"
	}
	return body
}

var wildcardRE = regexp.MustCompile(`\{[^}]*\}`)

// FillPath turns a ServeMux path pattern into a concrete path: each {name} and {name...}
// becomes PlaceholderID and {$} (end of path) disappears.
func FillPath(pattern string) string {
	return wildcardRE.ReplaceAllStringFunc(pattern, func(w string) string {
		if w == "{$}" {
			return ""
		}
		return PlaceholderID
	})
}
