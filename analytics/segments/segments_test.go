package segments

import (
	"bytes"
	"context"
	"encoding/json"
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
	contacts []dialer.Contact
}

func (l *launcher) Launch(ctx context.Context, id, typ string, c []dialer.Contact) error {
	l.id, l.contacts = id, c
	return nil
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
	masked := get("/api/segments/loyal")["customers"].([]any)
	revealed := get("/api/segments/loyal?campaign=c1")["customers"].([]any)
	if len(masked) == 0 || len(masked) != len(revealed) {
		t.Fatalf("%d masked, %d revealed", len(masked), len(revealed))
	}
	for i := range masked {
		mp, rp := masked[i].(map[string]any)["phone"].(string), revealed[i].(map[string]any)["phone"].(string)
		if !strings.Contains(mp, "*") || strings.Contains(rp, "*") || mp == rp {
			t.Errorf("phone masked %q revealed %q", mp, rp)
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

func addToken(t *testing.T, srv *httpapi.Server, role httpapi.Role) string {
	tok, err := srv.Tokens().Generate(httpapi.Principal{User: "test-" + string(role), Role: role})
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
