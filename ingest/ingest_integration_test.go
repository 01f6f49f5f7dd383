package ingest_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
)

// The crash tests run ingest as a separate process: this test binary, re-executed with
// HOTLINE_INGEST_CHILD set, so that SIGKILL hits a real process and nothing in memory survives.
func TestMain(m *testing.M) {
	if os.Getenv("HOTLINE_INGEST_CHILD") == "1" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

func runChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cfg := ingest.Config{
		Brokers:        strings.Split(os.Getenv("CHILD_BROKERS"), ","),
		TopicPrefix:    os.Getenv("CHILD_PREFIX"),
		GroupID:        os.Getenv("CHILD_GROUP"),
		FlushInterval:  200 * time.Millisecond,
		BatchSize:      20_000,
		SessionTimeout: 6 * time.Second,
	}
	cfg.ClickHouse.Addr = os.Getenv("CHILD_CH_ADDR")
	cfg.ClickHouse.Database = os.Getenv("CHILD_CH_DB")
	svc, err := ingest.New(cfg, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := svc.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// produce writes the generator's messages in chunks with a pause after each, so that they
// stream in while the test interferes.
func produce(t *testing.T, env *ingesttest.Env, g *eventgen.Generator, chunk int, pause time.Duration) error {
	_, err := g.Publish(context.Background(), env.Publisher(t), chunk, func(int) error {
		time.Sleep(pause)
		return nil
	})
	return err
}

// stored counts rows over every fact table and their distinct event ids, and the dead letters
// with their distinct Kafka positions.
func stored(t *testing.T, conn driver.Conn) (rows, distinct, dead, deadDistinct uint64) {
	t.Helper()
	var parts []string
	for _, typ := range events.Types() {
		parts = append(parts, "SELECT event_id FROM "+ingest.TableOf(typ))
	}
	ctx := context.Background()
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM ("+strings.Join(parts, " UNION ALL ")+")").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(kafka_topic, kafka_partition, kafka_offset) FROM dead_letters").Scan(&dead, &deadDistinct); err != nil {
		t.Fatal(err)
	}
	return
}

func TestIngestStoresGoodEventsAndDeadLettersBadOnes(t *testing.T) {
	env := ingesttest.NewEnv(t)
	const total = 200_000
	g := eventgen.New(1, total, 0.01, time.Now().Add(-2*time.Hour), "GD")
	if err := produce(t, env, g, 10_000, 0); err != nil {
		t.Fatal(err)
	}
	stats := env.RunUntil(t, total, 5*time.Minute)
	rows, distinct, dead, _ := stored(t, env.Conn)
	if rows != 198_000 || distinct != rows {
		t.Errorf("ClickHouse holds %d rows with %d distinct event ids, want 198000 and 198000", rows, distinct)
	}
	if dead != 2_000 || stats.DeadLettered != 2_000 {
		t.Errorf("dead_letters table %d rows, pipeline counted %d, want 2000", dead, stats.DeadLettered)
	}
	msgs := env.CountDeadLetters(t)
	if len(msgs) != 2_000 {
		t.Fatalf("dead_letter topic holds %d messages, want 2000", len(msgs))
	}
	for _, m := range msgs {
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		if h[ingest.HeaderReason] == "" || h[ingest.HeaderSourceTopic] == "" || h[ingest.HeaderSourceOffset] == "" || len(m.Value) == 0 {
			t.Fatalf("dead letter without reason, source or original bytes: headers %v", h)
		}
	}
}
