package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
)

// item is one message on its way to the batcher: a decoded event, or a dead letter. pos.Offset
// is the stored offset: the Kafka offset plus the partition's epoch base (ingest_topic_epochs).
type item struct {
	pos  position
	base int64
	ev   events.Event
	dead *deadLetter
}

// chunkSize caps how many messages a reader decodes before handing them to the batcher: one
// channel send per chunk instead of per message.
const chunkSize = 512

// readPartition reads one assigned partition from its starting offset and decodes each message
// (decoding here spreads it over the cores, one goroutine per partition). Messages are decoded
// and handed to the batcher in chunks, cut at chunkSize or when the partition's end (as of the
// last fetch) is reached, so nothing waits in a chunk for messages that have not been written.
func (s *Service) readPartition(ctx context.Context, p position, base int64, out chan<- []item, lag *lagTracker) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:       s.cfg.Brokers,
		Topic:         p.Topic,
		Partition:     p.Partition,
		MinBytes:      1,
		MaxBytes:      16 << 20,
		MaxWait:       250 * time.Millisecond,
		QueueCapacity: 4096,
	})
	defer r.Close()
	if p.Offset >= 0 || p.Offset == kafka.FirstOffset || p.Offset == kafka.LastOffset {
		if err := r.SetOffset(p.Offset); err != nil {
			s.log.Error("setting partition offset", "topic", p.Topic, "partition", p.Partition, "offset", p.Offset, "err", err)
			return
		}
	}
	key := position{Topic: p.Topic, Partition: p.Partition}
	defer lag.forget(key)
	step := fmt.Sprintf("reading %s partition %d", p.Topic, p.Partition)
	failing := false
	msgs := make([]kafka.Message, 0, chunkSize)
	for {
		m, err := r.FetchMessage(ctx)
		if failing && err == nil {
			s.health.ok(step)
			failing = false
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return
			}
			s.health.failed(step, err)
			failing = true
			s.log.Warn("reading partition", "topic", p.Topic, "partition", p.Partition, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		msgs = append(msgs, m)
		if len(msgs) < chunkSize && m.Offset < m.HighWaterMark-1 {
			continue
		}
		chunk := s.decodeChunk(msgs, base)
		s.m.consumed.Add(float64(len(chunk)))
		s.m.consumedN.Add(int64(len(chunk)))
		lag.set(key, m.HighWaterMark-m.Offset-1)
		select {
		case out <- chunk:
		case <-ctx.Done():
			return
		}
		msgs = msgs[:0]
	}
}

// decodeChunk decodes messages read from one partition; the clock is read once per chunk, not
// per message.
func (s *Service) decodeChunk(msgs []kafka.Message, base int64) []item {
	start := time.Now()
	now := s.cfg.Clock.Now()
	chunk := make([]item, len(msgs))
	for i, m := range msgs {
		chunk[i] = s.decode(m, base, now)
	}
	s.m.decodeNanos.Add(int64(time.Since(start)))
	return chunk
}

func (s *Service) decode(m kafka.Message, base int64, now time.Time) item {
	pos := position{Topic: m.Topic, Partition: m.Partition, Offset: base + m.Offset}
	ev, err := events.Decode(m.Value, now)
	if err == nil && events.TopicOf(ev.Type) != s.baseTopic(m.Topic) {
		err = &events.DecodeError{Reason: "type: " + string(ev.Type) + " does not belong on topic " + m.Topic}
	}
	if err != nil {
		return item{pos: pos, base: base, dead: newDeadLetter(pos, m.Offset, m.Key, m.Value, err.Error(), now)}
	}
	return item{pos: pos, base: base, ev: ev}
}

func (s *Service) baseTopic(topic string) string {
	if len(topic) >= len(s.cfg.TopicPrefix) && topic[:len(s.cfg.TopicPrefix)] == s.cfg.TopicPrefix {
		return topic[len(s.cfg.TopicPrefix):]
	}
	return topic
}

// lagTracker sums per-partition lag into one gauge, and into total for the health checks.
type lagTracker struct {
	mu    sync.Mutex
	lags  map[position]int64
	gauge prometheus.Gauge
	total *atomic.Int64
}

// behind reports whether any partition has messages not yet read.
func (l *lagTracker) behind() bool { return l.total.Load() > 0 }

func newLagTracker(g prometheus.Gauge, total *atomic.Int64) *lagTracker {
	return &lagTracker{lags: map[position]int64{}, gauge: g, total: total}
}

func (l *lagTracker) set(p position, lag int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lags[p] = max(lag, 0)
	l.publish()
}

func (l *lagTracker) forget(p position) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.lags, p)
	l.publish()
}

func (l *lagTracker) publish() {
	var sum int64
	for _, v := range l.lags {
		sum += v
	}
	l.gauge.Set(float64(sum))
	l.total.Store(sum)
}
