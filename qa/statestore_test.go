package qa

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// openState opens the state file of a data directory, as `hotline run` does.
func openState(t *testing.T, dataDir string) *statedb.DB {
	t.Helper()
	db, err := statedb.Open(context.Background(), filepath.Join(dataDir, "state", "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// outboxCollector takes the outbox's messages in place of Kafka.
type outboxCollector struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (c *outboxCollector) Message(topic, key string, value []byte) kafka.Message {
	return kafka.Message{Topic: topic, Key: []byte(key), Value: value}
}

func (c *outboxCollector) WriteRaw(_ context.Context, msgs ...kafka.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, msgs...)
	return nil
}

// drainOutbox relays db's queued events to w until none is left.
func drainOutbox(t *testing.T, db *statedb.DB, w statedb.OutboxWriter) {
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

// decodeAll decodes relayed messages.
func decodeAll(t *testing.T, msgs []kafka.Message) []events.Event {
	t.Helper()
	out := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := events.Decode(m.Value, time.Now().Add(100*365*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}
