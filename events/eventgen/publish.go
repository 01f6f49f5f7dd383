package eventgen

import (
	"context"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
)

// Publish writes every remaining message to Kafka in chunks of chunk messages. After each chunk
// it calls after (if not nil) with the count written so far, which paces or stops the writing
// by returning an error. It returns the count written.
func (g *Generator) Publish(ctx context.Context, pub *events.Publisher, chunk int, after func(written int) error) (int, error) {
	batch := make([]kafka.Message, 0, chunk)
	written := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := pub.WriteRaw(ctx, batch...); err != nil {
			return err
		}
		written += len(batch)
		batch = batch[:0]
		if after != nil {
			return after(written)
		}
		return nil
	}
	for {
		m, ok := g.Next()
		if !ok {
			return written, flush()
		}
		batch = append(batch, pub.Message(m.Topic, m.Key, m.Value))
		if len(batch) == chunk {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
}
