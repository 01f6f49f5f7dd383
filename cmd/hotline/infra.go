package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/chserver"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/embedkafka"
	"github.com/seed-1c4692e8/hotline/internal/kafkaadmin"
)

// infra is the broker and ClickHouse a command works against, started locally when the
// configuration names none.
type infra struct {
	brokers []string
	// topicPrefix is the configured prefix; the embedded broker keeps its data under the data
	// directory, so its topics and offsets go on from one run to the next as ClickHouse's rows do.
	topicPrefix string
	clickhouse  chdb.Options
	started     []string // what this process started, for the start-up banner
	stop        []func()
}

func (in *infra) close() {
	for i := len(in.stop) - 1; i >= 0; i-- {
		in.stop[i]()
	}
}

type infraNeeds struct {
	kafka, embeddedKafka bool // needs a broker; may start the embedded one
	clickhouse           bool
}

// startInfra resolves (and if allowed, starts) the broker and ClickHouse, creates the database,
// applies migrations and creates the topics.
func startInfra(ctx context.Context, cfg config.Config, need infraNeeds) (*infra, error) {
	in := &infra{brokers: cfg.Kafka.Brokers, topicPrefix: cfg.Kafka.TopicPrefix}
	ok := false
	defer func() {
		if !ok {
			in.close()
		}
	}()
	if need.kafka && len(in.brokers) == 0 {
		if !need.embeddedKafka {
			return nil, errors.New("no Kafka brokers: set HOTLINE_KAFKA_BROKERS or --kafka-brokers (the embedded broker lives inside `hotline run` only)")
		}
		dir := filepath.Join(cfg.DataDir, "kafka-embedded")
		b, err := embedkafka.Start(dir, cfg.Kafka.EmbeddedPort, cfg.Kafka.Partitions)
		if err != nil {
			return nil, err
		}
		in.brokers = b.Addrs()
		in.stop = append(in.stop, b.Close)
		in.started = append(in.started, "embedded Kafka broker, data in "+dir+", on "+in.brokers[0])
	}
	if need.clickhouse {
		in.clickhouse = chdb.Options{Addr: cfg.ClickHouse.Addr, Database: cfg.ClickHouse.Database, User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password}
		if in.clickhouse.Addr == "" {
			srvCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			srv, err := chserver.Start(srvCtx, chserver.Options{
				DataDir: filepath.Join(cfg.DataDir, "clickhouse"),
				TCPPort: cfg.ClickHouse.LocalTCPPort,
				Logger:  slog.Default(),
			})
			if err != nil {
				cancel()
				return nil, err
			}
			in.clickhouse.Addr = srv.Addr()
			in.stop = append(in.stop, func() { cancel(); srv.Wait() })
			in.started = append(in.started, fmt.Sprintf("ClickHouse on %s (data under %s)", srv.Addr(), filepath.Join(cfg.DataDir, "clickhouse")))
		}
		if err := chdb.EnsureDatabase(ctx, in.clickhouse); err != nil {
			return nil, err
		}
		conn, err := chdb.Open(ctx, in.clickhouse)
		if err != nil {
			return nil, err
		}
		applied, err := chdb.Migrate(ctx, conn)
		conn.Close()
		if err != nil {
			return nil, err
		}
		if len(applied) > 0 {
			slog.Info("schema migrated", "database", in.clickhouse.Database, "applied", applied)
		}
	}
	if need.kafka {
		topics := make([]string, 0, len(events.EventTopics)+1)
		for _, t := range append(append([]string{}, events.EventTopics...), events.TopicDeadLetter) {
			topics = append(topics, in.topicPrefix+t)
		}
		if err := kafkaadmin.EnsureTopics(ctx, in.brokers, topics, cfg.Kafka.Partitions, 1); err != nil {
			return nil, err
		}
	}
	ok = true
	return in, nil
}
