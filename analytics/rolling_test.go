package analytics

import (
	"context"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

// A rolling-window query gives, per campaign and window, the outbound abandon rate over the
// window ending at the period's end, as recomputed here from the attempts.
func TestRollingWindows(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(11)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Conn: conn, Settings: DefaultSettings()}
	end := f.Start.AddDate(0, 0, 10)
	ws := []time.Duration{24 * time.Hour, 7 * 24 * time.Hour}
	for _, raw := range []bool{false, true} {
		res, err := e.Run(ctx, Period{From: f.Start, To: end, Tenant: "t1"}, Query{Metrics: []string{"outbound_abandon_rate", "contacts"}, GroupBy: []string{"campaign_id"}, Windows: ws, Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, w := range ws {
			for _, camp := range []string{"camp_renew", "camp_survey", "camp_callback"} {
				var contacts, dropped float64
				for _, a := range f.Attempts {
					if a.Tenant == "t1" && a.Campaign == camp && !a.Dialed.Before(end.Add(-w)) && a.Dialed.Before(end) {
						switch a.Outcome {
						case "connected":
							contacts++
						case "dropped":
							contacts++
							dropped++
						}
					}
				}
				found := false
				for i, r := range res.Rows {
					if r.Keys[0] != camp || r.Window != windowLabel(w) {
						continue
					}
					found = true
					seen++
					if got, _ := res.Value(i, "contacts"); got != contacts {
						t.Errorf("raw %v %s %s: contacts %v, want %v", raw, camp, r.Window, got, contacts)
					}
					got, ok := res.Value(i, "outbound_abandon_rate")
					if want := frac(dropped, contacts); (want == nil) == ok || (ok && !close(got, *want)) {
						t.Errorf("raw %v %s %s: abandon rate %v (%v), want %v", raw, camp, r.Window, got, ok, deref(want))
					}
				}
				if !found && contacts > 0 {
					t.Errorf("raw %v: no row for %s over %s", raw, camp, windowLabel(w))
				}
			}
		}
		if seen < 4 {
			t.Errorf("raw %v: only %d campaign/window rows:\n%s", raw, seen, res.SQL)
		}
	}
	if _, err := Build(Period{From: f.Start, To: end}, e.Settings, Query{Metrics: []string{"contacts"}, Bucket: true, Windows: ws}); err == nil {
		t.Error("windows with buckets built")
	}
}

// QA coverage from the agent rollup equals QA coverage from the call records.
func TestQACoverageRollupEqualsRaw(t *testing.T) {
	e, f := loaded(t, 12)
	ctx := context.Background()
	p := Period{From: f.Start, To: f.End, Granularity: GranWeek}
	q := Query{Metrics: []string{"qa_coverage", "qa_evaluated_calls"}, Bucket: true, GroupBy: []string{"agent_id"}}
	roll, err := e.Run(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Raw = true
	raw, err := e.Run(ctx, p, q)
	if err != nil {
		t.Fatal(err)
	}
	if !containsStr(roll.SQL, "call_rollup_15m") || len(raw.Rows) == 0 || len(raw.Rows) != len(roll.Rows) {
		t.Fatalf("rollup %d rows, raw %d rows:\n%s", len(roll.Rows), len(raw.Rows), roll.SQL)
	}
	for i := range raw.Rows {
		for j := range q.Metrics {
			a, b := raw.Rows[i].Values[j], roll.Rows[i].Values[j]
			if (a == nil) != (b == nil) || (a != nil && !close(*a, *b)) {
				t.Errorf("%v %v %s: raw %v rollup %v", raw.Rows[i].Time, raw.Rows[i].Keys, q.Metrics[j], deref(a), deref(b))
			}
		}
	}
}
