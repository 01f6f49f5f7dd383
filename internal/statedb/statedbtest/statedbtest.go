// Package statedbtest helps tests read what a state file's outbox sends: a writer that keeps the
// messages in place of Kafka, and a drain that relays until nothing is queued.
package statedbtest

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Collector is an outbox writer that keeps what it is sent.
type Collector struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (c *Collector) Message(topic, key string, value []byte) kafka.Message {
	return kafka.Message{Topic: topic, Key: []byte(key), Value: value}
}

func (c *Collector) WriteRaw(_ context.Context, msgs ...kafka.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, msgs...)
	return nil
}

// Messages are the messages sent so far.
func (c *Collector) Messages() []kafka.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]kafka.Message(nil), c.msgs...)
}

// Events decodes the messages sent so far.
func (c *Collector) Events(t testing.TB) []events.Event {
	t.Helper()
	msgs := c.Messages()
	out := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, Decode(t, m))
	}
	return out
}

// Decode decodes one message the outbox sent; one that does not decode fails the test. Tests
// run simulated clocks ahead of the wall clock, so no event is refused as from the future.
func Decode(t testing.TB, m kafka.Message) events.Event {
	t.Helper()
	ev, err := events.Decode(m.Value, time.Now().AddDate(100, 0, 0))
	if err != nil {
		t.Fatalf("an event the outbox sent does not decode: %v", err)
	}
	return ev
}

// Drain relays db's queued events to w until none is left (a minute at most).
func Drain(t testing.TB, db *statedb.DB, w statedb.OutboxWriter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relayCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- db.RunOutbox(relayCtx, w, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	for {
		n, err := db.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d events still queued in the outbox", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
