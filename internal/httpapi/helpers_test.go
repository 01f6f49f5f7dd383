package httpapi_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Tokens of the test server, one per role that tests call with.
const (
	adminToken   = "admin-token-0123456789"
	agentToken   = "agent-token-0123456789"
	qaToken      = "qa-token-0123456789abc"
	managerToken = "manager-token-0123456789"
)

// newTestServer returns a server with the test tokens, logging into the returned buffer.
func newTestServer(t *testing.T) (*httpapi.Server, *bytes.Buffer) {
	t.Helper()
	tokens := httpapi.NewTokens()
	if err := tokens.LoadFile("testdata/tokens.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := tokens.Add(managerToken, httpapi.Principal{User: "sun.mgr", Role: httpapi.RoleManager, Tenant: "GD"}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	return httpapi.New(httpapi.WithTokens(tokens), httpapi.WithLogger(log)), &logs
}

// do serves one request and returns the response.
func do(t *testing.T, srv *httpapi.Server, method, path, token, body string) *http.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
