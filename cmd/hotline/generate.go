package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/internal/config"
)

func generateCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("generate", "Writes realistic synthetic events of every type to the Kafka topics: a configurable count and\n"+
		"rate, a seed for repeatability, and an optional share of malformed messages (which ingest must\n"+
		"dead-letter). Needs HOTLINE_KAFKA_BROKERS or --kafka-brokers.", stdout)
	f := config.Register(fs)
	count := fs.Int("count", 100_000, "number of messages to write")
	rate := fs.Float64("rate", 0, "messages per second; 0 writes as fast as the broker takes them")
	seed := fs.Uint64("seed", 1, "random seed: the same seed writes the same messages")
	malformed := fs.Float64("malformed", 0, "share of malformed messages, 0..1 (e.g. 0.01 for 1%)")
	startAt := fs.String("start", "", "event time of the first event, RFC 3339 (default: count/20 seconds ago)")
	cfg, err := loadConfig(fs, f, args)
	if err != nil {
		return err
	}
	if *count < 0 || *malformed < 0 || *malformed > 1 || *rate < 0 {
		return fmt.Errorf("generate: --count, --rate must be >= 0 and --malformed within 0..1")
	}
	start := time.Now().Add(-time.Duration(*count) * 50 * time.Millisecond)
	if *startAt != "" {
		if start, err = time.Parse(time.RFC3339, *startAt); err != nil {
			return fmt.Errorf("generate: --start: %w", err)
		}
	}
	in, err := startInfra(ctx, cfg, infraNeeds{kafka: true})
	if err != nil {
		return err
	}
	defer in.close()
	pub := events.NewPublisher(events.PublisherConfig{Brokers: in.brokers, TopicPrefix: in.topicPrefix, BatchSize: 5000})
	defer pub.Close()
	g := eventgen.New(*seed, *count, *malformed, start, cfg.Tenant)
	n, err := publishGenerated(ctx, pub, g, *rate)
	fmt.Fprintf(stdout, "wrote %d messages (%d malformed) to %s* on %v\n", n, g.Malformed(), in.topicPrefix, in.brokers)
	return err
}

// publishGenerated writes the generator's messages, paced to rate per second if rate > 0.
func publishGenerated(ctx context.Context, pub *events.Publisher, g *eventgen.Generator, rate float64) (int, error) {
	chunk := 5000
	if rate > 0 && rate < float64(chunk) {
		chunk = max(1, int(rate/10))
	}
	began := time.Now()
	return g.Publish(ctx, pub, chunk, func(written int) error {
		if rate <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(began.Add(time.Duration(float64(written) / rate * float64(time.Second))))):
			return nil
		}
	})
}
