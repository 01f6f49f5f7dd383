package ingest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// An insert cut at each point it can be cut at (some fact rows landed, the views not yet, or
// the views in part) is completed by repairTable: exactly the missing fact rows, and every
// derived table equal to its facts; a second repair finds nothing to do.
func TestRepairCompletesACutInsert(t *testing.T) {
	ctx := context.Background()
	o := chdb.Options{Addr: testenv.ClickHouse(t)}
	o.Database = testenv.NewDatabase(t, o.Addr)
	conn, err := chdb.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Brokers: []string{"127.0.0.1:1"}, ClickHouse: o, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.closeConn()
	if _, err := s.clickhouse(ctx); err != nil {
		t.Fatal(err)
	}

	// Calls and dial attempts over a month boundary, from two partitions.
	mem := memory.NewGoAllocator()
	batches := map[events.Type]*tableBatch{}
	now := time.Now().UTC()
	boundary := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	g := eventgen.New(31, 4_000, 0, boundary.Add(-100*time.Second), "GD")
	for i := 0; ; i++ {
		m, ok := g.Next()
		if !ok {
			break
		}
		ev, err := events.Decode(m.Value, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != events.TypeCallRecord && ev.Type != events.TypeDialAttempt && ev.Type != events.TypePolicy {
			continue
		}
		tb := batches[ev.Type]
		if tb == nil {
			tb = newTableBatch(mem, s.schemas[ev.Type])
			batches[ev.Type] = tb
		}
		tb.append(ev, position{Topic: "t." + events.TopicOf(ev.Type), Partition: i % 2, Offset: int64(i)})
	}
	for typ, tb := range batches {
		schema := s.schemas[typ]
		rec := tb.record()
		// The cut: every other row landed, while the views were not there to see it.
		keep := make([]bool, rec.NumRows())
		for i := range keep {
			keep[i] = i%2 == 0
		}
		part, err := filterRecord(mem, rec, keep)
		if err != nil {
			t.Fatal(err)
		}
		views := map[string]bool{}
		for _, d := range derivedOf(schema.table) {
			views[d.table+"_mv"] = true
		}
		for v := range views {
			if err := conn.Exec(ctx, "DETACH TABLE "+v); err != nil {
				t.Fatal(err)
			}
		}
		if err := insertRecord(ctx, conn, schema, part); err != nil {
			t.Fatal(err)
		}
		part.Release()
		for v := range views {
			if err := conn.Exec(ctx, "ATTACH TABLE "+v); err != nil {
				t.Fatal(err)
			}
		}
		if VerifyDerived(ctx, conn) == nil {
			t.Fatalf("%s: the cut left no difference to repair", schema.table)
		}
		for round := 1; round <= 2; round++ {
			if err := s.repairTable(ctx, schema, rec); err != nil {
				t.Fatal(err)
			}
			var n, distinct uint64
			if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(kafka_offset) FROM "+schema.table).Scan(&n, &distinct); err != nil {
				t.Fatal(err)
			}
			if n != uint64(rec.NumRows()) || distinct != n {
				t.Errorf("%s round %d: %d rows at %d offsets, want %d", schema.table, round, n, distinct, rec.NumRows())
			}
			if err := VerifyDerived(ctx, conn); err != nil {
				t.Errorf("%s round %d: %v", schema.table, round, err)
			}
		}
		rec.Release()
	}
}
