package routing

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// AsyncSink decouples the engine from the event log in live mode: Publish only appends to a
// buffer (routing decisions never wait on Kafka), and Run sends the buffer on every interval
// or when it holds size events. When the buffer reaches max, Publish waits: back-pressure, not
// loss. The simulator does not need it; it batches itself.
type AsyncSink struct {
	next     events.Sink
	size     int
	max      int
	interval time.Duration
	log      *slog.Logger

	mu     sync.Mutex
	cond   *sync.Cond
	buf    []events.Event
	kick   chan struct{}
	closed bool
}

// NewAsyncSink buffers for next; size 0 means 1000 events, interval 0 means 100 ms.
func NewAsyncSink(next events.Sink, size int, interval time.Duration, log *slog.Logger) *AsyncSink {
	if size <= 0 {
		size = 1000
	}
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	if log == nil {
		log = slog.Default()
	}
	s := &AsyncSink{next: next, size: size, max: 100 * size, interval: interval, log: log, kick: make(chan struct{}, 1)}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Publish buffers the events.
func (s *AsyncSink) Publish(ctx context.Context, evs ...events.Event) error {
	s.mu.Lock()
	for len(s.buf) >= s.max && !s.closed {
		s.cond.Wait()
	}
	s.buf = append(s.buf, evs...)
	full := len(s.buf) >= s.size
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Run sends buffered events until ctx ends, then sends what is left (with a fresh minute).
func (s *AsyncSink) Run(ctx context.Context) error {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s.flush(fctx)
			s.mu.Lock()
			s.closed = true
			s.cond.Broadcast()
			s.mu.Unlock()
			return nil
		case <-t.C:
		case <-s.kick:
		}
		s.flush(ctx)
	}
}

func (s *AsyncSink) flush(ctx context.Context) {
	s.mu.Lock()
	batch := s.buf
	s.buf = nil
	s.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	for {
		err := s.next.Publish(ctx, batch...)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			// Shutting down: keep the batch, in front, for the final flush.
			s.mu.Lock()
			s.buf = append(batch, s.buf...)
			s.mu.Unlock()
			return
		}
		s.log.Error("publishing routing events; retrying", "events", len(batch), "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}
