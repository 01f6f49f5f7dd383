package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func TestHealthz(t *testing.T) {
	tests := []struct {
		name     string
		checks   map[string]error
		wantCode int
		wantBody string
	}{
		{"no checks", nil, 200, `{"status":"ok"}`},
		{"all pass", map[string]error{"clickhouse": nil, "kafka": nil}, 200, `{"status":"ok"}`},
		{"one fails", map[string]error{"clickhouse": errors.New("dial tcp 10.0.0.5:9000: refused"), "kafka": nil}, 503, `{"status":"unavailable","failed":["clickhouse"]}`},
		{"one says why", map[string]error{"ingest": fmt.Errorf("ingest at 10.0.0.5:9000: %w", &httpapi.HealthReason{Reason: "stalled for 3m0s"})}, 503,
			`{"status":"unavailable","failed":["ingest"],"reasons":{"ingest":"stalled for 3m0s"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, logs := newTestServer(t)
			for name, err := range tt.checks {
				srv.AddHealthCheck(name, func(ctx context.Context) error {
					if _, ok := ctx.Deadline(); !ok {
						t.Error("health check context has no deadline")
					}
					return err
				})
			}
			resp := do(t, srv, "GET", "/healthz", "", "")
			if body := strings.TrimSpace(readBody(t, resp)); resp.StatusCode != tt.wantCode || body != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantCode, tt.wantBody)
			}
			if tt.wantCode == 503 && !strings.Contains(logs.String(), "10.0.0.5:9000") {
				t.Errorf("the failing check's error is not logged:\n%s", logs)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	srv, _ := newTestServer(t)
	mountSample(srv)
	calls := prometheus.NewCounter(prometheus.CounterOpts{Name: "hotline_test_calls_total", Help: "test"})
	calls.Add(3)
	srv.Registry().MustRegister(calls)

	do(t, srv, "GET", "/api/campaigns/1", managerToken, "")
	do(t, srv, "GET", "/api/campaigns/2", managerToken, "")
	do(t, srv, "GET", "/api/campaigns/2", qaToken, "")
	do(t, srv, "GET", "/wp-login.php?x", "", "")

	body := readBody(t, do(t, srv, "GET", "/metrics", "", ""))
	for _, want := range []string{
		`http_requests_total{code="200",method="GET",path="/api/campaigns/{id}"} 2`,
		`http_requests_total{code="403",method="GET",path="/api/campaigns/{id}"} 1`,
		`http_requests_total{code="404",method="GET",path="unmatched"} 1`,
		`http_request_duration_seconds_count{method="GET",path="/api/campaigns/{id}"} 3`,
		`hotline_test_calls_total 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestPanicRecovery(t *testing.T) {
	srv, logs := newTestServer(t)
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/boom", Roles: []httpapi.Role{httpapi.RoleAdmin}, Summary: "panics",
		Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("scorecard weights are nil") })})

	resp := do(t, srv, "GET", "/api/boom", adminToken, "")
	if body := strings.TrimSpace(readBody(t, resp)); resp.StatusCode != 500 || body != `{"error":"internal error"}` {
		t.Errorf("got %d %s, want 500 internal error", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "scorecard weights are nil") {
		t.Errorf("panic not logged:\n%s", logs)
	}
	// The server keeps serving after a panic.
	if resp := do(t, srv, "GET", "/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("healthz after panic: %d", resp.StatusCode)
	}
}

func TestRequestLog(t *testing.T) {
	srv, logs := newTestServer(t)
	mountSample(srv)
	do(t, srv, "GET", "/api/campaigns/9", managerToken, "")
	do(t, srv, "GET", "/api/campaigns/9", qaToken, "")

	type line struct {
		Msg, Method, Path, User string
		Status                  int
		Duration                int64
	}
	var got []line
	for _, s := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %s: %v", s, err)
		}
		got = append(got, l)
	}
	want := []line{
		{Msg: "http request", Method: "GET", Path: "/api/campaigns/9", User: "sun.mgr", Status: 200},
		{Msg: "http request", Method: "GET", Path: "/api/campaigns/9", User: "zhao.qa", Status: 403},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d log lines, want %d:\n%s", len(got), len(want), logs)
	}
	for i := range want {
		if got[i].Duration <= 0 {
			t.Errorf("line %d has no duration", i)
		}
		got[i].Duration = 0
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
