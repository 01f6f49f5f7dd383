package analytics

import (
	"context"
	"testing"
	"time"
)

// CloseFCR closes each day once, in order, as its window passes; FCR read from the closed
// rollup plus the records after it equals FCR from the records alone, per day and queue.
func TestCloseFCRIncrementalAndExact(t *testing.T) {
	e, f := loaded(t, 13)
	ctx := context.Background()
	at := func(d int) time.Time { return f.Start.AddDate(0, 0, d).Add(7*24*time.Hour + FCRGrace + time.Minute) }
	for _, step := range []struct {
		now  time.Time
		days int
	}{{at(3), 3}, {at(3), 0}, {at(9), 6}} {
		n, err := e.CloseFCR(ctx, step.now)
		if err != nil {
			t.Fatal(err)
		}
		if n != step.days {
			t.Errorf("CloseFCR(%s) closed %d days, want %d", step.now.Format(time.RFC3339), n, step.days)
		}
		for _, p := range []Period{{From: f.Start, To: f.End, Granularity: GranDay}, {From: f.Start.AddDate(0, 0, 2), To: f.Start.AddDate(0, 0, 11), Granularity: GranHour, Tenant: "t2"}} {
			q := Query{Metrics: []string{"fcr"}, Bucket: true, GroupBy: []string{"queue"}}
			closed, err := e.Run(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			if !containsStr(closed.SQL, "fcr_rollup_15m") {
				t.Fatalf("FCR not from the rollup:\n%s", closed.SQL)
			}
			q.Raw = true
			raw, err := e.Run(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			// The records also give rows with no answered call (FCR undefined); the rollup has none.
			got := map[string]*float64{}
			for _, r := range closed.Rows {
				got[r.Time.String()+r.Keys[0]] = r.Values[0]
			}
			n := 0
			for _, r := range raw.Rows {
				a, b := r.Values[0], got[r.Time.String()+r.Keys[0]]
				switch {
				case a == nil && b != nil:
					t.Errorf("%v %v: raw undefined, closed %v", r.Time, r.Keys, *b)
				case a != nil:
					n++
					if b == nil || !close(*a, *b) {
						t.Errorf("%v %v: raw %v, closed %v", r.Time, r.Keys, *a, deref(b))
					}
				}
			}
			if n == 0 {
				t.Fatalf("no FCR rows")
			}
		}
	}
}
