package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
)

// produceWithCopies writes the generator's messages in chunks, and every copyEvery-th good one a
// second time at a new offset, a few chunks later: what a producer's retry or a re-publish
// does. It returns how many good and malformed messages there are, copies not counted.
func produceWithCopies(t *testing.T, env *ingesttest.Env, g *eventgen.Generator, chunk, copyEvery int, pause time.Duration) (good, bad int, err error) {
	t.Helper()
	pub := env.Publisher(t)
	ctx := context.Background()
	var batch, copies []kafka.Message
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// Copies of earlier chunks go out with this one, at later offsets than their originals.
		n := min(len(copies), chunk/10+1)
		out := append(batch, copies[:n]...)
		copies = copies[n:]
		if err := pub.WriteRaw(ctx, out...); err != nil {
			return err
		}
		batch = batch[:0]
		time.Sleep(pause)
		return nil
	}
	for {
		m, ok := g.Next()
		if !ok {
			break
		}
		msg := pub.Message(m.Topic, m.Key, m.Value)
		batch = append(batch, msg)
		if m.Malformed {
			bad++
		} else {
			good++
			if good%copyEvery == 0 {
				copies = append(copies, msg)
			}
		}
		if len(batch) == chunk {
			if err := flush(); err != nil {
				return good, bad, err
			}
		}
	}
	for len(batch) > 0 || len(copies) > 0 {
		if err := flush(); err != nil {
			return good, bad, err
		}
		if len(batch) == 0 && len(copies) > 0 {
			batch = append(batch, copies[0])
			copies = copies[1:]
		}
	}
	return good, bad, nil
}

func checkDerived(t *testing.T, env *ingesttest.Env) {
	t.Helper()
	if err := ingest.VerifyDerived(context.Background(), env.Conn); err != nil {
		t.Errorf("derived tables differ from their facts: %v", err)
	}
}

// Copies of events at new offsets (1 in 50), in the same flush as their original or in a later
// one, are stored once; so are copies of events older than the in-memory horizon, published
// again after a restart, which only ClickHouse can answer for. Every derived table equals its
// facts.
func TestIngestStoresEachEventOnce(t *testing.T) {
	env := ingesttest.NewEnv(t)
	recent := eventgen.New(11, 60_000, 0.01, time.Now().Add(-2*time.Hour), "GD")
	good, bad, err := produceWithCopies(t, env, recent, 5_000, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	old := eventgen.New(12, 4_000, 0, time.Now().Add(-40*24*time.Hour), "GD")
	oldGood, _, err := produceWithCopies(t, env, old, 1_000, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	env.RunUntil(t, int64(good+bad+oldGood), 3*time.Minute)
	checkExactlyOnce(t, env, uint64(good+oldGood), uint64(bad), "")
	checkDerived(t, env)

	// A new generation knows the old events only through ClickHouse.
	again := eventgen.New(12, 4_000, 0, time.Now().Add(-40*24*time.Hour), "GD")
	if _, err := again.Publish(context.Background(), env.Publisher(t), 1_000, nil); err != nil {
		t.Fatal(err)
	}
	more := eventgen.New(13, 1_000, 0, time.Now().Add(-time.Hour), "GD")
	if _, err := more.Publish(context.Background(), env.Publisher(t), 1_000, nil); err != nil {
		t.Fatal(err)
	}
	svc, err := ingest.New(env.Config("ingesttest"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	deadline := time.Now().Add(3 * time.Minute)
	for s := svc.Stats(); s.Inserted < 1_000 || s.Skipped < 4_000; s = svc.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("after 3 minutes ingest stored %d of 1000 new events and skipped %d of 4000 copies", s.Inserted, s.Skipped)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, env, uint64(good+oldGood+1_000), uint64(bad), "")
	checkDerived(t, env)

	// The check itself sees a rollup that drifted from its facts.
	if err := env.Conn.Exec(context.Background(), "INSERT INTO dial_rollup_15m (tenant, ts, campaign_id, campaign_type, kafka_partition, attempts) "+
		"SELECT tenant, ts, campaign_id, campaign_type, kafka_partition, 1 FROM dial_rollup_15m LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	if ingest.VerifyDerived(context.Background(), env.Conn) == nil {
		t.Error("a dial_rollup_15m row more than its facts went unnoticed")
	}
}
