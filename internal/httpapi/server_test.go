package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

// mountSample registers endpoints shaped like the ones the parts will add.
func mountSample(srv *httpapi.Server) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	m, mk, q, a, ag := httpapi.RoleManager, httpapi.RoleMarketer, httpapi.RoleQA, httpapi.RoleAdmin, httpapi.RoleAgent
	for _, ep := range []httpapi.Endpoint{
		{Method: "GET", Path: "/api/campaigns", Roles: []httpapi.Role{mk, m}, Summary: "list campaigns", Handler: ok},
		{Method: "POST", Path: "/api/campaigns", Roles: []httpapi.Role{mk}, Summary: "create a campaign", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct{ Name string }
			if err := httpapi.DecodeJSON(w, r, &req); err != nil {
				return
			}
			httpapi.WriteJSON(w, http.StatusCreated, req)
		})},
		{Method: "GET", Path: "/api/campaigns/{id}", Roles: []httpapi.Role{mk, m}, Summary: "one campaign", Handler: ok},
		{Method: "DELETE", Path: "/api/campaigns/{id}", Roles: []httpapi.Role{a}, Summary: "delete a campaign", Handler: ok},
		{Method: "GET", Path: "/api/qa/recordings/{id}/audio", Roles: []httpapi.Role{q}, Summary: "a recording's WAV", Handler: ok},
		{Method: "GET", Path: "/api/agents/{agent}/calls", Roles: []httpapi.Role{ag, m}, Summary: "an agent's calls", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Domain rule, not role rule: agents see only their own calls.
			if p, _ := httpapi.PrincipalFrom(r.Context()); p.Role == ag && p.AgentID != r.PathValue("agent") {
				httpapi.Error(w, http.StatusForbidden, "agents see only their own calls")
				return
			}
			httpapi.WriteJSON(w, http.StatusOK, []string{})
		})},
		{Method: "GET", Path: "/static/{file...}", Public: true, Summary: "web UI assets", Handler: ok},
		{Method: "GET", Path: "/{$}", Public: true, Summary: "web UI", Handler: ok},
	} {
		srv.Handle(ep)
	}
}

func TestCheckRoles(t *testing.T) {
	srv, _ := newTestServer(t)
	mountSample(srv)
	httpapitest.CheckRoles(t, srv)
}

func TestAuth(t *testing.T) {
	srv, _ := newTestServer(t)
	mountSample(srv)
	tests := []struct {
		name     string
		method   string
		path     string
		header   string // Authorization header
		wantCode int
		wantBody string // substring
	}{
		{"no header", "GET", "/api/campaigns", "", 401, `{"error":"missing credentials: send Authorization: Bearer \u003ctoken\u003e, or sign in (POST /api/session)"}`},
		{"basic auth", "GET", "/api/campaigns", "Basic YTpi", 401, "missing credentials"},
		{"empty bearer", "GET", "/api/campaigns", "Bearer ", 401, "missing credentials"},
		{"unknown token", "GET", "/api/campaigns", "Bearer nope-nope-nope-nope", 401, `{"error":"unknown token"}`},
		{"role not allowed", "GET", "/api/campaigns", "Bearer " + qaToken, 403, `{"error":"role qa may not call GET /api/campaigns; allowed roles: marketer, manager"}`},
		{"allowed", "GET", "/api/campaigns/42", "Bearer " + managerToken, 200, `{"id":"42"}`},
		{"scheme is case-insensitive", "GET", "/api/campaigns/42", "bearer " + managerToken, 200, `{"id":"42"}`},
		{"agent sees own calls", "GET", "/api/agents/1007/calls", "Bearer " + agentToken, 200, `[]`},
		{"agent denied another's calls by the handler", "GET", "/api/agents/1008/calls", "Bearer " + agentToken, 403, "own calls"},
		{"public without token", "GET", "/static/app.js", "", 200, `"id":""`},
		{"public with unknown token", "GET", "/", "Bearer junk", 200, `{"id":""}`},
		{"wrong method", "PUT", "/api/campaigns", "Bearer " + managerToken, 405, ""},
		{"no such path", "GET", "/api/nothing", "Bearer " + managerToken, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			resp := rec.Result()
			body := readBody(t, resp)
			if resp.StatusCode != tt.wantCode || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
			if tt.wantCode == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestIndex(t *testing.T) {
	srv, _ := newTestServer(t)
	mountSample(srv)
	resp := do(t, srv, "GET", "/api/endpoints", qaToken, "")
	var idx httpapi.IndexBody
	if err := json.NewDecoder(resp.Body).Decode(&idx); err != nil {
		t.Fatal(err)
	}
	if idx.Principal.User != "zhao.qa" || idx.Principal.Role != httpapi.RoleQA {
		t.Errorf("principal = %+v", idx.Principal)
	}
	var got []string
	for _, e := range idx.Endpoints {
		got = append(got, fmt.Sprintf("%s %s public=%v", e.Method, e.Path, e.Public))
	}
	want := strings.Join([]string{
		"GET /api/endpoints public=false",
		"GET /api/qa/recordings/{id}/audio public=false",
		"GET /healthz public=true",
		"GET /metrics public=true",
		"GET /static/{file...} public=true",
		"GET /{$} public=true",
	}, "\n")
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("index for qa:\n%s\nwant\n%s", g, want)
	}
}

func TestHandleRejectsBadEndpoints(t *testing.T) {
	h := http.NotFoundHandler()
	tests := []struct {
		name string
		ep   httpapi.Endpoint
		want string
	}{
		{"no roles", httpapi.Endpoint{Method: "GET", Path: "/x", Summary: "x", Handler: h}, "no roles: list who may call it, or mark it Public"},
		{"public with roles", httpapi.Endpoint{Method: "GET", Path: "/x", Summary: "x", Handler: h, Public: true, Roles: []httpapi.Role{httpapi.RoleQA}}, "public but also lists roles qa"},
		{"bad method", httpapi.Endpoint{Method: "get", Path: "/x", Summary: "x", Handler: h, Roles: []httpapi.Role{httpapi.RoleQA}}, `method "get" is not one of`},
		{"relative path", httpapi.Endpoint{Method: "GET", Path: "x", Summary: "x", Handler: h, Roles: []httpapi.Role{httpapi.RoleQA}}, `path "x" does not start with /`},
		{"no handler", httpapi.Endpoint{Method: "GET", Path: "/x", Summary: "x", Roles: []httpapi.Role{httpapi.RoleQA}}, "no handler"},
		{"no summary", httpapi.Endpoint{Method: "GET", Path: "/x", Handler: h, Roles: []httpapi.Role{httpapi.RoleQA}}, "no summary"},
		{"unknown role", httpapi.Endpoint{Method: "GET", Path: "/x", Summary: "x", Handler: h, Roles: []httpapi.Role{"root"}}, `unknown role "root"`},
		{"conflict", httpapi.Endpoint{Method: "GET", Path: "/healthz", Summary: "x", Handler: h, Public: true}, "conflicts with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newTestServer(t)
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "httpapi: registering ") || !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q, want one containing %q", msg, tt.want)
				}
			}()
			srv.Handle(tt.ep)
		})
	}
}
