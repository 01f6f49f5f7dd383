package statedb

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
)

const outboxSchema = `CREATE TABLE outbox (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id TEXT NOT NULL,
	topic TEXT NOT NULL,
	key TEXT NOT NULL,
	value BLOB NOT NULL,
	queued_at TEXT NOT NULL
)`

// Publish validates and encodes the events and queues them in the outbox with the transaction:
// they reach Kafka only if it commits. Its signature is events.Sink's, so a domain can hand a
// transaction to code that emits events.
func (tx *Tx) Publish(ctx context.Context, evs ...events.Event) error {
	now := tx.db.now()
	if tx.enqueue == nil {
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO outbox (event_id, topic, key, value, queued_at) VALUES (?, ?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("preparing the outbox insert: %w", err)
		}
		tx.enqueue = stmt // closed with the transaction
	}
	stamp := now.UTC().Format(time.RFC3339Nano)
	for _, e := range evs {
		b, err := events.Encode(e, now)
		if err != nil {
			return fmt.Errorf("queueing a %s event: %w", e.Type, err)
		}
		if _, err := tx.enqueue.ExecContext(ctx, e.EventID.String(), e.Topic(), e.Key(), b, stamp); err != nil {
			return fmt.Errorf("queueing a %s event: %w", e.Type, err)
		}
		tx.queued++
	}
	return nil
}

// OutboxWriter sends encoded messages to Kafka; *events.Publisher is one.
type OutboxWriter interface {
	Message(topic, key string, value []byte) kafka.Message
	WriteRaw(ctx context.Context, msgs ...kafka.Message) error
}

// Pending counts the events queued and not yet acknowledged by Kafka.
func (d *DB) Pending(ctx context.Context) (int, error) {
	var n int
	if err := d.reader.QueryRowContext(ctx, "SELECT count() FROM outbox").Scan(&n); err != nil {
		return 0, fmt.Errorf("counting the outbox: %w", err)
	}
	return n, nil
}

// RunOutbox relays queued events to w, oldest first, until ctx ends; a row is deleted only
// after Kafka acknowledged it. A failed write is retried with backoff, so events wait out a
// broker outage instead of being lost.
func (d *DB) RunOutbox(ctx context.Context, w OutboxWriter, log *slog.Logger) error {
	const batch = 5000
	backoff := 100 * time.Millisecond
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		n, err := d.relayOnce(ctx, w, batch)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			log.Warn("relaying state events to kafka failed; retrying", "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if n == batch {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-tick.C:
		}
	}
}

// relayOnce sends up to limit of the oldest queued events and deletes them; it returns how
// many it sent.
func (d *DB) relayOnce(ctx context.Context, w OutboxWriter, limit int) (int, error) {
	rows, err := d.reader.QueryContext(ctx, "SELECT seq, topic, key, value FROM outbox ORDER BY seq LIMIT ?", limit)
	if err != nil {
		return 0, fmt.Errorf("reading the outbox: %w", err)
	}
	var msgs []kafka.Message
	var last int64
	for rows.Next() {
		var topic, key string
		var value []byte
		if err := rows.Scan(&last, &topic, &key, &value); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reading the outbox: %w", err)
		}
		msgs = append(msgs, w.Message(topic, key, value))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reading the outbox: %w", err)
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	if err := w.WriteRaw(ctx, msgs...); err != nil {
		return 0, err
	}
	if _, err := d.writer.ExecContext(ctx, "DELETE FROM outbox WHERE seq <= ?", last); err != nil {
		return 0, fmt.Errorf("deleting relayed events from the outbox: %w", err)
	}
	return len(msgs), nil
}
