package dashboards

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

// Every panel's SQL, expanded as the plugin would, runs against a real ClickHouse holding the
// fixture and returns rows: with every variable on "All", and narrowed to one value each.
func TestEveryPanelQueryRunsAndReturnsData(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(3)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	s := analytics.DefaultSettings()
	s.Calendar = analytics.Calendar{Holidays: f.Holidays, Workdays: f.Workdays}
	// The segmentation panels read daily snapshots, as analytics.Snapshotter writes them.
	e := &analytics.Engine{Conn: conn, Settings: s}
	for _, d := range []time.Time{f.Start, f.End.AddDate(0, 0, -1)} {
		if _, err := e.Snapshot(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	var built []Built
	for _, lang := range analytics.Languages {
		b, err := Build(s, lang)
		if err != nil {
			t.Fatal(err)
		}
		built = append(built, b...)
	}
	selections := []map[string][]string{
		{},
		{"tenant": {"t1", "t2"}},
		{"tenant": {"t1"}, "agent": {"a1", "a2", "a3"}},
	}
	panels := 0
	for _, b := range built {
		for i, sql := range b.SQL {
			panels++
			for _, vars := range selections {
				q := Expand(sql, f.Start, f.End, time.Hour, vars)
				if strings.Contains(q, "$") {
					t.Errorf("%s / %s: unexpanded macro in\n%s", b.Spec.UID, b.Spec.Panels[i].Title, q)
					continue
				}
				rows, err := conn.Query(ctx, q)
				if err != nil {
					t.Errorf("%s / %s %v: %v\n%s", b.Spec.UID, b.Spec.Panels[i].Title, vars, err, q)
					continue
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if n == 0 {
					t.Errorf("%s / %s %v: no rows", b.Spec.UID, b.Spec.Panels[i].Title, vars)
				}
			}
		}
	}
	for _, q := range TemplateQueries() {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Errorf("variable query %q: %v", q, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("variable query %q: no values", q)
		}
	}
	if panels < 2*80 {
		t.Errorf("only %d panels", panels)
	}
}

func TestExpand(t *testing.T) {
	from, to := time.Unix(1000, 0), time.Unix(5000, 0)
	cases := []struct {
		in, want string
		vars     map[string][]string
	}{
		{"WHERE $__timeFilter(ts) AND $__conditionalAll(queue IN (${queue:singlequote}), $queue)", "WHERE (ts >= toDateTime(1000) AND ts <= toDateTime(5000)) AND 1=1", nil},
		{"$__conditionalAll(hasAny(q, [${queue:singlequote}]), $queue)", "(hasAny(q, ['a','b']))", map[string][]string{"queue": {"a", "b"}}},
		{"intDiv(x, $__interval_s) $__fromTime $__toTime", "intDiv(x, 60) toDateTime(1000) toDateTime(5000)", nil},
	}
	for _, c := range cases {
		if got := Expand(c.in, from, to, time.Minute, c.vars); got != c.want {
			t.Errorf("Expand(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// With a week's interval, a series panel's buckets start on Mondays (Grafana's buckets count
// from the epoch, a Thursday, unless shifted).
func TestWeeklyBucketsStartOnMonday(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(5)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	sql, err := analytics.Build(analytics.GrafanaDialect{}, analytics.DefaultSettings(), analytics.Query{Metrics: []string{"qa_coverage"}, Bucket: true})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, Expand(sql, f.Start, f.End, 7*24*time.Hour, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var at time.Time
		var v *float64
		if err := rows.Scan(&at, &v); err != nil {
			t.Fatal(err)
		}
		if at.UTC().Weekday() != time.Monday || at.UTC().Hour() != 0 {
			t.Errorf("weekly bucket starts %s", at.UTC().Format(time.RFC1123))
		}
		n++
	}
	if n < 2 {
		t.Errorf("%d weekly buckets over two weeks", n)
	}
}
