package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
)

// Sink is what domain packages emit events to; a Publisher is the real one, tests may collect.
type Sink interface {
	Publish(ctx context.Context, evs ...Event) error
}

// PublisherConfig says where and how events are written.
type PublisherConfig struct {
	Brokers     []string
	TopicPrefix string        // prepended to every topic name, e.g. "hotline."
	BatchSize   int           // messages per partition batch; default 1000
	BatchTime   time.Duration // longest a partial batch waits; default 10 ms
	Now         func() time.Time
}

// Publisher validates, encodes and writes events to Kafka, each to its type's topic, keyed so
// that per-entity order holds within a partition, acknowledged by all in-sync replicas.
//
// What it guarantees: when Publish returns nil, every event is on its topic (at least once).
// A batch that fails is retried for about half a minute of refused connections, or up to
// publishAttempts write timeouts of a broker that does not answer, so a broker restart or
// leader election holds callers up instead of failing them. What it cannot guarantee: exactly
// once. kafka-go has no idempotent producer (no producer id, no sequence numbers), so a batch
// the broker stored but whose answer was lost (a broker paused past the write timeout) is
// written again by the retry: the same events, same event_id, right after the first copy (one
// batch per partition is in flight, so order by key otherwise holds). When Publish returns an
// error, any part of the events may have been written; publishing them again is safe. Both
// are why ingest counts an event once by its event_id, not by its position.
type Publisher struct {
	w      *kafka.Writer
	prefix string
	now    func() time.Time
}

// NewPublisher builds a publisher; it connects lazily on the first Publish.
func NewPublisher(cfg PublisherConfig) *Publisher {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.BatchTime <= 0 {
		cfg.BatchTime = 10 * time.Millisecond // kafka-go's 1 s default stalls every partial synchronous batch
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Publisher{
		w: &kafka.Writer{
			Addr:                   kafka.TCP(cfg.Brokers...),
			Balancer:               &kafka.Hash{},
			RequiredAcks:           kafka.RequireAll,
			BatchSize:              cfg.BatchSize,
			BatchBytes:             1 << 20, // a batch is one record batch: stay under the broker's default message.max.bytes
			BatchTimeout:           cfg.BatchTime,
			AllowAutoTopicCreation: true,
			Compression:            kafka.Lz4,
			MaxAttempts:            publishAttempts,
			WriteBackoffMin:        100 * time.Millisecond,
			WriteBackoffMax:        2 * time.Second,
			WriteTimeout:           publishWriteTimeout,
		},
		prefix: cfg.TopicPrefix,
		now:    cfg.Now,
	}
}

// Retries of a batch: kafka-go waits attempt²×100 ms, at most 2 s, between attempts, so 20
// attempts ride out about 33 s of refused connections (a broker restarting); an attempt the
// broker does not answer fails after publishWriteTimeout.
const (
	publishAttempts     = 20
	publishWriteTimeout = 10 * time.Second
)

// Publish writes the events and returns once all are acknowledged. An invalid event fails the
// call before anything is written.
func (p *Publisher) Publish(ctx context.Context, evs ...Event) error {
	msgs := make([]kafka.Message, len(evs))
	now := p.now()
	for i, e := range evs {
		b, err := Encode(e, now)
		if err != nil {
			return err
		}
		msgs[i] = p.Message(e.Topic(), e.Key(), b)
	}
	return p.WriteRaw(ctx, msgs...)
}

// Message builds a message for a topic (without prefix) from bytes already encoded.
func (p *Publisher) Message(topic, key string, value []byte) kafka.Message {
	return kafka.Message{Topic: p.prefix + topic, Key: []byte(key), Value: value}
}

// WriteRaw writes messages as they are: for the dead letters and for tests that need bytes no
// valid event would produce. Messages refused because their partition has no leader for the
// moment (a broker back from a pause re-registers with its controller) are written again, with
// backoff, for up to leaderWait; kafka-go's own retries do not cover that answer.
func (p *Publisher) WriteRaw(ctx context.Context, msgs ...kafka.Message) error {
	pending := msgs
	backoff := 100 * time.Millisecond
	deadline := time.Now().Add(leaderWait)
	for {
		err := p.w.WriteMessages(ctx, pending...)
		var werrs kafka.WriteErrors
		if !errors.As(err, &werrs) {
			if err != nil {
				return fmt.Errorf("writing %d messages to kafka: %w", len(pending), err)
			}
			return nil
		}
		var again []kafka.Message
		var first, noLeader error
		for i, e := range werrs {
			switch {
			case e == nil:
			case leaderless(e):
				again, noLeader = append(again, pending[i]), e
			case first == nil:
				first = e
			}
		}
		if first == nil && len(again) > 0 && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("writing to kafka: %d of %d messages not written: %w", len(again), len(msgs), ctx.Err())
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			pending = again
			continue
		}
		if first == nil {
			first = noLeader
		}
		// One error per message would print megabytes: say how many failed and the first reason.
		return fmt.Errorf("writing to kafka: %d of %d messages failed, first: %w", werrs.Count(), len(msgs), first)
	}
}

// leaderWait bounds how long WriteRaw keeps writing messages whose partition has no leader.
const leaderWait = 30 * time.Second

// leaderless reports an answer that goes away once the partition has its leader again.
func leaderless(err error) bool {
	var kerr kafka.Error
	return errors.Is(err, protocol.ErrNoLeader) || errors.As(err, &kerr) && (kerr == kafka.LeaderNotAvailable || kerr == kafka.NotLeaderForPartition)
}

// Close flushes and closes the writer.
func (p *Publisher) Close() error {
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("closing kafka writer: %w", err)
	}
	return nil
}
