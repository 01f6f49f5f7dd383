package report

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/chtest"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// TestAPIRefusesBadParameters: dates outside the range ClickHouse holds, unknown metrics and a
// failing database are answered with a message, never with another day's data or the SQL.
func TestAPIRefusesBadParameters(t *testing.T) {
	conn, _ := chtest.Database(t)
	f := chtest.Generate(5)
	if err := f.Load(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	Register(srv, &analytics.Engine{Conn: conn, Settings: analytics.DefaultSettings()}, func() time.Time { return f.End })
	tok, err := srv.Tokens().Generate(httpapi.Principal{User: "m", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/kpis?from=1900-01-01", "2000-01-01..2099-12-31"},
		{"/api/kpis?from=2150-01-01&to=2200-01-01", "2000-01-01..2099-12-31"},
		{"/api/volume?from=1900-01-01&to=2099-12-31", "2000-01-01..2099-12-31"},
		{"/api/reports?to=2026-13-45", "to:"},
		{"/api/reports?metrics=service_level,DROP%20TABLE", "metrics:"},
		{"/api/kpis?metrics=" + strings.Repeat("x,", 200), "metrics:"},
		{"/api/agents/performance?from=2026-10-02&to=2026-10-01", "period:"},
	} {
		code, body := get(tc.path)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s = %d %s, want 400 naming %s", tc.path, code, body, tc.want)
		}
	}
	from, to := f.Start.Format(time.DateOnly), f.End.Format(time.DateOnly)
	code, body := get("/api/agents/performance?from=" + from + "&to=" + to)
	var all []analytics.AgentPerformance
	if code != http.StatusOK || json.Unmarshal([]byte(body), &all) != nil || len(all) < 2 {
		t.Fatalf("all agents: %d %s", code, body)
	}
	code, body = get("/api/agents/performance?from=" + from + "&to=" + to + "&agent=" + all[1].Agent)
	var one []analytics.AgentPerformance
	if code != http.StatusOK || json.Unmarshal([]byte(body), &one) != nil || len(one) != 1 || one[0].Agent != all[1].Agent || one[0].Rank != all[1].Rank {
		t.Errorf("?agent=%s: %d %s, want only that agent", all[1].Agent, code, body)
	}
	conn.Close() // the database goes away: a generic 500, the detail in the log only
	code, body = get("/api/volume?from=" + from + "&to=" + to)
	if code != http.StatusInternalServerError || strings.Contains(body, "SELECT") || strings.Contains(body, "127.0.0.1") {
		t.Errorf("volume without a database = %d %s, want a 500 without detail", code, body)
	}
}
