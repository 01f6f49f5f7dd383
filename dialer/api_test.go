package dialer

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

func newAPI(t *testing.T) (*httpapi.Server, *Service, *clock.Sim) {
	t.Helper()
	return newAPIWithSegments(t, nil)
}

// apiStart is when the API tests' dialer starts: a Monday, 09:00 in the centre.
var apiStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// newAPIWithSegments is newAPI with segs resolving segment lists (nil: no segment source).
func newAPIWithSegments(t *testing.T, segs Segments) (*httpapi.Server, *Service, *clock.Sim) {
	t.Helper()
	return newAPIAt(t, apiStart, Deps{Segments: segs})
}

// newAPIAt starts the API tests' dialer at start (the book as of apiStart), with the optional
// deps of d (segments, a state file) and after setup (e.g. LoadDNC), runs it for an hour and
// mounts the campaign API.
func newAPIAt(t *testing.T, start time.Time, d Deps, setup ...func(*Service)) (*httpapi.Server, *Service, *clock.Sim) {
	t.Helper()
	clk := clock.NewSim(start)
	d.Clock, d.Book, d.Sink, d.Log = clk, newFakeBook(100, apiStart), &memSink{}, slog.New(slog.DiscardHandler)
	svc, err := NewService(ServiceConfig{TeamSize: 3, Seed: 2}, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(svc)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	svc.Register(srv)
	return srv, svc, clk
}

func TestCampaignAPIRoles(t *testing.T) {
	srv, _, _ := newAPI(t)
	httpapitest.CheckRoles(t, srv)
}

func do(t *testing.T, srv *httpapi.Server, role httpapi.Role, method, path, body string) (int, string) {
	t.Helper()
	rec := doAs(t, srv, httpapi.Principal{User: "u-" + string(role), Role: role, Tenant: httpapi.AllTenants}, method, path, body)
	return rec.Code, rec.Body.String()
}

// doAs sends one request with a token of p.
func doAs(t *testing.T, srv *httpapi.Server, p httpapi.Principal, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	tok, err := srv.Tokens().Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec
}

func TestCampaignAPIProgress(t *testing.T) {
	srv, _, _ := newAPI(t)
	code, body := do(t, srv, httpapi.RoleManager, "GET", "/api/campaigns/renewal-30d", "")
	if code != http.StatusOK {
		t.Fatalf("GET = %d %s", code, body)
	}
	var st CampaignStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Figures.Attempts == 0 || st.List.Contacts == 0 {
		t.Errorf("no progress after an hour of dialling: %+v", st)
	}
	for _, field := range []string{`"attempts"`, `"contacts"`, `"abandon_rate_24h"`, `"abandon_rate_30d"`, `"penetration"`, `"occupancy"`} {
		if !strings.Contains(body, field) {
			t.Errorf("response lacks %s", field)
		}
	}
	if code, _ := do(t, srv, httpapi.RoleManager, "GET", "/api/campaigns/nope", ""); code != http.StatusNotFound {
		t.Errorf("unknown campaign: %d, want 404", code)
	}
}

const tmYAML = `
id: tm-autumn
type: telemarketing
script: XSELL-HOME-1
priority: 2
list:
  source: requests
retry:
  busy: 15m
`

func TestCampaignAPICreate(t *testing.T) {
	srv, svc, clk := newAPI(t)
	tests := []struct {
		name string
		role httpapi.Role
		body string
		want int
	}{
		{"marketer creates telemarketing from YAML", httpapi.RoleMarketer, tmYAML, http.StatusCreated},
		{"same id again", httpapi.RoleMarketer, tmYAML, http.StatusConflict},
		{"manager may not create telemarketing", httpapi.RoleManager, strings.Replace(tmYAML, "tm-autumn", "tm-2", 1), http.StatusForbidden},
		{"marketer may not create a service campaign", httpapi.RoleMarketer, `{"id":"cb-2","type":"claim_callback","script":"CB"}`, http.StatusForbidden},
		{"manager creates a service campaign from JSON", httpapi.RoleManager, `{"id":"pd-1","type":"premium_due","script":"PD","list":{"source":"book","due_in_days":5}}`, http.StatusCreated},
		{"unknown field", httpapi.RoleManager, `{"id":"x","type":"renewal","script":"R","colour":"red"}`, http.StatusBadRequest},
		{"abandon target over 3%", httpapi.RoleMarketer, strings.Replace(tmYAML, "priority: 2", "abandon_target: 0.05", 1), http.StatusBadRequest},
		{"empty body", httpapi.RoleManager, "", http.StatusBadRequest},
		{"no file lists over the API", httpapi.RoleManager, `{"id":"f1","type":"renewal","script":"R","list":{"source":"file","file":"/etc/passwd"}}`, http.StatusBadRequest},
		{"no raw SQL over the API", httpapi.RoleMarketer, `{"id":"q1","type":"telemarketing","script":"T","list":{"source":"clickhouse","query":"SELECT * FROM system.users"}}`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := do(t, srv, tc.role, "POST", "/api/campaigns", tc.body); code != tc.want {
				t.Errorf("POST = %d %s, want %d", code, body, tc.want)
			}
		})
	}
	clk.Advance(10 * time.Second) // the next tick starts created campaigns
	st, ok := svc.Status("pd-1")
	if !ok || st.State != "running" || st.Campaign.Owner != "u-manager" {
		t.Errorf("pd-1 after a tick: %+v", st)
	}
	st, ok = svc.Status("tm-autumn")
	if !ok || st.State != "running" || st.Campaign.Retry.Busy != 15*time.Minute {
		t.Errorf("tm-autumn after a tick: state %q retry %+v", st.State, st.Campaign.Retry)
	}
}

// TestCampaignAPICreateRefusals: each refusal answers its own status with why. 409 is an id in
// use only; a list that cannot be read (an unknown segment) is the request's mistake, 400.
func TestCampaignAPICreateRefusals(t *testing.T) {
	srv, _, _ := newAPIWithSegments(t, &quadrants{members: map[string][]string{"loyal": {"C0001", "C0002"}}})
	if code, body := do(t, srv, httpapi.RoleMarketer, "POST", "/api/campaigns", tmYAML); code != http.StatusCreated {
		t.Fatalf("first POST = %d %s", code, body)
	}
	tests := []struct {
		name, body string
		want       int
		contains   []string // in the response
	}{
		{"an id in use", tmYAML, http.StatusConflict, []string{`campaign \"tm-autumn\" already exists`}},
		{"an id a default campaign has", `{"id":"renewal-30d","type":"telemarketing","script":"T","list":{"source":"requests"}}`,
			http.StatusConflict, []string{"already exists"}},
		{"an unknown segment", `{"id":"seg-1","type":"telemarketing","script":"T","list":{"source":"segment","segment":"nosuch"}}`,
			http.StatusBadRequest, []string{`list.segment \"nosuch\"`, `no segment \"nosuch\"`}},
		{"a known segment", `{"id":"seg-2","type":"telemarketing","script":"T","list":{"source":"segment","segment":"loyal"}}`,
			http.StatusCreated, []string{`"segment":"loyal"`}},
		{"a file list names the way over the API", `{"id":"f1","type":"telemarketing","script":"T","list":{"source":"file","file":"/etc/passwd"}}`,
			http.StatusBadRequest, []string{"list.source book, requests, or segment with list.segment"}},
		{"a raw query names the way over the API", `{"id":"q1","type":"telemarketing","script":"T","list":{"source":"clickhouse","query":"SELECT 1"}}`,
			http.StatusBadRequest, []string{"list.source book, requests, or segment with list.segment"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, srv, httpapi.RoleMarketer, "POST", "/api/campaigns", tc.body)
			if code != tc.want {
				t.Fatalf("POST = %d %s, want %d", code, body, tc.want)
			}
			for _, c := range tc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("response %s lacks %s", body, c)
				}
			}
		})
	}
}

// TestCampaignAPIDurations: a campaign's durations are strings in the API's JSON, as in YAML: a
// preview timeout of "45s" is read as 45 s and shown as such by GET; a bare number (45, which
// encoding/json would take for 45 ns) is refused with a 400 naming the field.
func TestCampaignAPIDurations(t *testing.T) {
	srv, svc, _ := newAPI(t)
	tests := []struct {
		name, body string
		want       int
		contains   []string // in the response
	}{
		{"durations as strings", `{"id":"pv-1","type":"renewal","script":"R","pacing":"preview","preview":{"timeout":"45s","on_timeout":"skip"},"retry":{"busy":"15m","dropped":"96h"}}`,
			http.StatusCreated, []string{`"timeout":"45s"`, `"busy":"15m0s"`, `"dropped":"96h0m0s"`}},
		{"preview timeout as a number", `{"id":"pv-2","type":"renewal","script":"R","pacing":"preview","preview":{"timeout":45}}`,
			http.StatusBadRequest, []string{"preview.timeout", `such as \"30s\"`}},
		{"retry as a number", `{"id":"pv-3","type":"renewal","script":"R","retry":{"no_answer":7200}}`,
			http.StatusBadRequest, []string{"retry.no_answer", `such as \"30s\"`}},
		{"YAML as before", "id: pv-4\ntype: renewal\nscript: R\npacing: preview\npreview: {timeout: 1m}\n",
			http.StatusCreated, []string{`"timeout":"1m0s"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, srv, httpapi.RoleManager, "POST", "/api/campaigns", tc.body)
			if code != tc.want {
				t.Fatalf("POST = %d %s, want %d", code, body, tc.want)
			}
			for _, c := range tc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("POST answer lacks %s: %s", c, body)
				}
			}
		})
	}
	st, ok := svc.Status("pv-1")
	if !ok || st.Campaign.Preview.Timeout != 45*time.Second || st.Campaign.Retry.Busy != 15*time.Minute {
		t.Fatalf("pv-1: preview %+v retry %+v, want timeout 45s, busy 15m", st.Campaign.Preview, st.Campaign.Retry)
	}
	code, body := do(t, srv, httpapi.RoleManager, "GET", "/api/campaigns/pv-1", "")
	if code != http.StatusOK || !strings.Contains(body, `"preview":{"timeout":"45s","on_timeout":"skip"}`) {
		t.Fatalf("GET pv-1 = %d %s, want its preview timeout as \"45s\"", code, body)
	}
	var got CampaignStatus
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Campaign.Preview.Timeout != 45*time.Second || got.Campaign.Retry.Dropped != 96*time.Hour {
		t.Fatalf("GET pv-1 read back: preview %+v retry %+v (%v)", got.Campaign.Preview, got.Campaign.Retry, err)
	}
}
