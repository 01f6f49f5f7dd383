package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/chtest"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

// The terminal table, the CSV, the Parquet file and the API all carry the same numbers.
func TestReportEverywhereTheSame(t *testing.T) {
	conn, db := chtest.Database(t)
	f := chtest.Generate(5)
	if err := f.Load(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"--from", "2026-09-28", "--to", "2026-10-12", "--by", "week", "--out", dir, "--clickhouse", chtest.Addr(t), "--database", db}
	if err := ReportCommand(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(filepath.Join(dir, "report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil || len(recs) != 3 || recs[1][0] != "2026-09-28" || recs[2][0] != "2026-10-05" {
		t.Fatalf("csv %v %v", recs, err)
	}
	if !strings.Contains(out.String(), "2026-10-05") || !strings.Contains(out.String(), "%") || !strings.Contains(out.String(), "busiest day") {
		t.Errorf("table:\n%s", out.String())
	}
	// Parquet.
	pf, err := file.OpenParquetFile(filepath.Join(dir, "report.parquet"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, _ := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 2 || int(tbl.NumCols()) != len(ReportMetrics)+1 {
		t.Fatalf("parquet %d rows %d cols", tbl.NumRows(), tbl.NumCols())
	}
	for j := range ReportMetrics {
		col := tbl.Column(j + 1).Data().Chunk(0).(*array.Float64)
		for i := 0; i < 2; i++ {
			want, _ := strconv.ParseFloat(recs[i+1][j+1], 64)
			if col.Value(i) != want {
				t.Errorf("parquet %s row %d: %v, csv %v", ReportMetrics[j], i, col.Value(i), want)
			}
		}
	}
	// API.
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	e := &analytics.Engine{Conn: conn, Settings: analytics.DefaultSettings()}
	Register(srv, e, func() time.Time { return f.End })
	httpapitest.CheckRoles(t, srv)
	tok, _ := srv.Tokens().Generate(httpapi.Principal{User: "m", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/api/reports?from=2026-09-28&to=2026-10-12&by=week", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Rows []map[string]any `json:"rows"`
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if len(body.Rows) != 2 {
		t.Fatalf("api rows %v", body.Rows)
	}
	for i, row := range body.Rows {
		for j, m := range ReportMetrics {
			want, _ := strconv.ParseFloat(recs[i+1][j+1], 64)
			if got, _ := row[m].(float64); got != want {
				t.Errorf("api %s row %d: %v, csv %v", m, i, row[m], want)
			}
		}
	}
}

// The definitions API says what each KPI counts, in the language asked, with the deployment's
// settings; an unknown language is a 400.
func TestDefinitionsAPI(t *testing.T) {
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	s := analytics.DefaultSettings()
	s.SLThresholdSec = 15
	Register(srv, &analytics.Engine{Settings: s}, time.Now)
	tok, err := srv.Tokens().Generate(httpapi.Principal{User: "m", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(q string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", ts.URL+"/api/kpis/definitions"+q, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	code, body := get("?lang=zh")
	if code != http.StatusOK {
		t.Fatalf("status %d %v", code, body)
	}
	found := false
	for _, k := range body["kpis"].([]any) {
		m := k.(map[string]any)
		if m["name"] == "service_level" {
			found = m["title"] == "服务水平" && strings.Contains(m["definition"].(string), "15 秒内接通量")
		}
	}
	if !found || len(body["conventions"].([]any)) == 0 {
		t.Errorf("zh definitions: %v", body)
	}
	if code, _ := get("?lang=fr"); code != http.StatusBadRequest {
		t.Errorf("lang=fr: status %d", code)
	}
}
