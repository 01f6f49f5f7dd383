package ingest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// gauge reads one gauge (without labels) from a registry.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Inserts that keep failing and a consumer that stores nothing while messages wait turn the
// health check red with the reason, and /metrics shows both; when inserts work again it is ok.
// A quiet pipeline is not stalled.
func TestHealthShowsFailingInsertsAndAStall(t *testing.T) {
	env := ingesttest.NewEnv(t)
	ctx := context.Background()
	pub := env.Publisher(t)
	g := eventgen.New(11, 2000, 0, time.Now().Add(-time.Hour), "GD").CallRecordsOnly()
	if _, err := g.Publish(ctx, pub, 1000, func(written int) error {
		if written == 1000 {
			return errors.New("first half written")
		}
		return nil
	}); err == nil || err.Error() != "first half written" {
		t.Fatal(err)
	}

	cfg := env.Config("health")
	cfg.StallAfter = 2 * time.Second
	reg := prometheus.NewRegistry()
	svc, err := ingest.New(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })

	waitFor(t, time.Minute, "the first 1000 calls are not stored", func() bool { return svc.Stats().Inserted >= 1000 })
	time.Sleep(3 * time.Second) // longer than StallAfter, with nothing to do
	if err := svc.Health(ctx); err != nil {
		t.Fatalf("health of an idle pipeline: %v", err)
	}

	// The table goes away under the running pipeline: every insert into it fails.
	if err := env.Conn.Exec(ctx, "RENAME TABLE call_records TO call_records_away"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Publish(ctx, pub, 1000, nil); err != nil {
		t.Fatal(err)
	}
	var reason string
	waitFor(t, time.Minute, "health does not report the failing inserts and the stall", func() bool {
		var hr *httpapi.HealthReason
		if err := svc.Health(ctx); errors.As(err, &hr) {
			reason = hr.Reason
		}
		return strings.Contains(reason, "inserting into call_records failing") && strings.Contains(reason, "stalled")
	})
	if !strings.Contains(reason, "ClickHouse error 60") {
		t.Errorf("health reason %q does not name the kind of error (ClickHouse error 60, unknown table)", reason)
	}
	if n := gauge(t, reg, "hotline_ingest_consecutive_failures"); n < 3 {
		t.Errorf("hotline_ingest_consecutive_failures = %v, want at least 3", n)
	}
	if v := gauge(t, reg, "hotline_ingest_stalled"); v != 1 {
		t.Errorf("hotline_ingest_stalled = %v, want 1", v)
	}
	if n := gauge(t, reg, "hotline_ingest_unstored_messages"); n != 1000 {
		t.Errorf("hotline_ingest_unstored_messages = %v, want 1000", n)
	}
	t.Logf("health while the table is away: %s", reason)

	if err := env.Conn.Exec(ctx, "RENAME TABLE call_records_away TO call_records"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "health does not recover once inserts work", func() bool {
		return svc.Stats().Inserted >= 2000 && svc.Health(ctx) == nil
	})
	if v := gauge(t, reg, "hotline_ingest_stalled"); v != 0 {
		t.Errorf("hotline_ingest_stalled = %v after recovery, want 0", v)
	}
	var rows uint64
	if err := env.Conn.QueryRow(ctx, "SELECT count() FROM call_records").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 2000 {
		t.Errorf("call_records holds %d rows after recovery, want 2000", rows)
	}
}
