// Package ingesttest runs the real pipeline for tests of other parts: events go to the real
// Kafka broker and through the real ingest into a fresh, migrated ClickHouse database.
package ingesttest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/kafkaadmin"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// Env is a Kafka topic prefix and a ClickHouse database of one test.
type Env struct {
	Brokers     []string
	TopicPrefix string
	ClickHouse  chdb.Options
	Conn        driver.Conn
}

// NewEnv makes a fresh database (migrated) and topic prefix (topics created) on the real servers.
func NewEnv(t testing.TB) *Env {
	t.Helper()
	return NewEnvOn(t, testenv.ClickHouse(t))
}

// NewEnvOn is NewEnv on a ClickHouse server of the test's own.
func NewEnvOn(t testing.TB, chAddr string) *Env {
	t.Helper()
	ctx := context.Background()
	brokers := []string{testenv.Kafka(t)}
	o := chdb.Options{Addr: chAddr, Database: testenv.NewDatabase(t, chAddr)}
	conn, err := chdb.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	e := &Env{Brokers: brokers, TopicPrefix: testenv.TopicPrefix(t), ClickHouse: o, Conn: conn}
	var topics []string
	for _, tp := range append(append([]string{}, events.EventTopics...), events.TopicDeadLetter) {
		topics = append(topics, e.TopicPrefix+tp)
	}
	if err := kafkaadmin.EnsureTopics(ctx, brokers, topics, 4, 1); err != nil {
		t.Fatal(err)
	}
	return e
}

// Reconnect opens a new connection, after the test restarted the server.
func (e *Env) Reconnect(t testing.TB) {
	t.Helper()
	conn, err := chdb.Open(context.Background(), e.ClickHouse)
	if err != nil {
		t.Fatal(err)
	}
	old := e.Conn
	e.Conn = conn
	old.Close()
	t.Cleanup(func() { conn.Close() })
}

// Publisher writes to this environment's topics; closed at the end of the test.
func (e *Env) Publisher(t testing.TB) *events.Publisher {
	p := events.NewPublisher(events.PublisherConfig{Brokers: e.Brokers, TopicPrefix: e.TopicPrefix, BatchSize: 5000})
	t.Cleanup(func() { p.Close() })
	return p
}

// Config is an ingest configuration for this environment.
func (e *Env) Config(group string) ingest.Config {
	return ingest.Config{
		Brokers: e.Brokers, TopicPrefix: e.TopicPrefix, GroupID: e.TopicPrefix + group,
		ClickHouse: e.ClickHouse, FlushInterval: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// RunUntil runs ingest until it has stored (or dead-lettered) want messages, then stops it.
func (e *Env) RunUntil(t testing.TB, want int64, timeout time.Duration) ingest.Stats {
	t.Helper()
	svc, err := ingest.New(e.Config("ingesttest"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	deadline := time.Now().Add(timeout)
	for {
		s := svc.Stats()
		if s.Inserted+s.DeadLettered >= want {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("ingest stored %d and dead-lettered %d of %d messages in %s", s.Inserted, s.DeadLettered, want, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return svc.Stats()
}

// Ingest publishes the events and runs the real ingest until all are stored. It returns the
// ClickHouse address and database holding them.
func Ingest(t testing.TB, evs []events.Event) (chAddr, database string) {
	t.Helper()
	e := NewEnv(t)
	if err := e.Publisher(t).Publish(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
	s := e.RunUntil(t, int64(len(evs)), 2*time.Minute)
	if s.DeadLettered > 0 {
		t.Fatalf("%d events were dead-lettered", s.DeadLettered)
	}
	return e.ClickHouse.Addr, e.ClickHouse.Database
}

// CountDeadLetters reads the dead-letter topic to its end and returns the messages in it.
func (e *Env) CountDeadLetters(t testing.TB) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topic := e.TopicPrefix + events.TopicDeadLetter
	conn, err := kafka.DialContext(ctx, "tcp", e.Brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, p := range parts {
		pc, err := kafka.DialLeader(ctx, "tcp", e.Brokers[0], topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := pc.ReadOffsets()
		pc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if last == first {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: e.Brokers, Topic: topic, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		r.SetOffset(first)
		for off := first; off < last; off++ {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				t.Fatal(fmt.Errorf("reading dead letters: %w", err))
			}
			out = append(out, m)
		}
		r.Close()
	}
	return out
}
