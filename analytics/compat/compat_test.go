package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/bench"
	"github.com/seed-1c4692e8/hotline/analytics/chtest"
	"github.com/seed-1c4692e8/hotline/dashboards"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
)

const modernMajor, modernMinor = 26, 9

type query struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
}

// modernDDL is every migration statement a 26.9 server runs, without the LowCardinality switch
// (chdb.Migrate sends it only to servers older than 19).
func modernDDL(t *testing.T) []string {
	migs, err := chdb.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	v := [2]int{modernMajor, modernMinor}
	less := func(a, b [2]int) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }
	var out []string
	for _, m := range migs {
		for _, s := range m.Statements {
			if s.MinVersion != [2]int{} && less(v, s.MinVersion) {
				continue
			}
			if s.MaxVersion != [2]int{} && !less(v, s.MaxVersion) {
				continue
			}
			out = append(out, s.SQL)
		}
	}
	return out
}

func queries(t *testing.T, start, end time.Time) []query {
	s := analytics.DefaultSettings()
	var out []query
	add := func(name, sql string) { out = append(out, query{name, sql}) }
	fams := map[string][]string{}
	for _, n := range analytics.MetricNames() {
		m, _ := analytics.MetricByName(n)
		fams[m.Family] = append(fams[m.Family], n)
	}
	p := analytics.Period{From: start, To: end, Granularity: analytics.GranDay}
	for fam, ms := range fams {
		for _, raw := range []bool{false, true} {
			sql, err := analytics.Build(p, s, analytics.Query{Metrics: ms, Bucket: true, Raw: raw})
			if err != nil {
				t.Fatal(err)
			}
			add(fmt.Sprintf("kpi %s raw=%v", fam, raw), sql)
		}
		pt := p
		pt.Tenant = "t2"
		sql, err := analytics.Build(pt, s, analytics.Query{Metrics: ms})
		if err != nil {
			t.Fatal(err)
		}
		add("kpi total t2 "+fam, sql)
	}
	for _, v := range analytics.SLVariants {
		vs := s
		vs.SLVariant, vs.ShortAbandon, vs.SLThresholdSec = v, analytics.ShortAbandonInclude, 30
		sql, _ := analytics.Build(p, vs, analytics.Query{Metrics: []string{"service_level", "abandon_rate", "connection_rate"}, GroupBy: []string{"queue"}})
		add("sl variant "+v, sql)
	}
	for _, lang := range analytics.Languages {
		built, err := dashboards.Build(s, lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range built {
			for i, sql := range b.SQL {
				add(fmt.Sprintf("panel %s #%d %s", b.Board.UID, i+1, b.Spec.Panels[i].Title), dashboards.Expand(sql, end.AddDate(0, 0, -30), end, 24*time.Hour, nil))
				add(fmt.Sprintf("panel %s #%d %s (t1)", b.Board.UID, i+1, b.Spec.Panels[i].Title), dashboards.Expand(sql, end.AddDate(0, 0, -30), end, 24*time.Hour, map[string][]string{"tenant": {"t1"}}))
			}
		}
	}
	for i, q := range dashboards.TemplateQueries() {
		add(fmt.Sprintf("variable %d", i), q)
	}
	add("segment list", analytics.SegmentSQL(s.Segments, end, "", 70, 50))
	ms := s
	ms.Segments.UseMedians = true
	add("quadrant sizes medians", analytics.QuadrantSizesSQL(p, ms))
	add("quadrant movements", analytics.QuadrantMovementsSQL(analytics.Period{From: end.AddDate(0, -3, 0), To: end}, s))
	add("overdue complaints", analytics.OverdueComplaintsSQL(s, "", end))
	return out
}

// rows18 runs q on the 18.16 server and renders every value as JSON would.
func rows18(ctx context.Context, conn driver.Conn, q string) ([][]any, error) {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	types := rows.ColumnTypes()
	for rows.Next() {
		dest := make([]any, len(types))
		for i, ct := range types {
			dest[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]any, len(dest))
		for i, d := range dest {
			row[i] = norm(reflect.ValueOf(d).Elem().Interface())
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

func norm(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return norm(rv.Elem().Interface())
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	case string:
		return x
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return fmt.Sprint(v)
}

func same(a, b any) bool {
	fa, oka := num(a)
	fb, okb := num(b)
	if oka && okb {
		return math.Abs(fa-fb) <= 1e-6*math.Max(1, math.Max(math.Abs(fa), math.Abs(fb)))
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func sortRows(rs [][]any) {
	sort.Slice(rs, func(i, j int) bool { return fmt.Sprint(rs[i]) < fmt.Sprint(rs[j]) })
}

func TestSameResultsOnClickHouse18AndCurrent(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	py := filepath.Join(root, "var", "venv", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("%s missing: run scripts/analytics-deps.sh (chdb-core in var/venv)", py)
	}
	ctx := context.Background()
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(-1, 0, 0)
	data := bench.LoadStatements(start, end, 60_000)
	for _, d := range []time.Time{end.AddDate(0, 0, -20), end.AddDate(0, 0, -1)} {
		data = append(data, analytics.SnapshotSQL(analytics.DefaultSettings().Segments, d, 70, 50))
	}
	// The daily jobs' statements: quadrant changes, FCR closed up to 10 days before the end (so
	// panels read the rollup and the records after it), policies in force.
	data = append(data, analytics.SnapshotChangesSQL(end.AddDate(0, 0, -20), time.Time{}), analytics.SnapshotChangesSQL(end.AddDate(0, 0, -1), end.AddDate(0, 0, -20)),
		analytics.CloseFCRSQL(start, end.AddDate(0, 0, -10), int64((7*24*time.Hour).Seconds())), analytics.PoliciesInForceSQL(end.AddDate(0, 0, 8)))
	qs := queries(t, start, end)

	conn, _ := chtest.Database(t)
	for i, st := range data {
		if err := conn.Exec(ctx, st); err != nil {
			t.Fatalf("18.16 data statement %d: %v", i, err)
		}
	}
	dir := t.TempDir()
	in, _ := json.Marshal(map[string]any{"setup": append(modernDDL(t), data...), "queries": qs})
	os.WriteFile(filepath.Join(dir, "in.json"), in, 0o644)
	cmd := exec.Command(py, "chdb_check.py", filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chdb run: %v\n%s", err, out)
	}
	var res struct {
		Version     string `json:"version"`
		SetupErrors []any  `json:"setup_errors"`
		Queries     map[string]struct {
			Rows  [][]any `json:"rows"`
			Error string  `json:"error"`
		} `json:"queries"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "out.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	t.Logf("current engine: ClickHouse %s (chdb-core); %d queries", res.Version, len(qs))
	if !strings.HasPrefix(res.Version, fmt.Sprint(modernMajor)) {
		t.Errorf("chdb runs ClickHouse %s, expected %d.x", res.Version, modernMajor)
	}
	for _, e := range res.SetupErrors {
		t.Errorf("schema/data on the current engine: %v", e)
	}
	for _, q := range qs {
		old, err := rows18(ctx, conn, q.SQL)
		if err != nil {
			t.Errorf("%s on 18.16: %v", q.Name, err)
			continue
		}
		m := res.Queries[q.Name]
		if m.Error != "" {
			t.Errorf("%s on %s: %s\n%s", q.Name, res.Version, m.Error, q.SQL)
			continue
		}
		if len(old) == 0 && !strings.HasPrefix(q.Name, "overdue") {
			t.Errorf("%s: no rows", q.Name)
		}
		if len(old) != len(m.Rows) {
			t.Errorf("%s: %d rows on 18.16, %d on %s", q.Name, len(old), len(m.Rows), res.Version)
			continue
		}
		sortRows(old)
		sortRows(m.Rows)
		bad := 0
		for i := range old {
			for j := range old[i] {
				if j < len(m.Rows[i]) && !same(old[i][j], m.Rows[i][j]) && bad < 3 {
					t.Errorf("%s row %d col %d: 18.16 %v, %s %v", q.Name, i, j, old[i][j], res.Version, m.Rows[i][j])
					bad++
				}
			}
		}
	}
}
