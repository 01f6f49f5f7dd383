package retention_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/retention"
)

type entries []httpapi.AuditEntry

func (e *entries) Record(_ context.Context, a httpapi.AuditEntry) error {
	*e = append(*e, a)
	return nil
}

// A run is audited with what it removed and counted in the metric; a failed step does not stop
// the others and is in the entry; a dry run is neither audited nor counted.
func TestJobAuditsAndCounts(t *testing.T) {
	var audit entries
	clk := clock.NewSim(time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC))
	var asked []time.Time
	j := &retention.Job{Clock: clk, Auditor: &audit, Steps: []retention.Step{
		{Name: "a", Run: func(_ context.Context, now time.Time, dry bool) ([]retention.Removed, error) {
			asked = append(asked, now)
			return []retention.Removed{{What: "call_records.phone", Rows: 7}, {What: "dead_letters", Rows: 0}}, nil
		}},
		{Name: "b", Run: func(context.Context, time.Time, bool) ([]retention.Removed, error) {
			return nil, errors.New("state file busy")
		}},
		{Name: "c", Run: func(context.Context, time.Time, bool) ([]retention.Removed, error) {
			return []retention.Removed{{What: "audit_log", Rows: 2}}, nil
		}},
	}}
	reg := prometheus.NewRegistry()
	j.Register(reg)
	if _, err := j.RunOnce(context.Background(), true); err == nil || len(audit) != 0 {
		t.Fatalf("dry run: err %v, %d audit entries; want the step's error and no entry", err, len(audit))
	}
	_, err := j.RunOnce(context.Background(), false)
	if err == nil || !strings.Contains(err.Error(), "b: state file busy") {
		t.Errorf("run error %v, want the failed step named", err)
	}
	if len(audit) != 1 {
		t.Fatalf("%d audit entries, want 1", len(audit))
	}
	a := audit[0]
	if a.Action != "retention.run" || a.User != "retention" || a.Object != "9 removed" ||
		a.Detail != "call_records.phone=7, audit_log=2; failed: b: state file busy" || !a.Time.Equal(clk.Now()) {
		t.Errorf("audit entry %+v", a)
	}
	got := map[string]float64{}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			got[f.GetName()+"/"+m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"hotline_retention_removed_total/call_records.phone": 7, "hotline_retention_removed_total/audit_log": 2,
		"hotline_retention_runs_total/failed": 1}
	if len(got) != len(want) {
		t.Errorf("metrics %v, want %v (the dry run and empty results not counted)", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("metric %s = %v, want %v", k, got[k], v)
		}
	}
	if len(asked) != 2 || !asked[1].Equal(clk.Now()) {
		t.Errorf("steps asked as of %v, want the clock's now", asked)
	}
}
