package dialer

import (
	"context"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// TestCallbackCoverageInClickHouse runs the renewal and post-claim callback campaigns, sends
// their events (and the claims) through the real Kafka and ingest into ClickHouse, and checks
// that the callback coverage measured there equals the dialer's own count.
func TestCallbackCoverageInClickHouse(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	clk := clock.NewSim(start)
	book := newFakeBook(150, start)
	sink := &memSink{}
	svc, err := NewService(ServiceConfig{TeamSize: 3, Seed: 5, Tenant: "GD"}, Deps{Clock: clk, Book: book, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	end := start.Add(5 * 24 * time.Hour)
	clk.RunUntil(end)
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := sink.evs
	for _, c := range book.claims {
		evs = append(evs, events.New(c, *c.ClosedAt, "sim/book", "GD"))
	}

	// The dialer's own figure, over claims whose 72 h window has ended.
	var list *ContactList
	svc.mu.Lock()
	list = svc.runs["claim-callback"].list
	svc.mu.Unlock()
	windowEnd := end.Add(-72 * time.Hour)
	first, reached, n := list.Coverage(start.Add(-72*time.Hour), windowEnd, 24*time.Hour, 72*time.Hour)
	if n == 0 {
		t.Fatal("no claims with an ended window")
	}

	addr, db := ingesttest.Ingest(t, evs)
	ctx := context.Background()
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var total, covered, firstOK uint64
	q := `SELECT count(), countIf(toUInt32(first_contact) > 0 AND toUInt32(first_contact) <= toUInt32(closed_at) + 259200),
	        countIf(toUInt32(first_attempt) > 0 AND toUInt32(first_attempt) <= toUInt32(closed_at) + 86400)
	      FROM (SELECT claim_id, assumeNotNull(closed_at) AS closed_at FROM claims WHERE status = 'closed' AND closed_at < toDateTime(?))
	      ANY LEFT JOIN (SELECT claim_id, min(dialed_at) AS first_attempt,
	          minIf(assumeNotNull(connected_at), outcome = 'connected') AS first_contact
	        FROM dial_attempts WHERE campaign_type = 'claim_callback' AND outcome != 'blocked' GROUP BY claim_id) USING claim_id`
	if err := conn.QueryRow(ctx, q, windowEnd.Unix()).Scan(&total, &covered, &firstOK); err != nil {
		t.Fatal(err)
	}
	if int(total) != n {
		t.Fatalf("ClickHouse has %d closed claims with an ended window, the dialer %d", total, n)
	}
	chReached := float64(covered) / float64(total)
	chFirst := float64(firstOK) / float64(total)
	// Timestamps are stored to the second, so a contact exactly at the boundary may differ.
	if d := chReached - reached; d > 1.5/float64(n) || d < -1.5/float64(n) {
		t.Errorf("reached within 72 h: ClickHouse %.3f, dialer %.3f", chReached, reached)
	}
	if d := chFirst - first; d > 1.5/float64(n) || d < -1.5/float64(n) {
		t.Errorf("first attempt within 24 h: ClickHouse %.3f, dialer %.3f", chFirst, first)
	}
	var attempts, surveys, sms uint64
	if err := conn.QueryRow(ctx, "SELECT (SELECT count() FROM dial_attempts), (SELECT count() FROM survey_responses), (SELECT count() FROM sms_messages)").Scan(&attempts, &surveys, &sms); err != nil {
		t.Fatal(err)
	}
	if attempts == 0 || surveys == 0 || sms == 0 {
		t.Errorf("ClickHouse has %d attempts, %d survey responses, %d SMS events", attempts, surveys, sms)
	}
	t.Logf("%d closed claims: first attempt within 24 h %.1f%%, reached within 72 h %.1f%% (target 90%%); %d attempts, %d surveys, %d sms",
		total, chFirst*100, chReached*100, attempts, surveys, sms)
}
