package sim

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/routing"
)

// keep is a Sink that keeps every event.
type keep struct {
	mu  sync.Mutex
	evs []events.Event
}

func (k *keep) Publish(_ context.Context, evs ...events.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.evs = append(k.evs, evs...)
	return nil
}

// TestConservationInClickHouse: every simulated call ends exactly once, and the call records
// that reach ClickHouse through the real Kafka and ingest reproduce the simulator's counts.
func TestConservationInClickHouse(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	sink := &keep{}
	s, err := New(Options{Profile: Province(), Seed: 3, Start: start, Sink: sink, Customers: 3000})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.RunUntil(ctx, start.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c := s.Counts()
	if c.Records != c.Calls || c.DoubleEnded != 0 {
		t.Fatalf("simulator: %d calls, %d records, %d ended twice", c.Calls, c.Records, c.DoubleEnded)
	}
	if len(sink.evs) != c.Events {
		t.Fatalf("sink got %d events, simulator counted %d", len(sink.evs), c.Events)
	}
	now := time.Now()
	for _, ev := range sink.evs {
		if err := ev.Validate(now); err != nil {
			t.Fatalf("invalid %s event: %v", ev.Type, err)
		}
	}
	addr, db := ingesttest.Ingest(t, sink.evs)
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var records, calls uint64
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(call_id) FROM call_records").Scan(&records, &calls); err != nil {
		t.Fatal(err)
	}
	if int(records) != c.Calls || int(calls) != c.Calls {
		t.Fatalf("ClickHouse has %d records of %d calls; the simulator placed %d calls", records, calls, c.Calls)
	}
	rows, err := conn.Query(ctx, "SELECT outcome, count() FROM call_records GROUP BY outcome")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for rows.Next() {
		var o string
		var n uint64
		if err := rows.Scan(&o, &n); err != nil {
			t.Fatal(err)
		}
		got[o] = int(n)
	}
	rows.Close()
	for o, n := range c.Outcomes {
		if got[o] != n {
			t.Errorf("outcome %s: ClickHouse %d, simulator %d", o, got[o], n)
		}
	}
	if len(got) != len(c.Outcomes) {
		t.Errorf("outcomes in ClickHouse %v, simulator %v", got, c.Outcomes)
	}
	var cbs, states uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM callback_requests").Scan(&cbs); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM agent_states").Scan(&states); err != nil {
		t.Fatal(err)
	}
	if int(cbs) != c.Callbacks || int(states) != c.AgentStates {
		t.Errorf("callbacks %d vs %d, agent states %d vs %d", cbs, c.Callbacks, states, c.AgentStates)
	}
	t.Logf("%d calls, %d events through Kafka and ingest into ClickHouse; outcomes %v", c.Calls, len(sink.evs), got)

	// The queue_log export reads the same history from ClickHouse as from the events.
	mem := routing.NewQueueLog()
	mem.AddEvents(sink.evs)
	var want, have strings.Builder
	if _, err := mem.WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	fromCH, err := routing.ReadQueueLog(ctx, conn, start.Add(-time.Hour), start.Add(72*time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fromCH.WriteTo(&have); err != nil {
		t.Fatal(err)
	}
	if want.Len() == 0 || have.String() != want.String() {
		wl, hl := strings.Split(want.String(), "\n"), strings.Split(have.String(), "\n")
		for i := range min(len(wl), len(hl)) {
			if wl[i] != hl[i] {
				t.Fatalf("queue_log from ClickHouse differs at line %d of %d/%d:\n  events:     %s\n  ClickHouse: %s", i+1, len(wl), len(hl), wl[i], hl[i])
			}
		}
		t.Fatalf("queue_log from ClickHouse has %d lines, from events %d", len(hl), len(wl))
	}
}
