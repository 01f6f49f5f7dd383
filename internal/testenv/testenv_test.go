package testenv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

func TestClickHouse(t *testing.T) {
	addr := testenv.ClickHouse(t)
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, ReadTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var version string
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&version); err != nil {
		t.Fatalf("SELECT version(): %v", err)
	}
	if version == "" {
		t.Fatal("empty version")
	}
	t.Logf("clickhouse %s on %s", version, addr)

	db := testenv.NewDatabase(t, addr)
	if !strings.HasPrefix(db, "t_TestClickHouse_") {
		t.Errorf("database name %q does not name the test", db)
	}
	if err := conn.Exec(ctx, "CREATE TABLE "+db+".kv (k String, v UInt32) ENGINE = MergeTree ORDER BY k"); err != nil {
		t.Fatal(err)
	}
	// INSERT ... VALUES through Exec hangs on 18.16 (docs/clickhouse-compat.md): use a batch.
	b, err := conn.PrepareBatch(ctx, "INSERT INTO "+db+".kv (k, v)")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, k := range []string{"a", "b", "c"} {
		if err := b.Append(k, uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+db+".kv").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("count() = %d, want 3", n)
	}
}

func TestNewDatabaseDroppedOnCleanup(t *testing.T) {
	addr := testenv.ClickHouse(t)
	var name string
	t.Run("sub test/with space", func(t *testing.T) {
		name = testenv.NewDatabase(t, addr)
	})
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}, ReadTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.databases WHERE name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after the subtest ended", name)
	}
}

func TestKafkaProduceConsume(t *testing.T) {
	brokers := testenv.Kafka(t)
	topic := testenv.TopicPrefix(t) + "ping"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	testenv.CreateTopic(t, brokers, topic, 4)

	w := &kafka.Writer{
		Addr:         kafka.TCP(brokers),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 10 * time.Millisecond,
		Balancer:     &kafka.Hash{},
	}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("k1"), Value: []byte("hello hotline")}); err != nil {
		t.Fatalf("producing to %s on %s: %v", topic, brokers, err)
	}

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     []string{brokers},
		Topic:       topic,
		GroupID:     topic + ".group",
		StartOffset: kafka.FirstOffset,
		MaxWait:     100 * time.Millisecond,
	})
	defer r.Close()
	m, err := r.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("consuming %s: %v", topic, err)
	}
	if string(m.Key) != "k1" || string(m.Value) != "hello hotline" {
		t.Fatalf("got %q=%q, want k1=hello hotline", m.Key, m.Value)
	}
	if err := r.CommitMessages(ctx, m); err != nil {
		t.Fatalf("committing offset: %v", err)
	}
}

func TestTopicPrefixUnique(t *testing.T) {
	a, b := testenv.TopicPrefix(t), testenv.TopicPrefix(t)
	if a == b {
		t.Fatalf("two prefixes are equal: %q", a)
	}
	if !strings.HasPrefix(a, "t_TestTopicPrefixUnique_") || !strings.HasSuffix(a, ".") {
		t.Fatalf("prefix %q does not have the form t_<test>_<rand>.", a)
	}
}
