package segments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/chtest"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

type launcher struct {
	id       string
	req      LaunchRequest
	contacts []dialer.Contact
	err      error // Launch's answer
}

func (l *launcher) Launch(ctx context.Context, req LaunchRequest, c []dialer.Contact) error {
	l.id, l.req, l.contacts = req.CampaignID, req, c
	return l.err
}

func setup(t *testing.T) (*analytics.Engine, *chtest.Fixture, string) {
	conn, db := chtest.Database(t)
	f := chtest.Generate(11)
	if err := f.Load(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	return &analytics.Engine{Conn: conn, Settings: analytics.DefaultSettings()}, f, db
}

func TestExportFilesRoundTrip(t *testing.T) {
	e, f, db := setup(t)
	dir := t.TempDir()
	want, err := e.Segment(context.Background(), f.End, "", analytics.SegmentFilter{Quadrant: analytics.QuadrantHostage})
	if err != nil || len(want) == 0 {
		t.Fatalf("segment: %v (%d customers)", err, len(want))
	}
	for _, format := range []string{"arrow", "parquet"} {
		out := filepath.Join(dir, "seg."+format)
		var buf bytes.Buffer
		err := Command(context.Background(), []string{"export", "--quadrant", "hostage", "--format", format, "--out", out,
			"--as-of", f.End.Format(time.DateOnly), "--clickhouse", chtest.Addr(t), "--database", db}, &buf)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		var phones []string
		switch format {
		case "arrow":
			fh, _ := os.Open(out)
			r, err := ipc.NewFileReader(fh)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < r.NumRecords(); i++ {
				rec, _ := r.RecordBatch(i)
				for j := 0; j < int(rec.NumRows()); j++ {
					ids = append(ids, rec.Column(0).ValueStr(j))
					phones = append(phones, rec.Column(2).ValueStr(j))
				}
			}
			r.Close()
			fh.Close()
		case "parquet":
			pf, err := file.OpenParquetFile(out, false)
			if err != nil {
				t.Fatal(err)
			}
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			tbl, err := fr.ReadTable(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range tbl.Column(0).Data().Chunks() {
				for j := 0; j < ch.Len(); j++ {
					ids = append(ids, ch.ValueStr(j))
				}
			}
			for _, ch := range tbl.Column(2).Data().Chunks() {
				for j := 0; j < ch.Len(); j++ {
					phones = append(phones, ch.ValueStr(j))
				}
			}
			tbl.Release()
			pf.Close()
		}
		if len(ids) != len(want) {
			t.Fatalf("%s: %d rows, want %d", format, len(ids), len(want))
		}
		for i := range ids {
			if ids[i] != want[i].Customer || !strings.Contains(phones[i], "****") {
				t.Errorf("%s row %d: %s %s, want %s masked", format, i, ids[i], phones[i], want[i].Customer)
			}
		}
	}
}

func TestAPI(t *testing.T) {
	e, f, _ := setup(t)
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	l := &launcher{}
	Register(srv, e, l, func() time.Time { return f.End })
	httpapitest.CheckRoles(t, srv)

	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tok := addToken(t, srv, httpapi.RoleMarketer)
	get := func(path string) map[string]any {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, m)
		}
		return m
	}
	// Naming any campaign, existing or not, reveals nothing: the audit's finding.
	for _, path := range []string{"/api/segments/loyal", "/api/segments/loyal?campaign=c1", "/api/segments/loyal?campaign=x"} {
		customers := get(path)["customers"].([]any)
		if len(customers) == 0 {
			t.Fatalf("GET %s: no customers", path)
		}
		for _, c := range customers {
			if p := c.(map[string]any)["phone"].(string); !strings.Contains(p, "****") {
				t.Errorf("GET %s: phone %q unmasked", path, p)
			}
		}
	}
	sizes := get("/api/segments?from=" + f.Start.Format(time.DateOnly) + "&to=" + f.End.Format(time.DateOnly))
	if len(sizes["sizes"].(map[string]any)) < 3 || len(sizes["movements"].([]any)) == 0 {
		t.Errorf("segments overview: %v", sizes)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/api/segments/at_risk/campaign", strings.NewReader(`{"campaign_id":"winback-1","campaign_type":"telemarketing"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	want, _ := e.Segment(context.Background(), f.End, "", analytics.SegmentFilter{Quadrant: analytics.QuadrantAtRisk})
	if res.StatusCode != http.StatusCreated || l.id != "winback-1" || len(l.contacts) != len(want) || len(want) == 0 {
		t.Fatalf("campaign: status %d, launched %q with %d contacts, segment has %d", res.StatusCode, l.id, len(l.contacts), len(want))
	}
	src := NewListSource(l.contacts)
	n := 0
	for {
		c, ok := src.Next(f.End)
		if !ok {
			break
		}
		if c.Phone == "" || strings.Contains(c.Phone, "*") || c.CampaignID != "winback-1" {
			t.Errorf("contact %+v", c)
		}
		n++
	}
	if n != len(want) {
		t.Errorf("list source gave %d contacts, want %d", n, len(want))
	}
}

// TestAPILaunchStatus: a launch the caller got wrong is a 4xx with the reason; 502 is for a
// failure behind the launcher only. Script and priority reach the launcher when given.
func TestAPILaunchStatus(t *testing.T) {
	e, f, _ := setup(t)
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	l := &launcher{}
	Register(srv, e, l, func() time.Time { return f.End })
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tok := addToken(t, srv, httpapi.RoleMarketer)
	tests := []struct {
		name, body string
		err        error // the launcher's
		want       int
		contains   string // in the response
		req        LaunchRequest
	}{
		{"defaults", `{"campaign_id":"wb-1","campaign_type":"telemarketing"}`, nil, http.StatusCreated, `"campaign_id":"wb-1"`,
			LaunchRequest{CampaignID: "wb-1", CampaignType: "telemarketing"}},
		{"script and priority", `{"campaign_id":"wb-2","campaign_type":"telemarketing","script":"XSELL-HOME-1","priority":3}`, nil, http.StatusCreated, `"campaign_id":"wb-2"`,
			LaunchRequest{CampaignID: "wb-2", CampaignType: "telemarketing", Script: "XSELL-HOME-1", Priority: 3}},
		{"no campaign id", `{"campaign_type":"telemarketing"}`, nil, http.StatusBadRequest, "campaign_id is required", LaunchRequest{}},
		{"a priority that is not a number", `{"campaign_id":"wb-3","campaign_type":"telemarketing","priority":"high"}`, nil, http.StatusBadRequest, "priority", LaunchRequest{}},
		{"a campaign that does not validate", `{"campaign_id":"wb 4","campaign_type":"telemarketing"}`,
			&RequestError{Status: http.StatusBadRequest, Err: errors.New(`id: "wb 4" may not contain spaces`)}, http.StatusBadRequest, "may not contain spaces", LaunchRequest{}},
		{"a service campaign", `{"campaign_id":"cb-1","campaign_type":"claim_callback"}`,
			&RequestError{Status: http.StatusForbidden, Err: errors.New("only a manager may create them")}, http.StatusForbidden, "only a manager", LaunchRequest{}},
		{"an id in use", `{"campaign_id":"wb-1","campaign_type":"telemarketing"}`,
			fmt.Errorf(`campaign "wb-1" %w`, dialer.ErrCampaignExists), http.StatusConflict, "already exists", LaunchRequest{}},
		{"the dialer fails", `{"campaign_id":"wb-5","campaign_type":"telemarketing"}`,
			errors.New("writing the list of campaign wb-5: open /var/lib/hotline/campaigns/wb-5.csv: disk full"), http.StatusBadGateway, "launching the campaign failed", LaunchRequest{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			*l = launcher{err: tc.err}
			req, _ := http.NewRequest("POST", ts.URL+"/api/segments/at_risk/campaign", strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want || !strings.Contains(string(b), tc.contains) || strings.Contains(string(b), "/var/lib") {
				t.Fatalf("POST = %d %s, want %d with %q and no server path", res.StatusCode, b, tc.want, tc.contains)
			}
			if tc.req != (LaunchRequest{}) && l.req != tc.req {
				t.Errorf("launcher got %+v, want %+v", l.req, tc.req)
			}
		})
	}
}

// auditLog keeps the export entries of the audit log (the server also records every read of
// personal data, which this test does not look at); failing makes every entry fail.
type auditLog struct {
	recs    []httpapi.AuditEntry
	failing bool
}

func (a *auditLog) Record(_ context.Context, e httpapi.AuditEntry) error {
	if a.failing {
		return errors.New("audit store down")
	}
	if e.Action == "export_phones" {
		a.recs = append(a.recs, e)
	}
	return nil
}

// TestAPIExport: full numbers only for a role the configuration allows, with a reason, and each
// export leaves an audit record naming user, role, client, segment, reason and count; an export
// that cannot be audited discloses nothing.
func TestAPIExport(t *testing.T) {
	e, f, _ := setup(t)
	audit := &auditLog{}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)), httpapi.WithAuditor(audit), httpapi.WithExportRoles(httpapi.RoleManager))
	Register(srv, e, &launcher{}, func() time.Time { return f.End })
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(role httpapi.Role, query string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", ts.URL+"/api/segments/loyal?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+addToken(t, srv, role))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	const reason = "reason=renewal+mailing+for+the+regulator"
	for _, tc := range []struct {
		name  string
		role  httpapi.Role
		query string
		want  int
	}{
		{"marketer may not export", httpapi.RoleMarketer, "export=1&" + reason, http.StatusForbidden},
		{"no reason", httpapi.RoleManager, "export=1", http.StatusBadRequest},
		{"a reason too short", httpapi.RoleManager, "export=1&reason=x", http.StatusBadRequest},
		{"a reason too long", httpapi.RoleManager, "export=1&reason=" + strings.Repeat("y", 501), http.StatusBadRequest},
		{"export=yes", httpapi.RoleManager, "export=yes&" + reason, http.StatusBadRequest},
	} {
		if code, body := get(tc.role, tc.query); code != tc.want || body["error"] == nil {
			t.Errorf("%s: %d %v, want %d with a message", tc.name, code, body, tc.want)
		}
	}
	if len(audit.recs) != 0 {
		t.Fatalf("refused exports were audited as exports: %+v", audit.recs)
	}
	code, body := get(httpapi.RoleManager, "export=1&"+reason)
	customers, _ := body["customers"].([]any)
	if code != http.StatusOK || len(customers) == 0 {
		t.Fatalf("export: %d %v", code, body)
	}
	for _, c := range customers {
		if p := c.(map[string]any)["phone"].(string); strings.Contains(p, "*") {
			t.Errorf("exported phone %q is masked", p)
		}
	}
	want := httpapi.AuditEntry{User: "test-manager", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants, Client: "127.0.0.1", Action: "export_phones",
		Object: "segment loyal", Detail: fmt.Sprintf("%d customers; reason: renewal mailing for the regulator", len(customers))}
	if len(audit.recs) != 1 || audit.recs[0].Time.IsZero() {
		t.Fatalf("audit records %+v, want one", audit.recs)
	}
	got := audit.recs[0]
	got.Time = time.Time{}
	if got != want {
		t.Errorf("audit record %+v, want %+v", got, want)
	}
	audit.failing = true
	if code, body := get(httpapi.RoleManager, "export=1&"+reason); code != http.StatusInternalServerError || body["customers"] != nil {
		t.Errorf("export with the audit down: %d %v, want 500 and no customers", code, body)
	}
}

func addToken(t *testing.T, srv *httpapi.Server, role httpapi.Role) string {
	tok, err := srv.Tokens().Generate(httpapi.Principal{User: "test-" + string(role), Role: role, Tenant: httpapi.AllTenants})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestCommandHelpListsFlags(t *testing.T) {
	var out bytes.Buffer
	if err := Command(context.Background(), []string{"--help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-quadrant", "-format", "-out", "-reveal-phones"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("help does not list %s:\n%s", f, out.String())
		}
	}
}
